"""The register's `q` finds words in the text of a review's current overview reports and executive summaries
(SPEC section 10), with the same word and prefix rules; the review page, opened from a search, says which of
its documents matched, with an escaped, highlighted extract."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.documents.search import HIGHLIGHT_START, HIGHLIGHT_STOP, extract_parts
from reviews.models import Document, Review, ReviewSearch
from reviews.register.filters import words_found
from tests.factories import DocumentFactory, ReviewFactory, UserFactory
from tests.pdfs import pdf_bytes
from tests.register_data import listed, soup

pytestmark = pytest.mark.django_db

TEXT = (
    "The panel found that the chronology of hypothermia episodes was never shared between agencies. "
    "Supervision of the health visitor was irregular."
)


@pytest.fixture
def review(db):
    return ReviewFactory(reference="SCR-D1", title="Services to Child D", summary="About the family.")


@pytest.fixture
def other(db):
    return ReviewFactory(reference="SCR-D2", title="Services to Child E", summary="Nothing in common.")


@pytest.fixture
def as_inspector(client, inspector):
    client.force_login(inspector)
    return client


def search(client, value):
    return listed(client.get("/reviews/", {"q": value}))


def test_a_word_only_in_a_documents_text_finds_the_review(as_inspector, review, other):
    DocumentFactory(review=review, kind=Document.Kind.OVERVIEW_REPORT, text=TEXT)
    assert search(as_inspector, "hypothermia") == ["SCR-D1"]
    assert search(as_inspector, "hypothermia chronology") == ["SCR-D1"]  # every word, from the document
    assert search(as_inspector, "hypothermia family") == ["SCR-D1"]  # one from the document, one from the summary
    assert search(as_inspector, "hypothermia of the family") == ["SCR-D1"]  # stop words ask for nothing


def test_a_documents_text_read_from_its_pdf_by_the_task_is_searched(
    as_inspector, review, django_capture_on_commit_callbacks
):
    from reviews.documents.tasks import queue_text_reading

    document = DocumentFactory(review=review, file=ContentFile(pdf_bytes(TEXT), name="summary.pdf"))
    assert search(as_inspector, "hypothermia") == []
    with django_capture_on_commit_callbacks(execute=True):
        queue_text_reading(document)
    assert search(as_inspector, "hypothermia") == ["SCR-D1"]


def test_the_same_word_and_prefix_rules_as_the_reviews_own_text(as_inspector, review):
    DocumentFactory(review=review, text=TEXT)
    assert search(as_inspector, "hypotherm") == ["SCR-D1"]  # the start of a word
    assert search(as_inspector, "supervised") == ["SCR-D1"]  # stemmed: "supervis"
    assert search(as_inspector, "visitors") == ["SCR-D1"]
    assert search(as_inspector, "thermia") == []  # the middle of a word is not its start
    assert search(as_inspector, "hypothermia absent") == []  # every word must match


def test_a_deleted_documents_words_are_not_found(as_inspector, review):
    document = DocumentFactory(review=review, text=TEXT)
    assert search(as_inspector, "hypothermia") == ["SCR-D1"]
    Document.objects.filter(pk=document.pk).update(deleted_at=timezone.now(), deleted_by=UserFactory())
    assert search(as_inspector, "hypothermia") == []


def test_an_action_plans_or_other_documents_text_is_not_searched(as_inspector, review):
    for kind in (Document.Kind.ACTION_PLAN, Document.Kind.LEARNING_BRIEFING, Document.Kind.OTHER):
        DocumentFactory(review=review, kind=kind, text=TEXT)
    assert search(as_inspector, "hypothermia") == []


def test_a_document_changed_to_a_kind_not_searched_drops_out_and_back(as_inspector, review):
    document = DocumentFactory(review=review, kind=Document.Kind.OVERVIEW_REPORT, text=TEXT)
    Document.objects.filter(pk=document.pk).update(kind=Document.Kind.OTHER)
    assert search(as_inspector, "hypothermia") == []
    Document.objects.filter(pk=document.pk).update(kind=Document.Kind.EXECUTIVE_SUMMARY)
    assert search(as_inspector, "hypothermia") == ["SCR-D1"]


def test_editing_the_review_keeps_its_documents_words_and_documents_keep_its_own(as_inspector, review):
    DocumentFactory(review=review, text=TEXT)
    Review.objects.filter(pk=review.pk).update(title="Services to Child Q, renamed")
    assert search(as_inspector, "hypothermia") == ["SCR-D1"]
    assert search(as_inspector, "renamed") == ["SCR-D1"]
    DocumentFactory(review=review, text="A second summary.")
    assert search(as_inspector, "renamed hypothermia second") == ["SCR-D1"]


def words(review, column):
    vector = ReviewSearch.objects.values_list(column, flat=True).get(review=review)
    return set() if vector is None else {word.strip("'") for word in vector.split()}


def test_the_reviews_own_words_and_its_documents_words_are_kept_apart(as_inspector, review, other):
    """ReviewSearch.document holds the review's own words, ReviewSearch.documents its searched documents';
    a word only in the title and a word only in a document are both found, and a replaced or deleted
    document's words go."""
    assert words(review, "documents") == set()  # no document yet: null
    document = DocumentFactory(review=review, text=TEXT)
    assert "hypothermia" in words(review, "documents")
    assert "hypothermia" not in words(review, "document")
    assert "child" in words(review, "document") and "child" not in words(review, "documents")
    assert words(review, "common") == words(review, "documents")  # a short text: all its words are its most used
    assert search(as_inspector, "hypothermia") == ["SCR-D1"]
    assert search(as_inspector, "services") == ["SCR-D1", "SCR-D2"]  # in both titles, in no document

    # A replacement's text, as the text-reading task writes it.
    Document.objects.filter(pk=document.pk).update(text="Neglect of the infant was not escalated.")
    assert "hypothermia" not in words(review, "documents") and "escal" in words(review, "documents")
    assert search(as_inspector, "hypothermia") == []
    assert search(as_inspector, "escalated") == ["SCR-D1"]

    Document.objects.filter(pk=document.pk).update(deleted_at=timezone.now(), deleted_by=UserFactory())
    assert words(review, "documents") == set() and words(review, "common") == set()
    assert search(as_inspector, "escalated") == []
    assert search(as_inspector, "services") == ["SCR-D1", "SCR-D2"]


def test_the_words_a_documents_text_uses_most_are_kept_small_and_the_rest_still_found(as_inspector, review):
    """ReviewSearch.common: each searched document's 50 most used words (the most frequent first, then in
    order), a subset of its words; a word used once beyond them is found through ReviewSearch.documents."""
    names = [f"zz{number:02d}" for number in range(60)]  # one use each
    DocumentFactory(review=review, text=" ".join(["Neglect."] * 5 + names))
    common = words(review, "common")
    assert len(common) == 50 and "neglect" in common
    assert common < words(review, "documents")
    assert "zz59" not in common
    assert search(as_inspector, "zz59") == ["SCR-D1"]
    assert search(as_inspector, "neglect") == ["SCR-D1"]


def test_the_documents_words_are_searched_through_their_index_at_the_cost_of_reading_them(review):
    """The search tests the documents' words through review_documents_words(), the expression their GIN index
    holds (reviews.models.review.DocumentsWords), so a plan can read them from the index; the function declares
    that reading them costs more than a review's own words, so the planner does not walk every review's."""
    DocumentFactory(review=review, text=TEXT)
    found = Review.objects.filter(words_found("hypothermia"))
    with transaction.atomic(), connection.cursor() as cursor:
        # Rows read only through indexes' bitmaps: the documents' part of the test must have an index of its own.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        plan = found.explain()
        assert list(found.values_list("reference", flat=True)) == ["SCR-D1"]
    assert "reviewsearch_docwords_idx" in plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT procost FROM pg_proc WHERE proname = 'review_documents_words'")
        assert cursor.fetchone()[0] > 1  # PostgreSQL's cost of a test of any tsvector


def test_another_boards_documents_never_make_its_draft_visible(client, board_user, coventry):
    """Board staff of Birmingham search a word only in Coventry's documents: nothing, drafts or not."""
    coventry_draft = ReviewFactory(reference="SCR-C1", board=coventry, status=Review.Status.DRAFT)
    coventry_submitted = ReviewFactory(reference="SCR-C2", board=coventry)
    for review in (coventry_draft, coventry_submitted):
        DocumentFactory(review=review, text=TEXT)
    own = ReviewFactory(reference="SCR-B1", status=Review.Status.DRAFT)  # Birmingham's
    DocumentFactory(review=own, text=TEXT)
    client.force_login(board_user)

    assert search(client, "hypothermia") == ["SCR-B1"]
    assert client.get(f"/reviews/{coventry_submitted.pk}/", {"q": "hypothermia"}).status_code == 404


def test_inspectors_never_find_a_draft_by_its_documents(as_inspector):
    draft = ReviewFactory(reference="SCR-X1", status=Review.Status.DRAFT)
    DocumentFactory(review=draft, text=TEXT)
    assert search(as_inspector, "hypothermia") == []


@pytest.mark.parametrize("per_page", ["25", "100"])
def test_a_search_in_documents_takes_at_most_six_queries(as_inspector, django_assert_max_num_queries, per_page):
    for number in range(30):
        review = ReviewFactory(reference=f"SCR-Q{number:02d}")
        DocumentFactory(review=review, kind=Document.Kind.OVERVIEW_REPORT, text=TEXT)
        DocumentFactory(review=review, text=TEXT)
    as_inspector.get("/reviews/")
    with django_assert_max_num_queries(6):
        response = as_inspector.get("/reviews/", {"q": "hypothermia", "per_page": per_page})
    assert len(listed(response)) == min(30, int(per_page))


# What matched: the register's rows and the review's page ---------------------------------------------------


def test_register_rows_say_which_documents_matched_and_link_to_the_review_with_the_search(as_inspector, review, other):
    DocumentFactory(review=review, kind=Document.Kind.OVERVIEW_REPORT, text=TEXT)
    DocumentFactory(review=review, kind=Document.Kind.EXECUTIVE_SUMMARY, text="Nothing about it.")
    other.summary = "Hypothermia in the summary."
    other.save()

    page = soup(as_inspector.get("/reviews/", {"q": "hypothermia"}))

    rows = {row.find("a").get_text(strip=True): row for row in page.select("#register-table tbody tr")}
    assert rows["SCR-D1"].find("a")["href"] == f"/reviews/{review.pk}/?q=hypothermia"
    assert rows["SCR-D1"].select_one(".app-matched-in").get_text(strip=True) == "Matched in: Overview report"
    assert rows["SCR-D2"].select_one(".app-matched-in") is None  # its own summary matched, no document


def test_register_rows_link_without_a_search_when_there_is_none(as_inspector, review):
    page = soup(as_inspector.get("/reviews/"))
    assert page.select_one("#register-table tbody a")["href"] == f"/reviews/{review.pk}/"


def test_the_review_page_shows_the_matching_documents_with_a_highlighted_extract(as_inspector, review):
    DocumentFactory(review=review, kind=Document.Kind.OVERVIEW_REPORT, title="Overview, final", text=TEXT)
    DocumentFactory(review=review, kind=Document.Kind.EXECUTIVE_SUMMARY, title="Summary", text="Nothing here.")
    DocumentFactory(review=review, kind=Document.Kind.ACTION_PLAN, title="Plan", text=TEXT)

    page = soup(as_inspector.get(f"/reviews/{review.pk}/", {"q": "hypotherm"}))

    matches = page.select(".app-search-match")
    assert len(matches) == 1
    assert "Overview report:" in matches[0].get_text()
    assert "Overview, final" in matches[0].get_text()
    assert [mark.get_text() for mark in matches[0].select("mark")] == ["hypothermia"]
    assert "chronology of" in matches[0].get_text()
    overview = review.documents.get(title="Overview, final")
    assert matches[0].find("a")["href"] == f"/reviews/{review.pk}/documents/{overview.pk}/"


def test_the_review_page_says_when_no_document_matched(as_inspector, review):
    page = soup(as_inspector.get(f"/reviews/{review.pk}/", {"q": "family"}))  # the summary's word only
    assert not page.select(".app-search-match")
    assert "None of this review’s overview reports or executive summaries" in page.get_text()


def test_the_review_page_without_a_search_says_nothing_of_documents(as_inspector, review):
    DocumentFactory(review=review, text=TEXT)
    page = soup(as_inspector.get(f"/reviews/{review.pk}/"))
    assert page.find(id="search-matches") is None


def test_a_documents_text_with_markup_reaches_the_page_escaped(as_inspector, review):
    text = 'Hypothermia <script>alert("x")</script> and <b onmouseover="y">bold</b> & more.'
    DocumentFactory(review=review, file=ContentFile(pdf_bytes(text), name="x.pdf"), text=text)

    html = as_inspector.get(f"/reviews/{review.pk}/", {"q": "hypothermia <script>"}).content.decode()

    assert "<script>alert" not in html
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;" in html
    page = soup(as_inspector.get(f"/reviews/{review.pk}/", {"q": "hypothermia"}))
    assert [mark.get_text() for mark in page.select(".app-search-match mark")] == ["Hypothermia"]


def test_the_extract_marks_come_out_as_plain_parts():
    extract = f"a {HIGHLIGHT_START}<word>{HIGHLIGHT_STOP} b {HIGHLIGHT_START}c{HIGHLIGHT_STOP}"
    assert extract_parts(extract) == [("a ", False), ("<word>", True), (" b ", False), ("c", True)]
    assert extract_parts(f"stray {HIGHLIGHT_STOP}mark") == [("stray mark", False)]


def test_the_review_page_with_a_search_adds_one_query(as_inspector, review, django_assert_max_num_queries):
    DocumentFactory(review=review, text=TEXT)
    as_inspector.get(f"/reviews/{review.pk}/")
    with CaptureQueriesContext(connection) as without:
        as_inspector.get(f"/reviews/{review.pk}/")
    with django_assert_max_num_queries(len(without) + 1):
        as_inspector.get(f"/reviews/{review.pk}/", {"q": "hypothermia"})
