"""gunicorn settings for production: `gunicorn scr_register.wsgi` (or `make serve`) reads this file."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Workers from the CPU count (the usual 2 x cores + 1), overridable for a load test or a small host.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The application is imported once, in the master, before the workers fork: a new or recycled worker
# answers at once instead of spending a second of CPU importing Django (nothing connects to the database
# at import). Workers are still recycled now and then, as a guard against slow leaks: every 2,000 requests
# was every second or so under load, a visible share of the CPU and the slowest 1% of requests.
preload_app = True
max_requests = 50000
max_requests_jitter = 5000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# No query strings in the access log: filters can name boards; keep the path, status, size and time.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def pre_request(worker, req):
    """Note how many connections wait behind this request: overloaded, the exports and the dashboard answer
    a 503 "busy" page at once instead of growing the queue (service/overload.py)."""
    from service.overload import note_queue

    note_queue(worker)


forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Web requests give up on a database statement after 5 s so that a burst of expensive requests cannot
# hold every worker; management commands (imports, backups) are not limited.
os.environ.setdefault("DJANGO_STATEMENT_TIMEOUT_MS", "5000")
