"""Load test (issue 6): signed-in users against gunicorn with 2 workers on ``seed_demo --reviews 100000``.

Usage (from the project folder; the shared benchmark database must be migrated):

    .venv/bin/python bench/loadtest.py [--database-url postgres://postgres@127.0.0.1:5432/scr_bench]
        [--duration 20] [--connections 16] [--only floor,filtered] [--no-overload] [--markdown out.md]

What it does, all on 127.0.0.1 and bounded in time:

1. Builds signed-in sessions in the database for its own users (``ops-load-inspector-N``,
   ``ops-load-manager-N``, each with a confirmed authenticator), exactly as a sign-in with the second factor
   leaves them: Django's auth keys, django-otp's device key and the session clocks of
   ``scr_register/middleware.py``. The sessions are signed with a throwaway secret key that the server gets
   too. The only other writes are the ReadEvents that review pages and exports record for those users.
2. Collects the static files into a temporary folder (DEBUG is off: hashed names from the manifest) and
   starts ``gunicorn -c gunicorn.conf.py scr_register.wsgi`` with 2 workers (DJANGO_DEBUG=false,
   DJANGO_SECURE_PROXY=true: every request says X-Forwarded-Proto: https as the TLS proxy would).
   With ``--target URL`` it starts nothing and loads a server that is already running (the scale-out
   drill's nginx), which must share ``--secret-key`` and the database.
3. Checks every path once (the status it must answer; a signed-in page that redirects to the sign-in page
   would look fast and be wrong), warms the workers up, then runs wrk (``-t2 -c16 -d20s``,
   bench/loadtest.lua) per scenario: the trivial-view floors, the register, the filtered register, single
   filters, review pages, the dashboard, the JSON API, a filtered export, and a mix of signed-in users.
4. An abandoned download: a full export read for 300 kB, then the client goes away; its export slot must be
   held meanwhile (another full export answers "busy" when the slots are all taken) and freed after.
5. Overload: 100 clients (threads) for 15 s on expensive requests (the full export; the dashboard for
   varied years and boards, so most answers are computed, not cached), each request timed to its last byte
   or a 30 s timeout, so the ones queued in front of the workers count (wrk drops requests still open when
   it stops); a fresh server for each overload. Reports what the server answered and how long it took.

Errors are responses outside 2xx/3xx plus socket errors and wrk timeouts; redirects are counted too.
"""

import argparse
import atexit
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "loadtest.lua"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/scr_bench"
USER_PREFIX = "ops-load-"
INSPECTORS = 4
MANAGERS = 2
RESULT_MARK = "LOADTEST_RESULT "
APPLICATION_NAME = "scr-loadtest"
FILTERED = "/reviews/?judgement=inadequate&year=2008-09"
# A TOTP key of our own users' authenticators (hex, as django-otp stores it): the drill signs in with it.
LOADTEST_TOTP_KEY = "3132333435363738393031323334353637383930"


@dataclass
class Scenario:
    """A named load: lines of (cookie, path) that wrk picks from at random, and the status class expected."""

    name: str
    description: str
    lines: list = field(default_factory=list)
    expect: str = "2xx"  # "2xx" or "3xx": the status every request of the scenario must get
    connections: int | None = None
    duration: int | None = None
    timeout: int = 10


# --- Parsing wrk's output --------------------------------------------------------------------------------------


def parse_wrk_output(text):
    """The result line of bench/loadtest.lua as a dict, with requests/s, milliseconds and an error count.

    ``errors`` counts responses outside 2xx/3xx (wrk's own status errors), socket errors (connect, read,
    write) and timeouts. Raises ValueError when the output has no result line (wrk failed to start).
    """
    for line in text.splitlines():
        if line.startswith(RESULT_MARK):
            raw = json.loads(line[len(RESULT_MARK) :])
            break
    else:
        raise ValueError("no LOADTEST_RESULT line in wrk's output:\n" + text[-2000:])
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"]
    bad_status = raw["status_4xx"] + raw["status_5xx"] + raw["status_other"]
    return {
        **raw,
        "seconds": seconds,
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "socket_errors": socket_errors,
        "errors": max(raw["status_errors"], bad_status) + socket_errors + raw["timeouts"],
    }


def meets_target(result, *, min_rps=150, max_p99_ms=150):
    """The issue's target for the filtered list: at least 150 requests/s, p99 at most 150 ms, no error."""
    return result["rps"] >= min_rps and result["p99_ms"] <= max_p99_ms and result["errors"] == 0


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


# --- Django side: users, sessions, paths -----------------------------------------------------------------------


def setup_django(database_url, secret_key):
    """Django in this process with the server's settings, so sessions are signed as the server expects."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SECRET_KEY"] = secret_key
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scr_register.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_users():
    """Our own inspectors and managers, each with a confirmed authenticator (created once, kept)."""
    from django.contrib.auth.models import Group, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    users = []
    for role, count in (("inspector", INSPECTORS), ("manager", MANAGERS)):
        group = Group.objects.get(name=role)
        for number in range(1, count + 1):
            user, created = User.objects.get_or_create(username=f"{USER_PREFIX}{role}-{number}")
            if created:
                user.set_unusable_password()
                user.save()
            user.groups.set([group])
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="load test", defaults={"confirmed": True, "key": LOADTEST_TOTP_KEY}
            )
            users.append((role, user, device))
    return users


def signed_in_session(user, device):
    """A session row as a sign-in with the second factor leaves it; returns the session key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY

    from scr_register.middleware import LAST_SEEN_AT, SIGNED_IN_AT

    now = int(time.time())
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now
    session.create()
    return session.session_key


def delete_sessions(session_keys):
    """Sign our load-test sessions out (their rows go), so runs leave no live sessions behind."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    Session.objects.filter(session_key__in=session_keys).delete()
    connection.close()


def cookie_for(session_key):
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


def sample_review_paths(count=200, seed=6):
    """Detail paths of submitted or evaluated reviews spread over the whole table (the same on every run)."""
    from reviews.models import Review

    ids = list(Review.objects.exclude(status=Review.Status.DRAFT).order_by("pk").values_list("pk", flat=True))
    random.Random(seed).shuffle(ids)
    return [f"/reviews/{pk}/" for pk in sorted(ids[:count])]


def sample_dashboard_paths(count=400, seed=6):
    """Dashboard pages for varied years, regions and boards: most of them a cold cache in each worker."""
    from dashboard import queries
    from reviews.models import Board

    years = queries.reporting_years()
    boards = list(Board.objects.values_list("gss_code", "region__code"))
    rng = random.Random(seed)
    paths = set()
    while len(paths) < count:
        board, region = rng.choice(boards)
        year = rng.choice(years)
        paths.add(f"/dashboard/?year={year}&region={region}&board={board}")
    return sorted(paths)


def build_scenarios(cookies, review_paths, dashboard_paths):
    """The scenarios in the order they run; ``cookies`` maps role -> list of session cookies."""
    inspector, manager = cookies["inspector"][0], cookies["manager"][0]
    year = "2008-09"

    def one(cookie, path, repeat=1):
        return [(cookie, path)] * repeat

    mix = []
    for cookie in cookies["inspector"]:
        mix += one(cookie, "/reviews/", 4)
        mix += one(cookie, FILTERED, 4)
        mix += one(cookie, "/reviews/?region=E12000005", 2)
        mix += one(cookie, "/reviews/?category=weak_management&o=-evaluated", 2)
        mix += one(cookie, "/reviews/?q=neglect", 1)
        mix += [(cookie, path) for path in review_paths[:: max(1, len(review_paths) // 5)]]
        mix += one(cookie, f"/reviews/export.csv?judgement=inadequate&year={year}&region=E12000005", 1)
    for cookie in cookies["manager"]:
        mix += one(cookie, "/dashboard/", 3)
        mix += one(cookie, f"/dashboard/?year={year}&region=E12000005", 2)
        mix += one(cookie, f"/dashboard/api/summary?year={year}", 2)
        mix += one(cookie, f"/dashboard/api/judgement-rates?group=region&year={year}", 2)
        mix += one(cookie, f"/reviews/?year={year}", 2)
    return [
        Scenario("floor: /healthz", "no session; one SELECT 1; the cheapest answer of the stack", one("-", "/healthz")),
        Scenario(
            "floor: / (signed in)",
            "session, user, device and role read; a redirect to the start page",
            one(inspector, "/"),
            expect="3xx",
        ),
        Scenario("register /reviews/", "first page, no filter", one(inspector, "/reviews/")),
        Scenario("filtered: judgement + year", FILTERED, one(inspector, FILTERED)),
        Scenario(
            "filter: judgement", "/reviews/?judgement=inadequate", one(inspector, "/reviews/?judgement=inadequate")
        ),
        Scenario("filter: year", f"/reviews/?year={year}", one(inspector, f"/reviews/?year={year}")),
        Scenario("filter: region", "/reviews/?region=E12000005", one(inspector, "/reviews/?region=E12000005")),
        Scenario(
            "filter: category",
            "/reviews/?category=weak_management",
            one(inspector, "/reviews/?category=weak_management"),
        ),
        Scenario(
            "review pages",
            f"/reviews/<id>/ for {len(review_paths)} reviews",
            [(inspector, path) for path in review_paths],
        ),
        Scenario("dashboard", "/dashboard/ (the manager's start page)", one(manager, "/dashboard/")),
        Scenario(
            "JSON API",
            f"/dashboard/api/summary?year={year} and judgement-rates?group=board",
            one(manager, f"/dashboard/api/summary?year={year}")
            + one(manager, f"/dashboard/api/judgement-rates?group=board&year={year}"),
        ),
        Scenario(
            "filtered export (CSV)",
            f"/reviews/export.csv?judgement=inadequate&year={year}",
            one(inspector, f"/reviews/export.csv?judgement=inadequate&year={year}"),
        ),
        Scenario(
            "mixed signed-in users",
            f"{len(cookies['inspector'])} inspectors, {len(cookies['manager'])} managers: lists, filters, "
            "review pages, dashboard, API, export",
            mix,
        ),
    ]


def overload_scenarios(cookies, dashboard_paths):
    inspector, manager = cookies["inspector"][0], cookies["manager"][0]
    return [
        Scenario(
            "overload: full export",
            "/reviews/export.csv (every submitted review) from 100 connections",
            [(inspector, "/reviews/export.csv")],
        ),
        Scenario(
            "overload: cold dashboard",
            f"/dashboard/?year&region&board, {len(dashboard_paths)} variants, from 100 connections",
            [(manager, path) for path in dashboard_paths],
        ),
    ]


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


def _get(base, path, cookie=None, timeout=30):
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
    connection, response, _ = _get(base, path, cookie, timeout)
    try:
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def fetch_timed(base, path, cookie=None, timeout=30):
    """(status, seconds to the status line and headers, seconds to the last byte) of one GET."""
    started = time.monotonic()
    connection, response, first_byte = _get(base, path, cookie, timeout)
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


def check_paths(base, scenario, sample=8):
    """Distinct requests of a scenario (all, or ``sample`` spread over a long list) answer the expected
    status class once each; returns the problems."""
    lines = sorted(set(scenario.lines))
    if len(lines) > sample:
        lines = lines[:: len(lines) // sample][:sample]
    problems = []
    for cookie, path in lines:
        status, headers, _ = fetch(base, path, cookie)
        if f"{status // 100}xx" != scenario.expect:
            where = headers.get("Location", "")
            problems.append(f"{scenario.name}: {path} answered {status} {where}".strip())
    return problems


# --- wrk --------------------------------------------------------------------------------------------------------


def run_wrk(base, scenario, *, folder, threads, connections, duration, cpu_probe=None):
    """One bounded wrk run of a scenario; the parsed result plus the machine's load while it ran, and with
    ``cpu_probe`` (() -> (app CPU s, {backend pid: CPU s})) the CPU time the server spent per request."""
    requests_file = Path(folder) / f"requests-{re.sub(r'[^a-z0-9]+', '-', scenario.name.lower())}.txt"
    requests_file.write_text("".join(f"{cookie} {path}\n" for cookie, path in scenario.lines))
    connections = scenario.connections or connections
    duration = scenario.duration or duration
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={scenario.timeout}s",
        "-s",
        str(LUA),
        base,
    ]
    before = cpu_times()
    server_before = cpu_probe() if cpu_probe else None
    started = time.monotonic()
    completed = subprocess.run(
        command,
        env={**os.environ, "LOADTEST_REQUESTS": str(requests_file)},
        capture_output=True,
        text=True,
        timeout=duration + scenario.timeout + 60,
        check=False,
    )
    result = parse_wrk_output(completed.stdout + completed.stderr)
    result.update(
        name=scenario.name,
        description=scenario.description,
        expect=scenario.expect,
        command=" ".join(command[:5]) + " -s bench/loadtest.lua",
        connections=connections,
        wall_s=time.monotonic() - started,
        cpu_busy_pct=busy_percent(before, cpu_times()),
        load_after=os.getloadavg()[0],
        unexpected=(result["status_3xx"] if scenario.expect == "2xx" else result["status_2xx"]),
    )
    if server_before is not None and result["requests"]:
        app_after, backends_after = cpu_probe()
        app = app_after - server_before[0]
        db = backend_cpu_delta(server_before[1], backends_after)
        result.update(app_cpu_ms=1000 * app / result["requests"], db_cpu_ms=1000 * db / result["requests"])
    return result


# --- Overload: every request timed, queued ones included ---------------------------------------------------------


def overload(base, scenario, *, concurrency=100, duration=15, timeout=60, limit_ms=5000):
    """``concurrency`` clients, each sending the scenario's requests one after another for ``duration``
    seconds; every request started is timed to its last byte (or to ``timeout``), so the ones that waited
    in the queue in front of the workers count too (wrk drops requests still open when it stops)."""
    import threading

    records = []
    lock = threading.Lock()
    end = time.monotonic() + duration

    def client(number):
        rng = random.Random(number)
        while time.monotonic() < end:
            cookie, path = rng.choice(scenario.lines)
            started = time.monotonic()
            first_byte = None
            try:
                status, first_byte, _ = fetch_timed(base, path, cookie, timeout=timeout)
            except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, cut short
                status = type(error).__name__
            seconds = time.monotonic() - started
            with lock:
                records.append((status, seconds, path.split("?")[0], seconds if first_byte is None else first_byte))

    before = cpu_times()
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + timeout + 30)
    return summarise_overload(
        records,
        name=scenario.name,
        description=scenario.description,
        concurrency=concurrency,
        wall_s=time.monotonic() - started,
        cpu_busy_pct=busy_percent(before, cpu_times()),
        limit_ms=limit_ms,
    )


def export_slots_held():
    """How many export slots (reviews/exports.py's advisory locks) are held in the server's database now."""
    from django.db import connection

    from reviews.exports import SLOT_LOCK_CLASS

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s::oid"
            " AND objsubid = 2",
            [SLOT_LOCK_CLASS],
        )
        return cursor.fetchone()[0]


def check_abandoned_export(base, cookie, fmt="csv", read_bytes=300_000, wait=20):
    """A full export the client abandons part way: its slot is held while it downloads (so another full
    export is refused "busy" if the slots are all taken) and freed once the client goes away."""
    path = f"/reviews/export.{fmt}"
    connection, response, _ = _get(base, path, cookie)
    try:
        read = len(response.read(read_bytes))
        held_during = export_slots_held()
        other = fetch(base, path, cookie)[0]
    finally:
        response.close()  # the response holds the socket open too: the client goes away with most of the file unread
        connection.close()
    started = time.monotonic()  # the client has closed its connection
    while export_slots_held() and time.monotonic() - started < wait:
        time.sleep(0.2)
    freed_after = time.monotonic() - started
    return {
        "status": response.status,
        "read": read,
        "held_during": held_during,
        "other_export_meanwhile": other,
        "held_after": export_slots_held(),
        "freed_after_s": freed_after,
        "next_export": fetch(base, path, cookie)[0],
    }


def summarise_overload(records, *, limit_ms=5000, **extra):
    """Counts by status and the latency of every request in an overload run, in all and per path.

    ``records``: (status, seconds to the last byte, path, seconds to the first byte); a request with no
    answer counts its whole time as both. A request over the limit to its first byte waited; one over it
    only to its last byte was answered in time and spent the rest downloading.
    """
    latencies = sorted(seconds * 1000 for _, seconds, _, _ in records)

    def pick(fraction):
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] if latencies else 0.0

    statuses = Counter(str(status) for status, _, _, _ in records)
    by_path = {}
    for status, seconds, path, first_byte in records:
        entry = by_path.setdefault(
            path,
            {"requests": 0, "statuses": Counter(), "max_ms": 0.0, "over_limit": 0, "first_byte_over_limit": 0},
        )
        entry["requests"] += 1
        entry["statuses"][str(status)] += 1
        entry["max_ms"] = max(entry["max_ms"], seconds * 1000)
        entry["over_limit"] += seconds * 1000 > limit_ms
        entry["first_byte_over_limit"] += first_byte * 1000 > limit_ms
    for entry in by_path.values():
        entry["statuses"] = dict(sorted(entry["statuses"].items()))
    return {
        **extra,
        "requests": len(records),
        "statuses": dict(sorted(statuses.items())),
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
        "max_ms": latencies[-1] if latencies else 0.0,
        "over_limit": sum(1 for value in latencies if value > limit_ms),
        "first_byte_max_ms": max((first_byte * 1000 for *_, first_byte in records), default=0.0),
        "first_byte_over_limit": sum(1 for *_, first_byte in records if first_byte * 1000 > limit_ms),
        "limit_ms": limit_ms,
        "fast_refusals": sum(
            1 for status, seconds, _, _ in records if str(status) in ("502", "503") and seconds * 1000 <= limit_ms
        ),
        "by_path": dict(sorted(by_path.items())),
    }


def overload_table(results):
    lines = [
        "| Overload | concurrent | requests | answers | p50 ms | p99 ms | max ms | over 5 s | first byte max ms "
        "| first byte over 5 s | CPU busy |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        answers = ", ".join(f"{count} x {status}" for status, count in result["statuses"].items())
        lines.append(
            f"| {result['name']} | {result['concurrency']} | {result['requests']} | {answers} | "
            f"{result['p50_ms']:.0f} | {result['p99_ms']:.0f} | {result['max_ms']:.0f} | {result['over_limit']} | "
            f"{result['first_byte_max_ms']:.0f} | {result['first_byte_over_limit']} | {result['cpu_busy_pct']:.0f}% |"
        )
        if len(result.get("by_path", {})) > 1:
            for path, entry in result["by_path"].items():
                answers = ", ".join(f"{count} x {status}" for status, count in entry["statuses"].items())
                lines.append(
                    f"| &nbsp;&nbsp;of which {path} | | {entry['requests']} | {answers} | | | "
                    f"{entry['max_ms']:.0f} | {entry['over_limit']} | | {entry['first_byte_over_limit']} | |"
                )
    return "\n".join(lines)


# --- Report -----------------------------------------------------------------------------------------------------


def _ms(value):
    return "" if value is None else f"{value:.1f}"


def markdown_table(results, floor_rps=None):
    lines = [
        "| Scenario | req/s | x floor | p50 ms | p99 ms | max ms | errors | redirects/other | CPU busy "
        "| app CPU ms/req | db CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        ratio = f"{result['rps'] / floor_rps:.2f}" if floor_rps else ""
        statuses = []
        if result["status_5xx"]:
            statuses.append(f"{result['status_5xx']} 5xx")
        if result["status_4xx"]:
            statuses.append(f"{result['status_4xx']} 4xx")
        if result["socket_errors"]:
            statuses.append(f"{result['socket_errors']} socket")
        if result["timeouts"]:
            statuses.append(f"{result['timeouts']} timeouts")
        errors = str(result["errors"]) + (f" ({', '.join(statuses)})" if statuses else "")
        lines.append(
            f"| {result['name']} | {result['rps']:.1f} | {ratio} | {result['p50_ms']:.1f} | {result['p99_ms']:.1f} "
            f"| {result['max_ms']:.0f} | {errors} | {result['unexpected']} | {result['cpu_busy_pct']:.0f}% "
            f"| {_ms(result.get('app_cpu_ms'))} | {_ms(result.get('db_cpu_ms'))} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--secret-key", default=None, help="a throwaway key (random when not given)")
    parser.add_argument("--target", help="load a running server at this URL instead of starting gunicorn")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of mixed load before measuring")
    parser.add_argument("--only", help="comma-separated words: run the scenarios whose names contain one")
    parser.add_argument("--no-overload", action="store_true")
    parser.add_argument("--overload-connections", type=int, default=100)
    parser.add_argument("--overload-duration", type=int, default=15, help="seconds of starting new requests")
    parser.add_argument("--overload-timeout", type=int, default=30, help="seconds a client waits for an answer")
    parser.add_argument("--markdown", help="write the results table to this file")
    parser.add_argument("--json", help="write every result to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))  # so that atexit stops the server and deletes our sessions
    secret_key = args.secret_key or "loadtest-" + secrets.token_urlsafe(40)
    folder = Path(tempfile.mkdtemp(prefix="scr-loadtest-"))
    print(f"folder: {folder}", flush=True)
    setup_django(args.database_url, secret_key)

    users = load_users()
    cookies = {"inspector": [], "manager": []}
    session_keys = []
    for role, user, device in users:
        session_keys.append(signed_in_session(user, device))
        cookies[role].append(cookie_for(session_keys[-1]))
    atexit.register(delete_sessions, session_keys)
    review_paths = sample_review_paths()
    dashboard_paths = sample_dashboard_paths()
    scenarios = build_scenarios(cookies, review_paths, dashboard_paths)
    overloads = [] if args.no_overload else overload_scenarios(cookies, dashboard_paths)
    if args.only:
        words = [word.strip().lower() for word in args.only.split(",")]
        scenarios = [s for s in scenarios if s.name.startswith("floor") or any(w in s.name.lower() for w in words)]
        overloads = [s for s in overloads if any(w in s.name.lower() for w in words)]

    server = None
    if args.target:
        base = args.target.rstrip("/")
    else:
        base = f"http://127.0.0.1:{args.port}"
        static_root = folder / "static"
        # The server's connections name themselves, so their backends' CPU time can be read.
        separator = "&" if "?" in args.database_url else "?"
        server_url = f"{args.database_url}{separator}application_name={APPLICATION_NAME}"
        env = server_env(database_url=server_url, secret_key=secret_key, settings_folder=folder)
        write_settings_overlay(folder, static_root)
        with open(folder / "collectstatic.log", "wb") as log:
            collectstatic(env, log)

        def start_server():
            return start_gunicorn(
                env,
                bind=f"127.0.0.1:{args.port}",
                workers=args.workers,
                log_path=folder / "gunicorn.log",
                access_log=folder / "access.log",
            )

        server = start_server()
    wait_until_up(base, process=server)
    cpu_probe = None
    if server is not None:

        def cpu_probe():
            return tree_cpu_seconds(server.pid), backend_cpu_seconds(APPLICATION_NAME)

    problems = [problem for scenario in scenarios + overloads for problem in check_paths(base, scenario)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit("some paths do not answer as a signed-in user expects: no load run")
    mixed = next(s for s in build_scenarios(cookies, review_paths, dashboard_paths) if s.name.startswith("mixed"))
    if args.warmup:
        run_wrk(base, mixed, folder=folder, threads=args.threads, connections=4, duration=args.warmup)

    results = []
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    for scenario in scenarios:
        result = run_wrk(
            base,
            scenario,
            folder=folder,
            threads=args.threads,
            connections=args.connections,
            duration=args.duration,
            cpu_probe=cpu_probe,
        )
        results.append(result)
        print(
            f"{result['name']:<28} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
            f"p99 {result['p99_ms']:7.1f} ms  max {result['max_ms']:7.0f} ms  errors {result['errors']}  "
            f"unexpected {result['unexpected']}  CPU {result['cpu_busy_pct']:.0f}%  load {result['load_after']:.1f}  "
            f"app {_ms(result.get('app_cpu_ms'))} db {_ms(result.get('db_cpu_ms'))} CPU ms/req",
            flush=True,
        )
    abandoned = None
    if server is not None and overloads:
        abandoned = check_abandoned_export(base, cookies["inspector"][0])
        print(
            f"abandoned export: HTTP {abandoned['status']}, the client read {abandoned['read']:,} bytes and left; "
            f"slots held meanwhile {abandoned['held_during']} (another full export answered "
            f"{abandoned['other_export_meanwhile']}), {abandoned['held_after']} held "
            f"{abandoned['freed_after_s']:.1f} s after it left; the next full export answered "
            f"{abandoned['next_export']}",
            flush=True,
        )
    overload_results = []
    for number, scenario in enumerate(overloads):
        if number and server is not None:
            # Requests whose clients gave up are still queued in front of the workers, which would serve
            # them first: each overload starts on a fresh server.
            stop_process(server)
            server = start_server()
            wait_until_up(base, process=server)
            check_paths(base, scenario)  # and one request to load the code
        log_start = (folder / "gunicorn.log").stat().st_size if server is not None else 0
        result = overload(
            base,
            scenario,
            concurrency=args.overload_connections,
            duration=args.overload_duration,
            timeout=args.overload_timeout,
        )
        if server is not None:
            with open(folder / "gunicorn.log", "rb") as log:
                log.seek(log_start)
                text = log.read().decode("utf-8", "replace")
            result["statement_timeouts"] = text.count("canceling statement due to statement timeout")
            result["worker_timeouts"] = text.count("WORKER TIMEOUT")
        overload_results.append(result)
        print(
            f"{result['name']:<28} {result['requests']} requests from {result['concurrency']} clients: "
            f"{result['statuses']}; p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, max "
            f"{result['max_ms']:.0f} ms; {result['over_limit']} over 5 s, {result['first_byte_over_limit']} of them "
            f"to the first byte (max {result['first_byte_max_ms']:.0f} ms); statement timeouts "
            f"{result.get('statement_timeouts', '?')}, worker timeouts {result.get('worker_timeouts', '?')}",
            flush=True,
        )
    floor = next((r for r in results if r["name"].startswith("floor: /healthz")), None)
    table = markdown_table(results, floor["rps"] if floor else None)
    filtered = next((r for r in results if r["name"].startswith("filtered: judgement")), None)
    verdict = ""
    if filtered:
        verdict = (
            f"Filtered list: {filtered['rps']:.1f} req/s, p99 {filtered['p99_ms']:.1f} ms, {filtered['errors']} "
            f"errors: target (>= 150 req/s, p99 <= 150 ms, 0 errors) {'met' if meets_target(filtered) else 'MISSED'}."
        )
    summary = (
        f"Run {started}; {os.cpu_count()} CPUs; "
        f"{f'the server at {base}' if args.target else f'{args.workers} gunicorn workers'}; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s; load average after {os.getloadavg()[0]:.2f}; "
        f"median CPU busy {statistics.median(r['cpu_busy_pct'] for r in results):.0f}%."
    )
    report = table + "\n\n" + summary + "\n" + verdict + "\n"
    if abandoned:
        report += (
            f"\nAn abandoned full export: slots held while it downloaded {abandoned['held_during']}, another full "
            f"export meanwhile {abandoned['other_export_meanwhile']}, slots held after the client left "
            f"{abandoned['held_after']} (checked for {abandoned['freed_after_s']:.1f} s), the next full export "
            f"{abandoned['next_export']}.\n"
        )
    if overload_results:
        report += "\n" + overload_table(overload_results) + "\n"
    print("\n" + report)
    if args.markdown:
        Path(args.markdown).write_text(report)
    if args.json:
        Path(args.json).write_text(json.dumps({"load": results, "overload": overload_results}, indent=1))
    if server is not None:
        stop_process(server)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()
