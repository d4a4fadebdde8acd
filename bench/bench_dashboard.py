"""Benchmark the dashboard (issue 5): /dashboard/ and its JSON API on ``seed_demo --reviews 100000``.

Usage (from the project folder, on the shared benchmark database; nothing in it is changed except two users,
their sessions and the manager's authenticator):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_dashboard.py [--runs 30] [--year 2008-09] [--markdown out.md]

In this one process and the same run it times:

- the raw SQL floor: the aggregate statements the page and each endpoint send (captured from a request
  with the cache off), run through a plain psycopg2 connection;
- each request through Django's test Client (middleware, sign-in, permissions, the form, the queries,
  the rendering: everything the server does), as a manager, with Django's cache emptied before every
  request ("cold": as right after a write, every request computes its figures from the rows the database
  keeps and the year's evaluations) and kept ("warm": the data version is checked and the answer comes from
  the cache, as it does for every request after the first until someone writes);

and reports the median and 95th percentile of each, the number of queries of a request, and the ratio of
each cold request to its SQL floor.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchkit  # noqa: E402  (this script's folder is on the path when it runs)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

BENCH_MANAGER = "bench-dashboard-manager"
BENCH_BOARD = "bench-dashboard-board"
BOARD_CODES = ("E08000025",)  # Birmingham
PAGE_TARGET_MS, API_TARGET_MS, MAX_QUERIES, FLOOR_RATIO = 150, 50, 8, 2.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per case (after one warm-up)")
    parser.add_argument("--year", default="2008-09", help="the reporting year the page shows")
    parser.add_argument("--markdown", help="also write the results table to this file")
    return parser.parse_args()


def timed(function, runs):
    """(median, p95) of the wall time in ms, and the median CPU time of this process (the database server's is not
    in it): on a shared machine the wall time follows the load, the CPU time much less."""
    result = benchkit.timed(function, runs, cpu=True)
    return result["median"], result["p95"], result["app_cpu_median"]


def main():
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Pages name static files by their plain names (no collectstatic manifest needed), as in the tests.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    import psycopg2
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dashboard.queries import data_version
    from reviews.accounts import assign_role
    from reviews.models import Board, Evaluation, Review

    reviews, evaluations = Review.objects.count(), Evaluation.objects.count()
    if reviews < 1000:
        sys.exit(f"The database holds {reviews} reviews: seed it first (seed_demo --reviews 100000).")

    User = get_user_model()
    manager, _ = User.objects.get_or_create(username=BENCH_MANAGER)
    assign_role(manager, role="manager")
    board_user, _ = User.objects.get_or_create(username=BENCH_BOARD)
    assign_role(board_user, role="board_staff", boards=list(Board.objects.filter(gss_code__in=BOARD_CODES)))

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from reviews.accounts import needs_second_factor

    clients = {}
    for user in (manager, board_user):
        client = Client()
        client.force_login(user)
        if needs_second_factor(user):  # signed in with the second factor too, as after the two-factor page
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="Benchmark", defaults={"confirmed": True})
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        clients[user.username] = client

    year = args.year
    cases = [
        ("page", "page", BENCH_MANAGER, f"/dashboard/?year={year}"),
        ("page", "page, region=E12000005", BENCH_MANAGER, f"/dashboard/?year={year}&region=E12000005"),
        ("page", "page, board staff", BENCH_BOARD, f"/dashboard/?year={year}"),
        ("page", "page, every year (3,000+ board rows)", BENCH_MANAGER, f"/dashboard/?year={year}&span=all"),
        (
            "page",
            "page, every year, board rows page 8 by inadequate %",
            BENCH_MANAGER,
            f"/dashboard/?year={year}&span=all&sort=-inadequate_pct&page=8",
        ),
        ("api", "api/summary", BENCH_MANAGER, f"/dashboard/api/summary?year={year}"),
        ("api", "api/summary, board", BENCH_MANAGER, f"/dashboard/api/summary?year={year}&board=E08000025"),
        (
            "api",
            "api/judgement-rates?group=board (every year)",
            BENCH_MANAGER,
            "/dashboard/api/judgement-rates?group=board",
        ),  # fmt: skip
        (
            "api",
            "api/judgement-rates?group=region",
            BENCH_MANAGER,
            f"/dashboard/api/judgement-rates?group=region&year={year}",
        ),  # fmt: skip
        ("api", "api/judgement-rates?group=national", BENCH_MANAGER, "/dashboard/api/judgement-rates?group=national"),
    ]

    floor_connection = psycopg2.connect(**_psycopg_params(connections["reporting"].settings_dict))
    floor_connection.autocommit = True

    def floor_of(statements):
        def run():
            with floor_connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        return run

    def count_queries(get):
        """The queries of one request (the fewest of three: the session middleware sometimes saves the
        session, three more statements that are not the dashboard's), and its aggregate statements."""
        counts = []
        for _ in range(3):
            with (
                CaptureQueriesContext(connections["default"]) as default,
                CaptureQueriesContext(connections["reporting"]) as reporting,
            ):
                get()
            counts.append(len(default.captured_queries) + len(reporting.captured_queries))
        # The aggregates: every reporting statement but the data version check.
        return min(counts), [q["sql"] for q in reporting.captured_queries if "reviews_dataversion" not in q["sql"]]

    results = []
    for kind, label, username, path in cases:
        client = clients[username]

        def get(client=client, path=path):
            response = client.get(path, secure=True)
            assert response.status_code == 200, (path, response.status_code)

        def get_cold(get=get):
            cache.clear()
            get()

        cache.clear()
        cold_queries, aggregates = count_queries(get_cold)
        floor = timed(floor_of(aggregates), args.runs)
        cold = timed(get_cold, args.runs)
        cache.clear()
        get()  # fills the cache
        warm_queries, _ = count_queries(get)
        version = data_version()
        warm = timed(get, args.runs)
        # A write somewhere (another session's) during the warm runs changes the data version, and the
        # requests after it computed their figures again: the warm figures are then not all warm.
        unchanged = data_version() == version
        results.append((kind, label, floor, cold, warm, cold_queries, warm_queries, unchanged))
        print(
            f"{label}: floor {floor[0]:.1f} ms, cold {cold[0]:.1f}/{cold[1]:.1f} (CPU {cold[2]:.1f}), "
            f"warm {warm[0]:.1f}/{warm[1]:.1f} (CPU {warm[2]:.1f})"
        )

    lines = [
        f"{reviews:,} reviews, {evaluations:,} evaluations; reporting year {year}; {args.runs} requests per case; "
        f"times in ms (median / p95); CPU: this process's median; load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| request | SQL floor | cold (cache emptied) | ratio cold/floor (p50, p95) | cold CPU | warm (cache on) "
        "| warm CPU | version unchanged during warm runs | queries cold / warm | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, label, floor, cold, warm, cold_queries, warm_queries, unchanged in results:
        target = PAGE_TARGET_MS if kind == "page" else API_TARGET_MS
        met = "met" if warm[1] <= target and warm_queries <= MAX_QUERIES else "MISSED"
        lines.append(
            f"| {label} | {floor[0]:.1f} / {floor[1]:.1f} | {cold[0]:.1f} / {cold[1]:.1f} | "
            f"{cold[0] / floor[0]:.2f}, {cold[1] / floor[1]:.2f} | {cold[2]:.1f} | {warm[0]:.1f} / {warm[1]:.1f} | "
            f"{warm[2]:.1f} | "
            f"{'yes' if unchanged else 'no'} | {cold_queries} / {warm_queries} | p95 ≤ {target} ms: {met} |"
        )
    table = "\n".join(lines)
    print()
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    floor_connection.close()


def _psycopg_params(settings):
    params = {"dbname": settings["NAME"], "user": settings["USER"], "host": settings["HOST"]}
    if settings.get("PASSWORD"):
        params["password"] = settings["PASSWORD"]
    if settings.get("PORT"):
        params["port"] = settings["PORT"]
    # The same server settings as the app's connection (planner cost, JIT off): the floor runs the same plans.
    if options := settings.get("OPTIONS", {}).get("options"):
        params["options"] = options
    return params


if __name__ == "__main__":
    main()
