"""What the benchmark scripts share: percentiles, timing a call, Django set up as the server runs it, and a test
client signed in past the second factor."""

import statistics
import time


def percentile(values, fraction):
    """The value ``fraction`` of the way through the sorted values (0.95: the 95th percentile)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))]


def summary(values):
    return {"median": statistics.median(values), "p95": percentile(values, 0.95), "n": len(values)}


def timed(call, runs, *, warm_up=1):
    """Median and 95th percentile, in milliseconds, of ``runs`` calls after ``warm_up`` untimed ones."""
    for _ in range(warm_up):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return summary(times)


def setup_django():
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Production settings (DEBUG off), but static files by their plain names: no collectstatic manifest here.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


def sign_in(client, user):
    """Sign the test client in as ``user``, past the second factor when the project asks for one."""
    client.force_login(user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:  # no two-factor sign-in in this version of the project
        return
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def median_and_p95(call, runs):
    """``timed``'s median and 95th percentile as a pair (milliseconds), after one warm-up call."""
    times = timed(call, runs)
    return times["median"], times["p95"]
