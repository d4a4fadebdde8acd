"""The import itself, timed: the register emptied, the files read and checked, import_reviews end to end."""

import collections
import time

from importing import EVENT_TABLES, KEPT_TABLES, REVIEW_TABLES
from importing.clocks import Clock, server_cpu


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
        (bulk, "copy_rows", timed(copy, bulk.copy_rows)),
        (actionplans, "plan", timed(lambda *args: "plan the action plans", actionplans.plan)),
        (
            actionplans,
            "check_action_recommendations",
            timed(lambda *args: "look up the actions' recommendations", actionplans.check_action_recommendations),
        ),
    ]


def run_import(folder, *, audit=True, profile=False, phases=None):
    """(wall, queries, cpu) of one import of the files in ``folder``, committed.

    ``audit``: True is the import as shipped; False disables every trigger for the run (a comparison only:
    the import itself never switches a trigger off). ``phases``, a dict, gets each step's [wall, client CPU,
    server CPU] seconds.
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
