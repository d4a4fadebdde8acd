"""Step 1 to 3 of the drill: its own primary and replica, the two app instances and nginx in front of them."""

import os
import secrets
import shutil
import subprocess
import time

import loadtest  # bench/loadtest.py: servers, sessions, wrk (on the path through ops/drill/__init__.py)

from ops.drill import ROOT, tools
from ops.drill.tools import (
    CLUSTER_HBA,
    DRILL_DATABASE,
    DRILL_USER,
    NGINX_USER,
    nginx_conf,
    primary_conf,
    replica_conf,
    run,
)


class DrillCluster:
    """The servers the drill starts (mixed into ``Drill``, which holds their ports, folders and processes)."""

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
        tools.psql(self.primary.url(), f"CREATE DATABASE {DRILL_DATABASE}")
        self.load_app()
        version = tools.psql(self.primary_url, "SHOW server_version")[0][0]
        reviews = tools.psql(self.primary_url, "SELECT count(*) FROM reviews_review")[0][0]
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
        sizes = "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database"
        [[size]] = tools.psql(self.primary_url, sizes)
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
        in_recovery = tools.psql(self.replica_url, "SELECT pg_is_in_recovery()")[0][0]
        deadline = time.monotonic() + 60
        state = []
        while time.monotonic() < deadline:
            state = tools.psql(
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
