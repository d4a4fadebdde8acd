"""Recommendations and actions (SPEC section 9): the rules the database keeps, who reads and changes them, and
their place in the review's audit trail."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.history import review_history
from reviews.models import Action, Recommendation, Review
from tests.factories import ActionFactory, RecommendationFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(**fields):
    """The constraint named in the database error when an action with these fields is saved, else None."""
    recommendation = RecommendationFactory()
    try:
        with transaction.atomic():
            ActionFactory(recommendation=recommendation, **fields)
    except IntegrityError as error:
        return error.__cause__.diag.constraint_name
    return None


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": "completed"}, "action_completed_needs_date"),
        ({"status": "in_progress", "completed_date": datetime.date(2009, 1, 1)}, "action_only_completed_has_date"),
        (
            {"status": "withdrawn", "completed_date": datetime.date(2009, 1, 1), "evidence": "Superseded"},
            "action_only_completed_has_date",
        ),
        ({"status": "withdrawn"}, "action_withdrawn_needs_evidence"),
        ({"status": "withdrawn", "evidence": "  \n "}, "action_withdrawn_needs_evidence"),
        ({"status": "finished"}, "action_status_valid"),
        ({"owner_agency": "the_council"}, "action_owner_agency_valid"),
        ({"owner_agency": ""}, "action_owner_agency_valid"),
        ({"number": 0}, "action_number_positive"),
        ({"description": " "}, "action_description_not_empty"),
        ({"evidence": "x" * 2_001}, "action_evidence_max_length"),
    ],
)
def test_the_database_refuses_an_action_that_breaks_a_rule(fields, constraint):
    assert refused(**fields) == constraint


def test_a_completed_action_with_its_date_and_a_withdrawn_one_with_a_reason_are_kept():
    assert refused(status="completed", completed_date=datetime.date(2009, 4, 2)) is None
    assert refused(status="withdrawn", evidence="The service was recommissioned.") is None


def test_numbers_are_unique_within_their_parent_but_gaps_and_other_parents_are_fine():
    recommendation = RecommendationFactory(number=1)
    ActionFactory(recommendation=recommendation, number=1)
    ActionFactory(recommendation=recommendation, number=5)
    ActionFactory(recommendation=RecommendationFactory(review=recommendation.review, number=3), number=1)
    with pytest.raises(IntegrityError, match="action_number_unique"), transaction.atomic():
        ActionFactory(recommendation=recommendation, number=5)
    with pytest.raises(IntegrityError, match="recommendation_number_unique"), transaction.atomic():
        RecommendationFactory(review=recommendation.review, number=3)
    with pytest.raises(IntegrityError, match="recommendation_number_positive"), transaction.atomic():
        RecommendationFactory(review=recommendation.review, number=0)
    with pytest.raises(IntegrityError, match="recommendation_agency_valid"), transaction.atomic():
        RecommendationFactory(review=recommendation.review, agency="council")


def test_a_completed_date_in_the_future_is_refused_by_the_model_validation():
    action = ActionFactory.build(
        recommendation=RecommendationFactory(),
        status="completed",
        completed_date=timezone.localdate() + datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "completed_date" in error.value.message_dict
    action.completed_date = timezone.localdate()
    action.full_clean()


def test_the_models_constraints_speak_to_the_user_in_full_clean():
    action = ActionFactory.build(recommendation=RecommendationFactory(), status="withdrawn")
    with pytest.raises(ValidationError, match="Say why the action was withdrawn"):
        action.full_clean()


def test_labels_come_from_the_models():
    assert Action._meta.get_field("owner_agency").verbose_name == "owner"
    assert Action._meta.get_field("completed_date").verbose_name == "date completed"
    assert Recommendation._meta.get_field("agency").verbose_name == "addressed to"


# Who reads and who changes ---------------------------------------------------------------------------------


@pytest.fixture
def plans(birmingham, coventry):
    """One action on each of: Birmingham's draft, Birmingham's submitted review, Coventry's submitted review
    (Birmingham contributing), Coventry's draft (Birmingham contributing)."""
    made = {}
    for name, board, status, contributors in [
        ("own_draft", birmingham, Review.Status.DRAFT, []),
        ("own_submitted", birmingham, Review.Status.SUBMITTED, []),
        ("contributed", coventry, Review.Status.SUBMITTED, [birmingham]),
        ("contributed_draft", coventry, Review.Status.DRAFT, [birmingham]),
        ("other", coventry, Review.Status.EVALUATED, []),
    ]:
        review = ReviewFactory(board=board, status=status)
        for contributor in contributors:
            review.contributions.create(board=contributor)
        made[name] = ActionFactory(recommendation=RecommendationFactory(review=review))
    return made


def names(actions, plans):
    ids = set(actions.values_list("pk", flat=True))
    return {name for name, action in plans.items() if action.pk in ids}


def test_board_staff_read_their_boards_plans_drafts_included_and_contributed_submitted_ones(board_user, plans):
    assert names(Action.objects.for_user(board_user), plans) == {"own_draft", "own_submitted", "contributed"}
    readable = Recommendation.objects.for_user(board_user).values_list("review__board__gss_code", "review__status")
    assert sorted(readable) == sorted([("E08000025", "draft"), ("E08000025", "submitted"), ("E08000026", "submitted")])


def test_board_staff_change_their_own_boards_plans_at_any_status_only(board_user, plans):
    assert names(Action.objects.editable_by(board_user), plans) == {"own_draft", "own_submitted"}
    assert Recommendation.objects.editable_by(board_user).count() == 2


@pytest.mark.parametrize("role", ["inspector", "manager"])
def test_inspectors_and_managers_read_submitted_reviews_plans_and_change_none(role, plans, request):
    user = request.getfixturevalue(role)
    assert names(Action.objects.for_user(user), plans) == {"own_submitted", "contributed", "other"}
    assert not Action.objects.editable_by(user).exists()
    assert not Recommendation.objects.editable_by(user).exists()


def test_a_user_without_a_role_reads_no_plan_and_a_board_member_without_one_changes_none(plans):
    assert not Action.objects.for_user(UserFactory()).exists()
    member = UserFactory(boards=["E08000025"])
    assert not Action.objects.editable_by(member).exists()
    assert not Recommendation.objects.editable_by(member).exists()


def test_board_staff_of_another_board_read_nothing_of_birminghams_plans(plans):
    sunderland = UserFactory(role="board_staff", boards=["E08000024"])
    assert not Action.objects.for_user(sunderland).exists()


# The audit trail ---------------------------------------------------------------------------------------------


def test_the_reviews_history_tells_the_plan_in_words(board_user):
    review = ReviewFactory()
    recommendation = RecommendationFactory(review=review, number=2, agency="police")
    action = ActionFactory(recommendation=recommendation, number=1, due_date=datetime.date(2009, 3, 31))
    Action.objects.filter(pk=action.pk).update(status="completed", completed_date=datetime.date(2009, 4, 2))
    Action.objects.filter(pk=action.pk).update(evidence="Audit of 40 referrals in May 2009.")
    action.delete()
    recommendation.delete()
    text = " | ".join(change.text for entry in review_history(review) for change in entry.changes)
    assert "added recommendation 2, addressed to Police" in text
    assert "added action 1 of recommendation 2 (Children's social care, due 31 March 2009, Not started)" in text
    assert "changed the status of action 1 of recommendation 2 from Not started to Completed" in text
    assert "set the date completed of action 1 of recommendation 2 to 2 April 2009" in text
    assert "added the evidence of action 1 of recommendation 2" in text
    assert "removed action 1 of recommendation 2" in text
    assert "removed recommendation 2" in text


def test_a_recommendation_to_the_board_says_so_in_the_history():
    review = ReviewFactory()
    RecommendationFactory(review=review, number=1, agency="")
    text = [change.text for entry in review_history(review) for change in entry.changes]
    assert "added recommendation 1, addressed to the board" in text


def test_another_reviews_plan_is_not_in_this_reviews_history():
    review, other = ReviewFactory(), ReviewFactory()
    ActionFactory(recommendation=RecommendationFactory(review=other, number=7))
    text = " ".join(change.text for entry in review_history(review) for change in entry.changes)
    assert "recommendation 7" not in text


# The admin --------------------------------------------------------------------------------------------------


def test_admins_read_actions_in_the_admin_read_only_and_the_read_is_recorded(client, admin_user):
    from django.urls import reverse

    from reviews.models import ReadEvent

    action = ActionFactory(recommendation=RecommendationFactory(review=ReviewFactory(reference="SCR-ADMIN-7")))
    client.force_login(admin_user)
    listing = client.get(reverse("admin:reviews_action_changelist"))
    assert "SCR-ADMIN-7" in listing.content.decode()
    page = client.get(reverse("admin:reviews_action_change", args=[action.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # a view page: nothing to save
    read = ReadEvent.objects.get(user=admin_user, kind=ReadEvent.Kind.ADMIN)
    assert read.review_id == action.recommendation.review_id
    assert client.post(reverse("admin:reviews_action_delete", args=[action.pk]), {"post": "yes"}).status_code == 403
    assert Action.objects.filter(pk=action.pk).exists()
