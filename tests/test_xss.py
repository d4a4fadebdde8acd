"""Stored text is shown escaped on every page of a review: what someone typed can never run as script."""

import pytest
from django.urls import reverse

from reviews.models import AgencyInvolvement, Review
from tests.conftest import HTTPSClient
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory, UserFactory
from tests.review_pages import ORIGIN, edit_data, edit_url

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def assert_escaped(response, payload):
    html = response.content.decode()
    assert response.status_code in (200, 409)
    assert payload not in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html


@pytest.fixture(params=PAYLOADS, ids=["script", "attribute"])
def payload(request):
    return request.param


@pytest.fixture
def hostile_review(birmingham, payload):
    """A draft with the payload in every text a person typed, by a user whose name is the payload too."""
    author = UserFactory(
        username="mallory", first_name=payload, last_name=payload, role="board_staff", boards=["E08000025"]
    )
    review = ReviewFactory(
        board=birmingham,
        status=Review.Status.DRAFT,
        submitted_date=None,
        reference=f"E08000025{payload}"[:40],
        title=payload,
        summary=payload,
    )
    ChildFactory(review=review, pseudonym=payload[:40])
    FindingFactory(review=review, description=payload)
    AgencyInvolvement.objects.create(review=review, agency="police", notes=payload)
    return review, author


def test_every_text_is_escaped_on_the_review_edit_submit_and_history_pages(client, hostile_review, payload):
    review, author = hostile_review
    client.force_login(author)
    # A change through the page puts the author's name and the texts into the history as well.
    saved = client.post(edit_url(review), edit_data(review, summary=f"{payload} again"), headers=ORIGIN)
    assert saved.status_code == 302
    review.refresh_from_db()
    for url in (
        review.get_absolute_url(),
        edit_url(review),
        reverse("reviews:submit", args=[review.pk]),
        reverse("reviews:history", args=[review.pk]),
    ):
        assert_escaped(client.get(url), payload)


def test_every_text_is_escaped_in_the_register_its_filters_and_its_live_results(client, hostile_review, payload):
    # The register's rows, filter options and tags are rendered by Jinja2 with GOV.UK's macros.
    review, author = hostile_review
    client.force_login(author)
    for params in ({}, {"q": payload}, {"board": payload}, {"judgement": payload}, {"q": review.title[:20]}):
        assert_escaped(client.get(reverse("reviews:list"), params), payload)
        assert_escaped(client.get(reverse("reviews:list"), params, headers={"HX-Request": "true"}), payload)
    page = client.get(reverse("reviews:list")).content.decode()
    # The row is there, escaped (Jinja2 writes a quote as &#34;, Django as &quot;).
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&gt;&lt;img src=x" in page


def test_typed_text_is_escaped_when_the_form_comes_back_with_errors_or_a_conflict(client, hostile_review, payload):
    review, author = hostile_review
    client.force_login(author)
    invalid = edit_data(review, title=payload, decision=None, summary=payload)
    assert_escaped(client.post(edit_url(review), invalid, headers=ORIGIN), payload)
    stale = edit_data(review, title=payload, summary=payload, version=review.version - 1)
    assert_escaped(client.post(edit_url(review), stale, headers=ORIGIN), payload)


def test_evaluation_texts_and_inspector_names_are_escaped(birmingham, payload):
    inspector = UserFactory(username="eve", first_name=payload, role="inspector")
    review = ReviewFactory(board=birmingham, title=payload, summary=payload)
    EvaluationFactory(review=review, sequence=1, judgement="inadequate", summary=payload, evaluated_by=inspector)
    client = HTTPSClient()
    client.force_login(inspector)
    for url in (
        review.get_absolute_url(),
        reverse("reviews:evaluate", args=[review.pk]),
        reverse("reviews:history", args=[review.pk]),
    ):
        assert_escaped(client.get(url), payload)
