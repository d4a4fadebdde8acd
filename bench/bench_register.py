"""Benchmark the register (issue 4): /reviews/ and its exports on ``seed_demo --reviews 100000``.

Usage (from the project folder, on the shared benchmark database; nothing in it is changed except one user
and its sessions, and the ReadEvents of the export runs):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_register.py [--runs 30] [--markdown out.md] [--only "q=" "page 200"]

For each case (no filter, each filter alone, each sort, the deepest pages the UI offers) it times, in
this one process and in the same run:

- the register: ``GET /reviews/?...`` through Django's test Client as an inspector (middleware, sign-in,
  permissions, the FilterSet, the query, the template: everything the server does for a request);
- the raw SQL floor: the register's own data query (captured from the request above) run through a plain
  psycopg2 connection;
- the Django admin floor: the admin changelist of Review with the nearest filter the admin can express
  (a ModelAdmin defined here, called as a superuser; no middleware), 25 rows a page;

and reports the median and 95th percentile of each, the register's query count, and whether the plan of
every register query uses indexes only (no sequential scan of a table with more than a few hundred rows).

Exports run in child processes (``--export csv|xlsx``) so their peak memory (ru_maxrss) is their own:
all rows the superuser sees, streamed through the test Client and discarded as they arrive.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchkit import percentile, setup_django, sign_in, summary, timed  # noqa: F401  (bench_instructions.py uses them from here)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

BENCH_INSPECTOR = "bench-register-inspector"
BENCH_ADMIN = "bench-register-admin"
SMALL_TABLES = {"reviews_board", "reviews_region", "reviews_localauthority", "auth_group", "auth_permission"}

# (label, register query string, admin changelist query string or None when the admin cannot express it)
CASES = [
    ("no filter", "", ""),
    ("judgement=inadequate", "judgement=inadequate", "latest_judgement__exact=inadequate"),
    (
        "year=2008-09",
        "year=2008-09",
        "latest_evaluated_date__gte=2008-04-01&latest_evaluated_date__lt=2009-04-01",
    ),
    ("board=E08000025 (Birmingham)", "board=E08000025", "board__gss_code__exact=E08000025"),
    ("region=E12000005 (West Midlands)", "region=E12000005", "board__region__code__exact=E12000005"),
    ("category=weak_management", "category=weak_management", "findings__category__exact=weak_management"),
    ("outcome=serious_harm", "outcome=serious_harm", "children__outcome__exact=serious_harm"),
    ("known_to_social_care=yes", "known_to_social_care=yes", "children__known_to_social_care__exact=1"),
    ("known_to_social_care=no", "known_to_social_care=no", None),
    ("cross_area=yes", "cross_area=yes", None),
    ("status=submitted", "status=submitted", "status__exact=submitted"),
    ("q=neglect (a word)", "q=neglect", "q=neglect"),
    ("q=supervis (start of a word)", "q=supervis", "q=supervis"),
    ("q=SCR-2008-E08 (start of a reference)", "q=SCR-2008-E08", "q=SCR-2008-E08"),
    ("o=-reference", "o=-reference", "o=-1"),
    ("o=board", "o=board", "o=3"),
    ("o=-board", "o=-board", "o=-3"),
    ("o=completed", "o=completed", "o=4"),
    ("o=-completed", "o=-completed", "o=-4"),
    ("o=evaluated", "o=evaluated", "o=7"),
    ("o=-evaluated", "o=-evaluated", "o=-7"),
    ("o=judgement", "o=judgement", "o=6"),
    ("o=-judgement", "o=-judgement", "o=-6"),
    ("100 per page", "per_page=100", None),
    ("WM question (4 filters)", "judgement=inadequate&year=2008-09&region=E12000005&category=weak_management", None),
]
# The deepest page offered (5,000 rows in: reviews.register.pages.MAX_BROWSABLE_ROWS), and the middle of that range.
DEEP_CASES = [
    ("page 200 (deepest offered)", "page=200", "p=199"),
    ("page 100", "page=100", "p=99"),
    ("page 200, o=-board", "page=200&o=-board", "p=199&o=-3"),
    ("page 200, o=-judgement", "page=200&o=-judgement", "p=199&o=-6"),
    ("page 50 of 100 per page", "page=50&per_page=100", None),
    ("page 200, category=weak_management", "page=200&category=weak_management", None),
    ("page 200, q=neglect", "page=200&q=neglect", "p=199&q=neglect"),
]


def bench_users():
    from django.contrib.auth.models import Group, User

    inspector, _ = User.objects.get_or_create(username=BENCH_INSPECTOR)
    inspector.groups.set([Group.objects.get(name="inspector")])
    admin, _ = User.objects.get_or_create(username=BENCH_ADMIN, defaults={"is_superuser": True, "is_staff": True})
    return inspector, admin


def review_admin():
    """A Review changelist as a Django admin would have it: the nearest to the register's columns and filters."""
    from django.contrib import admin

    from reviews.models import Review

    class ExactFilter(admin.FieldListFilter):
        """``<path>__exact=value`` on a related field, with no sidebar (so no query to list the choices)."""

        def __init__(self, field, request, params, model, model_admin, field_path):
            self.lookup_kwarg = f"{field_path}__exact"
            super().__init__(field, request, params, model, model_admin, field_path)

        def expected_parameters(self):
            return [self.lookup_kwarg]

        def choices(self, changelist):
            return []

    class ReviewAdmin(admin.ModelAdmin):
        list_display = [
            "reference",
            "title",
            "board",
            "completed_date",
            "status",
            "latest_judgement",
            "latest_evaluated_date",
        ]
        # Local fields (status, judgement, dates) filter without list_filter; related ones need an entry.
        list_filter = [
            ("board__gss_code", ExactFilter),
            ("board__region__code", ExactFilter),
            ("findings__category", ExactFilter),
            ("children__outcome", ExactFilter),
            ("children__known_to_social_care", ExactFilter),
        ]
        search_fields = ["reference", "title", "summary"]
        list_select_related = ["board"]
        list_per_page = 25
        show_full_result_count = False

    site = admin.AdminSite(name="bench_register_admin")
    site.register(Review, ReviewAdmin)
    return site._registry[Review]


def time_register(client, query, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/reviews/?{query}" if query else "/reviews/"

    def call():
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)

    times = timed(call, runs, warm_up=3)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, secure=True)
    html = response.content.decode()
    assert "govuk-error-summary" not in html, f"{url} is invalid"
    data = [q["sql"] for q in captured.captured_queries if "reviews_review" in q["sql"]]
    return times, len(captured.captured_queries), data


def time_raw(dsn, statements, runs):
    import psycopg2

    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        for _ in range(3):
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
        plans = []
        for sql in statements:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plans.append(cursor.fetchone()[0][0]["Plan"])
    conn.close()
    return summary(times), plans


def plan_scans(plan, found=None):
    """(sequential scans of big tables, index names used) in a JSON plan."""
    found = found if found is not None else (set(), set())
    relation = plan.get("Relation Name")
    if plan.get("Node Type") == "Seq Scan" and relation not in SMALL_TABLES:
        found[0].add(relation)
    if plan.get("Index Name"):
        found[1].add(plan["Index Name"])
    for child in plan.get("Plans", []):
        plan_scans(child, found)
    return found


def time_admin(model_admin, admin_user, query, runs):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    factory = RequestFactory()

    def call():
        request = factory.get(f"/admin/reviews/review/?{query}")
        request.user = admin_user
        request.session = {}
        request._messages = FallbackStorage(request)
        response = model_admin.changelist_view(request)
        response.render()
        assert response.status_code == 200, (query, response.status_code)

    return timed(call, runs, warm_up=3)


def run_export_child(fmt):
    """In a fresh process: export every review the admin sees and report time, rows, bytes and peak memory."""
    setup_django()
    from django.test import Client

    _, admin = bench_users()
    client = Client()
    sign_in(client, admin)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    response = client.get(f"/reviews/export.{fmt}", secure=True)
    assert response.status_code == 200, response.status_code
    size = 0
    first_byte = None
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
    response.close()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "format": fmt,
                "rows": int(response["X-Export-Rows"]),
                "bytes": size,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "first_byte_seconds": first_byte,
                "baseline_rss_mb": baseline,
                "peak_rss_mb": peak,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per case (default 30)")
    parser.add_argument("--markdown", help="also write the results as Markdown to this file")
    parser.add_argument("--export", choices=["csv", "xlsx"], help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--only", nargs="+", metavar="CASE", help="run only the cases whose labels start so")
    args = parser.parse_args()
    if args.export:
        run_export_child(args.export)
        return

    setup_django()
    from django.db import connection
    from django.test import Client

    from reviews.models import Review

    inspector, admin = bench_users()
    client = Client()
    sign_in(client, inspector)
    model_admin = review_admin()
    settings = connection.settings_dict
    dsn = f"dbname={settings['NAME']} user={settings['USER']} host={settings['HOST']} port={settings['PORT']}"
    if settings.get("PASSWORD"):
        dsn += f" password={settings['PASSWORD']}"
    # The same server settings as the app's connection (planner cost): the floor runs the same plans.
    if options := settings.get("OPTIONS", {}).get("options"):
        dsn += " options='" + options.replace("'", "") + "'"
    total = Review.objects.count()
    print(f"{total:,} reviews in {settings['NAME']}; {args.runs} timed runs per case", file=sys.stderr)

    load_at_start = os.getloadavg()[0]
    results = []
    cases = [case for case in CASES + DEEP_CASES if not args.only or case[0].startswith(tuple(args.only))]
    for label, query, admin_query in cases:
        register, queries, statements = time_register(client, query, args.runs)
        raw, plans = time_raw(dsn, statements, args.runs)
        seq, indexes = set(), set()
        for plan in plans:
            s, i = plan_scans(plan)
            seq |= s
            indexes |= i
        admin_result = time_admin(model_admin, admin, admin_query, args.runs) if admin_query is not None else None
        row = {
            "case": label,
            "query": query,
            "register": register,
            "queries": queries,
            "raw": raw,
            "admin": admin_result,
            "seq_scans": sorted(seq),
            "indexes": sorted(indexes),
            "deep": (label, query, admin_query) in DEEP_CASES,
        }
        results.append(row)
        print(
            f"{label:40} register {register['median']:6.1f} / {register['p95']:6.1f} ms  {queries} queries  "
            f"raw {raw['median']:6.1f} / {raw['p95']:6.1f}  "
            f"admin {admin_result['median'] if admin_result else float('nan'):6.1f}  seq={sorted(seq)}",
            file=sys.stderr,
        )

    exports = []
    if not args.skip_exports:
        for fmt in ("csv", "xlsx"):
            child = subprocess.run(
                [sys.executable, __file__, "--export", fmt], capture_output=True, text=True, check=True, cwd=ROOT
            )
            exports.append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(exports[-1], file=sys.stderr)

    load = (load_at_start, os.getloadavg()[0])
    markdown = render_markdown(results, exports, total, args.runs, settings["NAME"], load)
    print(markdown)
    if args.markdown:
        Path(args.markdown).write_text(markdown)


def render_markdown(results, exports, total, runs, database, load):
    def ms(value):
        return f"{value:.1f}"

    lines = [
        f"Database `{database}`: {total:,} reviews (`seed_demo --reviews 100000`). {runs} timed requests per case "
        "after 3 warm-up requests; times in milliseconds, median / 95th percentile, measured in-process around "
        "Django's test Client (the whole request: middleware, session, permissions, filters, query, template). "
        f"Machine: {os.cpu_count()} CPUs shared with other work; load average {load[0]:.1f} at the start of the "
        f"run, {load[1]:.1f} at the end.",
        "Floors in the same run: **raw SQL** = the register's own data query, captured from the request and run "
        "through plain psycopg2; **admin** = Django's admin changelist of Review (25 a page) with the nearest "
        "filter it can express (`-` where it cannot), called directly as a superuser.",
        "",
        "| Case | Register | Queries | Raw SQL | Register / raw | Admin | Register / admin | Indexes only |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results:
        register, raw, admin = row["register"], row["raw"], row["admin"]
        ratio_raw = register["median"] / raw["median"] if raw["median"] else float("nan")
        admin_text = f"{ms(admin['median'])} / {ms(admin['p95'])}" if admin else "-"
        ratio_admin = f"{register['median'] / admin['median']:.2f}" if admin else "-"
        indexed = "yes" if not row["seq_scans"] else "no: seq scan of " + ", ".join(row["seq_scans"])
        lines.append(
            f"| {row['case']} | {ms(register['median'])} / {ms(register['p95'])} | {row['queries']} | "
            f"{ms(raw['median'])} / {ms(raw['p95'])} | {ratio_raw:.1f} | {admin_text} | {ratio_admin} | {indexed} |"
        )
    first = [row for row in results if not row["deep"]]
    deep = [row for row in results if row["deep"]]
    worst_deep = max(deep, key=lambda row: row["register"]["p95"]) if deep else None
    lines.append("")
    if first:  # none when --only picked deep pages or no case (exports alone)
        worst_median = max(first, key=lambda row: row["register"]["median"])
        worst_p95 = max(first, key=lambda row: row["register"]["p95"])
        lines.append(
            f"- Page 1, any single filter or none: worst median {ms(worst_median['register']['median'])} ms "
            f"({worst_median['case']}; target 40), worst p95 {ms(worst_p95['register']['p95'])} ms "
            f"({worst_p95['case']}; target 100); at most {max(row['queries'] for row in first)} queries "
            "(target 6; the page's own data is one query, the rest are session, user, permissions, navigation)."
        )
    if worst_deep:
        lines.append(
            f"- Deepest pages offered: worst p95 {ms(worst_deep['register']['p95'])} ms ({worst_deep['case']}; "
            "target 150)."
        )
    for export in exports:
        lines.append(
            f"- {export['format'].upper()} export of {export['rows']:,} rows ({export['bytes'] / 1e6:.1f} MB): "
            f"{export['seconds']:.1f} s (first byte after {export['first_byte_seconds']:.2f} s), peak memory of "
            f"the process {export['peak_rss_mb']:.0f} MB ({export['baseline_rss_mb']:.0f} MB before the export "
            "began); target 10 s and 100 MB."
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
