"""What the benchmark scripts share: percentiles, timing a call, Django set up as the server runs it, and a test
client signed in past the second factor."""

import os
import statistics
import time
from pathlib import Path


def percentile(values, fraction):
    """The value ``fraction`` of the way through the sorted values (0.95: the 95th percentile)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))]


def summary(values):
    return {"median": statistics.median(values), "p95": percentile(values, 0.95), "n": len(values)}


def backend_cpu_seconds():
    """CPU seconds (user + system) PostgreSQL's backend for Django's connection has used so far, from /proc (the
    database runs on this machine); None where /proc cannot tell."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()  # no query: it may run inside a timed, counted one
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(call, runs, *, warm_up=1, cpu=False):
    """Median and 95th percentile, in milliseconds, of ``runs`` calls after ``warm_up`` untimed ones.

    With ``cpu``, also this process's CPU time per call in ms (mean ``app_cpu``, median ``app_cpu_median``) and
    PostgreSQL's backend's (mean ``db_cpu``): CPU does not wait for other work, so it holds on a loaded machine
    where wall times do not."""
    for _ in range(warm_up):
        call()
    times, cpu_times = [], []
    if cpu:
        app, database = time.process_time(), backend_cpu_seconds()
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
    result = summary(times)
    if cpu:
        result["app_cpu"] = (time.process_time() - app) * 1000 / runs
        result["app_cpu_median"] = statistics.median(cpu_times)
        after = backend_cpu_seconds()
        result["db_cpu"] = None if database is None or after is None else (after - database) * 1000 / runs
    return result


def setup_django():
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Production settings (DEBUG off), but static files by their plain names: no collectstatic manifest here.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


def sign_in(client, user):
    """Sign the test client in as ``user``, past the second factor when the project asks for one."""
    client.force_login(user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:  # no two-factor sign-in in this version of the project
        return
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def median_and_p95(call, runs):
    """``timed``'s median and 95th percentile as a pair (milliseconds), after one warm-up call."""
    times = timed(call, runs)
    return times["median"], times["p95"]
