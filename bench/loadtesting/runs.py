"""The load itself: wrk per scenario, the overload clients, the abandoned export."""

import http.client
import os
import random
import re
import subprocess
import time
from pathlib import Path

from loadtesting import (
    LUA,
)
from loadtesting.results import parse_wrk_output, summarise_overload
from loadtesting.servers import backend_cpu_delta, busy_percent, cpu_times, fetch, fetch_timed, open_response


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
    connection, response, _ = open_response(base, path, cookie)
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
