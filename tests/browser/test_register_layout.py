"""The register's layout in Chromium: every column readable at 1280 px with the filter shown, the page reflowing
at 320 px (WCAG 2.2 1.4.10), and status tags on one line wherever they are shown."""

import datetime

import pytest
from playwright.sync_api import expect

from reviews.models import Board, Review
from tests.browser.helpers import Auditor, browser_db, current_code, make_user, sign_in
from tests.factories import EvaluationFactory, ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]

LONG_TITLE = "Review of services to Child P by the local authority, health services and the police, 2007 to 2008"

# Every cell of the register's table whose right edge is past the viewport, and every element that scrolls sideways.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const cells = [...document.querySelectorAll("#register-table th, #register-table td")];
  const outside = cells.filter((cell) => cell.getBoundingClientRect().right > width)
    .map((cell) => cell.textContent.trim());
  const scrolling = [];
  for (let node = document.getElementById("register-table"); node; node = node.parentElement) {
    if (node.scrollWidth > node.clientWidth) {
      scrolling.push(`${node.tagName}.${node.className}: ${node.scrollWidth} > ${node.clientWidth}`);
    }
  }
  return { outside, scrolling };
}"""

TAGS_ON_MORE_THAN_ONE_LINE = """(selector) => [...document.querySelectorAll(selector)].filter((tag) => {
  const style = getComputedStyle(tag);
  const line = parseFloat(style.lineHeight);
  const height = tag.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
    - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
  return height > line * 1.5;
}).map((tag) => tag.textContent.trim())"""


def a_full_register():
    """Reviews whose every column is as wide as it gets: long titles and board names, both tags, both dates."""
    longest = max(Board.objects.all(), key=lambda board: len(board.name))
    for number in range(1, 4):
        ReviewFactory(
            reference=f"SCR-2008-{number:04d}", title=LONG_TITLE, board=longest, status=Review.Status.SUBMITTED
        )
    for number in range(4, 7):
        EvaluationFactory(
            review__reference=f"SCR-2008-{number:04d}",
            review__title=LONG_TITLE,
            review__board=longest,
            completed_date=datetime.date(2009, 4, 1),
            judgement="inadequate",
        )


def open_register(page, live_server, audit):
    inspector = make_user("inspector", "inspector", second_factor=True)
    a_full_register()
    sign_in(page, live_server, "inspector", code=lambda: current_code(inspector), auditor=audit)
    audit.scan("start page")
    page.goto(f"{live_server.url}/reviews/")
    expect(page.locator("#register-table tbody tr")).to_have_count(6)


@browser_db
def test_every_column_of_the_register_fits_at_1280_pixels_with_the_filter_shown(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 800})
    audit = Auditor(page, "inspector")
    open_register(page, live_server, audit)
    expect(page.get_by_role("button", name="Hide filter")).to_be_visible()
    expect(page.locator(".moj-filter")).to_be_visible()
    audit.scan("the register at 1280 px")

    assert page.evaluate(OVERFLOW) == {"outside": [], "scrolling": []}
    assert page.evaluate(TAGS_ON_MORE_THAN_ONE_LINE, "#register-table .govuk-tag") == []

    # With the filter hidden the table has the whole width, and still fits in the page.
    page.get_by_role("button", name="Hide filter").click()
    expect(page.locator(".moj-filter")).to_be_hidden()
    assert page.evaluate(OVERFLOW) == {"outside": [], "scrolling": []}
    audit.assert_clean()


@browser_db
def test_the_register_reflows_at_320_pixels_without_the_page_scrolling_sideways(page, live_server):
    page.set_viewport_size({"width": 320, "height": 640})
    audit = Auditor(page, "inspector")
    open_register(page, live_server, audit)
    audit.scan("the register at 320 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # The table may scroll inside its own labelled, focusable region; its tags stay whole.
    region = page.get_by_role("region", name="Reviews")
    expect(region).to_have_attribute("tabindex", "0")
    assert page.evaluate(TAGS_ON_MORE_THAN_ONE_LINE, "#register-table .govuk-tag") == []

    # The filter opens over the page and still fits.
    page.get_by_role("button", name="Show filter").click()
    expect(page.locator(".moj-filter")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    audit.assert_clean()


@browser_db
def test_status_tags_stay_on_one_line_on_the_reviews_page(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 800})
    audit = Auditor(page, "inspector")
    open_register(page, live_server, audit)
    audit.scan("the register")
    page.get_by_role("link", name="SCR-2008-0001").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(LONG_TITLE)
    audit.scan("a review")
    assert page.evaluate(TAGS_ON_MORE_THAN_ONE_LINE, ".govuk-tag") == []
    audit.assert_clean()
