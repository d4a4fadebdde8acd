"""GOV.UK's character count on the review form: it counts down as board staff type, and says how far over."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Auditor, browser_db, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


@browser_db
def test_the_summary_counts_down_to_its_limit_and_says_how_far_over_it_is(page, live_server):
    make_user("board", "board_staff", boards=["E08000025"])
    audit = Auditor(page, "board staff")
    sign_in(page, live_server, "board", auditor=audit)
    audit.scan("the start page")
    page.goto(f"{live_server.url}/reviews/new/")
    audit.scan("review form with character counts")

    count = page.locator('[data-module="govuk-character-count"]').filter(has=page.locator("#id_summary"))
    status = count.locator(".govuk-character-count__status")
    expect(status).to_have_text("You have 5,000 characters remaining")

    summary = page.get_by_label("Summary (optional)")
    summary.fill("x" * 4990)
    expect(status).to_have_text("You have 10 characters remaining")
    summary.fill("x" * 5001)
    expect(status).to_have_text("You have 1 character too many")
    expect(summary).to_have_value("x" * 5001)  # nothing cut short

    page.get_by_label("Title").fill("Serious case review into the death of Child P")
    page.get_by_role("button", name="Save as draft").last.click()
    expect(
        page.locator(".govuk-error-summary").get_by_role("link", name="Summary must be 5,000 characters or fewer")
    ).to_be_visible()
    audit.scan("review form with a summary too long")
    expect(page.get_by_label("Summary (optional)")).to_have_value("x" * 5001)
    audit.assert_clean()
