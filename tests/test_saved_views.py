"""Inspectors' saved views: name the register's filters, list them, open one, delete one; only the owner's."""

import pytest

from reviews.models import SavedView
from tests.factories import UserFactory
from tests.register_data import (
    WEST_MIDLANDS,
    build_register,
    fresh_register_options,  # noqa: F401 (autouse fixture)
    listed,
    soup,
)

pytestmark = pytest.mark.django_db

QUESTION = f"judgement=inadequate&year=2008-09&region={WEST_MIDLANDS}&category=weak_management"


@pytest.fixture
def as_inspector(client, inspector):
    build_register()
    client.force_login(inspector)
    return client


def test_an_inspector_saves_the_current_filters_and_opens_them_again(as_inspector, inspector):
    page = soup(as_inspector.get(f"/reviews/?{QUESTION}&page=1"))
    save = page.find("a", string="Save these filters")["href"]
    form_page = as_inspector.get(save)
    assert form_page.status_code == 200
    assert "West Midlands" in form_page.content.decode()  # the filters to be saved are shown
    hidden = soup(form_page).find("input", attrs={"name": "query_string"})["value"]
    assert hidden == QUESTION  # without the page

    response = as_inspector.post("/reviews/saved/new/", {"name": "WM weak management", "query_string": hidden})
    assert response.status_code == 302 and response["Location"] == "/reviews/saved/"
    saved = SavedView.objects.get(owner=inspector)
    assert (saved.name, saved.query_string) == ("WM weak management", QUESTION)

    listing = soup(as_inspector.get("/reviews/saved/"))
    link = listing.find("a", string="WM weak management")["href"]
    opened = as_inspector.get(link)
    assert opened.status_code == 302 and opened["Location"] == f"/reviews/?{QUESTION}"
    assert listed(as_inspector.get(opened["Location"])) == ["SCR-A1"]


def test_a_view_needs_a_name_that_is_new_to_its_owner(as_inspector, inspector):
    SavedView.objects.create(owner=inspector, name="Mine", query_string="judgement=good")
    missing = as_inspector.post("/reviews/saved/new/", {"name": "  ", "query_string": "judgement=good"})
    assert "Enter a name for this view" in missing.content.decode()
    taken = as_inspector.post("/reviews/saved/new/", {"name": "Mine", "query_string": "judgement=good"})
    assert "You already have a saved view with this name" in taken.content.decode()
    assert soup(taken).select_one(".govuk-error-summary")
    assert SavedView.objects.count() == 1
    # Another inspector may use the same name.
    other = UserFactory(role="inspector")
    as_inspector.force_login(other)
    assert as_inspector.post("/reviews/saved/new/", {"name": "Mine", "query_string": ""}).status_code == 302


@pytest.mark.parametrize(
    "query_string",
    ["judgement=excellent", "year=2008", "board=E99999999", "o=title", "status=draft", "q=" + "x" * 201],
)
def test_filters_that_the_register_would_refuse_cannot_be_saved(as_inspector, query_string):
    response = as_inspector.post("/reviews/saved/new/", {"name": "Bad", "query_string": query_string})
    assert response.status_code == 200
    assert "These filters cannot be saved" in response.content.decode()
    assert not SavedView.objects.exists()


def test_the_saved_query_string_is_cleaned_of_blanks_and_the_page(as_inspector, inspector):
    as_inspector.post("/reviews/saved/new/", {"name": "Clean", "query_string": "q=&judgement=good&page=3&board="})
    assert SavedView.objects.get(owner=inspector).query_string == "judgement=good"


def test_an_inspector_deletes_a_saved_view_after_confirming(as_inspector, inspector):
    saved = SavedView.objects.create(owner=inspector, name="Old", query_string="judgement=good")
    confirm = as_inspector.get(f"/reviews/saved/{saved.pk}/delete/")
    assert "Delete the saved view “Old”?" in confirm.content.decode()
    assert SavedView.objects.filter(pk=saved.pk).exists()
    response = as_inspector.post(f"/reviews/saved/{saved.pk}/delete/")
    assert response.status_code == 302
    assert not SavedView.objects.filter(pk=saved.pk).exists()


def test_another_users_saved_view_answers_404(as_inspector):
    theirs = SavedView.objects.create(owner=UserFactory(role="inspector"), name="Theirs", query_string="")
    assert as_inspector.get(f"/reviews/saved/{theirs.pk}/").status_code == 404
    assert as_inspector.get(f"/reviews/saved/{theirs.pk}/delete/").status_code == 404
    assert as_inspector.post(f"/reviews/saved/{theirs.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()
    assert "Theirs" not in as_inspector.get("/reviews/saved/").content.decode()


@pytest.mark.parametrize("role", ["manager", "board_staff"])
def test_only_inspectors_have_saved_views(client, role):
    client.force_login(UserFactory(role=role, boards=["E08000025"] if role == "board_staff" else []))
    assert client.get("/reviews/saved/").status_code == 403
    assert client.post("/reviews/saved/new/", {"name": "x", "query_string": ""}).status_code == 403
    assert "Save these filters" not in client.get("/reviews/").content.decode()


def test_deleting_needs_a_post(as_inspector, inspector):
    saved = SavedView.objects.create(owner=inspector, name="Keep", query_string="")
    as_inspector.get(f"/reviews/saved/{saved.pk}/delete/")
    assert SavedView.objects.filter(pk=saved.pk).exists()


def test_saved_views_list_says_so_when_there_are_none(as_inspector):
    assert "You have no saved views yet" in as_inspector.get("/reviews/saved/").content.decode()
