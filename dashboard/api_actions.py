"""``GET /dashboard/api/actions[?as_of=YYYY-MM-DD][&region=...][&board=...]``: the action-plan figures of SPEC
section 9 on an as-of day, nationally (or for the region or board asked for) and per lead board.

Readers are the dashboard's (``viewer_for``): everyone who may read it gets the national and regional totals;
board staff get their own boards' rows only, and another board (or one that does not exist) answers 404. A
malformed ``as_of`` or an unknown region answers 400 with ``{"error": ...}``.

Counting half a million actions takes a second or so, so the answer is kept in Django's cache under the data
version, as the dashboard's are: every write to a recommendation or an action (or a review) changes the
version (reviews/reporting.py), so a kept answer is never older than the data.
"""

import datetime
import json
import re

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from dashboard import forms, queries
from dashboard.access import viewer_for
from dashboard.views import DecimalEncoder
from reviews.models import Action

FIGURES = ("actions", "completed", "open", "overdue", "completed_late")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def api_as_of(value):
    """The as-of day from the query string (today when not given); ApiError unless it is a real YYYY-MM-DD day."""
    if not value:
        return timezone.localdate()
    # fromisoformat alone also takes 20110331 and 2011-W13-4: the SPEC's one form is YYYY-MM-DD.
    if ISO_DAY.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise forms.ApiError(f"as_of must be a date written YYYY-MM-DD, such as 2011-03-31, not {value!r}")


def api_board(value, viewer):
    """The visible board with this GSS code, None when not given; NotVisible (404) for any other code."""
    if not value:
        return None
    board = viewer.board_by_code(value)
    if board is None:
        raise forms.NotVisible("No such board")
    return board


def with_percentage(figures):
    """The figures in the SPEC's order with ``overdue_pct``: overdue over actions, one decimal rounded half up,
    None without actions."""
    return {
        "actions": figures["actions"],
        "completed": figures["completed"],
        "open": figures["open"],
        "overdue": figures["overdue"],
        "overdue_pct": queries.percentage(figures["overdue"], figures["actions"]),
        "completed_late": figures["completed_late"],
    }


def action_figures(viewer, *, as_of, region=None, board=None):
    """The API's answer as a dict: the totals of what ``region``/``board`` narrow to, and the rows of the boards
    this reader may see among them, in one query (the totals are the sum of every board's row)."""
    actions = Action.objects.using(queries.DATABASE).counted()
    if board is not None:
        actions = actions.filter(recommendation__review__board_id=board.pk)
    if region is not None:  # with a board too: that board if it is in the region, else nothing
        actions = actions.filter(recommendation__review__board__region_id=region.pk)
    rows = actions.figures_by_board(as_of)
    totals = {name: sum(row[name] for row in rows) for name in FIGURES}
    shown = []
    for row in rows:
        if row["board_id"] not in viewer.visible:
            continue
        info = viewer.boards[row["board_id"]]
        shown.append({"key": info.gss_code, "name": info.name, **with_percentage(row)})
    shown.sort(key=lambda row: row["key"])
    return {"as_of": as_of.isoformat(), **with_percentage(totals), "rows": shown}


@require_safe
def api_actions(request):
    """SPEC section 9: ``/dashboard/api/actions[?as_of=2011-03-31][&region=E12000005][&board=E08000025]``."""
    viewer = viewer_for(request.user)
    try:
        as_of = api_as_of(request.GET.get("as_of"))
        region = forms.api_region(request.GET.get("region"), viewer)
        board = api_board(request.GET.get("board"), viewer)
    except forms.ApiError as error:
        return JsonResponse({"error": str(error)}, status=error.status)
    key = ("api-actions", as_of, region and region.code, board and board.gss_code, viewer.scope_key, viewer.fingerprint)

    def answer():
        figures = action_figures(viewer, as_of=as_of, region=region, board=board)
        return json.dumps(figures, cls=DecimalEncoder)

    body = queries.cached(key, queries.data_version(), answer)
    return HttpResponse(body, content_type="application/json")
