"""reviews.editing: the write services behind the review pages check what a forged request could get wrong."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews import editing
from reviews.models import AgencyInvolvement, Child, Evaluation, Review
from tests.factories import ChildFactory, EvaluationFactory, ReviewFactory

FIELDS = {
    "reference": "",
    "title": "Review of services to Child A",
    "incident_date": datetime.date(2008, 1, 10),
    "decision_date": datetime.date(2008, 2, 1),
    "completed_date": None,
    "independent_chair": None,
    "independent_author": True,
    "summary": "",
}
CHILD = {
    "pseudonym": "Child A",
    "sex": "female",
    "age_band": "under_1",
    "ethnicity": "",
    "outcome": "died",
    "known_to_social_care": True,
    "child_protection_plan": None,
    "looked_after": False,
}
NO_ROWS = {"contributing_boards": [], "children": [], "agencies": [], "findings": []}


@pytest.fixture
def draft(birmingham):
    return ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None, summary="Done.")


def fields_of(review, **changes):
    return {**{name: getattr(review, name) for name in editing.REVIEW_FIELDS}, **changes}


def test_create_review_makes_a_draft_with_the_next_free_reference(board_user, birmingham):
    ReviewFactory(reference="SCR-2008-E08000025-0001")
    review = editing.create_review(user=board_user, fields={**FIELDS, "board": birmingham}, children=[CHILD])
    assert review.reference == "SCR-2008-E08000025-0002"
    assert review.status == Review.Status.DRAFT
    assert review.children.get().pseudonym == "Child A"


def test_create_review_refuses_a_board_the_user_does_not_belong_to(board_user, coventry):
    with pytest.raises(PermissionDenied):
        editing.create_review(user=board_user, fields={**FIELDS, "board": coventry})
    assert not Review.objects.exists()


def test_create_review_refuses_dates_out_of_order(board_user, birmingham):
    with pytest.raises(ValidationError):
        editing.create_review(
            user=board_user,
            fields={**FIELDS, "board": birmingham, "completed_date": datetime.date(2008, 1, 1)},
        )
    assert not Review.objects.exists()


def test_update_review_refuses_a_row_of_another_review_and_writes_nothing(board_user, draft):
    stranger = ChildFactory(review=ReviewFactory(), pseudonym="Child Z")
    with pytest.raises(ValidationError):
        editing.update_review(
            user=board_user,
            review_id=draft.pk,
            version=draft.version,
            fields=fields_of(draft, title="Changed"),
            **{**NO_ROWS, "children": [{**CHILD, "id": stranger.pk}]},
        )
    draft.refresh_from_db()
    stranger.refresh_from_db()
    assert (draft.title, draft.version) != ("Changed", 2)
    assert stranger.review_id != draft.pk and stranger.pseudonym == "Child Z"


def test_update_review_refuses_a_review_submitted_since_it_was_loaded(board_user, draft):
    Review.objects.filter(pk=draft.pk).update(status="submitted", version=2)
    with pytest.raises(editing.EditConflict):
        editing.update_review(user=board_user, review_id=draft.pk, version=1, fields=fields_of(draft), **NO_ROWS)
    with pytest.raises(PermissionDenied):
        editing.update_review(user=board_user, review_id=draft.pk, version=2, fields=fields_of(draft), **NO_ROWS)
    draft.refresh_from_db()
    assert draft.version == 2


def test_update_review_refuses_another_boards_user(inspector, draft):
    with pytest.raises(PermissionDenied):
        editing.update_review(user=inspector, review_id=draft.pk, version=1, fields=fields_of(draft), **NO_ROWS)


def test_two_agencies_can_swap_places(board_user, draft):
    police = AgencyInvolvement.objects.create(review=draft, agency="police", notes="P")
    health = AgencyInvolvement.objects.create(review=draft, agency="health", notes="H")
    rows = [
        {"id": police.pk, "agency": "health", "imr_submitted": False, "notes": "P"},
        {"id": health.pk, "agency": "police", "imr_submitted": False, "notes": "H"},
    ]
    editing.update_review(
        user=board_user,
        review_id=draft.pk,
        version=draft.version,
        fields=fields_of(draft),
        **{**NO_ROWS, "agencies": rows},
    )
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


def test_rows_given_replace_the_reviews_rows(board_user, draft):
    kept = ChildFactory(review=draft, pseudonym="Child A")
    ChildFactory(review=draft, pseudonym="Child B")
    editing.update_review(
        user=board_user,
        review_id=draft.pk,
        version=draft.version,
        fields=fields_of(draft),
        **{**NO_ROWS, "children": [{**CHILD, "id": kept.pk, "outcome": "serious_harm"}, {**CHILD, "pseudonym": "C"}]},
    )
    assert sorted(Child.objects.filter(review=draft).values_list("pseudonym", "outcome")) == [
        ("C", "died"),
        ("Child A", "serious_harm"),
    ]
