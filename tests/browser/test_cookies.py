"""The cookies a real browser holds after signing in are production's: ``__Host-`` names, Secure, HttpOnly for
the session, SameSite=Lax, the whole site and no Domain (so no other host, not even a subdomain, gets them)."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import browser_db, current_code, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


@browser_db
def test_signing_in_and_out_uses_host_only_secure_cookies(page, live_server):
    inspector = make_user("inspector", "inspector", second_factor=True)
    sign_in(page, live_server, "inspector", code=lambda: current_code(inspector))
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}

    session, csrf = cookies["__Host-sessionid"], cookies["__Host-csrftoken"]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["sameSite"] == "Lax"
        assert cookie["path"] == "/"
        assert not cookie["domain"].startswith(".")  # host-only: set without a Domain attribute
    assert session["httpOnly"] is True
    assert not {"sessionid", "csrftoken"} & set(cookies)  # no unprefixed twin

    # The session cookie is what keeps the inspector signed in: the register opens with it ...
    page.goto(f"{live_server.url}/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    # ... and signing out ends the session it names.
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the SCR Register")
