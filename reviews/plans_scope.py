"""Who may read an action, kept by the database on the action itself: the action tracker's scope as columns.

``Action.objects.for_user`` used to go through the recommendation to ``Review.objects.for_user``: for board
staff a join of half a million actions with their recommendations and reviews under an ``OR`` that PostgreSQL
cannot estimate (1 to 5 s a page at 100,000 reviews). Each action now carries its review's lead board
(``lead_board``), whether the review has left draft (``review_submitted``) and the boards whose staff read it
(``reader_boards``: the lead board, and the contributing boards once the review is submitted), so the scope is
one indexed condition on ``reviews_action``: ``review_submitted`` for inspectors and managers, ``reader_boards
&& ARRAY[their boards]`` (a GIN index) for board staff, and the board and region filters ``lead_board_id IN``
(an index with the due date).

A row trigger (BEFORE INSERT, or an UPDATE that names the recommendation or a kept column) fills the three columns
from the recommendation, the review and its contributions, whatever wrote the row (forms, the import's COPY,
seed_demo, the admin, raw SQL): a value the writer sent for them is replaced, so Django's ``save()``, which sends
every column, cannot undo them. (The recommendation must exist by then: an action written before it would fail its
NOT NULL columns, never be kept wrong.) When the source changes instead (a review's lead board, a review to or
from draft, a contribution added, changed or removed, a recommendation moved to another review), statement
triggers rewrite the affected actions' ``lead_board_id``, which makes the row trigger refill all three. They are
named after the dashboard's triggers on the same tables, which take the data version's row lock first
(reviews/reporting.py), so they read what earlier writers committed; the app's writers take that lock before their
first write (``writing()``), so the row trigger reads committed data too. The columns are not audited
(``audited(exclude=...)``: they are derived; the reviews and contributions are).
tests/test_action_scope_properties.py compares them with a recount after random writes.
"""

# ruff: noqa: S608 (trigger bodies of fixed table and column names; no value from outside the database)

import pgtrigger

from reviews.models import Contribution, Recommendation, Review
from reviews.models.triggers import statement_triggers
from reviews.plans import Action

KEPT_COLUMNS = ("lead_board_id", "review_submitted", "reader_boards")

# The action's kept columns from its recommendation's review (Review.objects.for_user's rule, per action).
_FILL = """
SELECT r.board_id, r.status <> 'draft',
       ARRAY(SELECT r.board_id UNION
             SELECT c.board_id FROM reviews_contribution c WHERE c.review_id = r.id AND r.status <> 'draft'
             ORDER BY 1)
INTO NEW.lead_board_id, NEW.review_submitted, NEW.reader_boards
FROM reviews_recommendation m JOIN reviews_review r ON r.id = m.review_id
WHERE m.id = NEW.recommendation_id;
RETURN NEW;
"""

pgtrigger.register(
    pgtrigger.Trigger(
        name="reader_scope_fill",
        operation=pgtrigger.Insert | pgtrigger.UpdateOf("recommendation_id", *KEPT_COLUMNS),
        when=pgtrigger.Before,
        level=pgtrigger.Row,
        func=_FILL,
    )
)(Action)

# Rewriting a kept column of these recommendations' actions makes the row trigger above refill them all.
_REFILL = "UPDATE reviews_action SET lead_board_id = NULL WHERE recommendation_id IN ({recommendations});RETURN NULL;"
_CHANGED_REVIEWS = (
    "SELECT m.id FROM reviews_recommendation m JOIN new_rows n ON n.id = m.review_id JOIN old_rows o ON o.id = n.id "
    "WHERE n.board_id IS DISTINCT FROM o.board_id OR (n.status = 'draft') IS DISTINCT FROM (o.status = 'draft')"
)
_MOVED_RECOMMENDATIONS = (
    "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.review_id IS DISTINCT FROM o.review_id"
)


def _contributions_of(rows):
    return f"SELECT m.id FROM reviews_recommendation m WHERE m.review_id IN (SELECT review_id FROM {rows})"


pgtrigger.register(*statement_triggers("reader_scope", update=_REFILL.format(recommendations=_CHANGED_REVIEWS)))(Review)
pgtrigger.register(*statement_triggers("reader_scope", update=_REFILL.format(recommendations=_MOVED_RECOMMENDATIONS)))(
    Recommendation
)
pgtrigger.register(
    *statement_triggers(
        "reader_scope",
        insert=_REFILL.format(recommendations=_contributions_of("new_rows")),
        update=_REFILL.format(recommendations=_contributions_of("new_rows UNION SELECT review_id FROM old_rows")),
        delete=_REFILL.format(recommendations=_contributions_of("old_rows")),
    )
)(Contribution)
