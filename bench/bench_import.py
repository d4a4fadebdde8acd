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
  their triggers). ``--profile`` adds a cProfile of one import (its times are wall times), ``--explain MS``
  the plans of its statements, the triggers' own included, that took at least MS ms (auto_explain).
Every run but the re-import starts from emptied review tables.
and prints a table of times and query counts. The database named by --database is created if missing,
migrated, and its review data deleted before every timed run.
"""

import argparse
import collections
import csv
import datetime
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REVIEW_TABLES = [
    "reviews_action",
    "reviews_recommendation",
    "reviews_evaluation",
    "reviews_finding",
    "reviews_child",
    "reviews_agencyinvolvement",
    "reviews_contribution",
    "reviews_readevent",
    "reviews_review",
]
# Kept by the database from the review tables (the dashboard's and the action plans' figures): emptied with them,
# or the next run's triggers would meet the last run's rows.
KEPT_TABLES = ["reviews_boardyear", "reviews_countedaction", "reviews_actionmonth"]
EVENT_TABLES = [
    "reviews_actionevent",
    "reviews_recommendationevent",
    "reviews_evaluationevent",
    "reviews_findingevent",
    "reviews_childevent",
    "reviews_agencyinvolvementevent",
    "reviews_contributionevent",
    "reviews_reviewevent",
    "pghistory_context",
]


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


# ---------------------------------------------------------------------------------------------- clocks


class Clock:
    """Wall seconds, and CPU seconds of this process plus its PostgreSQL backend (same machine).

    On a busy machine the wall time includes waiting for a CPU; the CPU seconds of client and server are
    close to what the same work takes on an idle one.
    """

    def __enter__(self):
        self.began, self.client_began, self.server_began = time.perf_counter(), time.process_time(), server_cpu()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.began
        self.client = time.process_time() - self.client_began
        self.server = server_cpu() - self.server_began
        self.cpu = self.client + self.server
        LAST_CPU.update(client=self.client, server=self.server)


LAST_CPU = {}


def server_cpu():
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:  # a database on another machine: count the client only
        server = 0.0
    return server


# ---------------------------------------------------------------------------------------------- the bundle


def build_bundle(n_reviews, boards, seed=2009, plans=False):
    """Deterministic rows for every file: dicts of CSV values, in file order."""
    rng = random.Random(seed)
    from reviews.imports import FILE_NAMES
    from reviews.models import Agency, Child, Finding, Judgement

    categories, agencies = list(Finding.Category.values), list(Agency.values)
    ethnicities = [*Child.Ethnicity.values, ""]
    bundle = {name: [] for name in FILE_NAMES[: len(FILE_NAMES) if plans else 4]}
    start = datetime.date(2007, 4, 1)
    for i in range(n_reviews):
        ref = f"SCR-{i + 1:06d}"
        incident = start + datetime.timedelta(days=rng.randrange(0, 1500))
        decision = incident + datetime.timedelta(days=rng.randrange(7, 60))
        completed = decision + datetime.timedelta(days=rng.randrange(60, 300))
        submitted = completed + datetime.timedelta(days=rng.randrange(1, 30))
        evaluated = rng.random() < 0.9
        lead = rng.choice(boards)
        others = rng.sample([b for b in boards if b != lead], rng.choice((1, 2))) if rng.random() < 0.05 else []
        odd = i % 500 == 0  # now and then the text that breaks naive CSV handling
        bundle["reviews.csv"].append(
            {
                "reference": ref,
                "board": lead,
                "other_boards": ";".join(others),
                "title": f'Review of services to "Child {i}", aged <3>' if odd else f"Review of services to Child {i}",
                "incident_date": incident.isoformat(),
                "decision_date": decision.isoformat(),
                "completed_date": completed.isoformat(),
                "submitted_date": submitted.isoformat() if evaluated or rng.random() < 0.5 else "",
                "independent_chair": rng.choice(("yes", "no", "")),
                "independent_author": rng.choice(("yes", "no", "")),
                "summary": "Agencies did not share information, so the risk was not seen.\nNäive <script>x</script>"
                if odd
                else "Agencies did not share information, so the risk to the child was not seen in time.",
            }
        )
        for c in range(rng.choice((1, 2, 2, 3))):
            bundle["children.csv"].append(
                {
                    "review": ref,
                    "pseudonym": f"Child {chr(65 + c)}",
                    "sex": rng.choice(Child.Sex.values),
                    "age_band": rng.choice(Child.AgeBand.values),
                    "ethnicity": rng.choice(ethnicities),
                    "outcome": rng.choice(Child.Outcome.values),
                    "known_to_social_care": rng.choice(("yes", "no", "")),
                    "child_protection_plan": rng.choice(("yes", "no", "")),
                    "looked_after": rng.choice(("yes", "no", "")),
                }
            )
        for _ in range(rng.randrange(5, 16)):
            bundle["findings.csv"].append(
                {
                    "review": ref,
                    "category": rng.choice(categories),
                    "agency": rng.choice(agencies),
                    "description": "Supervision of the case was not recorded, and the plan was not reviewed.",
                }
            )
        if evaluated:
            received = submitted + datetime.timedelta(days=rng.randrange(1, 20))
            sequences = 2 if rng.random() < 1 / 3 else 1
            for sequence in range(1, sequences + 1):
                done = received + datetime.timedelta(days=rng.randrange(20, 90))
                judgement = "inadequate" if sequence < sequences else rng.choice(Judgement.values[1:])
                bundle["evaluations.csv"].append(
                    {
                        "review": ref,
                        "sequence": str(sequence),
                        "received_date": received.isoformat(),
                        "completed_date": done.isoformat(),
                        "judgement": judgement,
                        "summary": "The review was thorough." if judgement != "inadequate" else "Lessons unclear.",
                    }
                )
                received = done + datetime.timedelta(days=rng.randrange(30, 120))
            if plans:
                add_plan(bundle, rng, ref, completed, agencies)
    return bundle


def add_plan(bundle, rng, ref, completed, agencies):
    """Three recommendations of the review, two actions each, some completed (late or not), one withdrawn."""
    for number in range(1, 4):
        agency = rng.choice(["", *agencies])
        bundle["recommendations.csv"].append(
            {
                "review": ref,
                "number": str(number),
                "text": "Agencies should share referrals within a day.",
                "agency": agency,
            }
        )
        for action in (1, 2):
            due = completed + datetime.timedelta(days=rng.randrange(60, 700))
            roll = rng.random()
            status, done, evidence = "in_progress", "", ""
            if roll < 0.6:
                status, done = "completed", (due + datetime.timedelta(days=rng.randrange(-90, 90))).isoformat()
                evidence = "Audit of 40 referrals showed the protocol followed."
            elif roll < 0.65:
                status, evidence = "withdrawn", "Superseded by national guidance."
            bundle["actions.csv"].append(
                {
                    "review": ref,
                    "recommendation": str(number),
                    "number": str(action),
                    "description": "Agree a protocol and train staff in it.",
                    "owner_agency": agency or rng.choice(agencies),
                    "due_date": due.isoformat(),
                    "status": status,
                    "completed_date": done,
                    "evidence": evidence,
                }
            )


def write_bundle(bundle, folder):
    for name, rows in bundle.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        yield name, (folder / name).stat().st_size


# ---------------------------------------------------------------------------------------------- the floor


def copy_buffers(bundle, board_ids, first_id):
    """COPY (FORMAT csv) data for every table, built from the same rows as the CSV files."""
    from reviews.imports import REVIEWS

    def yes_no(value):
        return {"yes": "t", "no": "f", "": None}[value]

    def blank_none(value):
        return value or None

    now = datetime.datetime.now(datetime.UTC).isoformat()
    ids, latest = {}, {}
    for row in bundle["evaluations.csv"]:
        seq = int(row["sequence"])
        if row["review"] not in latest or latest[row["review"]][0] < seq:
            latest[row["review"]] = (seq, row["judgement"], row["completed_date"])
    evaluated = set(latest)
    known = {row["review"] for row in bundle["children.csv"] if row["known_to_social_care"] == "yes"}
    tables = {}
    review_rows, contribution_rows = [], []
    for offset, row in enumerate(bundle[REVIEWS]):
        pk = first_id + offset
        ids[row["reference"]] = pk
        status = "evaluated" if row["reference"] in evaluated else ("submitted" if row["submitted_date"] else "draft")
        _, judgement, done = latest.get(row["reference"], (0, "", None))
        review_rows.append(
            [
                pk,
                row["reference"],
                "scr",
                board_ids[row["board"]],
                row["title"],
                blank_none(row["incident_date"]),
                blank_none(row["decision_date"]),
                blank_none(row["completed_date"]),
                blank_none(row["submitted_date"]),
                yes_no(row["independent_chair"]),
                yes_no(row["independent_author"]),
                row["summary"],
                status,
                judgement,
                done,
                "t" if row["reference"] in known else "f",
                "t" if row["other_boards"] else "f",
                1,
                now,
                now,
            ]
        )
        for code in filter(None, row["other_boards"].split(";")):
            contribution_rows.append([pk, board_ids[code]])
    tables["reviews_review"] = (
        "id, reference, review_type, board_id, title, incident_date, decision_date, completed_date, submitted_date, "
        "independent_chair, independent_author, summary, status, latest_judgement, latest_evaluated_date, "
        "any_child_known, cross_area, version, created_at, updated_at",
        review_rows,
    )
    tables["reviews_contribution"] = ("review_id, board_id", contribution_rows)
    tables["reviews_child"] = (
        "review_id, pseudonym, sex, age_band, ethnicity, outcome, known_to_social_care, child_protection_plan, "
        "looked_after",
        [
            [
                ids[r["review"]],
                r["pseudonym"],
                r["sex"],
                r["age_band"],
                r["ethnicity"],
                r["outcome"],
                yes_no(r["known_to_social_care"]),
                yes_no(r["child_protection_plan"]),
                yes_no(r["looked_after"]),
            ]
            for r in bundle["children.csv"]
        ],
    )
    tables["reviews_finding"] = (
        "review_id, category, agency, description",
        [[ids[r["review"]], r["category"], r["agency"], r["description"]] for r in bundle["findings.csv"]],
    )
    tables["reviews_evaluation"] = (
        "review_id, sequence, received_date, completed_date, judgement, summary, terms_of_reference, "
        "overview_and_imrs, timescales, equality_and_diversity, family_involvement, created_at",
        [
            [
                ids[r["review"]],
                r["sequence"],
                r["received_date"],
                r["completed_date"],
                r["judgement"],
                r["summary"],
                "",
                "",
                "",
                "",
                "",
                now,
            ]
            for r in bundle["evaluations.csv"]
        ],
    )
    recommendation_ids = {}
    recommendation_rows = []
    for pk, r in enumerate(bundle.get("recommendations.csv", ()), start=1):
        recommendation_ids[r["review"], r["number"]] = pk
        recommendation_rows.append([pk, ids[r["review"]], r["number"], r["text"], r["agency"], 1, now])
    tables["reviews_recommendation"] = ("id, review_id, number, text, agency, version, updated_at", recommendation_rows)
    tables["reviews_action"] = (
        "recommendation_id, number, description, owner_agency, due_date, status, completed_date, evidence, version, "
        "updated_at",
        [
            [
                recommendation_ids[r["review"], r["recommendation"]],
                r["number"],
                r["description"],
                r["owner_agency"],
                r["due_date"],
                r["status"],
                blank_none(r["completed_date"]),
                r["evidence"],
                1,
                now,
            ]
            for r in bundle.get("actions.csv", ())
        ],
    )
    buffers = {}
    for table, (columns, rows) in tables.items():
        if not rows and table in ("reviews_recommendation", "reviews_action"):
            continue
        out = io.StringIO()
        csv.writer(out, quoting=csv.QUOTE_NOTNULL).writerows(rows)
        buffers[table] = (columns, out.getvalue())
    return buffers


def time_copy(buffers, triggers):
    """(wall, queries, cpu) of COPY of every table and COMMIT (user triggers disabled inside, when off)."""
    from django.db import connection, transaction

    with Clock() as clock, transaction.atomic(), connection.cursor() as cursor:
        # As the import does: check foreign keys per statement, not in one long queue at COMMIT.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if triggers:
            # The context the import's audit rows carry, so the triggers do the same work.
            cursor.execute(
                "SELECT set_config('pghistory.context_id', %s, true), "
                "set_config('pghistory.context_metadata', %s, true)",
                [str(uuid.uuid4()), '{"source": "bench"}'],
            )
        else:
            # The floor only, in a benchmark database, switched back on in the same transaction: COPY with no trigger is
            # what the import's writes cost without the audit and the kept figures. The product never does this.
            for table in buffers:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        raw = cursor.cursor
        for table, (columns, data) in buffers.items():
            raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", io.StringIO(data))
        if not triggers:
            for table in buffers:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    return clock.wall, "-", clock.cpu


# ---------------------------------------------------------------------------------------------- the import


def empty_register():
    from django.db import connection

    with connection.cursor() as cursor:
        # CASCADE: tables derived from reviews (such as the search documents) are emptied with them.
        cursor.execute(f"TRUNCATE {', '.join(REVIEW_TABLES + KEPT_TABLES + EVENT_TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("VACUUM ANALYZE reviews_review")


def read_only(folder, board_ids):
    """Seconds to read and check every file in memory: the part of the import that is pure Python."""
    from reviews.imports import FILE_NAMES, checking, files, reading

    with Clock() as clock:
        errors = files.Errors()
        for name in FILE_NAMES:
            if not (folder / name).exists():
                continue
            with open(folder / name, "rb") as stream:
                checking.check_file(reading.read_file(name, stream, errors), board_ids, errors)
    assert not errors
    return clock.wall, "-", clock.cpu


def set_triggers(enabled):
    """Enable or disable every user trigger (pghistory's and the evaluation sync) on the review tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in REVIEW_TABLES:
            cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")


def timed_phases(phases):
    """Wrap the import's steps so ``phases`` gets the wall seconds spent in each (COPY included), and the CPU
    seconds of this process and of its PostgreSQL backend."""
    from reviews import bulk
    from reviews.imports import actionplans, checking, planning, reading

    def timed(label_of, fn):
        def wrapper(*args, **kwargs):
            began, client, server = time.perf_counter(), time.process_time(), server_cpu()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = (time.perf_counter() - began, time.process_time() - client, server_cpu() - server)
                label = label_of(*args)
                phases[label] = [a + b for a, b in zip(phases.get(label, (0, 0, 0)), spent, strict=True)]

        return wrapper

    def read(name, *args):
        return f"read {name}"

    def check(raw, *args):
        return f"check {raw.name}"

    def look_up(*args):
        return "look up the register's reviews"

    def plan(*args):
        return "plan (compare with the register's rows)"

    def copy(model, *args):
        return f"COPY {model.__name__} (its audit rows included)"

    return [
        (reading, "read_file", timed(read, reading.read_file)),
        (checking, "check_file", timed(check, checking.check_file)),
        (planning, "existing_reviews", timed(look_up, planning.existing_reviews)),
        (planning, "plan", timed(plan, planning.plan)),
        (actionplans, "plan", timed(lambda *args: "plan the action plans", actionplans.plan)),
        (
            actionplans,
            "check_action_recommendations",
            timed(lambda *args: "look up the actions' recommendations", actionplans.check_action_recommendations),
        ),
        (bulk, "copy_rows", timed(copy, bulk.copy_rows)),
    ]


def run_import(folder, *, audit=True, profile=False, phases=None):
    """(wall, queries, cpu) of one import of the files in ``folder``, committed.

    ``audit``: True is the import as shipped; False disables every trigger for the run (a comparison only:
    the import itself never switches a trigger off). ``phases``, a dict, gets the wall seconds of each step.
    """
    from contextlib import ExitStack

    from django.db import connection

    from reviews.imports import import_reviews

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        if not audit:
            set_triggers(False)
            stack.callback(set_triggers, True)
        if phases is not None:
            for owner, name, wrapper in timed_phases(phases):
                stack.callback(setattr, owner, name, getattr(owner, name))
                setattr(owner, name, wrapper)
        with Clock() as clock, ExitStack() as files:
            handles = {path.name: files.enter_context(open(path, "rb")) for path in sorted(folder.glob("*.csv"))}
            # Outermost, so the audit context the import adds is inside what is counted.
            files.enter_context(connection.execute_wrapper(count))
            if profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                result = profiler.runcall(import_reviews, files=handles)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            else:
                result = import_reviews(files=handles)
    if result.errors:
        raise SystemExit("the bundle did not import:\n" + "\n".join(result.errors[:20]))
    if phases is not None:
        phases["total"] = [clock.wall, clock.client, clock.server]
    return clock.wall, queries, clock.cpu


def explain_import(folder, min_ms):
    """Print the plans of one import's statements (the COPY, and each trigger's statements inside it) that took at
    least ``min_ms`` milliseconds: PostgreSQL's auto_explain, loaded into this session only, reports them to the
    client as notices."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        for setting, value in (
            ("log_min_duration", f"{int(min_ms)}ms"),
            ("log_analyze", "on"),
            ("log_timing", "on"),
            ("log_nested_statements", "on"),
            ("log_level", "notice"),
        ):
            cursor.execute("SELECT set_config(%s, %s, false)", [f"auto_explain.{setting}", value])
    # psycopg2 keeps the last 50 notices in its own list; any object with append will do.
    notices = connection.connection.notices = collections.deque(maxlen=10_000)
    try:
        run_import(folder)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('auto_explain.log_min_duration', '-1', false)")
    print(f"\nStatements of one import taking at least {min_ms} ms (auto_explain):")
    for notice in notices:
        print(notice.rstrip())


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
        print(f"PostgreSQL {cursor.fetchone()[0]}, database {args.database}, best of {args.repeat} runs")
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
