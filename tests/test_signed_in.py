"""Who is signed in, on Django's and django-otp's own parts (database sessions, ModelBackend, OTPMiddleware):
the checks a user relies on, each made on every request, and the sessions of the release before kept."""

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews import roles
from reviews import rules as review_rules
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])

keep_sessions_migration = import_module("reviews.migrations.0018_keep_sessions_signed_in")


def the_session(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def signed_out(response):
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_signed_in_page_costs_the_session_the_user_their_permissions_and_the_device(
    client, inspector, django_assert_max_num_queries
):
    client.force_login(inspector)
    client.get("/reviews/saved/")  # the first page after signing in starts the session's clocks: a write
    # The session, the user, their own and their groups' permissions (which also tell the role), the
    # device, and the saved views.
    with django_assert_max_num_queries(6):
        assert client.get("/reviews/saved/").status_code == 200


@pytest.mark.parametrize("role", ["board_staff", "inspector", "manager", None])
def test_the_role_is_the_users_group_known_from_the_permissions_django_loads(role, django_assert_num_queries):
    user = UserFactory(role=role) if role else UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_board"))  # one of the user's own, too
    user = get_user_model().objects.get(pk=user.pk)
    with django_assert_num_queries(2):  # ModelBackend's two: the user's own permissions, their groups'
        assert roles.role_of(user) == role
        assert user.has_perm("reviews.view_board")
        assert roles.role_of(user) == role


def test_an_admin_is_a_superuser_and_an_inactive_user_has_no_role(django_assert_num_queries):
    admin = UserFactory(is_superuser=True)
    inactive = UserFactory(role="inspector", is_active=False)
    with django_assert_num_queries(0):
        assert roles.role_of(admin) == roles.ADMIN
        assert roles.role_of(inactive) is None


def test_each_roles_permission_is_held_by_that_role_and_by_none_after_it():
    order = list(roles.ROLE_PERMISSIONS)
    assert set(order) == set(roles.GROUP_PERMISSIONS)
    for position, (role, permission) in enumerate(roles.ROLE_PERMISSIONS.items()):
        assert permission in roles.GROUP_PERMISSIONS[role]
        assert not any(permission in roles.GROUP_PERMISSIONS[later] for later in order[position + 1 :])


def test_a_deactivated_user_is_signed_out_at_their_next_request(client, board_user):
    client.force_login(board_user)
    assert client.get("/reviews/").status_code == 200
    board_user.is_active = False
    board_user.save()
    assert signed_out(client.get("/reviews/"))


def test_a_deleted_user_is_signed_out_at_their_next_request(client):
    user = UserFactory(role="board_staff")
    client.force_login(user)
    assert client.get("/reviews/").status_code == 200
    user.delete()
    assert signed_out(client.get("/reviews/"))


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(client, board_user):
    client.force_login(board_user)
    assert client.get("/reviews/").status_code == 200
    board_user.set_password("a completely different passphrase")
    board_user.save()
    assert signed_out(client.get("/reviews/"))


def test_a_session_past_its_expiry_date_in_the_database_is_no_session(client, board_user):
    client.force_login(board_user)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=old_key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert signed_out(client.get("/reviews/"))
    # Whatever is saved afterwards goes under a new key: the expired one is never brought back.
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != old_key


# (A session never names a model that is not a device: django-otp writes the id, from a device.)
@pytest.mark.parametrize("device", ["another users", "unconfirmed", "nonsense", "unknown model", "unknown id"])
def test_a_device_that_is_not_the_users_confirmed_authenticator_is_no_second_factor(client, inspector, device):
    client.force_login(inspector)
    assert client.get("/reviews/").status_code == 200
    own = TOTPDevice.objects.get(user=inspector)
    someone_elses = TOTPDevice.objects.create(user=UserFactory(role="inspector"), name="app", confirmed=True)
    unconfirmed = TOTPDevice.objects.create(user=inspector, name="new app", confirmed=False)
    persistent_id = {
        "another users": someone_elses.persistent_id,
        "unconfirmed": unconfirmed.persistent_id,
        "nonsense": "nonsense",
        "unknown model": f"otp_totp.nosuchdevice/{own.pk}",
        "unknown id": f"otp_totp.totpdevice/{own.pk + 1000}",
    }[device]
    set_session(client, **{DEVICE_ID_SESSION_KEY: persistent_id})
    response = client.get("/reviews/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    assert DEVICE_ID_SESSION_KEY not in the_session(client).get_decoded()  # forgotten, as django-otp does


def test_the_users_own_confirmed_device_is_their_second_factor(client, inspector):
    client.force_login(inspector)
    own = TOTPDevice.objects.get(user=inspector)
    set_session(client, **{DEVICE_ID_SESSION_KEY: f"django_otp.plugins.otp_totp.models.TOTPDevice/{own.pk}"})
    assert client.get("/reviews/").status_code == 200  # django-otp's old form of the id still names it


def test_sessions_signed_in_on_the_release_before_stay_signed_in_after_its_migration(client, board_user):
    client.force_login(board_user)
    assert client.get("/reviews/").status_code == 200
    set_session(client, **{BACKEND_SESSION_KEY: keep_sessions_migration.OLD_BACKEND})
    untouched = UserFactory(role="board_staff")
    other = type(client)()
    other.force_login(untouched)
    other_data = the_session(other).session_data

    keep_sessions_migration.keep_sessions(apps, None)

    assert the_session(client).get_decoded()[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/reviews/").status_code == 200
    assert the_session(other).session_data == other_data  # a session already on ModelBackend is left as it was


def test_a_session_naming_the_removed_backend_would_be_signed_out_without_the_migration(client, board_user):
    client.force_login(board_user)
    set_session(client, **{BACKEND_SESSION_KEY: keep_sessions_migration.OLD_BACKEND})
    assert signed_out(client.get("/reviews/"))


def test_reversing_the_migration_gives_the_sessions_back_to_the_release_before(client, board_user):
    client.force_login(board_user)
    keep_sessions_migration.give_sessions_back(apps, None)
    assert the_session(client).get_decoded()[BACKEND_SESSION_KEY] == keep_sessions_migration.OLD_BACKEND


@pytest.mark.parametrize("role", ["board_staff", "inspector", "manager", None])
def test_the_role_predicates_say_the_users_role_and_no_other(role):
    user = get_user_model().objects.get(pk=(UserFactory(role=role) if role else UserFactory()).pk)
    predicates = {
        "board_staff": review_rules.is_board_staff,
        "inspector": review_rules.is_inspector,
        "manager": review_rules.is_manager,
    }
    assert {name for name, predicate in predicates.items() if predicate(user)} == ({role} if role else set())
    assert not review_rules.is_admin(user)
