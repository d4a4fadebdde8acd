"""Shedding expensive requests when the server is overloaded, so that no one waits long for an answer.

gunicorn's sync workers take one request at a time; the rest wait in the listening socket's accept queue,
where no statement timeout reaches them. Before each request a worker reads how many connections are
waiting (``note_queue``, called from gunicorn.conf.py's ``pre_request`` hook: Linux reports a listening
socket's accept queue in ``TCP_INFO``). When that queue is at least ``settings.BUSY_QUEUE`` long
(``DJANGO_BUSY_QUEUE``, default 24: the load test's 16 clients never reach it), ``BusyMiddleware``
answers the expensive requests (the exports and the dashboard) at once with a 503 "the service is busy"
page and ``Retry-After``, instead of spending seconds of a worker on them while the queue grows.
Everything else is served as usual.

Outside gunicorn (runserver, tests) the queue is never noted, so nothing is ever shed.
"""

import socket
import struct

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.urls import Resolver404, resolve

from service.observability import security_log

RETRY_AFTER_SECONDS = 10
# The views whose answers cost a worker hundreds of milliseconds or more: the exports and every dashboard URL.
EXPENSIVE_VIEWS = frozenset({"reviews:export_csv", "reviews:export_xlsx"})
EXPENSIVE_NAMESPACES = frozenset({"dashboard"})

# struct tcp_info (linux/tcp.h): 8 one-byte fields, then u32 rto, ato, snd_mss, rcv_mss, unacked, ...
# For a listening socket, tcpi_unacked is the number of connections waiting to be accepted.
_TCP_INFO_UNACKED = 24
_TCP_INFO_SIZE = 104


class _Queue:
    length = 0  # connections waiting when this worker took its current request


queue = _Queue()


def listen_queue_length(sock):
    """How many connections wait to be accepted on the listening socket ``sock`` (0 when unknown)."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
    except (OSError, AttributeError):
        return 0
    if len(info) < _TCP_INFO_UNACKED + 4:
        return 0
    return struct.unpack_from("I", info, _TCP_INFO_UNACKED)[0]


def note_queue(worker):
    """gunicorn's ``pre_request`` hook: note the accept queue's length before the worker handles a request."""
    queue.length = sum(listen_queue_length(listener.sock) for listener in getattr(worker, "sockets", ()))


def is_expensive(path):
    """The path is routed to an export or a dashboard view (resolved only when the queue is long)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in EXPENSIVE_VIEWS or match.namespace in EXPENSIVE_NAMESPACES


def busy_response():
    """The 503 "the service is busy" page, with ``Retry-After``: rendered without the request or the database."""
    body = loader.get_template("busy.html").render({})
    return HttpResponse(
        body,
        status=503,
        headers={
            "Retry-After": str(RETRY_AFTER_SECONDS),
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
        },
    )


class BusyMiddleware:
    """A 503 "service is busy" page for an expensive request when too many connections are waiting."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        waiting = queue.length
        if waiting >= settings.BUSY_QUEUE and is_expensive(request.path):
            security_log.warning("busy: %s shed with %d connections waiting", request.path, waiting)
            return busy_response()
        return self.get_response(request)
