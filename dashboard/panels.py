"""The dashboard's content for one reader and one set of filters: tables, charts and headlines.

``Dashboard`` runs at most two queries (one when both are wanted: see ``queries.page_figures``), lazily, so
a CSV download only runs the query its table needs.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Q

from dashboard import charts, plans_panel, publication_panel, queries, tables
from dashboard.forms import BOARD_ROWS_PER_PAGE, SPAN_ALL
from dashboard.queries import ENGLAND, Scope
from reviews.models import Finding


@dataclass(frozen=True, slots=True)
class Filters:
    year: str
    region: object = None  # a Region
    board: object = None  # a Board the reader may see
    span: str = "year"
    sort: str = "board"
    as_of: object = None  # the day the action plans are counted on (a date); None: today
    page: int = 1  # the page of the judgement rates table's board rows

    def query(self):
        """The filters as query string pairs (for CSV, sort and page links), defaults and the page left out:
        a download has every row, and a new sort starts at page 1."""
        pairs = [("year", self.year)]
        if self.region:
            pairs.append(("region", self.region.code))
        if self.board:
            pairs.append(("board", self.board.gss_code))
        if self.span != "year":
            pairs.append(("span", self.span))
        if self.sort != "board":
            pairs.append(("sort", self.sort))
        if self.as_of:  # as the date input sends it
            pairs += [("as_of_day", self.as_of.day), ("as_of_month", self.as_of.month), ("as_of_year", self.as_of.year)]
        return pairs


def _zero_row(key, name, start_year):
    return queries.rate_row(key, name, start_year, [0, 0, 0, 0, 0])


class Dashboard:
    """Every table and chart of the page for ``viewer`` and ``filters``."""

    def __init__(self, viewer, filters, *, version=None):
        self.viewer = viewer
        self.filters = filters
        self.start_year = queries.start_year_of(filters.year)
        if version is not None:
            self.__dict__["version"] = version

    # --- Data ---------------------------------------------------------------------------------------------

    @cached_property
    def scopes(self):
        """The areas the year's figures describe: England, then the chosen region and board."""
        f = self.filters
        scopes = [("national", ENGLAND, "England", Scope())]
        if f.region:
            scopes.append(("region", f.region.code, f.region.name, Scope(region_id=f.region.pk)))
        if f.board:
            scopes.append(("board", f.board.gss_code, f.board.name, Scope(board_id=f.board.pk)))
        return scopes

    @cached_property
    def version(self):
        return queries.data_version()

    @cached_property
    def shown_boards(self):
        """``(Q over BoardYear, cache key)``: the board rows the page shows, of the boards this reader may see: the
        reporting year's (every year's for "every year"), within the chosen region, and the chosen board's every
        year (its trend and themes). The regions and England are summed by the database from every board's rows."""
        f = self.filters
        shown, key = Q(), ["all" if f.span == SPAN_ALL else self.start_year]
        if f.span != SPAN_ALL:
            shown = Q(start_year=self.start_year)
        if f.region:
            shown &= Q(board__region_id=f.region.pk)
            key.append(("region", f.region.pk))
        if f.board:
            shown |= Q(board_id=f.board.pk)
            key.append(("board", f.board.pk))
        if not self.viewer.everything:
            shown &= Q(board_id__in=sorted(self.viewer.visible))
            key.append(self.viewer.scope_key)
        return shown, (*key, self.viewer.fingerprint)

    def load(self):
        """Fetch the judgement and theme counts and the year's details together: one query, or none when cached."""
        counts, themes, details = queries.page_figures(
            self.filters.year,
            [scope for *_, scope in self.scopes],
            fingerprint=self.viewer.fingerprint,
            version=self.version,
            boards=self.shown_boards,
        )
        self.__dict__["counts"] = counts
        self.__dict__["theme_counts"] = themes
        self.__dict__["details"] = details
        return self

    @cached_property
    def counts(self):
        shown, key = self.shown_boards
        return queries.area_counts(shown, key=key, version=self.version)

    @cached_property
    def theme_counts(self):
        return self.counts

    @cached_property
    def details(self):
        return queries.year_details(
            self.filters.year,
            [scope for *_, scope in self.scopes],
            fingerprint=self.viewer.fingerprint,
            version=self.version,
        )

    @cached_property
    def rates(self):
        """Judgement rate rows for the page: every year for the trend, the reporting year for comparison."""
        f, y = self.filters, self.start_year
        visible = {b.gss_code: b for b in self.viewer.boards.values() if b.pk in self.viewer.visible}
        region_code = f.region.code if f.region else None
        board_code = f.board.gss_code if f.board else None

        def keep(level, key, start_year):
            if level == "national":
                return True
            if level == "region":
                return start_year == y if region_code is None else key == region_code
            board = visible.get(key)
            if board is None:
                return False
            if board_code is not None:
                return key == board_code
            if region_code is not None and board.region.code != region_code:
                return False
            return f.span == SPAN_ALL or start_year == y

        return queries.judgement_rates(self.counts, self.viewer.boards, keep=keep)

    @cached_property
    def narrowest(self):
        """The smallest area chosen (board, else region, else England) and its details: panels 4 to 6."""
        level, key, name, _ = self.scopes[-1]
        return name, self.details[-1]

    @cached_property
    def summaries(self):
        return [
            (key, name, queries.summary(self.filters.year, details))
            for (level, key, name, _), details in zip(self.scopes, self.details, strict=True)
        ]

    # --- Tables --------------------------------------------------------------------------------------------

    def _year_row(self, rows, key, name):
        for row in rows:
            if row["key"] == key and row["year"] == self.filters.year:
                return row
        return _zero_row(key, name, self.start_year)

    @cached_property
    def comparison_rows(self):
        """England's row for the year, and the chosen region's (or every region's)."""
        f = self.filters
        national = [self._year_row(self.rates["national"], ENGLAND, "England")]
        regions = [f.region] if f.region else self.viewer.regions()
        regional = [self._year_row(self.rates["region"], r.code, r.name) for r in regions]
        return national, regional

    @cached_property
    def board_rows(self):
        f = self.filters
        rows = self.rates["board"]
        if f.board is None and f.span != SPAN_ALL:
            rows = [row for row in rows if row["year"] == f.year]
        return tables.sort_rows(rows, f.sort)

    @cached_property
    def board_page(self):
        """The page of board rows shown, in the chosen sort (every year nationally is 3,000+ rows); a page past
        the last shows the last."""
        return Paginator(self.board_rows, BOARD_ROWS_PER_PAGE).get_page(self.filters.page)

    def rates_table(self, *, paged=False):
        """England's, the regions' and the board rows; with ``paged`` only the page's board rows (the page's
        table; the CSV has every row)."""
        f = self.filters
        national, regional = self.comparison_rows
        where = f.board.name if f.board else (f.region.name if f.region else "England")
        when = "every year" if f.span == SPAN_ALL or f.board else f.year
        return tables.rates_table(
            national=national,
            regions=regional,
            boards=self.board_page.object_list if paged else self.board_rows,
            caption=f"Judgement rates per board, {where}, {when}",
        )

    def trend_series(self):
        """(name, rows for every year) for England and the chosen region or board, gaps filled with zeros."""
        f = self.filters
        years = sorted({row["year"] for row in self.rates["national"]} | {f.year})
        series = [("England", ENGLAND, self.rates["national"])]
        if f.region:
            series.append((f.region.name, f.region.code, self.rates["region"]))
        if f.board:
            series.append((f.board.name, f.board.gss_code, self.rates["board"]))
        filled = []
        for name, key, rows in series:
            by_year = {row["year"]: row for row in rows if row["key"] == key}
            filled.append(
                (name, [by_year.get(year) or _zero_row(key, name, queries.start_year_of(year)) for year in years])
            )
        return filled

    def trend_table(self):
        rows = [row for _, series_rows in self.trend_series() for row in series_rows]
        names = " and ".join(name for name, _ in self.trend_series())
        return tables.Table("trend", f"Judgement shares per reporting year, {names}", tables.RATE_COLUMNS, rows)

    def summary_table(self):
        rows = [
            tables.summary_row(key, name, summary, self.details[i])
            for i, (key, name, summary) in enumerate(self.summaries)
        ]
        return tables.summary_table(rows, f"Reviews evaluated in {self.filters.year}")

    def themes_tables(self):
        name, details = self.narrowest
        return tables.themes_tables(
            details,
            caption_themes=f"Weaknesses the reviews found, {name}, {self.filters.year}",
            caption_agencies=f"Weaknesses by agency, {name}, {self.filters.year}",
        )

    def themes_years_table(self):
        """The narrowest area's weaknesses in every reporting year it has evaluations (its own board row, its
        region's row or England's: every reader may see the regional and national ones)."""
        level, key, name, scope = self.scopes[-1]
        if scope.board_id is not None:
            counts = [c for c in self.theme_counts if c["board_id"] == scope.board_id]
        else:
            counts = [c for c in self.theme_counts if c["board_id"] is None and c["region_id"] == scope.region_id]
        return tables.themes_years_table(
            key=key, name=name, counts=counts, caption=f"Weaknesses the reviews found per reporting year, {name}"
        )

    def timeliness_tables(self):
        name, details = self.narrowest
        return tables.timeliness_tables(
            details,
            caption_bands=f"Time from the decision to hold a review to its completion, {name}, {self.filters.year}",
            caption_durations=f"Median days, {name}, {self.filters.year}",
        )

    def children_table(self):
        name, details = self.narrowest
        return tables.children_table(details, f"The children the reviews were about, {name}, {self.filters.year}")

    def table(self, slug):
        """One table by its CSV name, or None."""
        builders = {
            "summary": self.summary_table,
            "judgement-rates": self.rates_table,
            "trend": self.trend_table,
            "themes": lambda: self.themes_tables()[0],
            "themes-by-agency": lambda: self.themes_tables()[1],
            "themes-by-year": self.themes_years_table,
            "timeliness": lambda: self.timeliness_tables()[0],
            "durations": lambda: self.timeliness_tables()[1],
            "children": self.children_table,
            "actions": lambda: plans_panel.actions_table(self.viewer, self.filters, version=self.version),
            "publication": lambda: publication_panel.publication_table(self.viewer, self.filters, version=self.version),
        }
        builder = builders.get(slug)
        return builder() if builder else None

    # --- Charts --------------------------------------------------------------------------------------------

    def summary_chart(self):
        rows = [
            {
                "name": name,
                "reviews": summary["reviews"],
                **{f"{j}_pct": summary["judgements"][j]["pct"] for j in queries.JUDGEMENTS},
            }
            for _, name, summary in self.summaries
        ]
        return charts.judgement_bars(
            chart_id="chart-summary", title=f"Judgements of the reviews evaluated in {self.filters.year}", rows=rows
        )

    def rates_chart(self):
        national, regional = self.comparison_rows
        return charts.judgement_bars(
            chart_id="chart-rates",
            title=f"Judgement shares in England and {'the region' if self.filters.region else 'each region'}, "
            f"{self.filters.year}",
            rows=national + regional,
        )

    def trend_charts(self):
        return [
            charts.judgement_columns(
                chart_id=f"chart-trend-{i}", title=f"Judgement shares per reporting year, {name}", rows=rows
            )
            for i, (name, rows) in enumerate(self.trend_series())
        ]

    def themes_years_chart(self, table):
        """Small multiples of ``themes_years_table``: each category's share of reviews across the years."""
        name = self.scopes[-1][2]
        return charts.share_lines(
            chart_id="chart-themes-by-year",
            title=f"Share of reviews with each weakness per reporting year, {name}",
            what="Share of the year's evaluated reviews with at least one finding of each weakness.",
            years=[row["year"] for row in table.rows],
            series=[(label, [row[f"{slug}_pct"] for row in table.rows]) for slug, label in Finding.Category.choices],
        )
