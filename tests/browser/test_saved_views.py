"""An inspector saves the register's filters as a view, finds it in the list and deletes it; then signs out.

Pages no other journey reaches (saved views, signed out), scanned with axe like every page of a journey.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Auditor, browser_db, current_code, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


@browser_db
def test_inspector_saves_a_view_of_the_register_finds_it_deletes_it_and_signs_out(page, live_server):
    inspector = make_user("inspector", "inspector", second_factor=True)
    audit = Auditor(page, "inspector")
    sign_in(page, live_server, "inspector", code=lambda: current_code(inspector), auditor=audit)
    audit.scan("start page")

    page.goto(f"{live_server.url}/reviews/saved/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your saved views")
    audit.scan("no saved views")

    page.goto(f"{live_server.url}/reviews/saved/new/?query=judgement%3Dinadequate")
    audit.scan("save these filters")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page).to_have_title("Error: Save these filters - SCR Register")
    audit.scan("save these filters, with an error")
    page.get_by_role("link", name="Enter a name for this view").click()
    expect(page.get_by_label("Name this view")).to_be_focused()

    page.get_by_label("Name this view").fill("Inadequate reviews")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved view “Inadequate reviews” saved")
    audit.scan("one saved view")

    page.get_by_role("link", name="Delete Inadequate reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the saved view “Inadequate reviews”?")
    audit.scan("delete the saved view")
    page.get_by_role("button", name="Delete saved view").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("deleted")
    audit.scan("saved view deleted")

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    audit.scan("signed out")
    audit.assert_clean()
