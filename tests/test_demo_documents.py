"""seed_demo's documents (reviews/demo_documents.py): real, readable PDFs in the documents storage, on evaluated
reviews, published after the review's completion (some not yet), with text the register's search can find."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from pypdf import PdfReader

from reviews.demo import AS_OF
from reviews.demo_documents import UPLOADER
from reviews.documents.pdf import extract_text
from reviews.models import Document, Review


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(db):
    """300 demo reviews from seed 7; the command's output."""
    return seed("--reviews", "300", "--seed", "7")


def test_a_few_dozen_documents_on_evaluated_reviews_and_the_command_says_so(seeded):
    documents = Document.objects.all()
    assert 40 <= documents.count() <= 80
    assert f"Added {documents.count()} demo documents" in seeded
    assert set(documents.values_list("review__status", flat=True)) == {Review.Status.EVALUATED}
    kinds = dict(documents.values_list("kind").annotate(n=Count("pk")))
    assert set(kinds) == {Document.Kind.EXECUTIVE_SUMMARY, Document.Kind.OVERVIEW_REPORT}
    # Every chosen review has one executive summary; some of them an overview report too.
    assert kinds[Document.Kind.EXECUTIVE_SUMMARY] == documents.values("review").distinct().count()


def test_every_document_is_a_real_pdf_in_the_storage_whose_text_is_the_stored_text(seeded):
    for document in Document.objects.all():
        with document.file.open("rb") as stored:
            content = stored.read()
        assert content.startswith(b"%PDF-")
        assert len(content) == document.size and hashlib.sha256(content).hexdigest() == document.sha256
        assert len(PdfReader(io.BytesIO(content)).pages) >= 1
        read = " ".join(extract_text(io.BytesIO(content)).split())
        assert read == " ".join(document.text.split())
        assert document.text_status == Document.TextStatus.READ
        assert document.review.reference in document.text and document.review.reference in document.filename


def test_publication_dates_follow_completion_and_some_documents_are_not_published(seeded):
    published = Document.objects.published().select_related("review")
    assert 0 < published.count() < Document.objects.count()
    for document in published:
        assert document.review.completed_date < document.published_date <= AS_OF
    unpublished_summaries = Document.objects.filter(kind=Document.Kind.EXECUTIVE_SUMMARY, published_date=None)
    assert unpublished_summaries.exists()


def test_the_texts_use_words_a_demo_user_can_search_for(seeded):
    texts = " ".join(Document.objects.values_list("text", flat=True)).lower()
    for words in ("neglect", "domestic abuse", "information sharing", "substance misuse", "voice of the child"):
        assert words in texts


def test_the_demo_board_users_boards_have_documents_too(seeded):
    assert Document.objects.filter(review__board__gss_code__in=["E08000025", "E08000026"]).exists()


def test_the_uploader_cannot_sign_in(seeded, client):
    uploader = Document.objects.first().uploaded_by
    assert uploader.username == UPLOADER and not uploader.is_active and not uploader.has_usable_password()


def test_the_same_seed_gives_the_same_documents_byte_for_byte(db):
    def documents():
        return sorted(
            Document.objects.values_list("review__reference", "kind", "published_date", "sha256", "uploaded_at")
        )

    seed("--reviews", "200", "--seed", "11")
    first = documents()
    seed("--reviews", "200", "--seed", "11", "--replace")
    assert documents() == first
    assert Document.objects.count() == len(first)  # --replace removed the first seed's documents


def test_if_empty_adds_no_documents_to_a_seeded_register(seeded):
    before = Document.objects.count()
    assert "no demo reviews added" in seed("--reviews", "300", "--if-empty")
    assert Document.objects.count() == before


def test_the_published_filter_lists_the_reviews_with_published_documents(seeded, client, inspector):
    client.force_login(inspector)
    response = client.get("/reviews/", {"published": "yes", "per_page": "100"})
    shown = response.content.decode()
    expected = set(Document.objects.published().values_list("review__reference", flat=True))
    assert expected and all(reference in shown for reference in expected)
    assert f"{len(expected)} review" in shown
