"""Random query strings and form posts never give a 500 (hypothesis), for every role and page."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import HTTPSClient
from tests.factories import EvaluationFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])

# Parameter names the pages know, plus some they don't; values from the valid ones to plain junk.
NAMES = [
    "q",
    "judgement",
    "year",
    "board",
    "region",
    "category",
    "outcome",
    "known_to_social_care",
    "cross_area",
    "status",
    "o",
    "page",
    "per_page",
    "sort",
    "group",
    "publication",
    "span",
    "next",
    "reference",
    "title",
    "board",
    "other_boards",
    "incident_date-day",
    "incident_date-month",
    "incident_date-year",
    "summary",
    "children-TOTAL_FORMS",
    "children-INITIAL_FORMS",
    "children-0-pseudonym",
    "children-0-outcome",
    "findings-TOTAL_FORMS",
    "findings-0-category",
    "received_date-year",
    "completed_date-day",
    "judgement",
    "version",
    "name",
    "query",
    "code",
    "username",
    "password",
    "add_child",
    "remove_child",
    "id",
    "pk",
    "x",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "inadequate",
            "2008-09",
            "E08000025",
            "E12000005",
            "weak_management",
            "died",
            "yes",
            "no",
            "-reference",
            "evaluated",
            "999999",
            "-1",
            "0",
            "1000",
            "1e9",
            "2008-13",
            "board",
            "national",
            "\x00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "%",
            "__proto__",
        ]
    ),
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
PAIRS = st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=8)
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def world(db):
    board_user = UserFactory(role="board_staff", boards=["E08000025"])
    draft = ReviewFactory(status="draft", submitted_date=None)
    evaluated = EvaluationFactory(judgement="inadequate").review
    return {
        "board_staff": board_user,
        "inspector": UserFactory(role="inspector"),
        "manager": UserFactory(role="manager"),
        "admin": UserFactory(role="admin"),
        "draft": draft,
        "evaluated": evaluated,
    }


def signed_in(user):
    client = HTTPSClient()
    client.raise_request_exception = False
    client.force_login(user)
    return client


GET_PATHS = [
    "/reviews/",
    "/reviews/export.csv",
    "/reviews/export.xlsx",
    "/reviews/saved/",
    "/reviews/saved/new/",
    "/dashboard/",
    "/dashboard/api/summary",
    "/dashboard/api/judgement-rates",
    "/dashboard/judgement-rates.csv",
    "/reviews/{draft}/",
    "/reviews/{evaluated}/history/",
    "/reviews/new/",
]
POST_PATHS = [
    "/reviews/new/",
    "/reviews/{draft}/edit/",
    "/reviews/{draft}/submit/",
    "/reviews/{evaluated}/evaluate/",
    "/reviews/saved/new/",
    "/accounts/two-factor/",
    "/accounts/logout/",
]


@pytest.mark.parametrize("role", ["board_staff", "inspector", "manager", "admin"])
@FUZZ
@given(pairs=PAIRS, path=st.sampled_from(GET_PATHS))
def test_random_query_strings_never_give_a_server_error(world, role, pairs, path):
    url = path.format(draft=world["draft"].pk, evaluated=world["evaluated"].pk)
    response = signed_in(world[role]).get(url, [(name, value.replace("\x00", "")) for name, value in pairs])
    assert response.status_code < 500, (url, pairs)


@pytest.mark.parametrize("role", ["board_staff", "inspector", "admin"])
@FUZZ
@given(pairs=PAIRS, path=st.sampled_from(POST_PATHS))
def test_random_form_posts_never_give_a_server_error(world, role, pairs, path):
    url = path.format(draft=world["draft"].pk, evaluated=world["evaluated"].pk)
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value.replace("\x00", ""))
    response = signed_in(world[role]).post(url, data)
    assert response.status_code < 500, (url, data)


@FUZZ
@given(pairs=PAIRS)
def test_random_sign_in_posts_never_give_a_server_error(world, pairs):
    client = HTTPSClient()
    client.raise_request_exception = False
    response = client.post("/accounts/login/", {name: value.replace("\x00", "") for name, value in pairs})
    assert response.status_code < 500
