"""reviews.editing and the review form's save: what a forged or stale request could get wrong is refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews import editing
from reviews.forms import ReviewEditor
from reviews.models import AgencyInvolvement, Child, Evaluation, Review
from tests.factories import ChildFactory, EvaluationFactory, ReviewFactory
from tests.review_pages import child_row, edit_data, review_data


@pytest.fixture
def draft(birmingham):
    return ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None, summary="Done.")


# Adapted: the review form and its inline formsets save a review (ReviewEditor.save()), where
# editing.create_review() and update_review() used to; these tests say the same of the new path.


def saved(editor):
    assert editor.is_valid(), [editor.form.errors, *(formset.errors for formset in editor.formsets)]
    return editor.save()


def test_a_new_review_is_a_draft_with_the_next_free_reference(board_user, birmingham):
    ReviewFactory(reference="SCR-2008-E08000025-0001")
    review = saved(ReviewEditor(user=board_user, data=review_data(birmingham, children=[child_row("Child A")])))
    assert review.reference == "SCR-2008-E08000025-0002"
    assert review.status == Review.Status.DRAFT
    assert review.children.get().pseudonym == "Child A"


def test_a_new_review_refuses_a_board_the_user_does_not_belong_to(board_user, coventry):
    assert not ReviewEditor(user=board_user, data=review_data(coventry)).is_valid()
    assert not Review.objects.exists()


def test_a_new_review_refuses_dates_out_of_order(board_user, birmingham):
    data = review_data(birmingham, completed=datetime.date(2008, 1, 1))
    assert not ReviewEditor(user=board_user, data=data).is_valid()
    assert not Review.objects.exists()


def test_a_row_of_another_review_is_refused_and_nothing_is_written(board_user, draft):
    stranger = ChildFactory(review=ReviewFactory(), pseudonym="Child Z")
    data = edit_data(draft, title="Changed", children=[{"id": str(stranger.pk), **child_row("Child Z")}])
    editor = ReviewEditor(user=board_user, review=draft, data=data)
    assert not editor.is_valid()
    draft.refresh_from_db()
    stranger.refresh_from_db()
    assert (draft.title, draft.version) != ("Changed", 2)
    assert stranger.review_id != draft.pk and stranger.pseudonym == "Child Z"


def test_lock_draft_refuses_a_review_submitted_since_it_was_loaded(board_user, draft):
    Review.objects.filter(pk=draft.pk).update(status="submitted", version=2)
    with pytest.raises(editing.EditConflict):
        editing.lock_draft(user=board_user, review_id=draft.pk, version=1)
    with pytest.raises(PermissionDenied):
        editing.lock_draft(user=board_user, review_id=draft.pk, version=2)
    draft.refresh_from_db()
    assert draft.version == 2


def test_a_save_of_a_review_submitted_since_it_was_loaded_is_a_conflict(board_user, draft):
    editor = ReviewEditor(user=board_user, review=draft, data=edit_data(draft, title="Too late"))
    assert editor.is_valid()
    Review.objects.filter(pk=draft.pk).update(status="submitted", version=2)
    with pytest.raises(editing.EditConflict):
        editor.save()
    draft.refresh_from_db()
    assert draft.title != "Too late"


def test_lock_draft_refuses_another_boards_user(inspector, draft):
    with pytest.raises(PermissionDenied):
        editing.lock_draft(user=inspector, review_id=draft.pk, version=1)


def test_two_agencies_can_swap_places(board_user, draft):
    police = AgencyInvolvement.objects.create(review=draft, agency="police", notes="P")
    health = AgencyInvolvement.objects.create(review=draft, agency="health", notes="H")
    rows = [
        {"id": str(police.pk), "agency": "health", "notes": "P"},
        {"id": str(health.pk), "agency": "police", "notes": "H"},
    ]
    saved(ReviewEditor(user=board_user, review=draft, data=edit_data(draft, agencies=rows)))
    assert sorted(draft.agencies.values_list("agency", "notes")) == [("health", "P"), ("police", "H")]


def test_missing_for_submission_names_what_a_draft_lacks(birmingham):
    review = ReviewFactory(board=birmingham, status="draft", completed_date=None, submitted_date=None, summary="")
    assert [field for field, _message in editing.missing_for_submission(review)] == [
        "completed_date",
        "summary",
        "children",
    ]
    ChildFactory(review=review)
    Review.objects.filter(pk=review.pk).update(completed_date=datetime.date(2008, 6, 1), summary="Done.")
    review.refresh_from_db()
    assert editing.missing_for_submission(review) == []


def test_submit_review_keeps_a_submission_date_already_given(board_user, draft):
    ChildFactory(review=draft)
    Review.objects.filter(pk=draft.pk).update(submitted_date=datetime.date(2008, 6, 20))
    review = editing.submit_review(user=board_user, review_id=draft.pk, version=draft.version)
    assert (review.status, review.submitted_date) == ("submitted", datetime.date(2008, 6, 20))


def test_submit_review_refuses_an_incomplete_draft(board_user, draft):
    with pytest.raises(ValidationError):
        editing.submit_review(user=board_user, review_id=draft.pk, version=draft.version)
    draft.refresh_from_db()
    assert draft.status == Review.Status.DRAFT


EVALUATION = {
    "received_date": datetime.date(2008, 7, 1),
    "completed_date": datetime.date(2008, 8, 1),
    "judgement": "inadequate",
    "summary": "",
    "terms_of_reference": "",
    "overview_and_imrs": "",
    "timescales": "",
    "equality_and_diversity": "",
    "family_involvement": "",
}


def test_record_evaluation_numbers_evaluations_on_the_server(inspector):
    review = ReviewFactory()
    first = editing.record_evaluation(user=inspector, review_id=review.pk, sequence=1, fields=EVALUATION)
    second = editing.record_evaluation(
        user=inspector, review_id=review.pk, sequence=2, fields={**EVALUATION, "judgement": "good"}
    )
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.evaluated_by == inspector
    with pytest.raises(editing.EvaluationNotAllowed):
        editing.record_evaluation(user=inspector, review_id=review.pk, sequence=3, fields=EVALUATION)


def test_record_evaluation_refuses_a_stale_number_and_board_staff(inspector, board_user, birmingham):
    review = ReviewFactory(board=birmingham)
    EvaluationFactory(review=review, sequence=1, judgement="inadequate")
    with pytest.raises(editing.EvaluationNotAllowed):
        editing.record_evaluation(user=inspector, review_id=review.pk, sequence=1, fields=EVALUATION)
    with pytest.raises(PermissionDenied):
        editing.record_evaluation(user=board_user, review_id=review.pk, sequence=2, fields=EVALUATION)
    assert Evaluation.objects.filter(review=review).count() == 1


def test_record_evaluation_refuses_a_draft(inspector, draft):
    with pytest.raises(PermissionDenied):  # invisible to inspectors
        editing.record_evaluation(user=inspector, review_id=draft.pk, sequence=1, fields=EVALUATION)


def test_saved_rows_are_updated_removed_and_added_as_the_form_says(board_user, draft):
    kept = ChildFactory(review=draft, pseudonym="Child A")
    gone = ChildFactory(review=draft, pseudonym="Child B")
    children = [
        {"id": str(kept.pk), **child_row("Child A", outcome="serious_harm")},
        {"id": str(gone.pk), **child_row("Child B"), "DELETE": "on"},
        child_row("C"),
    ]
    saved(ReviewEditor(user=board_user, review=draft, data=edit_data(draft, children=children)))
    assert sorted(Child.objects.filter(review=draft).values_list("pseudonym", "outcome")) == [
        ("C", "died"),
        ("Child A", "serious_harm"),
    ]
