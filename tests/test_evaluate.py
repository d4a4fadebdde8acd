"""Inspectors record Ofsted's evaluations: 1 first, then 2, 3... only after an inadequate one."""

import datetime
import re

import pytest
from django.urls import reverse

from reviews.models import Evaluation, Review
from tests.factories import EvaluationFactory, ReviewFactory, UserFactory
from tests.review_pages import ORIGIN, text_of


def evaluate_url(review):
    return reverse("reviews:evaluate", args=[review.pk])


def evaluation_data(sequence=1, judgement="adequate", received=datetime.date(2008, 7, 1), completed=None, **extra):
    completed = completed or received + datetime.timedelta(days=30)
    return {
        "sequence": str(sequence),
        "received_date_day": str(received.day),
        "received_date_month": str(received.month),
        "received_date_year": str(received.year),
        "completed_date_day": str(completed.day),
        "completed_date_month": str(completed.month),
        "completed_date_year": str(completed.year),
        "judgement": judgement,
        "summary": "A thorough review.",
        **extra,
    }


@pytest.fixture
def submitted(birmingham):
    return ReviewFactory(board=birmingham, submitted_date=datetime.date(2008, 6, 10))


@pytest.fixture
def signed_in(client, inspector):
    client.force_login(inspector)
    return client


def test_an_inspector_records_the_first_evaluation_and_the_review_becomes_evaluated(signed_in, inspector, submitted):
    data = evaluation_data(
        judgement="good", terms_of_reference="good", timescales="inadequate", family_involvement="adequate"
    )
    response = signed_in.post(evaluate_url(submitted), data, headers=ORIGIN)
    assert response.status_code == 302
    assert response.url == submitted.get_absolute_url()
    evaluation = Evaluation.objects.get(review=submitted)
    assert (evaluation.sequence, evaluation.judgement, evaluation.evaluated_by) == (1, "good", inspector)
    assert (evaluation.terms_of_reference, evaluation.timescales, evaluation.overview_and_imrs) == (
        "good",
        "inadequate",
        "",
    )
    submitted.refresh_from_db()
    assert submitted.status == Review.Status.EVALUATED
    assert submitted.latest_judgement == "good"
    assert "Evaluation 1 recorded: Good" in text_of(signed_in.get(submitted.get_absolute_url()))


def test_an_inadequate_review_is_evaluated_again_as_number_two(signed_in, submitted):
    EvaluationFactory(review=submitted, sequence=1, judgement="inadequate", completed_date=datetime.date(2008, 9, 1))
    page = signed_in.get(evaluate_url(submitted))
    assert "Record evaluation 2" in text_of(page)
    assert "Evaluation 1 judged this review inadequate on 1 September 2008" in text_of(page)
    data = evaluation_data(sequence=2, received=datetime.date(2008, 11, 1), judgement="adequate")
    assert signed_in.post(evaluate_url(submitted), data, headers=ORIGIN).status_code == 302
    assert list(submitted.evaluations.values_list("sequence", "judgement")) == [(1, "inadequate"), (2, "adequate")]


@pytest.mark.parametrize("judgement", ["outstanding", "good", "adequate"])
def test_a_review_judged_adequate_or_better_cannot_be_evaluated_again(signed_in, submitted, judgement):
    EvaluationFactory(review=submitted, sequence=1, judgement=judgement)
    page = signed_in.get(evaluate_url(submitted))
    assert page.status_code == 403
    assert "Only a review judged inadequate can be evaluated again" in text_of(page)
    assert signed_in.post(evaluate_url(submitted), evaluation_data(sequence=2), headers=ORIGIN).status_code == 403
    assert submitted.evaluations.count() == 1


def test_an_evaluation_recorded_meanwhile_by_another_inspector_is_not_silently_followed(signed_in, submitted):
    loaded_for = 1
    EvaluationFactory(review=submitted, sequence=1, judgement="inadequate")  # someone else, a moment ago
    data = evaluation_data(sequence=loaded_for, received=datetime.date(2008, 11, 1))
    response = signed_in.post(evaluate_url(submitted), data, headers=ORIGIN)
    assert response.status_code == 200
    assert "was recorded while you were working on yours" in text_of(response)
    html = response.content.decode()
    assert 'name="summary"' in html and "A thorough review." in html
    assert 'name="sequence" value="2"' in html  # saving again is a deliberate evaluation 2
    assert submitted.evaluations.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"judgement": ""}, "Select the overall judgement"),
        ({"judgement": "excellent"}, "Select the overall judgement"),
        (
            {"completed_date_day": "30", "completed_date_month": "6", "completed_date_year": "2008"},
            "The date the evaluation was completed must be the same as or after the date Ofsted received the review",
        ),
        (
            {"received_date_day": "1", "received_date_month": "6", "received_date_year": "2008"},
            "Date Ofsted received the review must be the same as or after 10 June 2008",
        ),
        ({"received_date_day": "", "received_date_month": "", "received_date_year": ""}, "Enter the date Ofsted"),
        ({"completed_date_year": str(datetime.date.today().year + 1)}, "must be today or in the past"),
        ({"timescales": "superb"}, "Select a judgement for timescales"),
    ],
)
def test_a_wrong_evaluation_is_refused_in_plain_words_and_nothing_is_saved(signed_in, submitted, changes, message):
    response = signed_in.post(evaluate_url(submitted), {**evaluation_data(), **changes}, headers=ORIGIN)
    assert response.status_code == 200
    assert message in text_of(response)
    assert not submitted.evaluations.exists()


def test_the_evaluation_form_links_its_errors_to_the_fields(signed_in, submitted):
    html = signed_in.post(evaluate_url(submitted), evaluation_data(judgement=""), headers=ORIGIN).content.decode()
    assert '<a href="#id_judgement_0">Select the overall judgement</a>' in html
    assert 'id="id_judgement_0"' in html
    assert re.search(r'<legend class="govuk-fieldset__legend">\s*Overall judgement\s*</legend>', html)
    assert 'name="received_date_day"' in html


@pytest.mark.parametrize("role", ["board_staff", "manager"])
def test_only_inspectors_evaluate(client, submitted, role):
    user = UserFactory(role=role, boards=["E08000025"] if role == "board_staff" else [])
    client.force_login(user)
    assert client.get(evaluate_url(submitted)).status_code == 403
    assert client.post(evaluate_url(submitted), evaluation_data(), headers=ORIGIN).status_code == 403
    assert not submitted.evaluations.exists()


def test_a_draft_cannot_be_evaluated_and_is_invisible_to_inspectors(signed_in, birmingham):
    draft = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None)
    assert signed_in.get(evaluate_url(draft)).status_code == 404
    assert signed_in.post(evaluate_url(draft), evaluation_data(), headers=ORIGIN).status_code == 404
    assert signed_in.get(draft.get_absolute_url()).status_code == 404


def test_the_review_page_offers_an_evaluation_only_when_one_can_be_recorded(signed_in, submitted):
    assert "Record an evaluation" in text_of(signed_in.get(submitted.get_absolute_url()))
    EvaluationFactory(review=submitted, sequence=1, judgement="good")
    assert "Record an evaluation" not in text_of(signed_in.get(submitted.get_absolute_url()))
