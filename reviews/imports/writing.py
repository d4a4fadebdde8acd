"""Writing: the plan in bulk, every trigger on, so pghistory's own trackers write the audit rows.

New rows go in with one ``COPY`` per table (PostgreSQL's fastest way in; no model instance per row);
replaced rows go with one ``DELETE`` per table; changed reviews with ``bulk_update``. The history
trackers of inserts and deletes are statement-level (migration 0022), so each of these statements costs
one trigger call whatever its number of rows, and the event rows carry the import's ``pghistory.context``.
"""

import csv
import io

from django.db import connection
from django.db.models import NOT_PROVIDED, F
from django.utils import timezone

from reviews.imports.planning import NEW_REVIEW_FIELDS, REVIEW_FIELDS, ROW_FIELDS, ROW_MODELS, any_of
from reviews.models import Evaluation, Review

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
        fields, extra = ["review_id", *ROW_FIELDS[name]], ()
        if model is Evaluation:
            fields, extra = [*fields, "created_at"], (now,)
        rows = [(ids[r], *values, *extra) for r in [*new_references, *replaced] for values in grouped.get(r, ())]
        copy(model, fields, rows)
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
    """Insert the new reviews; their ids by reference."""
    if not new_reviews:
        return {}
    copy(Review, [*NEW_REVIEW_FIELDS, "created_at", "updated_at"], [(*row, now, now) for row in new_reviews])
    references = [row[0] for row in new_reviews]
    return dict(Review.objects.filter(any_of("reference", references)).values_list("reference", "pk"))


def copy(model, fields, rows):
    """Insert ``rows`` (tuples of values of ``fields``) into the model's table with one ``COPY``."""
    if not rows:
        return
    fields, rows = _with_defaults(model, fields, rows)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in fields)
    data = io.StringIO()
    csv.writer(data, quoting=csv.QUOTE_NOTNULL).writerows(rows)  # an unquoted empty value is NULL
    data.seek(0)
    with connection.cursor() as cursor:
        # Identifiers come from the models, never from the files; the values travel as COPY data.
        cursor.cursor.copy_expert(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv)", data)


def _with_defaults(model, fields, rows):
    """Add every other field that has a default in Django but not in the database (COPY would write NULL)."""
    given = {model._meta.get_field(name).attname for name in fields}
    extra = [
        field
        for field in model._meta.concrete_fields
        if field.attname not in given
        and not field.primary_key
        and field.has_default()
        and field.db_default is NOT_PROVIDED
    ]
    if not extra:
        return fields, rows
    defaults = tuple(field.get_default() for field in extra)
    return [*fields, *(field.attname for field in extra)], [(*row, *defaults) for row in rows]
