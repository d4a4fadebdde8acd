"""The action-plan figures of SPEC section 9 on an as-of day, on a plan worked out by hand, and their JSON API
``/dashboard/api/actions`` for every role.

As of D = 31 March 2011:

board (region)        action  due         status       completed   counted as
Birmingham (W Mids)   a1      2011-03-31  not_started  -           open (due on D: not overdue)
                      a2      2011-03-30  in_progress  -           open, overdue
                      a3      2011-03-01  completed    2011-03-31  completed (on D), late
                      a4      2011-04-30  completed    2011-03-15  completed
                      a5      2011-01-01  completed    2011-04-01  open (completed after D), overdue
                      a6      2010-01-01  withdrawn    -           not counted
                      a7      2011-03-31  completed    2011-03-31  completed on its due day: not late
  (a draft review)    d1      2010-01-01  not_started  -           not counted (draft review)
Coventry (W Mids)     c1      2010-12-31  not_started  -           open, overdue
                      c2      2011-06-30  completed    2011-02-01  completed
Leeds (Yorkshire)     l1      2011-01-01  completed    2011-02-01  completed, late

Birmingham 6 actions, 3 completed, 3 open, 2 overdue (33.3%), 1 late; Coventry 2, 1, 1, 1 (50.0%), 0;
Leeds 1, 1, 0, 0 (0.0%), 1; West Midlands 8, 4, 4, 3 (37.5%), 1; England 9, 5, 4, 3 (33.3%), 2.
"""

import datetime

import pytest

from reviews.models import Action, Review
from tests.dashboard_data import BIRMINGHAM, COVENTRY, LEEDS, WEST_MIDLANDS, YORKSHIRE, signed_in
from tests.factories import ActionFactory, RecommendationFactory, ReviewFactory, UserFactory, board

pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache")

D = datetime.date
AS_OF = D(2011, 3, 31)
KEYS = ["actions", "completed", "open", "overdue", "overdue_pct", "completed_late"]


def figures(actions, completed, open_, overdue, pct, late):
    return dict(zip(KEYS, [actions, completed, open_, overdue, pct, late], strict=True))


BIRMINGHAM_FIGURES = figures(6, 3, 3, 2, 33.3, 1)
COVENTRY_FIGURES = figures(2, 1, 1, 1, 50.0, 0)
LEEDS_FIGURES = figures(1, 1, 0, 0, 0.0, 1)


def plan(review, *rows):
    recommendation = RecommendationFactory(review=review, number=1)
    for number, (due, status, completed, *evidence) in enumerate(rows, start=1):
        ActionFactory(
            recommendation=recommendation,
            number=number,
            due_date=due,
            status=status,
            completed_date=completed,
            evidence=evidence[0] if evidence else "",
        )


@pytest.fixture
def plans(reporting_shares_default):
    birmingham = ReviewFactory(board=board(BIRMINGHAM), status=Review.Status.SUBMITTED)
    plan(
        birmingham,
        (D(2011, 3, 31), "not_started", None),
        (D(2011, 3, 30), "in_progress", None),
        (D(2011, 3, 1), "completed", D(2011, 3, 31)),
        (D(2011, 4, 30), "completed", D(2011, 3, 15)),
        (D(2011, 1, 1), "completed", D(2011, 4, 1)),
        (D(2010, 1, 1), "withdrawn", None, "The service was recommissioned."),
        (D(2011, 3, 31), "completed", D(2011, 3, 31)),
    )
    draft = ReviewFactory(board=board(BIRMINGHAM), status=Review.Status.DRAFT, submitted_date=None)
    plan(draft, (D(2010, 1, 1), "not_started", None))
    coventry = ReviewFactory(board=board(COVENTRY), status=Review.Status.EVALUATED)
    coventry.contributions.create(board=board(BIRMINGHAM))
    plan(coventry, (D(2010, 12, 31), "not_started", None), (D(2011, 6, 30), "completed", D(2011, 2, 1)))
    leeds = ReviewFactory(board=board(LEEDS), status=Review.Status.SUBMITTED)
    plan(leeds, (D(2011, 1, 1), "completed", D(2011, 2, 1)))


def counts(queryset, as_of=AS_OF):
    return queryset.figures(as_of)


# --- Counting -------------------------------------------------------------------------------------------------


def test_the_figures_count_each_edge_as_the_spec_says(plans):
    assert counts(Action.objects.counted()) == {
        "actions": 9,
        "completed": 5,
        "open": 4,
        "overdue": 3,
        "completed_late": 2,
    }


def test_drafts_and_withdrawn_actions_are_never_counted(plans):
    assert Action.objects.count() == 11
    counted = Action.objects.counted()
    assert not counted.filter(status="withdrawn").exists()
    assert not counted.filter(recommendation__review__status="draft").exists()


def test_the_figures_per_board_are_one_row_each_ordered_by_board(plans):
    rows = Action.objects.counted().figures_by_board(AS_OF)
    assert [row["board_id"] for row in rows] == sorted(board(code).pk for code in (BIRMINGHAM, COVENTRY, LEEDS))
    by_board = {row.pop("board_id"): row for row in rows}
    assert by_board[board(BIRMINGHAM).pk] == {
        "actions": 6,
        "completed": 3,
        "open": 3,
        "overdue": 2,
        "completed_late": 1,
    }


def test_the_day_after_an_action_due_today_is_overdue_and_one_completed_then_counts_late(plans):
    birmingham = Action.objects.counted().filter(recommendation__review__board__gss_code=BIRMINGHAM)
    assert counts(birmingham, D(2011, 4, 1)) == {
        "actions": 6,
        "completed": 4,  # a5, completed on 1 April, now counts
        "open": 2,
        "overdue": 2,  # a1 (due 31 March) joins; a5 leaves
        "completed_late": 2,  # a3 and a5
    }


def test_before_anything_was_due_or_done_everything_is_open_and_nothing_overdue(plans):
    assert counts(Action.objects.counted(), D(2009, 1, 1)) == {
        "actions": 9,
        "completed": 0,
        "open": 9,
        "overdue": 0,
        "completed_late": 0,
    }


def test_no_actions_count_zero(db):
    assert Action.objects.counted().figures(AS_OF) == dict.fromkeys(
        ["actions", "completed", "open", "overdue", "completed_late"], 0
    )


# --- The API --------------------------------------------------------------------------------------------------


def api(client, status=200, **params):
    response = client.get("/dashboard/api/actions", params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def row(key, name, values):
    return {"key": key, "name": name, **values}


def test_the_api_answers_the_spec_shape_with_every_board_for_a_manager(client, manager, plans):
    answer = api(signed_in(client, manager), as_of="2011-03-31")
    assert list(answer) == ["as_of", *KEYS, "rows"]
    assert answer == {
        "as_of": "2011-03-31",
        **figures(9, 5, 4, 3, 33.3, 2),
        "rows": [
            row(BIRMINGHAM, "Birmingham", BIRMINGHAM_FIGURES),
            row(COVENTRY, "Coventry", COVENTRY_FIGURES),
            row(LEEDS, "Leeds", LEEDS_FIGURES),
        ],
    }
    assert list(answer["rows"][0]) == ["key", "name", *KEYS]


def test_the_api_narrows_to_a_region_or_a_board(client, inspector, plans):
    client = signed_in(client, inspector)
    region = api(client, as_of="2011-03-31", region=WEST_MIDLANDS)
    assert {k: region[k] for k in KEYS} == figures(8, 4, 4, 3, 37.5, 1)
    assert [r["key"] for r in region["rows"]] == [BIRMINGHAM, COVENTRY]
    one = api(client, as_of="2011-03-31", board=COVENTRY)
    assert {k: one[k] for k in KEYS} == COVENTRY_FIGURES
    assert [r["key"] for r in one["rows"]] == [COVENTRY]
    elsewhere = api(client, as_of="2011-03-31", region=YORKSHIRE, board=COVENTRY)
    assert elsewhere["actions"] == 0
    assert elsewhere["overdue_pct"] is None
    assert elsewhere["rows"] == []


def test_the_as_of_day_is_today_unless_given(client, manager, plans):
    from django.utils import timezone

    assert api(signed_in(client, manager))["as_of"] == timezone.localdate().isoformat()


def test_the_overdue_percentage_is_rounded_half_up_and_null_without_actions(client, manager, reporting_shares_default):
    client = signed_in(client, manager)
    assert api(client, as_of="2011-03-31")["overdue_pct"] is None
    review = ReviewFactory(board=board(LEEDS))
    # 1 overdue of 16 is 6.25%: half up gives 6.3 (banker's rounding would give 6.2).
    plan(review, (D(2011, 1, 1), "not_started", None), *[(D(2012, 1, 1), "not_started", None)] * 15)
    answer = api(client, as_of="2011-03-31")
    assert (answer["overdue"], answer["actions"], answer["overdue_pct"]) == (1, 16, 6.3)
    assert answer["rows"][0]["overdue_pct"] == 6.3


@pytest.mark.parametrize("role", ["inspector", "admin"])
def test_inspectors_and_admins_see_every_boards_row(client, plans, role):
    answer = api(signed_in(client, UserFactory(role=role)), as_of="2011-03-31")
    assert [r["key"] for r in answer["rows"]] == [BIRMINGHAM, COVENTRY, LEEDS]


def test_board_staff_get_the_national_and_regional_totals_and_their_own_boards_rows_only(client, board_user, plans):
    client = signed_in(client, board_user)  # Birmingham (contributes to Coventry's review)
    national = api(client, as_of="2011-03-31")
    assert {k: national[k] for k in KEYS} == figures(9, 5, 4, 3, 33.3, 2)
    assert national["rows"] == [row(BIRMINGHAM, "Birmingham", BIRMINGHAM_FIGURES)]
    regional = api(client, as_of="2011-03-31", region=YORKSHIRE)
    assert {k: regional[k] for k in KEYS} == LEEDS_FIGURES
    assert regional["rows"] == []
    own = api(client, as_of="2011-03-31", board=BIRMINGHAM)
    assert {k: own[k] for k in KEYS} == BIRMINGHAM_FIGURES


@pytest.mark.parametrize("code", [COVENTRY, LEEDS, "E08999999", "birmingham"])
def test_board_staff_asking_for_another_board_or_an_unknown_one_get_404(client, board_user, plans, code):
    assert api(signed_in(client, board_user), status=404, board=code) == {"error": "No such board"}


def test_a_contributing_boards_staff_see_only_their_own_row(client, plans):
    coventry_staff = UserFactory(role="board_staff", boards=[COVENTRY])
    answer = api(signed_in(client, coventry_staff), as_of="2011-03-31")
    assert answer["rows"] == [row(COVENTRY, "Coventry", COVENTRY_FIGURES)]
    assert api(signed_in(client, coventry_staff), status=404, board=BIRMINGHAM) == {"error": "No such board"}


def test_an_unknown_board_is_404_for_a_manager_too(client, manager, plans):
    assert api(signed_in(client, manager), status=404, board="E08999999") == {"error": "No such board"}


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "2011-3-31"},
        {"as_of": "20110331"},
        {"as_of": "2011-02-30"},
        {"as_of": "31/03/2011"},
        {"as_of": "2011-03-31T00:00"},
        {"as_of": "yesterday"},
        {"region": "E99999999"},
        {"region": "West Midlands"},
    ],
)
def test_a_malformed_as_of_or_an_unknown_region_answers_400_with_an_error(client, manager, plans, params):
    body = api(signed_in(client, manager), status=400, **params)
    assert list(body) == ["error"]
    assert body["error"]


def test_the_api_is_for_signed_in_dashboard_readers_only(client, plans):
    response = client.get("/dashboard/api/actions")
    assert response.status_code == 302  # to the sign-in page
    nobody = UserFactory()
    assert signed_in(client, nobody).get("/dashboard/api/actions").status_code == 403


def test_the_api_counts_in_one_query_and_keeps_the_answer_until_the_data_changes(
    client, manager, plans, django_assert_num_queries
):
    client = signed_in(client, manager)
    api(client, as_of="2011-03-30")  # the session and the user's permissions are loaded once
    # The session, the user, their two-factor device, their permissions (two), the dashboard reader's boards,
    # the data version, and the figures: one query, whatever the number of boards and actions.
    with django_assert_num_queries(8):
        first = api(client, as_of="2011-03-31")
    with django_assert_num_queries(7):  # kept: no figures query
        assert api(client, as_of="2011-03-31") == first
    Action.objects.filter(status="in_progress").update(status="completed", completed_date=D(2011, 3, 31))
    again = api(client, as_of="2011-03-31")
    assert (again["completed"], again["overdue"]) == (first["completed"] + 1, first["overdue"] - 1)
