"""Publication on the register and the review page (SPEC section 10): the ``published`` filter, in the list, the
selected-filter tags and the exports, and the review page's list of what was published and when.

The register is tests/register_data.py's, with documents added:

A1  an executive summary published 2009-05-01                    published
A2  an executive summary with no publication date                not published
A3  an overview report published 2009-02-01, then deleted         not published (a deleted document does not count)
A5  an overview report with no date and a learning briefing
    published 2010-01-15                                         published (any kind counts)
A4, A6, A8: no documents                                         not published
"""

import datetime

import pytest
from django.utils import timezone

from tests.factories import DocumentFactory, UserFactory
from tests.register_data import (
    INSPECTOR_SEES,
    build_register,
    csv_rows,
    fresh_register_options,  # noqa: F401 (autouse fixture)
    listed,
    soup,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reporting_shares_default")]

D = datetime.date
PUBLISHED = ["SCR-A1", "SCR-A5"]
NOT_PUBLISHED = ["SCR-A2", "SCR-A3", "SCR-A4", "SCR-A6", "SCR-A8"]


@pytest.fixture
def register(db):
    reviews = build_register()
    DocumentFactory(review=reviews["SCR-A1"], published_date=D(2009, 5, 1))
    DocumentFactory(review=reviews["SCR-A2"], published_date=None)
    deleter = UserFactory()
    DocumentFactory(
        review=reviews["SCR-A3"],
        kind="overview_report",
        title="Overview report",
        published_date=D(2009, 2, 1),
        deleted_at=timezone.now(),
        deleted_by=deleter,
    )
    DocumentFactory(review=reviews["SCR-A5"], kind="overview_report", title="Overview report")
    DocumentFactory(
        review=reviews["SCR-A5"], kind="learning_briefing", title="Learning briefing", published_date=D(2010, 1, 15)
    )
    return reviews


@pytest.fixture
def as_inspector(client, inspector, register):
    client.force_login(inspector)
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"published": "yes"}, PUBLISHED), ({"published": "no"}, NOT_PUBLISHED), ({}, INSPECTOR_SEES)],
)
def test_published_lists_the_reviews_with_a_current_dated_document_and_no_the_rest(as_inspector, query, expected):
    assert listed(as_inspector.get("/reviews/", query)) == expected


def test_published_combines_with_the_other_filters(as_inspector):
    assert listed(as_inspector.get("/reviews/", {"published": "no", "board": "E08000026"})) == ["SCR-A2", "SCR-A8"]
    assert listed(as_inspector.get("/reviews/", {"published": "yes", "judgement": "good"})) == ["SCR-A5"]


def test_board_staff_filtering_on_publication_still_see_only_their_reviews(client, board_user, register):
    client.force_login(board_user)
    # Birmingham's staff: A1, A4, A5, A7 (a draft) and A2 (contributed); A7 and A4 have no documents.
    assert listed(client.get("/reviews/", {"published": "no"})) == ["SCR-A2", "SCR-A4", "SCR-A7"]
    assert listed(client.get("/reviews/", {"published": "yes"})) == PUBLISHED


def test_an_invalid_published_value_is_a_govuk_error_with_no_rows(as_inspector):
    response = as_inspector.get("/reviews/", {"published": "maybe"})
    page = soup(response)
    summary = page.select_one(".govuk-error-summary")
    assert "Select yes, no or either for a published document" in summary.get_text()
    assert page.find(id=summary.select_one("a")["href"].removeprefix("#"))
    assert listed(response) == []


@pytest.mark.parametrize("export", ["/reviews/export.csv", "/reviews/export.xlsx"])
def test_the_exports_answer_an_invalid_published_value_with_400(as_inspector, export):
    response = as_inspector.get(export, {"published": "maybe"})
    assert response.status_code == 400
    assert b"Select yes, no or either for a published document" in response.content


def test_the_csv_export_lists_exactly_the_filtered_reviews(as_inspector):
    rows = csv_rows(as_inspector.get("/reviews/export.csv", {"published": "yes"}))
    assert [row["reference"] for row in rows] == PUBLISHED


def test_the_panel_offers_published_and_the_selected_filter_can_be_removed(as_inspector):
    page = soup(as_inspector.get("/reviews/", {"published": "yes", "judgement": "inadequate"}))
    assert page.find("input", attrs={"name": "published", "value": "yes", "checked": True})
    tags = {tag.get_text(strip=True): tag["href"] for tag in page.select("a.moj-filter__tag")}
    assert "?judgement=inadequate" in tags.values()
    assert any(label.endswith("Yes") for label in tags)


def test_the_list_with_published_still_takes_at_most_six_queries(
    client, inspector, register, django_assert_max_num_queries
):
    client.force_login(inspector)
    client.get("/reviews/")
    for value in ("yes", "no"):
        with django_assert_max_num_queries(6):
            response = client.get("/reviews/", {"published": value})
        assert listed(response)


# The review page: what was published and when -----------------------------------------------------------------


def test_the_review_page_lists_each_current_published_document_with_its_date(as_inspector, register):
    review = register["SCR-A5"]
    page = soup(as_inspector.get(f"/reviews/{review.pk}/"))
    table = page.find(id="published").find_next("table")
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in table.tbody("tr")]
    assert rows == [
        ["Learning briefing", "Learning briefing (PDF, download)", "15 January 2010"]
    ]  # not the undated report


def test_the_review_page_leaves_out_deleted_and_undated_documents(as_inspector, register):
    for reference in ("SCR-A2", "SCR-A3"):
        page = soup(as_inspector.get(f"/reviews/{register[reference].pk}/"))
        heading = page.find(id="published")
        assert heading.find_next_sibling("table") is None
        assert "has not recorded publishing any document" in heading.find_next_sibling("p").get_text()


def test_the_published_document_links_to_its_download(as_inspector, register):
    review = register["SCR-A1"]
    document = review.documents.get()
    page = soup(as_inspector.get(f"/reviews/{review.pk}/"))
    anchor = page.find(id=f"published-{document.pk}").find("a")
    assert anchor["href"] == f"/reviews/{review.pk}/documents/{document.pk}/"
    response = as_inspector.get(anchor["href"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
