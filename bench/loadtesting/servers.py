"""The servers under load: gunicorn started and stopped, their CPU read, requests sent one at a time."""

import atexit
import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

from loadtesting import (
    ROOT,
    VENV_BIN,
)

# --- Machine load -----------------------------------------------------------------------------------------------


def cpu_times():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def busy_percent(before, after):
    """Share of all CPUs busy between two ``cpu_times()`` readings, in per cent."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return 100.0 * busy / total if total else 0.0


# --- Server CPU ------------------------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_stat(pid):
    """(ppid, utime + stime, cutime + cstime) of a process in seconds, from /proc; None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # fields from the 3rd (state) on
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, (int(fields[13]) + int(fields[14])) / TICKS


def tree_cpu_seconds(master_pid):
    """CPU seconds of gunicorn's workers: the live ones plus those the master has reaped (max_requests)."""
    stat = proc_stat(master_pid)
    if stat is None:
        return 0.0
    total = stat[1] + stat[2]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (child := proc_stat(entry.name)) and child[0] == master_pid:
            total += child[1]
    return total


def backend_cpu_seconds(application_name):
    """{pid: CPU seconds} of the live PostgreSQL backends of the server's connections (same machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name])
        pids = [row[0] for row in cursor.fetchall()]
    return {pid: stat[1] for pid in pids if (stat := proc_stat(pid))}


def backend_cpu_delta(before, after):
    """CPU seconds the backends spent between two readings: a backend that started in between counts in
    full; one that ended in between (a worker recycled, a connection past CONN_MAX_AGE) is lost, so this
    is a lower bound."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# --- Servers ----------------------------------------------------------------------------------------------------

_children = []


def _stop_children():
    for process in _children:
        stop_process(process)


def stop_process(process, wait=15):
    """SIGTERM the process group we started (gunicorn's master and workers), then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


atexit.register(_stop_children)


def write_settings_overlay(folder, static_root):
    """A settings module that is the project's own with STATIC_ROOT in ``folder`` (the repo stays clean)."""
    folder = Path(folder)
    (folder / "loadtest_settings.py").write_text(
        f"from scr_register.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    return "loadtest_settings"


def server_env(*, database_url, secret_key, settings_folder, reporting_url=None, extra=None):
    """The environment of a production-like server process (DEBUG off, behind a TLS proxy)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "DATABASE_URL", "REPORTING_DATABASE_URL"))
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_DEBUG="false",
        DJANGO_SECURE_PROXY="true",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="loadtest_settings",
        PYTHONPATH=os.pathsep.join([str(settings_folder), str(ROOT)]),
    )
    if reporting_url:
        env["REPORTING_DATABASE_URL"] = reporting_url
    env.update(extra or {})
    return env


def collectstatic(env, log):
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_gunicorn(env, *, bind, workers, log_path, access_log):
    """gunicorn as production runs it (gunicorn.conf.py), in a process group of its own."""
    env = {**env, "GUNICORN_WORKERS": str(workers), "GUNICORN_BIND": bind, "GUNICORN_ACCESS_LOG": str(access_log)}
    # Exports at once: fewer than the workers (docs/DEPLOYMENT.md), so one worker stays free for everything else.
    env.setdefault("DJANGO_EXPORT_SLOTS", str(max(1, workers - 1)))
    log = open(log_path, "ab")  # noqa: SIM115 - kept open for the server's life
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "scr_register.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _children.append(process)
    return process


def open_response(base, path, cookie=None, timeout=30):
    """(connection, response, seconds to the status line and headers) of one GET through the stack, as the
    TLS proxy would forward it; the caller reads the body and closes the connection."""
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    headers = {"X-Forwarded-Proto": "https", "User-Agent": "scr-loadtest"}
    if cookie and cookie != "-":
        headers["Cookie"] = cookie
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
    except BaseException:
        connection.close()
        raise
    return connection, response, time.monotonic() - started


def fetch(base, path, cookie=None, timeout=30):
    """(status, headers, body) of one GET."""
    connection, response, _ = open_response(base, path, cookie, timeout)
    try:
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def fetch_timed(base, path, cookie=None, timeout=30):
    """(status, seconds to the status line and headers, seconds to the last byte) of one GET."""
    started = time.monotonic()
    connection, response, first_byte = open_response(base, path, cookie, timeout)
    try:
        while response.read(1 << 16):
            pass
        return response.status, first_byte, time.monotonic() - started
    finally:
        connection.close()


def wait_until_up(base, deadline=60, process=None):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if fetch(base, "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{base}/healthz did not answer 200 within {deadline} s")
