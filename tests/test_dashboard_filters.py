"""The dashboard's filters (issue 13): the year picker shows the page's year, every control keeps the others'
values, boards that share a name are told apart, and an unknown board is a form error like an unknown year."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup

from tests.dashboard_data import BIRMINGHAM, COVENTRY, WEST_MIDLANDS, signed_in

pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache")

# 7 December 2026 is in 2026-27; the last complete reporting year, the page's default, is 2025-26.
TODAY = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def form_values(page):
    """What the filters form sends as it stands, as a browser would send it: each select's selected option
    (the first when none is selected) and the hidden inputs."""
    form = page.find("form", class_="app-dashboard-filters")
    values = {}
    for select in form.find_all("select"):
        option = select.find("option", selected=True) or select.find("option")
        values[select["name"]] = option["value"]
    for hidden in form.find_all("input", type="hidden"):
        values[hidden["name"]] = hidden["value"]
    return {name: value for name, value in values.items() if value}


def query_of(href):
    return {name: values[0] for name, values in parse_qs(urlsplit(href).query).items()}


def summary_heading(page):
    return page.find(id="summary").find_parent("div", class_="govuk-accordion__section").find("h2").get_text(strip=True)


# --- The year picker -----------------------------------------------------------------------------------------------


def test_without_a_year_the_picker_shows_the_year_the_page_shows(client, manager, register):
    with time_machine.travel(TODAY):
        page = soup(signed_in(client, manager).get("/dashboard/"))
    assert summary_heading(page) == "National summary for 2025-26"
    selected = page.find("select", attrs={"name": "year"}).find_all("option", selected=True)
    assert [option["value"] for option in selected] == ["2025-26"]


def test_choosing_a_region_keeps_the_year_shown(client, manager, register):
    with time_machine.travel(TODAY):
        client = signed_in(client, manager)
        values = form_values(soup(client.get("/dashboard/")))
        values["region"] = WEST_MIDLANDS
        page = soup(client.get("/dashboard/", values))
    assert values["year"] == "2025-26"
    assert summary_heading(page) == "National summary for 2025-26"


FILTERS = {"year": "2008-09", "region": WEST_MIDLANDS, "board": BIRMINGHAM, "span": "all", "sort": "-reviews"}


@pytest.mark.parametrize("control", ["year", "region", "board", "span"])
def test_changing_one_select_keeps_every_other_filter(client, manager, register, control):
    client = signed_in(client, manager)
    values = form_values(soup(client.get("/dashboard/", FILTERS)))
    assert values == FILTERS
    changed = {"year": "2009-10", "region": "", "board": "", "span": "year"}[control]
    values[control] = changed
    page = soup(client.get("/dashboard/", values))
    assert form_values(page) == {key: value for key, value in {**FILTERS, control: changed}.items() if value}


def test_the_sort_links_keep_every_other_filter(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", FILTERS))
    links = page.find(id="judgement-rates").find("thead").find_all("a")
    assert links
    for link in links:
        query = query_of(link["href"])
        assert {key: query.get(key) for key in ("year", "region", "board", "span")} == {
            key: FILTERS[key] for key in ("year", "region", "board", "span")
        }


def test_the_download_links_keep_every_filter(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", FILTERS))
    links = [link for link in page.find_all("a", href=True) if ".csv?" in link["href"]]
    assert len(links) >= 18
    for link in links:
        query = query_of(link["href"])
        query.pop("publication", None)
        assert query == FILTERS


# --- The board picker -------------------------------------------------------------------------------------------


def board_options(page):
    return [
        (option["value"], option.get_text())
        for option in page.find("select", attrs={"name": "board"}).find_all("option")
        if option["value"]
    ]


def test_boards_that_share_a_name_are_told_apart_by_code_and_dates(client, manager, register):
    options = board_options(soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09"})))
    labels = [label for _, label in options]
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)
    northumberland = [label for label in labels if label.startswith("Northumberland")]
    assert northumberland == [
        "Northumberland (E06000048, April 2009 to March 2013)",
        "Northumberland (E06000057, from April 2013)",
        "Northumberland (E10000022, until March 2009)",
    ]
    by_code = dict(options)
    assert by_code[BIRMINGHAM] == "Birmingham"  # a name no other board has is shown alone
    assert by_code["E06000060"] == "Buckinghamshire (E06000060, from April 2020)"


# --- An unknown board -------------------------------------------------------------------------------------------


def error_messages(page):
    return [item.get_text(strip=True) for item in page.find(class_="govuk-error-summary").find_all("li")]


def test_an_unknown_board_is_a_form_error_like_an_unknown_year(client, manager, register):
    client = signed_in(client, manager)
    bad_year = client.get("/dashboard/", {"year": "1990-91"})
    bad_board = client.get("/dashboard/", {"year": "2008-09", "board": "E99999999"})
    assert bad_board.status_code == bad_year.status_code == 200
    page = soup(bad_board)
    assert error_messages(page) == ["Choose a board from the list"]
    assert page.find(class_="govuk-error-summary").find("a")["href"] == "#id_board"
    assert page.title.get_text().startswith("Error:")
    assert page.find(id="summary") is None


def test_board_staff_get_the_same_answer_for_another_board_as_for_no_board(client, board_user, register):
    client = signed_in(client, board_user)
    another = client.get("/dashboard/", {"year": "2008-09", "board": COVENTRY})
    unknown = client.get("/dashboard/", {"year": "2008-09", "board": "E99999999"})
    assert another.status_code == unknown.status_code == 200
    another_page, unknown_page = soup(another), soup(unknown)
    assert error_messages(another_page) == error_messages(unknown_page) == ["Choose a board from the list"]
    assert str(another_page.find("main")) == str(unknown_page.find("main"))
    assert "Coventry" not in another.content.decode()
