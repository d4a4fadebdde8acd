"""seed_demo's action plans (reviews/demo_plans.py): deterministic with the seed, plausible, audited."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from reviews import demo
from reviews.models import Action, ActionEvent, Recommendation, RecommendationEvent, Review


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed("--reviews", "300", "--seed", "7")


def plans():
    return sorted(
        Action.objects.values_list(
            "recommendation__review__reference",
            "recommendation__number",
            "recommendation__text",
            "recommendation__agency",
            "number",
            "description",
            "owner_agency",
            "due_date",
            "status",
            "completed_date",
            "evidence",
        )
    )


def test_the_command_says_how_many_it_added(seeded):
    assert f"Added {Recommendation.objects.count():,} recommendations and {Action.objects.count():,} actions" in seeded


def test_the_same_seed_gives_the_same_plans_and_another_seed_others(seeded):
    first = plans()
    seed("--reviews", "300", "--seed", "7", "--replace")
    assert plans() == first
    seed("--reviews", "300", "--seed", "8", "--replace")
    assert plans() != first


def test_most_evaluated_reviews_have_a_plan_of_two_to_six_recommendations_with_one_to_three_actions(seeded):
    evaluated = Review.objects.filter(status=Review.Status.EVALUATED)
    with_plan = evaluated.filter(recommendations__isnull=False).distinct().count()
    assert with_plan / evaluated.count() > 0.7
    per_review = Counter(Recommendation.objects.values_list("review", flat=True)).values()
    assert min(per_review) >= 2
    assert max(per_review) <= 6
    per_recommendation = Recommendation.objects.annotate(n=Count("actions")).values_list("n", flat=True)
    assert set(per_recommendation) <= {1, 2, 3}
    assert len(set(per_recommendation)) == 3


def test_plans_have_actions_on_time_late_overdue_open_and_withdrawn_as_of_the_demo_day(seeded):
    counted = Action.objects.counted()
    figures = counted.figures(demo.AS_OF)
    assert figures["completed"] > figures["completed_late"] > 0
    assert figures["overdue"] > 0
    assert figures["open"] > figures["overdue"]  # some open actions are not due yet
    assert Action.objects.filter(status=Action.Status.WITHDRAWN).exists()
    assert Action.objects.filter(status=Action.Status.IN_PROGRESS).exists()
    assert Action.objects.filter(status=Action.Status.NOT_STARTED).exists()


def test_dates_follow_the_review_and_nothing_is_completed_after_the_demo_day(seeded):
    assert not Action.objects.filter(completed_date__gt=demo.AS_OF).exists()
    assert not Action.objects.filter(due_date__lte=F("recommendation__review__completed_date")).exists()
    started = Q(completed_date__lt=F("recommendation__review__completed_date"))
    assert not Action.objects.filter(started, recommendation__review__completed_date__isnull=False).exists()


def test_the_plans_are_in_the_audit_trail_as_the_seed_wrote_them(seeded):
    assert RecommendationEvent.objects.filter(pgh_label="insert").count() == Recommendation.objects.count()
    assert ActionEvent.objects.filter(pgh_label="insert").count() == Action.objects.count()
    context = ActionEvent.objects.select_related("pgh_context").first().pgh_context
    assert context.metadata["source"] == "seed_demo"
