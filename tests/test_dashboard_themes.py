"""Themes across the years (issue 5: "weakness findings per category per year, count and share of reviews"):
the Themes panel's table and chart of every reporting year for the area the page is narrowed to, against the
hand-worked register of tests/dashboard_data.py and small registers made here."""

import csv
import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.db import connection, connections, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import queries
from reviews.models import Board, Evaluation, Finding, Review
from reviews.reporting import BoardYear
from tests.dashboard_data import (
    BIRMINGHAM,
    COVENTRY,
    ENGLAND,
    KENT,
    LEEDS,
    WEST_MIDLANDS,
    D,
    make_review,
    signed_in,
)
from tests.factories import FindingFactory, board

CATEGORIES = [slug for slug, _ in Finding.Category.choices]
HEADER = ["key", "name", "year", "reviews", *[column for c in CATEGORIES for column in (c, f"{c}_pct")]]


pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache")


def soup(response):
    assert response.status_code == 200, response.content[:500]
    return BeautifulSoup(response.content.decode(), "html.parser")


def csv_rows(client, **params):
    response = client.get("/dashboard/themes-by-year.csv", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv.reader(io.StringIO(response.content.decode()))
    assert header == HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


def expected(key, name, year, reviews, **found):
    """A CSV row: ``found`` maps a category to its number of reviews (every other category has none)."""
    row = {"key": key, "name": name, "year": year, "reviews": str(reviews)}
    for category in CATEGORIES:
        count = found.get(category, 0)
        row[category] = str(count)
        row[f"{category}_pct"] = str(queries.percentage(count, reviews))
    return row


# --- The numbers, worked by hand ---------------------------------------------------------------------------------


def test_england_every_year_counts_reviews_with_each_weakness_once_per_evaluation(client, manager, register):
    rows = csv_rows(signed_in(client, manager), year="2008-09")
    assert rows == [
        # R1 (evaluated 1 April 2008, the first day of 2008-09), R2's first, R3 twice, R5 (31 March 2009).
        # R1 has two weak management findings and counts once; R6's "other" is a draft's.
        expected(ENGLAND, "England", "2008-09", 5, weak_management=2, child_focus=1, risk_assessment=1),
        # R2's second evaluation (1 May 2009) counts its finding again, in the year it was completed; R4 has none.
        expected(ENGLAND, "England", "2009-10", 2, weak_management=1),
    ]
    assert rows[0]["weak_management_pct"] == "40.0"
    assert rows[1]["weak_management_pct"] == "50.0"


def test_the_table_does_not_depend_on_the_chosen_year(client, manager, register):
    client = signed_in(client, manager)
    assert csv_rows(client, year="2015-16") == csv_rows(client, year="2008-09")


def test_the_first_of_april_and_a_re_evaluation_in_the_same_and_a_later_year(client, manager, reporting_shares_default):
    # T1: evaluated on 31 March 2011 (2010-11) and again on 1 April 2011 (2011-12), with a staff finding.
    make_review(
        "T1",
        LEEDS,
        decision=D(2010, 1, 1),
        completed=D(2010, 6, 1),
        evaluations=[(1, D(2011, 1, 1), D(2011, 3, 31), "inadequate"), (2, D(2011, 3, 31), D(2011, 4, 1), "good")],
        findings=[("staff_expertise", "police"), ("record_keeping", "health")],
    )
    # T2: no findings, evaluated in 2011-12. T3: evaluated twice in 2013-14 (two evaluations, two counts).
    make_review(
        "T2",
        LEEDS,
        decision=D(2010, 1, 1),
        completed=D(2010, 6, 1),
        evaluations=[(1, D(2011, 4, 1), D(2011, 5, 1), "good")],
    )
    make_review(
        "T3",
        LEEDS,
        decision=D(2012, 1, 1),
        completed=D(2013, 1, 1),
        evaluations=[(1, D(2013, 2, 1), D(2013, 4, 2), "inadequate"), (2, D(2013, 9, 1), D(2014, 3, 31), "adequate")],
        findings=[("staff_expertise", ""), ("staff_expertise", "education")],
    )
    # A draft with findings and an evaluation-free submitted review count nowhere.
    make_review("T4", LEEDS, decision=D(2010, 1, 1), completed=D(2010, 6, 1), findings=[("other", "police")])
    rows = csv_rows(signed_in(client, manager), year="2011-12", board=LEEDS)
    assert rows == [
        expected(LEEDS, "Leeds", "2010-11", 1, staff_expertise=1, record_keeping=1),
        expected(LEEDS, "Leeds", "2011-12", 2, staff_expertise=1, record_keeping=1),
        expected(LEEDS, "Leeds", "2013-14", 2, staff_expertise=2),  # 2012-13 had no evaluation: no row
    ]
    assert [row["staff_expertise_pct"] for row in rows] == ["100.0", "50.0", "100.0"]


def test_a_region_and_a_board_narrow_the_table(client, manager, register):
    client = signed_in(client, manager)
    assert csv_rows(client, year="2008-09", region=WEST_MIDLANDS) == [
        expected(WEST_MIDLANDS, "West Midlands", "2008-09", 4, weak_management=2, child_focus=1),
        expected(WEST_MIDLANDS, "West Midlands", "2009-10", 2, weak_management=1),
    ]
    # A board chosen within a region: the board, the narrowest area, as in the rest of the Themes panel.
    assert csv_rows(client, year="2008-09", region=WEST_MIDLANDS, board=BIRMINGHAM) == [
        expected(BIRMINGHAM, "Birmingham", "2008-09", 2, weak_management=2, child_focus=1),
        expected(BIRMINGHAM, "Birmingham", "2009-10", 1, weak_management=1),
    ]
    assert csv_rows(client, year="2008-09", board=COVENTRY) == [
        expected(COVENTRY, "Coventry", "2008-09", 2),
        expected(COVENTRY, "Coventry", "2009-10", 1),
    ]
    assert csv_rows(client, year="2008-09", board=KENT) == []  # R7 awaits its evaluation


@pytest.mark.parametrize(("area", "key"), [({}, ENGLAND), ({"region": WEST_MIDLANDS}, WEST_MIDLANDS)])
def test_each_years_row_agrees_with_that_years_themes_table(client, manager, register, area, key):
    client = signed_in(client, manager)
    for row in csv_rows(client, year="2008-09", **area):
        assert row["key"] == key
        themes = {
            theme["category"]: theme
            for theme in csv.DictReader(
                io.StringIO(client.get("/dashboard/themes.csv", {"year": row["year"], **area}).content.decode())
            )
        }
        for category in CATEGORIES:
            assert (row[category], row[f"{category}_pct"]) == (
                themes[category]["reviews"],
                themes[category]["reviews_pct"],
            )


# --- Who sees what -------------------------------------------------------------------------------------------------


def test_board_staff_see_their_own_board_and_the_aggregates(client, board_user, register):
    client = signed_in(client, board_user)
    assert [row["key"] for row in csv_rows(client, year="2008-09")] == [ENGLAND, ENGLAND]
    assert [row["key"] for row in csv_rows(client, year="2008-09", region=WEST_MIDLANDS)] == [WEST_MIDLANDS] * 2
    assert csv_rows(client, year="2008-09", board=BIRMINGHAM)[0] == expected(
        BIRMINGHAM, "Birmingham", "2008-09", 2, weak_management=2, child_focus=1
    )


def test_another_boards_themes_are_never_shown_to_board_staff(client, manager, board_user, register):
    # A manager's page for Coventry is computed (and cached) first: board staff must still get only the error
    # an unknown board gets, and no figures.
    soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09", "board": COVENTRY}))
    client = signed_in(client, board_user)
    page = soup(client.get("/dashboard/", {"year": "2008-09", "board": COVENTRY}))
    assert "Choose a board from the list" in page.find(class_="govuk-error-summary").get_text()
    assert page.find(id="themes-by-year") is None
    assert client.get("/dashboard/themes-by-year.csv", {"year": "2008-09", "board": COVENTRY}).status_code == 404
    page = soup(client.get("/dashboard/", {"year": "2008-09", "region": WEST_MIDLANDS}))
    part = page.find(id="themes-by-year")
    assert "Coventry" not in part.get_text()
    assert "West Midlands" in part.find("h3").get_text()


# --- The page -------------------------------------------------------------------------------------------------------


def page_rows(page):
    table = page.find(id="themes-by-year").find("table", class_="govuk-table")
    rows = []
    for row in table.find("tbody").find_all("tr"):
        cells = []
        for cell in row.find_all(["th", "td"]):
            for hidden in cell.find_all(class_="govuk-visually-hidden"):
                hidden.decompose()
            cells.append(cell.get_text(strip=True).replace("–", "").replace(",", ""))
        rows.append(cells)
    return rows


def test_the_themes_panel_has_the_table_chart_and_download(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09", "region": WEST_MIDLANDS}))
    part = page.find(id="themes").find(id="themes-by-year")
    assert part.find("h3").get_text(strip=True) == "Themes across the years, West Midlands"
    table = part.find("table", class_="govuk-table")
    assert (
        table.find("caption").get_text(strip=True) == "Weaknesses the reviews found per reporting year, West Midlands"
    )
    headers = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    assert headers[:4] == ["Year", "Reviews evaluated", "Weak management", "Weak management %"]
    assert len(headers) == 2 + 2 * len(CATEGORIES)
    svg = part.find("svg")
    assert svg["role"] == "img"
    assert svg.find("title").get_text() == "Share of reviews with each weakness per reporting year, West Midlands"
    desc = svg.find("desc").get_text()
    assert "Weak management: 2008-09 50.0%, 2009-10 50.0%." in desc
    assert "Failure to focus on the needs of the child: 2008-09 25.0%, 2009-10 0.0%." in desc
    # Every category is named in the chart itself, not by colour alone.
    labels = {text.get_text() for text in svg.find_all("text")}
    assert {label for _, label in Finding.Category.choices} <= labels
    links = [a["href"] for a in part.find_all("a") if a.get_text().startswith("Download this data (CSV)")]
    assert links == [f"/dashboard/themes-by-year.csv?year=2008-09&region={WEST_MIDLANDS}"]
    assert part.find("a", href=f"/dashboard/themes-by-year.csv?year=2008-09&region={WEST_MIDLANDS}&publication=1")


def test_the_csv_equals_the_pages_table(client, manager, register):
    client = signed_in(client, manager)
    for params in ({"year": "2008-09"}, {"year": "2009-10", "board": BIRMINGHAM}):
        rows = csv_rows(client, **params)
        # The page shows the year first and leaves the area's code and name to the CSV (they are in the caption).
        assert [[row[key] for key in HEADER[2:]] for row in rows] == page_rows(soup(client.get("/dashboard/", params)))


def test_an_area_with_no_evaluations_says_so(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09", "board": KENT}))
    part = page.find(id="themes-by-year")
    assert "No review in Kent has been evaluated yet." in part.get_text(" ", strip=True)
    assert part.find("svg").find("desc").get_text().endswith("No evaluations.")
    assert part.find("table").find("tbody").find_all("tr") == []


def test_the_method_says_how_the_table_is_counted(client, manager, register):
    page = soup(signed_in(client, manager).get("/dashboard/", {"year": "2008-09"}))
    assert "Themes across the years takes each reporting year" in page.find(id="method").get_text()


# --- Publication ---------------------------------------------------------------------------------------------------


def test_publication_csv_suppresses_counts_from_one_to_four_and_their_rows_percentages(client, manager, register):
    # Five Kent reviews evaluated in 2010-11, each with a weak management finding: nothing small in that row.
    for n in range(5):
        review = make_review(
            f"P{n}",
            KENT,
            decision=D(2010, 1, 1),
            completed=D(2010, 3, 1),
            evaluations=[(1, D(2010, 5, 1), D(2010, 6, 1), "adequate")],
        )
        FindingFactory(review=review, category="weak_management", agency="police")
    client = signed_in(client, manager)
    rows = csv_rows(client, year="2008-09", publication="1")
    assert [row["year"] for row in rows] == ["2008-09", "2009-10", "2010-11"]
    # 2008-09: 5 reviews, 2 weak management, 1 child focus, 1 risk assessment: the small counts are c and so is
    # every percentage of the row; the zeros and the 5 stay.
    assert rows[0]["reviews"] == "5"
    assert (rows[0]["weak_management"], rows[0]["child_focus"], rows[0]["risk_assessment"]) == ("c", "c", "c")
    assert rows[0]["other"] == "0"
    assert all(rows[0][f"{c}_pct"] == "c" for c in CATEGORIES)
    # 2009-10: 2 reviews: small too.
    assert (rows[1]["reviews"], rows[1]["weak_management"], rows[1]["weak_management_pct"]) == ("c", "c", "c")
    # 2010-11: 5 reviews, 5 with weak management: nothing to suppress.
    assert rows[2] == expected(ENGLAND, "England", "2010-11", 5, weak_management=5)
    plain = csv_rows(client, year="2008-09")
    assert (plain[0]["weak_management"], plain[0]["weak_management_pct"]) == ("2", "40.0")


# --- Queries ---------------------------------------------------------------------------------------------------------


def settle(client):
    """One request first, then an empty cache: the request starts the session's clocks (the first request after
    ``force_login`` saves the session when no request has yet loaded the middleware that records sign-ins),
    so the request counted next is an ordinary one, computing the page's figures afresh."""
    client.get("/dashboard/api/summary", {"year": "2008-09"})
    queries.cache.clear()


def test_the_page_still_needs_at_most_thirteen_queries(
    client, manager, board_user, register, django_assert_max_num_queries
):
    for user, params in ((manager, {"region": WEST_MIDLANDS}), (board_user, {"board": BIRMINGHAM})):
        client = signed_in(client, user)
        settle(client)
        with django_assert_max_num_queries(13):  # as tests/test_dashboard.py counts them
            response = client.get("/dashboard/", {"year": "2008-09", **params})
        assert response.status_code == 200
        assert soup(response).find(id="themes-by-year").find("table")


def test_the_page_figures_take_three_queries_through_the_reporting_alias(register):
    scopes = [queries.Scope(), queries.Scope(region_id=board(BIRMINGHAM).region_id)]
    with CaptureQueriesContext(connections["reporting"]) as reporting:
        version = queries.data_version()
        counts, themes, details = queries.page_figures("2008-09", scopes, version=version)
    assert len(reporting.captured_queries) == 3  # the data version, the kept board rows, the year's details
    england = [row for row in themes if row["board_id"] is None and row["region_id"] is None]
    assert [(row["start_year"], row["reviews"], row["weak_management"]) for row in england] == [
        (2008, 5, 2),
        (2009, 2, 1),
    ]
    assert sorted(counts, key=repr) == sorted(queries.judgement_counts(), key=repr)  # as the counts' own statement
    assert details == queries.year_details("2008-09", scopes)
    with CaptureQueriesContext(connections["reporting"]) as reporting:
        assert queries.page_figures("2008-09", scopes, version=version) == (counts, themes, details)
        assert queries.theme_counts(version=version) == themes
    assert reporting.captured_queries == []  # answered from the cache


@pytest.mark.parametrize(
    "shown",
    [Q(start_year=2008), Q(start_year=2009) | Q(board__gss_code=BIRMINGHAM), Q(board__gss_code=LEEDS), Q()],
    ids=["one year", "a year and a board", "a board", "every row"],
)
def test_the_pages_narrowed_counts_are_the_full_counts_rows(register, shown):
    # The page reads only the board rows it shows, with the regions' and England's sums added up by the database:
    # the same rows as the full counts, whose sums are added up in Python.
    chosen = set(BoardYear.objects.filter(shown).values_list("board_id", "start_year"))
    everything = queries.judgement_counts()
    expected = [row for row in everything if row["board_id"] is None or (row["board_id"], row["start_year"]) in chosen]
    assert any(row["board_id"] is None and row["region_id"] is None for row in expected)
    narrowed = queries.area_counts(shown, key=None)
    assert _as_set(narrowed) == _as_set(expected)
    assert len(narrowed) == len(expected)


def _as_set(rows):
    return {tuple(sorted(row.items())) for row in rows}


def test_theme_counts_alone_equal_the_pages(register):
    version = queries.data_version()
    alone = queries.theme_counts(version=version)
    queries.cache.clear()
    _, themes, _ = queries.page_figures("2008-09", [queries.Scope()], version=version)
    assert sorted(alone, key=repr) == sorted(themes, key=repr)


# --- Property: every row equals an independent computation ----------------------------------------------------------

BOARDS = [BIRMINGHAM, COVENTRY, LEEDS, KENT]
generated_review = st.tuples(
    st.sampled_from(BOARDS),
    st.booleans(),  # a draft?
    st.lists(st.dates(min_value=D(2008, 2, 1), max_value=D(2010, 5, 31)), max_size=3),
    st.lists(st.sampled_from(CATEGORIES), max_size=4),
)

# Written apart from the dashboard's SQL: its own reporting-year rule and an EXISTS per category.
INDEPENDENT = """
    SELECT {area} AS key,
           CASE WHEN EXTRACT(MONTH FROM e.completed_date) >= 4 THEN EXTRACT(YEAR FROM e.completed_date)
                ELSE EXTRACT(YEAR FROM e.completed_date) - 1 END::int AS start_year,
           count(*) AS reviews,
           {categories}
    FROM reviews_evaluation e
    JOIN reviews_review r ON r.id = e.review_id
    JOIN reviews_board b ON b.id = r.board_id
    JOIN reviews_region g ON g.id = b.region_id
    WHERE r.status IN ('submitted', 'evaluated')
    GROUP BY 1, 2
"""


def independent(area):
    categories = ", ".join(
        f"count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reviews_finding f WHERE f.review_id = r.id "  # noqa: S608
        f"AND f.category = '{c}'))"
        for c in CATEGORIES
    )
    with connection.cursor() as cursor:
        cursor.execute(INDEPENDENT.format(area=area, categories=categories))
        return {(key, start_year): (reviews, list(counts)) for key, start_year, reviews, *counts in cursor.fetchall()}


class Rollback(Exception):
    pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(register=st.lists(generated_review, min_size=1, max_size=10))
def test_theme_counts_match_an_independent_computation(reporting_shares_default, register):
    try:
        with transaction.atomic():
            for n, (gss, draft, done_dates, categories) in enumerate(register):
                review = Review.objects.create(
                    reference=f"G-{n}",
                    board=board(gss),
                    title=f"Review {n}",
                    decision_date=D(2007, 1, 1),
                    completed_date=D(2007, 12, 1),
                    submitted_date=None if draft else D(2008, 1, 1),
                    status="draft" if draft else ("evaluated" if done_dates else "submitted"),
                )
                if not draft:
                    Evaluation.objects.bulk_create(
                        Evaluation(
                            review=review,
                            sequence=sequence,
                            received_date=done - datetime.timedelta(days=10),
                            completed_date=done,
                            judgement="good",
                        )
                        for sequence, done in enumerate(sorted(done_dates), start=1)
                    )
                Finding.objects.bulk_create(Finding(review=review, category=c) for c in categories)
            check_theme_counts()
            raise Rollback
    except Rollback:
        pass


def check_theme_counts():
    queries.cache.clear()
    boards = {b.pk: b for b in Board.objects.select_related("region")}
    rows = queries.theme_counts()
    for level, area in (("board", "b.gss_code"), ("region", "g.code"), ("national", "'E92000001'")):
        found = {}
        for row in rows:
            if row["board_id"] is not None:
                row_level, key = "board", boards[row["board_id"]].gss_code
            elif row["region_id"] is not None:
                row_level, key = (
                    "region",
                    next(b.region.code for b in boards.values() if b.region_id == row["region_id"]),
                )
            else:
                row_level, key = "national", ENGLAND
            if row_level == level:
                found[key, row["start_year"]] = (row["reviews"], [row[c] for c in CATEGORIES])
        assert found == independent(area)
