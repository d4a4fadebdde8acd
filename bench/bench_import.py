"""Benchmark ``import_reviews`` (issue 2): 10,000 reviews end to end, against a PostgreSQL COPY floor.

Usage (from the project folder; the server of DATABASE_URL is used, the database is a dedicated one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_imp DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_import.py [--reviews 10000] [--repeat 3] [--database scr_bench_import] [--plans]
        [--steps-only] [--profile] [--explain MS]

It builds a bundle (about 2 children, 10 findings and 1.2 evaluations per review; with ``--plans`` also, for each
evaluated review, 3 recommendations with 2 actions each) into a temporary folder,
then on a freshly emptied database measures, in the same run:

- the floor: PostgreSQL COPY of exactly the same rows into the same tables, committed, with the audit
  triggers on and off;
- reading and checking the files alone (the pure-Python part);
- ``import_reviews`` end to end (reading the files, validation, writes, commit): as shipped (every trigger
  on: pghistory's statement-level trackers write the audit rows of inserts and deletes), with no audit at
  all (every trigger disabled by the benchmark, for comparison only), and an unchanged re-import; then one
  import by step: wall seconds, CPU seconds of this process and of its PostgreSQL backend (COPY steps include
  their triggers). ``--steps-only`` skips everything but that last import, ``--profile`` adds a cProfile of one
  import (its times are wall times), ``--explain MS`` the plans of its statements, the triggers' own included,
  that took at least MS ms (auto_explain).
Every run but the re-import starts from emptied review tables.
and prints a table of times and query counts. The database named by --database is created if missing,
migrated, and its review data deleted before every timed run.
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder: importing/, when run as a script
from importing.bundle import build_bundle, write_bundle  # noqa: E402
from importing.clocks import LAST_CPU  # noqa: E402
from importing.floor import copy_buffers, time_copy  # noqa: E402
from importing.runs import empty_register, explain_import, read_only, run_import  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement (best is reported)")
    parser.add_argument("--database", default="scr_bench_import", help="dedicated database (emptied!)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one import")
    parser.add_argument("--plans", action="store_true", help="add recommendations.csv and actions.csv")
    parser.add_argument(
        "--steps-only", action="store_true", help="time one import by step (and --profile, --explain): no floors"
    )
    parser.add_argument(
        "--explain",
        type=int,
        metavar="MS",
        help="print the plan (EXPLAIN ANALYZE, by auto_explain) of every statement of one import, triggers' "
        "statements included, that took at least MS milliseconds",
    )
    return parser.parse_args()


def use_database(name):
    """Point DATABASE_URL at a dedicated database on the same server, creating it if needed."""
    url = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = urlunsplit(url._replace(path="/" + name))
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
    import psycopg2

    admin = psycopg2.connect(urlunsplit(url._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def main():
    args = parse_args()
    use_database(args.database)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from reviews.models import Action, Board, Child, Evaluation, Finding, Recommendation, Review

    board_ids = dict(Board.objects.values_list("gss_code", "pk"))
    bundle = build_bundle(args.reviews, sorted(board_ids), plans=args.plans)
    rows = {name: len(r) for name, r in bundle.items()}
    print(f"Bundle: {', '.join(f'{name} {n:,} rows' for name, n in rows.items())}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        runs = "one import by step" if args.steps_only else f"best of {args.repeat} runs"
        print(f"PostgreSQL {cursor.fetchone()[0]}, database {args.database}, {runs}")
    print(f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}\n")

    results = []
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        folder = Path(tmp)
        sizes = dict(write_bundle(bundle, folder))
        print(f"Files: {sum(sizes.values()) / 1e6:.1f} MB in {folder}\n")

        def measure(label, fn):
            runs = [fn() for _ in range(args.repeat)]
            walls, queries, cpus = [r[0] for r in runs], runs[-1][1], [r[2] for r in runs]
            results.append((label, min(walls), statistics.median(walls), queries, min(cpus)))
            split = f"(last run: client {LAST_CPU['client']:.2f} s, server {LAST_CPU['server']:.2f} s)"
            print(f"  {label}: best {min(walls):.2f} s, CPU {min(cpus):.2f} s {split}", flush=True)

        buffers = copy_buffers(bundle, board_ids, first_id=1)

        def floor(triggers):
            empty_register()  # rolled-back inserts leave dead index entries behind
            return time_copy(buffers, triggers=triggers)

        def fresh_import(audit=True):
            empty_register()
            return run_import(folder, audit=audit)

        if not args.steps_only:
            measure("floor: COPY, audit triggers on", lambda: floor(True))
            measure("floor: COPY, triggers off", lambda: floor(False))
            measure("reading and checking the files only (no database)", lambda: read_only(folder, board_ids))
            measure("import_reviews, no audit at all (triggers disabled)", lambda: fresh_import(False))
            measure("**import_reviews, fresh database (as shipped)**", fresh_import)
            measure("import_reviews again, nothing changed", lambda: run_import(folder))
        phases = {}
        empty_register()
        run_import(folder, phases=phases)
        if args.profile:
            empty_register()
            run_import(folder, profile=True)
        if args.explain is not None:
            empty_register()
            explain_import(folder, args.explain)
            empty_register()
            run_import(folder)

    # The last fresh import really wrote everything.
    assert Review.objects.count() == rows["reviews.csv"]
    assert Child.objects.count() == rows["children.csv"]
    assert Finding.objects.count() == rows["findings.csv"]
    assert Evaluation.objects.count() == rows["evaluations.csv"]
    assert Recommendation.objects.count() == rows.get("recommendations.csv", 0)
    assert Action.objects.count() == rows.get("actions.csv", 0)

    print(f"\nload average at end {os.getloadavg()[0]:.1f}")
    print(
        "\nOne import as shipped, by step (COPY steps include their triggers): wall, CPU of this process, of PostgreSQL"
    )
    for label, (wall, client, server) in sorted(phases.items(), key=lambda item: -item[1][1] - item[1][2]):
        print(f"  {wall:6.2f} s  {client:5.2f} s  {server:5.2f} s  {label}")
    if args.steps_only:
        return
    floor = {label: best for label, best, *_ in results}["floor: COPY, triggers off"]
    floor_cpu = {label: cpu for label, *_, cpu in results}["floor: COPY, triggers off"]
    total_rows = sum(rows.values())
    print(
        f"\n| Measurement ({args.reviews:,} reviews, {total_rows:,} rows) | Wall, best | Wall, median | "
        "x floor | CPU (client + server) | x floor CPU | Queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, best, median, queries, cpu in results:
        print(
            f"| {label} | {best:.2f} s | {median:.2f} s | {best / floor:.1f} | {cpu:.2f} s | {cpu / floor_cpu:.1f} "
            f"| {queries} |"
        )


if __name__ == "__main__":
    main()
