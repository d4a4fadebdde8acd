"""No lost work: two people saving the same review never overwrite each other silently."""

import html
import re

import pytest
from django.urls import reverse

from reviews import editing
from reviews.forms import ReviewEditor
from reviews.models import Review
from tests.conftest import HTTPSClient
from tests.factories import ChildFactory, ReviewFactory, UserFactory
from tests.review_pages import ORIGIN, child_row, edit_data, edit_url, posted_value, text_of


@pytest.fixture
def draft(birmingham):
    review = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None, title="First title")
    ChildFactory(review=review, pseudonym="Child A")
    return review


@pytest.fixture
def alex(birmingham):
    return UserFactory(username="alex", first_name="Alex", last_name="Smith", role="board_staff", boards=["E08000025"])


@pytest.fixture
def bea(birmingham):
    return UserFactory(username="bea", first_name="Bea", last_name="Khan", role="board_staff", boards=["E08000025"])


def signed_in(user):
    client = HTTPSClient()
    client.force_login(user)
    return client


def test_the_second_of_two_saves_gets_the_conflict_page_and_the_first_save_stays(draft, alex, bea):
    first, second = signed_in(alex), signed_in(bea)
    assert first.get(edit_url(draft)).status_code == 200
    assert second.get(edit_url(draft)).status_code == 200
    loaded = Review.objects.get(pk=draft.pk)  # what both pages were built from

    assert first.post(edit_url(draft), edit_data(loaded, title="Alex's title"), headers=ORIGIN).status_code == 302
    response = second.post(edit_url(draft), edit_data(loaded, title="Bea's title"), headers=ORIGIN)

    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed this review while you were working on it" in page
    assert "Your changes have not been saved" in page
    assert "Alex Smith saved the review" in page
    row = re.search(r"<th scope=\"row\"[^>]*>Title</th>(.*?)</tr>", response.content.decode(), flags=re.S).group(1)
    assert "Alex's title" in html.unescape(row) and "Bea's title" in html.unescape(row)
    draft.refresh_from_db()
    assert draft.title == "Alex's title"
    assert draft.version == 2


def test_the_conflict_page_keeps_what_the_user_typed_and_saving_it_again_is_deliberate(draft, alex, bea):
    first, second = signed_in(alex), signed_in(bea)
    loaded = Review.objects.get(pk=draft.pk)
    first.post(edit_url(draft), edit_data(loaded, title="Alex's title"), headers=ORIGIN)
    typed = edit_data(loaded, title="Bea's title", summary="Bea's long summary")
    response = second.post(edit_url(draft), typed, headers=ORIGIN)
    assert posted_value(response, "title") == "Bea's title"
    assert posted_value(response, "summary") == "Bea's long summary"
    assert posted_value(response, "version") == "2"  # the form now builds on the saved version

    typed["version"] = "2"
    assert second.post(edit_url(draft), typed, headers=ORIGIN).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Bea's title"
    assert draft.version == 3


def test_rows_that_differ_are_shown_side_by_side(draft, alex, bea):
    first, second = signed_in(alex), signed_in(bea)
    loaded = Review.objects.get(pk=draft.pk)
    child = loaded.children.get()
    first.post(
        edit_url(draft),
        edit_data(loaded, children=[{"id": str(child.pk), **child_row("Child A", outcome="serious_harm")}]),
        headers=ORIGIN,
    )
    response = second.post(
        edit_url(draft), edit_data(loaded, children=[{"id": str(child.pk), **child_row("Child A")}]), headers=ORIGIN
    )
    page = text_of(response)
    assert "Child Child A: Female, Under 1 year, Seriously harmed" in page
    assert "Child A: Female, Under 1 year, Died" in page


def test_a_review_submitted_while_someone_edits_it_is_not_changed_and_their_answers_are_shown(draft, alex, bea):
    first, second = signed_in(alex), signed_in(bea)
    loaded = Review.objects.get(pk=draft.pk)
    draft.summary = "Ready."
    draft.save()
    loaded_after_summary = Review.objects.get(pk=draft.pk)
    first.post(reverse("reviews:submit", args=[draft.pk]), {"version": loaded_after_summary.version}, headers=ORIGIN)
    response = second.post(edit_url(draft), edit_data(loaded, title="Too late"), headers=ORIGIN)
    assert response.status_code == 409
    page = text_of(response)
    assert "can no longer be changed" in page
    assert "Too late" in page
    assert 'name="title"' not in response.content.decode()  # no form to save
    draft.refresh_from_db()
    assert draft.status == Review.Status.SUBMITTED
    assert draft.title == "First title"


def test_adding_a_row_does_not_check_the_version_and_saves_nothing(draft, alex):
    client = signed_in(alex)
    loaded = Review.objects.get(pk=draft.pk)
    response = client.post(edit_url(draft), edit_data(loaded, title="Kept", action="add-children"), headers=ORIGIN)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.title == "First title"
    assert draft.version == loaded.version


def test_the_version_is_checked_in_the_update_itself(draft, alex):
    """Two saves that both passed the page's check: the database lets only one through."""
    # Adapted: the save is ReviewEditor.save() (the review form and its inline formsets), no longer
    # editing.update_review().
    loaded = Review.objects.get(pk=draft.pk)
    first = ReviewEditor(user=alex, review=loaded, data=edit_data(loaded))
    second = ReviewEditor(user=alex, review=loaded, data=edit_data(loaded, title="Lost?"))
    assert first.is_valid() and second.is_valid()
    first.save()
    with pytest.raises(editing.EditConflict) as conflict:
        second.save()
    assert conflict.value.review.version == loaded.version + 1
    draft.refresh_from_db()
    assert draft.title == "First title"


def test_a_stale_post_with_a_board_that_is_no_id_gets_the_conflict_page_not_an_error(draft, alex):
    # Found by tests/test_fuzz.py: the conflict page looked the typed board up by id and gave a 500.
    loaded = Review.objects.get(pk=draft.pk)
    data = edit_data(loaded, title="Alex's title")
    data.update(board="inadequate", version=str(loaded.version - 1))
    response = signed_in(alex).post(edit_url(draft), data, headers=ORIGIN)
    assert response.status_code == 409
    assert "inadequate" in text_of(response)
    draft.refresh_from_db()
    assert draft.title == "First title"
