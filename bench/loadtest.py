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
import json
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder: loadtesting/, when run as a script
from loadtesting import (  # noqa: E402,F401  (callers and tests use the load test's parts from here)
    APPLICATION_NAME,
    DEFAULT_DATABASE,
    FILTERED,
    INSPECTORS,
    LOADTEST_TOTP_KEY,
    LUA,
    MANAGERS,
    RESULT_MARK,
    ROOT,
    USER_PREFIX,
    VENV_BIN,
)
from loadtesting.results import (  # noqa: E402,F401
    Scenario,
    cpu_ms_text,
    markdown_table,
    meets_target,
    overload_table,
    parse_wrk_output,
    summarise_overload,
)
from loadtesting.runs import (  # noqa: E402,F401
    check_abandoned_export,
    check_paths,
    export_slots_held,
    overload,
    run_wrk,
)
from loadtesting.servers import (  # noqa: E402,F401
    TICKS,
    backend_cpu_delta,
    backend_cpu_seconds,
    busy_percent,
    collectstatic,
    cpu_times,
    fetch,
    fetch_timed,
    proc_stat,
    server_env,
    start_gunicorn,
    stop_process,
    tree_cpu_seconds,
    wait_until_up,
    write_settings_overlay,
)
from loadtesting.sessions import (  # noqa: E402,F401
    build_scenarios,
    cookie_for,
    delete_sessions,
    load_users,
    overload_scenarios,
    sample_dashboard_paths,
    sample_review_paths,
    setup_django,
    signed_in_session,
)


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
            f"app {cpu_ms_text(result.get('app_cpu_ms'))} db {cpu_ms_text(result.get('db_cpu_ms'))} CPU ms/req",
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
