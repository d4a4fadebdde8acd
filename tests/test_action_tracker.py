"""The action tracker /actions/ and its export (SPEC section 9), and board staff's start page: who sees which
actions, every filter, invalid values as GOV.UK errors with no rows (400 on the export), the export being
exactly the filtered list and formula-safe, and the page's cost in queries."""

import csv
import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from reviews.models import Contribution, Review
from tests.factories import ActionFactory, RecommendationFactory, ReviewFactory, UserFactory, board

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
BIRMINGHAM, WOLVERHAMPTON, COVENTRY, LEEDS = "E08000025", "E08000031", "E08000026", "E08000035"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def act(review, rec, number, due, status="not_started", owner="police", description=None, **extra):
    recommendation = review.recommendations.filter(number=rec).first()
    recommendation = recommendation or RecommendationFactory(review=review, number=rec)
    return ActionFactory(
        recommendation=recommendation,
        number=number,
        due_date=due,
        status=status,
        owner_agency=owner,
        description=description or f"{review.reference} {rec}.{number}",
        **extra,
    )


@pytest.fixture
def world():
    """Birmingham: a submitted review (Wolverhampton contributed) and a draft; Coventry and Leeds: one each."""
    brum = ReviewFactory(reference="SCR-B-1", board=board(BIRMINGHAM))
    Contribution.objects.create(review=brum, board=board(WOLVERHAMPTON))
    draft = ReviewFactory(reference="SCR-B-2", board=board(BIRMINGHAM), status=Review.Status.DRAFT, submitted_date=None)
    cov = ReviewFactory(reference="SCR-C-1", board=board(COVENTRY))
    leeds = ReviewFactory(reference="SCR-L-1", board=board(LEEDS))
    return {
        "b_overdue": act(brum, 1, 1, TODAY - DAY),
        "b_soon": act(brum, 1, 2, TODAY + 5 * DAY, status="in_progress", owner="health"),
        "b_done": act(brum, 2, 1, TODAY - 9 * DAY, status="completed", completed_date=TODAY - 10 * DAY),
        "draft": act(draft, 1, 1, TODAY - 3 * DAY),
        "c_overdue": act(cov, 1, 1, TODAY - 20 * DAY, owner="health"),
        "c_withdrawn": act(cov, 1, 2, TODAY - 20 * DAY, status="withdrawn", evidence="Service closed"),
        "l_later": act(leeds, 1, 1, TODAY + 90 * DAY, description='=HYPERLINK("http://x")'),
    }


def signed_in(client, role="board_staff", boards=(BIRMINGHAM,)):
    user = UserFactory(role=role, boards=list(boards)) if role == "board_staff" else UserFactory(role=role)
    client.force_login(user)
    return client


def listed(response):
    """The (reference, action number) of each row, in order."""
    assert response.status_code == 200
    rows = soup(response).select("#actions-table tbody tr")
    return [(row.find_all("td")[0].get_text(strip=True), row.find_all("td")[2].get_text(strip=True)) for row in rows]


def tracker(client, **query):
    return client.get(reverse("actions:list"), query)


@pytest.mark.parametrize(
    ("role", "boards", "expected"),
    [
        # Own boards' actions, drafts included, and submitted reviews contributed to; never another board's.
        ("board_staff", (BIRMINGHAM,), {"SCR-B-1", "SCR-B-2"}),
        ("board_staff", (WOLVERHAMPTON,), {"SCR-B-1"}),
        ("board_staff", (COVENTRY,), {"SCR-C-1"}),
        ("inspector", (), {"SCR-B-1", "SCR-C-1", "SCR-L-1"}),
        ("manager", (), {"SCR-B-1", "SCR-C-1", "SCR-L-1"}),
    ],
)
def test_each_role_sees_the_actions_it_may_read(client, world, role, boards, expected):
    client = signed_in(client, role, boards)
    assert {reference for reference, _ in listed(tracker(client))} == expected
    exported = list(csv.DictReader(io.StringIO(b"".join(client.get(reverse("actions:export_csv"))).decode())))
    assert {row["review"] for row in exported} == expected


def test_a_user_without_a_role_is_refused(client, world):
    client.force_login(UserFactory())
    assert tracker(client).status_code == 403
    assert client.get(reverse("actions:export_csv")).status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["SCR-C-1 1.1", "SCR-C-1 1.2", "SCR-B-1 2.1", "SCR-B-1 1.1", "SCR-B-1 1.2", "SCR-L-1 1.1"]),
        ({"board": BIRMINGHAM}, ["SCR-B-1 2.1", "SCR-B-1 1.1", "SCR-B-1 1.2"]),
        ({"board": [BIRMINGHAM, LEEDS]}, ["SCR-B-1 2.1", "SCR-B-1 1.1", "SCR-B-1 1.2", "SCR-L-1 1.1"]),
        ({"region": "E12000003"}, ["SCR-L-1 1.1"]),  # Yorkshire and The Humber
        ({"status": "withdrawn"}, ["SCR-C-1 1.2"]),
        ({"status": ["completed", "in_progress"]}, ["SCR-B-1 2.1", "SCR-B-1 1.2"]),
        ({"owner_agency": "health"}, ["SCR-C-1 1.1", "SCR-B-1 1.2"]),
        ({"overdue": "yes"}, ["SCR-C-1 1.1", "SCR-B-1 1.1"]),  # not the completed one, nor the withdrawn one
        ({"due_after": (TODAY - DAY).isoformat()}, ["SCR-B-1 1.1", "SCR-B-1 1.2", "SCR-L-1 1.1"]),  # inclusive
        ({"due_before": (TODAY - DAY).isoformat()}, ["SCR-C-1 1.1", "SCR-C-1 1.2", "SCR-B-1 2.1", "SCR-B-1 1.1"]),
        ({"o": "-due"}, ["SCR-L-1 1.1", "SCR-B-1 1.2", "SCR-B-1 1.1", "SCR-B-1 2.1", "SCR-C-1 1.2", "SCR-C-1 1.1"]),
        ({"o": "review"}, ["SCR-B-1 1.1", "SCR-B-1 1.2", "SCR-B-1 2.1", "SCR-C-1 1.1", "SCR-C-1 1.2", "SCR-L-1 1.1"]),
    ],
)
def test_every_filter_and_sort_narrows_the_list_and_the_export_alike(client, world, query, expected):
    client = signed_in(client, "inspector")
    assert [f"{reference} {number}" for reference, number in listed(tracker(client, **query))] == expected
    response = client.get(reverse("actions:export_csv"), query)
    assert response["Content-Type"].startswith("text/csv")
    exported = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert exported[0][:3] == ["review", "recommendation", "action"]
    assert [f"{row[0]} {row[1]}.{row[2]}" for row in exported[1:]] == expected


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"board": "E99999999"}, "board", "There is no board with the code E99999999"),
        ({"region": "Atlantis"}, "region", "There is no region with the code Atlantis"),
        ({"status": "done"}, "status", "There is no action status done"),
        ({"owner_agency": "the_moon"}, "owner_agency", "There is no agency the_moon"),
        ({"overdue": "no"}, "overdue", "Overdue can only be"),
        ({"due_after": "31/03/2011"}, "due_after", "must be a real date"),
        ({"due_before": "2011-02-30"}, "due_before", "must be a real date"),
        ({"o": "title"}, "o", "Sort by due date"),
    ],
)
def test_invalid_filters_are_gov_uk_errors_with_no_rows_and_400_on_the_export(client, world, query, field, message):
    client = signed_in(client, "inspector")
    response = tracker(client, **query)
    assert response.status_code == 200
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert summary.find("a")["href"].startswith(f"#id_{field}")
    assert not page.select("#actions-table tbody tr")
    exported = client.get(reverse("actions:export_csv"), query)
    assert exported.status_code == 400
    assert message in exported.content.decode()


@pytest.mark.parametrize("page", ["0", "x", "9"])
def test_a_page_that_does_not_exist_is_an_error_not_a_500(client, world, page):
    response = tracker(signed_in(client, "inspector"), page=page)
    assert response.status_code == 200
    assert soup(response).select_one(".govuk-error-summary") is not None
    assert not soup(response).select("#actions-table tbody tr")


def test_the_list_is_paginated_with_a_count(client):
    review = ReviewFactory(board=board(BIRMINGHAM))
    for number in range(1, 31):
        act(review, 1, number, TODAY + number * DAY)
    client = signed_in(client)
    first = soup(tracker(client))
    assert first.find(id="results-count").get_text(strip=True) == "Showing 1 to 25 of 30 actions"
    second = soup(tracker(client, page=2))
    assert second.find(id="results-count").get_text(strip=True) == "Showing 26 to 30 of 30 actions"
    assert len(second.select("#actions-table tbody tr")) == 5


def test_the_export_is_formula_safe(client, world):
    response = signed_in(client, "inspector").get(reverse("actions:export_csv"), {"board": LEEDS})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["description"] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"board": BIRMINGHAM},
        {"region": "E12000005"},
        {"status": "not_started"},
        {"owner_agency": "police"},
        {"overdue": "yes"},
        {"due_after": "2000-01-01"},
        {"due_before": "2100-01-01"},
        {"o": "-due"},
    ],
)
@pytest.mark.parametrize("role", ["board_staff", "inspector"])
def test_page_one_with_any_single_filter_costs_at_most_six_queries(
    client, world, query, role, django_assert_max_num_queries
):
    client = signed_in(client, role)
    tracker(client, **query)  # the boards and regions are loaded once per process
    with django_assert_max_num_queries(6):
        assert tracker(client, **query).status_code == 200


def test_the_start_page_shows_a_board_users_overdue_and_due_soon_actions_first(client, world):
    response = signed_in(client).get("/")
    assert response.status_code == 200
    page = soup(response)
    overdue = page.find(id="overdue")
    assert "2 actions" in overdue.find("h2").get_text()  # the draft review's too: the board still owes it
    assert [row.find("td").get_text(strip=True) for row in overdue.select("tbody tr")] == ["SCR-B-2", "SCR-B-1"]
    assert "SCR-C-1" not in page.get_text()
    soon = page.find(id="due_soon")
    assert [row.find_all("td")[1].get_text(strip=True) for row in soon.select("tbody tr")] == ["1.2"]
    link = overdue.find("a", string=lambda text: text and text.startswith("See all"))
    assert listed(client.get(link["href"])) == [("SCR-B-2", "1.1"), ("SCR-B-1", "1.1")]
    soon_link = soon.find("a", string=lambda text: text and text.startswith("See all"))
    assert listed(client.get(soon_link["href"])) == [("SCR-B-1", "1.2")]


def test_the_start_page_for_a_contributing_board_leaves_out_reviews_it_does_not_lead(client, world):
    page = soup(signed_in(client, boards=(WOLVERHAMPTON,)).get("/"))
    assert "SCR-B-1" not in page.get_text()


@pytest.mark.parametrize("role", ["inspector", "manager"])
def test_other_roles_are_still_sent_to_their_start_page(client, role):
    assert signed_in(client, role).get("/").status_code == 302


def test_a_long_list_is_counted_up_to_the_rows_offered_page_by_page(client, monkeypatch):
    monkeypatch.setattr("reviews.views.tracker.MAX_BROWSABLE_ROWS", 30)
    review = ReviewFactory(board=board(BIRMINGHAM))
    for number in range(1, 41):
        act(review, 1, number, TODAY + number * DAY)
    client = signed_in(client)
    page = soup(tracker(client))
    assert page.find(id="results-count").get_text(strip=True) == "Showing 1 to 25 of more than 30 actions"
    assert page.find(id="results-capped") is not None
    deep = soup(tracker(client, page=3))
    assert "Only the first 30 actions can be shown page by page" in deep.select_one(".govuk-error-summary").get_text()
