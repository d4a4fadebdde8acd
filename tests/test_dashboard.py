"""The managers' dashboard (issue 5): each figure against the hand-worked register of tests/dashboard_data.py,
the JSON and CSV of SPEC section 7, scoping by role, small-number suppression and the query budget."""

import csv
import io
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connections
from django.test.utils import CaptureQueriesContext

from dashboard import queries
from tests.dashboard_data import (
    BIRMINGHAM,
    COVENTRY,
    ENGLAND,
    KENT,
    LEEDS,
    WEST_MIDLANDS,
    YORKSHIRE,
    D,
    make_review,
    signed_in,
)
from tests.factories import UserFactory

SUMMARY_KEYS = {
    "year",
    "reviews",
    "children",
    "child_deaths",
    "serious_harm",
    "known_to_social_care",
    "known_to_social_care_pct",
    "judgements",
    "boards_with_evaluations",
    "cross_area_reviews",
    "independent_chair_pct",
    "median_days_decision_to_completion",
}
RATE_KEYS = [
    "key",
    "name",
    "year",
    "reviews",
    "outstanding",
    "good",
    "adequate",
    "inadequate",
    "outstanding_pct",
    "good_pct",
    "adequate_pct",
    "inadequate_pct",
]


pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache")


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def csv_of(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def summary(client, **params):
    response = client.get("/dashboard/api/summary", params)
    assert response.status_code == 200, response.content
    return response.json()


def rates(client, **params):
    response = client.get("/dashboard/api/judgement-rates", params)
    assert response.status_code == 200, response.content
    return response.json()


# --- The numbers --------------------------------------------------------------------------------------------


def test_percentages_have_one_decimal_place_rounded_half_up():
    assert queries.percentage(1, 8) == Decimal("12.5")
    assert queries.percentage(2, 3) == Decimal("66.7")
    assert queries.percentage(1, 16) == Decimal("6.3")  # round(6.25, 1) would give 6.2
    assert queries.percentage(1, 40) == Decimal("2.5")
    assert queries.percentage(1, 6) == Decimal("16.7")
    assert queries.percentage(0, 5) == Decimal("0.0")
    assert queries.percentage(5, 5) == Decimal("100.0")


def test_a_percentage_of_nothing_is_none():
    assert queries.percentage(0, 0) is None


def test_medians_are_whole_days_rounded_half_up():
    assert queries.whole_days(104.5) == 105
    assert queries.whole_days(102.5) == 103
    assert queries.whole_days(None) is None


def test_national_summary_counts_evaluations_completed_in_the_year(client, manager, register):
    figures = summary(signed_in(client, manager), year="2008-09")
    assert figures == {
        "year": "2008-09",
        "reviews": 5,  # R1, R2 (first), R3 twice, R5
        "children": 7,  # R1 2 + R2 1 + R3 1 twice + R5 2
        "child_deaths": 4,  # A, C, F, G
        "serious_harm": 3,  # B, D twice
        "known_to_social_care": 4,  # A, D twice, F
        "known_to_social_care_pct": 66.7,  # of 6 children whose answer is recorded (C's is not)
        "judgements": {
            "outstanding": {"count": 0, "pct": 0.0},
            "good": {"count": 2, "pct": 40.0},
            "adequate": {"count": 1, "pct": 20.0},
            "inadequate": {"count": 2, "pct": 40.0},
        },
        "boards_with_evaluations": 3,
        "cross_area_reviews": 2,  # R3, evaluated twice
        "independent_chair_pct": 75.0,  # 3 of the 4 whose answer is known (R5's is not)
        "median_days_decision_to_completion": 105,  # 59, 59, 105, 122, 790
    }


def test_summary_keys_are_exactly_those_of_the_spec(client, manager, register):
    figures = summary(signed_in(client, manager), year="2008-09")
    assert set(figures) == SUMMARY_KEYS
    assert set(figures["judgements"]) == {"outstanding", "good", "adequate", "inadequate"}
    assert all(set(value) == {"count", "pct"} for value in figures["judgements"].values())


def test_the_first_of_april_starts_a_new_reporting_year(client, manager, register):
    client = signed_in(client, manager)
    # R1 was evaluated on 1 April 2008 and R5 on 31 March 2009: both in 2008-09. R4 on 1 April 2009: 2009-10.
    assert summary(client, year="2007-08")["reviews"] == 0
    figures = summary(client, year="2009-10")
    assert figures["reviews"] == 2
    assert figures["judgements"]["adequate"] == {"count": 2, "pct": 100.0}


def test_a_re_evaluation_counts_in_the_year_it_was_completed(client, manager, register):
    client = signed_in(client, manager)
    birmingham = {row["year"]: row for row in rates(client, group="board")["rows"] if row["key"] == BIRMINGHAM}
    assert birmingham["2008-09"]["inadequate"] == 1  # R2's first evaluation
    assert birmingham["2009-10"]["adequate"] == 1  # R2's second, a year later
    coventry = [row for row in rates(client, group="board", year="2008-09")["rows"] if row["key"] == COVENTRY]
    assert coventry[0]["reviews"] == 2  # R3 evaluated twice in 2008-09 counts twice


def test_an_empty_year_gives_zero_counts_and_null_percentages(client, manager, register):
    figures = summary(signed_in(client, manager), year="2015-16")
    assert figures["reviews"] == 0
    assert figures["known_to_social_care_pct"] is None
    assert figures["independent_chair_pct"] is None
    assert figures["median_days_decision_to_completion"] is None
    assert figures["judgements"]["good"] == {"count": 0, "pct": None}


def test_drafts_and_unevaluated_reviews_are_never_counted(client, manager, register):
    figures = summary(signed_in(client, manager), year="2008-09")
    assert figures["children"] == 7  # R6's child (a draft) is not among them
    assert figures["boards_with_evaluations"] == 3  # not Kent (R7 awaits evaluation)


def test_region_and_board_narrow_the_summary(client, manager, register):
    client = signed_in(client, manager)
    west_midlands = summary(client, year="2008-09", region=WEST_MIDLANDS)
    assert west_midlands["reviews"] == 4
    assert west_midlands["children"] == 5
    assert west_midlands["judgements"]["good"] == {"count": 2, "pct": 50.0}
    assert west_midlands["boards_with_evaluations"] == 2
    birmingham = summary(client, year="2008-09", board=BIRMINGHAM)
    assert birmingham["reviews"] == 2
    assert birmingham["children"] == 3
    assert birmingham["known_to_social_care_pct"] == 50.0  # A yes, B no, C not recorded
    assert birmingham["independent_chair_pct"] == 50.0
    assert birmingham["median_days_decision_to_completion"] == 114  # 105 and 122: halfway is 113.5, half up
    assert summary(client, year="2008-09", region=YORKSHIRE, board=BIRMINGHAM)["reviews"] == 0


def test_one_in_eight_is_twelve_and_a_half_per_cent(client, manager, reporting_shares_default):
    for n in range(8):
        make_review(
            f"X{n}",
            LEEDS,
            decision=D(2010, 1, 1),
            completed=D(2010, 3, 1),
            evaluations=[(1, D(2010, 5, 1), D(2010, 6, 1), "good" if n == 0 else "adequate")],
        )
    [row] = rates(signed_in(client, manager), group="national", year="2010-11")["rows"]
    assert row["good_pct"] == 12.5
    assert row["adequate_pct"] == 87.5


# --- Judgement rates ----------------------------------------------------------------------------------------


def test_judgement_rates_per_board_are_ordered_by_key_then_year(client, manager, register):
    body = rates(signed_in(client, manager), group="board")
    assert list(body) == ["group", "rows"]
    assert body["group"] == "board"
    assert [(row["key"], row["year"]) for row in body["rows"]] == [
        (BIRMINGHAM, "2008-09"),
        (BIRMINGHAM, "2009-10"),
        (COVENTRY, "2008-09"),
        (COVENTRY, "2009-10"),
        (LEEDS, "2008-09"),
    ]
    first = body["rows"][0]
    assert list(first) == RATE_KEYS
    assert first == {
        "key": BIRMINGHAM,
        "name": "Birmingham",
        "year": "2008-09",
        "reviews": 2,
        "outstanding": 0,
        "good": 1,
        "adequate": 0,
        "inadequate": 1,
        "outstanding_pct": 0.0,
        "good_pct": 50.0,
        "adequate_pct": 0.0,
        "inadequate_pct": 50.0,
    }


def test_judgement_rates_per_region_and_nationally(client, manager, register):
    client = signed_in(client, manager)
    regions = rates(client, group="region", year="2008-09")["rows"]
    assert [(row["key"], row["reviews"], row["good"], row["adequate"], row["inadequate"]) for row in regions] == [
        (YORKSHIRE, 1, 0, 1, 0),
        (WEST_MIDLANDS, 4, 2, 0, 2),
    ]
    national = rates(client, group="national")["rows"]
    assert [(row["key"], row["name"], row["year"], row["reviews"]) for row in national] == [
        (ENGLAND, "England", "2008-09", 5),
        (ENGLAND, "England", "2009-10", 2),
    ]


def test_judgement_rates_can_be_narrowed_to_a_region_or_board(client, manager, register):
    client = signed_in(client, manager)
    rows = rates(client, group="board", region=WEST_MIDLANDS, year="2008-09")["rows"]
    assert [row["key"] for row in rows] == [BIRMINGHAM, COVENTRY]
    rows = rates(client, group="board", board=LEEDS)["rows"]
    assert [(row["key"], row["year"]) for row in rows] == [(LEEDS, "2008-09")]
    assert [row["key"] for row in rates(client, group="region", region=YORKSHIRE)["rows"]] == [YORKSHIRE]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/dashboard/api/summary", {}),
        ("/dashboard/api/summary", {"year": ""}),
        ("/dashboard/api/summary", {"year": "2008"}),
        ("/dashboard/api/summary", {"year": "2008-10"}),
        ("/dashboard/api/summary", {"year": "2008-09'; DROP TABLE reviews_review; --"}),
        ("/dashboard/api/summary", {"year": "2008-09", "region": "E99999999"}),
        ("/dashboard/api/judgement-rates", {}),
        ("/dashboard/api/judgement-rates", {"group": "authority"}),
        ("/dashboard/api/judgement-rates", {"group": "board", "year": "08-09"}),
        ("/dashboard/api/judgement-rates", {"group": "national", "region": WEST_MIDLANDS}),
        ("/dashboard/api/judgement-rates", {"group": "region", "board": BIRMINGHAM}),
    ],
)
def test_bad_api_parameters_answer_400_with_an_error(client, manager, register, path, params):
    response = signed_in(client, manager).get(path, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/dashboard/api/summary", {"year": "2008-09", "board": "E08999999"}),
        ("/dashboard/api/judgement-rates", {"group": "board", "board": "E08999999"}),
    ],
)
def test_an_unknown_board_answers_404_in_json(client, manager, register, path, params):
    response = signed_in(client, manager).get(path, params)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "No such board"}


# --- Who sees what --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "inspector", "admin"])
def test_managers_inspectors_and_admins_see_every_board(client, register, role):
    user = UserFactory(role=role)
    client = signed_in(client, user)
    assert client.get("/dashboard/").status_code == 200
    keys = {row["key"] for row in rates(client, group="board")["rows"]}
    assert keys == {BIRMINGHAM, COVENTRY, LEEDS}


def test_board_staff_see_their_own_boards_rows_only(client, board_user, register):
    keys = {row["key"] for row in rates(signed_in(client, board_user), group="board")["rows"]}
    assert keys == {BIRMINGHAM}


def test_board_staff_see_the_national_and_regional_aggregates(client, board_user, register):
    client = signed_in(client, board_user)
    regions = {row["key"]: row["reviews"] for row in rates(client, group="region", year="2008-09")["rows"]}
    assert regions == {WEST_MIDLANDS: 4, YORKSHIRE: 1}  # Coventry's and Leeds' evaluations are in them
    assert summary(client, year="2008-09")["reviews"] == 5
    assert summary(client, year="2008-09", region=WEST_MIDLANDS)["reviews"] == 4
    assert summary(client, year="2008-09", board=BIRMINGHAM)["reviews"] == 2


@pytest.mark.parametrize(
    "path",
    [
        f"/dashboard/api/summary?year=2008-09&board={COVENTRY}",
        f"/dashboard/api/judgement-rates?group=board&board={COVENTRY}",
        f"/dashboard/judgement-rates.csv?board={COVENTRY}",
        f"/dashboard/judgement-rates.csv?group=board&board={COVENTRY}",
        f"/dashboard/summary.csv?year=2008-09&board={COVENTRY}",
    ],
)
def test_another_boards_figures_answer_404_to_board_staff(client, board_user, register, path):
    # The page answers such a board with a form error instead, as it does an unknown one (test_dashboard_filters).
    response = signed_in(client, board_user).get(path)
    assert response.status_code == 404
    if "/api/" in path:  # the same answer as for a board that does not exist: no existence leak
        assert response.json() == {"error": "No such board"}


def test_board_staff_page_shows_no_other_boards_row(client, board_user, register):
    page = soup(signed_in(client, board_user).get("/dashboard/", {"year": "2008-09", "span": "all"}))
    table = page.find(id="judgement-rates").find("table")
    names = [row.find("th").get_text(" ", strip=True) for row in table.find("tbody").find_all("tr")]
    assert any(name.startswith("Birmingham") for name in names)
    assert "West Midlands" in names and "England" in names
    assert not any(name.startswith(("Coventry", "Leeds")) for name in names)


def test_board_staff_csv_has_no_other_boards_row(client, board_user, register):
    response = signed_in(client, board_user).get("/dashboard/judgement-rates.csv", {"group": "board"})
    assert {row[0] for row in csv_of(response)[1:]} == {BIRMINGHAM}


def test_a_user_with_no_role_may_not_read_the_dashboard(client, register):
    client = signed_in(client, UserFactory())
    for path in ("/dashboard/", "/dashboard/api/summary?year=2008-09", "/dashboard/summary.csv?year=2008-09"):
        assert client.get(path).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, register):
    response = client.get("/dashboard/api/summary?year=2008-09")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- The page --------------------------------------------------------------------------------------------------


def test_the_page_has_every_panel_with_a_chart_a_table_and_a_download(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09"}))
    for panel_id in ("summary", "judgement-rates", "trend", "themes", "timeliness", "children"):
        panel = page.find(id=panel_id)
        assert panel.find_parent("div", class_="govuk-accordion__section").find("h2")
        assert panel.find("p", class_="govuk-body-l").get_text(strip=True)
        svg = panel.find("svg")
        assert svg["role"] == "img"
        assert "viewbox" in svg.attrs
        assert svg.find("title").get_text(strip=True)
        assert svg.find("desc").get_text(strip=True)
        assert panel.find("table", class_="govuk-table")
        assert any(link.get_text().startswith("Download this data (CSV)") for link in panel.find_all("a"))
    method = page.find(id="method").find_parent("div", class_="govuk-accordion__section")
    assert method.find("h2").get_text(strip=True) == "How these figures are calculated"


def test_the_panels_are_a_govuk_accordion_with_only_the_summary_open(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09"}))
    accordion = page.find("div", attrs={"data-module": "govuk-accordion"})
    sections = accordion.find_all("div", class_="govuk-accordion__section", recursive=False)
    # Each section's content starts with the panel's anchor (#judgement-rates...).
    contents = [section.find("div", class_="govuk-accordion__section-content") for section in sections]
    assert [content.find("div")["id"] for content in contents] == [
        "summary",
        "judgement-rates",
        "trend",
        "themes",
        "timeliness",
        "children",
        "actions",
        "publication",
        "method",
    ]
    assert ["govuk-accordion__section--expanded" in section["class"] for section in sections] == [True] + [False] * 8
    for number, section in enumerate(sections, start=1):
        # GOV.UK Frontend's script points each section's button at <accordion id>-content-<n>.
        content = section.find("div", class_="govuk-accordion__section-content")
        assert content["id"] == f"{accordion['id']}-content-{number}"


def test_the_summary_headline_gives_the_years_figures(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09"}))
    headline = page.find(id="summary").find("p", class_="govuk-body-l").get_text(" ", strip=True)
    assert "5 evaluations" in headline and "7 children" in headline and "4 of whom died" in headline
    assert "40.0% of the reviews were judged good, 20.0% adequate and 40.0% inadequate" in headline


def test_charts_describe_their_numbers_in_words(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09"}))
    desc = page.find(id="summary").find("svg").find("desc").get_text()
    assert "England (5 reviews): good 40.0%, adequate 20.0%, inadequate 40.0%." in desc


def test_a_boards_row_links_to_its_reviews_in_the_register(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09"}))
    link = page.find(id="judgement-rates").find("a", href=re.compile(r"^/reviews/\?"))
    assert link["href"] == f"/reviews/?board={BIRMINGHAM}&year=2008-09"


def test_the_board_table_sorts_on_the_server_with_aria_sort(client, manager, register):
    client = signed_in(client, manager)
    page = soup(client.get("/dashboard/", {"year": "2008-09", "sort": "-inadequate_pct"}))
    table = page.find(id="judgement-rates").find("table")
    header = table.find("th", attrs={"aria-sort": "descending"})
    assert header.get_text(" ", strip=True).startswith("Inadequate %")
    assert table.find("th", attrs={"aria-sort": "none"})
    boards = [
        row.find("th").get_text(" ", strip=True).split(" reviews")[0] for row in table.find("tbody").find_all("tr")
    ]
    assert boards[-3:] == ["Birmingham", "Coventry", "Leeds"]  # 50.0, 50.0, 0.0 inadequate
    page = soup(client.get("/dashboard/", {"year": "2008-09", "sort": "inadequate_pct"}))
    table = page.find(id="judgement-rates").find("table")
    boards = [
        row.find("th").get_text(" ", strip=True).split(" reviews")[0] for row in table.find("tbody").find_all("tr")
    ]
    assert boards[-3:] == ["Leeds", "Birmingham", "Coventry"]


def test_invalid_filters_show_a_govuk_error_summary_and_no_figures(client, manager, register):
    response = signed_in(client, manager).get("/dashboard/", {"year": "1999-00", "sort": "password"})
    page = soup(response)
    summary_box = page.find(class_="govuk-error-summary")
    messages = [item.get_text(strip=True) for item in summary_box.find_all("li")]
    assert "Choose a reporting year from the list, such as 2008-09" in messages
    assert "Choose how to sort the board rows from the list" in messages
    assert page.title.get_text().startswith("Error:")
    assert page.find(id="judgement-rates") is None
    assert page.find("select", attrs={"name": "year"}).find("option", selected=True) is None


def test_a_board_outside_the_chosen_region_is_an_error(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"region": YORKSHIRE, "board": BIRMINGHAM}))
    assert "Birmingham is in West Midlands" in page.find(class_="govuk-error-summary").get_text()


def test_the_page_needs_at_most_thirteen_queries(client, manager, board_user, register, django_assert_max_num_queries):
    # Five to sign in on Django's own parts (session, user, the user's and their groups' permissions, device),
    # then the reader's boards, the data version, the kept counts of the rows shown, the year's details, the
    # action-plan counts and the publication figures (every board's kept counts, the re-evaluations and the
    # published summaries): thirteen when cold.
    for user in (manager, board_user):
        client = signed_in(client, user)
        # A first request starts the session's clocks: run alone, before any request had loaded the middleware
        # that records sign-ins, the test counted the session's save (3 more queries) in the page's budget.
        client.get("/dashboard/api/summary", {"year": "2008-09"})
        queries.cache.clear()
        with django_assert_max_num_queries(13):
            response = client.get("/dashboard/", {"year": "2008-09", "region": WEST_MIDLANDS, "span": "all"})
        assert response.status_code == 200


def test_the_apis_need_few_queries(client, manager, register, django_assert_max_num_queries):
    client = signed_in(client, manager)
    client.get("/dashboard/api/summary", {"year": "2009-10"})  # the session's clocks start: a write, once
    # The session, the user, their own and their groups' permissions, the device, the boards, the data
    # version, the audit context and the figures.
    with django_assert_max_num_queries(9):
        client.get("/dashboard/api/summary", {"year": "2008-09"})
    with django_assert_max_num_queries(9):
        client.get("/dashboard/api/judgement-rates", {"group": "board"})


@pytest.mark.django_db(databases=["default", "reporting"])
def test_aggregates_read_through_the_reporting_alias():
    with CaptureQueriesContext(connections["reporting"]) as reporting:
        version = queries.data_version()
        queries.judgement_counts(version=version)
        queries.year_details("2008-09", [queries.Scope()], version=version)
    assert len(reporting.captured_queries) == 3


# --- Themes, timeliness, children --------------------------------------------------------------------------


def _table_rows(client, table, **params):
    rows = csv_of(client.get(f"/dashboard/{table}.csv", params))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_themes_count_findings_and_the_share_of_reviews_with_one(client, manager, register):
    themes = {row["category"]: row for row in _table_rows(signed_in(client, manager), "themes", year="2008-09")}
    assert themes["weak_management"] == {
        "category": "weak_management",
        "name": "Weak management",
        "findings": "3",
        "reviews": "2",
        "reviews_pct": "40.0",
    }
    assert (themes["child_focus"]["findings"], themes["child_focus"]["reviews_pct"]) == ("1", "20.0")
    assert (themes["risk_assessment"]["findings"], themes["risk_assessment"]["reviews_pct"]) == ("1", "20.0")
    assert (themes["other"]["findings"], themes["other"]["reviews_pct"]) == ("0", "0.0")  # R6 is a draft


def test_themes_by_agency(client, manager, register):
    rows = _table_rows(signed_in(client, manager), "themes-by-agency", year="2008-09")
    agencies = {row["agency"]: (row["findings"], row["reviews"], row["reviews_pct"]) for row in rows}
    assert agencies["police"] == ("2", "1", "20.0")
    assert agencies["health"] == ("1", "1", "20.0")
    assert agencies["childrens_social_care"] == ("1", "1", "20.0")
    assert agencies[""] == ("1", "1", "20.0")
    assert agencies["education"] == ("0", "0", "0.0")


def test_timeliness_bands_and_medians(client, manager, register):
    client = signed_in(client, manager)
    bands = {
        row["band"]: (row["reviews"], row["reviews_pct"]) for row in _table_rows(client, "timeliness", year="2008-09")
    }
    assert bands == {
        "within_4_months": ("4", "80.0"),  # R1 (31 Jan, 4 months after 1 Oct is 1 Feb), R2, R3 twice
        "within_6_months": ("4", "80.0"),
        "within_6_to_12_months": ("0", "0.0"),
        "within_1_to_2_years": ("0", "0.0"),
        "over_2_years": ("1", "20.0"),  # R5: 790 days
    }
    durations = {
        row["measure"]: (row["reviews"], row["median_days"]) for row in _table_rows(client, "durations", year="2008-09")
    }
    assert durations == {
        "decision_to_completion": ("5", "105"),
        "completion_to_evaluation": ("5", "61"),  # 31, 47, 61, 245, 395
        "received_to_evaluation": ("5", "42"),  # 29, 31, 42, 61, 364
    }


def test_four_calendar_months_end_on_the_same_day_of_the_month(client, manager, reporting_shares_default):
    make_review(
        "T1",
        LEEDS,
        decision=D(2008, 1, 10),
        completed=D(2008, 5, 10),
        evaluations=[(1, D(2008, 6, 1), D(2008, 7, 1), "good")],
    )
    make_review(
        "T2",
        LEEDS,
        decision=D(2008, 1, 10),
        completed=D(2008, 5, 11),
        evaluations=[(1, D(2008, 6, 1), D(2008, 7, 1), "good")],
    )
    bands = {
        row["band"]: row["reviews"] for row in _table_rows(signed_in(client, manager), "timeliness", year="2008-09")
    }
    assert bands["within_4_months"] == "1"
    assert bands["within_6_months"] == "2"


def test_children_by_age_outcome_social_care_and_protection_plan(client, manager, register):
    rows = _table_rows(signed_in(client, manager), "children", year="2008-09")
    children = {(row["characteristic"], row["value"]): (row["children"], row["children_pct"]) for row in rows}
    assert children[("age_band", "under_1")] == ("1", "14.3")  # 1 of 7
    assert children[("age_band", "11_to_15")] == ("2", "28.6")  # D, twice
    assert children[("age_band", "16_plus")] == ("2", "28.6")
    assert children[("age_band", "unborn")] == ("0", "0.0")  # E's review was evaluated in 2009-10
    assert children[("outcome", "died")] == ("4", "57.1")
    assert children[("outcome", "serious_harm")] == ("3", "42.9")
    assert children[("known_to_social_care", "yes")] == ("4", "66.7")
    assert children[("known_to_social_care", "no")] == ("2", "33.3")
    assert children[("known_to_social_care", "not_recorded")] == ("1", "")
    assert children[("child_protection_plan", "yes")] == ("1", "16.7")
    assert children[("child_protection_plan", "no")] == ("5", "83.3")


# --- CSV -------------------------------------------------------------------------------------------------------


def _page_table(page, panel_id, index=0):
    """A page table's rows as lists of cell texts (dashes for no figure become "")."""
    table = page.find(id=panel_id).find_all("table")[index]
    rows = []
    for row in table.find("tbody").find_all("tr"):
        cells = []
        for cell in row.find_all(["th", "td"]):
            for hidden in cell.find_all(class_="govuk-visually-hidden"):
                hidden.decompose()
            text = cell.get_text(strip=True).replace("–", "")
            numeric = "govuk-table__cell--numeric" in cell.get("class", [])
            cells.append(text.replace(",", "") if numeric else text)
        rows.append(cells)
    return rows


def test_the_judgement_rates_csv_equals_the_pages_table(client, manager, register):
    client = signed_in(client, manager)
    params = {"year": "2008-09", "region": WEST_MIDLANDS, "sort": "-reviews"}
    page_rows = _page_table(soup(client.get("/dashboard/", params)), "judgement-rates")
    response = client.get("/dashboard/judgement-rates.csv", params)
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_of(response)
    assert header == RATE_KEYS
    # The page shows the name first and leaves the code to the CSV; the numbers are the same, in the same order.
    assert [[row[1], *row[2:]] for row in rows] == page_rows
    assert [row[0] for row in rows] == [ENGLAND, WEST_MIDLANDS, BIRMINGHAM, COVENTRY]


@pytest.mark.parametrize(
    ("panel_id", "index", "table"),
    [("themes", 0, "themes"), ("timeliness", 0, "timeliness"), ("timeliness", 1, "durations")],
)
def test_each_small_csv_equals_its_table(client, manager, register, panel_id, index, table):
    client = signed_in(client, manager)
    page_rows = _page_table(soup(client.get("/dashboard/", {"year": "2008-09"})), panel_id, index)
    rows = csv_of(client.get(f"/dashboard/{table}.csv", {"year": "2008-09"}))[1:]
    assert [row[1:] for row in rows] == page_rows


def test_the_summary_csv_holds_the_json_figures(client, manager, register):
    client = signed_in(client, manager)
    rows = _table_rows(client, "summary", year="2008-09", region=WEST_MIDLANDS)
    assert [row["key"] for row in rows] == [ENGLAND, WEST_MIDLANDS]
    england = rows[0]
    figures = summary(client, year="2008-09")
    assert england["reviews"] == str(figures["reviews"])
    assert england["known_to_social_care_pct"] == "66.7"
    assert england["good_pct"] == "40.0"
    assert england["independent_author_pct"] == "75.0"  # R1, R3 twice yes; R5 no; R2 not recorded
    assert england["median_days_decision_to_completion"] == "105"


def test_the_judgement_rates_csv_with_group_gives_the_api_rows(client, manager, register):
    client = signed_in(client, manager)
    api = rates(client, group="board")["rows"]
    header, *rows = csv_of(client.get("/dashboard/judgement-rates.csv", {"group": "board"}))
    assert header == RATE_KEYS
    assert rows == [[str(row[key]) for key in RATE_KEYS] for row in api]


def test_publication_csv_suppresses_counts_from_one_to_four_and_their_rows_percentages(client, manager, register):
    for n in range(5):
        make_review(
            f"P{n}",
            KENT,
            decision=D(2008, 1, 1),
            completed=D(2008, 3, 1),
            evaluations=[(1, D(2008, 5, 1), D(2008, 6, 1), "adequate")],
        )
    client = signed_in(client, manager)
    rows = {
        row[0]: row
        for row in csv_of(client.get("/dashboard/judgement-rates.csv", {"year": "2008-09", "publication": "1"}))[1:]
    }
    # Birmingham: 2 reviews, 1 good, 1 inadequate: every small count and every percentage of the row withheld.
    assert rows[BIRMINGHAM] == [BIRMINGHAM, "Birmingham", "2008-09", "c", "0", "c", "0", "c", "c", "c", "c", "c"]
    # Kent: 5 adequate reviews: nothing to suppress.
    assert rows[KENT] == [KENT, "Kent", "2008-09", "5", "0", "0", "5", "0", "0.0", "0.0", "100.0", "0.0"]
    # England: 10 reviews, 2 good, 6 adequate, 2 inadequate: the small counts and the row's percentages go.
    assert rows[ENGLAND] == [ENGLAND, "England", "2008-09", "10", "0", "c", "6", "c", "c", "c", "c", "c"]
    plain = {row[0]: row for row in csv_of(client.get("/dashboard/judgement-rates.csv", {"year": "2008-09"}))[1:]}
    assert plain[BIRMINGHAM][3:8] == ["2", "0", "1", "0", "1"]


def test_publication_csv_withholds_medians_of_small_rows(client, manager, register):
    rows = csv_of(signed_in(client, manager).get("/dashboard/durations.csv", {"year": "2009-10", "publication": "1"}))
    assert rows[1] == ["decision_to_completion", "From the decision to hold the review to its completion", "c", "c"]


def test_an_unknown_table_is_not_found(client, manager, register):
    assert signed_in(client, manager).get("/dashboard/passwords.csv").status_code == 404


def test_a_csv_with_bad_filters_answers_400(client, manager, register):
    response = signed_in(client, manager).get("/dashboard/themes.csv", {"year": "next year"})
    assert response.status_code == 400
    assert b"Choose a reporting year" in response.content
