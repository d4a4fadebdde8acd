"""The dashboard's action-plan panel and its CSV (SPEC section 9): per board and region on the as-of day the page
asks for, board staff seeing the regional and national figures whole and only their own boards' rows.

The plans are test_action_figures.py's, worked out by hand there: as of 31 March 2011, Birmingham 6 actions,
3 completed, 3 open, 2 overdue (33.3%), 1 late; Coventry 2, 1, 1, 1 (50.0%), 0; Leeds 1, 1, 0, 0 (0.0%), 1;
West Midlands 8, 4, 4, 3 (37.5%), 1; England 9, 5, 4, 3 (33.3%), 2.
"""

import csv
import io

import pytest
from bs4 import BeautifulSoup

from tests.dashboard_data import signed_in
from tests.test_action_figures import plans  # noqa: F401 (the fixture the tests below use)

pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache", "plans")

AS_OF = {"as_of_day": "31", "as_of_month": "3", "as_of_year": "2011"}
HEADER = ["key", "name", "actions", "completed", "open", "overdue", "overdue_pct", "completed_late"]
ENGLAND = ["E92000001", "England", "9", "5", "4", "3", "33.3", "2"]
WEST_MIDLANDS = ["E12000005", "West Midlands", "8", "4", "4", "3", "37.5", "1"]
YORKSHIRE = ["E12000003", "Yorkshire and The Humber", "1", "1", "0", "0", "0.0", "1"]
BIRMINGHAM = ["E08000025", "Birmingham", "6", "3", "3", "2", "33.3", "1"]
COVENTRY = ["E08000026", "Coventry", "2", "1", "1", "1", "50.0", "0"]
LEEDS = ["E08000035", "Leeds", "1", "1", "0", "0", "0.0", "1"]


def page(client, user, **params):
    response = signed_in(client, user).get("/dashboard/", {"year": "2010-11", **AS_OF, **params})
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def table_rows(soup):
    """The panel's table as text, a list per row: the area's name then its figures as shown."""
    table = soup.find(id="actions").find("table")
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in table.tbody.find_all("tr")
    ]


def csv_rows(client, user, **params):
    response = signed_in(client, user).get("/dashboard/actions.csv", {"year": "2010-11", **AS_OF, **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def shown(row):
    """A CSV row as the page shows it: the name, then the figures."""
    return row[1:]


def test_the_panel_gives_england_every_region_and_each_boards_figures_on_the_day_asked(client, manager):
    soup = page(client, manager)
    rows = table_rows(soup)
    assert rows[0] == shown(ENGLAND)
    assert shown(WEST_MIDLANDS) in rows and shown(YORKSHIRE) in rows
    assert rows[-3:] == [shown(BIRMINGHAM), shown(COVENTRY), shown(LEEDS)]
    panel = soup.find(id="actions")
    assert "31 March 2011" in panel.find("p", class_="govuk-body-l").get_text()
    svg = panel.find("svg")
    assert svg["role"] == "img" and "West Midlands: 37.5% of 8" in svg.find("desc").get_text()


def test_the_csv_has_the_same_rows_as_the_panel(client, manager):
    rows = csv_rows(client, manager)
    assert rows[0] == HEADER
    assert rows[1] == ENGLAND
    assert WEST_MIDLANDS in rows and YORKSHIRE in rows
    assert rows[-3:] == [BIRMINGHAM, COVENTRY, LEEDS]


def test_a_region_narrows_the_panel_to_that_region_and_its_boards(client, manager):
    rows = csv_rows(client, manager, region="E12000005")
    assert rows[1:] == [ENGLAND, WEST_MIDLANDS, BIRMINGHAM, COVENTRY]


def test_another_day_counts_again(client, manager):
    rows = csv_rows(client, manager, as_of_day="1", as_of_month="1", as_of_year="2010")
    # Nothing was due or completed by 1 January 2010: every counted action is open and none is overdue yet.
    assert rows[1] == ["E92000001", "England", "9", "0", "9", "0", "0.0", "0"]


def test_board_staff_see_the_regional_and_national_figures_and_only_their_own_boards_rows(client, board_user):
    rows = csv_rows(client, board_user)
    assert rows[1] == ENGLAND and WEST_MIDLANDS in rows
    assert BIRMINGHAM in rows
    assert COVENTRY not in rows and LEEDS not in rows
    assert [row[1] for row in table_rows(page(client, board_user)) if row[0] in ("Coventry", "Leeds")] == []


def test_board_staff_asking_for_another_boards_csv_get_404(client, board_user):
    response = signed_in(client, board_user).get("/dashboard/actions.csv", {"year": "2010-11", "board": "E08000026"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2011", "Date the action plans are counted on must be a real date"),
        ("31", "", "2011", "Date the action plans are counted on must include a month"),
        ("1", "1", "11", "Year must include 4 numbers"),
    ],
)
def test_a_bad_as_of_date_is_a_govuk_error_and_shows_no_figures(client, manager, day, month, year, message):
    soup = page(client, manager, as_of_day=day, as_of_month=month, as_of_year=year)
    summary = soup.find(class_="govuk-error-summary")
    assert message in summary.get_text()
    assert summary.find("a")["href"].startswith("#id_as_of")
    assert soup.find(id="actions") is None
    assert soup.find(class_="govuk-date-input").find(class_="govuk-input--error")


def test_a_bad_as_of_date_in_the_csv_is_a_400(client, manager):
    response = signed_in(client, manager).get(
        "/dashboard/actions.csv", {"year": "2010-11", "as_of_day": "31", "as_of_month": "2", "as_of_year": "2011"}
    )
    assert response.status_code == 400
