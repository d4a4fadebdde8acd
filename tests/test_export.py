"""Exports of the register: exactly the filtered list, same scoping and order, streamed, audited, and safe to
open in a spreadsheet."""

import io
import re

import openpyxl
import pytest

from reviews import exports
from reviews.models import ReadEvent, Review
from tests.factories import ReviewFactory, UserFactory, board
from tests.register_data import (
    BIRMINGHAM,
    BIRMINGHAM_STAFF_SEE,
    COVENTRY,
    INSPECTOR_SEES,
    WEST_MIDLANDS,
    build_register,
    csv_rows,
    fresh_register_options,  # noqa: F401 (autouse fixture)
    listed,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reporting_shares_default")]


@pytest.fixture
def register(db):
    return build_register()


@pytest.fixture
def as_inspector(client, inspector, register):
    client.force_login(inspector)
    return client


def _unescape(value):
    """Text as Excel shows it: OOXML writes control characters as _xHHHH_, which openpyxl leaves as is."""
    if isinstance(value, str):
        return re.sub(r"_x([0-9A-F]{4})_", lambda match: chr(int(match.group(1), 16)), value)
    return value


def xlsx_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = list(workbook.active.iter_rows(values_only=True))
    header = list(values[0])
    return [dict(zip(header, map(_unescape, row), strict=True)) for row in values[1:]]


def test_csv_export_is_streamed_and_starts_with_a_reference_column(as_inspector):
    response = as_inspector.get("/reviews/export.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reviews-')
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("reference,title,lead_board_code,lead_board_name,region_code,region_name,")


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"judgement": "inadequate"},
        {"region": WEST_MIDLANDS, "o": "-completed"},
        {"q": "neglect"},
        {"o": "judgement"},
        {"o": "-board", "known_to_social_care": "no"},
    ],
)
def test_exports_hold_exactly_the_rows_of_the_list_in_its_order(as_inspector, query):
    shown = listed(as_inspector.get("/reviews/", query))
    assert [row["reference"] for row in csv_rows(as_inspector.get("/reviews/export.csv", query))] == shown
    assert [row["reference"] for row in xlsx_rows(as_inspector.get("/reviews/export.xlsx", query))] == shown


def test_export_is_the_whole_list_not_one_page(as_inspector):
    for n in range(30):
        ReviewFactory(reference=f"SCR-B{n:02d}")
    rows = csv_rows(as_inspector.get("/reviews/export.csv", {"page": "2", "per_page": "25"}))
    assert len(rows) == 37


def test_a_row_has_the_lead_board_region_dates_latest_evaluation_and_counts(as_inspector):
    rows = {row["reference"]: row for row in csv_rows(as_inspector.get("/reviews/export.csv"))}
    a5 = rows["SCR-A5"]  # evaluated twice: inadequate in 2008-09, then good in 2009-10
    assert a5["lead_board_code"] == BIRMINGHAM
    assert a5["lead_board_name"] == "Birmingham"
    assert a5["region_code"] == WEST_MIDLANDS
    assert a5["region_name"] == "West Midlands"
    assert a5["completed_date"] == "2008-02-01"
    assert a5["status"] == "evaluated"
    assert a5["latest_evaluation_sequence"] == "2"
    assert a5["latest_evaluation_completed_date"] == "2009-06-01"
    assert a5["latest_evaluation_reporting_year"] == "2009-10"
    assert a5["latest_judgement"] == "good"
    assert (a5["children"], a5["findings"]) == ("1", "1")
    assert (rows["SCR-A8"]["children"], rows["SCR-A8"]["findings"]) == ("2", "2")
    assert rows["SCR-A2"]["other_boards"] == BIRMINGHAM
    unevaluated = rows["SCR-A6"]
    assert unevaluated["latest_evaluation_sequence"] == ""
    assert unevaluated["latest_judgement"] == ""
    assert unevaluated["latest_evaluation_reporting_year"] == ""
    assert (unevaluated["children"], unevaluated["findings"]) == ("0", "0")


def test_xlsx_export_has_the_same_columns_with_real_dates_and_numbers(as_inspector):
    response = as_inspector.get("/reviews/export.xlsx", {"judgement": "good"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    [row] = xlsx_rows(response)
    assert list(row)[0] == "reference"
    assert list(row) == exports.HEADER
    assert row["reference"] == "SCR-A5"
    assert row["latest_evaluation_completed_date"].date().isoformat() == "2009-06-01"
    assert row["latest_evaluation_sequence"] == 2
    assert row["latest_evaluation_reporting_year"] == "2009-10"


def test_xlsx_export_opens_as_a_workbook_with_a_bold_frozen_heading_row(as_inspector):
    response = as_inspector.get("/reviews/export.xlsx", {"judgement": "inadequate"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "Reviews"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "reference" and sheet["A1"].font.bold
    assert [sheet.cell(row=n, column=1).value for n in range(2, sheet.max_row + 1)] == [
        "SCR-A1",
        "SCR-A2",
        "SCR-A3",
        "SCR-A4",
    ]
    assert sheet["J2"].number_format == "yyyy-mm-dd"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"judgement": "excellent"}, "Choose a judgement from the list: “excellent” is not one"),
        ({"year": "2008"}, "Enter a reporting year like 2008-09"),
        ({"board": "E99999999"}, "Choose a lead board from the list"),
        ({"o": "title"}, "Sort by one of the columns offered"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_invalid_filter_answers_400_with_the_error_and_no_rows(as_inspector, query, message, fmt):
    response = as_inspector.get(f"/reviews/export.{fmt}", query)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "SCR-A" not in body
    assert not ReadEvent.objects.filter(kind="export").exists()


def test_board_staff_export_exactly_their_own_register(client, board_user, register):
    client.force_login(board_user)
    rows = csv_rows(client.get("/reviews/export.csv"))
    assert [row["reference"] for row in rows] == BIRMINGHAM_STAFF_SEE  # A9, Coventry's draft, is not there
    assert [row["reference"] for row in csv_rows(client.get("/reviews/export.csv", {"board": COVENTRY}))] == ["SCR-A2"]


def test_managers_and_admins_export_every_submitted_review(client, manager, admin_user, register):
    client.force_login(manager)
    assert [row["reference"] for row in csv_rows(client.get("/reviews/export.csv"))] == INSPECTOR_SEES
    client.force_login(admin_user)
    assert len(csv_rows(client.get("/reviews/export.csv"))) == 9  # admins see drafts too


def test_users_without_a_role_may_not_export(client, register):
    client.force_login(UserFactory())
    assert client.get("/reviews/export.csv").status_code == 403
    assert client.get("/reviews/export.xlsx").status_code == 403


@pytest.mark.parametrize("bad", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"])
def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised_in_csv_and_xlsx(as_inspector, bad):
    ReviewFactory(reference="SCR-Z1", title=bad, board=board(BIRMINGHAM))
    [csv_row] = csv_rows(as_inspector.get("/reviews/export.csv", {"q": "SCR-Z1"}))
    assert csv_row["title"] == "'" + bad
    [xlsx_row] = xlsx_rows(as_inspector.get("/reviews/export.xlsx", {"q": "SCR-Z1"}))
    assert xlsx_row["title"] == "'" + bad


def test_harmless_text_is_left_alone(as_inspector):
    ReviewFactory(reference="SCR-Z2", title="Child A: 3 agencies = one plan", board=board(BIRMINGHAM))
    [row] = csv_rows(as_inspector.get("/reviews/export.csv", {"q": "SCR-Z2"}))
    assert row["title"] == "Child A: 3 agencies = one plan"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_export_is_recorded_with_its_format_filters_and_row_count(as_inspector, inspector, fmt):
    as_inspector.get(f"/reviews/export.{fmt}", {"judgement": "inadequate", "o": "-reference"})
    event = ReadEvent.objects.get(kind=ReadEvent.Kind.EXPORT)
    assert event.user == inspector
    assert event.detail == f"{fmt}; judgement=inadequate&o=-reference; 4 rows"


def test_exports_read_through_the_reporting_database(register):
    assert exports.export_queryset(Review.objects.all()).db == "reporting"


def test_the_list_offers_export_links_only_to_those_who_may_export(client, register):
    client.force_login(UserFactory(role="manager"))
    assert "Download this list (CSV)" in client.get("/reviews/").content.decode()
    client.force_login(UserFactory(role="board_staff", boards=[BIRMINGHAM]))
    assert "Download this list (CSV)" in client.get("/reviews/").content.decode()


def test_an_export_of_an_empty_list_is_just_the_header(as_inspector):
    response = as_inspector.get("/reviews/export.csv", {"q": "nothing like this"})
    assert b"".join(response.streaming_content).decode() == ",".join(exports.HEADER) + "\r\n"


def test_a_workbook_of_an_empty_list_is_just_the_bold_heading_row(as_inspector):
    response = as_inspector.get("/reviews/export.xlsx", {"q": "nothing like this"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert list(sheet.iter_rows(values_only=True)) == [tuple(exports.HEADER)]
    assert sheet["A1"].font.bold
