"""Step 4 of the drill: the checks, each printed with its evidence."""

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter

import loadtest  # bench/loadtest.py: servers, sessions, wrk (on the path through ops/drill/__init__.py)

from ops.drill import ROOT, tools
from ops.drill.browser import Browser, csrf_token
from ops.drill.tools import (
    DRILL_USER,
    SAVED_VIEW_NAME,
    count_statements,
    nginx_conf,
    run,
    upstream_counts,
)


class DrillChecks:
    """The drill's checks (mixed into ``Drill``), run through nginx and each instance once the servers are up."""

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
            saved = "SELECT count(*) FROM reviews_savedview WHERE name = %s"
            [[on_replica]] = tools.psql(self.replica_url, saved, [name])
            if on_replica == "1":
                break
            time.sleep(0.2)
        waited = time.monotonic() - started
        lag = tools.psql(
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
            tools.psql(self.replica_url, "CREATE TEMP TABLE drill_probe (x int)")
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
        row = tools.psql(
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
        activity_replica = tools.psql(
            self.replica_url,
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE application_name LIKE 'scr-%' "
            "GROUP BY 1 ORDER BY 1",
        )
        activity_primary = tools.psql(
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
