"""Helpers for the browser tests: an axe scan of every page a journey visits, signing in, screenshots."""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path("/tmp/scr-register-screenshots")

# Every browser test is transactional (the live server reads what it writes), keeps the migrations' reference
# data for the tests after it, and names both aliases: the dashboard and exports read "reporting".
browser_db = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "reporting"])
_axe = Axe()


def _where(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Auditor:
    """Scans pages with axe (every rule axe runs by default) and checks that no page went unscanned.

    Every state of the page the journey reaches must be scanned (``scan``) before the journey moves on, or
    ``assert_clean`` fails: each new document (a link, a form post, even one answered at the same address),
    and each new address htmx pushes after redrawing part of the page. (htmx also re-announces the current
    address when it saves it to history; that is not a new state.)
    """

    page: Page
    role: str
    scanned: list = field(default_factory=list)
    unscanned: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    _pending: str | None = None
    _pending_is_document: bool = False
    _url: str = ""

    def __post_init__(self):
        self.page.on("framenavigated", self._navigated)
        self.page.on("domcontentloaded", self._document_loaded)

    def _navigated(self, frame):
        if frame == self.page.main_frame and not frame.url.startswith("about:") and frame.url != self._url:
            self._new_state(frame.url, document=False)

    def _document_loaded(self, page):
        if not page.url.startswith("about:"):
            self._new_state(page.url, document=True)

    def _new_state(self, url, *, document):
        if document and self._pending == url and not self._pending_is_document:
            # The same navigation: its new address was announced first, then its document loaded.
            self._pending_is_document = True
            return
        if self._pending is not None:
            self.unscanned.append(_where(self._pending))
        self._pending, self._pending_is_document, self._url = url, document, url

    def scan(self, what):
        """Run axe on the page as it is now; ``what`` names the state ("with errors", "after filtering")."""
        self.page.wait_for_load_state("load")
        results = _axe.run(self.page)
        where = _where(self.page.url)
        self.scanned.append((where, what))
        self._pending = None
        for violation in results.response["violations"]:
            nodes = "\n".join(
                f"      {', '.join(map(str, node['target']))}: {node['html'][:200]}" for node in violation["nodes"]
            )
            self.violations.append(
                f"[{self.role}] {where} ({what}): {violation['id']} ({violation['impact']}): "
                f"{violation['help']}\n{nodes}"
            )
        return results

    def assert_clean(self):
        if self._pending is not None:
            self.unscanned.append(_where(self._pending))
            self._pending = None
        problems = []
        if self.unscanned:
            problems.append("Pages visited but never scanned: " + ", ".join(self.unscanned))
        problems.extend(self.violations)
        assert not problems, "\n".join(problems)


def sign_in(page, live_server, username, *, code=None, auditor=None, open_page=True):
    """Sign in through the sign-in page, and the two-factor page when ``code`` (a callable) is given.

    With ``open_page=False`` the sign-in page is already open (after a failed attempt, say).
    """
    if open_page:
        page.goto(f"{live_server.url}/accounts/login/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the SCR Register")
        if auditor:
            auditor.scan("sign-in page")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
        if auditor:
            auditor.scan("two-factor page")
        page.get_by_label("Security code").fill(code())
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def screenshot(page, name):
    """A full-page screenshot in /tmp for a person to look at (not part of the repository)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# Users --------------------------------------------------------------------------------------------------


def make_user(username, role, *, boards=(), second_factor=None):
    """A user of ``role``; with ``second_factor=True`` a confirmed authenticator whose codes the tests compute."""
    user = UserFactory(username=username, role=role, boards=list(boards))
    if second_factor:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def current_code(user, *, confirmed=True):
    """The 6-digit code the user's authenticator app shows now (the set-up page's device when unconfirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).latest("pk")
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"
