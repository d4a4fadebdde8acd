"""An inspector filters the register, evaluates a review as inadequate and downloads the filtered list."""

import csv
import datetime
import re

import pytest
from playwright.sync_api import expect

from reviews.models import Evaluation, Finding, Review
from tests.browser.helpers import Auditor, browser_db, current_code, make_user, screenshot
from tests.factories import EvaluationFactory, FindingFactory, ReviewFactory, board

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]

WEST_MIDLANDS = "E12000005"
WEAK = Finding.Category.WEAK_MANAGEMENT
IN_2008_09 = datetime.date(2008, 11, 1)


def evaluated(reference, gss, judgement, completed, category):
    review = ReviewFactory(reference=reference, board=board(gss), status=Review.Status.EVALUATED)
    EvaluationFactory(review=review, judgement=judgement, completed_date=completed)
    FindingFactory(review=review, category=category)
    return review


def register_data():
    """The one review to evaluate, one that answers the question already, and one near miss per filter."""
    waiting = ReviewFactory(reference="SCR-WAITING-E08000025", board=board("E08000025"), title="Waiting for Ofsted")
    FindingFactory(review=waiting, category=WEAK)
    evaluated("SCR-ANSWER-E08000026", "E08000026", "inadequate", IN_2008_09, WEAK)  # Coventry, West Midlands
    evaluated("SCR-CATEGORY-E08000025", "E08000025", "inadequate", IN_2008_09, Finding.Category.CHILD_FOCUS)
    evaluated("SCR-REGION-E09000001", "E09000001", "inadequate", IN_2008_09, WEAK)  # City of London
    evaluated("SCR-JUDGEMENT-E08000025", "E08000025", "adequate", IN_2008_09, WEAK)
    evaluated("SCR-YEAR-E08000025", "E08000025", "inadequate", datetime.date(2009, 5, 1), WEAK)
    other_board_waiting = ReviewFactory(reference="SCR-OTHERWAIT-E09000001", board=board("E09000001"))
    FindingFactory(review=other_board_waiting, category=WEAK)
    return waiting


def tick(page, audit, legend, label, param):
    """Tick a filter: htmx redraws the results and puts the filter in the address; then scan the page."""
    page.get_by_role("group", name=legend).get_by_label(label, exact=True).check()
    expect(page).to_have_url(re.compile(re.escape(param)))
    expect(page.locator("#register-results.htmx-request")).to_have_count(0)
    audit.scan(f"register filtered by {label}")


def references_shown(page):
    return page.locator("#register-table tbody tr td:first-child").all_inner_texts()


@browser_db
def test_inspector_filters_the_register_evaluates_a_review_inadequate_and_exports_the_list(page, live_server):
    inspector = make_user("inspector", "inspector", second_factor=True)
    waiting = register_data()
    audit = Auditor(page, "inspector")

    # A wrong security code first: the two-factor page with its error.
    page.goto(f"{live_server.url}/accounts/login/")
    audit.scan("sign-in page")
    page.get_by_label("Username").fill("inspector")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    audit.scan("two-factor page")
    page.get_by_label("Security code").fill("000000" if current_code(inspector) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    audit.scan("two-factor page with an error")
    # django-otp refuses any code for a second after a wrong one (throttling); a person takes longer too.
    page.wait_for_timeout(1_100)
    page.get_by_label("Security code").fill(current_code(inspector))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    audit.scan("the register, every review")

    # Which West Midlands reviews that found weak management are waiting for an evaluation?
    tick(page, audit, "Region of the lead board", "West Midlands", f"region={WEST_MIDLANDS}")
    tick(page, audit, "Weakness found", "Weak management", "category=weak_management")
    tick(page, audit, "Status", "Submitted to Ofsted", "status=submitted")
    assert references_shown(page) == ["SCR-WAITING-E08000025"]
    screenshot(page, "inspector-register-filtered")

    page.get_by_role("link", name="SCR-WAITING-E08000025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for Ofsted")
    audit.scan("review page, not evaluated")

    page.get_by_role("button", name="Record an evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record evaluation 1")
    audit.scan("evaluation form")
    page.get_by_role("button", name="Record the evaluation").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    audit.scan("evaluation form with errors")
    screenshot(page, "inspector-evaluation-errors")

    for legend, (day, month, year) in {
        "Date Ofsted received the review": ("20", "6", "2008"),
        "Date the evaluation was completed": ("3", "10", "2008"),
    }.items():
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_role("group", name="Overall judgement").get_by_label("Inadequate").check()
    page.get_by_label("Summary of the evaluation (optional)").fill("The review did not ask why supervision failed.")
    page.get_by_label("Timescales (optional)").select_option(label="Inadequate")
    page.get_by_role("button", name="Record the evaluation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Evaluation 1 recorded: Inadequate")
    evaluation = Evaluation.objects.get(review=waiting)
    assert (evaluation.judgement, evaluation.completed_date) == ("inadequate", datetime.date(2008, 10, 3))
    audit.scan("review page with its evaluation")
    screenshot(page, "inspector-review-evaluated")

    page.get_by_role("link", name="See the history of this review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History")
    audit.scan("review history")

    # The question the register answers: 2008-09 reviews judged inadequate in the West Midlands that found
    # weak management. Filters are chosen afresh from the register.
    page.goto(f"{live_server.url}/reviews/")
    audit.scan("the register, every review, after the evaluation")
    tick(page, audit, "Latest judgement", "Inadequate", "judgement=inadequate")
    tick(page, audit, "Year of latest evaluation", "2008-09", "year=2008-09")
    tick(page, audit, "Region of the lead board", "West Midlands", f"region={WEST_MIDLANDS}")
    tick(page, audit, "Weakness found", "Weak management", "category=weak_management")
    expected = ["SCR-ANSWER-E08000026", "SCR-WAITING-E08000025"]
    assert sorted(references_shown(page)) == expected
    expect(page.locator("#register-count")).to_have_text("Showing 1 to 2 of 2 reviews")
    screenshot(page, "inspector-register-answer")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this list (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["reference"] for row in rows) == expected
    by_reference = {row["reference"]: row for row in rows}
    assert "nadequate" in " ".join(by_reference["SCR-WAITING-E08000025"].values())

    # A year typed into the address that is not a reporting year: an error, and no rows.
    page.goto(f"{live_server.url}/reviews/?year=2008")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert references_shown(page) == []
    audit.scan("register with an invalid filter")

    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.scan("dashboard")

    page.goto(f"{live_server.url}/reviews/999999/")
    audit.scan("404 page")
    audit.assert_clean()
