"""The actions the figures of SPEC section 9 count, kept by the database in one narrow table.

Counting from the base tables joins actions, recommendations and reviews (half a million actions at 100,000
reviews): over a second per request. ``CountedAction`` holds one row per counted action (not withdrawn, of a
review that is not a draft) with its lead board and its two dates; ``ActionMonth`` tallies those per board
and month, so the figures on any as-of day (``board_figures``) read some 27,000 tallies and the counted
actions dated in the as-of day's own month, with no join.

Statement triggers keep it exact, in the writing transaction, whatever wrote the rows (forms, the import's
COPY, seed_demo, the admin or raw SQL): on actions (insert, a change to the recommendation, status or dates,
delete), on recommendations (moved to another review) and on reviews (a change of lead board, or to or from
draft). Their names sort after the dashboard's triggers on the same tables, which take the data version's row
lock first (reviews/reporting.py): writers take turns, and each statement here reads what earlier writers
committed. tests/test_action_counting_properties.py compares the table with a recount after random writes.
"""

# ruff: noqa: S608 (trigger bodies of fixed table and column names; no value from outside the database)

import pgtrigger
from django.db import connections, models
from django.db.models import Count, Q

from reviews.models import Board, Recommendation, Review
from reviews.models.triggers import statement_triggers
from reviews.plans import Action

# The base tables' definition of a counted action (ActionQuerySet.counted): a trigger body cannot call
# ReviewQuerySet.submitted(), so "not a draft" is spelled here as in reviews/reporting_sql.py.
_REFILL = """
DELETE FROM reviews_countedaction c WHERE c.action_id IN ({ids});
INSERT INTO reviews_countedaction (action_id, board_id, due_date, completed_date)
SELECT a.id, r.board_id, a.due_date, a.completed_date
FROM reviews_action a
JOIN reviews_recommendation m ON m.id = a.recommendation_id
JOIN reviews_review r ON r.id = m.review_id
WHERE a.id IN ({ids}) AND a.status <> 'withdrawn' AND r.status <> 'draft';
"""
_INSERTED = """
INSERT INTO reviews_countedaction (action_id, board_id, due_date, completed_date)
SELECT a.id, r.board_id, a.due_date, a.completed_date
FROM new_rows a
JOIN reviews_recommendation m ON m.id = a.recommendation_id
JOIN reviews_review r ON r.id = m.review_id
WHERE a.status <> 'withdrawn' AND r.status <> 'draft';
"""
# The actions whose counted row an UPDATE may change (the register's own writes touch other columns often).
_CHANGED_ACTIONS = (
    "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE (n.recommendation_id, n.status, n.due_date, n.completed_date) "
    "IS DISTINCT FROM (o.recommendation_id, o.status, o.due_date, o.completed_date)"
)
_MOVED_RECOMMENDATIONS = (
    "SELECT a.id FROM reviews_action a JOIN new_rows n ON n.id = a.recommendation_id "
    "JOIN old_rows o ON o.id = n.id WHERE n.review_id IS DISTINCT FROM o.review_id"
)
_CHANGED_REVIEWS = (
    "SELECT a.id FROM reviews_action a JOIN reviews_recommendation m ON m.id = a.recommendation_id "
    "JOIN new_rows n ON n.id = m.review_id JOIN old_rows o ON o.id = n.id "
    "WHERE n.board_id IS DISTINCT FROM o.board_id OR (n.status = 'draft') IS DISTINCT FROM (o.status = 'draft')"
)
_RETURN = "RETURN NULL;"

pgtrigger.register(
    *statement_triggers(
        "plans_counted",
        insert=_INSERTED + _RETURN,
        update=_REFILL.format(ids=_CHANGED_ACTIONS) + _RETURN,
        delete="DELETE FROM reviews_countedaction c WHERE c.action_id IN (SELECT id FROM old_rows);" + _RETURN,
    )
)(Action)
# A recommendation or a review that is deleted has no actions left by then (Django deletes them first, and
# the foreign keys refuse it otherwise), so only their updates change what is counted.
pgtrigger.register(*statement_triggers("plans_counted", update=_REFILL.format(ids=_MOVED_RECOMMENDATIONS) + _RETURN))(
    Recommendation
)
pgtrigger.register(*statement_triggers("plans_counted", update=_REFILL.format(ids=_CHANGED_REVIEWS) + _RETURN))(Review)


def figures_aggregates(as_of):
    """The counts of SPEC section 9 on day ``as_of`` over counted rows, as aggregates (one pass).

    A counted action is not withdrawn, and only a completed action has a date completed (the constraints
    action_completed_needs_date and action_only_completed_has_date), so "completed by D" is a date on or
    before D; open: not completed by D (completed after D included); overdue: open and due before D;
    completed late: completed by D after its due date.
    """
    completed = Q(completed_date__lte=as_of)
    still_open = Q(completed_date__isnull=True) | Q(completed_date__gt=as_of)
    return {
        "actions": Count("pk"),
        "completed": Count("pk", filter=completed),
        "open": Count("pk", filter=still_open),
        "overdue": Count("pk", filter=still_open & Q(due_date__lt=as_of)),
        "completed_late": Count("pk", filter=completed & Q(completed_date__gt=models.F("due_date"))),
    }


class CountedActionQuerySet(models.QuerySet):
    def figures(self, as_of):
        """``{"actions", "completed", "open", "overdue", "completed_late"}`` on day ``as_of``, one query."""
        return self.aggregate(**figures_aggregates(as_of))

    def figures_by_board(self, as_of):
        """The same counts per lead board: plain rows ``{"board_id", "actions", ...}`` ordered by board id, one
        query over this table alone; a board without counted actions has no row."""
        return list(self.values("board_id").annotate(**figures_aggregates(as_of)).order_by("board_id"))


class CountedAction(models.Model):
    """One counted action (SPEC section 9) with its review's lead board. Kept by the database (the triggers
    above), never written by the app, not audited (it is derived; the actions and reviews are)."""

    # No database foreign keys: the triggers keep the rows in step, and a key's check would only add a lookup
    # per row to every COPY of actions.
    action = models.OneToOneField(
        Action, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # No index of its own: countedaction_board_idx starts with it (one index fewer to write per counted action).
    board = models.ForeignKey(Board, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    due_date = models.DateField()
    completed_date = models.DateField(null=True)

    objects = CountedActionQuerySet.as_manager()

    class Meta:
        indexes = [
            # One board's or one region's figures read from the index alone.
            models.Index(fields=["board"], include=["due_date", "completed_date"], name="countedaction_board_idx"),
            # The as-of day's month (board_figures): the actions due in it, and those completed in it.
            models.Index(fields=["due_date"], name="countedaction_due_idx"),
            models.Index(fields=["completed_date"], name="countedaction_completed_idx"),
        ]

    def __str__(self):
        return f"Counted action {self.action_id}"


# --- Per board and month ------------------------------------------------------------------------------------
#
# Even one narrow table is half a million rows to aggregate per request. Every figure is a sum of counts of one
# date up to the as-of day D, per kind of counted action: open (no date completed), completed late (after its
# due date) and completed on time. An action completed on time is never overdue (before its due date it is not
# due; after it, it is done), and one completed late was due before it was completed, so:
#   completed = done_late(<= D) + done_on_time(<= D);  completed_late = done_late(<= D);
#   overdue = due_open(< D) + due_late(< D) - done_late(<= D);  open = actions - completed.
# ``ActionMonth`` keeps those counts per lead board and calendar month (a counted action's row adds or takes
# away one, by statement triggers on CountedAction, which only ever inserts and deletes); the months before
# D's month come from it, and D's own month from the counted actions dated in it (two index ranges).

_TALLY = """
INSERT INTO reviews_actionmonth (board_id, month, due_open, due_late, done_late, done_on_time)
SELECT board_id, month, sum(due_open), sum(due_late), sum(done_late), sum(done_on_time) FROM (
  SELECT board_id, date_trunc('month', due_date)::date AS month,
         {sign} * (completed_date IS NULL)::int AS due_open,
         {sign} * (completed_date > due_date IS TRUE)::int AS due_late, 0 AS done_late, 0 AS done_on_time
  FROM {rows}
  UNION ALL
  SELECT board_id, date_trunc('month', completed_date)::date, 0, 0,
         {sign} * (completed_date > due_date)::int, {sign} * (completed_date <= due_date)::int
  FROM {rows} WHERE completed_date IS NOT NULL
) x GROUP BY board_id, month
ON CONFLICT (board_id, month) DO UPDATE SET
  due_open = reviews_actionmonth.due_open + EXCLUDED.due_open,
  due_late = reviews_actionmonth.due_late + EXCLUDED.due_late,
  done_late = reviews_actionmonth.done_late + EXCLUDED.done_late,
  done_on_time = reviews_actionmonth.done_on_time + EXCLUDED.done_on_time;
RETURN NULL;
"""


class ActionMonth(models.Model):
    """Counted actions of one lead board by calendar month (the first day of it): the open and the late ones
    by due date, the late and the on-time ones by date completed. Kept by the database, never by the app."""

    # No index of its own: actionmonth_unique starts with it.
    board = models.ForeignKey(Board, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    month = models.DateField()
    due_open = models.IntegerField(default=0)
    due_late = models.IntegerField(default=0)
    done_late = models.IntegerField(default=0)
    done_on_time = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "month"], name="actionmonth_unique")]

    def __str__(self):
        return f"Actions of board {self.board_id} in {self.month:%Y-%m}"


pgtrigger.register(
    *statement_triggers(
        "tally",
        insert=_TALLY.format(sign=1, rows="new_rows"),
        delete=_TALLY.format(sign=-1, rows="old_rows"),
    )
)(CountedAction)

_BOARD_FIGURES = """
SELECT board_id, sum(actions), sum(completed), sum(overdue), sum(completed_late) FROM (
  SELECT t.board_id, t.due_open + t.due_late + t.done_on_time AS actions,
         CASE WHEN t.month < %(month)s THEN t.done_late + t.done_on_time ELSE 0 END AS completed,
         CASE WHEN t.month < %(month)s THEN t.due_open + t.due_late - t.done_late ELSE 0 END AS overdue,
         CASE WHEN t.month < %(month)s THEN t.done_late ELSE 0 END AS completed_late
  FROM reviews_actionmonth t WHERE %(boards)s::bigint[] IS NULL OR t.board_id = ANY(%(boards)s::bigint[])
  UNION ALL
  SELECT c.board_id, 0,
         (c.completed_date BETWEEN %(month)s AND %(as_of)s IS TRUE)::int,
         ((c.completed_date IS NULL OR c.completed_date > c.due_date)
          AND c.due_date >= %(month)s AND c.due_date < %(as_of)s)::int
         - (c.completed_date > c.due_date AND c.completed_date BETWEEN %(month)s AND %(as_of)s IS TRUE)::int,
         (c.completed_date > c.due_date AND c.completed_date BETWEEN %(month)s AND %(as_of)s IS TRUE)::int
  FROM reviews_countedaction c
  WHERE (c.due_date >= %(month)s AND c.due_date < %(as_of)s OR c.completed_date BETWEEN %(month)s AND %(as_of)s)
    AND (%(boards)s::bigint[] IS NULL OR c.board_id = ANY(%(boards)s::bigint[]))
) x GROUP BY board_id HAVING sum(actions) > 0 ORDER BY board_id
"""


def board_figures(as_of, *, boards=None, using="default"):
    """The figures of SPEC section 9 on day ``as_of`` per lead board (of ``boards``, ids, or every board):
    rows ``{"board_id", "actions", "completed", "open", "overdue", "completed_late"}`` ordered by board id, as
    ``Action.objects.counted().figures_by_board(as_of)`` gives them, in one statement over the kept counts."""
    params = {"as_of": as_of, "month": as_of.replace(day=1), "boards": None if boards is None else list(boards)}
    with connections[using].cursor() as cursor:
        cursor.execute(_BOARD_FIGURES, params)
        rows = cursor.fetchall()
    return [
        {
            "board_id": board_id,
            "actions": int(actions),
            "completed": int(completed),
            "open": int(actions - completed),
            "overdue": int(overdue),
            "completed_late": int(late),
        }
        for board_id, actions, completed, overdue, late in rows
    ]
