"""Where the review form puts the reader: at the new row after "Add another ...", at the field a
check-your-answers error links to. With JavaScript and without."""

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from tests.browser.helpers import browser_db, make_user, sign_in
from tests.factories import ReviewFactory, board

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]

ACTIVE_ID = "() => document.activeElement && document.activeElement.id"


@pytest.fixture(params=[True, False], ids=["with JavaScript", "without JavaScript"])
def board_page(request, browser, browser_context_args, live_server):
    make_user("board", "board_staff", boards=["E08000025"])
    context = browser.new_context(**browser_context_args, java_script_enabled=request.param)
    page = context.new_page()
    sign_in(page, live_server, "board")
    yield page
    context.close()


@browser_db
def test_add_another_agency_puts_the_focus_on_the_new_agencys_first_field(board_page, live_server):
    page = board_page
    page.goto(f"{live_server.url}/reviews/new/")
    page.get_by_label("Title").fill("Typed before adding rows")
    page.get_by_role("button", name="Add another agency").click()
    expect(page.get_by_role("group", name="Agency 1", exact=True)).to_be_visible()
    assert page.evaluate(ACTIVE_ID) == "id_agencies-0-agency"
    expect(page.locator("#id_agencies-0-agency")).to_be_in_viewport()
    page.keyboard.type("Police")
    page.get_by_role("button", name="Add another agency").click()
    expect(page.get_by_role("group", name="Agency 2", exact=True)).to_be_visible()
    assert page.evaluate(ACTIVE_ID) == "id_agencies-1-agency"
    expect(page.locator("#id_agencies-0-agency")).to_have_value("police")
    expect(page.get_by_label("Title")).to_have_value("Typed before adding rows")


@browser_db
def test_a_missing_answer_on_check_your_answers_leads_to_that_fields_error_with_its_label_in_view(
    board_page, live_server
):
    review = ReviewFactory(board=board("E08000025"), status="draft", completed_date=None, submitted_date=None)
    page = board_page
    page.goto(f"{live_server.url}/reviews/{review.pk}/submit/")
    page.get_by_role("button", name="Submit to Ofsted").click()
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter the date the review was completed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the review")
    group = page.locator("#id_completed_date-group")
    expect(group.locator(".govuk-error-message")).to_contain_text("Enter the date the review was completed")
    expect(group.locator("legend")).to_be_in_viewport()
    expect(group.locator(".govuk-error-message")).to_be_in_viewport()
    assert Review.objects.get(pk=review.pk).status == Review.Status.DRAFT
