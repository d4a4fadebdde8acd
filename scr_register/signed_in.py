"""Who is signed in, read on every request in three short queries: the session, the user with their role and
permissions, and their second-factor device.

Django's own classes build each of these through the ORM; the queries are fixed, so here they are written out
once (names from the models, values as bound parameters) and the ORM's per-request compiling, about 1.5 ms of
CPU a page, is gone. What they check is Django's and django-otp's, unchanged: a session past its expiry date
is no session, an inactive user is nobody, a device of another user or not yet confirmed is no device, and
``django.contrib.auth.get_user`` still verifies the session against the password hash.

- ``SessionStore``: ``SESSION_ENGINE = "scr_register.signed_in"``.
- ``UserBackend``: in ``AUTHENTICATION_BACKENDS`` instead of ``ModelBackend``.
- ``OTPMiddleware``: in ``MIDDLEWARE`` instead of django-otp's.
"""

import functools

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone
from django_otp import middleware as otp_middleware
from django_otp.models import Device

from reviews import roles


def _columns(model):
    """The model's concrete fields' attribute names and its table's quoted column list, for ``from_db``."""
    quote = connections[router.db_for_read(model)].ops.quote_name
    fields = model._meta.concrete_fields
    return [field.attname for field in fields], ", ".join(quote(field.column) for field in fields)


def _fetch_one(model, sql, params):
    """The one row ``sql`` reads (or None), through the database the model reads from."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


class SessionStore(db.SessionStore):
    """Django's database sessions, read with one written-out query."""

    def _get_session_from_db(self):
        model = self.model
        row = _fetch_one(
            model,
            f"SELECT session_data FROM {model._meta.db_table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
            [self.session_key, timezone.now()],
        )
        if row is None:
            self._session_key = None  # as Django does: saving this session makes a new key
            return None
        return model(session_key=self.session_key, session_data=row[0])


@functools.cache
def _user_sql():
    model = get_user_model()
    names, columns = _columns(model)
    where = f"{model._meta.pk.column} = %(user)s"
    return names, f"SELECT {columns}, {roles.access_sql()} FROM {model._meta.db_table} WHERE {where}"  # noqa: S608


class UserBackend(ModelBackend):
    """ModelBackend whose ``get_user`` (every request of a signed-in user) reads the user together with their
    role and permissions (``reviews.roles``), so the page's permission checks need no other query."""

    def get_user(self, user_id):
        model = get_user_model()
        names, sql = _user_sql()
        row = _fetch_one(model, sql, {"user": user_id})
        if row is None:
            return None
        user = model.from_db(router.db_for_read(model), names, row[:-1])
        if not self.user_can_authenticate(user):
            return None
        if not user.is_superuser:
            roles.keep_access(user, row[-1])
        return user


@functools.cache
def _device_sql(model):
    names, columns = _columns(model)
    return names, f"SELECT {columns} FROM {model._meta.db_table} WHERE {model._meta.pk.column} = %s"  # noqa: S608


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's middleware, reading the session's device with one written-out query. Its checks that the
    device is the user's and confirmed (``_finalize_device``) are django-otp's own."""

    def _device_from_persistent_id(self, persistent_id):
        label, _, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        try:
            model = apps.get_model(label)
            device_id = int(device_id)
        except (ValueError, LookupError):
            return None
        if not issubclass(model, Device):
            return None
        names, sql = _device_sql(model)
        row = _fetch_one(model, sql, [device_id])
        return None if row is None else model.from_db(router.db_for_read(model), names, row)
