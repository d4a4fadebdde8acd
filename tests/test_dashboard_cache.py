"""The dashboard keeps results in Django's cache under a data version: repeated questions cost one small query,
and every committed write (insert, update, delete, by the ORM or not) changes the version, so numbers are never
stale."""

import pytest
from django.db import connection

from dashboard import queries
from reviews.models import Evaluation
from tests.connections import second_session
from tests.dashboard_data import LEEDS, D, make_review

pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache")


def reviews_in(client, year="2008-09"):
    response = client.get("/dashboard/api/summary", {"year": year})
    assert response.status_code == 200
    return response.json()["reviews"]


def test_a_repeated_question_is_answered_from_the_cache(client, manager, register, django_assert_num_queries):
    client.force_login(manager)
    assert reviews_in(client) == 5
    # Session, user, their own and their groups' permissions, the second factor's device, the boards, the
    # data version: no aggregate query.
    with django_assert_num_queries(7):
        assert reviews_in(client) == 5


def test_a_new_evaluation_shows_at_once(client, manager, register):
    client.force_login(manager)
    assert reviews_in(client) == 5
    make_review("N1", LEEDS, decision=D(2008, 1, 1), completed=D(2008, 3, 1),
                evaluations=[(1, D(2008, 5, 1), D(2008, 6, 1), "good")])  # fmt: skip
    assert reviews_in(client) == 6


def test_a_changed_judgement_shows_at_once(client, manager, register):
    client.force_login(manager)
    before = client.get("/dashboard/api/summary", {"year": "2008-09"}).json()["judgements"]["good"]["count"]
    evaluation = Evaluation.objects.get(review=register["R5"])
    evaluation.judgement = "good"
    evaluation.save()
    after = client.get("/dashboard/api/summary", {"year": "2008-09"}).json()["judgements"]["good"]["count"]
    assert after == before + 1


def test_a_deleted_review_disappears_at_once(client, manager, register):
    client.force_login(manager)
    assert reviews_in(client) == 5
    register["R5"].delete()
    assert reviews_in(client) == 4


def test_a_write_without_audit_triggers_still_changes_the_version(client, manager, register):
    client.force_login(manager)
    assert reviews_in(client, "2010-11") == 0
    review = register["R5"]
    with connection.cursor() as cursor:  # as a bulk load does: straight SQL, no audit event
        cursor.execute(
            "INSERT INTO reviews_evaluation (review_id, sequence, received_date, completed_date, judgement, summary,"
            " terms_of_reference, overview_and_imrs, timescales, equality_and_diversity, family_involvement,"
            " created_at) VALUES (%s, 2, '2010-05-01', '2010-06-01', 'good', '', '', '', '', '', '', now())",
            [review.pk],
        )
    assert reviews_in(client, "2010-11") == 1


def test_a_write_in_progress_elsewhere_changes_the_version_only_when_it_commits(reporting_shares_default):
    other = second_session()
    try:
        before = queries.data_version()
        with other.cursor() as cursor:  # a statement that writes no row still counts: the triggers are per statement
            cursor.execute("UPDATE reviews_region SET name = name WHERE id < 0")
        assert queries.data_version() == before  # a result computed now is still right once it commits...
        other.commit()
        assert queries.data_version() != before  # ...and is not used after
    finally:
        other.close()


def test_the_page_is_kept_until_the_data_changes(client, manager, register, django_assert_num_queries):
    client.force_login(manager)

    def headline():
        page = client.get("/dashboard/", {"year": "2008-09"}).content.decode()
        return page.split("In 2008-09 Ofsted completed ", 1)[1].split(" evaluations", 1)[0]

    assert headline() == "5"
    # Session, user, their own and their groups' permissions (which the navigation reads the role from too),
    # second factor, boards, the data version: nothing else.
    with django_assert_num_queries(7):
        assert headline() == "5"
    make_review("N2", LEEDS, decision=D(2008, 1, 1), completed=D(2008, 3, 1),
                evaluations=[(1, D(2008, 5, 1), D(2008, 6, 1), "good")])  # fmt: skip
    assert headline() == "6"


def test_the_judgement_rates_answer_is_kept_until_the_data_changes(client, manager, register):
    client.force_login(manager)
    first = client.get("/dashboard/api/judgement-rates", {"group": "national"}).json()
    assert client.get("/dashboard/api/judgement-rates", {"group": "national"}).json() == first
    make_review("N3", LEEDS, decision=D(2008, 1, 1), completed=D(2008, 3, 1),
                evaluations=[(1, D(2008, 5, 1), D(2008, 6, 1), "good")])  # fmt: skip
    rows = client.get("/dashboard/api/judgement-rates", {"group": "national"}).json()["rows"]
    assert rows[0]["reviews"] == first["rows"][0]["reviews"] + 1
