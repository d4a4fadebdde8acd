"""Fault drills: a backup restores to an equal database."""

import io

import pytest
from django.conf import settings

from ops.backup_restore import run_drill
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("reference_data_kept")
def test_backup_restores_every_row_and_the_same_reviews():
    evaluation = EvaluationFactory(review__summary="Quotes \"'; commas, non-ASCII é and <b>markup</b>")
    ChildFactory(review=evaluation.review)
    FindingFactory(review=evaluation.review)
    out = io.StringIO()

    report = run_drill(settings.DATABASES["default"], out=out)

    assert report["equal"]
    assert report["after"]["tables"]["reviews_review"] == 1
    assert report["after"]["tables"]["reviews_board"] == 170
    assert report["after"]["tables"]["reviews_reviewevent"] >= 1
    assert report["before"]["reviews_checksum"] == report["after"]["reviews_checksum"]
    assert "Drill passed: nothing lost." in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("reference_data_kept")
def test_database_lost_mid_request_gives_a_503_page_and_the_next_request_recovers(client, inspector, monkeypatch):
    from django.db import close_old_connections, connection

    from reviews.views import review as review_views

    review = EvaluationFactory().review
    client.force_login(inspector)
    client.raise_request_exception = False
    real_access_review = review_views.access_review

    def lose_the_database(*args, **kwargs):
        # The server ends this connection, as a failover or restart would, in the middle of the request.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(review_views, "access_review", lose_the_database)
    response = client.get(review.get_absolute_url())
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"

    monkeypatch.setattr(review_views, "access_review", real_access_review)
    # What Django's request_started signal does in a server (the test client switches it off).
    close_old_connections()
    assert client.get(review.get_absolute_url()).status_code == 200
