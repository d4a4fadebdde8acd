"""The Django side of the load test: its users, their signed-in sessions, the paths and the scenarios."""

import os
import random
import sys
import time
from importlib import import_module

from loadtesting import (
    FILTERED,
    INSPECTORS,
    LOADTEST_TOTP_KEY,
    MANAGERS,
    ROOT,
    USER_PREFIX,
)
from loadtesting.results import Scenario

# --- Django side: users, sessions, paths -----------------------------------------------------------------------


def setup_django(database_url, secret_key):
    """Django in this process with the server's settings, so sessions are signed as the server expects."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SECRET_KEY"] = secret_key
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scr_register.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_users():
    """Our own inspectors and managers, each with a confirmed authenticator (created once, kept)."""
    from django.contrib.auth.models import Group, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    users = []
    for role, count in (("inspector", INSPECTORS), ("manager", MANAGERS)):
        group = Group.objects.get(name=role)
        for number in range(1, count + 1):
            user, created = User.objects.get_or_create(username=f"{USER_PREFIX}{role}-{number}")
            if created:
                user.set_unusable_password()
                user.save()
            user.groups.set([group])
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="load test", defaults={"confirmed": True, "key": LOADTEST_TOTP_KEY}
            )
            users.append((role, user, device))
    return users


def signed_in_session(user, device):
    """A session row as a sign-in with the second factor leaves it; returns the session key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY

    from scr_register.middleware import LAST_SEEN_AT, SIGNED_IN_AT

    now = int(time.time())
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now
    session.create()
    return session.session_key


def delete_sessions(session_keys):
    """Sign our load-test sessions out (their rows go), so runs leave no live sessions behind."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    Session.objects.filter(session_key__in=session_keys).delete()
    connection.close()


def cookie_for(session_key):
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


def sample_review_paths(count=200, seed=6):
    """Detail paths of submitted or evaluated reviews spread over the whole table (the same on every run)."""
    from reviews.models import Review

    ids = list(Review.objects.exclude(status=Review.Status.DRAFT).order_by("pk").values_list("pk", flat=True))
    random.Random(seed).shuffle(ids)
    return [f"/reviews/{pk}/" for pk in sorted(ids[:count])]


def sample_dashboard_paths(count=400, seed=6):
    """Dashboard pages for varied years, regions and boards: most of them a cold cache in each worker."""
    from dashboard import queries
    from reviews.models import Board

    years = queries.reporting_years()
    boards = list(Board.objects.values_list("gss_code", "region__code"))
    rng = random.Random(seed)
    paths = set()
    while len(paths) < count:
        board, region = rng.choice(boards)
        year = rng.choice(years)
        paths.add(f"/dashboard/?year={year}&region={region}&board={board}")
    return sorted(paths)


def build_scenarios(cookies, review_paths, dashboard_paths):
    """The scenarios in the order they run; ``cookies`` maps role -> list of session cookies."""
    inspector, manager = cookies["inspector"][0], cookies["manager"][0]
    year = "2008-09"

    def one(cookie, path, repeat=1):
        return [(cookie, path)] * repeat

    mix = []
    for cookie in cookies["inspector"]:
        mix += one(cookie, "/reviews/", 4)
        mix += one(cookie, FILTERED, 4)
        mix += one(cookie, "/reviews/?region=E12000005", 2)
        mix += one(cookie, "/reviews/?category=weak_management&o=-evaluated", 2)
        mix += one(cookie, "/reviews/?q=neglect", 1)
        mix += [(cookie, path) for path in review_paths[:: max(1, len(review_paths) // 5)]]
        mix += one(cookie, f"/reviews/export.csv?judgement=inadequate&year={year}&region=E12000005", 1)
    for cookie in cookies["manager"]:
        mix += one(cookie, "/dashboard/", 3)
        mix += one(cookie, f"/dashboard/?year={year}&region=E12000005", 2)
        mix += one(cookie, f"/dashboard/api/summary?year={year}", 2)
        mix += one(cookie, f"/dashboard/api/judgement-rates?group=region&year={year}", 2)
        mix += one(cookie, f"/reviews/?year={year}", 2)
    return [
        Scenario("floor: /healthz", "no session; one SELECT 1; the cheapest answer of the stack", one("-", "/healthz")),
        Scenario(
            "floor: / (signed in)",
            "session, user, device and role read; a redirect to the start page",
            one(inspector, "/"),
            expect="3xx",
        ),
        Scenario("register /reviews/", "first page, no filter", one(inspector, "/reviews/")),
        Scenario("filtered: judgement + year", FILTERED, one(inspector, FILTERED)),
        Scenario(
            "filter: judgement", "/reviews/?judgement=inadequate", one(inspector, "/reviews/?judgement=inadequate")
        ),
        Scenario("filter: year", f"/reviews/?year={year}", one(inspector, f"/reviews/?year={year}")),
        Scenario("filter: region", "/reviews/?region=E12000005", one(inspector, "/reviews/?region=E12000005")),
        Scenario(
            "filter: category",
            "/reviews/?category=weak_management",
            one(inspector, "/reviews/?category=weak_management"),
        ),
        Scenario(
            "review pages",
            f"/reviews/<id>/ for {len(review_paths)} reviews",
            [(inspector, path) for path in review_paths],
        ),
        Scenario("dashboard", "/dashboard/ (the manager's start page)", one(manager, "/dashboard/")),
        Scenario(
            "JSON API",
            f"/dashboard/api/summary?year={year} and judgement-rates?group=board",
            one(manager, f"/dashboard/api/summary?year={year}")
            + one(manager, f"/dashboard/api/judgement-rates?group=board&year={year}"),
        ),
        Scenario(
            "filtered export (CSV)",
            f"/reviews/export.csv?judgement=inadequate&year={year}",
            one(inspector, f"/reviews/export.csv?judgement=inadequate&year={year}"),
        ),
        Scenario(
            "mixed signed-in users",
            f"{len(cookies['inspector'])} inspectors, {len(cookies['manager'])} managers: lists, filters, "
            "review pages, dashboard, API, export",
            mix,
        ),
    ]


def overload_scenarios(cookies, dashboard_paths):
    inspector, manager = cookies["inspector"][0], cookies["manager"][0]
    return [
        Scenario(
            "overload: full export",
            "/reviews/export.csv (every submitted review) from 100 connections",
            [(inspector, "/reviews/export.csv")],
        ),
        Scenario(
            "overload: cold dashboard",
            f"/dashboard/?year&region&board, {len(dashboard_paths)} variants, from 100 connections",
            [(manager, path) for path in dashboard_paths],
        ),
    ]
