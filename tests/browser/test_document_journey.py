"""Board staff upload a PDF to their review, see it in the list, download it, and open the delete confirmation;
axe scans the documents page (empty, with an error, with the document) and the confirmation."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from reviews.models import Document
from tests.browser.helpers import Auditor, browser_db, make_user, sign_in
from tests.factories import ReviewFactory, board
from tests.pdfs import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


@browser_db
def test_board_staff_upload_a_pdf_see_it_listed_and_download_it(page, live_server, tmp_path):
    make_user("board", "board_staff", boards=["E08000025"])
    review = ReviewFactory(reference="SCR-2010-E08000025-0002", board=board("E08000025"))
    content = pdf_bytes("Executive summary: the review of services to Child B.")
    chosen = tmp_path / "Executive summary – Child B.pdf"
    chosen.write_bytes(content)
    not_a_pdf = tmp_path / "photo.pdf"
    not_a_pdf.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    audit = Auditor(page, "board staff")

    sign_in(page, live_server, "board", auditor=audit)
    audit.scan("start page")
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    audit.scan("the review page")
    page.get_by_role("link", name="Documents: 0 documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.get_by_text("No documents have been uploaded for this review.")).to_be_visible()
    audit.scan("documents page, none yet")

    page.get_by_label("Executive summary", exact=True).check()
    page.get_by_label("Title", exact=True).fill("Executive summary of the review of Child B")
    page.get_by_label("File", exact=True).set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="Upload").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="The selected file must be a PDF")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    audit.scan("documents page, a PNG renamed .pdf refused")
    assert not Document.objects.exists()

    page.get_by_label("File", exact=True).set_input_files(str(chosen))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Executive summary of the review of Child B")
    row = page.locator("#documents-list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Executive summary – Child B.pdf")
    # The suite reads text at once (tests/conftest.py runs tasks immediately), so the row says it was read.
    expect(row).to_contain_text("Text read")
    audit.scan("documents page with the uploaded document")

    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("^Executive summary of the review of Child B")).click()
    download = download_info.value
    assert download.suggested_filename == "Executive summary – Child B.pdf"
    download.save_as(tmp_path / "saved.pdf")
    assert hashlib.sha256((tmp_path / "saved.pdf").read_bytes()).digest() == hashlib.sha256(content).digest()

    row.get_by_role("link", name=re.compile("^Delete")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete “Executive summary of the review of Child B”?")
    audit.scan("delete confirmation")
    page.get_by_role("button", name="Delete the document").click()
    expect(page.get_by_text("No documents have been uploaded for this review.")).to_be_visible()
    audit.scan("documents page after the deletion")
    audit.assert_clean()
