"""The dashboard's CSV downloads never hand a spreadsheet a formula (issue 13): a board or region name that
starts like one is neutralised exactly as the register's exports neutralise text."""

import csv
import io

import pytest

from dashboard.views import CSV_TABLES
from reviews.csvsafe import FORMULA_PREFIXES, neutralise
from reviews.models import Board, Region
from tests.dashboard_data import BIRMINGHAM, WEST_MIDLANDS, signed_in

pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache")

BOARD_NAME = '=HYPERLINK("http://example.com/steal","Birmingham")'
REGION_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"


def cells(response):
    assert response.status_code == 200, response.content
    return [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]


@pytest.fixture
def formula_names(register):
    Board.objects.filter(gss_code=BIRMINGHAM).update(name=BOARD_NAME)
    Region.objects.filter(code=WEST_MIDLANDS).update(name=REGION_NAME)


def test_the_register_exports_and_the_dashboard_share_one_neutralising_function():
    from dashboard import tables
    from reviews import exports

    assert exports.neutralise is neutralise
    assert tables.neutralise is neutralise


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_text_starting_like_a_formula_gets_a_leading_quote(prefix):
    assert neutralise(f"{prefix}1+1") == f"'{prefix}1+1"
    assert neutralise("Birmingham") == "Birmingham"


@pytest.mark.parametrize("table", CSV_TABLES)
@pytest.mark.parametrize("publication", [False, True])
def test_no_dashboard_csv_cell_starts_like_a_formula(client, manager, formula_names, table, publication):
    params = {"year": "2008-09", "region": WEST_MIDLANDS, "board": BIRMINGHAM, "span": "all"}
    if publication:
        params["publication"] = "1"
    written = cells(signed_in(client, manager).get(f"/dashboard/{table}.csv", params))
    assert not [cell for cell in written if cell.startswith(FORMULA_PREFIXES)]


@pytest.mark.parametrize(
    ("table", "params"),
    [
        ("summary", {}),
        ("judgement-rates", {}),
        ("judgement-rates", {"span": "all"}),
        ("trend", {}),
        ("themes-by-year", {}),
    ],
)
def test_dashboard_csvs_write_formula_like_names_neutralised(client, manager, formula_names, table, params):
    query = {"year": "2008-09", "region": WEST_MIDLANDS, "board": BIRMINGHAM, **params}
    written = cells(signed_in(client, manager).get(f"/dashboard/{table}.csv", query))
    assert f"'{BOARD_NAME}" in written or f"'{REGION_NAME}" in written
    assert BOARD_NAME not in written and REGION_NAME not in written


@pytest.mark.parametrize("group", ["board", "region"])
def test_the_judgement_rates_csv_by_group_writes_names_neutralised(client, manager, formula_names, group):
    written = cells(signed_in(client, manager).get("/dashboard/judgement-rates.csv", {"group": group}))
    expected = f"'{BOARD_NAME}" if group == "board" else f"'{REGION_NAME}"
    assert expected in written
    assert BOARD_NAME not in written and REGION_NAME not in written
