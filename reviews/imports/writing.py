"""Writing: the plan in bulk, every trigger on, so pghistory's own trackers write the audit rows.

New rows go in with one ``COPY`` per table (PostgreSQL's fastest way in; no model instance per row);
replaced rows go with one ``DELETE`` per table; changed reviews with ``bulk_update``. The history
trackers of inserts and deletes are statement-level (migration 0022), so each of these statements costs
one trigger call whatever its number of rows, and the event rows carry the import's ``pghistory.context``.
"""

from django.db.models import F
from django.utils import timezone

from reviews import bulk
from reviews.imports.planning import REVIEW_FIELDS, ROW_MODELS, any_of
from reviews.models import Review

BATCH_SIZE = 1000


def write(plan, result):
    """Make the plan's writes (inside the import's transaction) and count them in ``result``; returns the ids of
    the reviews the files name, by reference."""
    now = timezone.now()
    ids = dict(plan.ids)
    ids.update(_create_reviews(plan.new_reviews, now))
    new_references = plan.new_references
    for name, grouped in plan.rows.items():
        model, replaced = ROW_MODELS[name], plan.replaced[name]
        deleted = model.objects.filter(any_of("review_id", [ids[r] for r in replaced])).delete()[0] if replaced else 0
        # The copied columns: the review, the plan's values and, for evaluations, when it was recorded.
        extra = (now,) if "created_at" in bulk.COPY_FIELDS[model] else ()
        rows = [(ids[r], *values, *extra) for r in [*new_references, *replaced] for values in grouped.get(r, ())]
        bulk.copy_rows(model, rows)
        kind = name.removesuffix(".csv")
        if kind in result.created:
            result.created[kind], result.deleted[kind] = len(rows), deleted

    # Every existing review the import changed gets a new version, so a form left open on it goes stale.
    for review in plan.updated.values():
        review.updated_at = now
        review.version = F("version") + 1
    Review.objects.bulk_update(list(plan.updated.values()), [*REVIEW_FIELDS, "updated_at", "version"], BATCH_SIZE)
    result.reviews_created = len(plan.new_reviews)
    result.reviews_updated = len(plan.updated)
    result.reviews_unchanged = plan.unchanged
    return ids


def _create_reviews(new_reviews, now):
    """Insert the new reviews, with ids taken from their sequence first; their ids by reference."""
    ids = bulk.reserve_ids(Review, len(new_reviews))
    bulk.copy_rows(Review, [(pk, *row, now, now) for pk, row in zip(ids, new_reviews, strict=True)])
    return {row[0]: pk for pk, row in zip(ids, new_reviews, strict=True)}
