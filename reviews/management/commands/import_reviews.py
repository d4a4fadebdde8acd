"""``python manage.py import_reviews DIR``: load a bundle of CSV files into the register (SPEC section 4)."""

import getpass
import sys
from contextlib import ExitStack
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.imports import FILE_NAMES, import_reviews

PROGRESS_EVERY = 5_000


def os_user():
    """The operating-system user running the command ("unknown" if the system cannot say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class Command(BaseCommand):
    help = (
        "Import reviews.csv (required) and children.csv, findings.csv, evaluations.csv, recommendations.csv, "
        "actions.csv (optional) from DIR. "
        "All or nothing: on any error nothing is written, every error is printed as FILE:LINE: COLUMN: message "
        "and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="the folder holding the CSV files")
        parser.add_argument(
            "--operator",
            metavar="NAME",
            help="who is running the import, as the reviews' history will name them "
            "(default: the operating-system user)",
        )

    def handle(self, *args, directory, operator=None, **options):
        folder = Path(directory)
        if not folder.is_dir():
            raise CommandError(f"{directory} is not a folder")
        # Every CSV in DIR is given to the import, so a misspelt file name is an error rather than ignored,
        # and a missing reviews.csv is reported as every other error is.
        names = sorted(path.name for path in folder.iterdir() if path.suffix.lower() == ".csv" and path.is_file())

        def progress(name, rows):
            self.stderr.write(f"{name}: {rows:,} rows read")

        with ExitStack() as stack:
            files = {name: stack.enter_context(open(folder / name, "rb")) for name in names}
            result = import_reviews(
                files=files,
                operator=(operator or "").strip() or os_user(),
                progress=progress,
                progress_every=PROGRESS_EVERY,
            )

        if not result.ok:
            for line in result.errors:
                self.stderr.write(line)
            count = len(result.errors)
            self.stderr.write(f"{count:,} error{'' if count == 1 else 's'}: nothing was imported.")
            sys.exit(1)
        read = ", ".join(f"{name} {result.rows_read[name]:,} rows" for name in FILE_NAMES if name in result.rows_read)
        self.stdout.write(f"Imported {read}.")
        for line in result.summary_lines():
            self.stdout.write(line)
