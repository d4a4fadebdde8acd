"""Session limits: signed out after 30 minutes without a request, and 8 hours after signing in.

The session holds two times (seconds since the epoch): when the user signed in and when they were last
seen. A signed-in request past either limit flushes the session (the old key is gone from the database)
and goes to /accounts/signed-out/?reason=idle|expired, which says why. The last-seen time is written at
most once a minute, so an ordinary page view does not rewrite the session row every time.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
LAST_SEEN_RESOLUTION = 60  # seconds


@receiver(user_logged_in, dispatch_uid="scr_register_session_signed_in_at")
def record_sign_in(sender, request, user, **kwargs):
    """Start both clocks when someone signs in."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


def expiry_reason(session, now):
    """``"expired"`` past the absolute limit, ``"idle"`` past the idle limit, else ``None``."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if signed_in_at is not None and now - signed_in_at >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return "expired"
    if last_seen_at is not None and now - last_seen_at >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """Signs out a user whose session has been idle too long or has reached its absolute limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            reason = expiry_reason(session, now)
            if reason:
                logout(request)
                return self._signed_out(request, reason)
            # A session from before this middleware (or a test's force_login) starts its clocks now.
            session.setdefault(SIGNED_IN_AT, now)
            if now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)

    def _signed_out(self, request, reason):
        url = f"{reverse('signed_out')}?reason={reason}"
        if request.headers.get("HX-Request"):
            # htmx would swap the page into a fragment: ask it to load the whole page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
