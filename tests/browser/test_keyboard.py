"""The board journey with the keyboard alone: from the sign-in page to the review submitted to Ofsted.

After the first page is opened, every step is a key press (Tab, Shift+Tab, Enter, Space, arrows, typing).
Every element Tab lands on must show where the focus is.
"""

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from tests.browser.helpers import browser_db, make_user

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]

# What has the focus, and whether a sighted keyboard user can see it: GOV.UK draws a yellow outline or
# background on links, buttons and fields, and on the label's circle or box for radios and checkboxes.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {id: "", tag: "body", text: "", visible: false};
  const styled = ["radio", "checkbox"].includes(el.type) && el.labels.length ? [el.labels[0], "::before"] : [el, null];
  const style = getComputedStyle(...styled);
  const visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none" || style.backgroundColor === "rgb(255, 221, 0)";
  const text = (el.innerText || el.getAttribute("aria-label") || "").trim().replace(/\\s+/g, " ");
  return {id: el.id, tag: el.tagName.toLowerCase(), text, visible};
}"""


class Keyboard:
    """Key presses, with a check after each Tab that the focus is visible."""

    def __init__(self, page):
        self.page = page
        self.invisible = []

    def focus(self):
        return self.page.evaluate(FOCUS)

    def press(self, key):
        self.page.keyboard.press(key)
        if key in ("Tab", "Shift+Tab"):
            focus = self.focus()
            if not focus["visible"]:
                self.invisible.append(f"{self.page.url}: {focus}")
            return focus
        return None

    def type(self, text):
        self.page.keyboard.type(text)

    def tab_to(self, *, id=None, text=None, limit=60, key="Tab"):
        """Press Tab until the element with this id (or this text) has the focus; fail after ``limit`` presses."""
        for _ in range(limit):
            focus = self.press(key)
            if (id is not None and focus["id"] == id) or (text is not None and focus["text"] == text):
                return focus
        raise AssertionError(f"{limit} presses of {key} did not reach {id or text!r} on {self.page.url}")

    def expect_focus(self, *, id=None, text=None, tag=None):
        focus = self.focus()
        if id is not None:
            assert focus["id"] == id, focus
        if text is not None:
            assert focus["text"] == text, focus
        if tag is not None:
            assert focus["tag"] == tag, focus
        return focus


@browser_db
def test_board_staff_log_and_submit_a_review_with_the_keyboard_alone(page, live_server):
    make_user("board", "board_staff", boards=["E08000025"])
    keys = Keyboard(page)
    page.goto(f"{live_server.url}/accounts/login/")

    # The skip link comes first, and takes the focus to the main content.
    focus = keys.press("Tab")
    assert focus["text"] == "Skip to main content" and focus["visible"], focus
    keys.press("Enter")
    keys.expect_focus(id="main-content", tag="main")
    keys.tab_to(id="id_username", limit=1)
    keys.type("board")
    keys.tab_to(id="id_password", limit=1)
    keys.type("correct horse battery staple")
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your boards' actions")  # board staff's start page

    focus = keys.press("Tab")
    assert focus["text"] == "Skip to main content", focus
    keys.tab_to(text="Log a review", limit=8)
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a serious case review")

    # Enter in a field saves the form; the error summary takes the focus and its links lead to the fields.
    keys.tab_to(id="id_title", limit=11)  # past the menu (with "Actions") and the account
    keys.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert keys.focus()["visible"]
    keys.tab_to(text="Enter the title of the review", limit=1)
    keys.press("Enter")
    keys.expect_focus(id="id_title")
    keys.type("Serious case review into the death of Child K")
    keys.tab_to(id="id_decision_date_0")
    keys.type("1")
    keys.tab_to(id="id_decision_date_1", limit=1)
    keys.type("2")
    keys.tab_to(id="id_decision_date_2", limit=1)
    keys.type("2008")
    keys.tab_to(id="id_completed_date_0", limit=1)
    keys.type("1")
    keys.press("Tab")
    keys.type("6")
    keys.press("Tab")
    keys.type("2008")
    keys.tab_to(id="id_summary")
    keys.type("Child K died after months of neglect.")

    # The first child: a pseudonym, then the first outcome with Space.
    keys.tab_to(id="id_children-0-pseudonym")
    keys.type("Child K")
    keys.tab_to(id="id_children-0-outcome_0")
    keys.press("Space")
    # Adding a row brings the page back with the focus on the new row's first field.
    keys.tab_to(text="Add another child", limit=10)
    keys.press("Enter")
    expect(page.get_by_role("group", name="Child 2", exact=True)).to_be_visible()
    keys.expect_focus(id="id_children-1-pseudonym")
    keys.type("Child L")
    keys.tab_to(id="id_children-1-outcome_0")
    keys.press("ArrowRight")  # moves to, and chooses, "Seriously harmed"
    keys.expect_focus(id="id_children-1-outcome_1")

    # Three findings: type the start of a category to choose it.
    for number, category in enumerate(("Weak", "Failure", "Not making")):
        if number:
            keys.tab_to(text="Add another finding")
            keys.press("Enter")
            expect(page.get_by_role("group", name=f"Finding {number + 1}", exact=True)).to_be_visible()
            keys.expect_focus(id=f"id_findings-{number}-category")
        else:
            keys.tab_to(id="id_findings-0-category")
        keys.type(category)
    # Shift+Tab goes back: from the "Save as draft" button to the finding's "Add another" button before it.
    keys.tab_to(text="Save as draft")
    keys.tab_to(text="Add another finding", key="Shift+Tab", limit=1)
    keys.tab_to(text="Save as draft", limit=1)
    keys.press("Space")

    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("saved as a draft")
    review = Review.objects.get()
    assert [c.pseudonym for c in review.children.order_by("pk")] == ["Child K", "Child L"]
    assert [c.outcome for c in review.children.order_by("pk")] == ["died", "serious_harm"]
    assert sorted(review.findings.values_list("category", flat=True)) == [
        "child_focus",
        "risk_assessment",
        "weak_management",
    ]

    keys.tab_to(text="Check and submit to Ofsted")
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting the review")
    # From the end of the page backwards: the footer's licence link, then the button.
    keys.tab_to(text="Submit to Ofsted", key="Shift+Tab", limit=4)
    keys.press("Enter")

    expect(banner).to_contain_text(f"Review {review.reference} submitted to Ofsted")
    expect(banner).to_be_focused()
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert not keys.invisible, "Focus not visible on:\n" + "\n".join(keys.invisible)
