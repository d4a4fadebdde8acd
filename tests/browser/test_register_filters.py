"""The register's filter panel in Chromium: the board type-ahead with and without JavaScript, tags, sorting."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from tests.browser.helpers import Auditor, browser_db, current_code, make_user, sign_in
from tests.factories import ReviewFactory, board

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]

BIRMINGHAM, COVENTRY, LEEDS = "E08000025", "E08000026", "E08000035"


def reviews_of_three_boards():
    for reference, gss in (("SCR-B-1", BIRMINGHAM), ("SCR-C-1", COVENTRY), ("SCR-L-1", LEEDS)):
        ReviewFactory(reference=reference, board=board(gss), status=Review.Status.SUBMITTED)


def shown(page):
    return page.locator("#register-table tbody tr td:first-child").all_inner_texts()


def settled(page):
    expect(page.locator("#register-results.htmx-request")).to_have_count(0)


@browser_db
def test_boards_chosen_in_the_type_ahead_become_ticked_filters_and_the_results_follow(page, live_server):
    inspector = make_user("inspector", "inspector", second_factor=True)
    reviews_of_three_boards()
    audit = Auditor(page, "inspector")
    sign_in(page, live_server, "inspector", code=lambda: current_code(inspector), auditor=audit)
    audit.scan("start page")
    page.goto(f"{live_server.url}/reviews/")
    audit.scan("the register")
    boards = page.get_by_role("group", name="Lead board")

    # Choosing a suggestion of the type-ahead (its <datalist>) ticks that board and redraws the results.
    boards.get_by_label("Add a lead board").fill(f"Birmingham ({BIRMINGHAM})")
    expect(page).to_have_url(re.compile(rf"\?board={BIRMINGHAM}$"))
    settled(page)
    audit.scan("filtered by Birmingham")
    expect(boards.get_by_label("Birmingham", exact=True)).to_be_checked()
    expect(boards.get_by_label("Add a lead board")).to_have_value("")
    assert shown(page) == ["SCR-B-1"]
    expect(page.locator("#register-status")).to_have_text("Showing 1 to 1 of 1 review")

    # A second board: "any of".
    boards.get_by_label("Add a lead board").fill(f"Coventry ({COVENTRY})")
    expect(page).to_have_url(re.compile(rf"\?board={BIRMINGHAM}&board={COVENTRY}$"))
    settled(page)
    audit.scan("filtered by Birmingham and Coventry")
    assert shown(page) == ["SCR-B-1", "SCR-C-1"]
    expect(page.locator(".moj-filter__tag")).to_have_count(2)

    # Unticking a board updates the results; the tags follow (swapped in beside the results).
    boards.get_by_label("Birmingham", exact=True).uncheck()
    expect(page).to_have_url(re.compile(rf"\?board={COVENTRY}$"))
    settled(page)
    audit.scan("filtered by Coventry")
    assert shown(page) == ["SCR-C-1"]
    expect(page.locator(".moj-filter__tag")).to_have_count(1)

    # Sorting keeps the filter; removing the last tag shows every review again.
    page.get_by_role("link", name="Lead board", exact=True).click()
    expect(page).to_have_url(re.compile(rf"\?board={COVENTRY}&o=board$"))
    audit.scan("sorted by lead board")
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Lead board")
    page.get_by_role("link", name="Remove this filter: Coventry").click()
    expect(page).to_have_url(re.compile(r"/reviews/\?o=board$"))
    audit.scan("every review, sorted by lead board")
    assert shown(page) == ["SCR-B-1", "SCR-C-1", "SCR-L-1"]
    audit.assert_clean()


@browser_db
def test_without_javascript_the_form_is_submitted_and_a_typed_board_name_is_understood(browser, live_server):
    # No axe scans here: axe runs as JavaScript in the page. The same pages are scanned with JavaScript above.
    make_user("staff", "board_staff", boards=[BIRMINGHAM, COVENTRY])
    reviews_of_three_boards()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/reviews/")
    assert shown(page) == ["SCR-B-1", "SCR-C-1"]

    page.get_by_label("Add a lead board").fill("coventry")
    page.get_by_role("button", name="Apply filters").first.click()
    # The empty search box is dropped from the address by a redirect; the name is read as the board.
    expect(page).to_have_url(re.compile(r"/reviews/\?board=coventry$"))
    assert shown(page) == ["SCR-C-1"]
    expect(page.get_by_role("group", name="Lead board").get_by_label("Coventry", exact=True)).to_be_checked()

    page.get_by_label("Add a lead board").fill("Atlantis")
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a lead board from the list")
    expect(page.get_by_label("Add a lead board")).to_have_value("Atlantis")
    assert shown(page) == []
    context.close()
