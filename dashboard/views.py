"""The dashboard page, its CSV downloads and the JSON API of SPEC section 7.

Every view starts from ``viewer_for(request.user)``: managers, inspectors and admins see every board;
board staff see their own boards' rows plus the regional and national aggregates; a board the reader may
not see answers 404 in the API and the downloads, and is an error on the page's form (as an unknown board is);
anyone else 403.
"""

import csv
import json
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dashboard import charts, forms, html, queries, tables
from dashboard.access import viewer_for
from dashboard.panels import Dashboard, Filters

CSV_TABLES = (
    "summary",
    "judgement-rates",
    "trend",
    "themes",
    "themes-by-agency",
    "themes-by-year",
    "timeliness",
    "durations",
    "children",
)


class DecimalEncoder(json.JSONEncoder):
    """Percentages are Decimals rounded half up: JSON numbers with their one decimal place."""

    def default(self, o):
        if isinstance(o, Decimal):
            return float(o)
        return super().default(o)


def _json(data, status=200):
    return JsonResponse(data, status=status, encoder=DecimalEncoder)


def _filters(request, viewer):
    """The page's filters from the query string: (Filters, None) when valid, else (None, the bound form).

    A board the reader may not see is not among the board picker's choices: the same error as for a board
    that does not exist, so board staff never learn whether another board's data exists.
    """
    form = forms.DashboardForm(request.GET, viewer=viewer, years=queries.reporting_years())
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    region = next((r for r in viewer.regions() if r.code == data["region"]), None)
    board = viewer.board_by_code(data["board"]) if data["board"] else None
    return Filters(year=data["year"], region=region, board=board, span=data["span"], sort=data["sort"]), form


@require_safe
def index(request):
    """The dashboard: six panels for a reporting year, each a headline, a chart, its table and a CSV link."""
    viewer = viewer_for(request.user)
    filters, form = _filters(request, viewer)
    context = {"form": form, "viewer": viewer}
    if filters is None:
        return render(request, "dashboard/index.html", context)
    # The panels (figures, charts and tables) for these filters and this reader, kept until the data changes.
    version = queries.data_version()
    key = ("page", tuple(filters.query()), viewer.scope_key, viewer.fingerprint)
    panels = queries.cached(key, version, lambda: _panels(Dashboard(viewer, filters, version=version).load(), filters))
    context.update(filters=filters, panels=panels, method=_method_context())
    return render(request, "dashboard/index.html", context)


def _csv_links(slug, filters):
    query = urlencode(filters.query())
    base = f"/dashboard/{slug}.csv?{query}"
    return {"all": base, "publication": f"{base}&publication=1"}


def _sort_url(filters):
    pairs = [(k, v) for k, v in filters.query() if k != "sort"]

    def href(key):
        return "?" + urlencode([*pairs, ("sort", key)]) + "#judgement-rates"

    return href


def _panels(dashboard, filters):
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
            "tables": [html.transposed(summary)],
            "csv": [(summary, _csv_links("summary", filters))],
        }
    )

    # 2. Judgement rates per board and year.
    rates = dashboard.rates_table()
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
                html.table(
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
            "tables": [html.table(trend, hide=("key",))],
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
            "tables": [html.table(themes, hide=("category",)), html.table(agencies, hide=("agency",))],
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
            "tables": [html.table(bands, hide=("band",)), html.table(durations, hide=("measure",))],
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
            "tables": [html.children(children)],
            "csv": [(children, _csv_links("children", filters))],
        }
    )
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
        "tables": [html.table(table, row_header="year", hide=("key", "name"))],
        "csv": [(table, _csv_links("themes-by-year", filters))],
    }


def _method_context():
    return {"small": f"{tables.SMALL.start} to {tables.SMALL.stop - 1}"}


@require_safe
def download(request, table):
    """``/dashboard/<table>.csv``: one of the page's tables, for the same filters and the same reader.

    ``publication=1`` suppresses counts from 1 to 4 (``c``) and the percentages of their row.
    ``judgement-rates.csv`` with ``group`` gives exactly the rows of the JSON API instead of the page's table.
    """
    if table not in CSV_TABLES:
        raise Http404("No such table")
    viewer = viewer_for(request.user)
    publication = request.GET.get("publication") in ("1", "true", "yes")
    if table == "judgement-rates" and "group" in request.GET:
        try:
            rows = _api_rates(request, viewer)
        except forms.ApiError as error:
            return HttpResponse(f"{error}\n", status=error.status, content_type="text/plain; charset=utf-8")
        tbl = tables.Table("judgement-rates", "Judgement rates", tables.RATE_COLUMNS, rows)
        return _csv_response(tbl, publication)
    # As in the JSON API, a board the reader may not see (or that does not exist) is a 404.
    board_code = request.GET.get("board")
    if board_code and viewer.board_by_code(board_code) is None:
        raise Http404("No such board")
    filters, form = _filters(request, viewer)
    if filters is None:
        message = "\n".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(f"{message}\n", status=400, content_type="text/plain; charset=utf-8")
    tbl = Dashboard(viewer, filters).table(table)
    return _csv_response(tbl, publication, filters=filters)


def _csv_response(tbl, publication, filters=None):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    parts = [tbl.slug] + ([filters.year] if filters else []) + (["publication"] if publication else [])
    response["Content-Disposition"] = f'attachment; filename="{"-".join(parts)}.csv"'
    writer = csv.writer(response)
    writer.writerows(tbl.csv_rows(publication=publication))
    return response


@require_safe
def api_summary(request):
    """SPEC section 7: ``/dashboard/api/summary?year=2008-09[&region=E12000005][&board=E08000025]``."""
    viewer = viewer_for(request.user)
    try:
        year = forms.api_year(request.GET.get("year"), required=True)
        region = forms.api_region(request.GET.get("region"), viewer)
        board = _api_board(request, viewer)
    except forms.ApiError as error:
        return _json({"error": str(error)}, status=error.status)
    scope = queries.Scope(region_id=region.pk if region else None, board_id=board.pk if board else None)
    [details] = queries.year_details(year, [scope], fingerprint=viewer.fingerprint, version=queries.data_version())
    return _json(queries.summary(year, details))


def _api_board(request, viewer):
    code = request.GET.get("board")
    if not code:
        return None
    board = viewer.board_by_code(code)
    if board is None:
        raise forms.NotVisible("No such board")
    return board


def _api_rates(request, viewer, version=None):
    """The rows of ``/dashboard/api/judgement-rates`` for this request (ApiError on a bad parameter)."""
    group = forms.api_group(request.GET.get("group"))
    year = forms.api_year(request.GET.get("year"), required=False)
    region = forms.api_region(request.GET.get("region"), viewer)
    board = _api_board(request, viewer)
    if board and group != "board":
        raise forms.ApiError("board narrows group=board only")
    if region and group == "national":
        raise forms.ApiError("region narrows group=board or group=region only")

    def keep(level, key, start_year):
        if level == "region":
            return region is None or key == region.code
        if level == "board":
            if board is not None:
                return key == board.gss_code
            chosen = by_code.get(key)
            return chosen is not None and (region is None or chosen.region_id == region.pk)
        return True

    by_code = {b.gss_code: b for b in viewer.boards.values() if b.pk in viewer.visible}
    counts = queries.judgement_counts(year=year, version=version or queries.data_version())
    return queries.judgement_rates(counts, viewer.boards, levels=(group,), keep=keep)[group]


@require_safe
def api_judgement_rates(request):
    """SPEC section 7: ``/dashboard/api/judgement-rates?group=board|region|national[&year=2008-09]``."""
    viewer = viewer_for(request.user)
    # The answer (thousands of rows for every board and year) is kept as JSON until the data changes.
    version = queries.data_version()
    params = tuple(request.GET.get(name) for name in ("group", "year", "region", "board"))
    key = ("api-judgement-rates", params, viewer.scope_key, viewer.fingerprint)

    def answer():
        rows = _api_rates(request, viewer, version)  # ApiError on a bad parameter, before anything else
        return json.dumps({"group": request.GET["group"], "rows": rows}, cls=DecimalEncoder)

    try:
        body = queries.cached(key, version, answer)
    except forms.ApiError as error:
        return _json({"error": str(error)}, status=error.status)
    return HttpResponse(body, content_type="application/json")
