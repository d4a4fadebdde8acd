"""Benchmark ``seed_demo`` (issue 2): 100,000 reviews on a fresh database must take under 2 minutes.

Usage (from the project folder; the server of DATABASE_URL is used, the database is a dedicated one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_seed.py \\
        [--reviews 100000] [--database scr_bench_seed]

It drops and re-creates the dedicated database (never the shared ``scr_bench``), migrates it, then times
``manage.py seed_demo --reviews N`` end to end as a user runs it (process start, generation, COPY,
foreign key checks, commit and ANALYZE), and prints the wall time, the command's CPU time, the load
average (the machine is shared) and the row counts.
"""

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
TABLES = [
    "reviews_review",
    "reviews_contribution",
    "reviews_child",
    "reviews_agencyinvolvement",
    "reviews_finding",
    "reviews_evaluation",
    "reviews_reviewevent",
    "reviews_findingevent",
]
PROTECTED = {"scr_bench", "postgres", "template0", "template1"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--database", default="scr_bench_seed", help="dedicated database (dropped and re-created!)")
    args = parser.parse_args()
    if args.database in PROTECTED:
        parser.error(f"{args.database} is not a dedicated benchmark database")
    return args


def backend_cpu(pid):
    """CPU seconds a PostgreSQL backend on this machine has used so far (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerClock(threading.Thread):
    """Samples the CPU seconds of every backend connected to the database until stopped: the seed's server side.

    A backend's last fraction of a second before it exits is missed (sampled every 0.2 s), so this is a floor.
    """

    def __init__(self, url, database):
        super().__init__(daemon=True)
        self.url, self.database, self.used, self.done = url, database, {}, threading.Event()

    def run(self):
        connection = psycopg2.connect(self.url)
        # Each statement in its own transaction: a transaction keeps its first view of pg_stat_activity.
        connection.autocommit = True
        with connection.cursor() as cursor:
            while not self.done.wait(0.2):
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]
                )
                for (pid,) in cursor.fetchall():
                    self.used[pid] = max(self.used.get(pid, 0.0), backend_cpu(pid))
        connection.close()

    def stop(self):
        self.done.set()
        self.join()
        return sum(self.used.values())


def main():
    args = parse_args()
    url = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    admin = psycopg2.connect(urlunsplit(url._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{args.database}"')
    admin.close()

    target = urlunsplit(url._replace(path="/" + args.database))
    env = {**os.environ, "DATABASE_URL": target, "DJANGO_DEBUG": "false"}
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)

    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = ServerClock(urlunsplit(url._replace(path="/postgres")), args.database)
    server.start()
    started = time.monotonic()
    result = subprocess.run(
        [*manage, "seed_demo", "--reviews", str(args.reviews), "--seed", str(args.seed)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    server_cpu = server.stop()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)

    with psycopg2.connect(target) as connection, connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    connection.close()

    stages = result.stderr.splitlines()
    for line in stages:
        if "written" not in line or line == stages[-4] or f" {args.reviews // 2:,} /" in line:
            print(line)
    for line in result.stdout.splitlines():
        if line.startswith("Added"):  # the reviews, the plans and the documents, each with its time
            print(line)
    print(
        f"seed_demo --reviews {args.reviews:,}: {wall:.1f} s wall (limit 120 s); CPU {cpu:.1f} s in the command, "
        f"{server_cpu:.1f} s in PostgreSQL"
    )
    print(f"load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; database size {size}")
    for table, count in counts.items():
        print(f"  {table:<28}{count:>12,}")
    return 0 if wall < 120 else 1


if __name__ == "__main__":
    sys.exit(main())
