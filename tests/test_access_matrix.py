"""The access matrix: one table of role x page x whose review x its status -> the answer, for every URL.

A new URL pattern with no row here fails `test_every_url_pattern_has_a_row_in_the_matrix`.
Rows: (url name, role, board, status, expected GET status). `board` is "own" (Birmingham, the board user's
board) or "other" (Coventry); `status` is the review's. 404 means the user may not know the review exists;
403 means they may read it but not do this.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reviews.models import Review
from tests.conftest import HTTPSClient
from tests.factories import EvaluationFactory, ReviewFactory, UserFactory, board

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])

ROLES = ["board_staff", "inspector", "manager", "admin", "no_role"]
REVIEW_PAGES = {
    # page: {role: {(board, status): expected}}
    "reviews:detail": {
        "board_staff": {
            ("own", "draft"): 200,
            ("own", "submitted"): 200,
            ("own", "evaluated"): 200,
            ("other", "draft"): 404,
            ("other", "submitted"): 404,
            ("other", "evaluated"): 404,
        },
        "inspector": {("own", "draft"): 404, ("other", "submitted"): 200, ("other", "evaluated"): 200},
        "manager": {("own", "draft"): 404, ("other", "submitted"): 200, ("other", "evaluated"): 200},
        "admin": {("own", "draft"): 200, ("other", "evaluated"): 200},
        "no_role": {("own", "submitted"): 404},
    },
    "reviews:history": {
        "board_staff": {("own", "draft"): 200, ("other", "submitted"): 404},
        "inspector": {("own", "draft"): 404, ("other", "evaluated"): 200},
        "manager": {("other", "submitted"): 200},
        "admin": {("own", "draft"): 200},
        "no_role": {("own", "submitted"): 404},
    },
    "reviews:edit": {
        "board_staff": {("own", "draft"): 200, ("own", "submitted"): 403, ("other", "draft"): 404},
        "inspector": {("own", "draft"): 404, ("other", "submitted"): 403},
        "manager": {("other", "submitted"): 403},
        "no_role": {("own", "draft"): 404},
    },
    "reviews:submit": {
        "board_staff": {("own", "draft"): 200, ("own", "submitted"): 403, ("other", "draft"): 404},
        "inspector": {("other", "submitted"): 403},
        "manager": {("other", "submitted"): 403},
        "no_role": {("own", "draft"): 404},
    },
    "reviews:evaluate": {
        "board_staff": {("own", "submitted"): 403, ("other", "submitted"): 404},
        "inspector": {("own", "draft"): 404, ("other", "submitted"): 200},
        "manager": {("other", "submitted"): 403},
        "admin": {("other", "submitted"): 200},
        "no_role": {("other", "submitted"): 404},
    },
}
PAGES = {
    # page: {role: expected GET status}; None = not signed in.
    "healthz": {None: 200, "board_staff": 200},
    "login": {None: 200},
    "signed_out": {None: 200},
    "home": {None: 302, "board_staff": 302, "inspector": 302, "manager": 302, "admin": 302, "no_role": 403},
    "logout": {"board_staff": 405},
    "two_factor": {None: 302, "inspector": 302},
    "two_factor_setup": {None: 302},
    "admin_login": {None: 302},
    "reviews:list": {None: 302, "board_staff": 200, "inspector": 200, "manager": 200, "admin": 200},
    "reviews:new": {None: 302, "board_staff": 200, "inspector": 403, "manager": 403},
    "reviews:export_csv": {None: 302, "inspector": 200, "manager": 200, "admin": 200},
    "reviews:export_xlsx": {None: 302, "inspector": 200, "manager": 200},
    "reviews:saved_views": {None: 302, "inspector": 200},
    "reviews:saved_view_new": {None: 302, "inspector": 200},
    "dashboard:index": {None: 302, "board_staff": 200, "inspector": 200, "manager": 200, "admin": 200},
    "dashboard:api-summary": {None: 302, "manager": 400},  # no year= given
    "dashboard:api-judgement-rates": {None: 302, "manager": 400, "inspector": 400},  # no group= given
}
# Pages whose rows live in their own tests because they need an object the matrix does not make.
COVERED_ELSEWHERE = {
    "reviews:saved_view_open": "tests/test_saved_views.py (another user's saved view is a 404)",
    "reviews:saved_view_delete": "tests/test_saved_views.py",
    "dashboard:download": "tests/test_dashboard.py (every table's CSV, scoped)",
}


def url_names(patterns=None, namespace=""):
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: behind is_staff and the second factor (tests/test_admin.py)
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_a_row_in_the_matrix():
    assert url_names() == set(REVIEW_PAGES) | set(PAGES) | set(COVERED_ELSEWHERE)


def client_for(role):
    client = HTTPSClient()
    if role is None:
        return client
    if role == "no_role":
        user = UserFactory()
    elif role == "board_staff":
        user = UserFactory(role="board_staff", boards=["E08000025"])
    else:
        user = UserFactory(role=role)
    client.force_login(user)
    return client


def review(where, status):
    made = ReviewFactory(
        board=board("E08000025" if where == "own" else "E08000026"),
        status="submitted" if status == "evaluated" else status,
        submitted_date=None if status == "draft" else datetime.date(2008, 6, 10),
    )
    if status == "evaluated":
        EvaluationFactory(review=made, judgement="inadequate")
        Review.objects.filter(pk=made.pk).update(status="evaluated")
    return made


REVIEW_ROWS = [
    (page, role, where, status, expected)
    for page, by_role in REVIEW_PAGES.items()
    for role, cases in by_role.items()
    for (where, status), expected in cases.items()
]


@pytest.mark.parametrize(("page", "role", "where", "status", "expected"), REVIEW_ROWS)
def test_review_pages_answer_each_role_as_the_matrix_says(page, role, where, status, expected):
    target = review(where, status)
    response = client_for(role).get(reverse(page, args=[target.pk]))
    assert response.status_code == expected


PAGE_ROWS = [(page, role, expected) for page, by_role in PAGES.items() for role, expected in by_role.items()]


@pytest.mark.parametrize(("page", "role", "expected"), PAGE_ROWS)
def test_pages_answer_each_role_as_the_matrix_says(page, role, expected):
    response = client_for(role).get(reverse(page))
    assert response.status_code == expected
