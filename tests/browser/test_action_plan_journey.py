"""Board staff complete an overdue action with evidence and see it leave the overdue list; axe scans every
page of the action plans on the way (start page, plan, action form with errors, tracker with and without
errors)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.plans import Action
from tests.browser.helpers import Auditor, browser_db, make_user, screenshot, sign_in
from tests.factories import ActionFactory, RecommendationFactory, ReviewFactory, board

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


@browser_db
def test_board_staff_complete_an_overdue_action_and_it_leaves_the_overdue_list(page, live_server):
    today = timezone.localdate()
    make_user("board", "board_staff", boards=["E08000025"])
    review = ReviewFactory(reference="SCR-2010-E08000025-0001", board=board("E08000025"))
    recommendation = RecommendationFactory(review=review, number=1, text="Share information within 24 hours")
    overdue = ActionFactory(
        recommendation=recommendation,
        number=1,
        description="Agree an information-sharing protocol",
        due_date=today - datetime.timedelta(days=10),
    )
    ActionFactory(recommendation=recommendation, number=2, due_date=today + datetime.timedelta(days=5))
    audit = Auditor(page, "board staff")

    sign_in(page, live_server, "board", auditor=audit)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your boards' actions")
    overdue_list = page.locator("#overdue")
    expect(overdue_list.locator("tbody tr")).to_have_count(1)
    expect(overdue_list).to_contain_text("Agree an information-sharing protocol")
    audit.scan("start page with an overdue action")

    overdue_list.get_by_role("link", name="SCR-2010-E08000025-0001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plan")
    expect(page.locator("#action-1-1")).to_contain_text("Overdue")
    audit.scan("the review's action plan")
    screenshot(page, "action-plan")

    page.get_by_role("link", name="Mark as completed (action 1.1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change action 1.1")
    audit.scan("action form, completed chosen")
    page.get_by_role("button", name="Save").click()  # completed, but no date given
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter the date the action was completed")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    audit.scan("action form with errors")

    dates = page.get_by_role("group", name="Date completed (optional)")
    dates.get_by_label("Day").fill(str(today.day))
    dates.get_by_label("Month").fill(str(today.month))
    dates.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Evidence (optional)").fill("Protocol signed by all agencies; audit of 40 referrals")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plan")
    expect(page.locator("#action-1-1")).to_contain_text("Completed")
    expect(page.locator("#action-1-1")).not_to_contain_text("Overdue")
    audit.scan("the plan after completing the action")
    overdue.refresh_from_db()
    assert (overdue.status, overdue.completed_date) == (Action.Status.COMPLETED, today)

    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions")
    expect(page.locator("#actions-table tbody tr")).to_have_count(2)
    audit.scan("the tracker")
    page.get_by_label("Overdue only (as of today)").check()
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.locator("#results-count")).to_have_text("No actions match these filters")
    audit.scan("the tracker, overdue: none left")

    page.goto(f"{live_server.url}/actions/?due_before=31-03-2011")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Due on or before must be a real date")
    audit.scan("the tracker with an invalid filter")

    page.goto(f"{live_server.url}/")
    expect(page.locator("#overdue")).to_contain_text("None.")
    audit.scan("start page, nothing overdue")
    audit.assert_clean()
