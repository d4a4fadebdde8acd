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

The database keeps these figures per lead board and reporting year (``reviews.reporting.BoardYear``, recounted by the
statement triggers of every write to a review, an evaluation or a document), so ``board_year_figures`` reads one
year's rows in one query, kept in Django's cache under the data version. Regional and national rows are sums of every
board's row (their medians from the boards' days merged), so board staff see them whole while seeing only their own
boards' rows.
"""

import itertools
import statistics

from dashboard import charts, display, queries, tables
from reviews.reporting import BoardYear

COLUMNS = [
    tables.Column("key", "Code"),
    tables.Column("name", "Area"),
    tables.Column("year", "Year", tables.YEAR),
    tables.Column("reviews", "Reviews first evaluated", tables.COUNT),
    tables.Column("published", "Executive summary published", tables.COUNT),
    tables.Column("published_pct", "Published %", tables.PCT),
    tables.Column("median_days", "Median days from completion to publication", tables.DAYS),
]


def board_year_figures(start_year, *, board_id=None, version=None):
    """Every lead board's figures in the reporting year ``start_year`` (and the board ``board_id``'s in every year):
    ``{(board_id, start_year): {"reviews", "published", "days"}}`` with ``days`` the sorted days to publication,
    for the board-years with a review first evaluated; one query over the rows the database keeps
    (``reviews.reporting.BoardYear``), none when cached."""

    def compute():
        rows = BoardYear.objects.using(queries.DATABASE).publication_counts(start_year=start_year, board_id=board_id)
        return {
            (row["board_id"], row["start_year"]): {
                "reviews": row["reviews"],
                "published": row["published"],
                "days": row["days"],
            }
            for row in rows
        }

    return queries.cached(("publication-figures", start_year, board_id), version, compute)


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
    year = queries.start_year_of(filters.year)
    figures = board_year_figures(year, board_id=filters.board.pk if filters.board else None, version=version)
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
