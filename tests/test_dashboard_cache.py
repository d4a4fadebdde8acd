"""The dashboard keeps results per process under a data version: repeated questions cost one small query, and
every committed write (insert, update, delete, by the ORM or not) changes the version, so numbers are never stale."""

import psycopg2
import pytest
from django.db import connection

from dashboard import queries
from reviews.models import Evaluation
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


def test_a_cached_result_lapses_when_a_writer_it_saw_finishes():
    cache = queries._Cache()
    seen = queries.DataVersion(maxima=(1, 2), writers=frozenset({"3/7"}))
    cache.put("question", seen, "answer")
    assert cache.get("question", queries.DataVersion((1, 2), frozenset({"3/7", "4/9"}))) == "answer"
    # 3/7 committed since: it may have written rows with ids below the maxima, so the answer may be old.
    assert cache.get("question", queries.DataVersion((1, 2), frozenset({"4/9"}))) is None


def test_a_new_version_drops_every_older_result():
    cache = queries._Cache()
    cache.put("question", queries.DataVersion((1, 2), frozenset()), "old")
    cache.put("other", queries.DataVersion((1, 3), frozenset()), "new")
    assert cache.get("question", queries.DataVersion((1, 2), frozenset())) is None
    assert cache.get("other", queries.DataVersion((1, 3), frozenset())) == "new"


def test_a_write_in_progress_elsewhere_is_seen_as_a_writer(reporting_shares_default):
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("LOCK TABLE reviews_finding IN ROW EXCLUSIVE MODE")  # what an INSERT takes
            cursor.execute("SELECT virtualtransaction FROM pg_locks WHERE pid = pg_backend_pid() LIMIT 1")
            writer = cursor.fetchone()[0]
        assert writer in queries.data_version().writers
        other.commit()
        assert writer not in queries.data_version().writers
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


def test_the_cache_keeps_results_up_to_its_weight():
    cache = queries._Cache(size=4)
    version = queries.DataVersion((1,), frozenset())
    cache.put("small", version, "s")
    cache.put("big", version, "b", weight=3)
    assert cache.get("small", version) == "s"
    cache.put("other", version, "o")  # over the weight: the least recently used ("big") goes
    assert cache.get("big", version) is None
    assert cache.get("small", version) == "s" and cache.get("other", version) == "o"
    cache.put("huge", version, "h", weight=5)  # heavier than the whole cache: not kept
    assert cache.get("huge", version) is None
