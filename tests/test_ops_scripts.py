"""The load test's and the scale-out drill's own parts, on small inputs (the runs themselves stay out of CI)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import loadtest  # noqa: E402

from ops import pgtools, scale_out  # noqa: E402
from ops.drill import tools as drill_tools  # noqa: E402

WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:8090
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    50.00ms   10.00ms 200.00ms   90.00%
LOADTEST_RESULT {"requests": 3000, "duration_us": 20000000, "bytes": 123456, "connect_errors": 0, \
"read_errors": 1, "write_errors": 0, "status_errors": 2, "timeouts": 3, "p50_us": 45000, "p90_us": 80000, \
"p99_us": 140000, "max_us": 210000, "mean_us": 50000.0, "status_2xx": 2990, "status_3xx": 8, "status_4xx": 0, \
"status_5xx": 2, "status_other": 0}
"""


def test_wrk_result_line_gives_throughput_percentiles_and_errors():
    result = loadtest.parse_wrk_output(WRK_OUTPUT)

    assert result["rps"] == 150.0
    assert (result["p50_ms"], result["p99_ms"], result["max_ms"]) == (45.0, 140.0, 210.0)
    # 2 responses of 5xx, 1 read error, 3 timeouts: redirects are not errors
    assert result["errors"] == 6
    assert result["socket_errors"] == 1


def test_wrk_output_without_a_result_line_is_an_error_not_a_zero():
    with pytest.raises(ValueError, match="no LOADTEST_RESULT"):
        loadtest.parse_wrk_output("unable to connect to 127.0.0.1:8090 Connection refused\n")


@pytest.mark.parametrize(
    ("rps", "p99_us", "status_5xx", "met"),
    [(150.0, 150_000, 0, True), (149.9, 100_000, 0, False), (300.0, 151_000, 0, False), (300.0, 90_000, 1, False)],
)
def test_filtered_list_target_needs_throughput_latency_and_no_errors(rps, p99_us, status_5xx, met):
    raw = WRK_OUTPUT.split("LOADTEST_RESULT ")[1]
    result = loadtest.parse_wrk_output(
        "LOADTEST_RESULT "
        + raw.replace('"requests": 3000', f'"requests": {int(rps * 10)}')
        .replace('"duration_us": 20000000', '"duration_us": 10000000')
        .replace('"p99_us": 140000', f'"p99_us": {p99_us}')
        .replace('"read_errors": 1', '"read_errors": 0')
        .replace('"timeouts": 3', '"timeouts": 0')
        .replace('"status_errors": 2', f'"status_errors": {status_5xx}')
        .replace('"status_5xx": 2', f'"status_5xx": {status_5xx}')
    )
    assert loadtest.meets_target(result) is met


def test_results_table_compares_each_scenario_with_the_floor():
    floor = {**loadtest.parse_wrk_output(WRK_OUTPUT), "name": "floor: /healthz", "unexpected": 0, "cpu_busy_pct": 90}
    floor["app_cpu_ms"] = 12.5
    table = loadtest.markdown_table([floor], floor_rps=300.0)

    row = (
        "| floor: /healthz | 150.0 | 0.50 | 45.0 | 140.0 | 210 | 6 (2 5xx, 1 socket, 3 timeouts) | 0 | 90% | 12.5 |  |"
    )
    assert row in table


def test_cpu_busy_share_between_two_readings():
    assert loadtest.busy_percent((100, 1000), (250, 1200)) == 75.0
    assert loadtest.busy_percent((5, 10), (5, 10)) == 0.0


def test_cpu_time_of_a_process_tree_counts_reaped_children():
    import os

    before = loadtest.tree_cpu_seconds(os.getpid())
    subprocess.run([sys.executable, "-c", "sum(range(3_000_000))"], check=True, timeout=60)  # noqa: S603

    assert loadtest.tree_cpu_seconds(os.getpid()) > before
    assert loadtest.proc_stat(2**22 + 1) is None


def test_backend_cpu_counts_new_backends_in_full_and_never_goes_negative():
    before = {10: 5.0, 11: 2.0}
    after = {10: 5.5, 12: 0.25}  # 11 closed its connection, 12 is new

    assert loadtest.backend_cpu_delta(before, after) == 0.75


def test_scenarios_cover_every_page_kind_with_the_filtered_list_as_the_target():
    cookies = {"inspector": ["sessionid=i1", "sessionid=i2"], "manager": ["sessionid=m1"]}
    scenarios = loadtest.build_scenarios(cookies, ["/reviews/1/", "/reviews/2/"], ["/dashboard/?year=2008-09"])
    names = [scenario.name for scenario in scenarios]

    assert names[0].startswith("floor") and names[1].startswith("floor")
    filtered = next(s for s in scenarios if s.name.startswith("filtered"))
    assert filtered.lines == [("sessionid=i1", "/reviews/?judgement=inadequate&year=2008-09")]
    mixed_paths = {path for _, path in next(s for s in scenarios if s.name.startswith("mixed")).lines}
    for kind in ("/reviews/?", "/reviews/1/", "/dashboard/", "/dashboard/api/", "/reviews/export.csv"):
        assert any(path.startswith(kind) for path in mixed_paths), kind


def test_server_environment_is_production_behind_a_tls_proxy(tmp_path):
    env = loadtest.server_env(
        database_url="postgres://db/x", secret_key="k", settings_folder=tmp_path, reporting_url="postgres://r/x"
    )

    assert env["DJANGO_DEBUG"] == "false"
    assert env["DJANGO_SECURE_PROXY"] == "true"
    assert env["REPORTING_DATABASE_URL"] == "postgres://r/x"
    assert env["PYTHONPATH"].split(":")[0] == str(tmp_path)


def test_settings_overlay_only_moves_the_static_root(tmp_path):
    loadtest.write_settings_overlay(tmp_path, tmp_path / "static")
    text = (tmp_path / "loadtest_settings.py").read_text()

    assert text.startswith("from scr_register.settings import *")
    assert f"STATIC_ROOT = '{tmp_path / 'static'}'" in text


class _Stub(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        status = {"/ok": 200, "/moved": 302, "/fail": 500}[self.path]
        self.send_response(status)
        self.send_header("Content-Length", "2")
        if status == 302:
            self.send_header("Location", "/ok")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
def test_wrk_script_counts_each_status_class(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        scenario = loadtest.Scenario("stub", "", [("-", "/ok"), ("sessionid=x", "/moved"), ("-", "/fail")])
        result = loadtest.run_wrk(
            f"http://127.0.0.1:{server.server_address[1]}",
            scenario,
            folder=tmp_path,
            threads=1,
            connections=2,
            duration=1,
        )
    finally:
        server.shutdown()
        server.server_close()

    assert result["requests"] > 0
    assert result["status_2xx"] > 0 and result["status_3xx"] > 0 and result["status_5xx"] > 0
    assert result["status_2xx"] + result["status_3xx"] + result["status_5xx"] == result["requests"]
    assert result["errors"] >= result["status_5xx"]
    assert result["unexpected"] == result["status_3xx"]


# --- The scale-out drill -----------------------------------------------------------------------------------------


def test_drill_primary_listens_on_its_own_loopback_port_and_streams_wal(tmp_path):
    conf = scale_out.primary_conf(port=45432, socket_dir=tmp_path)

    assert "port = 45432" in conf
    assert "listen_addresses = '127.0.0.1'" in conf
    assert f"unix_socket_directories = '{tmp_path}'" in conf
    assert "wal_level = replica" in conf


def test_the_drill_has_no_option_to_use_a_server_it_did_not_start():
    with pytest.raises(SystemExit):
        scale_out.parse_args(["--database-url", "postgres://postgres@127.0.0.1:5432/scr_bench"])
    args = scale_out.parse_args([])
    assert (args.primary_port, args.replica_port) == (0, 0)  # free ports, found when the drill starts


def configured_server():
    """Host and port of the server the suite's DATABASE_URL names (the one the drill must leave alone)."""
    from django.db import connection

    return str(connection.settings_dict["HOST"]), str(connection.settings_dict["PORT"] or 5432)


def hba_text():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW hba_file")
        path = Path(cursor.fetchone()[0])
    return path.read_text() if path.exists() else None


@pytest.fixture
def drill(monkeypatch):
    """A drill (nothing started yet) whose every psql connection and subprocess is recorded."""
    try:
        pgtools.server_bin_dir()
    except FileNotFoundError:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("no runuser to start PostgreSQL as the postgres user")
    connected, commands = [], []
    real_psql, real_run = scale_out.psql, subprocess.run

    def psql(url, *args, **kwargs):
        connected.append(url)
        return real_psql(url, *args, **kwargs)

    def run(command, *args, **kwargs):
        commands.append((command, (kwargs.get("env") or {}).get("DATABASE_URL")))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(drill_tools, "psql", psql)  # the drill's steps connect through ops/drill/tools.py
    monkeypatch.setattr(subprocess, "run", run)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    drill = scale_out.Drill(scale_out.parse_args(["--reviews", "5"]))
    drill.connected, drill.commands = connected, commands
    yield drill
    drill.cleanup()
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def server_pids(drill):
    return [
        int(path.read_text().split()[0])
        for path in (drill.primary.data_dir / "postmaster.pid", drill.replica.data_dir / "postmaster.pid")
        if path.exists()
    ]


@pytest.mark.django_db
def test_the_drill_starts_its_own_primary_and_replica_and_never_touches_the_configured_server(drill):
    host, port = configured_server()
    hba_before = hba_text()

    drill.make_primary()
    drill.make_replica()

    ports = {str(drill.primary.port), str(drill.replica.port)}
    assert port not in ports
    assert drill.figures["replica_streaming"]
    assert scale_out.psql(drill.replica_url, "SELECT pg_is_in_recovery(), count(*) FROM reviews_review") == [
        ["True", "5"]
    ]
    pids = server_pids(drill)
    assert len(pids) == 2
    # Every connection and every command went to the drill's own clusters, none to the configured server.
    assert drill.connected and all(urllib.parse.urlsplit(url).port in map(int, ports) for url in drill.connected)
    for command, database_url in drill.commands:
        assert f"port={port}" not in " ".join(map(str, command)), command
        if database_url:
            assert str(urllib.parse.urlsplit(database_url).port) in ports, database_url
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'scr_drill_replica'")
        assert cursor.fetchone() == (0,)
    assert hba_text() == hba_before

    drill.cleanup()

    assert not drill.folder.exists()
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_a_drill_that_fails_stops_and_deletes_the_cluster_it_started(drill, monkeypatch):
    def broken_load():
        raise RuntimeError("migrate failed")

    monkeypatch.setattr(drill, "load_app", broken_load)

    with pytest.raises(RuntimeError, match="migrate failed"):
        drill.main()

    assert drill.primary.port and not drill.primary.started
    assert not drill.folder.exists()
    with pytest.raises(psycopg2.OperationalError):  # nothing listens there any more
        scale_out.psql(drill.primary.url(), "SELECT 1")


def test_replica_is_a_hot_standby_on_its_own_loopback_port(tmp_path):
    conf = scale_out.replica_conf(port=5433, socket_dir=tmp_path)

    assert "port = 5433" in conf
    assert "listen_addresses = '127.0.0.1'" in conf
    assert "hot_standby = on" in conf
    assert "log_statement = 'all'" in conf


def test_load_balancer_config_forwards_https_to_both_instances(tmp_path):
    conf = scale_out.nginx_conf(prefix=tmp_path, listen_port=8100, app_ports=[8101, 8102])

    assert "listen 127.0.0.1:8100;" in conf
    assert "server 127.0.0.1:8101" in conf and "server 127.0.0.1:8102" in conf
    assert "proxy_set_header X-Forwarded-Proto https;" in conf
    assert "proxy_next_upstream error timeout;" in conf


def test_load_balancer_passes_a_document_upload_a_little_over_20_mib_to_django(tmp_path):
    """nginx's default limit (1m) would refuse every document before Django could say why in GOV.UK words."""
    conf = scale_out.nginx_conf(prefix=tmp_path, listen_port=8100, app_ports=[8101, 8102])

    limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert limit is not None
    assert 20 < int(limit.group(1)) <= 25


def test_load_balancer_can_refuse_expensive_requests_past_a_limit_per_instance(tmp_path):
    conf = scale_out.nginx_conf(prefix=tmp_path, listen_port=8100, app_ports=[8101, 8102], expensive_per_instance=1)

    assert conf.count("server 127.0.0.1:8101 max_fails=1 fail_timeout=10s max_conns=1;") == 2
    assert "location ~ ^/reviews/export\\. {" in conf and "location ~ ^/dashboard/ {" in conf
    assert "return 503" in conf and "Retry-After" in conf
    assert "max_conns" not in scale_out.nginx_conf(prefix=tmp_path, listen_port=8100, app_ports=[8101, 8102])


def test_overload_summary_counts_slow_answers_and_fast_refusals():
    # (status, seconds to the last byte, path, seconds to the first byte): the second answer started at
    # 0.2 s and downloaded until 6 s; the timeout never had an answer.
    records = [
        (200, 0.5, "/a", 0.1),
        (200, 6.0, "/a", 0.2),
        (503, 0.01, "/b", 0.01),
        ("TimeoutError", 60.0, "/b", 60.0),
    ]
    summary = loadtest.summarise_overload(records, name="x", concurrency=4, cpu_busy_pct=50.0)

    assert summary["requests"] == 4
    assert summary["statuses"] == {"200": 2, "503": 1, "TimeoutError": 1}
    assert summary["over_limit"] == 2
    assert summary["first_byte_over_limit"] == 1
    assert summary["first_byte_max_ms"] == 60000.0
    assert summary["fast_refusals"] == 1
    assert summary["max_ms"] == 60000.0
    assert summary["by_path"]["/a"] == {
        "requests": 2,
        "statuses": {"200": 2},
        "max_ms": 6000.0,
        "over_limit": 1,
        "first_byte_over_limit": 0,
    }
    table = loadtest.overload_table([summary])
    assert "| x | 4 | 4 | 2 x 200, 1 x 503, 1 x TimeoutError |" in table
    assert "of which /b | | 2 | 1 x 503, 1 x TimeoutError | | | 60000 | 1 | | 1 | |" in table


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
@pytest.mark.parametrize("expensive_per_instance", [None, 1])
def test_load_balancer_config_is_valid_nginx(tmp_path, expensive_per_instance):
    pwd = pytest.importorskip("pwd")
    try:
        pwd.getpwnam(scale_out.NGINX_USER)
    except KeyError:
        pytest.skip(f"no {scale_out.NGINX_USER} user")
    (tmp_path / "nginx-tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        scale_out.nginx_conf(
            prefix=tmp_path, listen_port=8100, app_ports=[8101, 8102], expensive_per_instance=expensive_per_instance
        )
    )

    command = [shutil.which("nginx"), "-t", "-c", str(conf), "-p", str(tmp_path)]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=30)  # noqa: S603 - our own config

    assert checked.returncode == 0, checked.stderr


def test_statements_in_the_replica_log_are_counted_per_application():
    log = (
        "2026-11-27 09:00:00.000 UTC [10] scr-reporting-8101 scr_bench LOG:  statement: SELECT 1 FROM "
        "reviews_evaluation\n"
        "2026-11-27 09:00:00.001 UTC [11] scr-web-8102 scr_bench LOG:  statement: SELECT * FROM django_session\n"
        "2026-11-27 09:00:00.002 UTC [12] [unknown] [unknown] LOG:  connection received\n"
        "2026-11-27 09:00:00.003 UTC [10] scr-reporting-8101 scr_bench LOG:  statement: SELECT 2\n"
    )
    reporting = scale_out.count_statements(log, application_prefix="scr-reporting", needles=["reviews_evaluation"])
    web = scale_out.count_statements(log, application_prefix="scr-web", needles=["django_session"])

    assert reporting == {"all": 2, "reviews_evaluation": 1}
    assert web == {"all": 1, "django_session": 1}


def test_upstreams_are_counted_from_the_access_log_retries_included():
    log = (
        '127.0.0.1 "GET /reviews/" 200 10 upstream=127.0.0.1:8101 upstream_status=200 time=0.010\n'
        '127.0.0.1 "GET /reviews/" 200 10 upstream=127.0.0.1:8101, 127.0.0.1:8102 upstream_status=502, 200 '
        "time=0.020\n"
    )
    counts = scale_out.upstream_counts(log)

    assert counts == {"127.0.0.1:8101": 2, "127.0.0.1:8102": 1}


def test_database_url_moves_to_another_port_with_its_application_name():
    url = scale_out.with_port("postgres://postgres@127.0.0.1:5432/scr_bench", 5433, application_name="scr-reporting")

    assert url == "postgres://postgres@127.0.0.1:5433/scr_bench?application_name=scr-reporting"


def test_csrf_token_is_read_from_a_form():
    html = b'<form><input type="hidden" name="csrfmiddlewaretoken" value="abc123"></form>'

    assert scale_out.csrf_token(html) == "abc123"
    with pytest.raises(ValueError):
        scale_out.csrf_token(b"<p>no form</p>")


@pytest.mark.parametrize("command", [["bench/loadtest.py"], ["-m", "ops.scale_out"]])
def test_the_drill_scripts_start_and_list_their_options(command):
    """How an operator starts them (docs/PERFORMANCE.md): --help must work without a database or root."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, *command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:") and "--duration" in result.stdout


def test_the_scale_out_drill_refuses_other_than_two_app_ports():
    with pytest.raises(SystemExit) as exit_:
        scale_out.parse_args(["--app-ports", "8101"])
    assert exit_.value.code == 2
