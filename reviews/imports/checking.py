"""Checking: each column's one validator turns its cells into typed values; then the rules across columns.

Every cell of a column goes through the same validator, which returns the typed value or raises
``Invalid`` with the value to carry on with and every reason the cell is wrong; errors name the cell's
line and column. Free text is kept exactly as given; codes, dates, booleans and choices are trimmed.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from reviews.editing import codes_in_reference
from reviews.imports import actionplans
from reviews.imports.files import ACTIONS, COLUMNS, EVALUATIONS, RECOMMENDATIONS, REVIEWS
from reviews.models import EVALUATION_DATE_ORDER, REVIEW_DATE_ORDER, dates_out_of_order
from reviews.validators import first_illegal_character

# A review's dates must run in this order (the database's CheckConstraints on Review).

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BOOLEANS = {"yes": True, "no": False, "": None}


class Invalid(Exception):
    """A cell's value is wrong: the value to carry on with, and why."""

    def __init__(self, value, *messages):
        super().__init__(*messages)
        self.value, self.messages = value, messages


@dataclass
class Row:
    line: int
    values: dict[str, Any]


@dataclass
class ParsedFile:
    """A file's rows as columns of typed values (the header's columns, and blanks for those it left out)."""

    name: str
    columns: set[str] = field(default_factory=set)
    lines: list[int] = field(default_factory=list)
    values: dict[str, list] = field(default_factory=dict)

    def __len__(self):
        return len(self.lines)

    @functools.cached_property
    def records(self):
        """One ``Row`` per row: for the rules across columns, and the plan."""
        names = list(self.values)
        return [
            Row(line, dict(zip(names, values, strict=True)))
            for line, values in zip(self.lines, zip(*self.values.values(), strict=True), strict=True)
        ]


def check_file(raw, boards, errors):
    """The ``RawFile``'s cells as a ``ParsedFile`` of typed values; every wrong cell or row goes to ``errors``."""
    name = raw.name
    values = {}
    for column in COLUMNS[name]:
        if column.name in raw.header:
            validate = validator(column, boards)
            values[column.name] = _check_column(name, column.name, raw.cells(column.name), raw.lines, validate, errors)
        else:
            values[column.name] = [column.blank] * len(raw.lines)
    parsed = ParsedFile(name, set(raw.header), raw.lines, values)
    if name == REVIEWS:
        _check_reviews(parsed, boards, errors)
    elif name == EVALUATIONS:
        _check_evaluations(parsed, errors)
    elif name == RECOMMENDATIONS:
        actionplans.check_recommendations(parsed, errors)
    elif name == ACTIONS:
        actionplans.check_actions(parsed, errors)
    return parsed


def _check_column(file_name, name, cells, lines, validate, errors):
    try:
        return list(map(validate, cells))
    except Invalid:
        pass  # walk the column again with the same validator, to name each wrong cell's line
    values = []
    for line, cell in zip(lines, cells, strict=True):
        try:
            values.append(validate(cell))
        except Invalid as invalid:
            values.append(invalid.value)
            for message in invalid.messages:
                errors.add(file_name, line, name, message)
    return values


def validator(column, boards):
    """The one validator of a column: a cell's text to its typed value, or ``Invalid`` with the reasons."""
    blank, required, max_length = column.blank, column.required_value, column.max_length

    def empty():
        if required:
            raise Invalid(blank, "a value is required")
        return blank

    def checked_text(value):
        if "\x00" in value:
            raise Invalid(blank, "contains a NUL character, which cannot be stored")
        if found := first_illegal_character(value):
            position, character = found
            raise Invalid(blank, f"contains the character {character} (character {position}), which cannot be stored")
        if max_length and len(value) > max_length:
            raise Invalid(blank, f"must be at most {max_length} characters (this has {len(value)})")
        return value

    if column.kind == "text":

        def validate(raw):
            return checked_text(raw) if raw.strip() else empty()

    elif column.kind == "code":
        # A review's reference is repeated on each of its rows of the other files: each text is checked once.
        @functools.lru_cache(maxsize=100_000)
        def validate(raw):
            value = raw.strip()
            return checked_text(value) if value else empty()

    elif column.kind in ("choice", "board"):
        allowed = set(column.choices) if column.kind == "choice" else boards

        def validate(raw):
            if raw in allowed:
                return raw
            value = raw.strip()
            if not value:
                return empty()
            if value in allowed:
                return value
            if column.kind == "board":
                raise Invalid(blank, f"unknown board {value}: use the board's GSS code")
            raise Invalid(blank, f'unknown value "{value}"; use one of {", ".join(column.choices)}')

    elif column.kind == "date":
        # A bundle repeats few dates, so each text is parsed once per column.
        @functools.lru_cache(maxsize=100_000)
        def validate(raw):
            value = raw.strip()
            if not value:
                return empty()
            try:
                if not _DATE_RE.fullmatch(value):
                    raise ValueError(value)
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise Invalid(blank, f'"{value}" is not a date in the form YYYY-MM-DD') from None

    elif column.kind == "bool":

        def validate(raw):
            answer = _BOOLEANS.get(raw.strip().lower(), "?")
            if answer == "?":
                raise Invalid(blank, f'"{raw.strip()}" is not yes or no (leave it blank when not known)')
            return answer

    elif column.kind == "int":

        def validate(raw):
            value = raw.strip()
            if not value:
                return empty()
            if value.isdigit() and value.isascii() and 1 <= int(value) <= 32767:
                return int(value)
            raise Invalid(blank, f'"{value}" is not a whole number from 1 upwards')

    elif column.kind == "boards":

        def validate(raw):
            codes = [code.strip() for code in raw.split(";") if code.strip()]
            messages = [f"unknown board {c}: use the board's GSS code" for c in sorted(set(codes) - boards.keys())]
            repeated = sorted({c for c in codes if codes.count(c) > 1})
            messages += [f"board {c} is listed more than once" for c in repeated]
            value = tuple(dict.fromkeys(c for c in codes if c in boards))
            if messages:
                raise Invalid(value, *messages)
            return value

    else:
        raise AssertionError(column.kind)
    return validate


def _check_reviews(parsed, boards, errors):
    name = parsed.name
    first = {}
    for row in parsed.records:
        values = row.values
        board, reference = values["board"], values["reference"]
        if board and board in values["other_boards"]:
            errors.add(name, row.line, "other_boards", f"{board} is the lead board, not a contributing board")
        if reference in first:
            message = f"reference {reference} appears more than once (first on line {first[reference]})"
            errors.add(name, row.line, "reference", message)
        elif reference:
            first[reference] = row.line
        # Only the lead board's code: staff of another board could otherwise find the review by its reference.
        foreign = sorted((codes_in_reference(reference) - {board}) & boards.keys()) if reference and board else []
        if foreign:
            errors.add(
                name,
                row.line,
                "reference",
                f"reference {reference} includes another board's GSS code, {', '.join(foreign)}; "
                f"a reference may include only its lead board's code, {board}",
            )
        _check_date_order(name, row, REVIEW_DATE_ORDER, errors)


def _check_evaluations(parsed, errors):
    seen = {}
    for row in parsed.records:
        _check_date_order(parsed.name, row, EVALUATION_DATE_ORDER, errors)
        reference, sequence = row.values["review"], row.values["sequence"]
        if reference and sequence is not None and sequence != "":
            key = (reference, sequence)
            if key in seen:
                message = f"review {reference} already has evaluation {sequence} (on line {seen[key]})"
                errors.add(parsed.name, row.line, "sequence", message)
            else:
                seen[key] = row.line


def _check_date_order(file_name, row, order, errors):
    # The one date-order rule of the register (reviews/models/constraints.py), as the constraints and forms use it.
    for earlier, later in dates_out_of_order(row.values, order):
        day, before = row.values[later.field], row.values[earlier.field]
        errors.add(file_name, row.line, later.field, f"{day} is before {earlier.field} {before}")


def check_references(parsed, existing, errors):
    """Every row of the other files names a review of reviews.csv or of the register."""
    if "reference" not in parsed[REVIEWS].columns:
        return  # already reported: without references nothing can be matched
    known = set(parsed[REVIEWS].values["reference"]) | existing.keys()
    for name, parsed_file in parsed.items():
        if name == REVIEWS:
            continue
        for line, reference in zip(parsed_file.lines, parsed_file.values["review"], strict=True):
            if reference and reference not in known:
                errors.add(name, line, "review", f"no review with reference {reference} in reviews.csv or the register")
