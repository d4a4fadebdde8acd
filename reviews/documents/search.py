"""Which of a review's documents a register search matched, and where (SPEC section 10, issue 16).

The register finds a review by its documents' words through the review's search row (ReviewSearch, where
triggers keep the union of its current overview reports' and executive summaries' stored words). These helpers
say which documents those were: the register's rows ("Matched in: Overview report", read in the page's own
query) and the review's page (each matching document with a short extract, the words found highlighted).

An extract is PostgreSQL's ``ts_headline`` with two characters from Unicode's private use area as the start
and stop marks; ``extract_parts`` splits it into plain strings, which the template escapes like any other text,
so a document's text never reaches the page as markup.
"""

import re

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchHeadline
from django.db.models import OuterRef

from reviews.models import Document
from reviews.register.filters import document_words_query

HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"
_HIGHLIGHTED = re.compile(f"{HIGHLIGHT_START}(.*?){HIGHLIGHT_STOP}", re.DOTALL)
# The page's search box allows 200 characters (the register's form): no longer text is searched.
SEARCH_MAX_LENGTH = 200


def matched_kinds(query):
    """For the register's rows: the kinds of the review's current searched documents that ``query`` matches
    (an ArraySubquery on ``OuterRef("pk")``, so only the page's rows pay for it)."""
    documents = (
        Document.objects.current()
        .searched()
        .filter(review=OuterRef("pk"), search_vector=query)
        .order_by("kind")
        .values("kind")
        .distinct()
    )
    return ArraySubquery(documents)


def matched_documents(review, value):
    """The review's current searched documents that the register's search ``value`` matches, each with
    ``extract`` (ts_headline: up to two fragments, the matched words between the highlight marks); one query.
    A reference's start opening ``value`` matched the review, not a document: only the words after it count."""
    query = document_words_query(value[:SEARCH_MAX_LENGTH])
    if query is None:
        return []
    headline = SearchHeadline(
        "text",
        query,
        config="english",
        start_sel=HIGHLIGHT_START,
        stop_sel=HIGHLIGHT_STOP,
        max_fragments=2,
        max_words=25,
        min_words=10,
        fragment_delimiter=" … ",
    )
    documents = (
        Document.objects.current()
        .searched()
        .filter(review=review, search_vector=query)
        .defer("text", "search_vector")
        .annotate(extract=headline)
        .order_by("kind", "uploaded_at", "pk")
    )
    return [{"document": document, "extract": extract_parts(document.extract)} for document in documents]


def extract_parts(extract):
    """``ts_headline``'s text as ``[(text, highlighted), ...]``, the marks taken out: the template writes each
    part escaped, a highlighted one inside ``<mark>``."""
    parts, at = [], 0
    for found in _HIGHLIGHTED.finditer(extract):
        if found.start() > at:
            parts.append((extract[at : found.start()], False))
        parts.append((found.group(1), True))
        at = found.end()
    if at < len(extract):
        parts.append((extract[at:], False))
    # A stray mark (the document's own text may hold one) is dropped, never shown.
    return [(text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, ""), marked) for text, marked in parts]
