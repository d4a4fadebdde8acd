"""The judgement rates table's pages (issue 14: "every year" nationally is 3,000+ board rows): Django's Paginator
over the sorted board rows, England and the regions on every page, GOV.UK pagination whose links keep the
filters, a clear answer to a bad page, and a CSV with every row. The page size is made 2 here so the hand-worked
register of tests/dashboard_data.py (five board rows for every year) fills three pages."""

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from dashboard import queries
from dashboard.forms import PAGE_ERROR
from tests.dashboard_data import BIRMINGHAM, ENGLAND, WEST_MIDLANDS, signed_in

pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache")

EVERY_YEAR = {"year": "2008-09", "span": "all", "sort": "-reviews"}
REGIONS = 9  # England's regions, each with its comparison row on every page


@pytest.fixture
def two_a_page(monkeypatch):
    monkeypatch.setattr("dashboard.panels.BOARD_ROWS_PER_PAGE", 2)


def soup(response):
    assert response.status_code == 200, response.content
    return BeautifulSoup(response.content.decode(), "html.parser")


def panel(client, **params):
    return soup(client.get("/dashboard/", params)).find(id="judgement-rates")


def names(panel_):
    """The table's rows as (area, year) pairs, in the page's order."""
    rows = []
    for row in panel_.find("table").find("tbody").find_all("tr"):
        header = row.find("th")
        for hidden in header.find_all(class_="govuk-visually-hidden"):
            hidden.decompose()
        rows.append((header.get_text(strip=True), row.find("td").get_text(strip=True)))
    return rows


def csv_rows(client, **params):
    response = client.get("/dashboard/judgement-rates.csv", params)
    assert response.status_code == 200, response.content
    header, *rows = csv.reader(io.StringIO(response.content.decode()))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_page_two_shows_the_next_board_rows_in_the_sort(client, manager, register, two_a_page):
    client = signed_in(client, manager)
    every = csv_rows(client, **EVERY_YEAR)
    boards = [(row["name"], row["year"]) for row in every[1 + REGIONS :]]
    comparison = [(row["name"], row["year"]) for row in every[: 1 + REGIONS]]
    assert len(boards) == 5
    assert [row["reviews"] for row in every[1 + REGIONS :]] == sorted(
        (row["reviews"] for row in every[1 + REGIONS :]), key=int, reverse=True
    )
    # One after another with the cache kept: each page's panels are kept under a key of their own.
    first, second, third = (panel(client, **EVERY_YEAR, page=n) for n in (1, 2, 3))
    assert names(first) == comparison + boards[0:2]
    assert names(second) == comparison + boards[2:4]
    assert names(third) == comparison + boards[4:5]
    assert second.find(id="judgement-rates-showing").get_text(strip=True) == "Showing board rows 3 to 4 of 5"
    assert first.find("nav", class_="govuk-pagination").find(attrs={"aria-current": "page"}).get_text(strip=True) == (
        "1"
    )


def test_the_pagination_links_keep_the_filters(client, manager, register, two_a_page):
    client = signed_in(client, manager)
    params = {**EVERY_YEAR, "as_of_day": "31", "as_of_month": "3", "as_of_year": "2011", "page": "2"}
    nav = panel(client, **params).find("nav", class_="govuk-pagination")
    links = {a.get_text(" ", strip=True): a["href"] for a in nav.find_all("a")}
    assert set(links) >= {"1", "3", "Previous page", "Next page"}
    for text, href in links.items():
        query = parse_qs(urlsplit(href).query)
        assert urlsplit(href).fragment == "judgement-rates"
        assert {key: values[0] for key, values in query.items() if key != "page"} == {
            "year": "2008-09",
            "span": "all",
            "sort": "-reviews",
            "as_of_day": "31",
            "as_of_month": "3",
            "as_of_year": "2011",
        }, text
    assert "page" not in parse_qs(urlsplit(links["1"]).query)  # page 1 is the page without a page
    assert parse_qs(urlsplit(links["Next page"]).query)["page"] == ["3"]
    # A new sort starts at page 1.
    sort_links = [a["href"] for a in panel(client, **params).find("table").find("thead").find_all("a")]
    assert sort_links and all("page" not in parse_qs(urlsplit(href).query) for href in sort_links)


def test_one_page_of_board_rows_shows_no_pagination(client, manager, register):
    found = panel(signed_in(client, manager), **EVERY_YEAR)
    assert found.find("nav", class_="govuk-pagination") is None
    assert found.find(id="judgement-rates-showing") is None
    assert len(names(found)) == 1 + REGIONS + 5


@pytest.mark.parametrize("page", ["two", "0", "-1", "1.5", "9" * 12])
def test_a_bad_page_is_the_forms_error(client, manager, register, two_a_page, page):
    page_ = soup(signed_in(client, manager).get("/dashboard/", {**EVERY_YEAR, "page": page}))
    messages = [item.get_text(strip=True) for item in page_.find(class_="govuk-error-summary").find_all("li")]
    assert messages == [PAGE_ERROR]
    assert page_.find(id="judgement-rates") is None


def test_a_csv_with_a_bad_page_answers_400(client, manager, register):
    response = signed_in(client, manager).get("/dashboard/judgement-rates.csv", {**EVERY_YEAR, "page": "two"})
    assert response.status_code == 400
    assert PAGE_ERROR in response.content.decode()


def test_a_page_past_the_last_shows_the_last(client, manager, register, two_a_page):
    client = signed_in(client, manager)
    found = panel(client, **EVERY_YEAR, page=99)
    assert found.find(id="judgement-rates-showing").get_text(strip=True) == "Showing board rows 5 to 5 of 5"
    assert names(found) == names(panel(client, **EVERY_YEAR, page=3))


def test_the_csv_has_every_row_whatever_the_page(client, manager, register, two_a_page):
    client = signed_in(client, manager)
    every = csv_rows(client, **EVERY_YEAR, page=2)
    assert every == csv_rows(client, **EVERY_YEAR)
    assert [row["key"] for row in every[:2]] == [ENGLAND, "E12000001"]
    shown = [name for n in (1, 2, 3) for name in names(panel(client, **EVERY_YEAR, page=n))[1 + REGIONS :]]
    assert [(row["name"], row["year"]) for row in every[1 + REGIONS :]] == shown
    # The download link on page 2 is the same download: no page in it.
    link = panel(client, **EVERY_YEAR, page=2).find("a", href=lambda href: href and ".csv" in href)["href"]
    assert "page" not in parse_qs(urlsplit(link).query)


def test_board_staff_pages_hold_their_own_boards_rows_only(client, board_user, register, two_a_page):
    client = signed_in(client, board_user)
    found = panel(client, **EVERY_YEAR)
    assert found.find("nav", class_="govuk-pagination") is None  # Birmingham's two years fill one page
    boards = names(found)[1 + REGIONS :]
    assert [name for name, _ in boards] == ["Birmingham", "Birmingham"]
    assert {row["key"] for row in csv_rows(client, **EVERY_YEAR)[1 + REGIONS :]} == {BIRMINGHAM}


def test_a_later_page_needs_no_more_queries(client, manager, register, two_a_page, django_assert_max_num_queries):
    # The same thirteen as page 1 (tests/test_dashboard.py): the pages are cut from the rows already read.
    client = signed_in(client, manager)
    client.get("/dashboard/api/summary", {"year": "2008-09"})
    queries.cache.clear()
    with django_assert_max_num_queries(13):
        response = client.get("/dashboard/", {**EVERY_YEAR, "region": WEST_MIDLANDS, "page": 2})
    assert response.status_code == 200
    assert "Showing board rows 3 to 4 of 4" in response.content.decode()
