"""A manager reads the dashboard, changes the year and downloads a table as CSV."""

import csv
import datetime
import re

import pytest
from playwright.sync_api import expect

from reviews.models import Board, Review
from tests.browser.helpers import Auditor, browser_db, current_code, make_user, screenshot, sign_in
from tests.factories import EvaluationFactory, ReviewFactory, board

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


def evaluation(reference, gss, judgement, completed):
    review = ReviewFactory(reference=reference, board=board(gss), status=Review.Status.EVALUATED)
    return EvaluationFactory(review=review, judgement=judgement, completed_date=completed)


@browser_db
def test_manager_reads_the_dashboard_for_a_year_and_downloads_a_table(page, live_server):
    manager = make_user("manager", "manager", second_factor=True)
    evaluation("SCR-B1-E08000025", "E08000025", "inadequate", datetime.date(2008, 8, 1))
    evaluation("SCR-B2-E08000025", "E08000025", "good", datetime.date(2009, 3, 31))
    evaluation("SCR-C1-E08000026", "E08000026", "adequate", datetime.date(2008, 12, 1))
    evaluation("SCR-C2-E08000026", "E08000026", "good", datetime.date(2009, 4, 1))  # 2009-10
    audit = Auditor(page, "manager")

    # A wrong password first: the sign-in page with its error.
    page.goto(f"{live_server.url}/accounts/login/")
    audit.scan("sign-in page")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    audit.scan("sign-in page with an error")

    sign_in(page, live_server, "manager", code=lambda: current_code(manager), auditor=audit, open_page=False)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.scan("dashboard, this year")

    page.goto(f"{live_server.url}/dashboard/?year=2008")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    audit.scan("dashboard with an invalid year")

    page.get_by_label("Reporting year", exact=True).select_option("2008-09")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(re.compile(r"year=2008-09"))
    # Each panel is an accordion section whose content starts with the panel's anchor (#summary...).
    summary = page.locator(".govuk-accordion__section", has=page.locator("#summary"))
    expect(summary.get_by_role("heading", level=2)).to_contain_text("National summary for 2008-09")
    audit.scan("dashboard, 2008-09")
    screenshot(page, "manager-dashboard-2008-09")
    page.screenshot(path="/tmp/scr-register-screenshots/manager-dashboard-top.png")

    # The panels are an accordion: the summary starts open, the others open on demand.
    rates = page.locator("#judgement-rates")
    expect(rates.get_by_role("link", name="Download this data (CSV)")).to_be_hidden()
    page.get_by_role("button", name=re.compile("Judgement rates per board and year")).click()
    audit.scan("dashboard, 2008-09, judgement rates open")
    with page.expect_download() as download_info:
        rates.get_by_role("link", name="Download this data (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "judgement-rates-2008-09.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    header, body = rows[0], rows[1:]
    assert header[:8] == ["key", "name", "year", "reviews", "outstanding", "good", "adequate", "inadequate"]
    by_key = {row[0]: row[1:8] for row in body}
    assert by_key["E92000001"] == ["England", "2008-09", "3", "0", "1", "1", "1"]
    assert by_key["E12000005"] == ["West Midlands", "2008-09", "3", "0", "1", "1", "1"]
    assert by_key["E08000025"] == ["Birmingham", "2008-09", "2", "0", "1", "0", "1"]
    assert by_key["E08000026"] == ["Coventry", "2008-09", "1", "0", "0", "1", "0"]  # its 2009-10 one is not here

    # A board's row leads to its reviews in the register, with the same year.
    rates.get_by_role("link", name=re.compile("Birmingham")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    audit.scan("register from the dashboard")
    page.get_by_role("link", name="SCR-B1-E08000025").click()
    audit.scan("review page")

    # On a phone the register's filter panel would cover the page: it starts hidden behind a button.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/reviews/")
    expect(page.get_by_role("button", name="Apply filters").first).to_be_hidden()
    audit.scan("register on a phone")
    page.get_by_role("button", name="Show filter").click()
    expect(page.get_by_role("button", name="Apply filters").first).to_be_visible()
    audit.scan("register on a phone, filter shown")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("button", name="Show filter")).to_be_focused()
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/reviews/999999/")
    audit.scan("404 page")

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    audit.scan("signed out")
    audit.assert_clean()


# The 80 boards with the longest names, each with an evaluation in every year from 2008-09 to 2010-11: the
# judgement rates table at its widest (long names) and, with every year, longest.
LAYOUT_YEARS = range(2008, 2011)


def many_boards_evaluated():
    boards = sorted(Board.objects.all(), key=lambda b: (-len(b.name), b.gss_code))[:80]
    judgements = ["good", "adequate", "inadequate"]
    for n, lead in enumerate(boards):
        for start in LAYOUT_YEARS:
            review = ReviewFactory(board=lead, status=Review.Status.EVALUATED)
            EvaluationFactory(
                review=review, judgement=judgements[(n + start) % 3], completed_date=datetime.date(start, 9, 1)
            )
    return boards


def page_height(page):
    return page.evaluate("document.documentElement.scrollHeight")


def table_fits(page, selector):
    """The table's right edge (px) and whether its box shows every column without scrolling sideways."""
    return page.locator(selector).first.evaluate(
        """wrapper => {
            const table = wrapper.querySelector("table");
            const last = table.querySelector("thead th:last-child").getBoundingClientRect();
            return {right: Math.ceil(table.getBoundingClientRect().right), lastRight: Math.ceil(last.right),
                    scrolls: wrapper.scrollWidth > wrapper.clientWidth};
        }"""
    )


@browser_db
@pytest.mark.timeout(480)  # 240 reviews to write, and three pages of 80 boards on a busy machine
def test_the_dashboard_fits_1280_pixels_and_keeps_its_panels_apart(page, live_server):
    many_boards_evaluated()
    manager = make_user("manager", "manager", second_factor=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    audit = Auditor(page, "manager")
    sign_in(page, live_server, "manager", code=lambda: current_code(manager), auditor=audit)
    audit.scan("dashboard, this year")

    # The panels are an accordion with only the summary open: the page no longer runs to 18,000 pixels for
    # 80 boards in a year (17,915 measured at 1280x800 before the accordion; 25,737 with three years of board rows).
    heights = {}
    for span in ("year", "all"):
        page.goto(f"{live_server.url}/dashboard/?year=2008-09&span={span}")
        audit.scan(f"dashboard, 80 boards, board rows for span {span}")
        heights[span] = page_height(page)
    assert heights["year"] < 4000 and heights["all"] < 4000, heights

    # Opening the judgement rates panel shows the whole board table: its last column is on the screen.
    rates = page.locator("#judgement-rates")
    expect(rates.get_by_role("table")).to_be_hidden()
    page.get_by_role("button", name=re.compile("Judgement rates per board and year")).click()
    expect(rates.get_by_role("table")).to_be_visible()
    audit.scan("dashboard, 80 boards, every year, judgement rates open")
    fit = table_fits(page, "#judgement-rates .app-table-wrapper")
    assert fit["lastRight"] <= 1280 and not fit["scrolls"], fit

    # "Show all sections" opens every panel, down to the method.
    page.get_by_role("button", name="Show all sections").click()
    expect(page.locator("#method").get_by_role("heading", level=3).first).to_be_visible()
    audit.scan("dashboard, every panel open")
    audit.assert_clean()
