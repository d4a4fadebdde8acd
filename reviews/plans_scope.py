"""Who may read an action, kept by the database on the action itself: the action tracker's scope as columns.

``Action.objects.for_user`` used to go through the recommendation to ``Review.objects.for_user``: for board
staff a join of half a million actions with their recommendations and reviews under an ``OR`` that PostgreSQL
cannot estimate (1 to 5 s a page at 100,000 reviews). Each action now carries its review's lead board
(``lead_board``), whether the review has left draft (``review_submitted``) and the boards whose staff read it
(``reader_boards``: the lead board, and the contributing boards once the review is submitted), so the scope is
one indexed condition on ``reviews_action``: ``review_submitted`` for inspectors and managers, ``reader_boards
&& ARRAY[their boards]`` (a GIN index) for board staff, and the board and region filters ``lead_board_id IN``
(an index with the due date).

Statement triggers keep the three columns, whatever wrote the rows (forms, the import's COPY, seed_demo, the
admin, raw SQL), each with one set-based UPDATE of the actions whose columns differ from their review's
(``_FILL``): after an INSERT of actions, the new rows; after an UPDATE of actions, the rows whose recommendation or
kept columns the statement changed, so a value the writer sent for them (Django's ``save()`` sends every column)
is replaced; after a change to the source (a review's lead board, a review to or from draft, a contribution
added, changed or removed, a recommendation moved to another review), the actions of the recommendations
concerned. A writer that knows the values (the import: ``kept_scope``) sends them, and the UPDATE finds nothing to
change; any other value is put right in the same statement. The fill's own UPDATE fires the actions' UPDATE
trigger again, which finds those rows right and updates none; an UPDATE of no rows stops there.
They are named after the dashboard's triggers on the same tables, which take the data version's row lock first
(reviews/reporting.py), so they read what earlier writers committed. The columns are not audited
(``audited(exclude=...)``: they are derived; the reviews and contributions are), so putting them right records no
event. tests/test_action_scope_properties.py compares them with a recount after random writes.
"""

# ruff: noqa: S608 (trigger bodies of fixed table and column names; no value from outside the database)

import pgtrigger
from django.db import connection

from reviews.models import Contribution, Recommendation, Review
from reviews.models.triggers import statement_triggers
from reviews.plans import Action

# The kept columns of the actions of each recommendation that {recommendations} (a query) names, from its review:
# Review.objects.for_user's rule, once per recommendation rather than per action.
_SCOPE = """
SELECT m.id AS recommendation_id, r.board_id AS lead_board_id, r.status <> 'draft' AS review_submitted,
       ARRAY(SELECT r.board_id UNION
             SELECT c.board_id FROM reviews_contribution c WHERE c.review_id = r.id AND r.status <> 'draft'
             ORDER BY 1) AS reader_boards
FROM reviews_recommendation m JOIN reviews_review r ON r.id = m.review_id
WHERE m.id IN ({recommendations})
"""
# The actions {actions} (a query of their rows, as written) whose kept columns differ from their recommendation's
# scope, put right. The scope is worked out once per recommendation (MATERIALIZED: not once per action), and the
# rows that differ are found before any action row is read: a writer that sent the right values costs no second
# read or write of its rows.
_FILL = """
WITH scope AS MATERIALIZED ({scope}),
wrong AS MATERIALIZED (
  SELECT n.id, s.lead_board_id, s.review_submitted, s.reader_boards
  FROM {actions} n JOIN scope s ON s.recommendation_id = n.recommendation_id
  WHERE (n.lead_board_id, n.review_submitted, n.reader_boards)
        IS DISTINCT FROM (s.lead_board_id, s.review_submitted, s.reader_boards)
)
UPDATE reviews_action a
SET lead_board_id = w.lead_board_id, review_submitted = w.review_submitted, reader_boards = w.reader_boards
FROM wrong w WHERE a.id = w.id;
"""


def _fill(actions, recommendations=None):
    """The body that fills the kept columns of ``actions`` (a row source with their columns: a transition table,
    a query in brackets), whose recommendations ``recommendations`` names (a query; by default theirs)."""
    recommendations = recommendations or f"SELECT recommendation_id FROM {actions} n"
    return _FILL.format(scope=_SCOPE.format(recommendations=recommendations), actions=actions) + "RETURN NULL;"


# The actions an UPDATE moved to another recommendation or wrote a kept column of (the fill's own UPDATE among
# them): the others' columns were right and still are. An UPDATE of no rows fills nothing, so the fill's UPDATE
# that found every row right ends the chain there.
_CHANGED_ACTIONS = (
    "(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE (n.recommendation_id, n.lead_board_id, n.review_submitted, n.reader_boards) "
    "IS DISTINCT FROM (o.recommendation_id, o.lead_board_id, o.review_submitted, o.reader_boards))"
)
pgtrigger.register(
    *statement_triggers(
        "reader_scope",
        insert=_fill("new_rows"),
        update="IF NOT EXISTS (SELECT FROM new_rows) THEN RETURN NULL; END IF;" + _fill(_CHANGED_ACTIONS),
    )
)(Action)


def _actions_of(recommendations):
    """Every action of the recommendations a query names, as rows for ``_fill``."""
    return _fill(f"(SELECT * FROM reviews_action WHERE recommendation_id IN ({recommendations}))", recommendations)


# When the source changes: every action of the recommendations concerned.
_CHANGED_REVIEWS = (
    "SELECT m.id FROM reviews_recommendation m JOIN new_rows n ON n.id = m.review_id JOIN old_rows o ON o.id = n.id "
    "WHERE n.board_id IS DISTINCT FROM o.board_id OR (n.status = 'draft') IS DISTINCT FROM (o.status = 'draft')"
)
_MOVED_RECOMMENDATIONS = (
    "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.review_id IS DISTINCT FROM o.review_id"
)


def _contributions_of(rows):
    return f"SELECT m.id FROM reviews_recommendation m WHERE m.review_id IN (SELECT review_id FROM {rows})"


pgtrigger.register(*statement_triggers("reader_scope", update=_actions_of(_CHANGED_REVIEWS)))(Review)
pgtrigger.register(*statement_triggers("reader_scope", update=_actions_of(_MOVED_RECOMMENDATIONS)))(Recommendation)
pgtrigger.register(
    *statement_triggers(
        "reader_scope",
        insert=_actions_of(_contributions_of("new_rows")),
        update=_actions_of(_contributions_of("new_rows UNION SELECT review_id FROM old_rows")),
        delete=_actions_of(_contributions_of("old_rows")),
    )
)(Contribution)


# The scope of the recommendations whose ids are the one bound parameter (an array), as the triggers work it out.
_KEPT_SCOPE = (
    "SELECT recommendation_id, lead_board_id, review_submitted, reader_boards::text "
    f"FROM ({_SCOPE.format(recommendations='SELECT unnest(%s::bigint[])')}) s"
)


def kept_scope(recommendations):
    """``{recommendation id: (lead_board_id, review_submitted, reader_boards)}``: the kept columns the triggers
    give the actions of each of ``recommendations`` (ids), for a writer that copies new actions with them
    (``reader_boards`` in PostgreSQL's text form, as COPY reads it). One query."""
    with connection.cursor() as cursor:
        cursor.execute(_KEPT_SCOPE, [list(recommendations)])
        return {pk: tuple(values) for pk, *values in cursor.fetchall()}
