"""The access matrix: every URL name of the project x every role -> the answer, derived from the roles'
permissions (reviews/roles.py GROUP_PERMISSIONS) and what each view declares it needs (NEEDS below).

A URL name with no entry in NEEDS fails `test_every_url_name_declares_what_it_needs`; Django's admin is
summarised by two representative URLs. The expected answers are computed by `expected()` from the role's
permissions, never written per row, and every (URL, role[, review]) cell is requested for real. CONTRACT
keeps the hand-written rows this matrix replaced: `expected()` must give each of them.

Roles: anonymous, a user with no role, board staff of the review's lead board (Birmingham), of a board that
contributed to it (Wolverhampton) and of an unrelated board (Coventry), inspector, manager, admin
(superuser). 404 means the user may not know the review (or saved view) exists; 403 means they may read it
but not do this, or the page is not for their role.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reviews.accounts import ROLES_THAT_NEED_A_SECOND_FACTOR
from reviews.models import Contribution, Review, SavedView
from reviews.roles import GROUP_PERMISSIONS
from tests.conftest import HTTPSClient
from tests.factories import (
    ActionFactory,
    DocumentFactory,
    EvaluationFactory,
    RecommendationFactory,
    ReviewFactory,
    UserFactory,
    board,
)

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])

LEAD, CONTRIBUTING, OTHER = "E08000025", "E08000031", "E08000026"  # Birmingham, Wolverhampton, Coventry
ANONYMOUS, NO_ROLE, ADMIN = "anonymous", "no_role", "admin"
BOARD_STAFF = {"board_staff": LEAD, "board_staff_contributing": CONTRIBUTING, "board_staff_other_board": OTHER}
ROLES = [ANONYMOUS, NO_ROLE, *BOARD_STAFF, "inspector", "manager", ADMIN]
STATUSES = ["draft", "submitted", "evaluated"]


def permissions_of(role):
    """What the role holds: its group's permissions; every permission for admins; nothing otherwise."""
    if role == ADMIN:
        return {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    group = "board_staff" if role in BOARD_STAFF else role
    return set(GROUP_PERMISSIONS.get(group, []))


@dataclass(frozen=True)
class Need:
    """What a view asks of its user before it answers ``ok``.

    ``any_of``: alternatives, each a tuple of permissions held together (empty: signed in is enough).
    ``public``: anonymous users are answered too (``login_not_required``), with ``anonymous``; otherwise
    they are sent to sign in (302). ``staff``: Django's admin site (``is_staff``). ``member``: the user
    belongs to some board (a new review needs a lead board of theirs).
    For a review's pages (``review``): the user must be able to read the review (``Review.objects.for_user``),
    else 404; ``lead_board`` and ``statuses`` narrow who may act and when (else 403).
    For a saved view's pages (``saved_view``): the saved view must be the user's own, else 404.
    """

    any_of: tuple = ()
    ok: int = 200
    refused: int = 403
    public: bool = False
    anonymous: int = 302
    signed_in: int | None = None  # public pages that answer every signed-in user the same
    without_second_factor: int | None = None  # users whose role needs no second factor and who set none up
    staff: bool = False
    member: bool = False
    review: bool = False
    lead_board: bool = False
    plan_editor: bool = False  # the lead board's staff (and admins), whatever the review's status
    board_staff_ok: int | None = None  # board staff's answer, when it is not ``ok``
    statuses: tuple = tuple(STATUSES)
    saved_view: bool = False
    args: tuple = ()
    query: str = ""


VIEW_REVIEW = ("reviews.view_review",)
PLAN_CHANGE = ("reviews.change_recommendation", "reviews.change_action")
DOCUMENT_CHANGE = ("reviews.add_document", "reviews.change_document", "reviews.delete_document")
DOCUMENT = "the review's document"  # an argument the test replaces with the id of the review's document
NEEDS = {
    # Signing in and out.
    "healthz": Need(public=True, anonymous=200, signed_in=200),
    "login": Need(public=True, anonymous=200, signed_in=302),  # a signed-in user is sent on
    "signed_out": Need(public=True, anonymous=200, signed_in=200),
    "logout": Need(ok=405),  # POST only
    "two_factor": Need(ok=302),  # the test clients have given their second factor already
    "two_factor_setup": Need(ok=302, without_second_factor=200),  # set up already: sent on to give it
    "admin_login": Need(public=True, staff=True, ok=302),
    # Each role's start page; board staff's is here (their boards' overdue and due-soon actions); no role: whom
    # to ask.
    "home": Need(any_of=(VIEW_REVIEW,), ok=302, board_staff_ok=200),
    # The register, its exports and saved views.
    "reviews:list": Need(any_of=(VIEW_REVIEW,)),
    "reviews:export_csv": Need(any_of=(("reviews.export_reviews",), ("reviews.view_review", "reviews.submit_review"))),
    "reviews:export_xlsx": Need(any_of=(("reviews.export_reviews",), ("reviews.view_review", "reviews.submit_review"))),
    "reviews:saved_views": Need(any_of=(("reviews.view_savedview",),)),
    "reviews:saved_view_new": Need(any_of=(("reviews.add_savedview",),)),
    "reviews:saved_view_open": Need(any_of=(("reviews.view_savedview",),), saved_view=True, ok=302),
    "reviews:saved_view_delete": Need(any_of=(("reviews.delete_savedview",),), saved_view=True),
    # A review's pages.
    "reviews:new": Need(any_of=(("reviews.add_review",),), member=True),
    "reviews:detail": Need(review=True),
    "reviews:history": Need(review=True),
    "reviews:edit": Need(any_of=(("reviews.change_review",),), review=True, lead_board=True, statuses=("draft",)),
    "reviews:submit": Need(any_of=(("reviews.submit_review",),), review=True, lead_board=True, statuses=("draft",)),
    "reviews:evaluate": Need(any_of=(("reviews.evaluate_review",),), review=True, statuses=("submitted", "evaluated")),
    # A review's action plan: read with the review; changed by the lead board at any status (args after the
    # review's id: the recommendation's number, then the action's).
    "reviews:plan": Need(review=True),
    "reviews:recommendation_new": Need(any_of=(PLAN_CHANGE,), review=True, plan_editor=True),
    "reviews:recommendation_edit": Need(any_of=(PLAN_CHANGE,), review=True, plan_editor=True, args=(1,)),
    "reviews:action_new": Need(any_of=(PLAN_CHANGE,), review=True, plan_editor=True, args=(1,)),
    "reviews:action_edit": Need(any_of=(PLAN_CHANGE,), review=True, plan_editor=True, args=(1, 1)),
    # A review's documents: listed and downloaded with the review; uploaded (a POST to the list), replaced and
    # deleted by the lead board at any status (DOCUMENT: the review's document's id).
    "reviews:documents": Need(review=True),
    "reviews:document_download": Need(review=True, args=(DOCUMENT,)),
    "reviews:document_replace": Need(any_of=(DOCUMENT_CHANGE,), review=True, plan_editor=True, args=(DOCUMENT,)),
    "reviews:document_delete": Need(any_of=(DOCUMENT_CHANGE,), review=True, plan_editor=True, args=(DOCUMENT,)),
    # The action tracker and its export: whoever reads actions (each sees those Action.objects.for_user gives).
    "actions:list": Need(any_of=(("reviews.view_action",),)),
    "actions:export_csv": Need(any_of=(("reviews.view_action",),)),
    # The dashboard: everyone who reads reviews (board staff scoped to their boards).
    "dashboard:index": Need(any_of=(("reviews.view_dashboard",), VIEW_REVIEW)),
    "dashboard:download": Need(any_of=(("reviews.view_dashboard",), VIEW_REVIEW), args=("summary",)),
    "dashboard:api-summary": Need(any_of=(("reviews.view_dashboard",), VIEW_REVIEW), query="year=2008-09"),
    "dashboard:api-judgement-rates": Need(any_of=(("reviews.view_dashboard",), VIEW_REVIEW), query="group=region"),
    "dashboard:api-actions": Need(any_of=(("reviews.view_dashboard",), VIEW_REVIEW), query="as_of=2011-03-31"),
    # Django's admin, summarised: the index and one model's list. Others are sent to admin_login (its 403).
    "admin:index": Need(staff=True, refused=302),
    "admin:reviews_review_changelist": Need(staff=True, refused=302),
}
ADMIN_REPRESENTATIVES = {name for name in NEEDS if name.startswith("admin:")}


def readable(role, status):
    """Whether the role reads the Birmingham review (contributed to by Wolverhampton) in this status: SPEC
    section 2, as ``Review.objects.for_user`` decides it."""
    held = permissions_of(role)
    if role == ADMIN:
        return True
    if "reviews.view_all_reviews" in held:
        return status != "draft"
    if role == "board_staff":
        return True
    if role == "board_staff_contributing":
        return status != "draft"
    return False


def expected(name, role, status=None, owner=None):
    """The answer the URL gives the role, from the role's permissions and the view's declared needs.

    ``status``: the review's, for a review's pages; ``owner``: "own" or "another user's" for saved views.
    """
    need = NEEDS[name]
    if role == ANONYMOUS:
        return need.anonymous if need.public else 302
    if need.signed_in is not None:
        return need.signed_in
    if need.without_second_factor is not None and role not in ROLES_THAT_NEED_A_SECOND_FACTOR:
        return need.without_second_factor
    if need.staff:
        return need.ok if role == ADMIN else need.refused
    if need.review and not readable(role, status):
        return 404
    held = permissions_of(role)
    if need.any_of and not any(set(alternative) <= held for alternative in need.any_of):
        return need.refused
    if need.member and role not in BOARD_STAFF:
        return need.refused
    if need.lead_board and role not in ("board_staff",):
        return need.refused
    if need.plan_editor and role not in ("board_staff", ADMIN):
        return need.refused
    if need.board_staff_ok is not None and role in BOARD_STAFF:
        return need.board_staff_ok
    if status is not None and status not in need.statuses:
        return need.refused
    if need.saved_view and owner != "own":
        return 404
    return need.ok


def url_names(patterns=None, namespace=""):
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_name_declares_what_it_needs():
    names = url_names()
    admin_names = {name for name in names if name.startswith("admin:")}
    assert names - admin_names == set(NEEDS) - ADMIN_REPRESENTATIVES
    assert admin_names >= ADMIN_REPRESENTATIVES


def client_for(role):
    client = HTTPSClient()
    if role == ANONYMOUS:
        return client, None
    if role == NO_ROLE:
        user = UserFactory()
    elif role in BOARD_STAFF:
        user = UserFactory(role="board_staff", boards=[BOARD_STAFF[role]])
    else:
        user = UserFactory(role=role)
    client.force_login(user)
    return client, user


def review(status, lead=LEAD):
    """A review of the lead board (Birmingham) that Wolverhampton contributed to, in this status."""
    made = ReviewFactory(
        board=board(lead),
        status="submitted" if status == "evaluated" else status,
        submitted_date=None if status == "draft" else datetime.date(2008, 6, 10),
    )
    Contribution.objects.create(review=made, board=board(CONTRIBUTING))
    ActionFactory(recommendation=RecommendationFactory(review=made, number=1), number=1)
    DocumentFactory(review=made)
    if status == "evaluated":
        # Judged inadequate, so it may be evaluated again.
        EvaluationFactory(review=made, judgement="inadequate")
        Review.objects.filter(pk=made.pk).update(status="evaluated")
    return made


REVIEW_URLS = [name for name, need in NEEDS.items() if need.review]
SAVED_VIEW_URLS = [name for name, need in NEEDS.items() if need.saved_view]
OTHER_URLS = [name for name in NEEDS if name not in REVIEW_URLS and name not in SAVED_VIEW_URLS]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", REVIEW_URLS)
def test_a_reviews_pages_answer_every_role_as_its_permissions_say(name, role, status):
    target = review(status)
    client, _ = client_for(role)
    document = target.documents.get().pk
    args = [document if arg == DOCUMENT else arg for arg in NEEDS[name].args]
    response = client.get(reverse(name, args=[target.pk, *args]))
    assert response.status_code == expected(name, role, status)


@pytest.mark.parametrize("owner", ["own", "another user's"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", SAVED_VIEW_URLS)
def test_saved_view_pages_answer_every_role_as_its_permissions_say(name, role, owner):
    client, user = client_for(role)
    if user is None or owner != "own":
        user = UserFactory(role="inspector")
    saved = SavedView.objects.create(owner=user, name="Inadequate", query_string="judgement=inadequate")
    response = client.get(reverse(name, args=[saved.pk]))
    assert response.status_code == expected(name, role, owner=owner)
    assert SavedView.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", OTHER_URLS)
def test_every_other_page_answers_every_role_as_its_permissions_say(name, role):
    client, _ = client_for(role)
    need = NEEDS[name]
    url = reverse(name, args=need.args) + (f"?{need.query}" if need.query else "")
    response = client.get(url)
    assert response.status_code == expected(name, role)


# The hand-written matrix this one replaced: (url name, role, the review's board, its status) -> answer for a
# review's pages, (url name, role) -> answer for the others. Each row is the contract: expected() must agree.
CONTRACT_REVIEW_PAGES = {
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
CONTRACT_PAGES = {
    # None = not signed in.
    "healthz": {None: 200, "board_staff": 200},
    "login": {None: 200},
    "signed_out": {None: 200},
    "home": {None: 302, "board_staff": 200, "inspector": 302, "manager": 302, "admin": 302, "no_role": 403},
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
}
# Without their required parameter the APIs answer 400 to whoever may call them (asked for real below).
CONTRACT_API_WITHOUT_PARAMETERS = {
    "dashboard:api-summary": {None: 302, "manager": 400},  # no year= given
    "dashboard:api-judgement-rates": {None: 302, "manager": 400, "inspector": 400},  # no group= given
}


def contract_role(role, where):
    """The contract's board staff are Birmingham's: another board's review is what Coventry's staff see of
    Birmingham's (neither contributed to the other's)."""
    return "board_staff_other_board" if role == "board_staff" and where == "other" else role


def test_the_derived_matrix_keeps_every_row_of_the_hand_written_one():
    disagreements = [
        (name, role, where, status, answer, expected(name, contract_role(role, where), status))
        for name, by_role in CONTRACT_REVIEW_PAGES.items()
        for role, cases in by_role.items()
        for (where, status), answer in cases.items()
        if expected(name, contract_role(role, where), status) != answer
    ]
    disagreements += [
        (name, role, answer, expected(name, role or ANONYMOUS))
        for name, by_role in CONTRACT_PAGES.items()
        for role, answer in by_role.items()
        if expected(name, role or ANONYMOUS) != answer
    ]
    assert disagreements == []


@pytest.mark.parametrize(
    ("name", "role", "answer"),
    [
        (name, role, answer)
        for name, by_role in CONTRACT_API_WITHOUT_PARAMETERS.items()
        for role, answer in by_role.items()
    ],
)
def test_the_apis_without_their_required_parameter_answer_as_the_contract_says(name, role, answer):
    client, _ = client_for(role or ANONYMOUS)
    assert client.get(reverse(name)).status_code == answer
    if answer == 400:
        assert expected(name, role) == NEEDS[name].ok  # the same roles are let in when the parameter is given
