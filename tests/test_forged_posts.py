"""Forged requests change nothing: whatever a browser could be made to send is checked on the server."""

import datetime

import pytest
from django.urls import reverse

from reviews.models import Child, Evaluation, Finding, Review
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory
from tests.review_pages import ORIGIN, child_row, edit_data, edit_url, finding_row, review_data, text_of


@pytest.fixture
def draft(birmingham):
    review = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None, title="Own draft")
    ChildFactory(review=review, pseudonym="Child A")
    FindingFactory(review=review)
    return review


@pytest.fixture
def other_draft(coventry):
    review = ReviewFactory(board=coventry, status=Review.Status.DRAFT, submitted_date=None, title="Their draft")
    ChildFactory(review=review, pseudonym="Child Z")
    FindingFactory(review=review, description="Theirs")
    return review


@pytest.fixture
def signed_in(client, board_user):
    client.force_login(board_user)
    return client


def snapshot(*reviews):
    """Everything a forged post could touch, to compare before and after."""
    return [
        (
            Review.objects.filter(pk=r.pk).values().get(),
            sorted(Child.objects.filter(review=r).values_list("pk", "pseudonym", "outcome", "review_id")),
            sorted(Finding.objects.filter(review=r).values_list("pk", "description", "review_id")),
            sorted(Evaluation.objects.filter(review=r).values_list("pk", "judgement")),
        )
        for r in reviews
    ]


def test_another_boards_id_in_the_lead_board_select_is_refused(signed_in, coventry):
    response = signed_in.post("/reviews/new/", review_data(coventry, children=[child_row()]), headers=ORIGIN)
    assert "Select one of your boards as the lead board" in text_of(response)
    assert not Review.objects.exists()


def test_moving_a_draft_to_another_board_is_refused(signed_in, draft, coventry):
    before = snapshot(draft)
    data = edit_data(draft)
    data["board"] = str(coventry.pk)
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert "Select one of your boards as the lead board" in text_of(response)
    assert snapshot(draft) == before


def test_a_status_date_or_judgement_posted_by_board_staff_is_ignored(signed_in, draft):
    data = edit_data(draft, title="Changed title")
    data.update(
        status="evaluated",
        latest_judgement="outstanding",
        submitted_date="2008-07-01",
        version_override="1",
        judgement="outstanding",
        review_type="other",
        id="999",
    )
    assert signed_in.post(edit_url(draft), data, headers=ORIGIN).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Changed title"
    assert draft.status == Review.Status.DRAFT
    assert draft.latest_judgement == ""
    assert draft.submitted_date is None
    assert draft.review_type == "scr"
    assert not Evaluation.objects.exists()


def test_a_child_id_from_another_review_in_the_formset_changes_nothing(signed_in, draft, other_draft):
    before = snapshot(draft, other_draft)
    stolen = other_draft.children.get()
    data = edit_data(draft, children=[{"id": str(stolen.pk), **child_row("Child Z", outcome="serious_harm")}])
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert response.status_code == 200
    assert "This child is not part of this review" in text_of(response)
    assert snapshot(draft, other_draft) == before


def test_a_finding_id_of_another_boards_review_changes_nothing(signed_in, draft, other_draft):
    before = snapshot(draft, other_draft)
    stolen = other_draft.findings.get()
    data = edit_data(draft, findings=[{"id": str(stolen.pk), **finding_row(description="Overwritten")}])
    signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert snapshot(draft, other_draft) == before


def test_another_boards_review_id_in_a_rows_hidden_fields_changes_nothing(signed_in, draft, other_draft):
    before = snapshot(draft, other_draft)
    data = edit_data(draft)
    data.update({"children-0-review": str(other_draft.pk), "children-0-review_id": str(other_draft.pk)})
    data["findings-0-review"] = str(other_draft.pk)
    assert signed_in.post(edit_url(draft), data, headers=ORIGIN).status_code == 302
    after = snapshot(draft, other_draft)
    assert after[1] == before[1]  # the other board's review is untouched
    assert after[0][1] == before[0][1]  # the children are still this review's


def test_editing_another_boards_review_by_its_id_is_a_404_and_changes_nothing(signed_in, other_draft):
    before = snapshot(other_draft)
    data = edit_data(other_draft, title="Hijacked")
    data["board"] = str(other_draft.board_id)
    assert signed_in.post(edit_url(other_draft), data, headers=ORIGIN).status_code == 404
    assert signed_in.post(reverse("reviews:submit", args=[other_draft.pk]), {"version": 1}).status_code == 404
    assert snapshot(other_draft) == before


def test_board_staff_posting_an_evaluation_change_nothing(signed_in, birmingham):
    review = ReviewFactory(board=birmingham)
    before = snapshot(review)
    data = {
        "sequence": "1",
        "received_date_day": "1",
        "received_date_month": "7",
        "received_date_year": "2008",
        "completed_date_day": "1",
        "completed_date_month": "8",
        "completed_date_year": "2008",
        "judgement": "outstanding",
    }
    assert signed_in.post(reverse("reviews:evaluate", args=[review.pk]), data, headers=ORIGIN).status_code == 403
    assert snapshot(review) == before


def test_an_inspector_cannot_edit_or_submit_a_boards_review(client, inspector, birmingham):
    review = ReviewFactory(board=birmingham)
    before = snapshot(review)
    client.force_login(inspector)
    assert client.post(edit_url(review), edit_data(review, title="Inspector's"), headers=ORIGIN).status_code == 403
    assert client.post(reverse("reviews:submit", args=[review.pk]), {"version": review.version}).status_code == 403
    assert snapshot(review) == before


def test_an_inspector_cannot_choose_the_evaluation_number(client, inspector):
    review = ReviewFactory()
    EvaluationFactory(review=review, sequence=1, judgement="inadequate")
    client.force_login(inspector)
    data = {
        "sequence": "7",
        "received_date_day": "10",
        "received_date_month": "9",
        "received_date_year": "2008",
        "completed_date_day": "1",
        "completed_date_month": "10",
        "completed_date_year": "2008",
        "judgement": "good",
    }
    response = client.post(reverse("reviews:evaluate", args=[review.pk]), data, headers=ORIGIN)
    assert "Your evaluation has not been saved" in text_of(response)
    assert list(review.evaluations.values_list("sequence", flat=True)) == [1]


@pytest.mark.parametrize(
    "tampered",
    [
        {"children-TOTAL_FORMS": "100000"},
        {"children-TOTAL_FORMS": "banana"},
        {"children-TOTAL_FORMS": None},
        {"independent_chair": "maybe"},
        {"children-0-outcome": "fine"},
        {"children-0-ethnicity": "<b>"},
        {"findings-0-category": "made_up"},
        {"decision_date_year": "99999999999999999999"},
        {"action": "remove-children-99999999999999999999"},
        {"board": "not a number"},
        {"version": "abc"},
    ],
)
def test_malformed_input_is_an_error_page_never_a_crash_or_a_write(signed_in, draft, tampered):
    before = snapshot(draft)
    data = edit_data(draft, title="Should not be saved" if len(tampered) else draft.title)
    for key, value in tampered.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert response.status_code in (200, 409)
    assert snapshot(draft) == before


def test_a_date_before_serious_case_reviews_began_is_refused(signed_in, birmingham):
    data = review_data(birmingham, decision=datetime.date(2008, 2, 1))
    data.update(incident_date_day="1", incident_date_month="1", incident_date_year="0001")
    response = signed_in.post("/reviews/new/", data, headers=ORIGIN)
    assert "Date of the incident must be the same as or after 1 January 1990" in text_of(response)
    assert not Review.objects.exists()
