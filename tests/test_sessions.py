"""Sessions end after 30 minutes idle or 8 hours after sign-in, and the user is told why."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

import scr_register.middleware  # noqa: F401  (connects the sign-in receiver before force_login)

START = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(client, board_user, clock):
    """The board user, signed in at START."""
    client.force_login(board_user)
    assert client.get("/").status_code == 200  # their start page: their boards' actions
    return client


def session_exists(client):
    return Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).exists()


def test_a_user_who_keeps_working_stays_signed_in(signed_in, clock):
    for _ in range(6):
        clock.shift(datetime.timedelta(minutes=25))
        response = signed_in.get("/")
        assert response.status_code == 200


def test_twenty_nine_minutes_idle_is_still_signed_in(signed_in, clock):
    clock.shift(datetime.timedelta(minutes=29))
    assert signed_in.get("/").status_code == 200


def test_thirty_minutes_idle_signs_the_user_out_and_says_why(signed_in, clock):
    old_key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    clock.shift(datetime.timedelta(minutes=31))
    response = signed_in.get("/reviews/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signed-out/?reason=idle"
    assert not Session.objects.filter(session_key=old_key).exists()

    page = soup(signed_in.get(response["Location"]))
    assert page.h1.get_text(strip=True) == "You have been signed out"
    assert "You have not done anything for 30 minutes" in page.main.get_text()
    assert page.select_one("a.govuk-button")["href"] == "/accounts/login/"

    # The next request is an ordinary signed-out one.
    assert signed_in.get("/").headers["Location"].startswith("/accounts/login/")


def test_eight_hours_after_sign_in_the_session_ends_even_when_busy(signed_in, clock):
    for _ in range(19):  # a request every 25 minutes: 7 hours 55 minutes
        clock.shift(datetime.timedelta(minutes=25))
        assert signed_in.get("/").status_code == 200
    clock.shift(datetime.timedelta(minutes=6))  # 8 hours 1 minute after signing in
    response = signed_in.get("/")
    assert response["Location"] == "/accounts/signed-out/?reason=expired"
    assert not session_exists(signed_in)
    page = soup(signed_in.get(response["Location"]))
    assert "You signed in more than 8 hours ago" in page.main.get_text()


def test_a_timed_out_form_post_changes_nothing_and_goes_to_the_warning(signed_in, clock):
    clock.shift(datetime.timedelta(hours=2))
    response = signed_in.post("/reviews/new/", {"title": "Typed after lunch"})
    assert response["Location"] == "/accounts/signed-out/?reason=idle"


def test_htmx_requests_are_sent_to_the_warning_page_as_a_whole_page(signed_in, clock):
    clock.shift(datetime.timedelta(minutes=45))
    response = signed_in.get("/reviews/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/signed-out/?reason=idle"


def test_signing_in_again_starts_both_clocks_afresh(client, board_user, clock):
    client.post("/accounts/login/", {"username": "board", "password": "correct horse battery staple"})
    assert client.session["signed_in_at"] == int(START.timestamp())
    clock.shift(datetime.timedelta(hours=9))
    assert client.get("/")["Location"].startswith("/accounts/login/")
    client.post("/accounts/login/", {"username": "board", "password": "correct horse battery staple"})
    assert client.get("/").status_code == 200  # board staff's start page
    assert client.session["signed_in_at"] == int(START.timestamp()) + 9 * 3600


def test_sessions_last_no_longer_than_eight_hours_on_the_server(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_a_session_row_expires_in_the_database_too(signed_in):
    session = Session.objects.get(session_key=signed_in.cookies[settings.SESSION_COOKIE_NAME].value)
    assert session.expire_date <= timezone.now() + datetime.timedelta(hours=8)


def test_the_signed_out_page_is_open_and_ignores_unknown_reasons(client, db):
    response = client.get("/accounts/signed-out/?reason=<script>")
    assert response.status_code == 200
    text = soup(response).main.get_text()
    assert "We signed you out to keep the information in the register safe." in text
    assert "<script>" not in response.content.decode().split("<main", 1)[1]
