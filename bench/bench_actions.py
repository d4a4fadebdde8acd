"""Benchmark the action tracker (issue 15): ``/actions/`` page 1 with each single filter on
``seed_demo --reviews 100000`` (about 500,000 actions). Target: p95 <= 100 ms, at most 6 queries.

Usage (from the project folder, on a database seeded with ``seed_demo --reviews 100000``; nothing in it is
changed except two users and their sessions):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_plans_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_actions.py [--runs 30] [--markdown out.md]

For each case and each of two readers (an inspector: every submitted review; board staff of Birmingham: their
board's reviews, drafts included, and those it contributed to) it times, in this one process and in the same
run, ``GET /actions/?...`` through Django's test Client (middleware, sign-in, permissions, the FilterSet, the
query, the template), and two floors: the page's own data query run alone through Django's cursor (SQL floor),
and a signed-in 404 page (the same middleware and layout, no data: page floor). It reports the median and
95th percentile of each, the page's query count and its ratios to the floors, and the mean CPU time per
request of this process and of PostgreSQL's backend (read from /proc: the database must run on this machine),
which other work on a shared machine does not inflate as it does the wall-clock times. Run it on a vacuumed
table (seed_demo vacuums; autovacuum does on a normal server): the tracker's counts are index-only scans.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from benchkit import setup_django, timed  # noqa: E402  (this script's folder is on the path when run)

BENCH_INSPECTOR = "bench-actions-inspector"
BENCH_BOARD = "bench-actions-board"
BIRMINGHAM = "E08000025"

CASES = [
    ("no filter", ""),
    ("board=E08000025 (Birmingham)", "board=E08000025"),
    ("region=E12000005 (West Midlands)", "region=E12000005"),
    ("status=not_started", "status=not_started"),
    ("status=completed", "status=completed"),
    ("owner_agency=police", "owner_agency=police"),
    ("overdue=yes", "overdue=yes"),
    ("due_after=2012-01-01", "due_after=2012-01-01"),
    ("due_before=2009-06-30", "due_before=2009-06-30"),
    ("o=-due", "o=-due"),
    ("o=review", "o=review"),
]


def bench_users():
    from django.contrib.auth.models import Group, User

    from reviews.models import Board

    inspector, _ = User.objects.get_or_create(username=BENCH_INSPECTOR)
    inspector.groups.set([Group.objects.get(name="inspector")])
    board_user, _ = User.objects.get_or_create(username=BENCH_BOARD)
    board_user.groups.set([Group.objects.get(name="board_staff")])
    board_user.boards.set([Board.objects.get(gss_code=BIRMINGHAM)])
    return {"inspector": inspector, "board staff (Birmingham)": board_user}


def signed_in_client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client, query, runs):
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    url = f"/actions/?{query}" if query else "/actions/"

    def page():
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        return response

    page()  # the process's first page loads the boards and regions once (reviews/register/choices.py)
    # Django empties the query log when a request starts (request_started -> reset_queries): keep it for this one.
    request_started.disconnect(reset_queries)
    try:
        with CaptureQueriesContext(connection) as captured:
            html = page().content.decode()
    finally:
        request_started.connect(reset_queries)
    assert "govuk-error-summary" not in html, f"{url} is invalid"
    # Counted now: the next requests empty the query log again.
    queries = len(captured.captured_queries)
    data = [q["sql"] for q in captured.captured_queries if "reviews_action" in q["sql"]]

    def sql_floor():
        with connection.cursor() as cursor:
            for sql in data:
                cursor.execute(sql)
                cursor.fetchall()

    def page_floor():
        assert client.get("/no-such-page/", secure=True).status_code == 404

    return {
        "page": timed(page, runs, warm_up=3, cpu=True),
        "sql": timed(sql_floor, runs, warm_up=3, cpu=True),
        "floor": timed(page_floor, runs, warm_up=3, cpu=True),
        "queries": queries,
    }


def cpu(result):
    database = result["db_cpu"] or 0
    return f"{result['app_cpu'] + database:.1f} ({result['app_cpu']:.1f} + {database:.1f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()
    setup_django()
    import logging

    from reviews.plans import Action

    logging.disable(logging.WARNING)  # the request log (and the 404 floor's "access refused") would bury the table

    actions = Action.objects.count()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    lines = [
        f"{actions:,} actions; {args.runs} runs a case; times in ms; ratios are to floors measured in this run; "
        f"load average at the start {load}. CPU: mean per request, the app's process + PostgreSQL's backend.",
        "",
        "| reader | case | queries | page median | page p95 | SQL floor p95 | page floor p95 | p95 / SQL floor "
        "| p95 / page floor | page CPU (app + db) | page floor CPU | SQL floor CPU (db) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    worst = 0.0
    for role, user in bench_users().items():
        client = signed_in_client(user)
        for label, query in CASES:
            result = measure(client, query, args.runs)
            page, sql, floor = result["page"], result["sql"], result["floor"]
            worst = max(worst, page["p95"])
            line = (
                f"| {role} | {label} | {result['queries']} | {page['median']:.1f} | {page['p95']:.1f} | "
                f"{sql['p95']:.1f} | {floor['p95']:.1f} | {page['p95'] / sql['p95']:.2f} | "
                f"{page['p95'] / floor['p95']:.2f} | {cpu(page)} | {cpu(floor)} | {sql['db_cpu'] or 0:.1f} |"
            )
            print(line, flush=True)
            lines.append(line)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    lines += ["", f"Worst p95: {worst:.1f} ms (target 100 ms). Load average at the end {load}."]
    print(lines[-1])
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
