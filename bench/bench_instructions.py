"""Instructions per request (valgrind's callgrind): the CPU cost of a page, whatever else the machine is doing.

Usage (from the project folder; the benchmark database must be seeded, valgrind installed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_instructions.py [--requests 10] [--markdown out.md]

Timings on a shared machine move by a third between runs minutes apart; instruction counts do not (the same
count twice, to a few hundredths of a per cent). For each path a child process runs under
``valgrind --tool=callgrind --instr-atstart=no``: it signs in as an inspector past the second factor, sends
5 warm-up requests through Django's test Client (the whole stack: middleware, session, the view, the
template), then counts the instructions of the next ``--requests`` requests only (``callgrind_control -i``
switches counting on and off around them). ``--only "review detail" sign-in`` measures some pages (and the
floors). The floors: ``/healthz`` (one query, no session) and the saved
views page (signed in, one query of its own, the GOV.UK page shell). The web server (gunicorn) and
PostgreSQL's own work are not counted: this is the Django process's share.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PATHS = [
    ("floor: /healthz", "/healthz"),
    ("floor: saved views (signed in)", "/reviews/saved/"),
    ("register", "/reviews/"),
    ("filtered: judgement + year", "/reviews/?judgement=inadequate&year=2008-09"),
    ("filter: region", "/reviews/?region=E12000005"),
    ("search", "/reviews/?q=supervision"),
    ("dashboard (warm)", "/dashboard/?year=2008-09"),
    ("review detail", "/reviews/{review}/"),
    ("sign-in page (signed out)", "/accounts/login/"),
]
# Pages asked for without signing in (the sign-in page sends a signed-in user on).
SIGNED_OUT = {"/accounts/login/"}


def child(path, requests):
    """Runs under valgrind: warm up, then count ``requests`` requests of ``path``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    import logging

    import bench_register

    bench_register.setup_django()
    logging.disable(logging.CRITICAL)
    from django.test import Client
    from django.test.utils import override_settings

    override_settings(ALLOWED_HOSTS=["*"]).enable()
    inspector, _ = bench_register.bench_users()
    client = Client()
    if path not in SIGNED_OUT:
        bench_register.sign_in(client, inspector)
    if "{review}" in path:  # the first review the inspector may see: the same one in every run on the same data
        from reviews.models import Review

        path = path.format(review=Review.objects.for_user(inspector).order_by("pk").values_list("pk", flat=True)[0])
    for _ in range(5):
        response = client.get(path, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)
    for _ in range(requests):
        client.get(path, secure=True)
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True, capture_output=True)


def count(path, requests, folder):
    """Millions of instructions per request of ``path``."""
    out = folder / "callgrind.out"
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            path,
            "--requests",
            str(requests),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    out.unlink(missing_ok=True)
    collected = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not collected:
        raise SystemExit(f"{path}: valgrind failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return int(collected.group(1)) / requests / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10, help="counted requests per path (default 10)")
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="measure only the paths whose names start so")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.requests)
        return
    import tempfile

    # The two floors always, so that every figure has its ratios.
    paths = [(name, path) for index, (name, path) in enumerate(PATHS) if index < 2 or not args.only]
    paths += [(name, path) for name, path in PATHS[2:] if args.only and name.startswith(tuple(args.only))]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for name, path in paths:
            millions = count(path, args.requests, Path(folder))
            results.append((name, path, millions))
            print(f"{name:<32} {millions:7.2f} M instructions a request", flush=True)
    healthz, signed_in = results[0][2], results[1][2]
    lines = [
        "| Request | path | M instructions | x /healthz | x signed-in floor |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | `{path}` | {millions:.2f} | {millions / healthz:.1f} | {millions / signed_in:.2f} |"
        for name, path, millions in results
    ]
    table = "\n".join(lines)
    print("\n" + table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")


if __name__ == "__main__":
    main()
