"""`python manage.py seed_demo [--reviews N] [--seed S] [--if-empty] [--replace]`: synthetic demo data.

Builds a deterministic, realistic register (reviews led by boards of every region over the reporting
years 2007-08 to 2026-27, with children, agencies, findings, evaluations and re-evaluations after an
inadequate judgement) and one demo user per role, then prints the demo logins.

Speed (100,000 reviews and a million findings in about a minute): rows are generated in Python, by a
worker thread one chunk ahead, and written with PostgreSQL COPY into the empty review tables, whose
secondary indexes and foreign keys are dropped first and rebuilt from their own definitions after the
rows (one sorted build and one set-based check each), all in one transaction.

The pghistory audit triggers (``insert_insert``, ``update_update``, ``delete_delete`` on Review,
Contribution, Child, AgencyInvolvement, Finding and Evaluation) are switched off for the synthetic rows:
they would double the write cost, and an audit trail of invented data records nothing anyone did. They
are disabled with ``pgtrigger.disable`` inside the seeding transaction and enabled again before it
commits (ALTER TABLE is transactional, so no other session ever sees them off), rather than with
``pgtrigger.ignore``, which still calls every trigger once per row and checks a setting in a
subtransaction each time. Only those triggers are touched: Evaluation's ``sync_latest_on_*`` triggers
still run and keep Review.latest_judgement / latest_evaluated_date equal to the highest-sequence
evaluation (the generator sets both already, so they find nothing to fix). Deleting existing data with
``--replace`` is audited as usual.
"""

import base64
import sys
import time

import pghistory
from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews import demo, roles
from reviews.accounts import assign_role
from reviews.models import Board, Review
from scr_register.two_factor import needs_second_factor

# The demo users' authenticator key (20 bytes): development databases only, like the passwords below.
DEMO_TOTP_KEY_HEX = "5343522d52656769737465722d64656d6f2d6b65"
DEMO_TOTP_KEY_BASE32 = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode().rstrip("=")

# Demo logins, reset to these passwords on every run. For development databases only: seed_demo is never
# run in production (and `make run` uses the embedded development database).
DEMO_USERS = (
    ("demo-board", "amber-lantern-harbour-42", roles.BOARD_STAFF, ("E08000025", "E08000026")),
    ("demo-inspector", "violet-compass-meadow-17", roles.INSPECTOR, ()),
    ("demo-manager", "copper-kettle-orchard-58", roles.MANAGER, ()),
    ("demo-admin", "silver-heron-quarry-93", roles.ADMIN, ()),
)
DEFAULT_REVIEWS = 2000
LARGE = 10_000  # show progress from this many reviews


class Command(BaseCommand):
    help = (
        "Fill the register with deterministic synthetic demo data and create one demo user per role "
        "(printing their logins). Refuses when reviews exist, unless --if-empty (then only the users are "
        "reset) or --replace (delete every review first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reviews", type=int, default=DEFAULT_REVIEWS, help="how many reviews (default 2000)")
        parser.add_argument("--seed", type=int, default=2009, help="random seed: the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="add reviews only when the register has none")
        parser.add_argument("--replace", action="store_true", help="delete every review in the register first")

    def handle(self, *args, reviews, seed, if_empty, replace, **options):
        if reviews < 0:
            raise CommandError("--reviews must be zero or more.")
        if if_empty and replace:
            raise CommandError("--if-empty and --replace contradict each other: choose one.")
        existing = Review.objects.count()
        with pghistory.context(source="seed_demo"):
            if existing and replace:
                with transaction.atomic():
                    Review.objects.all().delete()
                self.stdout.write(f"Deleted {existing:,} reviews.")
            elif existing and if_empty:
                self.stdout.write(f"The register already holds {existing:,} reviews: no demo reviews added.")
                reviews = 0
            elif existing:
                raise CommandError(
                    f"The register already holds {existing:,} reviews. Add --replace to delete them first, "
                    "or --if-empty to leave them."
                )
            if reviews:
                started = time.monotonic()
                counts = demo.build(
                    count=reviews,
                    seed=seed,
                    showcase=DEMO_USERS[0][3],
                    progress=self._progress if reviews >= LARGE else None,
                )
                self.stdout.write(
                    f"Added {counts['reviews_review']:,} reviews, {counts['reviews_child']:,} children, "
                    f"{counts['reviews_agencyinvolvement']:,} agency rows, {counts['reviews_finding']:,} findings, "
                    f"{counts['reviews_evaluation']:,} evaluations and {counts['reviews_contribution']:,} "
                    f"contributing boards in {time.monotonic() - started:.1f} s (seed {seed})."
                )
            self._demo_users()

    def _progress(self, done, total, seconds, stage="written"):
        end = "\r" if sys.stderr.isatty() and done < total else "\n"
        self.stderr.write(f"seed_demo: {done:,} / {total:,} reviews {stage} ({seconds:.1f} s)", ending=end)
        self.stderr.flush()

    def _demo_users(self):
        """Create or reset one user per role (password, role, boards, lockouts), and print their logins."""
        User = get_user_model()
        rows, second_factors = [], []
        with transaction.atomic():
            for username, password, role, codes in DEMO_USERS:
                user = User.objects.filter(username=username).first() or User(username=username)
                validate_password(password, user=user)
                user.set_password(password)
                user.is_active = True
                user.save()
                boards = list(Board.objects.filter(gss_code__in=codes).order_by("gss_code"))
                assign_role(user, role=role, boards=boards)
                axes_reset(username=username)  # a demo login locked out by wrong guesses works again
                where = f" ({', '.join(b.name for b in boards)})" if boards else ""
                rows.append((username, password, role + where))
                if needs_second_factor(user):
                    second_factors.append((username, self._demo_second_factor(user)))
        width = max(len(r[0]) for r in rows) + 2
        pwidth = max(len(r[1]) for r in rows) + 2
        self.stdout.write("\nDemo logins (development only):")
        self.stdout.write(f"  {'username':<{width}}{'password':<{pwidth}}role")
        for username, password, role in rows:
            self.stdout.write(f"  {username:<{width}}{password:<{pwidth}}{role}")
        self.stdout.write(
            f"\nTwo-factor sign-in: add the key {DEMO_TOTP_KEY_BASE32} to an authenticator app, or use one of "
            "these single-use backup codes (new ones every run):"
        )
        for username, codes in second_factors:
            self.stdout.write(f"  {username:<{width}}{' '.join(codes)}")

    def _demo_second_factor(self, user):
        """A confirmed authenticator with the shared demo key, and three fresh backup codes."""
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY_HEX, confirmed=True)
        static, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
        static.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(3)]
        static.token_set.bulk_create([StaticToken(device=static, token=code) for code in codes])
        return codes
