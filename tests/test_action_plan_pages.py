"""A review's action plan page and its forms (SPEC section 9): who reads and who changes it, bad input shown
as GOV.UK errors with nothing written, two people saving the same action, and the audit trail."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from reviews.models import Contribution, Review
from reviews.plans import Action, Recommendation
from tests.factories import ActionFactory, RecommendationFactory, ReviewFactory, UserFactory, board

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
ORIGIN = {"Origin": "https://testserver"}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def review():
    made = ReviewFactory(board=board("E08000025"), status=Review.Status.SUBMITTED)
    Contribution.objects.create(review=made, board=board("E08000031"))
    return made


@pytest.fixture
def plan(review):
    recommendation = RecommendationFactory(review=review, number=1, agency="police")
    overdue = ActionFactory(recommendation=recommendation, number=1, due_date=TODAY - DAY)
    soon = ActionFactory(recommendation=recommendation, number=2, due_date=TODAY + 3 * DAY, status="in_progress")
    later = ActionFactory(recommendation=recommendation, number=3, due_date=TODAY + 60 * DAY)
    done = ActionFactory(
        recommendation=recommendation,
        number=4,
        due_date=TODAY - 30 * DAY,
        status="completed",
        completed_date=TODAY - 40 * DAY,
        evidence="Protocol signed by all agencies",
    )
    return {"recommendation": recommendation, "overdue": overdue, "soon": soon, "later": later, "done": done}


def signed_in(client, role="board_staff", boards=("E08000025",)):
    user = UserFactory(role=role, boards=list(boards)) if role == "board_staff" else UserFactory(role=role)
    client.force_login(user)
    return client


def action_form(action, **changes):
    data = {
        "version": action.version,
        "number": action.number,
        "description": action.description,
        "owner_agency": action.owner_agency,
        "due_date_day": action.due_date.day,
        "due_date_month": action.due_date.month,
        "due_date_year": action.due_date.year,
        "status": action.status,
        "completed_date_day": "",
        "completed_date_month": "",
        "completed_date_year": "",
        "evidence": action.evidence,
    }
    if action.completed_date:
        data |= {
            "completed_date_day": action.completed_date.day,
            "completed_date_month": action.completed_date.month,
            "completed_date_year": action.completed_date.year,
        }
    data.update(changes)
    return data


def edit_url(action):
    recommendation = action.recommendation
    return reverse("reviews:action_edit", args=[recommendation.review_id, recommendation.number, action.number])


# Reading ---------------------------------------------------------------------------------------------------


def test_the_plan_lists_recommendations_and_actions_with_overdue_and_due_soon_marked(client, review, plan):
    page = soup(signed_in(client).get(reverse("reviews:plan", args=[review.pk])))
    assert "Recommendation 1" in page.find(id="recommendation-1-heading").get_text()
    assert "Addressed to Police" in page.find(id="recommendation-1-heading").get_text()
    rows = {row["id"]: row.get_text(" ", strip=True) for row in page.select("tr[id^=action-]")}
    assert "Overdue" in rows["action-1-1"] and "Not started" in rows["action-1-1"]
    assert "Due soon" in rows["action-1-2"] and "Overdue" not in rows["action-1-2"]
    assert "Overdue" not in rows["action-1-3"] and "Due soon" not in rows["action-1-3"]
    assert "Completed" in rows["action-1-4"] and "Protocol signed by all agencies" in rows["action-1-4"]
    assert "Overdue" not in rows["action-1-4"]  # done, though its due date has passed
    assert page.find(id="plan-summary").get_text(" ", strip=True) == (
        "1 recommendation, 4 actions, 1 overdue , 1 due in the next 14 days."
    )


def test_the_review_page_links_to_the_plan_with_its_counts(client, review, plan):
    page = soup(signed_in(client).get(review.get_absolute_url()))
    link = page.find(id="plan-link")
    assert link["href"] == reverse("reviews:plan", args=[review.pk])
    assert link.get_text(strip=True) == "Action plan: 4 actions, 1 overdue"


@pytest.mark.parametrize(
    ("role", "boards", "answer", "may_change"),
    [
        ("board_staff", ("E08000025",), 200, True),  # the lead board
        ("board_staff", ("E08000031",), 200, False),  # a contributing board reads it
        ("board_staff", ("E08000026",), 404, False),  # another board: the review does not exist for them
        ("inspector", (), 200, False),
        ("manager", (), 200, False),
    ],
)
def test_who_reads_the_plan_and_who_may_change_it(client, review, plan, role, boards, answer, may_change):
    response = signed_in(client, role, boards).get(reverse("reviews:plan", args=[review.pk]))
    assert response.status_code == answer
    if answer == 200:
        adding = reverse("reviews:recommendation_new", args=[review.pk])
        assert bool(soup(response).find("a", href=adding)) is may_change


def test_inspectors_do_not_see_a_draft_reviews_plan(client, plan):
    draft = ReviewFactory(board=board("E08000025"), status=Review.Status.DRAFT, submitted_date=None)
    RecommendationFactory(review=draft, number=1)
    assert signed_in(client, "inspector").get(reverse("reviews:plan", args=[draft.pk])).status_code == 404


# Changing --------------------------------------------------------------------------------------------------


def test_the_lead_board_completes_an_action_with_evidence_after_submission(client, review, plan):
    action = plan["overdue"]
    data = action_form(
        action,
        status="completed",
        completed_date_day=TODAY.day,
        completed_date_month=TODAY.month,
        completed_date_year=TODAY.year,
        evidence="Audit of 40 referrals: all shared within 24 hours",
    )
    response = signed_in(client).post(edit_url(action), data, headers=ORIGIN)
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_date, action.version) == ("completed", TODAY, 2)
    history = soup(client.get(reverse("reviews:history", args=[review.pk]))).get_text(" ", strip=True)
    assert "Audit of 40 referrals" in history


def test_the_lead_board_adds_a_recommendation_and_an_action_at_any_status(client, review):
    Review.objects.filter(pk=review.pk).update(status=Review.Status.EVALUATED)
    client = signed_in(client)
    response = client.post(
        reverse("reviews:recommendation_new", args=[review.pk]),
        {"number": "1", "text": "Train staff in escalation", "agency": ""},
        headers=ORIGIN,
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get(review=review)
    assert (recommendation.number, recommendation.agency) == (1, "")
    response = client.post(
        reverse("reviews:action_new", args=[review.pk, 1]),
        {
            "number": "1",
            "description": "Run escalation training",
            "owner_agency": "health",
            "due_date_day": "31",
            "due_date_month": "3",
            "due_date_year": "2011",
            "status": "not_started",
            "evidence": "",
        },
        headers=ORIGIN,
    )
    assert response.status_code == 302
    assert Action.objects.get(recommendation=recommendation).due_date == datetime.date(2011, 3, 31)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "completed"}, "completed_date", "Enter the date the action was completed"),
        (
            {
                "status": "completed",
                "completed_date_day": "1",
                "completed_date_month": "1",
                "completed_date_year": str(TODAY.year + 1),
            },
            "completed_date",
            "must be today or in the past",
        ),
        (
            {"completed_date_day": "1", "completed_date_month": "1", "completed_date_year": "2010"},
            "completed_date",
            "Only a completed action has a date completed",
        ),
        ({"status": "withdrawn", "evidence": "  "}, "evidence", "Say why the action was withdrawn"),
        ({"number": "2"}, "number", "already has an action with this number"),
        ({"number": "0"}, "number", ""),
        ({"description": ""}, "description", ""),
        ({"owner_agency": "the_moon"}, "owner_agency", "Select the agency that owns the action"),
        ({"due_date_day": "31", "due_date_month": "2"}, "due_date", "real date"),
        ({"status": "finished"}, "status", "Select the status"),
    ],
)
def test_bad_input_on_an_action_is_shown_on_its_field_and_nothing_is_written(client, plan, changes, field, message):
    action = plan["overdue"]
    before = Action.objects.values().get(pk=action.pk)
    response = signed_in(client).post(edit_url(action), action_form(action, **changes), headers=ORIGIN)
    assert response.status_code == 200
    page = soup(response)
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert page.title.get_text().startswith("Error: ")
    error = page.find(id=f"id_{field}-error") or page.find(id=f"id_{field}_error")
    assert error is not None and message in error.get_text()
    assert Action.objects.values().get(pk=action.pk) == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"number": "1", "text": "Again", "agency": ""}, "number", "already has a recommendation with this number"),
        ({"number": "2", "text": " ", "agency": ""}, "text", ""),
        ({"number": "x", "text": "Text", "agency": ""}, "number", "must be a number"),
        ({"number": "2", "text": "Text", "agency": "aliens"}, "agency", "Select the agency"),
    ],
)
def test_bad_input_on_a_recommendation_is_shown_and_nothing_is_written(client, review, plan, data, field, message):
    response = signed_in(client).post(reverse("reviews:recommendation_new", args=[review.pk]), data, headers=ORIGIN)
    assert response.status_code == 200
    assert message in soup(response).select_one(".govuk-error-summary").get_text()
    assert Recommendation.objects.filter(review=review).count() == 1


@pytest.mark.parametrize(
    ("role", "boards", "answer"),
    [
        ("board_staff", ("E08000031",), 403),  # contributing board: reads, never writes
        ("board_staff", ("E08000026",), 404),
        ("inspector", (), 403),
        ("manager", (), 403),
    ],
)
def test_only_the_lead_board_changes_the_plan(client, review, plan, role, boards, answer):
    client = signed_in(client, role, boards)
    action = plan["overdue"]
    urls = [
        reverse("reviews:recommendation_new", args=[review.pk]),
        reverse("reviews:recommendation_edit", args=[review.pk, 1]),
        reverse("reviews:action_new", args=[review.pk, 1]),
        edit_url(action),
    ]
    for url in urls:
        assert client.get(url).status_code == answer
    withdrawing = action_form(action, status="withdrawn", evidence="x")
    assert client.post(edit_url(action), withdrawing, headers=ORIGIN).status_code == answer
    action.refresh_from_db()
    assert action.status == "not_started"


def test_a_second_save_of_the_same_action_is_refused_with_a_conflict_page(client, review, plan):
    action = plan["overdue"]
    first, second = signed_in(client), signed_in(type(client)())
    loaded = action_form(action)  # both people load the form at version 1
    saved = first.post(edit_url(action), loaded | {"status": "in_progress"}, headers=ORIGIN)
    assert saved.status_code == 302
    refused = second.post(edit_url(action), loaded | {"description": "Something else entirely"}, headers=ORIGIN)
    assert refused.status_code == 409
    page = soup(refused)
    differences = page.find(id="differences").get_text(" ", strip=True)
    assert "In progress" in differences and "Not started" in differences
    assert "Something else entirely" in page.find(id="id_description").get_text()  # what they typed, kept
    assert page.find("input", {"name": "version"})["value"] == "2"  # saving again is now a deliberate choice
    action.refresh_from_db()
    assert (action.status, action.version) == ("in_progress", 2)
    assert action.description != "Something else entirely"
    rebased = loaded | {"description": "Something else entirely", "version": "2"}
    again = second.post(edit_url(action), rebased, headers=ORIGIN)
    assert again.status_code == 302


def test_the_mark_as_completed_link_opens_the_form_with_completed_chosen(client, review, plan):
    page = soup(signed_in(client).get(edit_url(plan["overdue"]) + "?status=completed"))
    assert page.find("input", {"name": "status", "value": "completed"}).has_attr("checked")


def test_the_plan_page_costs_a_fixed_number_of_queries(client, review, plan, django_assert_max_num_queries):
    client = signed_in(client)
    url = reverse("reviews:plan", args=[review.pk])
    client.get(url)
    # Session, user, two-factor device, permissions (two), the review, recommendations, actions, may change.
    with django_assert_max_num_queries(9):
        client.get(url)
    RecommendationFactory.create_batch(3, review=review)
    with django_assert_max_num_queries(9):
        client.get(url)
