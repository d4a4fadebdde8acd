"""Who is signed in (scr_register/signed_in.py): three written-out queries a request, and every check Django
and django-otp make on the session, the user and the device still made."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews.roles import role_of
from scr_register.signed_in import UserBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])


def the_session(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def set_device(client, persistent_id):
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()


def test_a_signed_in_page_reads_the_session_the_user_with_their_permissions_and_the_device(client, inspector):
    client.force_login(inspector)
    client.get("/reviews/saved/")  # the first page after signing in starts the session's clocks: a write
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reviews/saved/")
    assert response.status_code == 200
    first = [query["sql"] for query in queries.captured_queries[:3]]
    assert "django_session" in first[0]
    assert "auth_user" in first[1] and "auth_permission" in first[1]
    assert "otp_totp_totpdevice" in first[2]
    assert len(queries) == 4, [query["sql"] for query in queries.captured_queries]  # and the saved views


@pytest.mark.parametrize("role", ["board_staff", "inspector", "manager", None])
def test_the_signed_in_users_role_and_permissions_are_the_ones_django_gives(role):
    user = UserFactory(role=role) if role else UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_board"))
    expected = ModelBackend().get_all_permissions(get_user_model().objects.get(pk=user.pk))
    loaded = UserBackend().get_user(user.pk)
    assert loaded == user
    assert loaded.get_all_permissions() == expected
    assert "reviews.view_board" in expected
    assert role_of(loaded) == role


def test_the_backend_knows_no_one_for_an_unknown_or_deactivated_user():
    user = UserFactory(role="inspector")
    assert UserBackend().get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert UserBackend().get_user(user.pk) is None


def test_a_deactivated_user_is_signed_out_at_their_next_request(client, board_user):
    client.force_login(board_user)
    assert client.get("/reviews/").status_code == 200
    board_user.is_active = False
    board_user.save()
    response = client.get("/reviews/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(client, board_user):
    client.force_login(board_user)
    assert client.get("/reviews/").status_code == 200
    board_user.set_password("a completely different passphrase")
    board_user.save()
    response = client.get("/reviews/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_session_past_its_expiry_date_in_the_database_is_no_session(client, board_user):
    client.force_login(board_user)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=old_key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/reviews/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # Whatever is saved afterwards goes under a new key: the expired one is never brought back.
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != old_key


@pytest.mark.parametrize(
    "device",
    ["another users", "unconfirmed", "not a device model", "nonsense", "unknown model", "unknown id"],
)
def test_a_device_that_is_not_the_users_confirmed_authenticator_is_no_second_factor(client, inspector, device):
    client.force_login(inspector)
    assert client.get("/reviews/").status_code == 200
    own = TOTPDevice.objects.get(user=inspector)
    someone_elses = TOTPDevice.objects.create(user=UserFactory(role="inspector"), name="app", confirmed=True)
    unconfirmed = TOTPDevice.objects.create(user=inspector, name="new app", confirmed=False)
    set_device(
        client,
        {
            "another users": someone_elses.persistent_id,
            "unconfirmed": unconfirmed.persistent_id,
            "not a device model": f"auth.user/{inspector.pk}",
            "nonsense": "nonsense",
            "unknown model": f"otp_totp.nosuchdevice/{own.pk}",
            "unknown id": f"otp_totp.totpdevice/{own.pk + 1000}",
        }[device],
    )
    response = client.get("/reviews/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    assert DEVICE_ID_SESSION_KEY not in the_session(client).get_decoded()  # forgotten, as django-otp does


def test_the_users_own_confirmed_device_is_their_second_factor(client, inspector):
    client.force_login(inspector)
    own = TOTPDevice.objects.get(user=inspector)
    set_device(client, f"django_otp.plugins.otp_totp.models.TOTPDevice/{own.pk}")  # django-otp's old form
    assert client.get("/reviews/").status_code == 200
