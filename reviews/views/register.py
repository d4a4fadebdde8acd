"""The register (``/reviews/``): filter, search, sort and page every review the user may see; export that
list as CSV or XLSX; inspectors' saved views.

Every read starts from ``Review.objects.for_user(request.user)``, so board staff get the same register over
their own boards (their drafts too, and submitted reviews their boards contributed to).

Exports: inspectors, managers and admins hold ``reviews.export_reviews``; board staff may export too, and get
exactly the rows their register shows them (their own boards' reviews), never anyone else's.
"""

import sys

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import push_url

from reviews import exports
from reviews.filters import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    PAGE_SIZES,
    PAGING_PARAMS,
    SORT_CHOICES,
    ReviewFilter,
    SavedViewForm,
    clean_query,
    page_of_results,
)
from reviews.models import ReadEvent, Review, SavedView
from service.observability import security_log
from service.overload import busy_response

REGISTER_PERMISSION = "reviews.view_review"
EXPORT_PERMISSION = "reviews.export_reviews"
SAVED_VIEW_PERMISSION = "reviews.add_savedview"  # inspectors (and admins) keep saved views
BOARD_PERMISSION = "reviews.submit_review"  # board staff's own permission
_PK_PLACEHOLDER = 987654321


def _require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied


def may_export(user):
    """Inspectors, managers and admins (``export_reviews``); and board staff (who submit reviews), whose export
    holds only what their register shows them. Decided from permissions alone: no query."""
    return user.has_perm(EXPORT_PERMISSION) or (user.has_perm(REGISTER_PERMISSION) and user.has_perm(BOARD_PERMISSION))


def _register_filter(request, query):
    return ReviewFilter(query, queryset=Review.objects.for_user(request.user), request=request)


@require_GET
def register(request):
    """The filtered, sorted, paged register; with htmx, only the results partial."""
    _require(request.user, REGISTER_PERMISSION)
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    query = clean_query(request.GET)
    if query.urlencode() != request.GET.urlencode():
        # Blank parameters (an empty search box) make ugly URLs to share: use the clean one.
        if not partial:
            return redirect(_list_url(query))
        request.GET = query  # {% querystring %} builds the page's links from request.GET
    filterset = _register_filter(request, query)
    results = page_of_results(filterset)
    if results:
        detail_url = _detail_url_maker()
        for row in results.rows:
            row.detail_url = detail_url(row.pk)
    export_query = filterset.export_query(query)
    kept = QueryDict(mutable=True)
    for key in ("o", "per_page"):
        if key in query and key not in filterset.form.errors:
            kept.setlist(key, query.getlist(key))
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "results": results,
        "selected_filters": filterset.selected_filters(query),
        "ordering": filterset.sort_key,
        "sort_label": dict(SORT_CHOICES)[filterset.sort_key],
        "default_sort": DEFAULT_SORT,
        "page_sizes": PAGE_SIZES,
        "per_page": results.per_page if results else None,
        "default_per_page": DEFAULT_PAGE_SIZE,
        "export_query": export_query,
        "save_url": f"{reverse('reviews:saved_view_new')}?{urlencode({'query': export_query})}",
        "clear_url": _list_url(kept),
        "has_filters": any(key not in ("o", "per_page", *PAGING_PARAMS) for key in query),
        "error_anchors": [(name, f"id_{name}") for name in ("page", "o", "per_page") if name in filterset.form.errors],
        "may_export": may_export(request.user),
        "may_save": request.user.has_perm(SAVED_VIEW_PERMISSION),
        "partial": partial,
    }
    if partial:
        response = render(request, "reviews/register.html#results", context)
        if query.urlencode() != request.META.get("QUERY_STRING", ""):
            push_url(response, _list_url(query))
        return response
    selected, typed = filterset.board_selection()
    context.update(
        panel=filterset.panel_options(),
        board_datalist=filterset.options.datalist_options,
        board_selected=selected,
        board_typed=typed,
    )
    return render(request, "reviews/register.html", context)


def _detail_url_maker():
    """``pk -> reviews:detail URL``, reversed once per page rather than once per row ("" if not routed)."""
    try:
        pattern = reverse("reviews:detail", args=[_PK_PLACEHOLDER])
    except NoReverseMatch:
        return lambda pk: ""
    return lambda pk: pattern.replace(str(_PK_PLACEHOLDER), str(pk))


def _list_url(query):
    url = reverse("reviews:list")
    return f"{url}?{query.urlencode()}" if query else url


EXPORT_FORMATS = {
    "csv": (exports.csv_chunks, "text/csv; charset=utf-8"),
    "xlsx": (exports.xlsx_chunks, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _export(request, fmt):
    """Filter as the list does; 400 with the errors when the query string is invalid; audit; then export."""
    _require(request.user, REGISTER_PERMISSION)
    if not may_export(request.user):
        raise PermissionDenied
    query = clean_query(request.GET)
    for param in PAGING_PARAMS:
        query.pop(param, None)
    filterset = ReviewFilter(
        query, queryset=Review.objects.for_user(request.user).using(exports.REPORTING_DB), request=request
    )
    if not filterset.is_valid():
        errors = [str(error) for field_errors in filterset.form.errors.values() for error in field_errors]
        body = "The export was not made: " + "; ".join(errors) + "\n"
        return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")
    queryset = filterset.qs
    try:
        reading = exports.ExportReading().start(queryset)
    except exports.Busy:
        security_log.warning("busy: %s refused, every export slot taken", request.path)
        return busy_response()
    count = reading.count
    try:
        ReadEvent.objects.create(
            user=request.user,
            kind=ReadEvent.Kind.EXPORT,
            detail=f"{fmt}; {query.urlencode() or 'no filters'}; {count} rows",
        )
        filename = f"reviews-{timezone.localdate():%Y-%m-%d}.{fmt}"
        chunks, content_type = EXPORT_FORMATS[fmt]
        response = StreamingHttpResponse(exports.Stream(chunks(queryset), reading), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    except BaseException:
        reading.close(*sys.exc_info())
        raise
    response["Cache-Control"] = "no-store"
    response["X-Export-Rows"] = str(count)
    return response


@require_GET
def export_csv(request):
    """``/reviews/export.csv``: exactly the filtered list, streamed."""
    return _export(request, "csv")


@require_GET
def export_xlsx(request):
    """``/reviews/export.xlsx``: exactly the filtered list, as a workbook."""
    return _export(request, "xlsx")


# Saved views: an inspector's named filter sets. Another user's saved view answers 404.


def _my_saved_view(request, pk, permission):
    _require(request.user, permission)
    return get_object_or_404(SavedView, pk=pk, owner=request.user)


@require_GET
def saved_views(request):
    """``/reviews/saved/``: the user's saved views, each to open or delete."""
    _require(request.user, "reviews.view_savedview")
    views = SavedView.objects.filter(owner=request.user).order_by("name")
    return render(request, "reviews/saved_list.html", {"saved_views": views})


@require_http_methods(["GET", "POST"])
def saved_view_new(request):
    """Name and save a filter set (the register's current query string)."""
    _require(request.user, SAVED_VIEW_PERMISSION)
    if request.method == "POST":
        form = SavedViewForm(request.POST, owner=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = form.save()
            except IntegrityError:
                form.add_error("name", "You already have a saved view with this name")
            else:
                messages.success(request, f"Saved view “{saved.name}” saved")
                return redirect("reviews:saved_views")
    else:
        form = SavedViewForm(initial={"query_string": request.GET.get("query", "")}, owner=request.user)
    return render(request, "reviews/saved_new.html", {"form": form, "summary": form.filter_summary()})


@require_GET
def saved_view_open(request, pk):
    """Open a saved view: the register with its filters."""
    saved = _my_saved_view(request, pk, "reviews.view_savedview")
    url = reverse("reviews:list")
    return redirect(f"{url}?{saved.query_string}" if saved.query_string else url)


@require_http_methods(["GET", "POST"])
def saved_view_delete(request, pk):
    """Ask, then delete one of the user's saved views."""
    saved = _my_saved_view(request, pk, "reviews.delete_savedview")
    if request.method == "POST":
        name = saved.name
        saved.delete()
        messages.success(request, f"Saved view “{name}” deleted")
        return redirect("reviews:saved_views")
    return render(request, "reviews/saved_delete.html", {"saved": saved})
