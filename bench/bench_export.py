"""The export writers' own cost: the same rows, fetched once, written as CSV and as XLSX (issue 14).

Usage (from the project folder, on a seeded database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_export.py [--rows 20000] [--runs 2]

The rows are read first, in reference order, so the database's time is left out; each writer's time is the
process's CPU time (which the machine's load barely changes). The floor, in the same run: xlsxwriter alone,
the same rows already made into cells, each written with ``write_string`` or ``write_number`` into a
constant-memory workbook (what any use of xlsxwriter costs). The whole export, database included, is timed by
``bench/bench_register.py --export csv|xlsx``.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
    import django
    import xlsxwriter

    django.setup()
    from django.db import transaction

    from reviews import exports
    from reviews.models import Review

    queryset = Review.objects.order_by("reference")[: args.rows]
    with transaction.atomic(using=exports.REPORTING_DB):
        rows = list(exports._export_rows(queryset))
    exports._export_rows = lambda _queryset: iter(rows)  # the writers alone, on the rows read above
    cells = [exports.workbook_cells(row) for row in rows]

    def xlsxwriter_floor(_queryset):
        with tempfile.TemporaryFile() as file:
            workbook = xlsxwriter.Workbook(file, exports._XLSX_OPTIONS)
            sheet = workbook.add_worksheet("Reviews")
            for number, row in enumerate(cells, start=1):
                for column, cell in enumerate(row):
                    if cell.__class__ is str:
                        sheet.write_string(number, column, cell)
                    elif cell is not None:
                        sheet.write_number(number, column, cell)
            workbook.close()
            file.seek(0)
            yield file.read()

    for _ in range(args.runs):
        for writer in (exports.csv_chunks, exports.xlsx_chunks, xlsxwriter_floor):
            started = time.process_time()
            size = sum(len(piece) for piece in writer(queryset))
            seconds = time.process_time() - started
            print(f"{writer.__name__}: {len(rows):,} rows, {size / 1e6:.1f} MB, {seconds:.2f} s CPU")


if __name__ == "__main__":
    main()
