"""Shared fixtures: one user per role, and boards from the shipped reference data."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.factories import UserFactory, board


@pytest.fixture(autouse=True, scope="session")
def _static_files_by_plain_name():
    """Pages name static files without a `collectstatic` manifest (production serves hashed names).

    Passwords are hashed with a fast hasher: production's PBKDF2 costs most of a second per user on a busy
    machine, and the suite creates and signs in many users.
    """
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}, PASSWORD_HASHERS=fast):
        yield


class HTTPSClient(Client):
    """A test client whose requests arrive over HTTPS, as production's do (so no redirect to https://).

    With ``enforce_csrf_checks=True``, POSTs need an ``Origin`` (or ``Referer``) header naming the site, as
    a browser sends: ``client.post(url, data, headers={"Origin": "https://testserver"})``.
    """

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
