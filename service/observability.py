"""Request ids, structured request logs and the headers every signed-in response carries.

Every request gets an id (a well-formed incoming ``X-Request-ID`` from the proxy, else a new one), echoed in
the response and attached to every log record made while it runs. One JSON line per request records the
method, the path without its query string (filters and searches can hold names), the status, the time taken
and the user's id: never review text or a child's details. Refused access (403, 404 on a review, 429) and
failed sign-ins (with the client's address, :func:`client_address`) are logged at WARNING on
``scr_register.security``.
"""

import contextvars
import copy
import ipaddress
import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.cache import patch_cache_control

request_id_var = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_log = logging.getLogger("scr_register.requests")
security_log = logging.getLogger("scr_register.security")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


# A path followed by its query string, in a message: "/reviews/?q=name" (up to a space or a quote).
_QUERY_STRING = re.compile(r"(/[^\s?#'\"]*)\?[^\s#'\"]*")


class NoQueryStringFilter(logging.Filter):
    """Drops query strings from what Django's own loggers write (``django.request``, ``django.security.*``,
    ``django.server``): their messages name the URL ("Forbidden (CSRF cookie not set.): /reviews/?q=...",
    "GET /reviews/?q=... HTTP/1.1") and ``record.request`` is shown with its full path. The handler gets a
    copy with the path alone; other handlers and the caller's record are left as they were."""

    def filter(self, record):
        if not record.name.startswith("django"):
            return True
        message = record.getMessage()
        stripped = _QUERY_STRING.sub(r"\1", message)
        request = getattr(record, "request", None)
        if stripped == message and not isinstance(request, HttpRequest):
            return True
        record = copy.copy(record)
        record.msg, record.args = stripped, None
        if isinstance(request, HttpRequest):
            record.request = f"{request.method} {request.path}"
        return record


class RequestMiddleware:
    """Request id, one structured log line per request, and no caching of signed-in pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id
        started = time.monotonic()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            if user_id is not None:
                # Pages about harmed children never stay in a shared or browser cache.
                patch_cache_control(response, no_store=True, private=True)
            response["X-Request-ID"] = request_id
            fields = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": user_id,
            }
            request_log.info("request", extra=fields)
            if response.status_code in (403, 429) or (response.status_code == 404 and user_id is not None):
                security_log.warning("access refused", extra=fields)
            return response
        finally:
            request_id_var.reset(token)


def client_address(request):
    """The address of the client that sent ``request``.

    Behind the TLS proxy every request arrives from the proxy's own address, so the client's address is
    read from ``X-Forwarded-For``, where each proxy appends the address it received the request from. Only
    the ``PROXY_HOPS`` entries on the right were written by our own proxies; anything to their left is what
    the client sent, so the address is the ``PROXY_HOPS``-th entry from the right and no client can choose
    it. With no proxy (``PROXY_HOPS`` 0) the header is never read. Sign-in lockout keys on this address
    (``AXES_CLIENT_IP_CALLABLE``), and failed sign-ins are logged with it.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    hops = settings.PROXY_HOPS
    if hops <= 0:
        return remote_addr
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < hops:
        # Not through all our proxies (or a proxy that does not append): the sender is all we know.
        return remote_addr
    try:
        return str(ipaddress.ip_address(forwarded[-hops].strip()))
    except ValueError:  # not an address: our proxy did not write it
        return remote_addr


@receiver(user_login_failed, dispatch_uid="scr_register_log_failed_sign_in")
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    """A failed sign-in: the username tried (never the password) and the address it came from."""
    security_log.warning(
        "sign-in failed",
        extra={
            "username": str(credentials.get("username", ""))[:150],
            "remote_addr": client_address(request) if request is not None else None,
        },
    )
