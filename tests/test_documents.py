"""A review's documents (SPEC section 10): who uploads and downloads them, what files are refused, and that a
refused file leaves nothing behind."""

import datetime
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from reviews.documents.models import documents_storage
from reviews.documents.pdf import download_name
from reviews.models import Contribution, Document, ReadEvent
from reviews.reporting import data_version
from tests.conftest import HTTPSClient
from tests.factories import DocumentFactory, ReviewFactory, UserFactory, board
from tests.pdfs import encrypted_pdf_bytes, large_pdf_bytes, pdf_bytes, pdf_without_text, png_bytes, zip_bytes

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])

LEAD, CONTRIBUTING, OTHER = "E08000025", "E08000031", "E08000026"  # Birmingham, Wolverhampton, Coventry
# Who each role is, and what they may do with a submitted Birmingham review that Wolverhampton contributed to:
# (may upload: the answer to an upload POST, may download: the answer to a download).
ROLES = {
    "board_staff_own_board": (302, 200),
    "board_staff_contributing_board": (403, 200),
    "board_staff_other_board": (404, 404),
    "inspector": (403, 200),
    "manager": (403, 200),
    "admin": (302, 200),
}


def user_for(role):
    boards = {"board_staff_own_board": LEAD, "board_staff_contributing_board": CONTRIBUTING}
    boards["board_staff_other_board"] = OTHER
    if role in boards:
        return UserFactory(role="board_staff", boards=[boards[role]])
    return UserFactory(role=role)


def signed_in(user):
    client = HTTPSClient()
    client.force_login(user)
    return client


@pytest.fixture
def review():
    made = ReviewFactory(board=board(LEAD))
    Contribution.objects.create(review=made, board=board(CONTRIBUTING))
    return made


def stored_names():
    """Every file in the documents storage (the test session's folder)."""
    storage = documents_storage()
    names = []
    folders, files = storage.listdir("")
    names += files
    for folder in folders:
        names += [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
    return set(names)


def upload(client, review, content=None, *, name="report.pdf", **fields):
    data = {
        "kind": "executive_summary",
        "title": "Executive summary",
        "file": SimpleUploadedFile(name, pdf_bytes() if content is None else content, "application/pdf"),
        **fields,
    }
    return client.post(reverse("reviews:documents", args=[review.pk]), data)


@pytest.mark.parametrize("kind", Document.Kind.values)
@pytest.mark.parametrize("role", ROLES)
def test_each_kind_is_uploaded_only_by_the_lead_boards_staff_and_admins(role, kind, review):
    client = signed_in(user_for(role))
    content = pdf_bytes(f"The {kind} of the review.")
    before = stored_names()
    response = upload(client, review, content, kind=kind, title=f"The {kind}")
    assert response.status_code == ROLES[role][0]
    if response.status_code == 302:
        document = Document.objects.get(review=review)
        assert (document.kind, document.title, document.size) == (kind, f"The {kind}", len(content))
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.file.open("rb").read() == content
        assert len(stored_names() - before) == 1
    else:
        assert not Document.objects.exists()
        assert stored_names() == before


@pytest.mark.parametrize("kind", Document.Kind.values)
@pytest.mark.parametrize("role", ROLES)
def test_each_kind_is_downloaded_by_everyone_who_reads_the_review(role, kind, review):
    content = pdf_bytes(f"The {kind}.")
    document = DocumentFactory(review=review, kind=kind, file=SimpleUploadedFile("x.pdf", content))
    user = user_for(role)
    response = signed_in(user).get(reverse("reviews:document_download", args=[review.pk, document.pk]))
    assert response.status_code == ROLES[role][1]
    reads = ReadEvent.objects.filter(review=review, kind=ReadEvent.Kind.DOCUMENT, user=user)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == content
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert reads.count() == 1
        assert document.title in reads.get().detail
    else:
        assert not reads.exists()


def test_the_list_shows_every_document_to_readers_and_the_form_only_to_the_lead_board(review, board_user):
    DocumentFactory(review=review, title="Overview report of Child A", kind="overview_report")
    DocumentFactory(review=review, title="Gone", deleted_at=datetime.datetime.now(datetime.UTC), deleted_by=board_user)
    url = reverse("reviews:documents", args=[review.pk])
    own = signed_in(board_user).get(url)
    inspector = signed_in(user_for("inspector")).get(url)
    contributing = signed_in(user_for("board_staff_contributing_board")).get(url)
    for response in (own, inspector, contributing):
        assert response.status_code == 200
        assert "Overview report of Child A" in response.text
        assert "Gone" not in response.text
    assert 'enctype="multipart/form-data"' in own.text
    assert 'name="file"' not in inspector.text and 'name="file"' not in contributing.text
    assert signed_in(user_for("board_staff_other_board")).get(url).status_code == 404


def test_the_lead_board_uploads_to_a_draft_review_too(board_user):
    draft = ReviewFactory(board=board(LEAD), status="draft", submitted_date=None)
    response = upload(signed_in(board_user), draft)
    assert response.status_code == 302
    assert draft.documents.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (png_bytes(), "picture.pdf", "The selected file must be a PDF"),
        (zip_bytes(), "archive.pdf", "The selected file must be a PDF"),
        (b"%PDF-1.7\nthis is not really a PDF at all\n%%EOF", "broken.pdf", "The selected file must be a PDF"),
        (b"", "empty.pdf", "The selected file is empty"),
        (encrypted_pdf_bytes("a password"), "locked.pdf", "password-protected"),
    ],
    ids=["png", "zip", "header only", "empty", "encrypted"],
)
def test_files_that_are_not_open_pdfs_are_refused_and_nothing_is_stored(review, board_user, content, name, message):
    before = stored_names()
    response = upload(signed_in(board_user), review, content, name=name)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert not Document.objects.exists()
    assert stored_names() == before


def test_a_valid_pdf_over_20_mib_is_refused_and_nothing_is_stored(review, board_user):
    content = large_pdf_bytes(21 * 1024 * 1024)
    before = stored_names()
    response = upload(signed_in(board_user), review, content)
    assert "The selected file must be smaller than 20MB" in response.text
    assert not Document.objects.exists()
    assert stored_names() == before


def test_no_file_at_all_asks_for_one(review, board_user):
    client = signed_in(board_user)
    response = client.post(reverse("reviews:documents", args=[review.pk]), {"kind": "other", "title": "Notes"})
    assert "Select a PDF file" in response.text
    assert not Document.objects.exists()


def test_a_publication_date_in_the_future_is_refused(review, board_user):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    date = {
        "published_date_day": tomorrow.day,
        "published_date_month": tomorrow.month,
        "published_date_year": tomorrow.year,
    }
    before = stored_names()
    response = upload(signed_in(board_user), review, **date)
    assert "Publication date must be today or in the past" in response.text
    assert not Document.objects.exists()
    assert stored_names() == before


def test_the_publication_date_is_kept_when_given(review, board_user):
    upload(signed_in(board_user), review, published_date_day="27", published_date_month="3", published_date_year="2010")
    assert Document.objects.get().published_date == datetime.date(2010, 3, 27)


def test_a_searched_kind_waits_for_its_text_and_the_list_polls_until_it_is_read(review, board_user):
    client = signed_in(board_user)
    upload(client, review, kind="overview_report")
    document = Document.objects.get()
    assert document.text_status == Document.TextStatus.PENDING
    url = reverse("reviews:documents", args=[review.pk])
    page = client.get(url)
    assert "Text being read" in page.text
    assert 'hx-trigger="every 3s"' in page.text
    assert "Check again" in page.text  # without JavaScript
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="documents-list"')
    assert "<html" not in fragment.text
    Document.objects.filter(pk=document.pk).update(text_status=Document.TextStatus.READ)
    done = client.get(url, headers={"HX-Request": "true"})
    assert "Text read" in done.text
    assert "hx-trigger" not in done.text


def test_a_kind_the_search_does_not_read_is_not_waited_for(review, board_user):
    upload(signed_in(board_user), review, kind="action_plan")
    assert Document.objects.get().text_status == Document.TextStatus.NOT_READ


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}})
def test_a_pdf_without_text_is_accepted_and_said_to_have_none(review, board_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(signed_in(board_user), review, pdf_without_text(), kind="overview_report")
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.text_status == Document.TextStatus.NO_TEXT
    page = signed_in(board_user).get(reverse("reviews:documents", args=[review.pk]))
    assert "No text found" in page.text


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}})
def test_the_text_of_an_uploaded_overview_report_is_read(review, board_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(signed_in(board_user), review, pdf_bytes("Neglect went unnoticed by agencies."), kind="overview_report")
    document = Document.objects.get()
    assert document.text_status == Document.TextStatus.READ
    assert "Neglect went unnoticed" in document.text


def test_the_download_name_keeps_no_path_and_no_control_characters_but_keeps_accents(review, board_user):
    client = signed_in(board_user)
    upload(client, review, name="..\\..\\secret\\Évaluation d’été\x07 Ωmega.pdf")
    document = Document.objects.get()
    assert document.filename == "Évaluation d’été Ωmega.pdf"
    assert "/" not in document.file.name.split("/", 1)[1] and "secret" not in document.file.name
    response = client.get(reverse("reviews:document_download", args=[review.pk, document.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''%C3%89valuation%20d%E2%80%99%C3%A9t%C3%A9%20%CE%A9mega.pdf" in disposition


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\amy\\Report.PDF", "Report.pdf"),
        ("line\nbreak\r\x00.pdf", "linebreak.pdf"),
        ("Résumé — 総括.pdf", "Résumé — 総括.pdf"),
        ("no extension", "no extension.pdf"),
        ("/", "document.pdf"),
    ],
)
def test_download_names_are_cleaned(given, kept):
    assert download_name(given) == kept


def test_the_stored_name_says_nothing_of_the_uploaders_name(review, board_user):
    upload(signed_in(board_user), review, name="Child A's full name.pdf")
    stored = Document.objects.get().file.name
    assert re.fullmatch(rf"{review.pk}/[0-9a-f]{{32}}\.pdf", stored)


def test_a_deleted_document_or_another_reviews_id_answers_404(review, board_user):
    deleted = DocumentFactory(review=review, deleted_at=datetime.datetime.now(datetime.UTC), deleted_by=board_user)
    elsewhere = DocumentFactory(review=ReviewFactory(board=board(LEAD)))
    client = signed_in(board_user)
    assert client.get(reverse("reviews:document_download", args=[review.pk, deleted.pk])).status_code == 404
    assert client.get(reverse("reviews:document_download", args=[review.pk, elsewhere.pk])).status_code == 404
    assert client.get(reverse("reviews:document_download", args=[elsewhere.review_id, elsewhere.pk])).status_code == 200


def test_documents_are_not_served_at_any_media_url(review, board_user):
    document = DocumentFactory(review=review)
    client = signed_in(board_user)
    for path in (f"/media/{document.file.name}", f"/{document.file.name}", f"/static/{document.file.name}"):
        assert client.get(path).status_code == 404


def test_the_list_runs_a_fixed_number_of_queries(review, board_user, django_assert_max_num_queries):
    client = signed_in(board_user)
    url = reverse("reviews:documents", args=[review.pk])
    DocumentFactory(review=review)
    client.get(url)  # sessions and permissions warmed
    for number in range(15):
        DocumentFactory(review=review, title=f"Document {number}", uploaded_by=UserFactory())
    with django_assert_max_num_queries(9):  # measured: 8, whatever the number of documents
        response = client.get(url)
    assert response.text.count('id="document-') == 16


def test_the_review_page_links_to_its_documents_with_a_count(review, board_user):
    DocumentFactory(review=review)
    DocumentFactory(review=review, kind="overview_report")
    page = signed_in(board_user).get(reverse("reviews:detail", args=[review.pk]))
    assert "Documents: 2 documents" in page.text
    assert reverse("reviews:documents", args=[review.pk]) in page.text


def test_an_upload_takes_the_reporting_lock_so_the_dashboards_kept_figures_move_on(review, board_user):
    before = data_version(using="default")
    upload(signed_in(board_user), review)
    assert data_version(using="default") > before
