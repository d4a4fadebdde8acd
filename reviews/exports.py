"""The register's exports: exactly the filtered list, one row per review, as CSV or XLSX.

Rows are read through the ``reporting`` database alias (a read replica when one is configured) with a
server-side cursor, and written as they arrive: both formats stream to the client (the workbook's zip with
data descriptors). Memory stays bounded whatever the number of rows.

An export reads in one transaction (``ExportReading``). Outside one, Django declares its cursor ``WITH HOLD``,
and PostgreSQL then runs the whole query before the first row comes back (seconds for 100,000 reviews, as one
statement the web requests' statement timeout could cut). Inside one, each ``FETCH`` is a short statement and
the first rows leave at once. The transaction also holds one of ``settings.EXPORT_SLOTS`` advisory locks: when
every slot is taken, the export answers "busy" at once rather than slowing every export and queuing the rest.
"""

import csv
import datetime
import io
import sys
import threading
import zipfile

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.signals import request_started
from django.db import connections, transaction
from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.dispatch import receiver

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


# XLSX: a minimal SpreadsheetML workbook (one sheet, inline strings, one date style), its sheet written row by
# row into a zip member streamed as it grows. xlsxwriter (constant-memory) and openpyxl (write-only) were
# measured in its place and miss the export target several times over: see docs/PERFORMANCE.md, "Exports".
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_PARTS = {
    "[Content_Types].xml": _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>",
    "_rels/.rels": _XML_HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": _XML_HEAD
    + f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="Reviews" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>",
    "xl/_rels/workbook.xml.rels": _XML_HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    # Styles: 0 plain, 1 a date (yyyy-mm-dd), 2 bold (the heading row).
    "xl/styles.xml": _XML_HEAD + f'<styleSheet xmlns="{_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Arial"/></font>'
    '<font><b/><sz val="11"/><name val="Arial"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
}
_SHEET_START = (
    _XML_HEAD + f'<worksheet xmlns="{_NS}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_COLUMN_LETTERS = [chr(ord("A") + index) for index in range(len(COLUMNS))]  # 20 columns: A to T
# Text in XML: the markup characters as entities; control characters (XML 1.0 cannot hold them, and a parser
# would turn a carriage return into a line feed) as the _xHHHH_ escapes Excel reads back; the other characters
# XML 1.0 cannot hold (U+FFFE, U+FFFF, lone surrogates: text stored before the forms refused them) as U+FFFD,
# the replacement character. With these, no text can make the workbook invalid.
_XML_TEXT = (
    {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
    | {code: f"_x{code:04X}_" for code in (*range(0x00, 0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20))}
    | dict.fromkeys((*range(0xD800, 0xE000), 0xFFFE, 0xFFFF), "\ufffd")
)


def _inline_string(ref, text, style=""):
    escaped = text.replace("_x", "_x005F_x").translate(_XML_TEXT)
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


def _sheet_row(number, values):
    """One <row> of the sheet: text inline (neutralised), dates as day numbers in the date style, numbers."""
    cells = []
    for letter, write, value in zip(_COLUMN_LETTERS, _WRITERS, values, strict=True):
        if value is None:
            continue
        ref = f"{letter}{number}"
        if write is _date:
            cells.append(f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>')
        elif write is _number:
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif text := write(value):
            cells.append(_inline_string(ref, text))
    return f'<row r="{number}">{"".join(cells)}</row>'


class _Pipe(io.RawIOBase):
    """Where the workbook's zip is written, to be taken away in pieces: it can tell its position but not
    seek, so zipfile writes each member's sizes after its data (a data descriptor) and streams."""

    def __init__(self):
        super().__init__()
        self._pieces = []
        self._position = 0

    def writable(self):
        return True

    def write(self, data):
        self._pieces.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self):
        return self._position

    def take(self):
        data = b"".join(self._pieces)
        self._pieces.clear()
        return data


def xlsx_chunks(queryset, rows_per_write=500):
    """The XLSX workbook in pieces, its sheet written row by row as the rows arrive: the body of a
    StreamingHttpResponse. Memory stays bounded, and the download starts at once."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in _XLSX_PARTS.items():
            archive.writestr(name, content)
        # No zip64: a sheet must stay under 2 GiB (about 3 million reviews); zipfile says so if one does not.
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            heading = "".join(
                _inline_string(f"{letter}1", name, ' s="2"')
                for letter, name in zip(_COLUMN_LETTERS, HEADER, strict=True)
            )
            sheet.write(f'{_SHEET_START}<row r="1">{heading}</row>'.encode())
            pending = []
            for number, row in enumerate(_export_rows(queryset), start=2):
                pending.append(_sheet_row(number, row))
                if len(pending) >= rows_per_write:
                    sheet.write("".join(pending).encode())
                    pending.clear()
                    if data := pipe.take():
                        yield data
            sheet.write(("".join(pending) + _SHEET_END).encode())
    yield pipe.take()
