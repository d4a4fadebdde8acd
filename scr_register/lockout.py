"""Sign-in lockout (django-axes): how many failures lock a sign-in out, the page that says so, and what a
successful sign-in clears.

Axes keys failures on the client's address (``service.observability.client_address``: the real
client's behind the proxy). Failures count per username from one address (``SIGN_IN_FAILURES_PER_USERNAME``
lock that username from that address only, so nobody can lock someone out from elsewhere) and per address
whatever the usernames (``SIGN_IN_FAILURES_PER_ADDRESS`` lock the address: a script trying many usernames).
A successful sign-in clears only its own username's failures from its address.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def failure_limit(request, credentials=None):
    """``AXES_FAILURE_LIMIT``: the failures that lock this sign-in out.

    Axes counts the failures of each of ``AXES_LOCKOUT_PARAMETERS`` ((username, address), then the address
    alone) and compares the largest with one limit. The address's count is never below the pair's, so the
    limit is the per-username one once this username has failed that often from this address, and the
    per-address one otherwise.
    """
    per_username = settings.SIGN_IN_FAILURES_PER_USERNAME
    username_failures = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request),
    ).aggregate(total=Sum("failures_since_start"))["total"]
    if username_failures is not None and username_failures >= per_username:
        return per_username
    return settings.SIGN_IN_FAILURES_PER_ADDRESS


def lockout_response(request, original_response, credentials):
    """``AXES_LOCKOUT_CALLABLE``: the lockout page (429), saying whether the username or the address is locked."""
    limit = failure_limit(request, credentials)
    context = {"failure_limit": limit, "address_locked": limit != settings.SIGN_IN_FAILURES_PER_USERNAME}
    return render(request, "registration/locked_out.html", context, status=429)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a sign-in clears only that username's failures from that address.

    Axes would clear every count the sign-in matches, the address's too: anyone with an account could then
    try 19 usernames, sign in to their own, and try 19 more.
    """

    def reset_user_attempts(self, request, credentials=None):
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count
