"""The register's `q` read as the start of a reference (reviews/register/references.py): the same reviews as the
words search found for a reference or its start, in any case, within what the user may see; words after it
still searched as words; the documents' "Matched in" only for those words; six queries."""

import pytest

from reviews.models import Document, Review
from reviews.register.filters import search_query
from reviews.register.references import split_search
from tests.factories import DocumentFactory, ReviewFactory, UserFactory, board
from tests.register_data import listed, soup

pytestmark = pytest.mark.django_db

BIRMINGHAM, COVENTRY, HARTLEPOOL = "E08000025", "E08000026", "E06000001"
REFERENCES = {
    "SCR-2008-E08000025-0001": BIRMINGHAM,
    "SCR-2008-E08000025-0002": BIRMINGHAM,
    "SCR-2008-E08000025-0010": BIRMINGHAM,
    "SCR-2008-E08000026-0001": COVENTRY,
    "SCR-2009-E08000025-0001": BIRMINGHAM,
    "SCR-2008-E06000001-0001": HARTLEPOOL,
    "scr-2008-e08000025-0003": BIRMINGHAM,  # a reference chosen in lower case is kept as typed
}


@pytest.fixture
def reviews(db):
    made = {
        reference: ReviewFactory(
            reference=reference,
            board=board(gss),
            status=Review.Status.SUBMITTED,
            title="Serious case review",
            summary="What the agencies knew.",
        )
        for reference, gss in REFERENCES.items()
    }
    ReviewFactory(reference="SCR-2008-E08000025-0004", board=board(BIRMINGHAM), status=Review.Status.DRAFT)
    return made


@pytest.fixture
def as_inspector(client, inspector, reviews):
    client.force_login(inspector)
    return client


def search(client, value, **more):
    return listed(client.get("/reviews/", {"q": value, **more}))


def found_by_words(value):
    """What the words search alone finds for ``value`` among the reviews an inspector sees."""
    return sorted(
        Review.objects.exclude(status=Review.Status.DRAFT)
        .filter(search__document=search_query(value))
        .values_list("reference", flat=True),
        key=str.upper,
    )


@pytest.mark.parametrize(
    "value",
    [
        "SCR-2008-E08",
        "SCR-2008-E08000025",
        "SCR-2008-E0800002",  # the start of a board's code
        "SCR-2008-E08000025-000",
        "SCR-2008-E08000025-0001",  # a whole reference
        "SCR-2009",
        "SCR-2",
        "SCR-2010",  # no reference starts so
    ],
)
def test_a_reference_or_its_start_finds_the_same_reviews_as_the_words_search_did(as_inspector, value):
    assert search(as_inspector, value) == found_by_words(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "SCR-2008-E08",
            [
                "SCR-2008-E08000025-0001",
                "SCR-2008-E08000025-0002",
                "scr-2008-e08000025-0003",
                "SCR-2008-E08000025-0010",
                "SCR-2008-E08000026-0001",
            ],
        ),
        ("scr-2008-e0800002", [r for r in REFERENCES if r.upper().startswith("SCR-2008-E0800002")]),
        ("Scr-2008-E08000025-0003", ["scr-2008-e08000025-0003"]),  # any case, either side
        ("SCR-2008-E08000025-0001", ["SCR-2008-E08000025-0001"]),
        ("SCR-2008-E06000001-0002", []),
        ("SCR-2011", []),
    ],
)
def test_a_reference_start_is_found_in_any_case_in_reference_order(as_inspector, value, expected):
    expected = sorted(expected, key=str.upper)
    assert search(as_inspector, value) == expected
    assert search(as_inspector, value, o="-reference") == expected[::-1]


def test_a_boards_code_alone_is_still_a_word_found_anywhere_in_a_reference(as_inspector):
    assert split_search("E08000026") == (None, "E08000026")
    assert search(as_inspector, "E08000026") == ["SCR-2008-E08000026-0001"]
    assert sorted(search(as_inspector, "e0800002")) == sorted(found_by_words("e0800002"))
    assert len(search(as_inspector, "e0800002")) == 6


def test_a_reference_start_finds_references_only_not_the_same_words_elsewhere(as_inspector, reviews):
    review = reviews["SCR-2009-E08000025-0001"]
    review.summary = "Reviewed after SCR 2008 E08 guidance."
    review.save()
    assert "SCR-2009-E08000025-0001" not in search(as_inspector, "SCR-2008-E08")
    assert sorted(search(as_inspector, "SCR 2008 E08")) == sorted(found_by_words("SCR 2008 E08"))  # words, as before
    assert "SCR-2009-E08000025-0001" in search(as_inspector, "SCR 2008 E08")


def test_words_after_a_reference_start_are_searched_in_the_reviews_it_found(as_inspector, reviews):
    for reference in ("SCR-2008-E08000025-0002", "SCR-2009-E08000025-0001", "SCR-2008-E06000001-0001"):
        Review.objects.filter(reference=reference).update(summary="Neglect was not recognised.")
    assert search(as_inspector, "SCR-2008-E08 neglected") == ["SCR-2008-E08000025-0002"]
    assert search(as_inspector, "SCR-2008 neglect") == ["SCR-2008-E06000001-0001", "SCR-2008-E08000025-0002"]
    assert search(as_inspector, "SCR-2008-E08   !!") == search(as_inspector, "SCR-2008-E08")  # no word after it
    # A reference's start is read only when it comes first: after a word it is words, found anywhere.
    assert sorted(search(as_inspector, "neglect SCR-2008")) == sorted(found_by_words("neglect SCR-2008"))


def test_only_the_start_of_a_reference_of_the_registers_form_is_read_as_one():
    assert split_search("scr-2008-e08  neglect  here") == ("SCR-2008-E08", "neglect  here")
    assert split_search(" SCR-2 ") == ("SCR-2", "")
    assert split_search("SCR-A3") == (None, "SCR-A3")  # not SCR-<year>-...
    assert split_search("SCR") == (None, "SCR")
    assert split_search("SCR-2008.E08") == (None, "SCR-2008.E08")
    assert split_search("SCR-2008-E08%") == (None, "SCR-2008-E08%")  # nothing that LIKE would read as a pattern


def test_board_staff_find_only_what_they_may_see_by_a_reference_start(client, reviews):
    client.force_login(UserFactory(role="board_staff", boards=[COVENTRY]))
    assert search(client, "SCR-2008-E08") == ["SCR-2008-E08000026-0001"]
    assert search(client, "SCR-2008-E08000025") == []
    birmingham_staff = UserFactory(role="board_staff", boards=[BIRMINGHAM])
    client.force_login(birmingham_staff)
    assert "SCR-2008-E08000025-0004" in search(client, "SCR-2008-E08000025-000")  # their own draft


def test_a_reference_start_matches_no_document_and_the_words_after_it_do(as_inspector, reviews):
    review = reviews["SCR-2008-E08000025-0001"]
    DocumentFactory(review=review, kind=Document.Kind.OVERVIEW_REPORT, text="SCR-2008-E08 chronology of neglect.")

    page = soup(as_inspector.get("/reviews/", {"q": "SCR-2008-E08000025-0001"}))
    row = page.select_one("#register-table tbody tr")
    assert row.select_one(".app-matched-in") is None
    assert row.find("a")["href"] == f"/reviews/{review.pk}/"

    page = soup(as_inspector.get("/reviews/", {"q": "SCR-2008-E08000025-0001 chronology"}))
    row = page.select_one("#register-table tbody tr")
    assert row.select_one(".app-matched-in").get_text(strip=True) == "Matched in: Overview report"
    detail = soup(as_inspector.get(row.find("a")["href"]))
    assert [mark.get_text() for mark in detail.select(".app-search-match mark")] == ["chronology"]


@pytest.mark.parametrize("query", [{"q": "SCR-2008-E08"}, {"q": "scr-2008-e08 agencies"}, {"q": "SCR-2", "o": "board"}])
def test_a_reference_start_takes_at_most_six_queries(as_inspector, django_assert_max_num_queries, query):
    as_inspector.get("/reviews/")
    with django_assert_max_num_queries(6):
        response = as_inspector.get("/reviews/", {**query, "per_page": "25"})
    assert listed(response)
