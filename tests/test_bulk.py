"""Bulk writes (reviews/bulk.py), shared by the import and seed_demo: COPY writes every value a row needs."""

import pytest
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED

from reviews import bulk
from reviews.bulk import COPY_FIELDS


def test_copy_writes_every_column_the_database_cannot_fill_itself():
    # A column left out of COPY gets the database's default, else NULL: a default only Django knows (a
    # Python default, auto_now_add) would be lost, and a required column would fail the whole write.
    for model, fields in COPY_FIELDS.items():
        needed = {
            field.name if field.name in fields else field.attname
            for field in model._meta.concrete_fields
            if field.db_default is NOT_PROVIDED
            and not (field.primary_key and field.get_internal_type().endswith("AutoField"))
            and (field.has_default() or not field.null or getattr(field, "auto_now_add", False))
        }
        assert needed <= set(fields), model.__name__


# Serialized like every transactional test here: a flush without it re-creates the content types that the
# next serialized test restores, which then collide.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_writers_settings_hold_for_its_transaction_only():
    # The import's and seed_demo's statements are checked per statement and never JIT-compiled; the
    # connection (persistent in a web worker) is left as it was for whatever runs on it next.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        before = cursor.fetchone()[0]
        with transaction.atomic():
            bulk.begin(cursor)
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == before


@pytest.mark.django_db
def test_copy_sends_a_large_buffer_in_pieces_and_writes_every_row(monkeypatch):
    # PostgreSQL refuses one COPY message over 1 GiB (seed_demo's actions at 1,000,000 reviews): the buffer goes
    # in pieces of COPY_CHUNK bytes, here a few bytes, so rows and values are split across messages.
    from reviews.models import Finding
    from tests.factories import ReviewFactory

    monkeypatch.setattr(bulk, "COPY_CHUNK", 7)
    review = ReviewFactory()
    assert COPY_FIELDS[Finding] == ("review_id", "category", "agency", "description")
    bulk.copy_rows(Finding, [(review.pk, "other", "", f"Finding number {n}") for n in range(50)])
    written = Finding.objects.filter(review=review).values_list("description", flat=True)
    assert sorted(written) == sorted(f"Finding number {n}" for n in range(50))
