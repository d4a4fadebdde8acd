"""The dashboard page, its CSV downloads and the JSON API of SPEC section 7.

Every view starts from ``viewer_for(request.user)``: managers, inspectors and admins see every board;
board staff see their own boards' rows plus the regional and national aggregates; a board the reader may
not see answers 404 in the API and the downloads, and is an error on the page's form (as an unknown board is);
anyone else 403.
"""

import csv
import json
from decimal import Decimal

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from dashboard import forms, page, queries, tables
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
    "actions",
    "publication",
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
    filters = Filters(
        year=data["year"],
        region=region,
        board=board,
        span=data["span"],
        sort=data["sort"],
        as_of=data["as_of"],
        page=data["page"],
    )
    return filters, form


@require_safe
def index(request):
    """The dashboard: its panels for a reporting year, each a headline, a chart, its table and a CSV link."""
    viewer = viewer_for(request.user)
    filters, form = _filters(request, viewer)
    context = {"form": form, "viewer": viewer}
    if filters is None:
        return render(request, "dashboard/index.html", context)
    version = queries.data_version()

    def filter_form():
        return render_to_string("dashboard/filters.html", {"form": form}, request)

    def panels():
        dashboard = Dashboard(viewer, filters, version=version).load()
        fragment = {"panels": page.panels(dashboard, filters), "method": _method_context()}
        return render_to_string("dashboard/panels.html", fragment, request)

    # The form shows the values as they were sent (part of both keys) and its choices: the reporting years and the
    # boards this reader may pick (the viewer's fingerprint and scope). It shows no figure, so a write leaves it
    # kept: after a write only the panels are rendered again. The panels' markup (figures, charts and tables) for
    # this query and this reader is kept until the data changes; the page of board rows is in the panels' key only
    # (the form does not carry it).
    sent = tuple(form.data.get(name) for name in form.fields if name != "page")
    years = tuple(value for value, _ in form.fields["year"].choices)
    reader = (viewer.scope_key, viewer.fingerprint)
    key = ("page", sent, tuple(filters.query()), filters.page, *reader)
    context.update(
        filters=filters,
        filter_form=queries.kept(("filters", sent, years, *reader), filter_form),
        panels=queries.cached(key, version, panels),
    )
    return render(request, "dashboard/index.html", context)


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
