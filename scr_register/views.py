"""Views that belong to the service as a whole rather than to one app."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, LogoutView
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reviews import roles
from reviews.views.tracker import start_page_actions
from scr_register.forms import SignInForm


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 ``ok`` when the database answers, 503 otherwise: for load balancers, no login needed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# Where each role starts (SPEC section 6), as URL names. Board staff start here, on their boards' overdue and
# due-soon actions (SPEC section 9), with links on to their reviews.
START_PAGES = {
    roles.INSPECTOR: "reviews:list",
    roles.MANAGER: "dashboard:index",
    roles.ADMIN: "admin:index",
}


@require_GET
def home(request):
    """The signed-in user's start page: board staff's boards' overdue and due-soon actions first; other roles are
    sent to theirs; a user with no role is told whom to ask."""
    role = roles.role_of(request.user)
    if role == roles.BOARD_STAFF:
        return render(request, "start.html", start_page_actions(request.user))
    start = START_PAGES.get(role)
    if start:
        return redirect(start)
    return render(request, "accounts/no_access.html", status=403)


SIGN_OUT_REASONS = {"idle", "expired"}


@login_not_required
@require_GET
def signed_out(request):
    """Why the user was signed out (idle for 30 minutes, or 8 hours after signing in)."""
    reason = request.GET.get("reason")
    if reason not in SIGN_OUT_REASONS:
        reason = None
    context = {
        "reason": reason,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
    return render(request, "accounts/signed_out.html", context)


class SignInView(LoginView):
    """GOV.UK-styled sign-in; django-axes locks an account out after repeated failures."""

    form_class = SignInForm
    redirect_authenticated_user = True


class SignOutView(LogoutView):
    """Sign out (POST only): the session is flushed on the server, so its old key no longer works."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


def server_error(request):
    """The 500 handler: a 503 "service unavailable" page when the database is the cause.

    A lost database connection is temporary (a failover, a restart): tell the user to try again
    soon, and let load balancers see 503. Neither page touches the database.
    """
    import sys

    from django.db import DatabaseError, InterfaceError, OperationalError
    from django.template import loader

    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    ):
        body = loader.get_template("503.html").render({})
        return HttpResponse(body, status=503, headers={"Retry-After": "30"})
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
