"""Fault drills: a backup restores to an equal database."""

import io

import pytest
from django.conf import settings

from ops.backup_restore import run_drill
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restores_every_row_and_the_same_reviews():
    evaluation = EvaluationFactory(review__summary="Quotes \"'; commas, non-ASCII é and <b>markup</b>")
    ChildFactory(review=evaluation.review)
    FindingFactory(review=evaluation.review)
    out = io.StringIO()

    report = run_drill(settings.DATABASES["default"], out=out)

    assert report["equal"]
    assert report["after"]["tables"]["reviews_review"] == 1
    assert report["after"]["tables"]["reviews_board"] == 170
    assert report["after"]["tables"]["reviews_reviewevent"] >= 1
    assert report["before"]["reviews_checksum"] == report["after"]["reviews_checksum"]
    assert "Drill passed: nothing lost." in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reference_data_survives_a_transactional_test():
    from reviews.models import Board

    assert Board.objects.count() == 170
