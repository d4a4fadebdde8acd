"""The register's exports: exactly the filtered list, one row per review, as CSV or XLSX.

Rows are read through the ``reporting`` database alias (a read replica when one is configured) with a
server-side cursor, and written as they arrive: the CSV streams to the client as it is written, the workbook
(rustpy-xlsxwriter, constant-memory mode) goes through a temporary file. Memory stays bounded whatever the
number of rows.

An export reads in one transaction (``ExportReading``). Outside one, Django declares its cursor ``WITH HOLD``,
and PostgreSQL then runs the whole query before the first row comes back (seconds for 100,000 reviews, as one
statement the web requests' statement timeout could cut). Inside one, each ``FETCH`` is a short statement and
the first rows leave at once. The transaction also holds one of ``settings.EXPORT_SLOTS`` advisory locks: when
every slot is taken, the export answers "busy" at once rather than slowing every export and queuing the rest.
"""

import csv
import datetime
import io
import re
import sys
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.signals import request_started
from django.db import connections, transaction
from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.dispatch import receiver
from rustpy_xlsxwriter import FastExcel, Format

from reviews.csvsafe import neutralise
from reviews.models import Child, Contribution, Evaluation, Finding
from reviews.validators import ILLEGAL_XML_CHARACTERS
from reviews.years import reporting_year

REPORTING_DB = "reporting"
CHUNK_SIZE = 2000
# The first key of the export slots' advisory locks (the second is the slot's number): "SCRX".
SLOT_LOCK_CLASS = 0x53435258
# Exports of up to this many rows (the register's pages reach as many) take a fraction of a second: no slot.
SLOT_FREE_ROWS = 5_000


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


def _export_rows(queryset):
    """The export rows in ``COLUMNS`` order (the reporting year added), fetched in chunks through a
    server-side cursor: within an ``ExportReading``, so that the first rows come at once."""
    for row in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield _with_year(row)


class Busy(Exception):
    """Every export slot is taken: the export is refused at once (a 503 "busy" page), nothing was read."""


class ExportReading:
    """An export's transaction on the reporting database, holding one export slot, from ``start()`` until
    ``close()`` (called once the rows are written, or when the download is abandoned).

    ``start()`` raises ``Busy`` when all ``settings.EXPORT_SLOTS`` slots are taken (0 means no limit). An
    export of at most ``SLOT_FREE_ROWS`` rows needs no slot: it costs about what a page of the register does.
    The slot is a transaction-level advisory lock, so it goes with the transaction whatever happens: a
    rollback, a dropped connection, a killed worker.
    """

    def __init__(self):
        self._atomic = None
        self.count = None  # the export's rows, counted by start()

    def start(self, queryset):
        """Open the transaction, count the rows (``self.count``) and, for a long export, take a slot."""
        self._atomic = transaction.atomic(using=REPORTING_DB)
        self._atomic.__enter__()
        _open_readings().add(self)
        try:
            self.count = queryset.count()
            slots = settings.EXPORT_SLOTS
            if self.count > SLOT_FREE_ROWS and slots > 0 and not self._take_slot(slots):
                raise Busy
        except BaseException:
            self.close(*sys.exc_info())
            raise
        return self

    @staticmethod
    def _take_slot(slots):
        with connections[REPORTING_DB].cursor() as cursor:
            # The rows are tried in order and LIMIT stops at the first lock taken: one slot at most.
            cursor.execute(
                "SELECT slot FROM generate_series(0, %s - 1) AS slot WHERE pg_try_advisory_xact_lock(%s, slot) LIMIT 1",
                [slots, SLOT_LOCK_CLASS],
            )
            return cursor.fetchone() is not None

    def close(self, exc_type=None, exc=None, traceback=None):
        """End the transaction (rolled back when given the exception that ends it), freeing the slot."""
        _open_readings().discard(self)
        if self._atomic is not None:
            atomic, self._atomic = self._atomic, None
            atomic.__exit__(exc_type, exc, traceback)


_thread = threading.local()  # Django's connections are per thread: so are the readings open on them


def _open_readings():
    if not hasattr(_thread, "readings"):
        _thread.readings = set()
    return _thread.readings


@receiver(request_started)
def close_abandoned_readings(**kwargs):
    """End any export transaction an earlier request of this thread left open.

    Every WSGI server closes a response, and closing an export's response ends its transaction. A response
    replaced after the view returned (a middleware failing on the way out) is never closed: its transaction
    would stay open on this thread's connection, so the next request ends it before it uses the database.
    """
    for reading in list(_open_readings()):
        reading.close()


class Stream:
    """A response body that closes its ``ExportReading`` when the body is closed, even if never read."""

    def __init__(self, chunks, reading):
        self._chunks = chunks
        self._reading = reading

    def __iter__(self):
        return self._chunks

    def close(self):
        try:
            self._chunks.close()
        finally:
            self._reading.close()


def rows(queryset):
    """Every export row as CSV cells (ISO dates, yes/no, inert text)."""
    writers = _WRITERS
    for row in _export_rows(queryset):
        yield [write(value) for write, value in zip(writers, row, strict=True)]


def _without_illegal_characters(text):
    """Text stored before the forms and the import refused characters XML 1.0 cannot carry, with U+FFFD (the
    replacement character) in their place: an export then imports again, and opens in any spreadsheet."""
    return ILLEGAL_XML_CHARACTERS.sub("\ufffd", text) if ILLEGAL_XML_CHARACTERS.search(text) else text


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
            yield _without_illegal_characters(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield _without_illegal_characters(buffer.getvalue())


# XLSX: one sheet "Reviews" written by rustpy-xlsxwriter (Python's binding of rust_xlsxwriter, the Rust port of
# xlsxwriter by its author) in its constant-memory mode: each row goes to a temporary file as it is read, and
# the zip is made from it on save; the finished file (a temporary one too) is then sent in pieces. Memory stays
# bounded whatever the number of rows. Python's xlsxwriter, measured on the same cells, needs more CPU than the
# export's time target allows (docs/PERFORMANCE.md, "Exports: the XLSX writer").
# It writes every str as a text cell, never as a formula, link or number; a number as a number; None as no cell.
# Excel's day numbers count from 30 December 1899: a date is written as its number, in a column whose one format
# ("yyyy-mm-dd") shows it as a date.
_EXCEL_DAY_ZERO = datetime.date(1899, 12, 30).toordinal()
# Characters XML 1.0 cannot carry that the writer does not escape (it writes control characters as Excel's
# _xHHHH_): U+FFFE, U+FFFF and lone surrogates, from text stored before the forms refused them. A lone surrogate
# could not even reach the writer (it takes UTF-8).
_NOT_IN_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_PIECE = 256 * 1024


def _xlsx_text(value):
    if not value:
        return None
    text = neutralise(value)
    return text if text.isascii() else _NOT_IN_XML.sub("\ufffd", text)  # isascii(): no regex for most text


def _xlsx_date(value):
    return value.toordinal() - _EXCEL_DAY_ZERO


def _xlsx_codes(value):
    return ";".join(value) if value else None


# How each kind of value becomes a workbook cell, by its CSV writer: text made inert, dates as day numbers,
# numbers as they are (None: the value is the cell). Every text column is a bounded varchar, far below the
# 32,767 characters of an Excel cell (the writer raises on a longer one).
_XLSX_CELL_OF = {_text: _xlsx_text, _date: _xlsx_date, _yes_no: _yes_no, _number: None, _codes: _xlsx_codes}
_XLSX_CELLS = [_XLSX_CELL_OF[writer] for writer in _WRITERS]
_DATE_HEADINGS = [heading for heading, _, writer in COLUMNS if writer is _date]


def workbook_cells(row):
    """An export row as the values of its workbook cells."""
    cells = zip(_XLSX_CELLS, row, strict=True)
    return [value if make is None or value is None else make(value) for make, value in cells]


def workbook_records(queryset):
    """The export rows as the writer takes them: one dict a row, keyed by heading in ``HEADER`` order."""
    header = HEADER
    empty = True
    for row in _export_rows(queryset):
        empty = False
        yield dict(zip(header, workbook_cells(row), strict=True))
    if empty:
        # The writer takes the heading row from the first record's keys: an export with no rows still has its
        # heading (SPEC section 6), from one record of blanks, which writes no row of its own.
        yield dict.fromkeys(header)


def xlsx_chunks(queryset):
    """The XLSX workbook, written to a file in a temporary folder and then sent in pieces: the body of a
    StreamingHttpResponse."""
    day = Format().set_num_format("yyyy-mm-dd")
    # The writer is given a path, not an open file: to a Python file object it hands the finished zip in one
    # piece, built in memory, so memory would grow with the export; to a path it writes the zip as it goes.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reviews.xlsx"
        workbook = FastExcel(path).format(bold_headers=True).freeze(row=1)
        workbook.sheet("Reviews", workbook_records(queryset), column_formats=dict.fromkeys(_DATE_HEADINGS, day))
        workbook.save()
        with path.open("rb") as file:
            while piece := file.read(_PIECE):
                yield piece
