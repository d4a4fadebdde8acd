"""The export writers' own cost: the same rows, fetched once, written as CSV and as XLSX (issue 14).

Usage (from the project folder, on a seeded database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_export.py [--rows 20000] [--runs 2]

The rows are read first, in reference order, so the database's time is left out; each writer's time is the
process's CPU time (which the machine's load barely changes; the XLSX writer's own threads included). Beside
the project's writers (``csv_chunks``, ``xlsx_chunks``), on the same prepared cells: Python's xlsxwriter in
constant-memory mode with typed writes (what the export used before) and openpyxl's write-only mode, the two
writers issue 14 named. Each workbook is read back with openpyxl and compared with the rows, cell by cell. The
whole export, database included, is timed by ``bench/bench_register.py --export csv|xlsx``.
"""

import argparse
import datetime
import io
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
    import openpyxl
    import xlsxwriter
    from openpyxl.cell import WriteOnlyCell

    django.setup()
    from django.db import transaction

    from reviews import exports
    from reviews.models import Review

    queryset = Review.objects.order_by("reference")[: args.rows]
    with transaction.atomic(using=exports.REPORTING_DB):
        rows = list(exports._export_rows(queryset))
    exports._export_rows = lambda _queryset: iter(rows)  # the writers alone, on the rows read above
    cells = [exports.workbook_cells(row) for row in rows]
    dates = [column for column, heading in enumerate(exports.HEADER) if heading in exports._DATE_HEADINGS]
    day_zero = datetime.date(1899, 12, 30)

    def xlsxwriter_typed(_queryset):
        with tempfile.TemporaryFile() as file:
            workbook = xlsxwriter.Workbook(file, {"constant_memory": True, "strings_to_formulas": False})
            sheet = workbook.add_worksheet("Reviews")
            sheet.freeze_panes(1, 0)
            sheet.write_row(0, 0, exports.HEADER, workbook.add_format({"bold": True}))
            day = workbook.add_format({"num_format": "yyyy-mm-dd"})
            for column in dates:
                sheet.set_column(column, column, None, day)
            write_string, write_number = sheet.write_string, sheet.write_number
            for number, row in enumerate(cells, start=1):
                for column, cell in enumerate(row):
                    if cell.__class__ is str:
                        write_string(number, column, cell)
                    elif cell is not None:
                        write_number(number, column, cell)
            workbook.close()
            file.seek(0)
            yield file.read()

    def openpyxl_write_only(_queryset):
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Reviews")
        sheet.append(exports.HEADER)
        for row in cells:
            row = list(row)
            for column in dates:
                if row[column] is not None:
                    row[column] = WriteOnlyCell(sheet, value=day_zero + datetime.timedelta(days=row[column]))
                    row[column].number_format = "yyyy-mm-dd"
            sheet.append(row)
        with tempfile.TemporaryFile() as file:
            workbook.save(file)
            file.seek(0)
            yield file.read()

    def differing_cells(workbook_bytes):
        sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes), read_only=True).active
        read = list(sheet.iter_rows(values_only=True))
        assert list(read[0]) == exports.HEADER and len(read) == len(cells) + 1
        differing = 0
        for want, got in zip(cells, read[1:], strict=True):
            for column, (value, cell) in enumerate(zip(want, got, strict=True)):
                if column in dates and value is not None:
                    value = datetime.datetime.combine(day_zero + datetime.timedelta(days=value), datetime.time())
                differing += value != cell
        return differing

    for run in range(args.runs):
        for writer in (exports.csv_chunks, exports.xlsx_chunks, xlsxwriter_typed, openpyxl_write_only):
            started = time.process_time()
            pieces = list(writer(queryset))
            seconds = time.process_time() - started
            size = sum(len(piece) for piece in pieces)
            checked = ""
            if run == 0 and writer is not exports.csv_chunks:
                checked = f"; read back: {differing_cells(b''.join(pieces))} cells differ"
            print(f"{writer.__name__}: {len(rows):,} rows, {size / 1e6:.2f} MB, {seconds:.2f} s CPU{checked}")
    print("load average:", Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
