"""Bulk writes with PostgreSQL ``COPY``, shared by the import (reviews/imports/writing.py) and seed_demo
(reviews/demo/): the columns each table is written with, stated once, and the statement built from the
models' own names. Every trigger stays on: pghistory's statement-level trackers write one audit row per
copied row (with the writer's ``pghistory.context``), and the register's own triggers keep its derived
columns, search documents and dashboard figures."""

import csv
import io

from django.db import connection

from reviews.editing import AGENCY_FIELDS, CHILD_FIELDS, EVALUATION_FIELDS, FINDING_FIELDS
from reviews.models import Action, AgencyInvolvement, Child, Contribution, Evaluation, Finding, Recommendation, Review

# A review's own fields, as the import's reviews.csv and the demo set them.
REVIEW_FIELDS = (
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
)
# The columns each table is written with, in the order of the values of each row written. Every column
# whose default lives only in Django is among them (COPY would write NULL): tests/test_bulk.py checks it.
COPY_FIELDS = {
    Review: (
        "id",
        "reference",
        "review_type",
        *REVIEW_FIELDS,
        # Kept by triggers from the rows below; a writer that knows them sets them, so the triggers find
        # nothing to change.
        "latest_judgement",
        "latest_evaluated_date",
        "any_child_known",
        "cross_area",
        "version",
        "created_at",
        "updated_at",
    ),
    Contribution: ("review_id", "board_id"),
    Child: ("review_id", *CHILD_FIELDS),
    AgencyInvolvement: ("review_id", *AGENCY_FIELDS),
    Finding: ("review_id", *FINDING_FIELDS),
    Evaluation: ("review_id", "sequence", *EVALUATION_FIELDS, "created_at"),
    # With its id (reserved first, as a new review's), so the actions written after it can name it.
    Recommendation: ("id", "review_id", "number", "text", "agency", "version", "updated_at"),
    Action: (
        "recommendation_id",
        "number",
        "description",
        "owner_agency",
        "due_date",
        "status",
        "completed_date",
        "evidence",
        "version",
        "updated_at",
        # Kept by triggers from the review (reviews/plans_scope.py); a writer that knows them
        # (plans_scope.kept_scope) sets them, so the triggers find nothing to change.
        "lead_board_id",
        "review_submitted",
        "reader_boards",
    ),
}


def begin(cursor):
    """Set up a bulk writer's transaction (the import's, seed_demo's): run first inside it.

    Foreign keys are checked with each statement rather than queued to COMMIT: a long queue of deferred checks
    makes every trigger statement rescan it, which grows with the square of the rows (and a table with checks
    queued cannot be altered). PostgreSQL's JIT compilation is off: the triggers' set-based statements over a
    bulk write's transition tables look costly to the planner, whose statistics have not seen the new rows yet,
    and compiling one (the dashboard's recount of a board's year has a hundred aggregates) took seconds of CPU
    that its execution never saves back (docs/PERFORMANCE.md, "Import").
    """
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET LOCAL jit = off")


def reserve_ids(model, count):
    """``count`` new primary keys of ``model`` from its sequence, so rows can be copied with their ids."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_statement(model, *, csv_format=False):
    """``COPY <table> (<COPY_FIELDS>) FROM STDIN``: identifiers from the model, never from data."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in COPY_FIELDS[model])
    return f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN" + (" WITH (FORMAT csv)" if csv_format else "")


def copy_rows(model, rows):
    """Insert ``rows`` (tuples of values in ``COPY_FIELDS[model]`` order) with one ``COPY``."""
    if not rows:
        return
    data = io.StringIO()
    csv.writer(data, quoting=csv.QUOTE_NOTNULL).writerows(rows)  # an unquoted empty value is NULL
    copy_text(model, data, csv_format=True)


COPY_CHUNK = 64 * 1024 * 1024


def copy_text(model, data, *, csv_format=False):
    """Insert the rows of ``data`` (a StringIO in COPY's text format, or CSV) with one ``COPY``."""
    data.seek(0)
    # Reads of up to 64 MiB: small reads would each wait for the GIL (seed_demo generates the next chunk in a
    # thread meanwhile), and one message of more than 1 GiB (the actions of 1,000,000 reviews) is refused by
    # PostgreSQL ("invalid message length"), which drops the connection.
    size = min(max(len(data.getvalue()), 8192), COPY_CHUNK)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(copy_statement(model, csv_format=csv_format), data, size)
