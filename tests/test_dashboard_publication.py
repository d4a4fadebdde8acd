"""The dashboard's publication panel and its CSV (dashboard/publication_panel.py): per board and reporting year, the
share of evaluated reviews with a published executive summary and the median days from completion to publication.

The register is tests/dashboard_data.py's. Reviews count in the year of their first evaluation: 2008-09 has R1 and
R2 (Birmingham), R3 (Coventry) and R5 (Leeds); 2009-10 has R4 (Coventry). Documents added here:

R1  completed 2008-01-31  executive summaries published 2008-03-01 and 2008-06-01  -> earliest: 30 days
R2  completed 2008-04-15  executive summary, no date; overview report published     -> not published
R3  completed 2008-03-31  executive summary published 2008-07-01 but deleted;
                          another published 2008-09-29                             -> 182 days
R5  completed 2008-03-01  executive summary published 2008-03-11                   -> 10 days
R6 (a draft) and R7 (not evaluated) have published executive summaries: never counted.

2008-09: Birmingham 2 reviews, 1 published (50.0%), median 30; Coventry 1, 1 (100.0%), 182; Leeds 1, 1, 10;
West Midlands 3, 2 (66.7%), median of 30 and 182 = 106; Yorkshire 1, 1, 10; England 4, 3 (75.0%), median 30.
2009-10: Coventry 1 review, none published.
"""

import csv
import datetime
import io
import random

import pytest
from bs4 import BeautifulSoup
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard import publication_panel, queries
from reviews.models import Document, Review
from reviews.reporting import data_version
from tests.dashboard_data import signed_in
from tests.factories import DocumentFactory, EvaluationFactory, ReviewFactory, UserFactory, board

pytestmark = pytest.mark.usefixtures("fresh_dashboard_cache")

D = datetime.date
HEADER = ["key", "name", "year", "reviews", "published", "published_pct", "median_days"]
ENGLAND = ["E92000001", "England", "2008-09", "4", "3", "75.0", "30"]
WEST_MIDLANDS = ["E12000005", "West Midlands", "2008-09", "3", "2", "66.7", "106"]
YORKSHIRE = ["E12000003", "Yorkshire and The Humber", "2008-09", "1", "1", "100.0", "10"]
BIRMINGHAM = ["E08000025", "Birmingham", "2008-09", "2", "1", "50.0", "30"]
COVENTRY = ["E08000026", "Coventry", "2008-09", "1", "1", "100.0", "182"]
COVENTRY_LATER = ["E08000026", "Coventry", "2009-10", "1", "0", "0.0", ""]
LEEDS = ["E08000035", "Leeds", "2008-09", "1", "1", "100.0", "10"]


def summary(review, published=None, **fields):
    return DocumentFactory(review=review, kind=Document.Kind.EXECUTIVE_SUMMARY, published_date=published, **fields)


@pytest.fixture
def documents(register):
    summary(register["R1"], D(2008, 6, 1))
    summary(register["R1"], D(2008, 3, 1))
    summary(register["R2"])
    DocumentFactory(review=register["R2"], kind=Document.Kind.OVERVIEW_REPORT, published_date=D(2008, 5, 1))
    summary(register["R3"], D(2008, 7, 1), deleted_at=timezone.now(), deleted_by=UserFactory())
    summary(register["R3"], D(2008, 9, 29))
    summary(register["R5"], D(2008, 3, 11))
    summary(register["R6"], D(2008, 3, 11))
    summary(register["R7"], D(2008, 6, 1))
    return register


def csv_rows(client, user, **params):
    response = signed_in(client, user).get("/dashboard/publication.csv", {"year": "2008-09", **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def page(client, user, **params):
    response = signed_in(client, user).get("/dashboard/", {"year": "2008-09", **params})
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def table_rows(soup):
    table = soup.find(id="publication").find("table")
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in table.tbody("tr")]


@pytest.mark.usefixtures("documents")
def test_the_csv_gives_england_each_region_and_each_board_worked_out_by_hand(client, manager):
    rows = csv_rows(client, manager)
    assert rows[0] == HEADER
    assert rows[1] == ENGLAND
    assert WEST_MIDLANDS in rows and YORKSHIRE in rows
    assert rows[-3:] == [BIRMINGHAM, COVENTRY, LEEDS]


@pytest.mark.usefixtures("documents")
def test_one_board_shows_every_year_it_has_and_the_others_the_pages_year(client, manager):
    rows = csv_rows(client, manager, board="E08000026")
    assert rows[1] == ENGLAND and WEST_MIDLANDS in rows
    assert [row for row in rows if row[0].startswith("E08")] == [COVENTRY, COVENTRY_LATER]
    rows = csv_rows(client, manager, region="E12000005", span="all")
    assert rows[1:] == [ENGLAND, WEST_MIDLANDS, BIRMINGHAM, COVENTRY]


@pytest.mark.usefixtures("documents")
def test_the_panel_shows_the_same_rows_a_headline_and_a_chart_beside_the_table(client, manager):
    soup = page(client, manager)
    rows = table_rows(soup)
    assert rows[0] == ["England", "2008-09", "4", "3", "75.0", "30"]
    assert ["Birmingham", "2008-09", "2", "1", "50.0", "30"] in rows
    panel = soup.find(id="publication")
    assert "Of the 4 reviews first evaluated in 2008-09, 3 (75.0%)" in panel.get_text()
    assert "a median of 30 days" in panel.get_text()
    svg = panel.find("svg")
    assert svg["role"] == "img" and "West Midlands: 66.7% of 3" in svg.find("desc").get_text()
    assert panel.find("a", href=lambda href: href and href.startswith("/dashboard/publication.csv?year=2008-09"))


@pytest.mark.usefixtures("documents")
def test_board_staff_see_the_regional_and_national_rows_and_only_their_own_boards(client, board_user):
    rows = csv_rows(client, board_user)
    assert rows[1] == ENGLAND and WEST_MIDLANDS in rows and YORKSHIRE in rows
    assert BIRMINGHAM in rows
    assert not [row for row in rows if row[0] in ("E08000026", "E08000035")]
    names = [row[0] for row in table_rows(page(client, board_user))]
    assert "Coventry" not in names and "Leeds" not in names


@pytest.mark.usefixtures("documents")
def test_board_staff_asking_for_another_boards_rows_get_404(client, board_user):
    response = signed_in(client, board_user).get(
        "/dashboard/publication.csv", {"year": "2008-09", "board": "E08000026"}
    )
    assert response.status_code == 404


@pytest.mark.usefixtures("documents")
def test_the_publication_csv_suppresses_small_counts(client, manager):
    rows = csv_rows(client, manager, publication="1")
    assert rows[1] == ["E92000001", "England", "2008-09", "c", "c", "c", "c"]  # 4 and 3 are small counts


# The cache: every document write changes the data version ----------------------------------------------------


@pytest.mark.django_db(databases=["default", "reporting"])
def test_a_document_write_bumps_the_data_version(reporting_shares_default):
    review = ReviewFactory()
    before = data_version("default")
    document = summary(review)
    after_insert = data_version("default")
    Document.objects.filter(pk=document.pk).update(published_date=D(2008, 9, 1))
    after_update = data_version("default")
    assert before < after_insert < after_update


@pytest.mark.usefixtures("documents")
def test_the_cached_page_shows_a_new_publication_at_once(client, manager, documents):
    assert csv_rows(client, manager)[-3] == BIRMINGHAM
    rows_before = table_rows(page(client, manager))  # now kept in the cache under the data version
    assert ["Birmingham", "2008-09", "2", "1", "50.0", "30"] in rows_before
    # R2 (completed 2008-04-15) publishes its executive summary on 2008-05-15: 30 days.
    Document.objects.filter(review=documents["R2"], kind=Document.Kind.EXECUTIVE_SUMMARY).update(
        published_date=D(2008, 5, 15)
    )
    assert ["Birmingham", "2008-09", "2", "2", "100.0", "30"] in table_rows(page(client, manager))
    # Deleting R1's summaries leaves R2's alone.
    Document.objects.filter(review=documents["R1"]).update(deleted_at=timezone.now(), deleted_by=UserFactory())
    assert ["Birmingham", "2008-09", "2", "1", "50.0", "30"] in table_rows(page(client, manager))


# Queries ----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("documents")
def test_the_figures_are_a_few_queries_through_the_reporting_alias_and_none_when_cached():
    version = queries.data_version()
    with CaptureQueriesContext(connections["reporting"]) as reporting:
        publication_panel.board_year_figures(2008, version=version)
    assert len(reporting.captured_queries) == 1  # the year's kept rows
    with CaptureQueriesContext(connections["reporting"]) as reporting:
        publication_panel.board_year_figures(2008, version=version)
    assert len(reporting.captured_queries) == 0


@pytest.mark.usefixtures("documents")
def test_the_csv_needs_few_queries(client, manager, django_assert_max_num_queries):
    client = signed_in(client, manager)
    client.get("/dashboard/api/summary", {"year": "2008-09"})  # the session's clocks start: a write, once
    queries.cache.clear()
    # The session, the user, their own and their groups' permissions, the device, the boards, the data version
    # and the figures: the year's kept rows.
    with django_assert_max_num_queries(10):
        response = client.get("/dashboard/publication.csv", {"year": "2008-09"})
    assert response.status_code == 200


# A recount from the base tables ------------------------------------------------------------------------------


def recount(start_year):
    """A year's figures per board worked out from the models one review at a time, as the method page says."""
    figures = {}
    for review in Review.objects.exclude(status=Review.Status.DRAFT).prefetch_related("evaluations", "documents"):
        first = next((e.completed_date for e in review.evaluations.all() if e.sequence == 1), None)
        if first is None:
            continue
        if (first.year if first.month >= 4 else first.year - 1) != start_year:
            continue
        dates = sorted(
            d.published_date
            for d in review.documents.all()
            if d.kind == Document.Kind.EXECUTIVE_SUMMARY and d.deleted_at is None and d.published_date
        )
        row = figures.setdefault(review.board_id, {"reviews": 0, "published": 0, "days": []})
        row["reviews"] += 1
        if dates:
            row["published"] += 1
            if review.completed_date:
                row["days"].append((dates[0] - review.completed_date).days)
    for row in figures.values():
        row["days"].sort()
    return figures


@pytest.mark.django_db(databases=["default", "reporting"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_figures_match_a_recount_from_the_base_tables(reporting_shares_default, seed):
    rng = random.Random(seed)
    boards = [board(code) for code in ("E08000025", "E08000026", "E08000035")]
    deleter = UserFactory()
    for _ in range(25):
        completed = D(2008, 1, 1) + datetime.timedelta(days=rng.randrange(0, 500))
        status = rng.choice([Review.Status.EVALUATED, Review.Status.EVALUATED, Review.Status.SUBMITTED])
        review = ReviewFactory(
            board=rng.choice(boards),
            incident_date=D(2007, 1, 1),
            decision_date=D(2007, 6, 1),
            completed_date=completed,
            submitted_date=completed + datetime.timedelta(days=10),
            status=status,
        )
        for sequence in range(1, rng.randrange(0, 3) + 1):
            EvaluationFactory(
                review=review,
                sequence=sequence,
                received_date=completed + datetime.timedelta(days=15),
                completed_date=completed + datetime.timedelta(days=30 + 200 * sequence + rng.randrange(0, 60)),
                judgement="inadequate" if sequence == 1 else "good",
            )
        for _ in range(rng.randrange(0, 3)):
            kind = rng.choice([Document.Kind.EXECUTIVE_SUMMARY, Document.Kind.EXECUTIVE_SUMMARY, Document.Kind.OTHER])
            published = completed + datetime.timedelta(days=rng.randrange(-20, 400)) if rng.random() < 0.7 else None
            deleted = rng.random() < 0.2
            DocumentFactory(
                review=review,
                kind=kind,
                published_date=published,
                deleted_at=timezone.now() if deleted else None,
                deleted_by=deleter if deleted else None,
            )
    assert_kept_equal_recount()
    # Then writes that move a review between boards and years or change what was published: the kept rows follow.
    for _ in range(8):
        review = rng.choice(list(Review.objects.order_by("pk")))
        change = rng.choice(["move", "draft", "redate", "unpublish", "publish", "delete"])
        if change == "move":
            review.board = rng.choice(boards)
            review.save()
        elif change == "draft":
            Review.objects.filter(pk=review.pk).update(
                status=rng.choice([Review.Status.DRAFT, Review.Status.EVALUATED])
            )
        elif change == "redate":
            review.evaluations.filter(sequence=1).update(completed_date=D(2009, 1, 1) + datetime.timedelta(days=200))
        elif change == "unpublish":
            review.documents.update(deleted_at=timezone.now(), deleted_by=deleter)
        elif change == "publish":
            summary(review, review.completed_date + datetime.timedelta(days=rng.randrange(-20, 400)))
        else:
            review.delete()
        assert_kept_equal_recount()


def assert_kept_equal_recount():
    for start_year in (2008, 2009, 2010):
        kept = {board_id: part for (board_id, _), part in publication_panel.board_year_figures(start_year).items()}
        assert kept == recount(start_year)
