"""Where one cold dashboard request spends its time: SQL, Python and template rendering (issue 14).

Usage (from the project folder, on a seeded database; nothing in it is changed except the benchmark users of
bench_dashboard.py, their sessions and the manager's authenticator):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/profile_dashboard.py ["/dashboard/?year=2008-09" ...] [--top 25] [--explain]

For each path it empties Django's cache (as right after a write), sends one warm-up request, empties the cache
again and sends one request under cProfile, capturing every query with its time. It prints the request's CPU
time (this process: the database server's time is not in it), its wall time, the query count, the time spent
waiting for SQL, the time in Jinja2's rendering, and the functions that took longest; with ``--explain``, each
statement's ``EXPLAIN (ANALYZE, BUFFERS)`` on the reporting connection.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

DEFAULT_PATHS = ["/dashboard/?year=2008-09", "/dashboard/?year=2008-09&span=all"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    parser.add_argument("--top", type=int, default=25, help="functions listed, by cumulative time")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each statement")
    return parser.parse_args()


def _signed_in_manager():
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from reviews.accounts import assign_role, needs_second_factor

    manager, _ = get_user_model().objects.get_or_create(username="bench-dashboard-manager")
    assign_role(manager, role="manager")
    client = Client()
    client.force_login(manager)
    if needs_second_factor(manager):
        device, _ = TOTPDevice.objects.get_or_create(user=manager, name="Benchmark", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _rendering_seconds(stats):
    """Cumulative seconds in Jinja2's ``Template.render`` (outermost calls only: nested renders are inside)."""
    total = 0.0
    for (filename, _, name), (_, _, _, _, callers) in stats.stats.items():
        if name == "render" and filename.endswith(os.path.join("jinja2", "environment.py")):
            outer = {caller for caller in callers if f"{os.sep}jinja2{os.sep}" not in caller[0]}
            if outer:
                total += sum(callers[caller][3] for caller in outer)
    return total


def main():
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import CaptureQueriesContext, override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    from django.core.cache import cache
    from django.db import connections

    client = _signed_in_manager()
    print(f"load average {os.getloadavg()[0]:.2f}")
    for path in args.paths:
        cache.clear()
        assert client.get(path, secure=True).status_code == 200  # warm-up: imports, templates, connections
        cache.clear()
        profile = cProfile.Profile()
        with (
            CaptureQueriesContext(connections["default"]) as default,
            CaptureQueriesContext(connections["reporting"]) as reporting,
        ):
            cpu, wall = time.process_time(), time.perf_counter()
            profile.enable()
            response = client.get(path, secure=True)
            profile.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert response.status_code == 200
        queries = [*default.captured_queries, *reporting.captured_queries]
        sql = sum(float(q["time"]) for q in queries)
        stats = pstats.Stats(profile)
        rendering = _rendering_seconds(stats)
        print(f"\n== {path}: {len(response.content):,} bytes")
        print(
            f"wall {wall * 1000:.1f} ms (under cProfile), CPU of this process {cpu * 1000:.1f} ms, "
            f"{len(queries)} queries taking {sql * 1000:.1f} ms, Jinja2 rendering {rendering * 1000:.1f} ms"
        )
        for q in reporting.captured_queries:
            print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:150]}")
        stats.sort_stats("cumulative").print_stats(args.top)
        if args.explain:
            with connections["reporting"].cursor() as cursor:
                for q in reporting.captured_queries:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    print("\n".join(row[0] for row in cursor.fetchall()), "\n")


if __name__ == "__main__":
    main()
