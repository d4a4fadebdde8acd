"""Mail settings from the environment (SPEC section 8): EMAIL_URL into Django's MAILERS, DJANGO_SITE_URL."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

SECRET = "a-long-random-test-only-secret-key-0123456789-abcdefghijklmnop"


def settings_with(**environ):
    """MAILERS, DEFAULT_FROM_EMAIL, SITE_URL and the silenced checks of the settings module under ``environ``."""
    env = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DJANGO_SITE_URL")}
    env |= {"DJANGO_SECRET_KEY": SECRET, **environ}
    code = (
        "import json; from scr_register import settings as s; print(json.dumps([s.MAILERS, s.DEFAULT_FROM_EMAIL,"
        " s.SITE_URL, getattr(s, 'SILENCED_SYSTEM_CHECKS', [])]))"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    return json.loads(result.stdout)


def test_without_email_url_mail_goes_to_the_console_and_links_to_localhost():
    mailers, from_email, site_url, silenced = settings_with()

    assert mailers == {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}}
    assert from_email == "webmaster@localhost"
    assert site_url == "http://127.0.0.1:8000"
    assert silenced == ["mail.E001"]  # the SPEC's default passes the deploy checks


def test_an_smtp_url_gives_host_port_credentials_and_tls():
    mailers, from_email, site_url, silenced = settings_with(
        EMAIL_URL="smtp+tls://scr%40example.org:s3cret@smtp.example.org:587",
        DJANGO_DEFAULT_FROM_EMAIL="SCR Register <scr@example.org>",
        DJANGO_SITE_URL="https://scr.example.org/",
    )

    assert mailers["default"] == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.org",
            "port": 587,
            "username": "scr@example.org",
            "password": "s3cret",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 30,
        },
    }
    assert from_email == "SCR Register <scr@example.org>"
    assert site_url == "https://scr.example.org"
    assert silenced == []


@pytest.mark.parametrize(
    ("url", "folder"), [("filemail:///outgoing-mail", "outgoing-mail"), ("filemail:////var/mail/scr", "/var/mail/scr")]
)
def test_a_file_url_names_the_folder_and_the_deploy_checks_then_say_it_is_not_for_production(url, folder):
    mailers, *_, silenced = settings_with(EMAIL_URL=url)

    assert mailers["default"] == {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": folder},
    }
    assert silenced == []
