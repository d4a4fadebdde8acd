"""recommendations.csv and actions.csv in the CSV import (SPEC sections 4 and 9): every fault as
FILE:LINE: COLUMN: message with nothing written, the replacement rules, and idempotence."""

import datetime

import pghistory.models
import pytest
from django.utils import timezone

from reviews.history import review_history
from reviews.models import Action, Recommendation, Review
from tests.test_import import GOOD, REVIEWS_HEADER, run

pytestmark = pytest.mark.django_db

D = datetime.date
RECOMMENDATIONS_HEADER = "review,number,text,agency"
ACTIONS_HEADER = "review,recommendation,number,description,owner_agency,due_date,status,completed_date,evidence"

RECOMMENDATIONS = f"""{RECOMMENDATIONS_HEADER}
SCR-2008-001,1,Share referrals with midwifery within a day.,health
SCR-2008-001,3,Review escalation between agencies.,
"""
ACTIONS = f"""{ACTIONS_HEADER}
SCR-2008-001,1,1,Agree a protocol with midwifery.,health,2009-03-31,completed,2009-04-02,Protocol in use since April.
SCR-2008-001,1,2,Audit 40 referrals.,childrens_social_care,2009-09-30,in_progress,,
SCR-2008-001,3,1,Publish an escalation policy.,childrens_social_care,2009-06-30,,,
SCR-2008-001,3,2,Train staff on escalation.,police,2009-12-31,withdrawn,,Merged into the board's training plan.
"""
PLANS = {"reviews.csv": GOOD["reviews.csv"], "recommendations.csv": RECOMMENDATIONS, "actions.csv": ACTIONS}


def actions_of(reference):
    return list(
        Action.objects.filter(recommendation__review__reference=reference)
        .order_by("recommendation__number", "number")
        .values_list("recommendation__number", "number", "status", "completed_date")
    )


def plan_snapshot():
    return {
        "recommendations": sorted(Recommendation.objects.values_list("pk", "review__reference", "number", "text")),
        "actions": sorted(Action.objects.values_list("pk", "description", "status", "version")),
        "events": pghistory.models.Events.objects.count(),
    }


def bundle(recommendations=None, actions=None):
    files = {"reviews.csv": GOOD["reviews.csv"]}
    if recommendations is not None:
        files["recommendations.csv"] = f"{RECOMMENDATIONS_HEADER}\n{recommendations}"
    if actions is not None:
        files["actions.csv"] = f"{ACTIONS_HEADER}\n{actions}"
    return files


# A good bundle ------------------------------------------------------------------------------------------------


def test_a_plan_is_imported_field_by_field():
    result = run(PLANS)
    assert result.errors == []
    assert (result.created["recommendations"], result.created["actions"]) == (2, 4)
    review = Review.objects.get(reference="SCR-2008-001")
    first, third = review.recommendations.order_by("number")
    assert (first.number, first.text, first.agency) == (1, "Share referrals with midwifery within a day.", "health")
    assert (third.number, third.agency) == (3, "")  # gaps allowed; blank: the board
    assert actions_of("SCR-2008-001") == [
        (1, 1, "completed", D(2009, 4, 2)),
        (1, 2, "in_progress", None),
        (3, 1, "not_started", None),  # a blank status: not started
        (3, 2, "withdrawn", None),
    ]
    done = Action.objects.get(recommendation=first, number=1)
    assert (done.description, done.owner_agency, done.due_date) == (
        "Agree a protocol with midwifery.",
        "health",
        D(2009, 3, 31),
    )
    assert done.evidence == "Protocol in use since April."
    assert "Recommendations: 2 written, 0 replaced rows removed." in result.summary_lines()
    assert "Actions: 4 written, 0 replaced rows removed." in result.summary_lines()


def test_the_import_is_in_the_reviews_history():
    run(PLANS, operator="ops")
    review = Review.objects.get(reference="SCR-2008-001")
    texts = [change.text for entry in review_history(review) for change in entry.changes]
    assert "added recommendation 3, addressed to the board" in texts
    assert any(text.startswith("added action 2 of recommendation 3") for text in texts)


def test_a_second_run_of_the_same_files_writes_nothing():
    run(PLANS)
    before = plan_snapshot()
    result = run(PLANS)
    assert result.errors == []
    assert (result.created["recommendations"], result.created["actions"]) == (0, 0)
    assert plan_snapshot() == before


def test_bundles_without_plans_say_nothing_of_them_and_leave_plans_alone():
    run(PLANS)
    before = plan_snapshot()
    result = run({"reviews.csv": GOOD["reviews.csv"]})
    assert not any(line.startswith(("Recommendations", "Actions")) for line in result.summary_lines())
    assert plan_snapshot()["actions"] == before["actions"]


# Replacement rules --------------------------------------------------------------------------------------------


def test_a_review_named_in_recommendations_csv_has_its_recommendations_and_actions_replaced():
    run(PLANS)
    result = run(
        bundle(
            recommendations="SCR-2008-001,2,A new recommendation.,police\n",
            actions="SCR-2008-001,2,1,Brief officers.,police,2010-01-31,,,\n",
        )
    )
    assert result.errors == []
    assert list(Recommendation.objects.values_list("number", flat=True)) == [2]
    assert actions_of("SCR-2008-001") == [(2, 1, "not_started", None)]
    assert (result.deleted["recommendations"], result.deleted["actions"]) == (2, 4)


def test_recommendations_csv_without_the_reviews_actions_leaves_it_none():
    run(PLANS)
    run(bundle(recommendations="SCR-2008-001,1,Share referrals with midwifery within a day.,health\n"))
    assert Recommendation.objects.count() == 1
    assert actions_of("SCR-2008-001") == []


def test_a_review_named_only_in_actions_csv_keeps_its_recommendations_and_has_its_actions_replaced():
    run(PLANS)
    kept = sorted(Recommendation.objects.values_list("pk", flat=True))
    result = run(bundle(actions="SCR-2008-001,3,4,Audit escalations.,health,2010-03-31,in_progress,,\n"))
    assert result.errors == []
    assert sorted(Recommendation.objects.values_list("pk", flat=True)) == kept
    assert actions_of("SCR-2008-001") == [(3, 4, "in_progress", None)]
    assert result.deleted["actions"] == 4


def test_another_reviews_plan_is_left_alone():
    run(PLANS)
    result = run(
        {
            "reviews.csv": GOOD["reviews.csv"],
            "recommendations.csv": f"{RECOMMENDATIONS_HEADER}\nSCR-2008-002,1,Something for Kent.,\n",
        }
    )
    assert result.errors == []
    assert len(actions_of("SCR-2008-001")) == 4
    assert Recommendation.objects.filter(review__reference="SCR-2008-002").count() == 1


def test_an_action_may_name_a_recommendation_already_in_the_register():
    run(PLANS)
    result = run(bundle(actions="SCR-2008-001,1,1,Agree a protocol.,health,2009-03-31,,,\n"))
    assert result.errors == []


# Faults: every one reported, nothing written ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recommendations", "actions", "expected"),
    [
        (
            "SCR-2008-001,1,Text.,council\n",
            None,
            'recommendations.csv:2: agency: unknown value "council"; use one of childrens_social_care',
        ),
        ("SCR-2008-001,0,Text.,\n", None, 'recommendations.csv:2: number: "0" is not a whole number from 1 upwards'),
        ("SCR-2008-001,1, ,\n", None, "recommendations.csv:2: text: a value is required"),
        (
            "SCR-2008-001,1,Text.,\nSCR-2008-001,1,Again.,\n",
            None,
            "recommendations.csv:3: number: review SCR-2008-001 already has recommendation 1 (on line 2)",
        ),
        (
            "SCR-2099-999,1,Text.,\n",
            None,
            "recommendations.csv:2: review: no review with reference SCR-2099-999 in reviews.csv or the register",
        ),
        ("SCR-2008-001,1," + "x" * 2_001 + ",\n", None, "recommendations.csv:2: text: must be at most 2000 characters"),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,the_council,2009-03-31,,,\n",
            'actions.csv:2: owner_agency: unknown value "the_council"; use one of childrens_social_care',
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,,2009-03-31,,,\n",
            "actions.csv:2: owner_agency: a value is required",
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,police,2009-03-31,done,,\n",
            'actions.csv:2: status: unknown value "done"; use one of not_started, in_progress, completed, withdrawn',
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,police,2009-03-31,completed,,\n",
            "actions.csv:2: completed_date: a completed action needs the date it was completed",
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,police,2009-03-31,in_progress,2009-03-01,\n",
            "actions.csv:2: completed_date: only a completed action has a completed_date (this one is in_progress)",
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,police,2009-03-31,withdrawn,,  \n",
            "actions.csv:2: evidence: a withdrawn action needs the reason it no longer applies in evidence",
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,police,,,,\n",
            "actions.csv:2: due_date: a value is required",
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,police,31/03/2009,,,\n",
            'actions.csv:2: due_date: "31/03/2009" is not a date in the form YYYY-MM-DD',
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,police,2009-03-31,completed,2009-02-30,\n",
            'actions.csv:2: completed_date: "2009-02-30" is not a date in the form YYYY-MM-DD',
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,1,1,Do it.,police,2009-03-31,,,\nSCR-2008-001,1,1,Again.,police,2009-03-31,,,\n",
            "actions.csv:3: number: recommendation 1 of review SCR-2008-001 already has action 1 (on line 2)",
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,2,1,Do it.,police,2009-03-31,,,\n",
            "actions.csv:2: recommendation: review SCR-2008-001 has no recommendation 2 in recommendations.csv "
            "or the register",
        ),
        (
            None,
            "SCR-2008-002,1,1,Do it.,police,2009-03-31,,,\n",
            "actions.csv:2: recommendation: review SCR-2008-002 has no recommendation 1 in recommendations.csv "
            "or the register",
        ),
        (
            None,
            "SCR-2099-999,1,1,Do it.,police,2009-03-31,,,\n",
            "actions.csv:2: review: no review with reference SCR-2099-999 in reviews.csv or the register",
        ),
        (
            "SCR-2008-001,1,Text.,\n",
            "SCR-2008-001,x,1,Do it.,police,2009-03-31,,,\n",
            'actions.csv:2: recommendation: "x" is not a whole number from 1 upwards',
        ),
    ],
)
def test_a_fault_is_reported_where_it_is_and_nothing_is_written(recommendations, actions, expected):
    run(PLANS)
    before = plan_snapshot()
    result = run(bundle(recommendations, actions))
    assert not result.ok
    assert any(error.startswith(expected) for error in result.errors), result.errors
    assert plan_snapshot() == before


def test_a_completed_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    result = run(
        bundle(
            "SCR-2008-001,1,Text.,\n",
            f"SCR-2008-001,1,1,Do it.,police,2009-03-31,completed,{tomorrow.isoformat()},Done.\n",
        )
    )
    assert result.errors == [f"actions.csv:2: completed_date: {tomorrow.isoformat()} is in the future"]
    assert not Action.objects.exists()


def test_an_action_of_a_recommendation_the_same_files_replace_away_is_refused():
    run(PLANS)
    # Recommendation 3 is in the register, but recommendations.csv replaces SCR-2008-001's with only number 1.
    errors = run(bundle("SCR-2008-001,1,Text.,\n", "SCR-2008-001,3,1,Publish a policy.,police,2009-03-31,,,\n")).errors
    assert errors == [
        "actions.csv:2: recommendation: review SCR-2008-001 has no recommendation 3 in recommendations.csv "
        "or the register"
    ]


def test_a_missing_required_column_is_reported():
    files = bundle("SCR-2008-001,1,Text.,\n")
    files["actions.csv"] = "review,recommendation,number,description\nSCR-2008-001,1,1,Do it.\n"
    errors = run(files).errors
    assert "actions.csv:1: owner_agency: required column is missing from the header" in errors
    assert "actions.csv:1: due_date: required column is missing from the header" in errors


def test_a_plan_for_a_new_review_of_the_same_bundle_is_imported():
    files = {
        "reviews.csv": f"{REVIEWS_HEADER}\nSCR-2010-001,E08000025,,Review of services to Child Z,,,,,,,\n",
        "recommendations.csv": f"{RECOMMENDATIONS_HEADER}\nSCR-2010-001,1,Text.,\n",
        "actions.csv": f"{ACTIONS_HEADER}\nSCR-2010-001,1,1,Do it.,police,2011-03-31,,,\n",
    }
    assert run(files).errors == []
    assert actions_of("SCR-2010-001") == [(1, 1, "not_started", None)]


def test_the_admins_browser_import_takes_the_plan_files_too(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    uploads = {
        name.removesuffix(".csv"): SimpleUploadedFile(name, text.encode(), content_type="text/csv")
        for name, text in PLANS.items()
    }
    client.force_login(admin_user)
    response = client.post(reverse("admin:reviews_review_import"), uploads, follow=True)
    message = str(list(response.context["messages"])[0])
    assert "Actions: 4 written" in message
    assert len(actions_of("SCR-2008-001")) == 4
