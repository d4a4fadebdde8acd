"""The register's exports: exactly the filtered list, one row per review, as CSV or XLSX.

Rows are read through the ``reporting`` database alias (a read replica when one is configured) with a
server-side cursor, and written as they arrive: CSV streams to the client, XLSX goes through xlsxwriter's
constant-memory mode into a temporary file. Memory stays bounded whatever the number of rows.
"""

import csv
import datetime
import io
import tempfile

import xlsxwriter
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Func, IntegerField, OuterRef, Subquery

from reviews.models import Child, Contribution, Evaluation, Finding
from reviews.years import reporting_year

REPORTING_DB = "reporting"
CHUNK_SIZE = 2000

# A spreadsheet runs a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text):
    """Text a spreadsheet would run as a formula, made inert with a leading single quote."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


# How each kind of value is written to the CSV, as the import format reads it.
def _text(value):
    return neutralise(value) if value else ""


def _date(value):
    return value.isoformat() if value else ""


def _yes_no(value):
    return "" if value is None else ("yes" if value else "no")


def _number(value):
    return "" if value is None else value


def _codes(value):
    return ";".join(value) if value else ""


# (column heading, values_list field, CSV writer). The first column is the reference (SPEC section 6).
COLUMNS = [
    ("reference", "reference", _text),
    ("title", "title", _text),
    ("lead_board_code", "board__gss_code", _text),
    ("lead_board_name", "board__name", _text),
    ("region_code", "board__region__code", _text),
    ("region_name", "board__region__name", _text),
    ("other_boards", "_other_boards", _codes),
    ("incident_date", "incident_date", _date),
    ("decision_date", "decision_date", _date),
    ("completed_date", "completed_date", _date),
    ("submitted_date", "submitted_date", _date),
    ("status", "status", _text),
    ("independent_chair", "independent_chair", _yes_no),
    ("independent_author", "independent_author", _yes_no),
    ("latest_evaluation_sequence", "_latest_sequence", _number),
    ("latest_evaluation_completed_date", "latest_evaluated_date", _date),
    ("latest_evaluation_reporting_year", None, _text),  # from the completed date
    ("latest_judgement", "latest_judgement", _text),
    ("children", "_children", _number),
    ("findings", "_findings", _number),
]
HEADER = [heading for heading, _, _ in COLUMNS]
_FIELDS = [field for _, field, _ in COLUMNS if field]
_WRITERS = [writer for _, _, writer in COLUMNS]
_YEAR_AFTER = _FIELDS.index("latest_evaluated_date")


def _count_of(model):
    rows = model.objects.filter(review=OuterRef("pk")).order_by()
    return Subquery(rows.annotate(_n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("_n"))


def export_queryset(queryset):
    """The filtered, ordered reviews as export rows (tuples in ``_FIELDS`` order), read from ``reporting``."""
    latest_sequence = Evaluation.objects.filter(review=OuterRef("pk")).order_by("-sequence").values("sequence")[:1]
    other_boards = Contribution.objects.filter(review=OuterRef("pk")).order_by("board__gss_code")
    return (
        queryset.using(REPORTING_DB)
        .annotate(
            _latest_sequence=Subquery(latest_sequence),
            _children=_count_of(Child),
            _findings=_count_of(Finding),
            _other_boards=ArraySubquery(other_boards.values("board__gss_code")),
        )
        .values_list(*_FIELDS)
    )


def _with_year(row):
    evaluated = row[_YEAR_AFTER]
    year = reporting_year(evaluated) if evaluated else None
    return (*row[: _YEAR_AFTER + 1], year, *row[_YEAR_AFTER + 1 :])


def rows(queryset):
    """Every export row as CSV cells (ISO dates, yes/no, inert text), fetched in chunks through a
    server-side cursor."""
    writers = _WRITERS
    for row in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield [write(value) for write, value in zip(writers, _with_year(row), strict=True)]


def csv_chunks(queryset, rows_per_chunk=500):
    """The CSV file in pieces of a few hundred rows: the body of a StreamingHttpResponse."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    pending = 1
    for row in rows(queryset):
        writer.writerow(row)
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue()


def xlsx_file(queryset):
    """The XLSX workbook in a temporary file (rewound), written row by row in constant memory."""
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it, deleting it)
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet("Reviews")
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.freeze_panes(1, 0)
    for column, heading in enumerate(HEADER):
        sheet.write_string(0, column, heading, bold)
    for number, row in enumerate(export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE), start=1):
        for column, value in enumerate(_with_year(row)):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(number, column, "yes" if value else "no")
            elif isinstance(value, datetime.date):
                sheet.write_datetime(number, column, datetime.datetime.combine(value, datetime.time()), dates)
            elif isinstance(value, int):
                sheet.write_number(number, column, value)
            elif isinstance(value, list):
                sheet.write_string(number, column, ";".join(value))
            else:
                sheet.write_string(number, column, neutralise(str(value)))
    workbook.close()
    output.seek(0)
    return output
