"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

What this file arranges, and why:

- Chromium is Debian's (``/usr/bin/chromium``; ``.ci/run`` installs it): Playwright's own download is not
  reachable here. Without it every browser test fails with a message saying what to install.
- The live server is plain HTTP, but the settings (DEBUG off) redirect to HTTPS. For the browser tests
  only, and before the live server loads its middleware, the redirect is off. The cookies stay as in
  production (``__Host-`` names, Secure, HttpOnly, SameSite): Chromium keeps Secure cookies for
  http://localhost and 127.0.0.1, so every journey signs in with them (test_cookies.py checks them).
- Playwright's sync API leaves an asyncio loop running in the main thread, so Django's ORM would refuse to
  run in the test itself (``SynchronousOnlyOperation``). The tests only make their data there, between
  browser steps, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set; and the browser tests run after every other test,
  so no later test runs beside that loop.
- The tests are transactional (the live server reads what they write), so each ends with a flush; the
  serialized reference data (boards, groups) comes back at the start of the next one, and once more after
  the last, so a database kept with ``--reuse-db`` still has its boards.
"""

import os
from pathlib import Path

import pytest
from django.test import override_settings

from tests.conftest import restore_reference_data

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# A browser test that hangs (a browser call waiting for ever) fails after this long instead of holding up the run.
TEST_TIMEOUT_SECONDS = 240


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the browser tests last (after pytest-django's own ordering), for the reasons above, each with a
    time limit (pytest-timeout)."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    for item in browser:
        if not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_SECONDS))
    if browser:
        others = [item for item in items if not item.get_closest_marker("browser")]
        items[:] = others + browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium, or fail every browser test saying what is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's package "
            "(apt-get install -y chromium; .ci/run installs it).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-GB",
        "timezone_id": "Europe/London",
        "accept_downloads": True,
    }


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Let the tests write their data while Playwright's loop runs (set before Playwright starts)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def _plain_http(django_db_setup):
    """Settings the plain-HTTP live server needs, in force before its middleware is loaded."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _reference_data_present(request):
    """Before each browser test too: a transactional test that ran before it (a drill, another browser test)
    ends with a flush, and with the live server's transactional set-up the serialized data is not always
    restored by pytest-django."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")
        restore_reference_data()


@pytest.fixture(scope="session")
def live_server(_plain_http, reference_data_kept, live_server):
    """pytest-django's live server, started with the plain-HTTP settings above."""
    return live_server


@pytest.fixture
def page(page):
    """A page that waits a little less than Playwright's default before giving up on an element."""
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(20_000)
    return page
