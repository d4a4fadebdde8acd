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
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
import loadtest  # noqa: E402  (bench/loadtest.py: servers, sessions, wrk; found through the path set above)

from ops import pgtools  # noqa: E402  (the project folder is on the path only from the line above)

NGINX_USER = "www-data"
DRILL_DATABASE = "scr_drill"
DRILL_USER = "ops-drill-inspector"
SAVED_VIEW_NAME = "Scale-out drill"


# --- Pure helpers (tested in tests/test_ops_scripts.py) ----------------------------------------------------------


def primary_conf(*, port, socket_dir):
    """The drill primary's own settings: its port and socket folder, and WAL for one streaming replica."""
    return pgtools.local_settings(port=port, socket_dir=socket_dir) + "\n".join(
        ["wal_level = replica", "max_wal_senders = 4", "log_line_prefix = '%m [%p] %a %d '", ""]
    )


def replica_conf(*, port, socket_dir):
    """The hot standby's own settings: its port and socket folder, and every statement logged (the evidence
    that the reporting reads arrive here)."""
    return pgtools.local_settings(port=port, socket_dir=socket_dir) + "\n".join(
        [
            "hot_standby = on",
            "hot_standby_feedback = on",  # the primary keeps rows a long report on the replica still reads
            "shared_buffers = 128MB",
            "log_statement = 'all'",
            "log_line_prefix = '%m [%p] %a %d '",
            "",
        ]
    )


# Both clusters are the drill's own, reachable on 127.0.0.1 only: trust, replication included.
CLUSTER_HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"


def nginx_conf(*, prefix, listen_port, app_ports, expensive_per_instance=None):
    """A self-contained nginx.conf: a load balancer on 127.0.0.1 in front of the app instances.

    With ``expensive_per_instance``, exports and dashboard pages each go through an upstream of their own
    that lets at most that many of them into each instance at once; nginx answers the rest 503 at once
    (with Retry-After) instead of queueing them in front of the workers.
    """
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in app_ports)
    proxy = """            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # The TLS-terminating proxy says the request came over HTTPS (DJANGO_SECURE_PROXY=true trusts it).
            proxy_set_header X-Forwarded-Proto https;
            # A refused or broken connection to one instance is retried on the other (idempotent requests).
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            proxy_max_temp_file_size 0;
            add_header X-Upstream $upstream_addr always;"""
    expensive_upstream = expensive_location = ""
    if expensive_per_instance:
        for name, pattern in (("scr_exports", r"^/reviews/export\."), ("scr_dashboard", "^/dashboard/")):
            limited = "\n".join(
                f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s max_conns={expensive_per_instance};"
                for port in app_ports
            )
            expensive_upstream += f"""
    upstream {name} {{
        zone {name} 64k;
{limited}
    }}"""
            expensive_location += f"""
        # At most {expensive_per_instance} of these per instance at once; the rest are told to come back
        # (503 + Retry-After) at once rather than wait behind the workers.
        location ~ {pattern} {{
            proxy_pass http://{name};
{proxy}
            error_page 502 = @busy;
        }}"""
        expensive_location += """
        location @busy {
            add_header Retry-After 10 always;
            return 503 "The service is busy: try again in a few seconds.\\n";
        }"""
    return f"""# Generated by ops/scale_out.py: the load balancer of the scale-out drill.
user {NGINX_USER};
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    log_format upstream '$remote_addr "$request_method $uri" $status $body_bytes_sent '
                        'upstream=$upstream_addr upstream_status=$upstream_status time=$request_time';
    access_log {prefix}/nginx-access.log upstream;
    # A document upload of the 20 MiB the register accepts, with the form around it, passes (nginx's default
    # is 1m); a larger one still reaches Django, which refuses it with the GOV.UK error, up to this.
    client_max_body_size 21m;
    client_body_temp_path {prefix}/nginx-tmp/body;
    proxy_temp_path {prefix}/nginx-tmp/proxy;
    fastcgi_temp_path {prefix}/nginx-tmp/fastcgi;
    uwsgi_temp_path {prefix}/nginx-tmp/uwsgi;
    scgi_temp_path {prefix}/nginx-tmp/scgi;
    upstream scr_app {{
{servers}
        keepalive 16;
    }}{expensive_upstream}
    server {{
        listen 127.0.0.1:{listen_port};
        location / {{
            proxy_pass http://scr_app;
{proxy}
        }}{expensive_location}
    }}
}}
"""


def count_statements(log_text, *, application_prefix, needles):
    """How many statements in a PostgreSQL log (log_statement = 'all', prefix with %a) came from
    connections whose application_name starts with ``application_prefix``, per needle they contain."""
    counts = Counter()
    for line in log_text.splitlines():
        match = re.search(r"\] (\S+) \S+ LOG:\s+statement: (.*)", line)
        if not match or not match.group(1).startswith(application_prefix):
            continue
        counts["all"] += 1
        for needle in needles:
            if needle in match.group(2):
                counts[needle] += 1
    return counts


def upstream_counts(access_log_text):
    """Requests per upstream address in the drill's nginx access log (``upstream=ADDR``)."""
    counts = Counter()
    for match in re.finditer(r"upstream=(.*?) upstream_status=", access_log_text):
        for address in match.group(1).split(","):
            counts[address.strip()] += 1
    return counts


# --- Processes ---------------------------------------------------------------------------------------------------


def run(command, *, timeout=60, check=True, user=None, env=None):
    """Run a command (as ``user`` when given) and return its stdout; bounded in time."""
    if user:
        command = ["runuser", "-u", user, "--", *command]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if check and completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return completed.stdout


def psql(url, sql, params=None, *, timeout_ms=30000):
    """Rows of one statement (autocommit), its values as text; a fresh connection each time."""
    import psycopg2

    connection = psycopg2.connect(url, options=f"-c statement_timeout={timeout_ms}", connect_timeout=10)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
    finally:
        connection.close()
    return [[None if value is None else str(value) for value in row] for row in rows]


def with_port(url, port, **query):
    parts = urllib.parse.urlsplit(url)
    netloc = f"{parts.username + '@' if parts.username else ''}{parts.hostname}:{port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, urllib.parse.urlencode(query), ""))


class Drill:
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

    # -- 1. the drill's own primary and replica
    def manage(self, *command, timeout=900):
        """``manage.py COMMAND`` against the drill's primary (production settings, debug off)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_URL", "REPORTING_DATABASE_URL", "PG"))
        }
        env.update(DATABASE_URL=self.primary_url, DJANGO_SECRET_KEY=self.secret_key, DJANGO_DEBUG="false")
        return run([str(loadtest.VENV_BIN / "python"), str(ROOT / "manage.py"), *command], timeout=timeout, env=env)

    def make_primary(self):
        self.pg_folder.mkdir(mode=0o700)
        self.primary.own(self.pg_folder)
        started = time.monotonic()
        self.primary.initdb()
        self.primary.configure(primary_conf(port=self.primary.port, socket_dir=self.pg_folder), CLUSTER_HBA)
        self.primary.start()
        psql(self.primary.url(), f"CREATE DATABASE {DRILL_DATABASE}")
        self.load_app()
        version = psql(self.primary_url, "SHOW server_version")[0][0]
        reviews = psql(self.primary_url, "SELECT count(*) FROM reviews_review")[0][0]
        self.figures["primary_s"] = time.monotonic() - started
        self.say(
            f"- primary: the drill's own cluster (initdb, PostgreSQL {version}) on 127.0.0.1:{self.primary.port} "
            f"in {self.pg_folder}, database {DRILL_DATABASE} with the app's schema and {reviews} demo reviews, in "
            f"{self.figures['primary_s']:.0f} s; no other PostgreSQL server is connected to or changed"
        )

    def load_app(self):
        """The app's schema and a small register on the drill's primary."""
        self.manage("migrate", "--noinput")
        self.manage("seed_demo", "--reviews", str(self.args.reviews), "--seed", "2009")

    def make_replica(self):
        size = psql(self.primary_url, "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database")[0][0]
        started = time.monotonic()
        self.replica.run(
            "pg_basebackup",
            "-d",
            f"host=127.0.0.1 port={self.primary.port} user=postgres application_name=scr_drill_replica",
            "-D",
            self.replica.data_dir,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            timeout=self.args.basebackup_timeout,
        )
        copy_seconds = time.monotonic() - started
        self.replica.configure(replica_conf(port=self.replica.port, socket_dir=self.pg_folder), CLUSTER_HBA)
        self.replica.start()
        in_recovery = psql(self.replica_url, "SELECT pg_is_in_recovery()")[0][0]
        deadline = time.monotonic() + 60
        state = []
        while time.monotonic() < deadline:
            state = psql(
                self.primary_url,
                "SELECT state, sync_state FROM pg_stat_replication WHERE application_name = 'scr_drill_replica'",
            )
            if state and state[0][0] == "streaming":
                break
            time.sleep(1)
        self.figures["basebackup_s"] = copy_seconds
        self.figures["replica_streaming"] = bool(state) and state[0][0] == "streaming"
        self.say(
            f"- replica: `pg_basebackup -R -X stream -c fast` copied the drill primary's cluster ({size}) in "
            f"{copy_seconds:.0f} s; started on 127.0.0.1:{self.replica.port}; pg_is_in_recovery() = "
            f"{in_recovery}; the primary's pg_stat_replication says {state[0] if state else 'nothing'}"
        )

    # -- 2. the app instances and nginx
    def start_instance(self, port):
        self.gunicorns[port] = loadtest.start_gunicorn(
            self.envs[port],
            bind=f"127.0.0.1:{port}",
            workers=self.args.workers_per_instance,
            log_path=self.folder / f"gunicorn-{port}.log",
            access_log=self.folder / f"access-{port}.log",
        )

    def restart_instances(self):
        """Fresh instances: requests whose clients gave up would otherwise still be served first."""
        for port, process in self.gunicorns.items():
            loadtest.stop_process(process)
            self.start_instance(port)
        for port, process in self.gunicorns.items():
            loadtest.wait_until_up(f"http://127.0.0.1:{port}", process=process)

    def start_web(self):
        static_root = self.folder / "static"
        loadtest.write_settings_overlay(self.folder, static_root)
        base_env = loadtest.server_env(
            database_url=self.primary_url, secret_key=self.secret_key, settings_folder=self.folder
        )
        with open(self.folder / "collectstatic.log", "wb") as log:
            loadtest.collectstatic(base_env, log)
        for port in self.args.app_ports:
            self.envs[port] = loadtest.server_env(
                database_url=self.primary.url(DRILL_DATABASE, application_name=f"scr-web-{port}"),
                reporting_url=self.replica.url(DRILL_DATABASE, application_name=f"scr-reporting-{port}"),
                secret_key=self.secret_key,
                settings_folder=self.folder,
            )
            self.start_instance(port)
        for port, process in self.gunicorns.items():
            loadtest.wait_until_up(f"http://127.0.0.1:{port}", process=process)
        tmp = self.folder / "nginx-tmp"
        tmp.mkdir()
        shutil.chown(tmp, NGINX_USER)  # nginx's worker runs as an unprivileged user
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_conf(prefix=self.folder, listen_port=self.args.nginx_port, app_ports=self.args.app_ports))
        run(["nginx", "-t", "-c", str(conf), "-p", str(self.folder)], timeout=30)
        log = open(self.folder / "nginx.out", "ab")  # noqa: SIM115 - kept open for nginx's life
        self.nginx = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(self.folder)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.args.nginx_port}"
        loadtest.wait_until_up(self.base, process=self.nginx)
        self.say(
            f"- web: gunicorn on {', '.join(f'127.0.0.1:{p}' for p in self.args.app_ports)} "
            f"({self.args.workers_per_instance} worker(s) each, DEBUG off, DJANGO_SECURE_PROXY=true) behind nginx on "
            f"{self.base}; default database = the drill's primary :{self.primary.port}, REPORTING_DATABASE_URL = its "
            f"replica :{self.replica.port}"
        )

    # -- 3. checks
    def django(self):
        loadtest.setup_django(self.primary_url, self.secret_key)

    def drill_user(self):
        """An inspector who signs in with a password and an authenticator code, as a person would."""
        from django.contrib.auth.models import Group, User
        from django_otp.plugins.otp_totp.models import TOTPDevice

        user, _ = User.objects.get_or_create(username=DRILL_USER)
        password = secrets.token_urlsafe(18)
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name="inspector")])
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="drill", defaults={"confirmed": True, "key": loadtest.LOADTEST_TOTP_KEY}
        )
        device.confirmed = True
        device.key = loadtest.LOADTEST_TOTP_KEY
        device.last_t = -1
        device.throttling_failure_count = 0
        device.save()
        return user, password, device

    def sign_in_through_forms(self, password, device):
        """Password form, then the two-factor form, through nginx: returns the browser's cookies."""
        from django.conf import settings
        from django_otp.oath import totp

        browser = Browser(self.base)
        page = browser.get("/accounts/login/")
        token = csrf_token(page.body)
        response = browser.post(
            "/accounts/login/", {"username": DRILL_USER, "password": password, "csrfmiddlewaretoken": token}
        )
        assert response.status == 302, f"sign-in answered {response.status}"
        step, page = browser.follow(response)
        assert page.status == 200 and "two-factor" in step, f"after the password: {page.status} {step}"
        code = f"{totp(bytes.fromhex(device.key), step=device.step, t0=device.t0, digits=device.digits):06d}"
        response = browser.post(step, {"code": code, "csrfmiddlewaretoken": csrf_token(page.body)})
        assert response.status == 302, f"two-factor step answered {response.status}"
        self.session_keys.append(browser.cookies[settings.SESSION_COOKIE_NAME])
        page = browser.get("/reviews/")
        assert page.status == 200 and DRILL_USER.encode() in page.body, f"register answered {page.status}"
        self.say(
            f"- signed in through nginx with the forms (password, then the TOTP code): `/reviews/` answers "
            f"{page.status} as {DRILL_USER} (served by {page.headers.get('X-Upstream')})"
        )
        return browser

    def same_session_on_both(self, browser):
        from django.conf import settings

        cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME]}"
        answers = []
        for port in self.args.app_ports:
            status, _, body = loadtest.fetch(f"http://127.0.0.1:{port}", "/reviews/?judgement=inadequate", cookie)
            answers.append((port, status, DRILL_USER.encode() in body))
        ok = all(status == 200 and named for _, status, named in answers)
        self.figures["same_session_both"] = ok
        self.say(
            "- the same session cookie, sent straight to each instance: "
            + ", ".join(f":{port} answered {status}{' signed in' if named else ''}" for port, status, named in answers)
            + (" (sessions are rows in the database, not in a process)" if ok else " — FAILED")
        )
        return ok

    def write_goes_to_primary(self, browser):
        """A saved view: the form fetched from one instance, posted to the other; the row on both servers."""
        from reviews.models import SavedView

        first, second = self.args.app_ports[0], self.args.app_ports[1]
        direct_a = browser.at(f"http://127.0.0.1:{first}")
        direct_b = browser.at(f"http://127.0.0.1:{second}")
        page = direct_a.get("/reviews/saved/new/?query=judgement%3Dinadequate%26year%3D2008-09")
        assert page.status == 200, f"saved view form answered {page.status}"
        name = f"{SAVED_VIEW_NAME} {int(time.time())}"
        inserted_before = self.tuples(self.primary_url)["tup_inserted"]
        response = direct_b.post(
            "/reviews/saved/new/",
            {
                "name": name,
                "query_string": "judgement=inadequate&year=2008-09",
                "csrfmiddlewaretoken": csrf_token(page.body),
            },
        )
        assert response.status == 302, f"saving the view answered {response.status}"
        browser.cookies.update(direct_b.cookies)
        on_primary = SavedView.objects.using("default").filter(name=name).count()
        on_replica, waited = "0", 0.0
        started = time.monotonic()
        while time.monotonic() - started < 30:
            on_replica = psql(self.replica_url, "SELECT count(*) FROM reviews_savedview WHERE name = %s", [name])[0][0]
            if on_replica == "1":
                break
            time.sleep(0.2)
        waited = time.monotonic() - started
        lag = psql(
            self.primary_url,
            "SELECT coalesce(replay_lag::text, '0'), state FROM pg_stat_replication "
            "WHERE application_name = 'scr_drill_replica'",
        )
        inserted = self.tuples_after(self.primary_url, {"tup_inserted": inserted_before}, "tup_inserted")
        self.say(
            f"- a write through the app: the saved-view form fetched from :{first}, posted to :{second} "
            "(the session is a database row and the CSRF secret a cookie, so either instance accepts the post) "
            f"answered {response.status}; the row is on the primary ({on_primary}) and, replayed, on the replica "
            f"({on_replica} after {waited:.1f} s; replay_lag {lag[0][0] if lag else '?'}); primary tup_inserted "
            f"+{inserted['tup_inserted'] - inserted_before}"
        )
        try:
            psql(self.replica_url, "CREATE TEMP TABLE drill_probe (x int)")
            refused = "accepted (NOT a standby?)"
        except Exception as error:  # psycopg2's ReadOnlySqlTransaction
            refused = "refused: " + str(error).strip().splitlines()[0]
        self.say(f"- the replica takes no writes: a write there is {refused}")

    def tuples_after(self, url, before, key, timeout=15):
        """pg_stat_database once ``key`` has grown past ``before`` (a backend reports its counts when it
        goes idle, at most every 10 s in PostgreSQL 15), or after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            after = self.tuples(url)
            if after[key] > before[key] or time.monotonic() > deadline:
                return after
            time.sleep(0.5)

    def tuples(self, url):
        row = psql(
            url,
            "SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated FROM pg_stat_database "
            "WHERE datname = %s",
            [self.database],
        )[0]
        return dict(
            zip(
                ("xact_commit", "tup_returned", "tup_fetched", "tup_inserted", "tup_updated"),
                map(int, row),
                strict=True,
            )
        )

    def reads_go_to_replica(self, browser):
        """Dashboard and export through nginx; the replica's statement log and statistics show them."""
        log_start = self.replica_log.stat().st_size
        replica_before, primary_before = self.tuples(self.replica_url), self.tuples(self.primary_url)
        paths = [
            "/dashboard/?year=2009-10",
            "/dashboard/api/summary?year=2010-11",
            "/dashboard/api/judgement-rates?group=region&year=2011-12",
            "/reviews/export.csv?judgement=inadequate&year=2008-09",
            "/reviews/export.xlsx?region=E12000005&year=2009-10",
        ]
        statuses = [browser.get(path).status for path in paths]
        replica_after = self.tuples_after(self.replica_url, replica_before, "xact_commit")
        primary_after = self.tuples_after(self.primary_url, primary_before, "tup_inserted")
        with open(self.replica_log, "rb") as log:
            log.seek(log_start)
            text = log.read().decode("utf-8", "replace")
        needles = ["reviews_evaluation", "reviews_review", "django_session", "INSERT", "UPDATE"]
        reporting = count_statements(text, application_prefix="scr-reporting", needles=needles)
        web = count_statements(text, application_prefix="scr-web", needles=needles)
        activity_replica = psql(
            self.replica_url,
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE application_name LIKE 'scr-%' "
            "GROUP BY 1 ORDER BY 1",
        )
        activity_primary = psql(
            self.primary_url,
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE application_name LIKE 'scr-%' "
            "GROUP BY 1 ORDER BY 1",
        )
        self.figures["replica_statements"] = dict(reporting)
        self.say(
            f"- dashboard, JSON and exports through nginx ({', '.join(map(str, statuses))}): the replica logged "
            f"{reporting['all']} statements from `scr-reporting-*` connections ({reporting['reviews_evaluation']} "
            f"reading reviews_evaluation, {reporting['reviews_review']} reviews_review, "
            f"{reporting['INSERT'] + reporting['UPDATE']} writes) and {web['all']} from `scr-web-*` "
            f"(no session or write statement reaches it: django_session "
            f"{reporting['django_session'] + web['django_session']})"
        )
        self.say(
            f"- replica pg_stat_database for {self.database}: xact_commit "
            f"+{replica_after['xact_commit'] - replica_before['xact_commit']}, tup_returned "
            f"+{replica_after['tup_returned'] - replica_before['tup_returned']}, tup_fetched "
            f"+{replica_after['tup_fetched'] - replica_before['tup_fetched']}; primary over the same requests: "
            f"tup_inserted +{primary_after['tup_inserted'] - primary_before['tup_inserted']} (exports' ReadEvents, "
            f"the session), tup_updated +{primary_after['tup_updated'] - primary_before['tup_updated']}"
        )
        self.say(
            "- pg_stat_activity: on the replica "
            + (", ".join(f"{name} x{count}" for name, count in activity_replica) or "none")
            + "; on the primary "
            + (", ".join(f"{name} x{count}" for name, count in activity_primary) or "none")
        )
        return all(status == 200 for status in statuses) and reporting["all"] > 0

    def load_through_nginx(self):
        out = self.folder / "load.json"
        command = [
            str(loadtest.VENV_BIN / "python"),
            str(ROOT / "bench" / "loadtest.py"),
            "--target",
            self.base,
            "--database-url",
            self.primary_url,
            "--secret-key",
            self.secret_key,
            "--duration",
            str(self.args.duration),
            "--no-overload",
            "--json",
            str(out),
            "--markdown",
            str(self.folder / "load.md"),
        ]
        access = self.folder / "nginx-access.log"
        start = access.stat().st_size
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=30 * self.args.duration + 300, check=False
        )
        if completed.returncode != 0:
            self.say(f"- load test through nginx FAILED ({completed.returncode}): {completed.stderr[-1500:]}")
            return False
        with open(access, "rb") as log:
            log.seek(start)
            spread = upstream_counts(log.read().decode("utf-8", "replace"))
        self.figures["load"] = json.loads(out.read_text())
        self.figures["upstreams"] = dict(spread)
        self.say("- the load test through nginx (bench/loadtest.py --target):\n")
        self.say((self.folder / "load.md").read_text())
        self.say(
            "- nginx spread the load test's requests over the instances: "
            + ", ".join(f"{address} {count}" for address, count in sorted(spread.items()))
        )
        return True

    def still_signed_in(self, browser, password, device):
        """The drill's session before the failover check; signed in anew (and said so) if it has ended."""
        page = browser.get("/reviews/")
        if page.status == 200:
            return browser
        self.say(
            f"- NOTE: before the failover check the drill's session answered {page.status} "
            f"{page.headers.get('Location', '')}: signed in again through the forms"
        )
        return self.sign_in_through_forms(password, device)

    def failover(self, browser):
        """The signed-in user keeps requesting pages through nginx while one instance stops."""
        results = []
        stop = threading.Event()

        def user():
            paths = ["/reviews/", "/reviews/?judgement=inadequate&year=2008-09", "/dashboard/api/summary?year=2008-09"]
            index = 0
            client = browser.clone()
            while not stop.is_set():
                started = time.monotonic()
                try:
                    page = client.get(paths[index % len(paths)])
                    status = page.status if page.status == 200 else f"{page.status} {page.headers.get('Location', '')}"
                    results.append(
                        (time.monotonic(), status, page.headers.get("X-Upstream", ""), time.monotonic() - started)
                    )
                except (OSError, http.client.HTTPException) as error:
                    results.append((time.monotonic(), f"socket error {error}", "", time.monotonic() - started))
                index += 1
                time.sleep(0.05)

        worker = threading.Thread(target=user, daemon=True)
        worker.start()
        time.sleep(self.args.failover_seconds / 2)
        victim = self.args.app_ports[0]
        stopped_at = time.monotonic()
        loadtest.stop_process(self.gunicorns[victim])
        time.sleep(self.args.failover_seconds / 2)
        stop.set()
        worker.join(timeout=30)
        before = [r for r in results if r[0] < stopped_at]
        after = [r for r in results if r[0] >= stopped_at]
        statuses = Counter(str(r[1]) for r in results)
        served_after = Counter(r[2] for r in after)
        slowest = max((r[3] for r in after), default=0.0)
        ok = bool(after) and all(r[1] == 200 for r in results)
        self.figures["failover"] = {"requests": len(results), "statuses": dict(statuses), "ok": ok}
        self.say(
            f"- failover: the signed-in user made {len(results)} requests through nginx over "
            f"{self.args.failover_seconds} s; gunicorn :{victim} was stopped (SIGTERM) after {len(before)} of them; "
            f"statuses {dict(statuses)}; after the stop every answer came from {dict(served_after)}, the slowest in "
            f"{slowest * 1000:.0f} ms{'' if ok else ' — FAILED'}"
        )
        return ok

    def overload_through_nginx(self, browser):
        """100 clients asking for exports and cold dashboards through nginx: as configured so far (every
        request queues in front of the workers), then with nginx letting one expensive request into each
        instance at a time and answering the rest 503 at once."""
        from django.conf import settings

        cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME]}"
        lines = [(cookie, "/reviews/export.csv")] * 50
        lines += [(cookie, path) for path in loadtest.sample_dashboard_paths(count=50, seed=8)]
        scenario = loadtest.Scenario("expensive", "full export and cold dashboards", lines)
        results = []
        for shed in (1, None):
            conf = self.folder / "nginx.conf"
            conf.write_text(
                nginx_conf(
                    prefix=self.folder,
                    listen_port=self.args.nginx_port,
                    app_ports=self.args.app_ports,
                    expensive_per_instance=shed,
                )
            )
            run(["nginx", "-t", "-c", str(conf), "-p", str(self.folder)], timeout=30)
            os.kill(self.nginx.pid, signal.SIGHUP)  # reload: new workers with the new configuration
            time.sleep(2)
            scenario.name = "overload through nginx, " + (
                f"at most {shed} export and {shed} dashboard per instance" if shed else "no limit (queued)"
            )
            result = loadtest.overload(
                self.base,
                scenario,
                concurrency=self.args.overload_clients,
                duration=self.args.overload_seconds,
                timeout=30,
            )
            results.append(result)
            self.say(
                f"- {scenario.name}: {result['requests']} requests from {result['concurrency']} clients in "
                f"{self.args.overload_seconds} s: {result['statuses']}; p50 {result['p50_ms']:.0f} ms, p99 "
                f"{result['p99_ms']:.0f} ms, max {result['max_ms']:.0f} ms; {result['over_limit']} over 5 s"
            )
        self.figures["overload"] = results
        self.say("\n" + loadtest.overload_table(results) + "\n")
        conf.write_text(nginx_conf(prefix=self.folder, listen_port=self.args.nginx_port, app_ports=self.args.app_ports))
        os.kill(self.nginx.pid, signal.SIGHUP)
        self.restart_instances()
        # With the limits, refusals are immediate and a dashboard (bounded by the statement timeout) is never
        # past 5 s; a full export (100,000 rows streamed) can take longer on its own: reported, not judged.
        dashboard = results[0]["by_path"].get("/dashboard/", {"over_limit": 1, "statuses": {}})
        return dashboard["over_limit"] == 0 and dashboard["statuses"].get("200", 0) > 0

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


# --- A small browser: cookies kept, no redirects followed ---------------------------------------------------------


class Page:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


class Browser:
    """Enough of a browser for the forms: keeps cookies, sends Origin on POST, says it came over HTTPS."""

    def __init__(self, base, cookies=None):
        self.base = base
        self.cookies = dict(cookies or {})

    def at(self, base):
        return Browser(base, self.cookies)

    def clone(self):
        return Browser(self.base, self.cookies)

    def _request(self, method, path, body=None):
        parts = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "scr-scale-out-drill"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{parts.hostname}:{parts.port}"
            headers["Referer"] = f"https://{parts.hostname}:{parts.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if cookie_value in ('""', "") or "max-age=0" in value.lower():
                        self.cookies.pop(cookie_name, None)
                    else:
                        self.cookies[cookie_name] = cookie_value
            return Page(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def get(self, path):
        return self._request("GET", path)

    def follow(self, response, limit=5):
        """Follow a response's redirects (same server): the last path and its page."""
        path = ""
        while response.status in (301, 302, 303) and limit:
            location = urllib.parse.urlsplit(response.headers.get("Location", ""))
            path = location.path + (f"?{location.query}" if location.query else "")
            response = self.get(path)
            limit -= 1
        return path, response

    def post(self, path, data):
        return self._request("POST", path, urllib.parse.urlencode(data))


def csrf_token(html):
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise ValueError("no CSRF token on the page")
    return match.group(1).decode()


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
