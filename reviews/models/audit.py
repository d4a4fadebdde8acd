"""The change history every model that holds review data keeps (django-pghistory)."""

import pghistory


# Every model that holds review data keeps a trigger-written history of inserts, updates and deletes,
# so bulk writes and raw SQL are seen too. Inserts and deletes are recorded by statement-level triggers
# (one call per statement, one event row per row), so the import's bulk writes cost little with every
# trigger on; updates by row-level ones, which compare each row's old and new values. The history is
# append-only in the database itself: a trigger on each event table refuses every UPDATE and DELETE of
# its rows, whatever the SQL (migration 0016; a new event table needs it too, as tests/test_history.py checks).
# pghistory puts each event model (ReviewEvent, ...) in the package reviews.models, beside the models.
def audited(exclude=None):
    """Fresh trackers for one model (a tracker binds to the model it first tracks); ``exclude`` names fields
    that are not snapshot (derived ones, such as a generated search vector)."""
    return pghistory.track(
        pghistory.InsertEvent(level=pghistory.Statement),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(level=pghistory.Statement),
        exclude=exclude,
    )
