"""A service administrator sets up two-factor sign-in, then reaches the admin and the service's pages."""

import datetime

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from tests.browser.helpers import Auditor, browser_db, current_code, make_user, screenshot
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory, board

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


@browser_db
def test_an_admin_sets_up_two_factor_sign_in_and_reaches_the_admin_and_the_service(page, live_server):
    admin = make_user("admin", "admin")
    review = ReviewFactory(reference="SCR-ADMIN-E08000025", board=board("E08000025"), status=Review.Status.EVALUATED)
    ChildFactory(review=review)
    FindingFactory(review=review)
    EvaluationFactory(review=review, judgement="inadequate", completed_date=datetime.date(2008, 10, 1))
    audit = Auditor(page, "admin")

    # No authenticator yet: the password leads to the set-up page.
    page.goto(f"{live_server.url}/accounts/login/")
    audit.scan("sign-in page")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    audit.scan("two-factor set-up page")
    screenshot(page, "admin-two-factor-set-up")

    page.get_by_label("Security code").fill("abc")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    audit.scan("two-factor set-up page with an error")
    page.wait_for_timeout(1_100)  # django-otp accepts no code for a second after a wrong one
    page.get_by_label("Security code").fill(current_code(admin, confirmed=False))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is set up")
    expect(page.locator(".app-backup-codes li")).to_have_count(10)
    audit.scan("backup codes")

    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    audit.scan("admin index")
    screenshot(page, "admin-index")

    page.get_by_role("link", name="Reviews", exact=True).first.click()
    audit.scan("admin: reviews")
    page.get_by_role("link", name="SCR-ADMIN-E08000025").click()
    audit.scan("admin: a review")
    screenshot(page, "admin-review")

    page.goto(f"{live_server.url}/reviews/")
    audit.scan("register")
    page.get_by_role("link", name="SCR-ADMIN-E08000025").click()
    audit.scan("review page")
    page.get_by_role("link", name="See the history of this review").click()
    audit.scan("review history, with reads")
    page.goto(f"{live_server.url}/dashboard/?year=2008-09")
    audit.scan("dashboard")
    page.goto(f"{live_server.url}/no-such-page/")
    audit.scan("404 page")
    audit.assert_clean()
