"""Board staff log a review with two children and three findings, check their answers and submit it."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from tests.browser.helpers import Auditor, browser_db, make_user, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


def fill_date(page, legend, day, month, year):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def fill_child(page, number, pseudonym, *, sex, age, outcome, known):
    child = page.get_by_role("group", name=f"Child {number}", exact=True)
    child.get_by_label("Pseudonym").fill(pseudonym)
    child.get_by_role("group", name="Sex").get_by_label(sex, exact=True).check()
    child.get_by_label("Age").select_option(label=age)
    child.get_by_role("group", name="Outcome").get_by_label(outcome).check()
    child.get_by_role("group", name="Known to children's social care?").get_by_label(known, exact=True).check()


def fill_finding(page, number, category, agency, description):
    finding = page.get_by_role("group", name=f"Finding {number}", exact=True)
    finding.get_by_label("Category").select_option(label=category)
    finding.get_by_label("Agency (optional)").select_option(label=agency)
    finding.get_by_label("Description (optional)").fill(description)


@browser_db
def test_board_staff_log_a_review_with_two_children_and_three_findings_and_submit_it(page, live_server):
    make_user("board", "board_staff", boards=["E08000025"])
    audit = Auditor(page, "board staff")

    sign_in(page, live_server, "board", auditor=audit)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your boards' actions")
    audit.scan("the start page, nothing due")
    page.get_by_role("link", name="Our reviews").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    audit.scan("the register, empty")

    page.get_by_role("link", name="Log a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a serious case review")
    audit.scan("empty review form")

    # Saving the empty form shows every problem at the top, each linked to its field.
    page.get_by_role("button", name="Save as draft").last.click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter the title of the review")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    audit.scan("review form with errors")
    screenshot(page, "board-review-form-errors")

    page.get_by_label("Title").fill("Serious case review into the death of Child P")
    fill_date(page, "Date of the incident (optional)", "10", "1", "2008")
    fill_date(page, "Date of the decision to hold the review", "1", "2", "2008")
    fill_date(page, "Date the review was completed (optional)", "1", "6", "2008")
    page.get_by_role("group", name="Was the chair of the review panel independent? (optional)").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Summary (optional)").fill("Child P died after months of neglect that agencies saw.")
    fill_child(page, 1, "Child P", sex="Male", age="Under 1 year", outcome="Died", known="Yes")

    page.get_by_role("button", name="Add another child").click()
    expect(page.get_by_role("group", name="Child 2", exact=True)).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Serious case review into the death of Child P")
    audit.scan("review form after adding a child")
    fill_child(page, 2, "Child Q", sex="Female", age="1 to 5 years", outcome="Seriously harmed", known="No")

    fill_finding(page, 1, "Weak management", "Police", "Supervision of the case was not recorded.")
    page.get_by_role("button", name="Add another finding").click()
    audit.scan("review form with two findings")
    fill_finding(page, 2, "Failure to focus on the needs of the child", "Health", "Nobody spoke to the children.")
    page.get_by_role("button", name="Add another finding").click()
    expect(page.get_by_role("group", name="Finding 3", exact=True)).to_be_visible()
    audit.scan("review form with three findings")
    fill_finding(page, 3, "Not making adequate risk assessments", "Children's social care", "No risk assessment.")
    screenshot(page, "board-review-form-filled")

    page.get_by_role("button", name="Save as draft").last.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved as a draft")
    review = Review.objects.get()
    assert review.status == Review.Status.DRAFT
    assert review.children.count() == 2
    assert review.findings.count() == 3
    audit.scan("draft review page")
    screenshot(page, "board-review-draft")

    page.get_by_role("button", name="Check and submit to Ofsted").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting the review")
    expect(page.get_by_role("table", name="Children")).to_contain_text("Child Q")
    audit.scan("check your answers")
    screenshot(page, "board-check-answers")

    page.get_by_role("button", name="Submit to Ofsted").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Review {review.reference} submitted to Ofsted")
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    audit.scan("submitted review page")
    screenshot(page, "board-review-submitted")

    page.get_by_role("link", name="See the history of this review").click()
    audit.scan("review history")

    # A submitted review can no longer be changed: the edit address answers with a page saying so.
    page.goto(f"{live_server.url}/reviews/{review.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot change this review")
    audit.scan("refusal page (403)")

    page.goto(f"{live_server.url}/dashboard/")
    audit.scan("dashboard, own boards")

    page.goto(f"{live_server.url}/reviews/999999/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    audit.scan("404 page")

    audit.assert_clean()
