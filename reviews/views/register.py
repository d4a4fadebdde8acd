"""The register (``/reviews/``): filter, search, sort and page every review the user may see; export that
list as CSV or XLSX; inspectors' saved views.

Every read starts from ``Review.objects.for_user(request.user)``, so board staff get the same register over
their own boards (their drafts too, and submitted reviews their boards contributed to).

Exports: inspectors, managers and admins hold ``reviews.export_reviews``; board staff may export too, and get
exactly the rows their register shows them (their own boards' reviews), never anyone else's.
"""

import sys

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage
from django.db import IntegrityError, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods
from django_filters.views import FilterView
from django_htmx.http import push_url

from reviews import exports
from reviews.documents.search import matched_kinds
from reviews.models import Document, Judgement, ReadEvent, Review, SavedView
from reviews.register.choices import DEFAULT_PAGE_SIZE, DEFAULT_SORT, PAGE_SIZES, PAGING_PARAMS, SORT_CHOICES
from reviews.register.filters import ReviewFilter, clean_query, document_words_query, export_query
from reviews.register.forms import SavedViewForm
from reviews.register.pages import CappedPaginator
from reviews.register.selected import board_selection, panel_varies_on, selected_filters
from service.observability import security_log
from service.overload import busy_response

REGISTER_PERMISSION = "reviews.view_review"
EXPORT_PERMISSION = "reviews.export_reviews"
SAVED_VIEW_PERMISSION = "reviews.add_savedview"  # inspectors (and admins) keep saved views
BOARD_PERMISSION = "reviews.submit_review"  # board staff's own permission
# The columns of the register's table: plain values, no model instances.
ROW_FIELDS = (
    "pk",
    "reference",
    "title",
    "board__name",
    "completed_date",
    "status",
    "latest_judgement",
    "latest_evaluated_date",
)


def _require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied


def may_export(user):
    """Inspectors, managers and admins (``export_reviews``); and board staff (who submit reviews), whose export
    holds only what their register shows them. Decided from permissions alone: no query."""
    return user.has_perm(EXPORT_PERMISSION) or (user.has_perm(REGISTER_PERMISSION) and user.has_perm(BOARD_PERMISSION))


class RegisterView(PermissionRequiredMixin, FilterView):
    """The filtered, sorted, paged register; for htmx, only the results fragment.

    django-filter's strict FilterView: an invalid value lists nothing, and the form says why."""

    permission_required = REGISTER_PERMISSION
    filterset_class = ReviewFilter
    paginator_class = CappedPaginator
    template_name = "reviews/register.html"

    def get(self, request, *args, **kwargs):
        self.partial = bool(request.htmx) and not request.htmx.history_restore_request
        query = clean_query(request.GET)
        if query.urlencode() != request.GET.urlencode():
            # Blank parameters (an empty search box) make ugly URLs to share: use the clean one.
            if not self.partial:
                return redirect(_list_url(query))
            request.GET = query  # the page's links are built from request.GET
        response = super().get(request, *args, **kwargs)
        if self.partial and request.GET.urlencode() != request.META.get("QUERY_STRING", ""):
            push_url(response, _list_url(request.GET))
        return response

    def get_queryset(self):
        return Review.objects.for_user(self.request.user)

    def get_template_names(self):
        return ["reviews/register_results.html" if self.partial else self.template_name]

    def get_paginate_by(self, queryset):
        if self.filterset.is_valid():
            return self.filterset.form.cleaned_data.get("per_page") or DEFAULT_PAGE_SIZE
        return DEFAULT_PAGE_SIZE

    def paginate_queryset(self, queryset, page_size):
        """The page the form asks for; a page that cannot be shown is the form's error, with no rows."""
        filterset = self.filterset
        if filterset.is_bound and not filterset.is_valid():
            return None, None, [], False
        paginator = self.get_paginator(self.rows(queryset), page_size, counted=queryset)
        number = (filterset.form.cleaned_data.get("page") if filterset.is_bound else None) or 1
        try:
            page = paginator.page(number)
        except InvalidPage as refused:
            filterset.form.add_error("page", str(refused))
            return None, None, [], False
        return paginator, page, page.object_list, page.has_other_pages()

    def rows(self, queryset):
        """The table's plain values; with a search, also the kinds of the review's documents it matched, read
        for the page's rows only, in the same query."""
        query = self.search_query
        if query is None:
            return queryset.values(*ROW_FIELDS)
        return queryset.annotate(matched_in=matched_kinds(query)).values(*ROW_FIELDS, "matched_in")

    @cached_property
    def search_query(self):
        """The valid search's words as a tsquery (a reference's start is no word of a document), or None."""
        filterset = self.filterset
        if not (filterset.is_bound and filterset.is_valid()):
            return None
        value = filterset.form.cleaned_data.get("q")
        return document_words_query(value) if value else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, query = self.filterset, self.request.GET
        # Clearing the filters keeps the sort and page size, unless they are what was refused.
        kept = {key: query.getlist(key) for key in ("o", "per_page") if key in query and key not in filterset.errors}
        exported = export_query(query)
        context.update(
            form=filterset.form,
            partial=self.partial,
            selected_filters=selected_filters(filterset, query),
            ordering=filterset.sort_key,
            sort_label=dict(SORT_CHOICES)[filterset.sort_key],
            default_sort=DEFAULT_SORT,
            page_sizes=PAGE_SIZES,
            per_page=context["paginator"].per_page if context["paginator"] else None,
            default_per_page=DEFAULT_PAGE_SIZE,
            export_query=exported,
            save_url=f"{reverse('reviews:saved_view_new')}?{urlencode({'query': exported})}",
            clear_url=_list_url(urlencode(kept, doseq=True)),
            has_filters=any(key not in ("o", "per_page", *PAGING_PARAMS) for key in query),
            may_export=may_export(self.request.user),
            may_save=self.request.user.has_perm(SAVED_VIEW_PERMISSION),
            status_labels=dict(Review.Status.choices),
            judgement_labels=dict(Judgement.choices),
            kind_labels=dict(Document.Kind.choices),
            # The review's page, opened from a search, says which of its documents matched.
            review_query=f"?{urlencode({'q': query['q']})}" if "q" in query and self.search_query else "",
        )
        if not self.partial:
            context["board_selected"], context["board_typed"] = board_selection(filterset)
            # The boards are read by the panel's markup only when it is not in the cache.
            context["options"] = filterset.options
            context["panel_varies_on"] = panel_varies_on(filterset, query)
        return context


def _list_url(query):
    """The register's URL with ``query`` (a QueryDict or an encoded query string)."""
    url = reverse("reviews:list")
    encoded = query if isinstance(query, str) else query.urlencode()
    return f"{url}?{encoded}" if encoded else url


EXPORT_FORMATS = {
    "csv": (exports.csv_chunks, "text/csv; charset=utf-8"),
    "xlsx": (exports.xlsx_chunks, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _export(request, fmt):
    """Filter as the list does; 400 with the errors when the query string is invalid; audit; then export."""
    _require(request.user, REGISTER_PERMISSION)
    if not may_export(request.user):
        raise PermissionDenied
    query = clean_query(request.GET, drop=PAGING_PARAMS)
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
