"""A manager reads the dashboard, changes the year and downloads a table as CSV."""

import csv
import datetime
import re

import pytest
from playwright.sync_api import expect

from reviews.models import Review
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
    summary = page.locator("#summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text("National summary for 2008-09")
    audit.scan("dashboard, 2008-09")
    screenshot(page, "manager-dashboard-2008-09")
    page.screenshot(path="/tmp/scr-register-screenshots/manager-dashboard-top.png")

    rates = page.locator("#judgement-rates")
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
