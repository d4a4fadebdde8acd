"""The load test's parts (bench/loadtest.py runs them; the scale-out drill, ops/drill/, uses them too): what
they share is here."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LUA = ROOT / "bench" / "loadtest.lua"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/scr_bench"
USER_PREFIX = "ops-load-"
INSPECTORS = 4
MANAGERS = 2
RESULT_MARK = "LOADTEST_RESULT "
APPLICATION_NAME = "scr-loadtest"
FILTERED = "/reviews/?judgement=inadequate&year=2008-09"
# A TOTP key of our own users' authenticators (hex, as django-otp stores it): the drill signs in with it.
LOADTEST_TOTP_KEY = "3132333435363738393031323334353637383930"
