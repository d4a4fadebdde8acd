"""The issue's "done when" story, end to end through the pages a board user and an inspector use."""

import datetime

from django.urls import reverse

from reviews.models import Evaluation, Review
from tests.review_pages import ORIGIN, child_row, edit_data, edit_url, finding_row, review_data, text_of


def test_a_review_is_logged_submitted_evaluated_twice_and_the_history_tells_the_story(
    client, board_user, inspector, birmingham, coventry
):
    board_user.first_name, board_user.last_name = "Alex", "Smith"
    board_user.save()
    inspector.first_name, inspector.last_name = "Sam", "Jones"
    inspector.save()

    # A board user logs a review with two children and three findings.
    client.force_login(board_user)
    data = review_data(
        birmingham,
        reference="SCR-2008-E08000025-0042",
        contributions=[coventry],
        children=[child_row("Child A"), child_row("Child B", sex="male", outcome="serious_harm")],
        findings=[
            finding_row("weak_management"),
            finding_row("child_focus", agency="health"),
            finding_row("risk_assessment", agency=""),
        ],
        completed=datetime.date(2008, 6, 1),
    )
    response = client.post(reverse("reviews:new"), data, headers=ORIGIN)
    review = Review.objects.get(reference="SCR-2008-E08000025-0042")
    assert response.status_code == 302
    assert response.url == review.get_absolute_url()
    assert review.status == Review.Status.DRAFT
    assert review.children.count() == 2
    assert review.findings.count() == 3
    assert list(review.other_boards.all()) == [coventry]

    # They correct the completion date, then submit the review to Ofsted.
    response = client.post(edit_url(review), edit_data(review, completed=datetime.date(2008, 6, 3)), headers=ORIGIN)
    assert response.status_code == 302, text_of(response)
    review.refresh_from_db()
    assert review.completed_date == datetime.date(2008, 6, 3)

    submit = reverse("reviews:submit", args=[review.pk])
    page = client.get(submit)
    assert "Check your answers before submitting the review" in text_of(page)
    response = client.post(submit, {"version": review.version}, headers=ORIGIN)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert review.submitted_date is not None
    assert client.get(edit_url(review)).status_code == 403

    # An inspector evaluates it inadequate; after reconsideration, adequate.
    client.force_login(inspector)
    evaluate = reverse("reviews:evaluate", args=[review.pk])
    for sequence, judgement, received, completed in [
        (1, "inadequate", review.submitted_date, review.submitted_date),
        (2, "adequate", review.submitted_date, review.submitted_date),
    ]:
        response = client.post(
            evaluate,
            {
                "sequence": sequence,
                "received_date_day": received.day,
                "received_date_month": received.month,
                "received_date_year": received.year,
                "completed_date_day": completed.day,
                "completed_date_month": completed.month,
                "completed_date_year": completed.year,
                "judgement": judgement,
                "summary": "The overview report did not analyse why agencies acted as they did.",
            },
            headers=ORIGIN,
        )
        assert response.status_code == 302, text_of(response)
    assert list(review.evaluations.values_list("sequence", "judgement")) == [(1, "inadequate"), (2, "adequate")]
    assert Evaluation.objects.filter(review=review, evaluated_by=inspector).count() == 2
    review.refresh_from_db()
    assert review.status == Review.Status.EVALUATED
    assert review.latest_judgement == "adequate"
    assert client.get(evaluate).status_code == 403  # adequate: not evaluated again

    # The review page shows both evaluations in order, and the history tells the story.
    page = text_of(client.get(review.get_absolute_url()))
    assert page.index("Evaluation 1: Inadequate") < page.index("Evaluation 2: Adequate")
    history = text_of(client.get(reverse("reviews:history", args=[review.pk])))
    story = [
        "Alex Smith created the review SCR-2008-E08000025-0042 as a draft",
        "Alex Smith added Coventry",
        "Alex Smith added Child A",
        "Alex Smith added Child B",
        "Alex Smith added a finding: Weak management (Police)",
        "Alex Smith changed the completion date from 1 June 2008 to 3 June 2008",
        "Alex Smith submitted the review to Ofsted",
        "Sam Jones recorded evaluation 1: Inadequate",
        "Sam Jones recorded evaluation 2: Adequate",
    ]
    for sentence in story:
        assert sentence in history, sentence
    # Newest first.
    assert history.index("recorded evaluation 2") < history.index("recorded evaluation 1") < history.index("created")
