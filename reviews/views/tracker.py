"""The action tracker (SPEC section 9): every action the user may read, across reviews, filtered, sorted,
paginated and exported; and the start page's overdue and due-soon actions for board staff.

Everything starts from ``Action.objects.for_user(user)``: board staff see their own boards' actions (drafts
included) and those of submitted reviews their boards contributed to; inspectors and managers those of
submitted reviews. Filters come from ``ActionFilter`` (an allow-list); invalid values are GOV.UK errors and no
rows on the page, 400 on the export.
"""

import csv
import datetime
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from reviews.csvsafe import neutralise
from reviews.models import Board
from reviews.plan_filters import ORDERING_LABELS, ActionFilter, CountOf
from reviews.plans import DUE_SOON_DAYS, Action, deadline
from reviews.register.pages import MAX_BROWSABLE_ROWS

PER_PAGE = 25
START_PAGE_ROWS = 10
EXPORT_COLUMNS = [
    "review",
    "recommendation",
    "action",
    "lead_board",
    "description",
    "owner_agency",
    "due_date",
    "status",
    "completed_date",
    "evidence",
]


def _filled(request):
    """The query without blank values (the panel's "Any board", empty date boxes), or None when nothing is left:
    a blank is no filter, not an unknown one."""
    query = request.GET.copy()
    for key in list(query):
        values = [value for value in query.getlist(key) if value.strip()]
        if values:
            query.setlist(key, values)
        else:
            del query[key]
    return query or None


def _readable_actions(request):
    if not request.user.has_perm("reviews.view_action"):
        raise PermissionDenied
    return Action.objects.for_user(request.user)


def _page_number(raw):
    """The page asked for: a whole number from 1, else None."""
    raw = (raw or "1").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


@require_safe
def tracker(request):
    """``/actions/``: page 1 with any one filter in one query of its own (rows and their count together)."""
    filterset = ActionFilter(_filled(request), queryset=_readable_actions(request))
    problems, rows, page_obj, total, today = [], [], None, 0, timezone.localdate()
    number = _page_number(request.GET.get("page"))
    if filterset.is_bound and not filterset.is_valid():
        problems = filterset.problems()
    elif number is None:
        problems = [("results-count", "The page must be a whole number, 1 or more")]
    else:
        queryset = filterset.qs
        offset = (number - 1) * PER_PAGE
        found = list(_page_of(queryset, offset)) if offset < MAX_BROWSABLE_ROWS else []
        total = found[0].listed if found else queryset.order_by()[: MAX_BROWSABLE_ROWS + 1].count()
        # The count is known (up to the rows offered page by page): Paginator need not ask again.
        paginator = Paginator(range(min(total, MAX_BROWSABLE_ROWS)), PER_PAGE)
        try:
            paginator.validate_number(number)
        except EmptyPage:
            problems = [("results-count", _no_such_page(number, total, paginator.num_pages))]
        else:
            page_obj = Page(found, number, paginator)
            rows = [(action, deadline(action.status, action.due_date, today)) for action in found]
    ordering = filterset.ordering if not problems else ""
    more = page_obj is not None and total > MAX_BROWSABLE_ROWS
    context = {
        "more": more,
        "max_rows": MAX_BROWSABLE_ROWS,
        "filterset": filterset,
        "form": filterset.form,
        "problems": problems,
        "rows": rows,
        "page_obj": page_obj,
        "ordering": ordering,
        "sort_label": ORDERING_LABELS.get(ordering, "review, latest first"),
        "selected_filters": _selected_filters(filterset, request),
        "board_items": _board_items(filterset, request),
        "has_filters": any(key not in ("page", "o") for key in request.GET),
        "export_query": _without_page(request),
    }
    return render(request, "actions/tracker.html", context)


def _page_of(queryset, offset):
    """One page of ``queryset`` with its review and lead board, and the list's length (counted up to the rows
    offered page by page) as ``listed`` on each row, in one query. The page's ids are chosen first, from the
    actions alone (their kept scope and due date are indexed, reviews/plans_scope.py); only those 25 are then
    joined to their recommendation, review and board. Joined before the sort, PostgreSQL would join every
    matching action first: 8,000 joins for one board's staff, most of the page's time."""
    page_ids = queryset.values("pk")[offset : offset + PER_PAGE]
    return (
        Action.objects.filter(pk__in=page_ids)
        .select_related("recommendation__review__board")
        .annotate(listed=CountOf(queryset, MAX_BROWSABLE_ROWS + 1))
        .order_by(*queryset.query.order_by)
    )


def _no_such_page(number, total, pages):
    if total > MAX_BROWSABLE_ROWS:
        return (
            f"Only the first {MAX_BROWSABLE_ROWS:,} actions can be shown page by page. Narrow the list with the "
            "filters, sort it the other way, or download it"
        )
    return f"There is no page {number}: these actions fill {pages} page{'s' if pages != 1 else ''}"


def _selected_filters(filterset, request):
    """The filters in use as MOJ's selected-filter tags: (heading, [(label, link without it)]), page 1."""
    groups = []
    for name in ("board", "region", "status", "owner_agency", "overdue", "due_after", "due_before"):
        field = filterset.form.fields[name]
        labels = {str(value): str(label) for value, label in getattr(field, "choices", [])}
        values = [value for value in request.GET.getlist(name) if value.strip()]
        tags = [(labels.get(value, value), _link_without(request, name, value)) for value in values]
        if tags:
            groups.append((field.label, tags))
    return groups


def _board_items(filterset, request):
    """The board select's options (govukSelect items): any board, then every board, the first chosen selected.
    Further boards in the query are kept as hidden inputs by the page."""
    chosen = request.GET.get("board", "")
    items = [{"value": "", "text": "Any board"}]
    choices = filterset.form.fields["board"].choices
    items += [{"value": code, "text": name, "selected": code == chosen} for code, name in choices]
    return items


def _link_without(request, name, value):
    query = request.GET.copy()
    query.pop("page", None)
    query.setlist(name, [kept for kept in query.getlist(name) if kept != value])
    return "?" + query.urlencode()


def _without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class _Echo:
    """A file-like object whose write returns the line: csv.writer then yields lines for streaming."""

    def write(self, value):
        return value


@require_safe
def export_csv(request):
    """``/actions/export.csv``: exactly the tracker's filtered list, every row, formula-safe; 400 on bad filters."""
    filterset = ActionFilter(_filled(request), queryset=_readable_actions(request))
    if filterset.is_bound and not filterset.is_valid():
        messages = "\n".join(message for _, message in filterset.problems())
        return HttpResponse(messages + "\n", status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(_Echo())
    rows = filterset.qs.values_list(
        "recommendation__review__reference",
        "recommendation__number",
        "number",
        "recommendation__review__board__name",
        "description",
        "owner_agency",
        "due_date",
        "status",
        "completed_date",
        "evidence",
    )

    def lines():
        yield writer.writerow(EXPORT_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="actions-{day}.csv"'
    return response


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value


def start_page_actions(user):
    """What a board user's start page shows first: the overdue and due-soon actions of the reviews their
    boards lead (as of today), the first few of each with their numbers, and the tracker's links to all."""
    today = timezone.localdate()
    codes = list(Board.objects.of_member(user).values_list("gss_code", flat=True))
    led = Action.objects.for_user(user).filter(lead_board__in=Board.objects.of_member(user).values("pk"))
    led = led.select_related("recommendation__review").order_by("due_date", "pk")
    soon_until = today + datetime.timedelta(days=DUE_SOON_DAYS)
    groups = []
    for key, title, actions, query in (
        ("overdue", "Overdue actions", led.overdue(today), {"board": codes, "overdue": "yes"}),
        (
            "due_soon",
            f"Actions due in the next {DUE_SOON_DAYS} days",
            led.due_soon(today),
            {
                "board": codes,
                "status": ["not_started", "in_progress"],
                "due_after": today.isoformat(),
                "due_before": soon_until.isoformat(),
            },
        ),
    ):
        listed = list(actions.annotate(listed=CountOf(actions, MAX_BROWSABLE_ROWS + 1))[:START_PAGE_ROWS])
        groups.append(
            {
                "key": key,
                "title": title,
                "actions": listed,
                "count": listed[0].listed if listed else 0,
                "href": reverse("actions:list") + "?" + urlencode(query, doseq=True),
            }
        )
    return {"groups": groups, "boards": codes}
