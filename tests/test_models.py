"""The domain model: constraints the database enforces, the reporting year, the reference data."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from reviews.models import REVIEW_DATE_ORDER, Board, Evaluation, LocalAuthority, Region, Review, dates_out_of_order
from reviews.years import is_reporting_year, reporting_year, year_bounds
from tests.factories import EvaluationFactory, ReviewFactory

D = datetime.date


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2009, 3, 31), "2008-09"),
        (D(2009, 4, 1), "2009-10"),
        (D(2008, 4, 1), "2008-09"),
        (D(1999, 12, 31), "1999-00"),
        (D(2010, 1, 1), "2009-10"),
    ],
)
def test_reporting_year_runs_from_april_to_march(day, label):
    assert reporting_year(day) == label


def test_year_bounds_are_first_of_april_to_thirty_first_of_march():
    assert year_bounds("2008-09") == (D(2008, 4, 1), D(2009, 3, 31))
    assert year_bounds("1999-00") == (D(1999, 4, 1), D(2000, 3, 31))


@pytest.mark.parametrize("label", ["2008-10", "2008", "08-09", "2008-9", "", "abcd-ef", "2008-09x"])
def test_malformed_year_labels_are_rejected(label):
    assert not is_reporting_year(label)
    with pytest.raises(ValueError):
        year_bounds(label)


@pytest.mark.django_db
def test_reference_data_has_every_authority_and_one_board_each():
    assert LocalAuthority.objects.count() == 170
    assert Board.objects.count() == 170
    assert Region.objects.count() == 9
    # The April 2009 reorganisation: seven authorities end on 31 March, ten begin on 1 April.
    assert LocalAuthority.objects.filter(valid_to=D(2009, 3, 31)).count() == 7
    assert LocalAuthority.objects.filter(valid_from=D(2009, 4, 1)).count() == 10


@pytest.mark.django_db
def test_cornwall_and_isles_of_scilly_before_2009_is_one_board():
    board = Board.objects.get(gss_code="E10000005")
    assert board.name == "Cornwall and Isles of Scilly"
    assert board.authority.valid_to == D(2009, 3, 31)
    assert board.region.code == "E12000009"


@pytest.mark.django_db
def test_an_abolished_board_keeps_its_reviews():
    """Reference data is retired (valid_to), never deleted: deleting a board or authority with reviews fails."""
    cheshire = Board.objects.get(gss_code="E10000004")
    review = ReviewFactory(board=cheshire, completed_date=D(2010, 6, 1), submitted_date=D(2010, 7, 1))
    assert cheshire.authority.valid_to == D(2009, 3, 31)

    with pytest.raises(ProtectedError), transaction.atomic():
        cheshire.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        cheshire.authority.delete()

    assert Review.objects.get(pk=review.pk).board == cheshire
    assert Board.objects.filter(pk=cheshire.pk, authority__gss_code="E10000004").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "dates",
    [
        {"incident_date": D(2008, 3, 1), "decision_date": D(2008, 2, 1)},
        {"decision_date": D(2008, 7, 1), "completed_date": D(2008, 6, 1)},
        {"completed_date": D(2008, 6, 1), "submitted_date": D(2008, 5, 1)},
        {"incident_date": D(2008, 7, 1), "decision_date": None, "completed_date": D(2008, 6, 1)},
        {"incident_date": D(2008, 7, 1), "decision_date": None, "completed_date": None},
        {"decision_date": D(2008, 7, 1), "completed_date": None, "submitted_date": D(2008, 6, 30)},
    ],
)
def test_review_dates_out_of_order_are_rejected_by_the_database(dates):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(**dates)


def test_each_date_given_is_compared_with_the_one_given_before_it():
    dates = {"incident_date": D(2008, 7, 1), "decision_date": None, "completed_date": D(2008, 6, 1)}
    broken = dates_out_of_order({**dates, "submitted_date": D(2008, 8, 1)}, REVIEW_DATE_ORDER)
    assert [(earlier.field, later.field) for earlier, later in broken] == [("incident_date", "completed_date")]
    assert (
        dates_out_of_order({"incident_date": D(2008, 7, 1), "submitted_date": D(2008, 7, 1)}, REVIEW_DATE_ORDER) == []
    )


@pytest.mark.django_db
def test_a_review_checked_before_saving_says_which_date_is_out_of_order_in_the_forms_words():
    review = ReviewFactory.build(
        incident_date=D(2008, 7, 1), decision_date=D(2008, 6, 1), completed_date=None, submitted_date=None
    )
    with pytest.raises(ValidationError) as refused:
        review.validate_constraints()
    assert refused.value.messages == [
        "The date of the decision to hold the review must be the same as or after the date of the incident"
    ]


@pytest.mark.django_db
def test_review_reference_is_unique():
    ReviewFactory(reference="SCR-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(reference="SCR-1")


@pytest.mark.django_db
def test_evaluation_must_complete_after_it_is_received():
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationFactory(received_date=D(2008, 9, 2), completed_date=D(2008, 9, 1))


@pytest.mark.django_db
def test_evaluation_sequence_is_unique_per_review():
    first = EvaluationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationFactory(review=first.review, sequence=1)


@pytest.mark.django_db
def test_review_carries_its_latest_evaluation_whatever_wrote_it():
    first = EvaluationFactory(judgement="inadequate")
    review = first.review
    review.refresh_from_db()
    assert (review.latest_judgement, review.latest_evaluated_date) == ("inadequate", D(2008, 9, 1))

    Evaluation.objects.bulk_create(
        [
            Evaluation(
                review=review, sequence=2, received_date=D(2009, 3, 1), completed_date=D(2009, 4, 2), judgement="good"
            )
        ]
    )
    review.refresh_from_db()
    assert (review.latest_judgement, review.latest_evaluated_date) == ("good", D(2009, 4, 2))

    Evaluation.objects.filter(review=review, sequence=2).update(judgement="adequate")
    review.refresh_from_db()
    assert review.latest_judgement == "adequate"

    Evaluation.objects.filter(review=review, sequence=2).delete()
    review.refresh_from_db()
    assert (review.latest_judgement, review.latest_evaluated_date) == ("inadequate", D(2008, 9, 1))

    Evaluation.objects.filter(review=review).delete()
    review.refresh_from_db()
    assert (review.latest_judgement, review.latest_evaluated_date) == ("", None)
