"""``python manage.py import_reviews DIR``: load a bundle of CSV files into the register (SPEC section 4)."""

import sys
from contextlib import ExitStack
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.services import FILE_NAMES, REVIEWS, import_reviews

PROGRESS_EVERY = 5_000


class Command(BaseCommand):
    help = (
        "Import reviews.csv (required) and children.csv, findings.csv, evaluations.csv (optional) from DIR. "
        "All or nothing: on any error nothing is written, every error is printed as FILE:LINE: COLUMN: message "
        "and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="the folder holding the CSV files")

    def handle(self, *args, directory, **options):
        folder = Path(directory)
        if not folder.is_dir():
            raise CommandError(f"{directory} is not a folder")
        if not (folder / REVIEWS).is_file():
            raise CommandError(f"{folder / REVIEWS} not found: every import needs reviews.csv")
        # Every CSV in DIR is given to the import, so a misspelt file name is an error rather than ignored.
        names = sorted(path.name for path in folder.iterdir() if path.suffix.lower() == ".csv" and path.is_file())

        def progress(name, rows):
            self.stderr.write(f"{name}: {rows:,} rows read")

        with ExitStack() as stack:
            files = {name: stack.enter_context(open(folder / name, "rb")) for name in names}
            result = import_reviews(files=files, progress=progress, progress_every=PROGRESS_EVERY)

        if not result.ok:
            for line in result.errors:
                self.stderr.write(line)
            self.stderr.write(f"{len(result.errors):,} errors: nothing was imported.")
            sys.exit(1)
        read = ", ".join(f"{name} {result.rows_read[name]:,} rows" for name in FILE_NAMES if name in result.rows_read)
        self.stdout.write(f"Imported {read}.")
        for line in result.summary_lines():
            self.stdout.write(line)
