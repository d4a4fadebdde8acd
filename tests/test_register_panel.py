"""The register's filter panel is kept in Django's cache (jinja2/reviews/register.html, govuk/fragments.py): a
kept panel must still say what each user may choose, what each query ticked, and what the boards are called."""

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.http import QueryDict
from markupsafe import Markup

from reviews.models import Review
from reviews.register.choices import register_options
from reviews.register.filters import ReviewFilter
from reviews.register.selected import panel_varies_on
from tests.factories import board
from tests.register_data import KENT, build_register, fresh_register_options, soup  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def register(db):
    return build_register()


def panel_key(user, query):
    """The key the register keeps the panel under for ``user`` and ``query``, worked out as the view does."""
    filterset = ReviewFilter(QueryDict(query), queryset=Review.objects.for_user(user), user=user)
    return make_template_fragment_key("reviews.register.panel", panel_varies_on(filterset, filterset.data))


def offered_statuses(response):
    return [box["value"] for box in soup(response).find_all("input", attrs={"name": "status"})]


def ticked(response, name):
    return [box["value"] for box in soup(response).find_all("input", attrs={"name": name, "checked": True})]


def datalist(response):
    return [option["data-name"] for option in soup(response).select("#register-boards option")]


def test_a_panel_kept_for_board_staff_never_offers_an_inspector_drafts(client, inspector, board_user, register):
    client.force_login(board_user)
    assert "draft" in offered_statuses(client.get("/reviews/"))
    client.force_login(inspector)
    assert offered_statuses(client.get("/reviews/")) == ["submitted", "evaluated"]
    client.force_login(board_user)
    assert "draft" in offered_statuses(client.get("/reviews/"))


def test_each_query_gets_a_panel_ticked_as_it_asks_and_the_page_number_does_not_matter(client, inspector, register):
    client.force_login(inspector)
    assert ticked(client.get("/reviews/", {"judgement": "inadequate"}), "judgement") == ["inadequate"]
    assert ticked(client.get("/reviews/", {"judgement": "good"}), "judgement") == ["good"]
    assert ticked(client.get("/reviews/"), "judgement") == []
    first = soup(client.get("/reviews/", {"judgement": "inadequate", "per_page": 25}))
    again = soup(client.get("/reviews/", {"judgement": "inadequate", "per_page": 25, "page": 1}))
    assert str(again.find("form", id="register-filters")) == str(first.find("form", id="register-filters"))


def test_the_panel_is_kept_once_per_query_and_served_from_the_cache(client, inspector, register):
    client.force_login(inspector)
    response = client.get("/reviews/", {"year": "2008-09"})
    key = panel_key(inspector, "year=2008-09")
    assert key != panel_key(inspector, "year=2009-10")
    kept = cache.get(key)
    assert kept is not None and 'value="2008-09" checked' in kept
    assert kept in response.content.decode()
    # What the cache holds is what the page shows: the panel is not rendered again.
    cache.set(key, kept.replace("Latest judgement", "Latest judgement (kept)"))
    assert "Latest judgement (kept)" in client.get("/reviews/", {"year": "2008-09"}).content.decode()


def test_a_panel_showing_errors_is_not_kept(client, inspector, register):
    client.force_login(inspector)
    response = client.get("/reviews/", {"status": "draft"})
    assert "Choose a status from the list" in response.content.decode()
    refused = ReviewFilter(QueryDict("status=draft"), queryset=Review.objects.for_user(inspector), user=inspector)
    assert panel_varies_on(refused, refused.data) is None


def test_a_renamed_board_shows_in_the_kept_panel_at_once(client, inspector, register):
    client.force_login(inspector)
    before = register_options().version
    assert "Kent County" not in datalist(client.get("/reviews/"))
    kent = board(KENT)
    kent.name = "Kent County"
    kent.save()
    assert register_options().version != before
    assert "Kent County" in datalist(client.get("/reviews/"))


def test_the_board_list_is_kept_once_for_every_query_and_user(client, inspector, board_user, register):
    client.force_login(inspector)
    client.get("/reviews/")
    key = make_template_fragment_key("reviews.register.boards", [register_options().version])
    kept = cache.get(key)
    assert kept is not None and 'data-name="Kent"' in kept
    cache.set(key, kept.replace(Markup('data-name="Kent"'), Markup('data-name="Kent (kept)"')))
    assert "Kent (kept)" in datalist(client.get("/reviews/", {"q": "neglect"}))
    client.force_login(board_user)
    assert "Kent (kept)" in datalist(client.get("/reviews/", {"region": "E12000008"}))
