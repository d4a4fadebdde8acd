"""Keep everyone signed in across the release that returned to Django's own sign-in parts.

A session names the backend that signed its user in (``_auth_user_backend``), and Django signs out a session
whose backend is no longer in ``AUTHENTICATION_BACKENDS``. Sessions made while ``scr_register.signed_in``
was live name its ``UserBackend``, which is gone: they are rewritten to name ``ModelBackend``, whose checks it
made, through the session engine's own public ``decode``/``encode``. Data only, a batch at a time; run it
with the old app servers stopped (a sign-in on an old server after it ran would be signed out once).

Reversing rewrites them back, so the previous release keeps its users signed in too.
"""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations
from django.utils import timezone

OLD_BACKEND = "scr_register.signed_in.UserBackend"
NEW_BACKEND = "django.contrib.auth.backends.ModelBackend"
BATCH = 1000


def rename_backend(apps, old, new):
    """Rewrite every live session signed in through backend ``old`` to name ``new``; the rest are untouched."""
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    live = Session.objects.filter(expire_date__gt=timezone.now()).order_by("session_key")
    changed = []
    for session in live.iterator(chunk_size=BATCH):
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) != old:
            continue
        data[BACKEND_SESSION_KEY] = new
        session.session_data = store.encode(data)
        changed.append(session)
        if len(changed) == BATCH:
            Session.objects.bulk_update(changed, ["session_data"])
            changed = []
    Session.objects.bulk_update(changed, ["session_data"])


def keep_sessions(apps, schema_editor):
    rename_backend(apps, OLD_BACKEND, NEW_BACKEND)


def give_sessions_back(apps, schema_editor):
    rename_backend(apps, NEW_BACKEND, OLD_BACKEND)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0017_readevent_user_name"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(keep_sessions, give_sessions_back, elidable=True),
    ]
