"""Benchmark ``GET /dashboard/api/actions`` (issue 15: p95 <= 150 ms) on ``seed_demo --reviews 100000``.

Usage (from the project folder, on a seeded benchmark database; nothing in it is changed except two users and
their sessions):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_actions_api.py [--runs 30]

In this one process and the same run it times, for each case: the raw SQL floor (the figures statement the
request sends, captured with the cache off, run through a plain psycopg2 connection); the request through
Django's test Client with Django's cache emptied before every request ("cold": as right after a write to any
review, recommendation or action); and with the cache kept ("warm": every request after the first until
someone writes). It prints the median and 95th percentile of each and the queries of a request, and times the
base-table statement of the same figures (the join the API sent before ``CountedAction``) for comparison. The
target is met with the cache empty: the cache is an optimisation, never a condition for speed.
"""

import argparse
import os
import sys
from pathlib import Path

from benchkit import median_and_p95

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

BENCH_MANAGER = "bench-actions-manager"
BENCH_BOARD = "bench-actions-board"
TARGET_MS = 150


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per case (after one warm-up)")
    args = parser.parse_args()
    import django

    django.setup()
    import psycopg2
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from reviews.accounts import assign_role, needs_second_factor
    from reviews.models import Action, Board

    actions = Action.objects.count()
    if actions < 1000:
        sys.exit(f"The database holds {actions} actions: seed it first (seed_demo --reviews 100000).")
    User = get_user_model()
    manager, _ = User.objects.get_or_create(username=BENCH_MANAGER)
    assign_role(manager, role="manager")
    board_user, _ = User.objects.get_or_create(username=BENCH_BOARD)
    assign_role(board_user, role="board_staff", boards=list(Board.objects.filter(gss_code="E08000025")))
    clients = {}
    for user in (manager, board_user):
        client = Client()
        client.force_login(user)
        if needs_second_factor(user):
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="Benchmark", defaults={"confirmed": True})
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        clients[user.username] = client

    cases = [
        ("national, every board's row", BENCH_MANAGER, "/dashboard/api/actions"),
        ("as_of 2020-03-31", BENCH_MANAGER, "/dashboard/api/actions?as_of=2020-03-31"),
        ("region=E12000005", BENCH_MANAGER, "/dashboard/api/actions?region=E12000005"),
        ("board=E08000025", BENCH_MANAGER, "/dashboard/api/actions?board=E08000025"),
        ("board staff, national", BENCH_BOARD, "/dashboard/api/actions"),
    ]
    settings = connections["reporting"].settings_dict
    floor_connection = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        options=settings.get("OPTIONS", {}).get("options"),
    )
    floor_connection.autocommit = True

    # The statement the API sent before the counted actions were kept (a join of actions, recommendations and
    # reviews), timed in the same run as the ratio's reference.
    from django.utils import timezone

    with CaptureQueriesContext(connections["default"]) as captured:
        Action.objects.counted().figures_by_board(timezone.localdate())
    [before_sql] = [q["sql"] for q in captured.captured_queries]

    def before():
        with floor_connection.cursor() as cursor:
            cursor.execute(before_sql)
            cursor.fetchall()

    rows = []
    for label, username, path in cases:
        client = clients[username]

        def get(client=client, path=path):
            response = client.get(path, secure=True)
            assert response.status_code == 200, (path, response.status_code)

        def get_cold(get=get):
            cache.clear()
            get()

        with CaptureQueriesContext(connections["reporting"]) as reporting:
            get_cold()
        statements = [q["sql"] for q in reporting.captured_queries if "reviews_dataversion" not in q["sql"]]

        def floor(statements=statements):
            with floor_connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        with CaptureQueriesContext(connections["default"]) as default:
            get_cold()
        queries = len(default.captured_queries) + len(statements) + 1
        floor_ms, cold, warm = (
            median_and_p95(floor, args.runs),
            median_and_p95(get_cold, args.runs),
            median_and_p95(get, args.runs),
        )
        rows.append((label, floor_ms, cold, warm, queries))
        print(
            f"{label}: floor {floor_ms[0]:.0f} ms, cold {cold[0]:.0f}/{cold[1]:.0f}, warm {warm[0]:.1f}/{warm[1]:.1f}"
        )

    before_ms = median_and_p95(before, args.runs)
    print(
        f"\nThe base-table statement of the same figures (before the counted actions): {before_ms[0]:.0f} / "
        f"{before_ms[1]:.0f} ms, {before_ms[0] / rows[0][1][0]:.1f} times the national floor (p50)"
    )
    print(
        f"\n{actions:,} actions; {args.runs} requests per case; load average {os.getloadavg()[0]:.1f}; "
        "ms (median / p95)\n"
    )
    print("| request | SQL floor | cold (cache emptied) | cold / floor (p50) | warm (cache kept) | queries | target |")
    print("|---|---|---|---|---|---|---|")
    for label, floor_ms, cold, warm, queries in rows:
        met = "met" if cold[1] <= TARGET_MS else "MISSED"
        print(
            f"| {label} | {floor_ms[0]:.0f} / {floor_ms[1]:.0f} | {cold[0]:.0f} / {cold[1]:.0f} | "
            f"{cold[0] / floor_ms[0]:.2f} | {warm[0]:.1f} / {warm[1]:.1f} | {queries} | "
            f"cold p95 ≤ {TARGET_MS} ms: {met} |"
        )
    floor_connection.close()


if __name__ == "__main__":
    main()
