"""Replacing and deleting a review's documents (SPEC section 10): the lead board's staff only, optimistic
locking, stored files never removed, and the review's history saying each step in words; forged POSTs."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.models import Contribution, Document, DocumentEvent
from tests.conftest import HTTPSClient
from tests.factories import DocumentFactory, ReviewFactory, UserFactory, board
from tests.pdfs import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])

LEAD, CONTRIBUTING, OTHER = "E08000025", "E08000031", "E08000026"  # Birmingham, Wolverhampton, Coventry


def signed_in(user):
    client = HTTPSClient()
    client.force_login(user)
    return client


@pytest.fixture
def review():
    made = ReviewFactory(board=board(LEAD))
    Contribution.objects.create(review=made, board=board(CONTRIBUTING))
    return made


@pytest.fixture
def document(review, board_user):
    client = signed_in(board_user)
    data = {
        "kind": "executive_summary",
        "title": "Executive summary of Child A",
        "file": SimpleUploadedFile("first.pdf", pdf_bytes("The first version."), "application/pdf"),
    }
    client.post(reverse("reviews:documents", args=[review.pk]), data)
    return Document.objects.get(review=review)


def replace(client, document, content=None, *, version=None, name="second.pdf", **fields):
    data = {
        "version": document.version if version is None else version,
        "file": SimpleUploadedFile(name, pdf_bytes("The second version.") if content is None else content),
        **fields,
    }
    return client.post(reverse("reviews:document_replace", args=[document.review_id, document.pk]), data)


def history_text(client, review):
    return client.get(reverse("reviews:history", args=[review.pk])).text


def test_replacing_keeps_the_old_file_and_the_history_names_both_versions(review, board_user, document):
    client = signed_in(board_user)
    first_name, first_sha = document.file.name, document.sha256
    page = client.get(reverse("reviews:document_replace", args=[review.pk, document.pk]))
    assert page.status_code == 200 and "first.pdf" in page.text
    response = replace(client, document, published_date_day="1", published_date_month="4", published_date_year="2010")
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.filename, document.version, document.kind) == ("second.pdf", 2, "executive_summary")
    assert document.published_date == datetime.date(2010, 4, 1)
    assert document.file.name != first_name
    assert document.file.storage.exists(first_name)  # the first version's file is kept
    assert hashlib.sha256(document.file.storage.open(first_name).read()).hexdigest() == first_sha
    download = client.get(reverse("reviews:document_download", args=[review.pk, document.pk]))
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == document.sha256
    files = list(DocumentEvent.objects.filter(pgh_obj_id=document.pk).order_by("pgh_id").values_list("file", "sha256"))
    assert files[0] == (first_name, first_sha) and files[-1] == (document.file.name, document.sha256)
    history = history_text(client, review)
    assert "uploaded the executive summary “Executive summary of Child A” (first.pdf" in history
    assert "replaced the file of the executive summary “Executive summary of Child A” with a new file (second.pdf" in (
        history
    )
    assert "set the publication date of the executive summary “Executive summary of Child A” to 1 April 2010" in (
        history
    )


def test_changing_only_the_publication_date_is_said_in_the_history(review, board_user, document):
    client = signed_in(board_user)
    Document.objects.filter(pk=document.pk).update(published_date=datetime.date(2010, 5, 1))
    document.refresh_from_db()
    replace(client, document, published_date_day="2", published_date_month="5", published_date_year="2010")
    assert "from 1 May 2010 to 2 May 2010" in history_text(client, review)


def test_a_replacement_based_on_an_older_version_is_refused_and_changes_nothing(review, board_user, document):
    client = signed_in(board_user)
    replace(client, document)  # someone else replaced it first: version 2
    document.refresh_from_db()
    stale = replace(client, document, pdf_bytes("A third version."), version=1, name="third.pdf")
    assert stale.status_code == 409
    assert "Someone else changed this document" in stale.text
    assert 'name="version" value="2"' in stale.text
    document.refresh_from_db()
    assert (document.filename, document.version) == ("second.pdf", 2)


def test_a_replacement_that_is_not_a_pdf_is_refused_and_changes_nothing(review, board_user, document):
    response = replace(signed_in(board_user), document, png_bytes(), name="picture.pdf")
    assert response.status_code == 200
    assert "The selected file must be a PDF" in response.text
    before = document.file.name
    document.refresh_from_db()
    assert (document.file.name, document.version) == (before, 1)


def test_deleting_asks_first_then_hides_the_document_and_keeps_its_file_and_history(review, board_user, document):
    client = signed_in(board_user)
    url = reverse("reviews:document_delete", args=[review.pk, document.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Delete “Executive summary of Child A”?" in confirm.text
    assert Document.objects.current().filter(pk=document.pk).exists()  # asking deletes nothing
    response = client.post(url, {"version": document.version})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted_at is not None and document.deleted_by == board_user
    assert document.file.storage.exists(document.file.name)
    assert client.get(reverse("reviews:document_download", args=[review.pk, document.pk])).status_code == 404
    assert "Executive summary of Child A" not in client.get(reverse("reviews:documents", args=[review.pk])).text
    assert client.get(url).status_code == 404
    history = history_text(client, review)
    assert "deleted the executive summary “Executive summary of Child A”" in history
    assert "uploaded the executive summary “Executive summary of Child A”" in history


def test_a_deletion_based_on_an_older_version_is_refused(review, board_user, document):
    client = signed_in(board_user)
    replace(client, document)
    response = client.post(reverse("reviews:document_delete", args=[review.pk, document.pk]), {"version": 1})
    assert response.status_code == 409
    assert "Someone else changed this document" in response.text
    assert Document.objects.current().filter(pk=document.pk).exists()


@pytest.mark.parametrize("role", ["board_staff_contributing_board", "inspector", "manager"])
def test_readers_who_are_not_the_lead_board_cannot_replace_or_delete(review, document, role):
    user = (
        UserFactory(role="board_staff", boards=[CONTRIBUTING]) if role.startswith("board") else UserFactory(role=role)
    )
    client = signed_in(user)
    assert replace(client, document).status_code == 403
    delete = client.post(reverse("reviews:document_delete", args=[review.pk, document.pk]), {"version": 1})
    assert delete.status_code == 403
    document.refresh_from_db()
    assert (document.version, document.deleted_at, document.filename) == (1, None, "first.pdf")


def test_forged_posts_for_another_boards_review_or_document_answer_404_and_change_nothing(review, document):
    coventry_staff = UserFactory(role="board_staff", boards=[OTHER])
    client = signed_in(coventry_staff)
    upload = {"kind": "other", "title": "Forged", "file": SimpleUploadedFile("f.pdf", pdf_bytes())}
    assert client.post(reverse("reviews:documents", args=[review.pk]), upload).status_code == 404
    assert replace(client, document).status_code == 404
    delete_url = reverse("reviews:document_delete", args=[review.pk, document.pk])
    assert client.post(delete_url, {"version": 1}).status_code == 404
    # Their own review's id with Birmingham's document id: the document is not their review's.
    own = ReviewFactory(board=board(OTHER))
    assert replace(client, Document(pk=document.pk, review_id=own.pk, version=1)).status_code == 404
    assert (
        client.post(reverse("reviews:document_delete", args=[own.pk, document.pk]), {"version": 1}).status_code == 404
    )
    assert client.get(reverse("reviews:document_download", args=[own.pk, document.pk])).status_code == 404
    document.refresh_from_db()
    assert (document.version, document.deleted_at, document.filename) == (1, None, "first.pdf")
    assert list(Document.objects.values_list("title", flat=True)) == ["Executive summary of Child A"]


def test_a_document_of_another_review_of_the_same_board_is_not_reached_through_this_one(review, board_user):
    other = DocumentFactory(review=ReviewFactory(board=board(LEAD)))
    client = signed_in(board_user)
    assert replace(client, Document(pk=other.pk, review_id=review.pk, version=1)).status_code == 404
    other.refresh_from_db()
    assert other.version == 1
