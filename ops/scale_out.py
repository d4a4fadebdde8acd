"""Scale-out drill (issue 6): the multi-machine topology on one machine, with real parts.

Usage (as root, from the project folder; a few minutes):

    .venv/bin/python -m ops.scale_out [--reviews 2000] [--primary-port 0] [--replica-port 0]
        [--nginx-port 8100] [--app-ports 8101,8102] [--duration 10] [--markdown out.md]

1. Its own two PostgreSQL clusters, and no other server touched: a primary made with ``initdb`` in a
   temporary folder, on a free 127.0.0.1 port (or ``--primary-port``), given the app's schema
   (``manage.py migrate``) and demo data (``manage.py seed_demo --reviews N``: no users, debug is off);
   then a streaming replica of it, ``pg_basebackup -R`` into the same folder, started on another free
   port as a hot standby. As root both run as the postgres user. The PostgreSQL server the project's
   DATABASE_URL names (or any other) is never connected to, configured or copied.
2. Two gunicorn instances (127.0.0.1:8101 and :8102, production settings, DEBUG off) whose ``default``
   database is the drill's primary and whose ``reporting`` alias (REPORTING_DATABASE_URL) its replica; each
   connection names itself (application_name ``scr-web-PORT`` / ``scr-reporting-PORT``).
3. nginx (Debian's) on 127.0.0.1:8100 as the load balancer in front of both, setting X-Forwarded-Proto
   as a TLS-terminating proxy would, retrying an idempotent request on the other instance when one fails.
4. Checks, each printed with its evidence: a user signs in through the forms (password, then the TOTP code)
   via nginx; the same session cookie works on both instances directly (sessions live in the database);
   a form fetched from one instance is posted to the other (a saved view: a write through the app) and
   the row is on the primary and then, replayed, on the replica; dashboard and export reads arrive on the
   replica (its statement log, ``pg_stat_database`` and ``pg_stat_activity`` on both servers); the load
   test (bench/loadtest.py) through nginx; one instance is stopped while the signed-in user keeps
   requesting pages through nginx.
5. Cleanup on any exit (a failed step, Ctrl-C, SIGTERM): nginx, both instances, the replica and the primary
   stopped, and the temporary folder with both clusters deleted.
"""

import argparse
import atexit
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
import loadtest  # noqa: E402  (bench/loadtest.py: servers, sessions, wrk; found through the path set above)

from ops import pgtools  # noqa: E402  (the project folder is on the path only from the line above)
from ops.drill.browser import csrf_token  # noqa: E402,F401  (tests use the drill's parts from here)
from ops.drill.checks import DrillChecks  # noqa: E402
from ops.drill.cluster import DrillCluster  # noqa: E402
from ops.drill.tools import (  # noqa: E402,F401
    DRILL_DATABASE,
    NGINX_USER,
    count_statements,
    nginx_conf,
    primary_conf,
    psql,
    replica_conf,
    upstream_counts,
    with_port,
)


class Drill(DrillCluster, DrillChecks):
    """The drill: its folder, clusters, processes and findings; the steps are in ops/drill/ (cluster, checks)."""

    def __init__(self, args):
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="scr-scale-out-"))
        os.chmod(self.folder, 0o711)  # noqa: S103  # nosec B103 - traverse only: postgres and nginx reach their own folders
        self.pg_folder = self.folder / "pg"
        primary_port = args.primary_port or pgtools.free_port()
        replica_port = args.replica_port or pgtools.free_port()
        while replica_port == primary_port:
            replica_port = pgtools.free_port()
        self.primary = pgtools.Cluster(self.pg_folder / "primary", port=primary_port)
        self.replica = pgtools.Cluster(self.pg_folder / "replica", port=replica_port)
        self.database = DRILL_DATABASE
        self.primary_url = self.primary.url(DRILL_DATABASE)
        self.replica_url = self.replica.url(DRILL_DATABASE)
        self.replica_log = self.replica.log
        self.gunicorns = {}
        self.envs = {}
        self.nginx = None
        self.secret_key = "scale-out-drill-" + secrets.token_urlsafe(40)
        self.session_keys = []
        self.report = []
        self.figures = {}

    # -- output
    def say(self, text=""):
        print(text, flush=True)
        self.report.append(text)

    # -- cleanup
    def cleanup(self):
        """Stop everything the drill started, its two clusters included, and delete its folder (once)."""
        for process in [self.nginx, *self.gunicorns.values()]:
            if process is not None:
                loadtest.stop_process(process)
        self.nginx, self.gunicorns = None, {}
        for cluster in (self.replica, self.primary):
            try:
                cluster.stop()
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"could not stop the cluster in {cluster.data_dir}: {error}", flush=True)
        if not self.args.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def main(self):
        atexit.register(self.cleanup)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda *_: sys.exit(1))
        try:
            return self.checks()
        finally:
            self.cleanup()

    def checks(self):
        self.say(
            f"## Scale-out drill run {time.strftime('%Y-%m-%d %H:%M %Z')} (load average "
            f"{os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)\n"
        )
        self.make_primary()
        self.make_replica()
        self.start_web()
        self.django()
        _, password, device = self.drill_user()
        browser = self.sign_in_through_forms(password, device)
        checks = {"same session on both instances": self.same_session_on_both(browser)}
        self.write_goes_to_primary(browser)
        checks["reads on the replica"] = self.reads_go_to_replica(browser)
        checks["load test through nginx"] = self.load_through_nginx()
        if self.args.overload_seconds:
            checks["no dashboard past 5 s with the limit"] = self.overload_through_nginx(browser)
        browser = self.still_signed_in(browser, password, device)
        checks["one instance stopped"] = self.failover(browser)
        self.say("\n" + "\n".join(f"- {name}: {'ok' if ok else 'FAILED'}" for name, ok in checks.items()))
        if self.args.markdown:
            Path(self.args.markdown).write_text("\n".join(self.report) + "\n")
        return all(checks.values())


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=2000, help="demo reviews in the drill's primary")
    parser.add_argument("--primary-port", type=int, default=0, help="the drill primary's port (0: a free one)")
    parser.add_argument("--replica-port", type=int, default=0, help="the drill replica's port (0: a free one)")
    parser.add_argument("--nginx-port", type=int, default=8100)
    parser.add_argument("--app-ports", default="8101,8102", type=lambda value: [int(p) for p in value.split(",")])
    parser.add_argument("--workers-per-instance", type=int, default=2)
    parser.add_argument("--overload-clients", type=int, default=100)
    parser.add_argument("--overload-seconds", type=int, default=10, help="0: no overload phase")
    parser.add_argument("--duration", type=int, default=10, help="seconds per load-test scenario")
    parser.add_argument("--failover-seconds", type=int, default=8)
    parser.add_argument("--basebackup-timeout", type=int, default=900)
    parser.add_argument("--markdown", help="write the drill's findings to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args(argv)
    if len(args.app_ports) != 2:
        parser.error("--app-ports takes two ports")
    return args


def main(argv=None):
    args = parse_args(argv)
    if os.geteuid() != 0:
        sys.exit("run as root: the drill's PostgreSQL clusters run as the postgres user, nginx's workers as www-data")
    for program in ("nginx", "wrk"):
        if not shutil.which(program):
            sys.exit(f"{program} is needed")
    try:
        pgtools.server_bin_dir()
    except FileNotFoundError as error:
        sys.exit(str(error))
    drill = Drill(args)
    ok = drill.main()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
