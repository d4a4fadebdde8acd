"""Run several commands side by side, as one: ``make run``'s web server and its background-task worker.

``python -m scr_register.together "COMMAND 1" "COMMAND 2" ...`` (each a command line, split as a shell would,
without a shell) starts every command and waits. When any of them ends, however it ends, the others are sent
SIGTERM (and SIGKILL if they still run after a grace period), so a worker never outlives the server it was
started with, nor keeps polling a database that the embedded-database wrapper is about to stop. SIGTERM and
SIGHUP to this process are passed on to every command and everything they started (runserver's and
db_worker's autoreloaders run the real thing in a child). Ctrl-C in a terminal reaches every command itself
(the whole foreground group gets it): this process only waits for them to end.

The exit status is the status of the command that ended first (128 + N for a signal N, as a shell says).
"""

import shlex
import signal
import subprocess
import sys
import time

from scr_register.embedded_db import FORWARDED_SIGNALS, send_to_tree

# How long the other commands get to stop after SIGTERM (db_worker finishes the task it is running).
GRACE_SECONDS = 10
POLL_SECONDS = 0.2


def exit_status(returncode):
    """A Popen return code as a shell gives it: -N (ended by signal N) becomes 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def stop_all(processes, grace=GRACE_SECONDS):
    """SIGTERM to each process still running and to its children; SIGKILL to those still there after ``grace``."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        send_to_tree(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            send_to_tree(process.pid, signal.SIGKILL)
            process.wait()


def run(commands, grace=GRACE_SECONDS):
    """Start every command (a list of argument lists), wait until one ends, stop the rest; return its status."""
    processes = []

    def forward(signum, _frame):
        for process in processes:
            if process.poll() is None:
                send_to_tree(process.pid, signum)

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, forward)
    try:
        processes.extend(subprocess.Popen(command) for command in commands)  # noqa: S603 (the caller's own)
        # Ignored only now: an ignored SIGINT would be inherited, and the commands would not stop on Ctrl-C.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        while True:
            ended = next((process for process in processes if process.poll() is not None), None)
            if ended is not None:
                return exit_status(ended.returncode)
            time.sleep(POLL_SECONDS)
    finally:
        stop_all(processes, grace)


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.exit('usage: python -m scr_register.together "COMMAND [ARG...]" "COMMAND [ARG...]" ...')
    sys.exit(run([shlex.split(command) for command in args]))


if __name__ == "__main__":
    main()
