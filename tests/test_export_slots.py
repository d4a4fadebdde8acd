"""Exports under load (reviews/exports.py): each reads in its own transaction, so its first rows leave at once,
and a long one holds one of ``settings.EXPORT_SLOTS``; when every slot is taken another long export answers
"busy" at once. The tests make every export "long" (``SLOT_FREE_ROWS`` 0) unless they say otherwise."""

import pytest
from django.db import connections

from reviews import exports
from reviews.models import ReadEvent, Review
from tests.connections import second_session
from tests.factories import ReviewFactory
from tests.register_data import build_register, fresh_register_options  # noqa: F401 (autouse fixture)


def _other_session():
    """A second connection to the test database: another web worker, as far as the locks can tell."""
    return second_session(autocommit=True)


@pytest.fixture
def other_session():
    connection = _other_session()
    yield connection.cursor()
    connection.close()


@pytest.fixture(autouse=True)
def every_export_takes_a_slot(monkeypatch):
    monkeypatch.setattr(exports, "SLOT_FREE_ROWS", 0)


def hold_slot(cursor, slot):
    cursor.execute("SELECT pg_advisory_lock(%s, %s)", [exports.SLOT_LOCK_CLASS, slot])


@pytest.fixture
def another_worker_exporting(client, inspector, settings, other_session):
    """The register's reviews, an inspector signed in, and slot 0 held by another connection (another worker
    streaming an export); returns a function that sets how many slots there are."""
    build_register()
    hold_slot(other_session, 0)
    client.force_login(inspector)

    def slots(number):
        settings.EXPORT_SLOTS = number

    return slots


def slot_is_free(cursor, slot):
    cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [exports.SLOT_LOCK_CLASS, slot])
    taken = cursor.fetchone()[0]
    if taken:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [exports.SLOT_LOCK_CLASS, slot])
    return taken


@pytest.mark.django_db
@pytest.mark.usefixtures("reporting_shares_default")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_when_every_slot_is_taken_is_busy_at_once_and_records_nothing(client, another_worker_exporting, fmt):
    another_worker_exporting(1)

    response = client.get(f"/reviews/export.{fmt}?judgement=inadequate")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    assert "Sorry, the service is busy" in response.content.decode()
    assert not ReadEvent.objects.filter(kind=ReadEvent.Kind.EXPORT).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("reporting_shares_default")
def test_a_free_slot_lets_the_export_in(client, another_worker_exporting, other_session):
    another_worker_exporting(2)

    response = client.get("/reviews/export.csv")

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.count("\r\n") == 1 + Review.objects.exclude(status="draft").count()
    assert not slot_is_free(other_session, 1)  # this export's slot, held until the test's transaction ends


@pytest.mark.django_db
@pytest.mark.usefixtures("reporting_shares_default")
def test_a_short_export_needs_no_slot(client, another_worker_exporting, monkeypatch):
    monkeypatch.setattr(exports, "SLOT_FREE_ROWS", 3)
    another_worker_exporting(1)

    assert client.get("/reviews/export.csv?judgement=inadequate").status_code == 503  # 4 rows: more than 3
    response = client.get("/reviews/export.csv?judgement=good")
    assert response.status_code == 200
    assert 1 <= int(response["X-Export-Rows"]) <= 3
    response.close()


@pytest.mark.django_db
@pytest.mark.usefixtures("reporting_shares_default")
def test_no_slots_means_no_limit(client, another_worker_exporting):
    another_worker_exporting(0)
    response = client.get("/reviews/export.csv")
    assert response.status_code == 200
    response.close()  # as every WSGI server does: the export's transaction ends with the response


@pytest.mark.django_db
@pytest.mark.usefixtures("reporting_shares_default")
def test_the_rows_come_through_a_cursor_that_is_not_held_past_its_transaction(inspector):
    """A WITH HOLD cursor (Django's choice outside a transaction) is run to the end before its first row."""
    ReviewFactory.create_batch(3)
    queryset = Review.objects.for_user(inspector).using(exports.REPORTING_DB).order_by("reference")
    reading = exports.ExportReading().start(queryset)
    try:
        chunks = exports.csv_chunks(queryset, rows_per_chunk=1)
        first = next(chunks)
        with connections[exports.REPORTING_DB].cursor() as cursor:
            cursor.execute("SELECT is_holdable FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
            cursors = cursor.fetchall()
        chunks.close()
    finally:
        reading.close()
    assert first.startswith("reference,title,")
    assert cursors == [(False,)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "reporting"])
@pytest.mark.usefixtures("reference_data_kept")
def test_the_slot_is_free_again_when_the_download_ends_or_is_abandoned(client, inspector, settings):
    ReviewFactory.create_batch(3, status="submitted")
    settings.EXPORT_SLOTS = 1
    client.force_login(inspector)
    watcher = _other_session()
    try:
        cursor = watcher.cursor()
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/reviews/export.{fmt}")
            assert response.status_code == 200
            b"".join(response.streaming_content)
            response.close()
            assert slot_is_free(cursor, 0), fmt

        abandoned = client.get("/reviews/export.csv")
        assert abandoned.status_code == 200
        assert not slot_is_free(cursor, 0)  # held while the download is open
        abandoned.close()  # the client went away before reading a byte
        assert slot_is_free(cursor, 0)
        assert not connections[exports.REPORTING_DB].in_atomic_block
    finally:
        watcher.close()


@pytest.mark.django_db
@pytest.mark.usefixtures("reporting_shares_default")
def test_an_export_response_dropped_without_being_closed_is_ended_by_the_next_request(client, inspector):
    """A middleware failing after the view would drop the response unclosed: the next request ends its
    transaction before using the database."""
    ReviewFactory.create_batch(2, status="submitted")
    client.force_login(inspector)
    connection = connections[exports.REPORTING_DB]
    depth = len(connection.atomic_blocks)

    dropped = client.get("/reviews/export.csv")
    assert dropped.status_code == 200
    assert len(connection.atomic_blocks) == depth + 1

    assert client.get("/reviews/").status_code == 200
    assert len(connection.atomic_blocks) == depth


@pytest.mark.django_db
@pytest.mark.usefixtures("reporting_shares_default")
def test_a_failure_while_starting_an_export_ends_its_transaction(inspector, monkeypatch):
    def fails(slots):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports.ExportReading, "_take_slot", staticmethod(fails))
    ReviewFactory(status="submitted")
    connection = connections[exports.REPORTING_DB]
    depth = len(connection.atomic_blocks)
    queryset = Review.objects.for_user(inspector).using(exports.REPORTING_DB)

    with pytest.raises(RuntimeError):
        exports.ExportReading().start(queryset)

    assert len(connection.atomic_blocks) == depth
    assert not exports._open_readings()
    assert Review.objects.count() == 1  # the test's own transaction is still usable
