"""The bulk CSV import of SPEC section 4: everything, or nothing and every error as FILE:LINE: COLUMN: message.

``import_reviews`` reads every file (``reading``), turns each cell into its typed value with its
column's one validator and checks the rules across columns (``checking``), looks up the register's
reviews the files name, and only when there is no error at all works out what differs (``planning``)
and writes it in bulk in one transaction (``writing``), pghistory's triggers recording every row.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import pghistory
from django.db import IntegrityError, connection, transaction

from reviews import bulk, reporting
from reviews.imports import actionplans, checking, planning, reading, writing
from reviews.imports.files import (
    ACTIONS,
    CHILDREN,
    EVALUATIONS,
    FILE_NAMES,
    FINDINGS,
    NO_COLUMN,
    RECOMMENDATIONS,
    REVIEWS,
    Errors,
)
from reviews.models import Board

__all__ = [
    "ACTIONS",
    "CHILDREN",
    "EVALUATIONS",
    "FILE_NAMES",
    "FINDINGS",
    "RECOMMENDATIONS",
    "REVIEWS",
    "ImportResult",
    "import_reviews",
]
KINDS = ("children", "findings", "evaluations", "recommendations", "actions")

# One import at a time: two imports naming the same new reference would otherwise race.
ADVISORY_LOCK = 7_242_001


@dataclass
class ImportResult:
    """What an import did, or every reason it did nothing."""

    errors: list[str] = field(default_factory=list)
    reviews_created: int = 0
    reviews_updated: int = 0
    reviews_unchanged: int = 0
    rows_read: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def ok(self):
        return not self.errors

    def summary_lines(self):
        """The outcome in plain English, one line per kind of record."""
        lines = [
            f"Reviews: {self.reviews_created:,} created, {self.reviews_updated:,} updated, "
            f"{self.reviews_unchanged:,} unchanged."
        ]
        for kind in KINDS:
            if kind in ("recommendations", "actions") and f"{kind}.csv" not in self.rows_read:
                continue  # the action plans' files are newer than most bundles: said only when given
            lines.append(
                f"{kind.capitalize()}: {self.created[kind]:,} written, {self.deleted[kind]:,} replaced rows removed."
            )
        return lines


@contextmanager
def _cyclic_collector_paused():
    """Pause Python's cyclic garbage collector for the import (reference counting still frees what it drops).

    An import holds every cell, value and row of its files until it has written them: hundreds of thousands of
    tuples and lists that stay alive, none in a cycle. The collector, started by the count of new objects,
    walks all of them again and again to find nothing; that was 40% of reading and checking a bundle. Any cycle it
    leaves is collected on the collector's first run after the import.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@_cyclic_collector_paused()
def import_reviews(
    *, files: dict[str, IO], user=None, operator=None, progress=None, progress_every=1000, statement_timeout_ms=None
) -> ImportResult:
    """Import a bundle of CSV files (SPEC section 4): everything, or nothing and every error.

    ``files`` maps a file name (``reviews.csv``, ``children.csv``, ``findings.csv``, ``evaluations.csv``,
    ``recommendations.csv``, ``actions.csv``) to an open stream: binary (UTF-8 bytes, as uploads are) or text
    opened with ``newline=""``.
    ``progress(file_name, rows_read)`` is called every ``progress_every`` rows of a file. ``user`` (the
    signed-in user of the admin's import page) or ``operator`` (who ran the command) is recorded in the
    audit trail as named at the time of the import. ``statement_timeout_ms`` replaces the connection's
    statement timeout for the import's transaction (web requests run with a short one; one COPY of a large
    file may take longer).
    """
    result = ImportResult()
    errors = Errors()
    for name in sorted(set(files) - set(FILE_NAMES)):
        errors.add(name, 1, NO_COLUMN, f"unknown file: the import reads {', '.join(FILE_NAMES)}")
    if REVIEWS not in files:
        errors.add(REVIEWS, 1, NO_COLUMN, "the file is missing; every import needs reviews.csv")

    boards = dict(Board.objects.values_list("gss_code", "pk"))
    parsed = {}
    for name in FILE_NAMES:
        if name in files:
            raw = reading.read_file(name, files[name], errors, progress=progress, progress_every=progress_every)
            parsed[name] = checking.check_file(raw, boards, errors)
            result.rows_read[name] = len(parsed[name])
    if REVIEWS not in parsed:
        result.errors = errors.lines()
        return result

    try:
        with transaction.atomic(), pghistory.context(**_audit_metadata(user, operator, sorted(parsed))):
            if not _begin(statement_timeout_ms):
                errors.add(REVIEWS, 1, NO_COLUMN, "another import is running; try again when it has finished")
                result.errors = errors.lines()
                return result
            # Writers take turns from here (the import's row locks come after it): see reviews.reporting.
            reporting.take_turn()
            existing = planning.existing_reviews(parsed)
            checking.check_references(parsed, existing, errors)
            actionplans.check_action_recommendations(parsed, existing, errors)
            if errors:
                result.errors = errors.lines()
                return result
            ids = writing.write(planning.plan(parsed, boards, existing), result)
            actionplans.write(actionplans.plan(parsed, existing), ids, result)
    except IntegrityError as exc:
        # Only a write racing this import (someone saving the same review meanwhile) can get here.
        errors.add(REVIEWS, 1, NO_COLUMN, f"the register changed during the import, nothing was written: {exc}")
        result.errors = errors.lines()
    return result


def _audit_metadata(user, operator, file_names):
    """What the audit trail records of the import: who ran it, named as they were then, and its files."""
    metadata = {"source": "import", "user": getattr(user, "pk", user), "files": file_names}
    if hasattr(user, "get_username"):  # as the history middleware records a signed-in user
        metadata |= {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}
        operator = operator or user.get_username()
    if operator:
        metadata["operator"] = operator
    return metadata


def _begin(statement_timeout_ms):
    """Take the import's lock (False if another import holds it) and set up its transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        if not cursor.fetchone()[0]:
            return False
        bulk.begin(cursor)
        if statement_timeout_ms is not None:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(statement_timeout_ms)}ms"])
    return True
