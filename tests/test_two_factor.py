"""Two-factor sign-in: required for inspectors, managers and admins, optional for board staff."""

import datetime
import re

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import HTTPSClient

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])
PASSWORD = "correct horse battery staple"


def sign_in_with_password(client, user, next_url=None):
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


@pytest.mark.parametrize("who", ["inspector", "manager", "admin_user"])
def test_roles_that_need_a_second_factor_cannot_reach_any_page_with_a_password_alone(who, request):
    user = request.getfixturevalue(who)
    client = HTTPSClient()
    sign_in_with_password(client, user)
    for path in ["/reviews/", "/dashboard/", "/admin/", "/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/two-factor/"), path


def test_an_inspector_without_an_authenticator_sets_one_up_and_gets_backup_codes(inspector):
    client = HTTPSClient()
    sign_in_with_password(client, inspector)
    response = client.get("/accounts/two-factor/?next=/reviews/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/set-up/")
    page = response.content.decode()
    assert "<svg" in page and "Set up two-factor sign-in" in page
    device = TOTPDevice.objects.get(user=inspector, confirmed=False)

    wrong = client.post("/accounts/two-factor/set-up/", {"code": "000000", "next": "/reviews/"})
    assert "The security code is wrong" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=inspector, confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()

    done = client.post("/accounts/two-factor/set-up/", {"code": code_for(device), "next": "/reviews/"})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=inspector).values_list("token", flat=True))
    assert client.get("/reviews/").status_code == 200


def test_a_returning_inspector_enters_the_code_from_their_app(inspector):
    device = TOTPDevice.objects.create(user=inspector, name="Authenticator app", confirmed=True)
    client = HTTPSClient()
    sign_in_with_password(client, inspector, next_url="/dashboard/")
    assert client.get("/dashboard/")["Location"].startswith("/accounts/two-factor/")

    refused = client.post("/accounts/two-factor/", {"code": "123456", "next": "/dashboard/"})
    assert refused.status_code == 200
    assert "The security code is wrong or has expired" in refused.content.decode()

    device.refresh_from_db()
    device.throttle_reset()  # a failure makes the next try wait a second, then two...
    accepted = client.post("/accounts/two-factor/", {"code": code_for(device), "next": "/dashboard/"})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_backup_code_works_once(manager):
    TOTPDevice.objects.create(user=manager, name="Authenticator app", confirmed=True)
    static = manager.staticdevice_set.create(name="Backup codes")
    static.token_set.create(token="abcd2345")

    first = HTTPSClient()
    sign_in_with_password(first, manager)
    assert first.post("/accounts/two-factor/", {"code": "abcd 2345"}).status_code == 302
    assert first.get("/dashboard/").status_code == 200

    second = HTTPSClient()
    sign_in_with_password(second, manager)
    again = second.post("/accounts/two-factor/", {"code": "abcd2345"})
    assert again.status_code == 200
    assert second.get("/dashboard/").status_code == 302


def test_board_staff_may_sign_in_without_a_second_factor_but_once_set_up_it_is_required(board_user):
    client = HTTPSClient()
    sign_in_with_password(client, board_user)
    assert client.get("/reviews/").status_code == 200

    TOTPDevice.objects.create(user=board_user, name="Authenticator app", confirmed=True)
    later = HTTPSClient()
    sign_in_with_password(later, board_user)
    assert later.get("/reviews/")["Location"].startswith("/accounts/two-factor/")


def test_a_password_reset_by_an_administrator_keeps_the_second_factor(inspector, monkeypatch):
    TOTPDevice.objects.create(user=inspector, name="Authenticator app", confirmed=True)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a new long passphrase 42\n"))
    call_command("adduser", "inspector", "--role", "inspector", "--update")

    client = HTTPSClient()
    client.post("/accounts/login/", {"username": "inspector", "password": "a new long passphrase 42"})
    assert client.get("/reviews/")["Location"].startswith("/accounts/two-factor/")


def test_the_admin_sign_in_page_sends_people_to_the_services_sign_in():
    response = HTTPSClient().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_an_unverified_user_can_still_sign_out(inspector):
    client = HTTPSClient()
    sign_in_with_password(client, inspector)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/reviews/")["Location"].startswith("/accounts/login/")


def test_two_factor_pages_refuse_an_offsite_next(inspector):
    device = TOTPDevice.objects.create(user=inspector, name="Authenticator app", confirmed=True)
    client = HTTPSClient()
    sign_in_with_password(client, inspector)
    response = client.post("/accounts/two-factor/", {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"
    again = client.post("/accounts/two-factor/", {"next": "inadequate"})
    assert again.status_code == 302
    assert again["Location"] == "/"


def test_wrong_codes_slow_down_guessing(inspector):
    device = TOTPDevice.objects.create(user=inspector, name="Authenticator app", confirmed=True)
    client = HTTPSClient()
    sign_in_with_password(client, inspector)
    client.post("/accounts/two-factor/", {"code": "111111"})
    # Straight after a wrong code even the right one is refused: each failure doubles the wait.
    refused = client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert refused.status_code == 200
    assert client.get("/reviews/").status_code == 302


def error_messages(response):
    page = BeautifulSoup(response.content.decode(), "html.parser")
    summary = [a.get_text(strip=True) for a in page.select(".govuk-error-summary__list a")]
    field = [p.get_text(" ", strip=True).removeprefix("Error:").strip() for p in page.select(".govuk-error-message")]
    return summary, field


def test_a_right_code_straight_after_a_wrong_one_is_told_to_wait_not_that_it_is_wrong(inspector):
    device = TOTPDevice.objects.create(user=inspector, name="Authenticator app", confirmed=True)
    client = HTTPSClient()
    sign_in_with_password(client, inspector, next_url="/dashboard/")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        wrong = client.post("/accounts/two-factor/", {"code": "111111", "next": "/dashboard/"})
        assert "The security code is wrong or has expired" in wrong.content.decode()

        too_soon = client.post("/accounts/two-factor/", {"code": code_for(device), "next": "/dashboard/"})
        assert too_soon.status_code == 200
        message = "You entered a wrong code too many times. Wait 1 second, then enter the code again"
        assert error_messages(too_soon) == ([message], [message])
        assert "wrong or has expired" not in too_soon.content.decode()

        traveller.shift(datetime.timedelta(seconds=1))
        accepted = client.post("/accounts/two-factor/", {"code": code_for(device), "next": "/dashboard/"})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/dashboard/"


@pytest.mark.parametrize(
    ("failures", "waited", "wait"),
    [(4, 0, "8 seconds"), (4, 3, "5 seconds"), (4, 7.5, "1 second"), (8, 10, "2 minutes"), (20, 0, "7 days")],
)
def test_the_throttled_message_says_how_long_is_left(inspector, failures, waited, wait):
    device = TOTPDevice.objects.create(user=inspector, name="Authenticator app", confirmed=True)
    client = HTTPSClient()
    sign_in_with_password(client, inspector)
    now = timezone.now()
    device.throttling_failure_count = failures
    device.throttling_failure_timestamp = now
    device.save()
    with time_machine.travel(now + datetime.timedelta(seconds=waited), tick=False):
        response = client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert error_messages(response)[1] == [
        f"You entered a wrong code too many times. Wait {wait}, then enter the code again"
    ]
    device.refresh_from_db()
    assert device.throttling_failure_count == failures  # a try while throttled is not counted or checked


def test_setting_up_says_when_to_try_again_after_wrong_codes(inspector):
    client = HTTPSClient()
    sign_in_with_password(client, inspector)
    client.get("/accounts/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=inspector, confirmed=False)
    with time_machine.travel(timezone.now(), tick=False):
        client.post("/accounts/two-factor/set-up/", {"code": "000000"})
        too_soon = client.post("/accounts/two-factor/set-up/", {"code": code_for(device)})
    assert error_messages(too_soon)[1] == [
        "You entered a wrong code too many times. Wait 1 second, then enter the code again"
    ]
    assert not TOTPDevice.objects.filter(user=inspector, confirmed=True).exists()
