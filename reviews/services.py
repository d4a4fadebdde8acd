"""Writes that span several models: the bulk CSV import of SPEC section 4.

``import_reviews`` reads every file, validates every row in memory against lookups fetched in a few
queries (all boards; the existing reviews named anywhere in the files), and only when there is no error
at all writes everything in bulk in one transaction. Errors read ``FILE:LINE: COLUMN: message``.
"""

import contextlib
import contextvars
import csv
import datetime
import functools
import io
import itertools
import logging
import operator
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

import pghistory
import pgtrigger
from django.apps import apps
from django.db import IntegrityError, OperationalError, ProgrammingError, connection, transaction
from django.db.models import NOT_PROVIDED, Exists, F, OuterRef
from django.utils import timezone

from reviews.editing import codes_in_reference
from reviews.models import (
    EVALUATION_DATE_ORDER,
    REVIEW_DATE_ORDER,
    Agency,
    Board,
    Child,
    Contribution,
    Evaluation,
    Finding,
    Judgement,
    Review,
    dates_out_of_order,
)
from reviews.validators import ILLEGAL_XML_CHARACTERS, first_illegal_character

logger = logging.getLogger(__name__)

REVIEWS = "reviews.csv"
CHILDREN = "children.csv"
FINDINGS = "findings.csv"
EVALUATIONS = "evaluations.csv"
FILE_NAMES = (REVIEWS, CHILDREN, FINDINGS, EVALUATIONS)
CONTRIBUTIONS = "other_boards"  # the contributions come from this column of reviews.csv

BATCH_SIZE = 1000
BULK_ROWS = 5000  # from this many rows written, the row history triggers are disabled rather than skipped
NO_COLUMN = "-"  # the COLUMN of an error about a whole file or row
# One import at a time: two imports naming the same new reference would otherwise race.
_ADVISORY_LOCK = 7_242_001

# The import writes the audit rows of its inserts and deletes itself, one set-based statement per table and
# batch, instead of letting pghistory's row triggers write them one by one (see docs/PERFORMANCE.md): the
# same event rows, with the same context, at a fraction of the cost. Updates keep their triggers.
AUDITED = ("Review", "Contribution", "Child", "Finding", "Evaluation")
ROW_HISTORY_TRIGGERS = [f"reviews.{name}:{op}_{op}" for name in AUDITED for op in ("insert", "delete")]
SET_BASED_AUDIT = True  # the benchmark turns it off to measure what the row triggers cost
_TRIGGERS_DISABLED = contextvars.ContextVar("import_row_triggers_disabled", default=False)

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BOOLEANS = {"yes": True, "no": False, "": None}


@dataclass(frozen=True)
class Column:
    """One CSV column: how to read a cell, and whether the column and a value are required."""

    name: str
    kind: str = "text"  # text (kept exactly), code (trimmed), board, boards, choice, date, bool, int
    required_column: bool = False
    required_value: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    blank: Any = ""  # the value a blank cell stands for


def _choice(name, choices, *, required=False, blank=""):
    return Column(name, "choice", required, required, choices=tuple(choices.values), blank=blank)


SPECS = {
    REVIEWS: (
        Column("reference", "code", True, True, max_length=Review._meta.get_field("reference").max_length),
        Column("board", "board", True, True),
        Column("other_boards", "boards"),
        Column("title", "text", True, True, max_length=Review._meta.get_field("title").max_length),
        Column("incident_date", "date", blank=None),
        Column("decision_date", "date", blank=None),
        Column("completed_date", "date", blank=None),
        Column("submitted_date", "date", blank=None),
        Column("independent_chair", "bool", blank=None),
        Column("independent_author", "bool", blank=None),
        Column("summary", max_length=Review._meta.get_field("summary").max_length),
    ),
    CHILDREN: (
        Column("review", "code", True, True),
        Column("pseudonym", "text", True, True, max_length=Child._meta.get_field("pseudonym").max_length),
        _choice("sex", Child.Sex, blank=Child.Sex.NOT_KNOWN),
        _choice("age_band", Child.AgeBand, blank=Child.AgeBand.NOT_KNOWN),
        _choice("ethnicity", Child.Ethnicity),
        _choice("outcome", Child.Outcome, required=True),
        Column("known_to_social_care", "bool", blank=None),
        Column("child_protection_plan", "bool", blank=None),
        Column("looked_after", "bool", blank=None),
    ),
    FINDINGS: (
        Column("review", "code", True, True),
        _choice("category", Finding.Category, required=True),
        _choice("agency", Agency),
        Column("description", max_length=Finding._meta.get_field("description").max_length),
    ),
    EVALUATIONS: (
        Column("review", "code", True, True),
        Column("sequence", "int", True, True),
        Column("received_date", "date", True, True, blank=None),
        Column("completed_date", "date", True, True, blank=None),
        _choice("judgement", Judgement, required=True),
        Column("summary", max_length=Evaluation._meta.get_field("summary").max_length),
        # Optional aspect judgements, so an evaluation recorded in the app survives a round trip.
        _choice("terms_of_reference", Judgement),
        _choice("overview_and_imrs", Judgement),
        _choice("timescales", Judgement),
        _choice("equality_and_diversity", Judgement),
        _choice("family_involvement", Judgement),
    ),
}

# The model fields each kind of row writes, in the order of the values the reader keeps for a row.
ROW_FIELDS = {
    CHILDREN: [c.name for c in SPECS[CHILDREN][1:]],
    FINDINGS: [c.name for c in SPECS[FINDINGS][1:]],
    EVALUATIONS: [c.name for c in SPECS[EVALUATIONS][1:]],
    CONTRIBUTIONS: ["board_id"],
}
ROW_MODELS = {CHILDREN: Child, FINDINGS: Finding, EVALUATIONS: Evaluation, CONTRIBUTIONS: Contribution}
REVIEW_FIELDS = [
    "board_id",
    "title",
    "incident_date",
    "decision_date",
    "completed_date",
    "submitted_date",
    "independent_chair",
    "independent_author",
    "summary",
    "status",
]
# The columns of a new review, in the order write() builds its row.
NEW_REVIEW_COLUMNS = [
    "reference",
    "review_type",
    *REVIEW_FIELDS,
    "latest_judgement",
    "latest_evaluated_date",
    "any_child_known",
    "cross_area",
    "version",
    "created_at",
    "updated_at",
]


@dataclass
class ImportResult:
    """What an import did, or every reason it did nothing."""

    errors: list[str] = field(default_factory=list)
    reviews_created: int = 0
    reviews_updated: int = 0
    reviews_unchanged: int = 0
    rows_read: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("children", "findings", "evaluations"), 0))
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("children", "findings", "evaluations"), 0))

    @property
    def ok(self):
        return not self.errors

    def summary_lines(self):
        """The outcome in plain English, one line per kind of record."""
        lines = [
            f"Reviews: {self.reviews_created:,} created, {self.reviews_updated:,} updated, "
            f"{self.reviews_unchanged:,} unchanged."
        ]
        for kind in ("children", "findings", "evaluations"):
            lines.append(
                f"{kind.capitalize()}: {self.created[kind]:,} written, {self.deleted[kind]:,} replaced rows removed."
            )
        return lines


@dataclass
class _Row:
    line: int
    values: dict[str, Any]


class _Errors:
    """Errors kept with a sort key, so they print in file, line and column order."""

    def __init__(self):
        self._items = []

    def add(self, file_name, line, column, message):
        file_index = FILE_NAMES.index(file_name) if file_name in FILE_NAMES else len(FILE_NAMES)
        self._items.append(((file_index, file_name, line, self._column_index(file_name, column)), column, message))

    @staticmethod
    def _column_index(file_name, column):
        for index, spec in enumerate(SPECS.get(file_name, ())):
            if spec.name == column:
                return index
        return -1 if column == NO_COLUMN else 99

    def __bool__(self):
        return bool(self._items)

    def lines(self):
        ordered = sorted(self._items, key=lambda item: item[0])
        return [f"{key[1]}:{key[2]}: {column}: {message}" for key, column, message in ordered]


def import_reviews(
    *, files: dict[str, IO], user=None, operator=None, progress=None, progress_every=1000, statement_timeout_ms=None
) -> ImportResult:
    """Import a bundle of CSV files (SPEC section 4): everything, or nothing and every error.

    ``files`` maps a file name (``reviews.csv``, ``children.csv``, ``findings.csv``, ``evaluations.csv``)
    to an open stream: binary (UTF-8 bytes, as uploads are) or text opened with ``newline=""``.
    ``progress(file_name, rows_read)`` is called every ``progress_every`` rows of a file. ``user`` (the
    signed-in user of the admin's import page) or ``operator`` (who ran the command) is recorded in the
    audit trail as named at the time of the import. ``statement_timeout_ms`` replaces the connection's
    statement timeout for the import's transaction (web requests run with a short one; one COPY of a large
    file may take longer).
    """
    result = ImportResult()
    errors = _Errors()
    for name in sorted(set(files) - set(FILE_NAMES)):
        errors.add(name, 1, NO_COLUMN, f"unknown file: the import reads {', '.join(FILE_NAMES)}")
    if REVIEWS not in files:
        errors.add(REVIEWS, 1, NO_COLUMN, "the file is missing; every import needs reviews.csv")

    boards = dict(Board.objects.values_list("gss_code", "pk"))
    parsed = {}
    for name in FILE_NAMES:
        if name in files:
            parsed[name] = _read_file(name, files[name], boards, errors, progress, progress_every)
            result.rows_read[name] = len(parsed[name])
    if REVIEWS not in parsed:
        result.errors = errors.lines()
        return result

    metadata = {"source": "import", "user": getattr(user, "pk", user), "files": sorted(parsed)}
    if hasattr(user, "get_username"):  # as the history middleware records a signed-in user
        metadata |= {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}
        operator = operator or user.get_username()
    if operator:
        metadata["operator"] = operator
    try:
        with transaction.atomic(), pghistory.context(**metadata):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
                if not cursor.fetchone()[0]:
                    errors.add(REVIEWS, 1, NO_COLUMN, "another import is running; try again when it has finished")
                    result.errors = errors.lines()
                    return result
                # Django's foreign keys are deferred to COMMIT; a long queue of deferred checks makes every
                # trigger statement rescan it, which grows with the square of the rows. Check as we go.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                if statement_timeout_ms is not None:
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true)", [f"{int(statement_timeout_ms)}ms"]
                    )
            plan = _Plan(parsed, boards)
            existing = plan.fetch_existing_reviews()
            plan.check_references(existing, errors)
            if errors:
                result.errors = errors.lines()
                return result
            plan.write(existing, result)
    except IntegrityError as exc:
        # Only a write racing this import (someone saving the same review meanwhile) can get here.
        errors.add(REVIEWS, 1, NO_COLUMN, f"the register changed during the import, nothing was written: {exc}")
        result.errors = errors.lines()
    return result


@dataclass
class _ParsedFile:
    """A file's rows as columns of typed values (the header's columns, and blanks for those it left out)."""

    name: str
    columns: set[str] = field(default_factory=set)
    lines: list[int] = field(default_factory=list)
    values: dict[str, list] = field(default_factory=dict)

    def __len__(self):
        return len(self.lines)

    @functools.cached_property
    def records(self):
        """One ``_Row`` per row: for the files whose rows are checked across columns, and the plan."""
        names = list(self.values)
        return [
            _Row(line, dict(zip(names, values, strict=True)))
            for line, values in zip(self.lines, zip(*self.values.values(), strict=True), strict=True)
        ]


def _text(name, stream, errors):
    """The stream as text: binary streams (uploads, files opened "rb") are decoded here as UTF-8."""
    data = stream.read()
    if isinstance(data, str):
        return io.StringIO(data, newline="")
    try:
        return io.StringIO(data.decode("utf-8"), newline="")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.add(name, line, NO_COLUMN, "the file is not UTF-8 text (save it as 'CSV UTF-8')")
        return None


def _read_file(name, stream, boards, errors, progress, progress_every):
    specs = SPECS[name]
    stream = _text(name, stream, errors)
    if stream is None:
        return _ParsedFile(name)
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.add(name, 1, NO_COLUMN, f"the file is not readable CSV: {exc}")
        return _ParsedFile(name)
    if not header or not any(cell.strip() for cell in header):
        errors.add(name, 1, NO_COLUMN, "the file is empty: it needs a header row naming its columns")
        return _ParsedFile(name)

    header = [cell.strip() for cell in header]
    header[0] = header[0].removeprefix("\ufeff")  # the byte order mark spreadsheets put first
    known = {spec.name: spec for spec in specs}
    converters = []  # (index in the row, column name, converter) for every known column present
    seen = set()
    for index, column in enumerate(header):
        if not column:
            errors.add(name, 1, NO_COLUMN, f"column {index + 1} of the header has no name")
        elif column in seen:
            errors.add(name, 1, column, "the column appears more than once in the header")
        elif column not in known:
            errors.add(name, 1, column, f"unknown column; {name} may have {', '.join(known)}")
        else:
            converters.append((index, column, _converter(known[column], boards)))
        seen.add(column)
    for spec in specs:
        if spec.required_column and spec.name not in seen:
            errors.add(name, 1, spec.name, "required column is missing from the header")

    # Read every row first, then check column by column: a column without a problem is checked by a few
    # set and map operations; only a column with one is walked cell by cell to name each error's line.
    lines, cells_of_rows = _read_rows(name, reader, len(header), errors, progress, progress_every)

    raw_columns = list(zip(*cells_of_rows, strict=True)) if cells_of_rows else [()] * len(header)
    del cells_of_rows
    names, columns = [], []
    for index, column, convert in converters:
        names.append(column)
        columns.append(_convert_column(name, known[column], raw_columns[index], lines, convert, boards, errors))
    for spec in specs:
        if spec.name not in seen:
            names.append(spec.name)
            columns.append([spec.blank] * len(lines))
    parsed = _ParsedFile(name, seen, lines, dict(zip(names, columns, strict=True)))
    checker = _ROW_CHECKS[name]
    if checker:
        state = {}
        for row in parsed.records:
            checker(name, row, errors, state)
    return parsed


def _read_rows(name, reader, width, errors, progress, progress_every):
    """The rows of cells and the line each starts on; rows of the wrong width reported, blank rows skipped.

    Rows are taken a chunk at a time; a chunk of ordinary rows (one line each, the right width, not
    blank) needs no work per row, and only a chunk holding an odd row is walked row by row.
    """

    def rows_until_unreadable():
        try:
            yield from reader
        except csv.Error as exc:
            errors.add(name, reader.line_num + 1, NO_COLUMN, f"the file is not readable CSV: {exc}")

    rows = rows_until_unreadable()
    first_cell = operator.itemgetter(0)
    lines, cells_of_rows = [], []
    before = reader.line_num  # lines of the file read so far (the header's)
    read = 0
    while chunk := list(itertools.islice(rows, progress_every)):
        after = reader.line_num
        read += len(chunk)
        if progress and len(chunk) == progress_every:
            progress(name, read)
        one_line_each = after - before == len(chunk)
        if one_line_each and set(map(len, chunk)) == {width} and all(map(str.strip, map(first_cell, chunk))):
            lines.extend(range(before + 1, after + 1))
            cells_of_rows.extend(chunk)
        else:
            line = before + 1
            for cells in chunk:
                row_line = line
                line += 1 if one_line_each else _line_count(cells)
                if not "".join(cells).strip():
                    continue  # blank lines, and the ",,,," rows spreadsheets leave behind
                if len(cells) != width:
                    message = f"the row has {len(cells)} values but the header has {width} columns"
                    errors.add(name, row_line, NO_COLUMN, message)
                    continue
                lines.append(row_line)
                cells_of_rows.append(cells)
        before = after
    return lines, cells_of_rows


def _line_count(cells):
    """How many lines of the file a row of cells took: one, plus the line breaks inside quoted values."""
    text = "".join(cells)
    if "\n" not in text and "\r" not in text:
        return 1
    return 1 + text.count("\n") + text.count("\r") - text.count("\r\n")


_MISSING = object()
_BOOLEAN_SPELLINGS = {**_BOOLEANS, "Yes": True, "YES": True, "No": False, "NO": False}


def _convert_column(file_name, spec, raw, lines, convert, boards, errors):
    """The typed values of one column; errors recorded against each offending cell's line."""
    kind, blank = spec.kind, spec.blank
    values = None
    if kind in ("text", "code"):
        cells = list(map(str.strip, raw)) if kind == "code" else raw
        if (
            not any(map(str.isspace, cells))
            and (not spec.required_value or all(cells))
            and (not spec.max_length or max(map(len, cells), default=0) <= spec.max_length)
            and not ILLEGAL_XML_CHARACTERS.search("".join(cells))
        ):
            values = cells
    elif kind in ("choice", "board", "bool"):
        if kind == "bool":
            allowed = _BOOLEAN_SPELLINGS
        else:
            allowed = {value: value for value in (spec.choices if kind == "choice" else boards)}
            if not spec.required_value:
                allowed[""] = blank
        if set(raw) <= allowed.keys():
            values = list(map(allowed.__getitem__, raw))
    elif kind == "date":
        values = list(map(_DATES.get, raw, itertools.repeat(_MISSING)))
        if _MISSING in values:
            values = _fill_missing_dates(file_name, spec, raw, lines, values, convert, errors)
        return values
    elif kind == "boards" and not any(raw):
        values = [()] * len(raw)
    if values is not None:
        return values
    out = []
    for row_line, cell in zip(lines, raw, strict=True):
        try:
            out.append(convert(cell))
        except _Invalid as invalid:
            out.append(invalid.value)
            for message in invalid.messages:
                errors.add(file_name, row_line, spec.name, message)
    return out


def _fill_missing_dates(file_name, spec, raw, lines, values, convert, errors):
    for index, value in enumerate(values):
        if value is _MISSING:
            try:
                values[index] = convert(raw[index])
            except _Invalid as invalid:
                values[index] = invalid.value
                for message in invalid.messages:
                    errors.add(file_name, lines[index], spec.name, message)
    return values


class _Invalid(Exception):
    """A cell's value is wrong: the value to carry on with, and why."""

    def __init__(self, value, *messages):
        self.value, self.messages = value, messages


_NUL = "\x00"
_DATES: dict[str, datetime.date] = {}


def _converter(spec, boards):
    """A function from a cell's text to its typed value, raising _Invalid with the reasons it is wrong.

    Free text is kept exactly as given; codes, dates, booleans and choices are trimmed of spaces.
    """
    blank, required, max_length = spec.blank, spec.required_value, spec.max_length

    def empty():
        if required:
            raise _Invalid(blank, "a value is required")
        return blank

    def checked_text(value):
        if _NUL in value:
            raise _Invalid(blank, "contains a NUL character, which cannot be stored")
        if found := first_illegal_character(value):
            position, character = found
            raise _Invalid(blank, f"contains the character {character} (character {position}), which cannot be stored")
        if max_length and len(value) > max_length:
            raise _Invalid(blank, f"must be at most {max_length} characters (this has {len(value)})")
        return value

    if spec.kind == "text":

        def convert(raw):
            return checked_text(raw) if raw.strip() else empty()

    elif spec.kind == "code":

        def convert(raw):
            value = raw.strip()
            return checked_text(value) if value else empty()

    elif spec.kind in ("choice", "board"):
        allowed = set(spec.choices) if spec.kind == "choice" else boards

        def convert(raw):
            if raw in allowed:
                return raw
            value = raw.strip()
            if not value:
                return empty()
            if value in allowed:
                return value
            if spec.kind == "board":
                raise _Invalid(blank, f"unknown board {value}: use the board's GSS code")
            raise _Invalid(blank, f'unknown value "{value}"; use one of {", ".join(spec.choices)}')

    elif spec.kind == "date":

        def convert(raw):
            day = _DATES.get(raw)
            if day is not None:
                return day
            value = raw.strip()
            if not value:
                return empty()
            try:
                if not _DATE_RE.fullmatch(value):
                    raise ValueError(value)
                day = datetime.date.fromisoformat(value)
            except ValueError:
                raise _Invalid(blank, f'"{value}" is not a date in the form YYYY-MM-DD') from None
            if len(_DATES) < 100_000:
                _DATES[raw] = day
            return day

    elif spec.kind == "bool":

        def convert(raw):
            answer = _BOOLEANS.get(raw.strip().lower(), "?")
            if answer == "?":
                raise _Invalid(blank, f'"{raw.strip()}" is not yes or no (leave it blank when not known)')
            return answer

    elif spec.kind == "int":

        def convert(raw):
            value = raw.strip()
            if not value:
                return empty()
            if value.isdigit() and value.isascii() and 1 <= int(value) <= 32767:
                return int(value)
            raise _Invalid(blank, f'"{value}" is not a whole number from 1 upwards')

    elif spec.kind == "boards":

        def convert(raw):
            codes = [code.strip() for code in raw.split(";") if code.strip()]
            messages = [f"unknown board {c}: use the board's GSS code" for c in sorted(set(codes) - boards.keys())]
            repeated = sorted({c for c in codes if codes.count(c) > 1})
            messages += [f"board {c} is listed more than once" for c in repeated]
            value = tuple(dict.fromkeys(c for c in codes if c in boards))
            if messages:
                raise _Invalid(value, *messages)
            return value

    else:
        raise AssertionError(spec.kind)
    return convert


def _check_review(file_name, row, errors, state):
    values = row.values
    board = values["board"]
    if board and board in values["other_boards"]:
        errors.add(file_name, row.line, "other_boards", f"{board} is the lead board, not a contributing board")
    reference = values["reference"]
    first = state.setdefault("references", {})
    if reference:
        if reference in first:
            errors.add(
                file_name,
                row.line,
                "reference",
                f"reference {reference} appears more than once (first on line {first[reference]})",
            )
        else:
            first[reference] = row.line
    if reference and board and (codes := codes_in_reference(reference) - {board}):
        # Only the lead board's code: staff of another board could otherwise find the review by its reference.
        if "board_codes" not in state:
            state["board_codes"] = set(Board.objects.values_list("gss_code", flat=True))
        if foreign := sorted(codes & state["board_codes"]):
            errors.add(
                file_name,
                row.line,
                "reference",
                f"reference {reference} includes another board's GSS code, {', '.join(foreign)}; "
                f"a reference may include only its lead board's code, {board}",
            )
    _check_date_order(file_name, row, REVIEW_DATE_ORDER, errors)


def _check_date_order(file_name, row, order, errors):
    for earlier, later in dates_out_of_order(row.values, order):
        day, before = row.values[later.field], row.values[earlier.field]
        errors.add(file_name, row.line, later.field, f"{day} is before {earlier.field} {before}")


def _check_evaluation(file_name, row, errors, state):
    _check_date_order(file_name, row, EVALUATION_DATE_ORDER, errors)
    reference, sequence = row.values["review"], row.values["sequence"]
    if reference and sequence is not None and sequence != "":
        seen = state.setdefault("sequences", {})
        key = (reference, sequence)
        if key in seen:
            errors.add(
                file_name,
                row.line,
                "sequence",
                f"review {reference} already has evaluation {sequence} (on line {seen[key]})",
            )
        else:
            seen[key] = row.line


_ROW_CHECKS = {
    REVIEWS: _check_review,
    CHILDREN: None,
    FINDINGS: None,
    EVALUATIONS: _check_evaluation,
}


class _Plan:
    """Turns validated rows into bulk writes that change only what differs from the register."""

    def __init__(self, parsed, boards):
        self.parsed = parsed
        self.boards = boards
        self.review_rows = parsed[REVIEWS].records
        self.file_refs = set()
        self.kind_refs = {}
        for name, parsed_file in parsed.items():
            refs = set(parsed_file.values.get("reference" if name == REVIEWS else "review", ()))
            refs.discard("")
            if name != REVIEWS:
                self.kind_refs[name] = refs
            self.file_refs |= refs
        self.csv_refs = set(parsed[REVIEWS].values.get("reference", ())) - {""}

    def fetch_existing_reviews(self):
        """The reviews of the register named anywhere in the files, by reference, in one query."""
        has_evaluation = Exists(Evaluation.objects.filter(review=OuterRef("pk")))
        return {
            review.reference: review
            for review in Review.objects.filter(reference__in=self.file_refs).annotate(has_evaluation=has_evaluation)
        }

    def check_references(self, existing, errors):
        if "reference" not in self.parsed[REVIEWS].columns:
            return  # already reported: without references nothing can be matched
        for name, parsed_file in self.parsed.items():
            if name == REVIEWS:
                continue
            for line, reference in zip(parsed_file.lines, parsed_file.values.get("review", ()), strict=True):
                if reference and reference not in self.csv_refs and reference not in existing:
                    errors.add(
                        name, line, "review", f"no review with reference {reference} in reviews.csv or the register"
                    )

    def write(self, existing, result):
        now = timezone.now()
        rows_by_kind = {name: _group(self.parsed[name]) for name in ROW_MODELS if name in self.parsed}
        evaluations = rows_by_kind.get(EVALUATIONS)
        sequence_at = ROW_FIELDS[EVALUATIONS].index("sequence")
        judgement_at = ROW_FIELDS[EVALUATIONS].index("judgement")
        completed_at = ROW_FIELDS[EVALUATIONS].index("completed_date")
        known_at = ROW_FIELDS[CHILDREN].index("known_to_social_care")
        children = rows_by_kind.get(CHILDREN, {})

        # Reviews of reviews.csv: build each as the files describe it; create it, or update it if it differs.
        new_reviews, touched = [], {}
        for row in self.review_rows:
            values = row.values
            reference = values["reference"]
            current = existing.get(reference)
            target = {key: values[key] for key in REVIEW_FIELDS if key not in ("board_id", "status")}
            target["board_id"] = self.boards[values["board"]]
            if evaluations is not None:
                has_evaluation = reference in evaluations
            else:
                has_evaluation = current is not None and current.has_evaluation
            target["status"] = _status(has_evaluation, values["submitted_date"])
            if current is None:
                latest_judgement, latest_date = "", None
                if has_evaluation:
                    # What the evaluation trigger would set, so it finds nothing left to change.
                    latest = max(evaluations[reference], key=lambda v: v[sequence_at])
                    latest_judgement, latest_date = latest[judgement_at], latest[completed_at]
                # Likewise the register's flags that triggers on Child and Contribution keep.
                any_child_known = any(child[known_at] for child in children.get(reference, ()))
                cross_area = bool(values["other_boards"])
                new_reviews.append(
                    (
                        reference,
                        Review.ReviewType.SCR.value,
                        *(target[key] for key in REVIEW_FIELDS),
                        latest_judgement,
                        latest_date,
                        any_child_known,
                        cross_area,
                        1,
                        now,
                        now,
                    )
                )
            elif any(getattr(current, key) != value for key, value in target.items()):
                for key, value in target.items():
                    setattr(current, key, value)
                touched[reference] = current
        # A review of the register named only by evaluations.csv is now evaluated.
        for reference in (evaluations or {}).keys() - self.csv_refs:
            current = existing[reference]
            if current.status != Review.Status.EVALUATED:
                current.status = Review.Status.EVALUATED
                touched[reference] = current

        new_refs = {row[0] for row in new_reviews}

        # Contributing boards of every review of reviews.csv, and for each of children.csv, findings.csv and
        # evaluations.csv given, that kind of row of the reviews of reviews.csv and of those the file names:
        # a review of the register whose rows differ from the files' gets them replaced; one that already has
        # exactly those rows is left alone.
        wanted = {
            row.values["reference"]: Counter((self.boards[code],) for code in row.values["other_boards"])
            for row in self.review_rows
        }
        replaced = {CONTRIBUTIONS: self._differing(Contribution, ["board_id"], self.csv_refs, wanted, existing)}
        for name, grouped in rows_by_kind.items():
            targets = self.csv_refs | self.kind_refs[name]
            replaced[name] = self._differing(ROW_MODELS[name], ROW_FIELDS[name], targets, grouped, existing)
        for refs in replaced.values():
            touched.update((r, existing[r]) for r in refs if r not in touched)
        rows_by_kind[CONTRIBUTIONS] = {r: list(boards.elements()) for r, boards in wanted.items()}

        writes = (
            len(new_reviews)
            + len(touched)
            + sum(
                len(grouped.get(r, ()))
                for name, grouped in rows_by_kind.items()
                for r in new_refs | set(replaced[name])
            )
        )
        with _row_triggers_off(bulk=writes >= BULK_ROWS):
            ids = {reference: review.pk for reference, review in existing.items()}
            ids.update(_create(Review, NEW_REVIEW_COLUMNS, new_reviews))
            result.reviews_created = len(new_reviews)
            for name, grouped in rows_by_kind.items():
                model, kind = ROW_MODELS[name], name.removesuffix(".csv")
                refs = sorted(new_refs) + replaced[name]
                deleted = _delete_for(model, [ids[r] for r in replaced[name]])
                columns, extra = ["review_id", *ROW_FIELDS[name]], ()
                if model is Evaluation:
                    columns, extra = [*columns, "created_at"], (now,)
                rows = [(ids[r], *values, *extra) for r in refs for values in grouped.get(r, ())]
                _create(model, columns, rows, review_ids=[ids[r] for r in refs])
                if kind in result.created:
                    result.created[kind], result.deleted[kind] = len(rows), deleted

            # Every existing review the import changed gets a new version, so a form left open on it goes stale.
            for review in touched.values():
                review.updated_at = now
                review.version = F("version") + 1
            fields = [*REVIEW_FIELDS, "updated_at", "version"]
            Review.objects.bulk_update(list(touched.values()), fields, BATCH_SIZE)
        result.reviews_updated = len(touched)
        result.reviews_unchanged = len(self.csv_refs - new_refs - touched.keys())

    @staticmethod
    def _differing(model, fields, targets, grouped, existing):
        """The references of the register's reviews among ``targets`` whose rows differ from ``grouped``.

        Rows are compared as multisets of values, all of a table's at once: what the register has but the
        files do not, and the other way round, name the reviews that differ.
        """
        old = {existing[r].pk: r for r in targets if r in existing}
        if not old:
            return []
        qn = connection.ops.quote_name
        columns = ", ".join(qn(model._meta.get_field(f).column) for f in ["review_id", *fields])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {qn(model._meta.db_table)} WHERE review_id = ANY(%s)",  # noqa: S608  # nosec B608
                [list(old)],
            )
            have = Counter(cursor.fetchall())
        want = Counter((pk, *values) for pk, r in old.items() for values in grouped.get(r, ()))
        return sorted({old[row[0]] for row in (have - want) + (want - have)})


def _group(parsed):
    """A file's rows by review reference, each a tuple of model field values in ROW_FIELDS order."""
    values = parsed.values
    grouped = defaultdict(list)
    rows = zip(*(values[f] for f in ROW_FIELDS[parsed.name]), strict=True)
    for reference, row in zip(values["review"], rows, strict=True):
        grouped[reference].append(row)
    return grouped


def _status(has_evaluation, submitted_date):
    if has_evaluation:
        return Review.Status.EVALUATED
    if submitted_date is not None:
        return Review.Status.SUBMITTED
    return Review.Status.DRAFT


def _chunks(items):
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


@contextlib.contextmanager
def _row_triggers_off(*, bulk):
    """Keep pghistory's row triggers for inserts and deletes out of the import's writes.

    Preferably disabled for this transaction only (``ALTER TABLE ... DISABLE TRIGGER``, enabled again
    before COMMIT, so no other session ever sees them off): a disabled trigger costs nothing per row. That
    needs the tables' owner and a lock that holds other writers of those tables until the import commits;
    if either is not to be had within a second, the triggers stay on and skip each row (pgtrigger.ignore),
    which is correct too but costs a PL/pgSQL call per row.
    """
    if not SET_BASED_AUDIT:
        yield
        return
    if not bulk:  # a small import: not worth holding other writers for
        with pgtrigger.ignore(*ROW_HISTORY_TRIGGERS):
            yield
        return
    qn = connection.ops.quote_name
    by_table = defaultdict(list)
    for model, trigger in pgtrigger.registry.registered(*ROW_HISTORY_TRIGGERS):
        by_table[qn(model._meta.db_table)].append(qn(trigger.get_pgid(model)))

    def alter(cursor, action):
        for table, names in by_table.items():
            cursor.execute(f"ALTER TABLE {table} " + ", ".join(f"{action} TRIGGER {name}" for name in names))

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
            alter(cursor, "DISABLE")
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")
        disabled = True
    except (OperationalError, ProgrammingError) as exc:
        logger.info("Import: row history triggers skipped per row, as they could not be disabled: %s", exc)
        disabled = False
    if not disabled:
        with pgtrigger.ignore(*ROW_HISTORY_TRIGGERS):
            yield
        return
    token = _TRIGGERS_DISABLED.set(True)
    try:
        yield
    finally:
        _TRIGGERS_DISABLED.reset(token)
    # Only reached without an error; after an error the whole transaction, this ALTER included, rolls back.
    with connection.cursor() as cursor:
        alter(cursor, "ENABLE")


def _create(model, columns, rows, *, review_ids=None):
    """Insert rows (tuples in ``columns`` order) with one ``COPY`` per table, then their audit events.

    COPY is PostgreSQL's fastest way in, and builds no model instance per row. The audit events are those
    of every row of ``review_ids`` (of the new reviews themselves, for Review). Returns, for Review, the new
    reviews' ids by reference.
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns, rows = _with_defaults(model, columns, rows)
    column_list = ", ".join(qn(model._meta.get_field(column).column) for column in columns)
    ids = {}
    with connection.cursor() as cursor:
        if rows:
            # COPY does not pass through Django's execute wrappers, so say here which row triggers to skip
            # (when they could not be disabled for the transaction).
            if SET_BASED_AUDIT and not _TRIGGERS_DISABLED.get():
                cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [_ignored_triggers()])
            data = io.StringIO()
            csv.writer(data, quoting=csv.QUOTE_NOTNULL).writerows(rows)  # an unquoted empty value is NULL
            data.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv)", data)
        if model is Review:
            for chunk in _chunks([row[0] for row in rows]):
                cursor.execute("SELECT reference, id FROM reviews_review WHERE reference = ANY(%s)", [chunk])
                ids.update(cursor.fetchall())
            review_ids = list(ids.values())
    _record_events(model, "insert", review_ids)
    return ids


def _with_defaults(model, columns, rows):
    """Add every other column that has a default in Django but not in the database (COPY would write NULL)."""
    given = {model._meta.get_field(column).attname for column in columns}
    extra = [
        field
        for field in model._meta.concrete_fields
        if field.attname not in given
        and not field.primary_key
        and field.has_default()
        and field.db_default is NOT_PROVIDED
    ]
    if not extra or not rows:
        return columns, rows
    defaults = tuple(field.get_default() for field in extra)
    return [*columns, *(field.attname for field in extra)], [(*row, *defaults) for row in rows]


@functools.cache
def _ignored_triggers():
    """The value of ``pgtrigger.ignore`` that skips the row history triggers (as ``pgtrigger.ignore`` sets it)."""
    names = set()
    for model, trigger in pgtrigger.registry.registered(*ROW_HISTORY_TRIGGERS):
        pgid = trigger.get_pgid(model)
        names |= {pgid, f"{model._meta.db_table}:{pgid}"}
    return "{" + ",".join(sorted(names)) + "}"


def _delete_for(model, review_ids):
    """Delete a kind of row of these reviews, recording their audit events first; a batch per statement."""
    _record_events(model, "delete", review_ids)
    deleted = 0
    for chunk in _chunks(review_ids):
        deleted += model.objects.filter(review_id__in=chunk).delete()[0]
    return deleted


def _record_events(model, label, review_ids):
    """Write the event rows pghistory's row trigger would have written, for the rows of these reviews.

    Same table, same columns, same label and the same context (attached once per statement).
    """
    if not SET_BASED_AUDIT or not review_ids:
        return
    qn = connection.ops.quote_name
    event = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    columns = [f.column for f in event._meta.concrete_fields if not f.name.startswith("pgh_")]
    key = "id" if model is Review else "review_id"
    # Identifiers come from the models, never from the files; the values are parameters.
    sql = (
        "WITH ctx AS MATERIALIZED (SELECT _pgh_attach_context() AS id) "  # noqa: S608
        f"INSERT INTO {qn(event._meta.db_table)} ({', '.join(map(qn, columns))}, "
        "pgh_context_id, pgh_created_at, pgh_label, pgh_obj_id) "
        f"SELECT {', '.join('t.' + qn(c) for c in columns)}, ctx.id, NOW(), %s, t.id "
        f"FROM {qn(model._meta.db_table)} t CROSS JOIN ctx WHERE t.{key} = ANY(%s::bigint[])"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(review_ids):
            cursor.execute(sql, [label, chunk])
