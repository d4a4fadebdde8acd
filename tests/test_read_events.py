"""Every page that shows a review's content records exactly one read (ReadEvent) per page view."""

import datetime

import pytest
from django.urls import reverse

from reviews.models import AgencyInvolvement, Child, Contribution, Evaluation, Finding, ReadEvent, Review
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory, UserFactory, board


@pytest.fixture
def draft(birmingham):
    review = ReviewFactory(
        board=birmingham,
        status=Review.Status.DRAFT,
        submitted_date=None,
        completed_date=datetime.date(2008, 6, 1),
        summary="A summary.",
    )
    ChildFactory(review=review, pseudonym="Child A")
    return review


def reads(user, review):
    return list(ReadEvent.objects.filter(user=user, review=review).values_list("kind", flat=True))


@pytest.mark.django_db
def test_opening_the_edit_page_records_one_read(client, board_user, draft):
    client.force_login(board_user)
    assert client.get(reverse("reviews:edit", args=[draft.pk])).status_code == 200
    assert reads(board_user, draft) == [ReadEvent.Kind.EDIT]


@pytest.mark.django_db
def test_opening_the_submit_page_records_one_read(client, board_user, draft):
    client.force_login(board_user)
    assert client.get(reverse("reviews:submit", args=[draft.pk])).status_code == 200
    assert reads(board_user, draft) == [ReadEvent.Kind.SUBMIT]


@pytest.mark.django_db
def test_opening_the_evaluate_page_records_one_read(client, inspector):
    review = ReviewFactory(status=Review.Status.SUBMITTED)
    client.force_login(inspector)
    assert client.get(reverse("reviews:evaluate", args=[review.pk])).status_code == 200
    assert reads(inspector, review) == [ReadEvent.Kind.EVALUATE]


@pytest.mark.django_db
def test_a_refused_edit_page_shows_no_review_and_records_no_read(client, inspector):
    review = ReviewFactory(status=Review.Status.SUBMITTED)
    client.force_login(inspector)
    assert client.get(reverse("reviews:edit", args=[review.pk])).status_code == 403
    assert reads(inspector, review) == []


def admin_change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def rows(admin_user):
    review = ReviewFactory(reference="SCR-READ-1")
    return {
        Review: review,
        Child: ChildFactory(review=review),
        Finding: FindingFactory(review=review),
        AgencyInvolvement: AgencyInvolvement.objects.create(review=review, agency="police", imr_submitted=True),
        Evaluation: EvaluationFactory(review=review, evaluated_by=admin_user),
        Contribution: Contribution.objects.create(review=review, board=board("E08000026")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Review, Child, Finding, AgencyInvolvement, Evaluation, Contribution])
def test_opening_an_admin_change_page_of_review_content_records_one_read(client, admin_user, rows, model):
    client.force_login(admin_user)
    assert client.get(admin_change_url(rows[model])).status_code == 200
    assert reads(admin_user, rows[Review]) == [ReadEvent.Kind.ADMIN]


@pytest.mark.django_db
def test_an_admin_save_that_fails_validation_records_no_further_read(client, admin_user, rows):
    client.force_login(admin_user)
    response = client.post(admin_change_url(rows[Child]), {"review": rows[Review].pk, "pseudonym": ""})
    assert response.status_code == 200
    assert reads(admin_user, rows[Review]) == []


@pytest.mark.django_db
def test_reads_in_the_admin_are_listed_in_plain_words(client, admin_user, rows):
    other = UserFactory(role="admin")
    client.force_login(other)
    client.get(admin_change_url(rows[Review]))
    event = ReadEvent.objects.get(user=other)
    assert event.get_kind_display() == "Opened a review in the admin"


@pytest.mark.django_db
@pytest.mark.parametrize("event_model", ["ReviewEvent", "ChildEvent", "FindingEvent"])
def test_opening_an_audit_event_in_the_admin_records_a_read_of_its_review(client, admin_user, rows, event_model):
    from django.apps import apps

    event = apps.get_model("reviews", event_model).objects.order_by("pgh_id").first()
    client.force_login(admin_user)
    assert client.get(admin_change_url(event)).status_code == 200
    assert reads(admin_user, rows[Review]) == [ReadEvent.Kind.ADMIN]
    assert ReadEvent.objects.get(user=admin_user).detail == f"{event._meta.verbose_name} {event.pk}"


@pytest.mark.django_db
def test_opening_an_audit_event_of_a_deleted_review_records_a_read_naming_the_event(client, admin_user):
    from reviews.models import ReviewEvent

    review = ReviewFactory()
    review_id = review.pk
    review.delete()
    event = ReviewEvent.objects.filter(pgh_obj_id=review_id, pgh_label="delete").first() or (
        ReviewEvent.objects.filter(pgh_obj_id=review_id).order_by("-pgh_id").first()
    )
    client.force_login(admin_user)
    assert client.get(admin_change_url(event)).status_code == 200
    read = ReadEvent.objects.get(user=admin_user)
    assert (read.kind, read.review_id, read.detail) == (ReadEvent.Kind.ADMIN, None, f"review event {event.pk}")


@pytest.mark.django_db
def test_an_admin_read_names_the_record_shown(client, admin_user, rows):
    client.force_login(admin_user)
    client.get(admin_change_url(rows[Child]))
    assert ReadEvent.objects.get(user=admin_user).detail == f"child {rows[Child].pk}"
