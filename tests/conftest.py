"""Shared fixtures: one user per role, and boards from the shipped reference data."""

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews.accounts import needs_second_factor
from tests.factories import UserFactory, board

# The dashboard tests' hand-worked register (the `register` fixture).
pytest_plugins = ["tests.dashboard_data"]


@pytest.fixture(autouse=True, scope="session")
def _static_files_by_plain_name(tmp_path_factory):
    """Pages name static files without a `collectstatic` manifest (production serves hashed names).

    No STATIC_ROOT: WhiteNoise would serve the `collectstatic` folder, which a fresh clone does not have (it
    warned "No directory at: .../staticfiles/" for every test client); no test serves static files through it
    (the browser tests' live server finds them in static/).

    Passwords are hashed with a fast hasher: production's PBKDF2 costs most of a second per user on a busy
    machine, and the suite creates and signs in many users.

    Uploaded documents go to a folder of this test session, never the project's media/.

    Background tasks (reading a document's text) run at once, inside the code that queues them, whatever
    DJANGO_TASKS_IMMEDIATE says: tests of the worker itself switch to the database backend
    (tests/test_document_text.py).
    """
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    documents = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path_factory.mktemp("media"), "base_url": None},
    }
    storages = {**settings.STORAGES, "staticfiles": plain, "documents": documents}
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(STORAGES=storages, STATIC_ROOT=None, PASSWORD_HASHERS=fast, TASKS=immediate):
        yield


class HTTPSClient(Client):
    """A test client whose requests arrive over HTTPS, as production's do (so no redirect to https://).

    With ``enforce_csrf_checks=True``, POSTs need an ``Origin`` (or ``Referer``) header naming the site, as
    a browser sends: ``client.post(url, data, headers={"Origin": "https://testserver"})``.
    """

    def force_login(self, user, backend=None, *, second_factor=True):
        """Sign in without the forms; with ``second_factor`` the session has given its second factor too
        (a confirmed authenticator is made for users who need one), as after the two-factor page."""
        super().force_login(user, backend)
        if second_factor and needs_second_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    def _base_environ(self, **request):
        environ = super()._base_environ(**request)
        environ["wsgi.url_scheme"] = "https"
        environ["SERVER_PORT"] = "443"
        return environ


@pytest.fixture
def client():
    """pytest-django's client, over HTTPS."""
    return HTTPSClient()


@pytest.fixture
def birmingham(db):
    return board("E08000025")


@pytest.fixture
def coventry(db):
    return board("E08000026")


@pytest.fixture
def board_user(db):
    return UserFactory(username="board", role="board_staff", boards=["E08000025"])


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", role="inspector")


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role="manager")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin")


@pytest.fixture
def reporting_shares_default(db):
    """The dashboard and the exports read through the "reporting" alias, a test mirror of "default". A test's
    data lives in its uncommitted transaction on "default", so point "reporting" at that same connection."""
    from reviews.exports import close_abandoned_readings

    original = connections["reporting"]
    connections["reporting"] = connections["default"]
    yield
    # The test client closes a streamed export only once it is read to the end: end any export transaction
    # (a savepoint here) a test left open, before the test's own transaction is rolled back.
    close_abandoned_readings()
    connections["reporting"] = original


@pytest.fixture
def fresh_dashboard_cache():
    """An empty cache of dashboard results before and after the test (Django's cache: LocMem in a test process)."""
    from dashboard import queries

    queries.cache.clear()
    yield
    queries.cache.clear()


def restore_reference_data():
    """Put the migrations' reference data (boards, role groups, permissions) back (idempotent)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from reviews import reference_data, roles

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    reference_data.load(apps)
    roles.sync_groups(apps)


@pytest.fixture(scope="session")
def reference_data_kept(django_db_setup, django_db_blocker):
    """For transactional tests (a drill, a browser test, a seed outside a transaction), which end with a
    flush: after the session's last test, put the migrations' reference data back, so a test database kept
    with --reuse-db (the default here) still has its boards and roles for the next run."""
    yield
    with django_db_blocker.unblock():
        restore_reference_data()
