"""Lint the SQL of new migrations for locking hazards (squawk), so a deploy never blocks the register.

    python -m ops.lint_migrations

Every migration of the project's apps that is not in ``ops/migrations-baseline.txt`` (the migrations already
applied in production) is rendered with ``sqlmigrate`` and checked by squawk: an index built without
CONCURRENTLY, a column added with a volatile default, a table rewrite, a NOT NULL added in place, and so on.
Rules that do not fit Django's migrations are turned off below, each with the reason. When a release has
been deployed, add its migrations to the baseline.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).resolve().parent / "migrations-baseline.txt"
APPS = ["reviews"]
EXCLUDED_RULES = [
    # Django names CharField columns varchar(n) and checks lengths in forms; changing n is rare and reviewed.
    "prefer-text-field",
    # Django runs each migration in a transaction, so a failed one leaves nothing to re-run around.
    "prefer-robust-stmts",
    # Django's integer primary keys are bigint already (DEFAULT_AUTO_FIELD); identity columns are fine.
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    # Times are stored as timestamptz by Django; plain "timestamp" never appears.
    "prefer-timestamptz",
    # The deploy runs migrate with PGOPTIONS="-c lock_timeout=5s -c statement_timeout=0" (docs/DEPLOYMENT.md),
    # so every statement gives up rather than queue behind a long lock.
    "require-timeout-settings",
    "require-lock-timeout",
    "require-statement-timeout",
    # Django adds a column with a constant default and drops the default at once: metadata only since PG 11.
    "ban-drop-default",
]


def squawk_binary():
    found = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    if not Path(found).exists():
        raise FileNotFoundError("squawk is not installed (requirements-dev.txt has squawk-cli)")
    return found


def lint_sql(sql: str) -> list[dict]:
    """Squawk's findings for a piece of SQL (empty when it is safe)."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(sql)
    try:
        result = subprocess.run(
            [squawk_binary(), "--reporter", "json", f"--exclude={','.join(EXCLUDED_RULES)}"] + [handle.name],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(handle.name)
    return json.loads(result.stdout or "[]")


def baseline() -> set[str]:
    """Migrations already applied in production, as ``app.name``."""
    lines = BASELINE.read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def new_migrations() -> list[tuple[str, str]]:
    """(app, migration name) of every migration not in the baseline."""
    found = []
    known = baseline()
    for app in APPS:
        for path in sorted((ROOT / app / "migrations").glob("[0-9]*.py")):
            if f"{app}.{path.stem}" not in known:
                found.append((app, path.stem))
    return found


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
    import django
    from django.core.management import call_command

    django.setup()
    problems = 0
    migrations = new_migrations()
    for app, name in migrations:
        out = io.StringIO()
        call_command("sqlmigrate", app, name, stdout=out)
        for finding in lint_sql(out.getvalue()):
            problems += 1
            print(f"{app}/migrations/{name}.py: {finding['rule_name']}: {finding['message']} {finding['help']}")
    print(f"Linted {len(migrations)} new migration(s): {problems} locking hazard(s).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
