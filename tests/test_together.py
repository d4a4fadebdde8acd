"""`make run`'s server and worker side by side (scr_register/together.py): they start and stop as one."""

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Says its name once it runs (one write, so two commands' lines never interleave on the shared pipe), then runs
# until stopped (or for the seconds given).
WAITS = "import os, sys, time; os.write(1, (sys.argv[1] + '\\n').encode()); time.sleep(float(sys.argv[2]))"


def command(name, seconds):
    return shlex.join([sys.executable, "-c", WAITS, name, str(seconds)])


def start_together(*commands):
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "scr_register.together", *commands],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    started = {process.stdout.readline().strip() for _ in commands}
    return process, started


def children(process):
    return psutil.Process(process.pid).children(recursive=True)


def wait_until_gone(processes, timeout=30):
    deadline = time.monotonic() + timeout
    for process in processes:
        while process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, f"{process.pid} still running"
            time.sleep(0.1)


def test_sigterm_stops_the_server_and_the_worker_and_says_so_in_the_exit_status():
    process, started = start_together(command("server", 120), command("worker", 120))
    assert started == {"server", "worker"}
    running = children(process)
    assert len(running) == 2

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    wait_until_gone(running)


def test_ctrl_c_stops_both():
    process, _ = start_together(command("server", 120), command("worker", 120))
    running = children(process)

    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends its foreground group

    assert process.wait(timeout=60) != 0
    wait_until_gone(running)


def test_when_the_server_ends_the_worker_is_stopped_too():
    process, _ = start_together(command("server", 0.5), command("worker", 120))
    worker = next(child for child in children(process) if "worker" in child.cmdline())

    assert process.wait(timeout=60) == 0  # the first to end (the server) ended well
    wait_until_gone([worker])


def test_a_failing_command_gives_its_exit_status():
    failing = shlex.join([sys.executable, "-c", "raise SystemExit(3)"])
    process, _ = start_together(failing, command("worker", 120))  # reads the worker's line only
    assert process.wait(timeout=60) == 3


def test_make_run_starts_the_task_worker_beside_the_server():
    if not shutil.which("make"):
        pytest.skip("no make")
    dry_run = subprocess.run(  # noqa: S603
        [shutil.which("make"), "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=30
    ).stdout.replace("\\\n", " ")
    line = next(line for line in dry_run.splitlines() if "runserver" in line)
    assert "-m scr_register.together" in line
    assert "manage.py db_worker" in line
