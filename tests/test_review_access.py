"""Who may open and post to a review's own pages: 404 for what the user may not read, 403 for what they may
read but not do (and the CSRF token on every form that writes)."""

import re

import pytest
from django.http import Http404
from django.urls import reverse

from reviews.access import access_review
from reviews.models import Contribution, Review
from tests.conftest import HTTPSClient
from tests.factories import ReviewFactory, UserFactory, board
from tests.review_pages import ORIGIN, edit_data, review_data

PAGES = ["detail", "edit", "submit", "evaluate", "history"]
WRITES = ["edit", "submit", "evaluate"]


def url(name, review):
    return reverse(f"reviews:{name}", args=[review.pk])


@pytest.fixture
def coventry_draft(coventry):
    return ReviewFactory(board=coventry, status=Review.Status.DRAFT, submitted_date=None)


@pytest.fixture
def coventry_submitted(coventry):
    return ReviewFactory(board=coventry)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_board_staff_get_a_404_for_another_boards_review_on_every_page(client, board_user, coventry, page, status):
    review = ReviewFactory(board=coventry, status=status)
    client.force_login(board_user)
    assert client.get(url(page, review)).status_code == 404
    assert client.post(url(page, review), {"version": review.version}, headers=ORIGIN).status_code in (404, 405)


def test_a_review_id_that_does_not_exist_is_a_404_like_another_boards(client, board_user):
    client.force_login(board_user)
    for page in PAGES:
        assert client.get(reverse(f"reviews:{page}", args=[999999])).status_code == 404


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["inspector", "manager"])
def test_drafts_are_invisible_to_inspectors_and_managers(client, coventry_draft, page, role):
    client.force_login(UserFactory(role=role))
    assert client.get(url(page, coventry_draft)).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("inspector", {"detail": 200, "edit": 403, "submit": 403, "evaluate": 200, "history": 200}),
        ("manager", {"detail": 200, "edit": 403, "submit": 403, "evaluate": 403, "history": 200}),
        ("admin", {"detail": 200, "edit": 403, "submit": 403, "evaluate": 200, "history": 200}),
    ],
)
def test_ofsted_roles_read_submitted_reviews_and_only_inspectors_evaluate(client, coventry_submitted, role, expected):
    client.force_login(UserFactory(role=role))
    assert {page: client.get(url(page, coventry_submitted)).status_code for page in PAGES} == expected


def test_a_contributing_board_reads_a_submitted_review_but_cannot_change_it(client, board_user, coventry, birmingham):
    review = ReviewFactory(board=coventry)
    Contribution.objects.create(review=review, board=birmingham)
    client.force_login(board_user)
    statuses = {page: client.get(url(page, review)).status_code for page in PAGES}
    assert statuses == {"detail": 200, "edit": 403, "submit": 403, "evaluate": 403, "history": 200}
    data = edit_data(review, title="Changed by a contributor")
    data["board"] = str(coventry.pk)
    assert client.post(url("edit", review), data, headers=ORIGIN).status_code == 403
    review.refresh_from_db()
    assert review.title != "Changed by a contributor"


def test_a_contributing_board_cannot_see_the_draft(client, board_user, coventry, birmingham):
    review = ReviewFactory(board=coventry, status=Review.Status.DRAFT, submitted_date=None)
    Contribution.objects.create(review=review, board=birmingham)
    client.force_login(board_user)
    assert client.get(url("detail", review)).status_code == 404


def test_the_lead_boards_staff_edit_and_submit_their_draft(client, board_user, birmingham):
    review = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None)
    client.force_login(board_user)
    assert {page: client.get(url(page, review)).status_code for page in PAGES} == {
        "detail": 200,
        "edit": 200,
        "submit": 200,
        "evaluate": 403,
        "history": 200,
    }


@pytest.mark.parametrize("role", ["inspector", "manager", "admin"])
def test_only_board_staff_log_reviews(client, db, role):
    client.force_login(UserFactory(role=role))
    assert client.get("/reviews/new/").status_code == 403
    assert client.post("/reviews/new/", review_data(board("E08000025")), headers=ORIGIN).status_code == 403
    assert not Review.objects.exists()


def test_board_staff_with_no_board_cannot_log_a_review(client, db):
    client.force_login(UserFactory(role="board_staff"))
    assert client.get("/reviews/new/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, coventry_submitted):
    for target in ["/reviews/new/", *(url(page, coventry_submitted) for page in PAGES)]:
        response = client.get(target)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


# CSRF ------------------------------------------------------------------------------------------------------


def csrf_client(user):
    client = HTTPSClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token_from(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def test_every_form_that_writes_needs_the_csrf_token(board_user, inspector, birmingham):
    draft = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None)
    submitted = ReviewFactory(board=birmingham)
    posts = [
        (board_user, "/reviews/new/", review_data(birmingham)),
        (board_user, url("edit", draft), edit_data(draft, title="Forged")),
        (board_user, url("submit", draft), {"version": draft.version}),
        (inspector, url("evaluate", submitted), {"sequence": "1", "judgement": "good"}),
    ]
    for user, target, data in posts:
        client = csrf_client(user)
        assert client.post(target, data, headers=ORIGIN).status_code == 403, target
    draft.refresh_from_db()
    assert draft.title != "Forged" and draft.status == "draft"
    assert Review.objects.count() == 2
    assert not submitted.evaluations.exists()


def test_the_forms_carry_a_csrf_token_that_lets_the_real_user_save(board_user, birmingham):
    draft = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None)
    client = csrf_client(board_user)
    for target in ("/reviews/new/", url("edit", draft), url("submit", draft)):
        assert token_from(client.get(target))
    page = client.get(url("edit", draft))
    data = {**edit_data(draft, title="Saved with a token"), "csrfmiddlewaretoken": token_from(page)}
    assert client.post(url("edit", draft), data, headers=ORIGIN).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Saved with a token"


# The one access helper behind every page above: access_review(user, pk, *, for_change=False).


def test_access_review_gives_board_staff_their_own_draft_to_read_and_to_change(board_user, birmingham):
    draft = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None)
    assert access_review(board_user, draft.pk) == draft
    assert access_review(board_user, draft.pk, for_change=True) == draft


def test_access_review_lets_board_staff_read_but_not_change_a_review_their_board_contributed_to(
    board_user, birmingham, coventry_submitted
):
    Contribution.objects.create(review=coventry_submitted, board=birmingham)
    assert access_review(board_user, coventry_submitted.pk) == coventry_submitted
    with pytest.raises(Http404):
        access_review(board_user, coventry_submitted.pk, for_change=True)


def test_access_review_answers_a_submitted_review_as_not_to_be_changed_even_by_its_own_board(board_user, birmingham):
    submitted = ReviewFactory(board=birmingham)
    assert access_review(board_user, submitted.pk) == submitted
    with pytest.raises(Http404):
        access_review(board_user, submitted.pk, for_change=True)


@pytest.mark.parametrize("pk", ["other board", "missing"])
def test_access_review_answers_another_boards_review_and_a_missing_one_alike(board_user, coventry_draft, pk):
    with pytest.raises(Http404):
        access_review(board_user, coventry_draft.pk if pk == "other board" else 999999)


def test_access_review_hides_drafts_from_inspectors(inspector, coventry_draft, coventry_submitted):
    assert access_review(inspector, coventry_submitted.pk) == coventry_submitted
    with pytest.raises(Http404):
        access_review(inspector, coventry_draft.pk)
    with pytest.raises(Http404):
        access_review(inspector, coventry_submitted.pk, for_change=True)
