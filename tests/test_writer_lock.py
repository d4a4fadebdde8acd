"""Writers of the dashboard's tables take the reporting lock (the data version row) before any row lock, so a
long import and a form save on the same review take turns instead of deadlocking (reviews/reporting.py)."""

import io
import threading
import time

import pytest
from django.db import connection

from reviews import editing, reporting
from reviews.imports import import_reviews
from reviews.models import Child, Review
from tests.connections import second_session
from tests.factories import ChildFactory, ReviewFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data_kept"),
]

REVIEWS_HEADER = (
    "reference,board,other_boards,title,incident_date,decision_date,completed_date,submitted_date,"
    "independent_chair,independent_author,summary"
)
CHILDREN_HEADER = (
    "review,pseudonym,sex,age_band,ethnicity,outcome,known_to_social_care,child_protection_plan,looked_after"
)


def _waiting_on_locks(observer):
    with observer.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _until(condition, *, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


class Worker(threading.Thread):
    """Runs ``function`` on its own database connection; keeps its result or the exception it raised."""

    def __init__(self, function):
        super().__init__(daemon=True)
        self.function, self.result, self.error = function, None, None

    def run(self):
        try:
            self.result = self.function()
        except Exception as exc:  # the test asserts on whatever happened, a deadlock included
            self.error = exc
        finally:
            connection.close()


def test_a_long_import_and_a_form_save_on_the_same_review_take_turns():
    board_user = UserFactory(role="board_staff", boards=["E08000025"])
    draft = ReviewFactory(reference="SCR-DRAFT", status=Review.Status.DRAFT, submitted_date=None)
    other = ReviewFactory(reference="SCR-OTHER")
    ChildFactory(review=other, pseudonym="Child B")
    files = {
        # A new review first (its COPY bumps the data version), then the other review's children replaced (held
        # up below, so the import is "long"), then the draft changed: the order reviews/imports/writing.py writes.
        "reviews.csv": f"{REVIEWS_HEADER}\n"
        "SCR-NEW,E08000025,,A new review,,,,,,,\n"
        "SCR-OTHER,E08000025,,Changed by the import,2008-01-10,2008-02-01,2008-06-01,2008-06-10,,,\n"
        "SCR-DRAFT,E08000025,,Changed by the import,2008-01-10,2008-02-01,2008-06-01,,,,\n",
        "children.csv": f"{CHILDREN_HEADER}\nSCR-OTHER,Child C,female,under_1,,died,yes,,\n",
    }

    def save_form():
        # What ReviewEditor.save() does: the reporting lock, then the draft's row lock and version check.
        with reporting.writing():
            review = editing.lock_draft(user=board_user, review_id=draft.pk, version=draft.version)
            review.title = "Changed in the form"
            editing.save_draft(review, version=draft.version)
        return review

    def run_import():
        return import_reviews(files={name: io.BytesIO(text.encode()) for name, text in files.items()})

    observer, blocker = second_session(autocommit=True), second_session()
    try:
        with blocker.cursor() as cursor:  # another session holds the other review's child: the import waits there
            cursor.execute("SELECT id FROM reviews_child WHERE review_id = %s FOR UPDATE", [other.pk])
        importer = Worker(run_import)
        importer.start()
        _until(lambda: _waiting_on_locks(observer) == 1 or not importer.is_alive())
        assert importer.is_alive(), (importer.error, importer.result)
        form = Worker(save_form)
        form.start()
        _until(lambda: _waiting_on_locks(observer) == 2)
        blocker.rollback()  # the import goes on, to the draft the form save is writing
        importer.join(30)
        form.join(30)
    finally:
        blocker.close()
        observer.close()

    assert importer.error is None, importer.error
    assert importer.result.errors == []
    # The form save waited for the import and then found the draft changed under it: refused, nothing lost.
    assert isinstance(form.error, editing.EditConflict), form.error
    draft.refresh_from_db()
    assert draft.title == "Changed by the import"
    assert Child.objects.filter(review=other).count() == 1
