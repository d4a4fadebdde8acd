"""The dashboard's action-plan panel (SPEC section 9): per board and region, on the as-of day the page asks for,
the actions counted, completed, open, overdue (and its share of the actions) and completed late; a chart of the
overdue shares beside the table of every figure, and the table as CSV.

The counts are ``reviews.plans_counting.board_figures(as_of)`` (from the counts the database keeps per board
and month), the query of ``GET /dashboard/api/actions``, kept in Django's cache under the data version; regional
and national rows are sums of every board's row, so board staff see them whole while seeing only their own
boards' rows, as in the other panels.
"""

from django.utils import timezone

from dashboard import charts, display, queries, tables
from reviews import plans_counting

FIGURES = ("actions", "completed", "open", "overdue", "completed_late")
ACTION_COLUMNS = [
    tables.Column("key", "Code"),
    tables.Column("name", "Area"),
    tables.Column("actions", "Actions", tables.COUNT),
    tables.Column("completed", "Completed", tables.COUNT),
    tables.Column("open", "Open", tables.COUNT),
    tables.Column("overdue", "Overdue", tables.COUNT),
    tables.Column("overdue_pct", "Overdue %", tables.PCT),
    tables.Column("completed_late", "Completed late", tables.COUNT),
]


def as_of_day(filters):
    """The day the panel counts on: the page's as-of date, else today."""
    return filters.as_of or timezone.localdate()


def board_figures(as_of, *, version=None):
    """Every lead board's counts on ``as_of``: ``{board_id: {"actions", "completed", ...}}``, one query or none."""

    def compute():
        rows = plans_counting.board_figures(as_of, using=queries.DATABASE)
        return {row["board_id"]: {name: row[name] for name in FIGURES} for row in rows}

    return queries.cached(("action-figures", as_of), version, compute)


def _row(key, name, figures, level):
    return {
        "key": key,
        "name": name,
        **figures,
        "overdue_pct": queries.percentage(figures["overdue"], figures["actions"]),
        "_level": level,
    }


def _summed(rows):
    return {name: sum(row[name] for row in rows) for name in FIGURES}


def actions_table(viewer, filters, *, version=None):
    """England's row, the chosen region's (or every region's), then the rows of the boards this reader may see
    (within the chosen region or board) that have counted actions: a ``tables.Table`` for the page and the CSV."""
    as_of = as_of_day(filters)
    by_board = board_figures(as_of, version=version)
    empty = dict.fromkeys(FIGURES, 0)
    national = [_row(queries.ENGLAND, "England", _summed(by_board.values()), "national")]
    regions = [filters.region] if filters.region else viewer.regions()
    regional = [
        _row(
            region.code,
            region.name,
            _summed([figures for pk, figures in by_board.items() if viewer.boards[pk].region_id == region.pk]),
            "region",
        )
        for region in regions
    ]
    boards = []
    for pk, figures in by_board.items():
        board = viewer.boards[pk]
        if pk not in viewer.visible or (filters.board and pk != filters.board.pk):
            continue
        if filters.region and board.region_id != filters.region.pk:
            continue
        boards.append(_row(board.gss_code, board.name, figures or empty, "board"))
    boards.sort(key=lambda row: (row["name"], row["key"]))
    where = filters.board.name if filters.board else (filters.region.name if filters.region else "England")
    caption = f"Action plans, {where}, as of {as_of:%-d %B %Y}"
    return tables.Table("actions", caption, ACTION_COLUMNS, [*national, *regional, *boards])


def panel(table, filters, csv_links):
    """The panel for the page (``dashboard/page.py``): a headline, the overdue shares as bars (England and the
    regions), the table of every figure and its CSV links."""
    as_of = as_of_day(filters)
    england = table.rows[0]
    if england["actions"]:
        headline = (
            f"On {as_of:%-d %B %Y} the action plans of the reviews submitted to Ofsted held {england['actions']:,} "
            f"actions: {england['completed']:,} completed and {england['open']:,} open, of which "
            f"{england['overdue']:,} ({charts.pct_text(england['overdue_pct'])}) were overdue; "
            f"{england['completed_late']:,} were completed after their due date."
        )
    else:
        headline = f"On {as_of:%-d %B %Y} no action of a submitted review's plan is counted."
    comparison = [row for row in table.rows if row["_level"] != "board"]
    return {
        "id": "actions",
        "heading": f"Action plans as of {as_of:%-d %B %Y}",
        "headline": headline,
        "charts": [
            charts.share_bars(
                chart_id="chart-actions",
                title=f"Share of actions overdue, as of {as_of:%-d %B %Y}",
                what="Overdue actions as a share of the actions counted, in England and each region shown.",
                rows=comparison,
                pct="overdue_pct",
                total="actions",
                colour=charts.BLUE,
            )
        ],
        "tables": [display.table(table, hide=("key",))],
        "csv": [(table, csv_links)],
    }
