"""The dashboard page's panels for one reader and one set of filters: each a heading, a headline in words,
charts, the tables of the same numbers and their CSV links, in the page's order (SPEC section 7)."""

from urllib.parse import urlencode

from django.urls import reverse

from dashboard import charts, display, plans_panel, publication_panel, tables
from govuk.helpers import pagination_params


def _csv_links(slug, filters):
    query = urlencode(filters.query())
    base = f"{reverse('dashboard:download', args=[slug])}?{query}"
    return {"all": base, "publication": f"{base}&publication=1"}


def _sort_url(filters):
    pairs = [(k, v) for k, v in filters.query() if k != "sort"]

    def href(key):
        return "?" + urlencode([*pairs, ("sort", key)]) + "#judgement-rates"

    return href


def _board_pages(board_page, filters):
    """The judgement rates table's pagination (links keep the filters, page 1 without a page) and the line
    saying which board rows are shown; (None, None) when they fit one page."""
    if not board_page.has_other_pages():
        return None, None

    def href(number):
        pairs = filters.query() + ([("page", number)] if number > 1 else [])
        return "?" + urlencode(pairs) + "#judgement-rates"

    total = board_page.paginator.count
    showing = f"Showing board rows {board_page.start_index():,} to {board_page.end_index():,} of {total:,}"
    return pagination_params(board_page, href, "Pages of board rows"), showing


def panels(dashboard, filters):
    """The page's panels, in order, each with its headline, charts, tables and CSV links."""
    year = filters.year
    england = dashboard.summaries[0][2]
    narrow_name, narrow = dashboard.narrowest
    panels = []

    # 1. National summary.
    summary = dashboard.summary_table()
    j = england["judgements"]
    if england["reviews"]:
        headline = (
            f"In {year} Ofsted completed {england['reviews']:,} evaluations of reviews about "
            f"{england['children']:,} children, {england['child_deaths']:,} of whom died. "
            f"{charts.pct_text(j['good']['pct'])} of the reviews were judged good, "
            f"{charts.pct_text(j['adequate']['pct'])} adequate and "
            f"{charts.pct_text(j['inadequate']['pct'])} inadequate."
        )
    else:
        headline = f"Ofsted completed no evaluations in {year}, so there are no percentages for the year."
    panels.append(
        {
            "id": "summary",
            "heading": f"National summary for {year}",
            "headline": headline,
            "charts": [dashboard.summary_chart()],
            "tables": [display.transposed(summary)],
            "csv": [(summary, _csv_links("summary", filters))],
        }
    )

    # 2. Judgement rates per board and year.
    rates = dashboard.rates_table(paged=True)
    pages, showing = _board_pages(dashboard.board_page, filters)
    boards_in_year = {row["key"] for row in dashboard.board_rows if row["year"] == year}
    national_row = dashboard.comparison_rows[0][0]
    headline = (
        f"{len(boards_in_year):,} {'board' if len(boards_in_year) == 1 else 'boards'} shown had reviews evaluated "
        f"in {year}. In England {charts.pct_text(national_row['inadequate_pct'])} of evaluations were inadequate."
    )
    if not dashboard.viewer.everything:
        headline += " You see your own boards' rows, and the regional and national figures."
    panels.append(
        {
            "id": "judgement-rates",
            "heading": "Judgement rates per board and year",
            "headline": headline,
            "charts": [dashboard.rates_chart()],
            "tables": [
                display.table(
                    rates,
                    hide=("key",),
                    sort=(filters.sort, _sort_url(filters)),
                    sortable={
                        "name": "board",
                        "year": "year",
                        "reviews": "reviews",
                        "outstanding_pct": "outstanding_pct",
                        "good_pct": "good_pct",
                        "adequate_pct": "adequate_pct",
                        "inadequate_pct": "inadequate_pct",
                    },
                )
            ],
            "csv": [(rates, _csv_links("judgement-rates", filters))],
            "register_note": True,
            "pages": pages,
            "showing": showing,
        }
    )

    # 3. Trend.
    trend = dashboard.trend_table()
    national_series = dashboard.trend_series()[0][1]
    evaluated = [row for row in national_series if row["reviews"]]
    if evaluated:
        first, last = evaluated[0], evaluated[-1]
        headline = (
            f"In England the share of evaluations judged inadequate was {charts.pct_text(first['inadequate_pct'])} "
            f"in {first['year']} and {charts.pct_text(last['inadequate_pct'])} in {last['year']}."
        )
    else:
        headline = "There are no evaluations yet."
    panels.append(
        {
            "id": "trend",
            "heading": "Trend",
            "headline": headline,
            "charts": dashboard.trend_charts(),
            "tables": [display.table(trend, hide=("key",))],
            "csv": [(trend, _csv_links("trend", filters))],
        }
    )

    # 4. Themes.
    themes, agencies = dashboard.themes_tables()
    top = themes.rows[0] if themes.rows and themes.rows[0]["reviews"] else None
    if top:
        headline = (
            f"The weakness found most often in the reviews evaluated in {year} ({narrow_name}): "
            f"{top['name'].lower()}, in {charts.pct_text(top['reviews_pct'])} of reviews."
        )
    else:
        headline = f"No findings are recorded for the reviews evaluated in {year} ({narrow_name})."
    panels.append(
        {
            "id": "themes",
            "heading": f"Themes, {narrow_name}",
            "headline": headline,
            "charts": [
                charts.bars(
                    chart_id="chart-themes",
                    title=themes.caption,
                    what="Share of reviews with at least one finding of each weakness.",
                    rows=[(r["name"], r["reviews_pct"], charts.pct_text(r["reviews_pct"])) for r in themes.rows],
                    max_value=100,
                ),
                charts.bars(
                    chart_id="chart-agencies",
                    title=agencies.caption,
                    what="Share of reviews with at least one finding about each agency.",
                    rows=[(r["name"], r["reviews_pct"], charts.pct_text(r["reviews_pct"])) for r in agencies.rows],
                    colour=charts.PURPLE,
                    max_value=100,
                ),
            ],
            "tables": [display.table(themes, hide=("category",)), display.table(agencies, hide=("agency",))],
            "csv": [
                (themes, _csv_links("themes", filters)),
                (agencies, _csv_links("themes-by-agency", filters)),
            ],
            "parts": [_themes_years_part(dashboard, filters, narrow_name)],
        }
    )

    # 5. Timeliness.
    bands, durations = dashboard.timeliness_tables()
    within_6 = bands.rows[1]
    median = durations.rows[0]["median_days"]
    if narrow["timed"]:
        headline = (
            f"{charts.pct_text(within_6['reviews_pct'])} of the reviews evaluated in {year} ({narrow_name}) were "
            f"completed within 6 months of the decision to hold them; the median was {median:,} days."
        )
    else:
        headline = f"No review evaluated in {year} ({narrow_name}) has both its decision and completion dates."
    panels.append(
        {
            "id": "timeliness",
            "heading": f"Timeliness, {narrow_name}",
            "headline": headline,
            "charts": [
                charts.bars(
                    chart_id="chart-timeliness",
                    title=bands.caption,
                    what="Share of reviews with both dates, by months from the decision to completion.",
                    rows=[(r["name"], r["reviews_pct"], charts.pct_text(r["reviews_pct"])) for r in bands.rows],
                    max_value=100,
                )
            ],
            "tables": [display.table(bands, hide=("band",)), display.table(durations, hide=("measure",))],
            "csv": [(bands, _csv_links("timeliness", filters)), (durations, _csv_links("durations", filters))],
        }
    )

    # 6. Children.
    children = dashboard.children_table()
    total = sum(r["children"] for r in children.rows if r["characteristic"] == "outcome")
    known = next(r for r in children.rows if r["characteristic"] == "known_to_social_care" and r["value"] == "yes")
    if total:
        died = next(r for r in children.rows if r["characteristic"] == "outcome" and r["value"] == "died")
        headline = (
            f"The reviews evaluated in {year} ({narrow_name}) were about {total:,} children: "
            f"{died['children']:,} died. "
            f"{charts.pct_text(known['children_pct'])} of those whose answer is recorded were known to "
            "children's social care."
        )
    else:
        headline = f"No children are recorded for the reviews evaluated in {year} ({narrow_name})."
    panels.append(
        {
            "id": "children",
            "heading": f"Children, {narrow_name}",
            "headline": headline,
            "charts": [
                charts.bars(
                    chart_id=f"chart-children-{characteristic}",
                    title=f"{label}, {narrow_name}, {year}",
                    what=f"{label}: "
                    + (
                        "% of all children."
                        if characteristic in ("age_band", "outcome")
                        else "% of the children whose answer is recorded."
                    ),
                    rows=[
                        (r["name"], r["children_pct"], f"{r['children']:,} ({charts.pct_text(r['children_pct'])})")
                        for r in children.rows
                        if r["characteristic"] == characteristic and r["children_pct"] is not None
                    ],
                    colour=charts.BLUE if characteristic in ("age_band", "outcome") else charts.PURPLE,
                    max_value=100,
                )
                for characteristic, label in tables.CHARACTERISTICS.items()
            ],
            "tables": [display.children(children)],
            "csv": [(children, _csv_links("children", filters))],
        }
    )

    # 7. Action plans.
    panels.append(plans_panel.panel(dashboard.table("actions"), filters, _csv_links("actions", filters)))

    # 8. Publication of executive summaries.
    publication = dashboard.table("publication")
    panels.append(publication_panel.panel(publication, filters, _csv_links("publication", filters)))
    return panels


def _themes_years_part(dashboard, filters, narrow_name):
    """The themes panel's second part: the narrowest area's weaknesses in every year it has evaluations."""
    table = dashboard.themes_years_table()
    if table.rows:
        first, last = table.rows[0], table.rows[-1]
        span = first["year"] if first is last else f"{first['year']} to {last['year']}"
        text = (
            f"Each reporting year with evaluations in {narrow_name} ({span}): how many of the year's evaluated "
            "reviews found each weakness, and what share of them."
        )
    else:
        text = f"No review in {narrow_name} has been evaluated yet."
    return {
        "id": "themes-by-year",
        "heading": f"Themes across the years, {narrow_name}",
        "text": text,
        "charts": [dashboard.themes_years_chart(table)],
        "tables": [display.table(table, row_header="year", hide=("key", "name"))],
        "csv": [(table, _csv_links("themes-by-year", filters))],
    }
