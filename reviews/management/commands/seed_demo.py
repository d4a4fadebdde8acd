"""`python manage.py seed_demo [--reviews N] [--seed S] [--if-empty] [--replace]`: synthetic demo data.

Builds a deterministic, realistic register (reviews led by boards of every region over the reporting
years 2007-08 to 2026-27, with children, agencies, findings, evaluations and re-evaluations after an
inadequate judgement), their action plans and a few dozen small PDF documents (``reviews/demo_documents.py``)
and, on a debug install only, one demo user per role, then prints their logins.

Demo users are made only while demo reviews are being added with DEBUG on (``make run`` on an empty
development database), and only under usernames nobody has yet: a user who already exists is never
changed. Their passwords, the authenticator key and the backup codes are new random ones each time,
printed once and stored nowhere else (passwords hashed). Nothing here is known from the source, so a
register seeded by mistake with debug off, or seeded again, has no login anyone could read off GitHub.

Speed (100,000 reviews and a million findings within the two minutes docs/PERFORMANCE.md records): rows
are generated in Python, by a worker thread one chunk ahead, and written with PostgreSQL COPY as the
import writes (``reviews.bulk``), into empty review tables whose secondary indexes and foreign keys are
dropped first and rebuilt from their own definitions after the rows, all in one transaction
(``reviews/demo/loading.py``).

Every trigger stays on: pghistory's statement-level trackers record each demo row once, in the context
``{"source": "seed_demo"}``, and the register's triggers keep the search documents, flags, latest
judgements and dashboard figures (the generator sets the flags and latest judgements already, so those
triggers find nothing to change). Deleting existing data with ``--replace`` is audited as usual.
"""

import base64
import secrets
import sys
import time

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from reviews import demo, demo_documents, demo_plans, roles
from reviews.accounts import assign_role, needs_second_factor
from reviews.models import Board, Document, Review

# The board staff demo user's boards, whose reviews the demo data makes sure include drafts of theirs.
SHOWCASE_BOARDS = ("E08000025", "E08000026")
# One demo user per role (username, role, boards); passwords and second factors are made when they are.
DEMO_USERS = (
    ("demo-board", roles.BOARD_STAFF, SHOWCASE_BOARDS),
    ("demo-inspector", roles.INSPECTOR, ()),
    ("demo-manager", roles.MANAGER, ()),
    ("demo-admin", roles.ADMIN, ()),
)
NEW_LOGINS = (
    "The demo users' logins were printed once, when they were made. For new ones, start again from an empty "
    "development database (`make clean-db`, then `make run`: this deletes all local data), or make a user of "
    "your own with `python manage.py adduser USERNAME --role ROLE`."
)
DEFAULT_REVIEWS = 2000
LARGE = 10_000  # show progress from this many reviews


class Command(BaseCommand):
    help = (
        "Fill the register with deterministic synthetic demo data and, with DEBUG on, make one demo user per "
        "role whose username is free (printing their new logins once). Refuses when reviews exist, unless "
        "--if-empty (then nothing is added or changed) or --replace (delete every review first)."
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
                    # Documents protect their review: their rows go first (the stored files stay, as always).
                    Document.objects.all().delete()
                    Review.objects.all().delete()
                self.stdout.write(f"Deleted {existing:,} reviews.")
            elif existing and if_empty:
                self.stdout.write(
                    f"The register already holds {existing:,} reviews: no demo reviews added and no user made "
                    f"or changed.\n{NEW_LOGINS}"
                )
                return
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
                    showcase=SHOWCASE_BOARDS,
                    progress=self._progress if reviews >= LARGE else None,
                )
                self.stdout.write(
                    f"Added {counts['reviews_review']:,} reviews, {counts['reviews_child']:,} children, "
                    f"{counts['reviews_agencyinvolvement']:,} agency rows, {counts['reviews_finding']:,} findings, "
                    f"{counts['reviews_evaluation']:,} evaluations and {counts['reviews_contribution']:,} "
                    f"contributing boards in {time.monotonic() - started:.1f} s (seed {seed})."
                )
                self.stdout.write(demo_plans.add_plans(seed=seed))
                self.stdout.write(demo_documents.add_documents(seed=seed, showcase=SHOWCASE_BOARDS))
            if not reviews:
                return
            if settings.DEBUG:
                self._demo_users()
            else:
                self.stdout.write(
                    "No demo users made: DEBUG is off (demo logins are for development installs only; "
                    "`python manage.py adduser` makes real users)."
                )

    def _progress(self, done, total, seconds, stage="written"):
        end = "\r" if sys.stderr.isatty() and done < total else "\n"
        self.stderr.write(f"seed_demo: {done:,} / {total:,} reviews {stage} ({seconds:.1f} s)", ending=end)
        self.stderr.flush()

    def _demo_users(self):
        """Make each demo user whose username is free, with new random credentials, and print them once."""
        User = get_user_model()
        key = random_hex(20)  # one authenticator key for this install's demo users
        rows, second_factors, kept = [], [], []
        with transaction.atomic():
            for username, role, codes in DEMO_USERS:
                if User.objects.filter(username=username).exists():
                    kept.append(username)
                    continue
                # An address on the reserved example.org domain: send_action_reminders writes to the console.
                user = User(username=username, email=f"{username}@example.org")
                password = new_password()
                validate_password(password, user=user)
                user.set_password(password)
                user.save()
                boards = list(Board.objects.filter(gss_code__in=codes).order_by("gss_code"))
                assign_role(user, role=role, boards=boards)
                where = f" ({', '.join(b.name for b in boards)})" if boards else ""
                rows.append((username, password, role + where))
                if needs_second_factor(user):
                    second_factors.append((username, self._demo_second_factor(user, key)))
        if kept:
            self.stdout.write(f"\nAlready users, left as they are: {', '.join(kept)}. {NEW_LOGINS}")
        if not rows:
            return
        width = max(len(r[0]) for r in rows) + 2
        pwidth = max(len(r[1]) for r in rows) + 2
        self.stdout.write("\nDemo logins (development only; shown this once, made new for this install):")
        self.stdout.write(f"  {'username':<{width}}{'password':<{pwidth}}role")
        for username, password, role in rows:
            self.stdout.write(f"  {username:<{width}}{password:<{pwidth}}{role}")
        if second_factors:
            key_base32 = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
            self.stdout.write(
                f"\nTwo-factor sign-in: add the key {key_base32} to an authenticator app, or use one of "
                "these single-use backup codes:"
            )
            for username, codes in second_factors:
                self.stdout.write(f"  {username:<{width}}{' '.join(codes)}")

    def _demo_second_factor(self, user, key):
        """A confirmed authenticator with this install's demo key, and three backup codes."""
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key, confirmed=True)
        static = StaticDevice.objects.create(user=user, name="Backup codes")
        codes = [StaticToken.random_token() for _ in range(3)]
        static.token_set.bulk_create([StaticToken(device=static, token=code) for code in codes])
        return codes


def new_password():
    """A random password for a demo user: four groups of four letters and digits (about 79 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
