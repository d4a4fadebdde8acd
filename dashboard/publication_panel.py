"""The dashboard's publication panel (issue 16, SPEC section 10): per lead board and reporting year, the share of
the evaluated reviews whose executive summary the board published, and the median days from the review's
completion to that publication; regional and national rows, a chart of the shares beside the table, the table as
CSV.

Definitions (written out on the page, in "How these figures are calculated"):

* a review is *evaluated in* the reporting year its **first** evaluation (numbered 1) was completed, so each
  review counts once, in one year (a re-evaluation does not count it again); drafts never count;
* it *has a published executive summary* when one of its current (not deleted) documents of kind executive
  summary has a publication date; the *publication date* is the earliest such date;
* *days to publication* run from the review's completion date to that publication date (negative when the board
  recorded a publication before the completion), over the reviews that have both; the median is in whole days,
  rounded half up, halfway between the middle two for an even count.

``board_year_figures`` reads them for every board and year in a few small queries (the reporting database), kept in
Django's cache under the data version, which every write to a review, an evaluation or a document changes (statement
triggers, reviews/reporting.py). Regional and national rows are sums of every board's row (their medians from the
boards' days merged), so board staff see them whole while seeing only their own boards' rows.
"""

import itertools
import statistics

from django.db.models import Count, F, Func, IntegerField, Min, OuterRef, Subquery

from dashboard import charts, display, queries, tables
from reviews.models import Document, Evaluation, Review

COLUMNS = [
    tables.Column("key", "Code"),
    tables.Column("name", "Area"),
    tables.Column("year", "Year", tables.YEAR),
    tables.Column("reviews", "Reviews first evaluated", tables.COUNT),
    tables.Column("published", "Executive summary published", tables.COUNT),
    tables.Column("published_pct", "Published %", tables.PCT),
    tables.Column("median_days", "Median days from completion to publication", tables.DAYS),
]


class StartYear(Func):
    """The reporting year of a date as the calendar year it starts in (1 April 2008 to 31 March 2009 is 2008)."""

    template = "(EXTRACT(YEAR FROM (%(expressions)s - INTERVAL '3 months')))::int"
    output_field = IntegerField()


def board_year_figures(*, version=None):
    """Every lead board's figures per reporting year: ``{(board_id, start_year): {"reviews", "published",
    "days"}}`` with ``days`` the sorted days to publication; at most three queries, none when cached.

    A review's first evaluation is its evaluation numbered 1. The reviews first evaluated in a board's year are
    the evaluations the database keeps counted for it (``BoardYear``, the judgement rates' rows, usually cached
    already) less its re-evaluations (numbered 2 or more: a few thousand rows, where reading every first
    evaluation would join a hundred thousand); the reviews with a published executive summary are read from the
    documents (few: each with its earliest date, completion, board and first evaluation), so no statement looks up
    documents once per review."""

    def compute():
        figures = {
            (row["board_id"], row["start_year"]): {"reviews": row["reviews"], "published": 0, "days": []}
            for row in queries.judgement_counts(version=version)
            if row["board_id"] is not None
        }
        again = (
            Evaluation.objects.using(queries.DATABASE)
            .filter(sequence__gt=1)
            .exclude(review__status=Review.Status.DRAFT)
            .values(board_id=F("review__board_id"), start_year=StartYear("completed_date"))
            .annotate(evaluations=Count("pk"))
            .order_by()
        )
        for row in again:
            _part(figures, row["board_id"], row["start_year"])["reviews"] -= row["evaluations"]
        first = Evaluation.objects.filter(review=OuterRef("review_id"), sequence=1).values("completed_date")
        published = (
            Document.objects.using(queries.DATABASE)
            .current()
            .published()
            .filter(kind=Document.Kind.EXECUTIVE_SUMMARY)
            .exclude(review__status=Review.Status.DRAFT)
            .values("review_id", board_id=F("review__board_id"), completed=F("review__completed_date"))
            .annotate(published=Min("published_date"), first_evaluated=Subquery(first[:1]))
            .order_by()
        )
        for row in published:
            if row["first_evaluated"] is None:
                continue  # not evaluated yet
            part = _part(figures, row["board_id"], start_year_of_day(row["first_evaluated"]))
            part["published"] += 1
            if row["completed"] is not None:
                part["days"].append((row["published"] - row["completed"]).days)
        for part in figures.values():
            part["days"].sort()
        return {key: part for key, part in figures.items() if part["reviews"] > 0}

    return queries.cached(("publication-figures",), version, compute)


def _part(figures, board_id, start_year):
    # The kept counts have a row for every board and year with an evaluation; a row made here stays empty.
    return figures.setdefault((board_id, start_year), {"reviews": 0, "published": 0, "days": []})


def start_year_of_day(day):
    """The calendar year the reporting year of ``day`` starts in."""
    return day.year if day.month >= 4 else day.year - 1


def _row(key, name, start_year, parts, level):
    """A table row from the board-year figures in ``parts``, added up (the days merged for the median)."""
    reviews = sum(part["reviews"] for part in parts)
    published = sum(part["published"] for part in parts)
    days = sorted(itertools.chain.from_iterable(part["days"] for part in parts))
    return {
        "key": key,
        "name": name,
        "year": queries.year_label(start_year),
        "reviews": reviews,
        "published": published,
        "published_pct": queries.percentage(published, reviews),
        "median_days": queries.whole_days(statistics.median(days)) if days else None,
        "_level": level,
    }


def publication_table(viewer, filters, *, version=None):
    """England's row for the page's year, the chosen region's (or every region's), then the rows of the boards this
    reader may see (within the chosen region or board) with evaluated reviews: that year, or every year when the
    page shows one board. A ``tables.Table`` for the page and the CSV."""
    figures = board_year_figures(version=version)
    year = queries.start_year_of(filters.year)
    in_year = {board_id: part for (board_id, start_year), part in figures.items() if start_year == year}
    national = [_row(queries.ENGLAND, "England", year, list(in_year.values()), "national")]
    regions = [filters.region] if filters.region else viewer.regions()
    regional = [
        _row(
            region.code,
            region.name,
            year,
            [part for pk, part in in_year.items() if viewer.boards[pk].region_id == region.pk],
            "region",
        )
        for region in regions
    ]
    # Every year for one board; the page's year otherwise (every board in every year is the judgement table's
    # 3,000 rows again, and doubled the page's cold time).
    every_year = filters.board is not None
    boards = []
    for (pk, start_year), part in figures.items():
        board = viewer.boards[pk]
        if pk not in viewer.visible or (filters.board and pk != filters.board.pk):
            continue
        if filters.region and board.region_id != filters.region.pk:
            continue
        if every_year or start_year == year:
            boards.append(_row(board.gss_code, board.name, start_year, [part], "board"))
    boards.sort(key=lambda row: (row["name"], row["key"], row["year"]))
    where = filters.board.name if filters.board else (filters.region.name if filters.region else "England")
    when = "every year" if every_year else filters.year
    caption = f"Executive summaries published, {where}, reviews first evaluated in {when}"
    return tables.Table("publication", caption, COLUMNS, [*national, *regional, *boards])


def panel(table, filters, csv_links):
    """The panel for the page (``dashboard/page.py``): a headline, the published shares as bars (England and the
    regions), the table of every figure and its CSV links."""
    england = table.rows[0]
    year = filters.year
    if england["reviews"]:
        headline = (
            f"Of the {england['reviews']:,} reviews first evaluated in {year}, {england['published']:,} "
            f"({charts.pct_text(england['published_pct'])}) have a published executive summary"
        )
        if england["median_days"] is not None:
            headline += f", published a median of {england['median_days']:,} days after the review was completed"
        headline += "."
    else:
        headline = f"No review was first evaluated in {year}, so there are no publication figures for the year."
    comparison = [row for row in table.rows if row["_level"] != "board"]
    return {
        "id": "publication",
        "heading": f"Publication of executive summaries, {year}",
        "headline": headline,
        "charts": [
            charts.share_bars(
                chart_id="chart-publication",
                title=f"Share of reviews first evaluated in {year} with a published executive summary",
                what="Reviews with a published executive summary as a share of the reviews first evaluated in the "
                "year, in England and each region shown.",
                rows=comparison,
                pct="published_pct",
                total="reviews",
                colour=charts.PURPLE,
            )
        ],
        "tables": [display.table(table, hide=("key",))],
        "csv": [(table, csv_links)],
    }
