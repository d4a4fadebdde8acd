"""Backup and restore drill: pg_dump the database, restore it into a new one, prove nothing was lost.

    python -m ops.backup_restore [--keep]

Uses the database Django is configured with (DATABASE_URL, or the embedded server). Dumps it in
pg_dump's custom format, creates a new database on the same server, restores into it with pg_restore,
then compares every table's row count and an md5 checksum over every review row. Exits non-zero when
anything differs. The restored database is dropped afterwards unless --keep is given.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from psycopg2 import sql

from ops.pgtools import client_program, libpq_env, server_major

REVIEWS_CHECKSUM_SQL = (
    "SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r.id), '')) FROM reviews_review r"
)
TABLES_SQL = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


def table_counts(cursor) -> dict:
    """Row counts of every table in the public schema."""
    cursor.execute(TABLES_SQL)
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def fingerprint(cursor) -> dict:
    """What must survive a backup: every table's row count and a checksum of the reviews."""
    cursor.execute(REVIEWS_CHECKSUM_SQL)
    count, checksum = cursor.fetchone()
    return {"tables": table_counts(cursor), "reviews_checksum": checksum, "reviews": count}


def _connect(db_settings: dict, name: str):
    import psycopg2

    kwargs = {"dbname": name, "user": db_settings.get("USER") or None, "password": db_settings.get("PASSWORD") or None}
    if db_settings.get("HOST"):
        kwargs["host"] = db_settings["HOST"]
    if db_settings.get("PORT"):
        kwargs["port"] = db_settings["PORT"]
    connection = psycopg2.connect(**kwargs)
    connection.autocommit = True
    return connection


def run_drill(db_settings: dict, *, keep: bool = False, out=sys.stdout) -> dict:
    """Dump, restore into a new database, compare. Returns the report; raises on a mismatch."""
    source = _connect(db_settings, db_settings["NAME"])
    major = server_major(source)
    with source.cursor() as cursor:
        before = fingerprint(cursor)
    target_name = f"{db_settings['NAME']}_restore_{int(time.time())}_{os.getpid()}"
    env = libpq_env(db_settings)
    report = {"source": db_settings["NAME"], "target": target_name, "before": before}
    with tempfile.TemporaryDirectory() as tmp:
        dump_file = Path(tmp) / "backup.dump"
        started = time.monotonic()
        subprocess.run(
            [client_program("pg_dump", major), "--format=custom", "--no-owner", f"--file={dump_file}"],
            env=env,
            check=True,
        )
        report["dump_seconds"] = round(time.monotonic() - started, 2)
        report["dump_bytes"] = dump_file.stat().st_size
        with source.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{target_name}"')
        try:
            started = time.monotonic()
            subprocess.run(
                [
                    client_program("pg_restore", major),
                    "--no-owner",
                    "--exit-on-error",
                    f"--dbname={target_name}",
                    str(dump_file),
                ],
                env=env,
                check=True,
            )
            report["restore_seconds"] = round(time.monotonic() - started, 2)
            target = _connect(db_settings, target_name)
            with target.cursor() as cursor:
                report["after"] = fingerprint(cursor)
            target.close()
        finally:
            if not keep:
                with source.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
    source.close()
    report["equal"] = report["before"] == report["after"]
    _print_report(report, out)
    if not report["equal"]:
        raise RuntimeError("The restored database differs from the original")
    return report


def _print_report(report: dict, out):
    before, after = report["before"], report["after"]
    print(f"Backup of {report['source']}: {report['dump_bytes']:,} bytes in {report['dump_seconds']} s", file=out)
    print(f"Restored into {report['target']} in {report.get('restore_seconds')} s", file=out)
    for table, count in before["tables"].items():
        restored = after["tables"].get(table)
        mark = "ok" if restored == count else "DIFFERENT"
        print(f"  {table:45} {count:>10,} {restored if restored is not None else '-':>10} {mark}", file=out)
    same = before["reviews_checksum"] == after["reviews_checksum"]
    print(f"  reviews checksum {before['reviews_checksum']} {'ok' if same else 'DIFFERENT'}", file=out)
    print("Drill passed: nothing lost." if report["equal"] else "Drill FAILED.", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
    import django
    from django.conf import settings

    django.setup()
    try:
        run_drill(settings.DATABASES["default"], keep=args.keep)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
