"""Two-factor sign-in (django-otp): an authenticator app (TOTP) plus single-use backup codes.

Required for inspectors, managers and admins; optional for board staff, who may set it up (and then
always need it). After the password, :class:`TwoFactorMiddleware` sends a signed-in user who needs a
second factor and has not given one this session to ``/accounts/two-factor/``: the set-up page when
they have no authenticator yet, else the page that asks for a code. Until then every other page,
the admin included, is out of reach. There is no self-service password reset: an administrator resets
a password with ``manage.py adduser --update``, which leaves the authenticator in place, so a reset
never skips the second factor.
"""

import base64
import logging
import math
from functools import wraps
from urllib.parse import quote

import segno
from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews.accounts import needs_second_factor

logger = logging.getLogger("scr_register.security")

ISSUER = "SCR Register"
BACKUP_CODES = 10


def second_factor_not_required(view):
    """Mark a view a signed-in user may reach before giving their second factor."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    wrapped.second_factor_not_required = True
    return wrapped


class TwoFactorMiddleware:
    """Keeps a signed-in user who needs a second factor on the two-factor pages until they give it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if getattr(view_func, "second_factor_not_required", False) or not getattr(view_func, "login_required", True):
            return None
        if not needs_second_factor(user):
            return None
        url = f"{reverse('two_factor')}?next={quote(request.get_full_path())}"
        if request.headers.get("HX-Request"):
            response = HttpResponseRedirect(url)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class TokenForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=16,
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
        error_messages={"required": "Enter the security code"},
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this service: never another site, and never a bare word redirect() would try to reverse.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("home")
    return target


def _locked_until(device):
    """When ``device`` will check a code again after too many wrong ones (None: it checks one now)."""
    verify_allowed, details = device.verify_is_allowed()
    if verify_allowed or details.get("reason") != VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return None
    return details["locked_until"]


def _wait_message(locked_until):
    """The error for a code sent while the device refuses to check one, with the time left."""
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    if seconds < 60:
        count, unit = seconds, "second"
    elif seconds < 60 * 60:
        count, unit = math.ceil(seconds / 60), "minute"
    elif seconds < 48 * 60 * 60:
        count, unit = math.ceil(seconds / (60 * 60)), "hour"
    else:
        count, unit = math.ceil(seconds / (24 * 60 * 60)), "day"
    wait = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"You entered a wrong code too many times. Wait {wait}, then enter the code again"


def _verified_device(user, code):
    """The device that accepts ``code`` (the authenticator first, then a backup code, used once), else None
    and, if a device would not check it after too many wrong codes, when the first such device will."""
    locked_until = None
    for device in list(TOTPDevice.objects.devices_for_user(user)) + list(StaticDevice.objects.devices_for_user(user)):
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            device_locked_until = _locked_until(device)
            if device_locked_until is not None:
                locked_until = locked_until or device_locked_until
            elif device.verify_token(code):
                return device, None
    return None, locked_until


@never_cache
@second_factor_not_required
def two_factor(request):
    """Ask for the security code; a user with no authenticator yet is sent to set one up."""
    if request.user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{reverse('two_factor_setup')}?next={quote(_safe_next(request))}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, locked_until = _verified_device(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            return HttpResponseRedirect(_safe_next(request))
        logger.warning("second factor refused", extra={"user_id": request.user.pk})
        if locked_until is not None:
            form.add_error("code", _wait_message(locked_until))
        else:
            form.add_error("code", "The security code is wrong or has expired: enter the code your app shows now")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


def _otpauth_url(device, user):
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    label = quote(f"{ISSUER}:{user.get_username()}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}&digits={device.digits}&period={device.step}"


@never_cache
@second_factor_not_required
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), then enter a code to confirm."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect(f"{reverse('two_factor')}?next={quote(_safe_next(request))}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if (locked_until := _locked_until(device)) is not None:
            form.add_error("code", _wait_message(locked_until))
        elif device.verify_token(form.cleaned_data["code"]):
            codes = _confirm(device)
            otp_login(request, device)
            request.session.cycle_key()
            return render(
                request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": _safe_next(request)}
            )
        else:
            form.add_error("code", "The security code is wrong: enter the code your app shows now")
    otpauth = _otpauth_url(device, user)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "next": _safe_next(request),
        "qr_svg": segno.make(otpauth, error="m").svg_inline(scale=4, title="QR code for your authenticator app"),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
    }
    return render(request, "accounts/two_factor_setup.html", context)


@transaction.atomic
def _confirm(device):
    """Confirm the authenticator and issue a fresh set of backup codes (shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    static, _ = StaticDevice.objects.get_or_create(user=device.user, name="Backup codes")
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@login_not_required
def admin_login(request):
    """The admin signs in through the service's own sign-in (and its second factor).

    A signed-in user the admin sends here has no admin access: the service's 403 page, not the sign-in
    page (which would send them straight back to the admin, and round again).
    """
    if request.user.is_authenticated:
        if not admin.site.has_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(_safe_next(request))
    return redirect(f"{reverse('login')}?next={quote(_safe_next(request))}")
