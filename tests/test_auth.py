"""Signing in and out, the start page per role, who needs a login, lockout, and CSRF on both forms."""

import datetime
import runpy
from importlib.util import find_spec

import pytest
import time_machine
from axes.models import AccessAttempt
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from reviews.models import Contribution, Review
from service.observability import client_address
from tests.conftest import HTTPSClient
from tests.factories import ReviewFactory, UserFactory

PASSWORD = "correct horse battery staple"
ORIGIN = {"Origin": "https://testserver"}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


# Signing in ----------------------------------------------------------------------------------------


def test_sign_in_page_is_a_gov_uk_form_anyone_can_open(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Sign in to the SCR Register"
    for name, label in [("username", "Username"), ("password", "Password")]:
        field = page.find("input", attrs={"name": name})
        assert page.find("label", attrs={"for": field["id"]}).get_text(strip=True) == label
        assert "govuk-input" in field["class"]
    assert page.find("input", attrs={"name": "password"})["type"] == "password"


def test_board_staff_sign_in_and_land_on_their_boards_actions(client, board_user):
    response = sign_in(client, "board")
    assert response.status_code == 302
    assert response["Location"] == "/"
    start = client.get("/")
    assert start.status_code == 200 and b"Your boards" in start.content
    assert int(client.session["_auth_user_id"]) == board_user.pk


def test_sign_in_returns_to_the_page_asked_for(client, inspector):
    response = client.post("/accounts/login/?next=/dashboard/", {"username": "inspector", "password": PASSWORD})
    assert response["Location"] == "/dashboard/"


def test_sign_in_never_sends_the_user_to_another_site(client, inspector):
    response = client.post(
        "/accounts/login/?next=https://evil.example/", {"username": "inspector", "password": PASSWORD}
    )
    assert response["Location"] == "/"


def test_wrong_password_is_explained_in_an_error_summary_and_keeps_the_username(client, board_user):
    response = sign_in(client, "board", "not the password")
    assert response.status_code == 200
    page = soup(response)
    link = page.select_one(".govuk-error-summary__list a")
    assert link.get_text(strip=True) == "Enter a correct username and password. Both are case-sensitive."
    assert link["href"] == "#id_username"
    assert page.find("input", attrs={"name": "username"})["value"] == "board"
    assert not page.find("input", attrs={"name": "password"}).get("value")
    assert "_auth_user_id" not in client.session


def test_empty_sign_in_says_what_to_enter(client):
    page = soup(sign_in(client, "", ""))
    messages = [a.get_text(strip=True) for a in page.select(".govuk-error-summary__list a")]
    assert messages == ["Enter your username", "Enter your password"]


def test_inactive_user_cannot_sign_in(client, db):
    UserFactory(username="gone", role="inspector", is_active=False)
    response = sign_in(client, "gone")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signed_in_user_opening_the_sign_in_page_goes_to_their_start_page(client, manager):
    client.force_login(manager)
    assert client.get("/accounts/login/")["Location"] == "/"


# The start page per role ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "start"),
    [("inspector", "/reviews/"), ("manager", "/dashboard/"), ("admin", "/admin/")],
)
def test_home_takes_each_role_to_its_start_page(client, db, role, start):
    client.force_login(UserFactory(role=role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == start


def test_board_staff_start_on_their_boards_actions_with_links_to_their_reviews(client, db):
    client.force_login(UserFactory(role="board_staff", boards=["E08000025"]))
    response = client.get("/")
    assert response.status_code == 200
    assert b"Overdue actions" in response.content
    assert b'href="/reviews/"' in response.content


def test_user_with_no_role_is_told_they_have_no_access_and_whom_to_ask(client, db):
    client.force_login(UserFactory(username="newcomer"))
    response = client.get("/")
    assert response.status_code == 403
    page = soup(response)
    assert page.h1.get_text(strip=True) == "You do not have access yet"
    text = page.main.get_text(" ", strip=True)
    assert "administrator" in text
    assert "newcomer" in text


# Signing out ----------------------------------------------------------------------------------------


def test_sign_out_is_post_only(client, board_user):
    client.force_login(board_user)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session


def test_sign_out_ends_the_session_on_the_server(client, board_user):
    client.force_login(board_user)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=old_key).exists()

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not Session.objects.filter(session_key=old_key).exists()

    # Someone who kept the old cookie gets nothing from it.
    thief = HTTPSClient()
    thief.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = thief.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_after_signing_out_the_sign_in_page_confirms_it(client, board_user):
    client.force_login(board_user)
    response = client.post("/accounts/logout/", follow=True)
    banner = soup(response).select_one(".govuk-notification-banner--success")
    assert banner.get_text(" ", strip=True).endswith("You have signed out.")


# Every page needs a login, except these -------------------------------------------------------------

OPEN_URL_NAMES = {"healthz", "login", "signed_out"}
SAMPLE_VALUES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def url_patterns(resolvers=None, prefix="", namespace=""):
    """Every (name, sample path) the project answers, outside the Django admin (tested on its own below)."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, prefix + route, inner)
        elif isinstance(entry, URLPattern):
            path = prefix + route
            for converter in ("int", "str", "slug", "path", "uuid"):
                while f"<{converter}:" in path:
                    start = path.index(f"<{converter}:")
                    path = path[:start] + SAMPLE_VALUES[converter] + path[path.index(">", start) + 1 :]
            while "<" in path:
                start = path.index("<")
                path = path[:start] + "x" + path[path.index(">", start) + 1 :]
            yield f"{namespace}{entry.name}", "/" + path.lstrip("^").rstrip("$")


ALL_URLS = sorted(set(url_patterns()))


def test_the_url_walk_finds_the_pages_that_exist():
    names = {name for name, _ in ALL_URLS}
    assert {"healthz", "login", "logout", "home", "signed_out"} <= names


@pytest.mark.parametrize(("name", "path"), [url for url in ALL_URLS if url[0] not in OPEN_URL_NAMES])
def test_every_page_needs_a_login(client, db, name, path):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, (name, path, method.__name__)
        assert response["Location"].startswith("/accounts/login/?next="), (name, path)


@pytest.mark.parametrize(("name", "path"), [url for url in ALL_URLS if url[0] in OPEN_URL_NAMES])
def test_only_sign_in_healthz_and_the_signed_out_page_are_open(client, db, name, path):
    assert client.get(path).status_code == 200


def test_the_admin_sends_anonymous_visitors_to_a_sign_in_page(client, db):
    for path in ("/admin/", "/admin/reviews/review/", "/admin/auth/user/"):
        response = client.get(path)
        assert response.status_code == 302
        assert "login/?next=" in response["Location"]


def test_static_files_need_no_login(settings, db):
    settings.WHITENOISE_USE_FINDERS = True
    response = HTTPSClient().get("/static/css/application.css")
    assert response.status_code == 200
    assert b".govuk-service-navigation" in b"".join(response.streaming_content)


# Lockout ----------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_out_with_a_clear_message(client, board_user):
    for _ in range(4):
        assert sign_in(client, "board", "wrong password").status_code == 200
    response = sign_in(client, "board", "wrong password")
    assert response.status_code == 429
    page = soup(response)
    assert page.h1.get_text(strip=True) == "You have tried to sign in too many times"
    assert "You entered the wrong username or password 5 times" in " ".join(page.main.get_text().split())
    assert "Try again in 1 hour" in page.main.get_text()

    # Even the right password is refused until the hour is up.
    response = sign_in(client, "board")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_lifts_after_an_hour(client, board_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            sign_in(client, "board", "wrong password")
        assert sign_in(client, "board").status_code == 429
        traveller.shift(datetime.timedelta(minutes=61))
        response = sign_in(client, "board")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == board_user.pk


def test_lockout_of_one_account_leaves_others_alone_from_another_browser(client, board_user, inspector):
    for _ in range(5):
        sign_in(client, "board", "wrong password")
    other = HTTPSClient(HTTP_USER_AGENT="Another browser")
    assert sign_in(other, "inspector").status_code == 302


def test_a_correct_sign_in_resets_the_count_of_failures(client, board_user):
    for _ in range(4):
        sign_in(client, "board", "wrong password")
    assert sign_in(client, "board").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert sign_in(client, "board", "wrong password").status_code == 200


# Behind the TLS proxy (DJANGO_SECURE_PROXY=true) every request comes from the proxy's own address, and the
# proxy appends the address it received the request from to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for).
PROXY = "10.0.0.1"
OFFICE = "198.51.100.20"
ATTACKER = "203.0.113.66"


def through_proxy(address, claimed=""):
    """The request's META as the proxy passes it on for a client at ``address`` that sent ``claimed``."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{claimed}, {address}" if claimed else address}


@pytest.fixture
def behind_proxy(settings):
    settings.PROXY_HOPS = 1


def test_behind_the_proxy_failures_for_a_username_do_not_lock_it_from_another_address(client, board_user, behind_proxy):
    for _ in range(5):
        sign_in(client, "board", "wrong password", **through_proxy(ATTACKER))
    assert sign_in(client, "board", **through_proxy(ATTACKER)).status_code == 429
    office = HTTPSClient()
    assert sign_in(office, "board", **through_proxy(OFFICE)).status_code == 302
    assert int(office.session["_auth_user_id"]) == board_user.pk


def test_failures_for_made_up_usernames_do_not_lock_out_colleagues_at_the_same_address(
    client, board_user, behind_proxy
):
    for name in ["jsmith", "j.smith", "john", "admin", "test", "guest"]:
        assert sign_in(client, name, "wrong password", **through_proxy(OFFICE)).status_code == 200
    assert sign_in(HTTPSClient(), "board", **through_proxy(OFFICE)).status_code == 302


def test_one_address_failing_across_many_usernames_is_locked_out_whatever_browser_it_claims(
    db, board_user, behind_proxy
):
    statuses = [
        sign_in(
            HTTPSClient(HTTP_USER_AGENT=f"Browser {i}"), f"guess{i}", "wrong password", **through_proxy(ATTACKER)
        ).status_code
        for i in range(20)
    ]
    assert statuses == [200] * 19 + [429]
    # Even a right password is refused from that address for the hour; other addresses are unaffected.
    refused = sign_in(HTTPSClient(HTTP_USER_AGENT="Fresh"), "board", **through_proxy(ATTACKER))
    assert refused.status_code == 429
    page = soup(refused)
    assert page.h1.get_text(strip=True) == "You have tried to sign in too many times"
    text = " ".join(page.main.get_text().split())
    assert "There have been 20 attempts to sign in with a wrong username or password from your network" in text
    assert "Try again in 1 hour" in text
    assert sign_in(HTTPSClient(), "board", **through_proxy(OFFICE)).status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_an_addresss_failures_for_other_usernames(
    client, board_user, behind_proxy
):
    for i in range(15):
        sign_in(client, f"guess{i}", "wrong password", **through_proxy(ATTACKER))
    assert sign_in(client, "board", **through_proxy(ATTACKER)).status_code == 302
    client.post("/accounts/logout/")
    statuses = [
        sign_in(client, f"guess{i}", "wrong password", **through_proxy(ATTACKER)).status_code for i in range(15, 20)
    ]
    assert statuses == [200] * 4 + [429]


def test_a_client_cannot_choose_its_address_by_sending_x_forwarded_for(client, board_user, behind_proxy):
    # Claiming to be the office while failing for "board" does not lock "board" at the office...
    for i in range(5):
        sign_in(client, "board", "wrong password", **through_proxy(ATTACKER, claimed=f"192.0.2.{i}, {OFFICE}"))
    assert sign_in(HTTPSClient(), "board", **through_proxy(OFFICE)).status_code == 302
    # ...and a new claim each time does not spread a spray over many addresses.
    statuses = [
        sign_in(client, f"guess{i}", "wrong password", **through_proxy(ATTACKER, claimed=f"192.0.2.{i}")).status_code
        for i in range(15)
    ]
    assert statuses == [200] * 14 + [429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_without_the_proxy_setting_x_forwarded_for_is_ignored(db, board_user, settings):
    settings.PROXY_HOPS = 0
    statuses = [
        sign_in(
            HTTPSClient(HTTP_USER_AGENT=f"Browser {i}"),
            f"guess{i}",
            "wrong password",
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        ).status_code
        for i in range(20)
    ]
    assert statuses == [200] * 19 + [429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    claims_the_office = sign_in(HTTPSClient(), "board", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OFFICE)
    assert claims_the_office.status_code == 429


@pytest.mark.parametrize(
    ("hops", "forwarded", "address"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", PROXY),  # fewer entries than proxies: not through them all, so the sender
        (1, "6.6.6.6, not-an-address", PROXY),
        (1, "", PROXY),
        (0, "6.6.6.6, 203.0.113.7", PROXY),
    ],
)
def test_the_client_address_is_the_one_the_outermost_of_our_proxies_saw(rf, settings, hops, forwarded, address):
    settings.PROXY_HOPS = hops
    request = rf.post("/accounts/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == address


@pytest.mark.parametrize(
    ("environment", "hops"),
    [
        ({}, 0),
        ({"DJANGO_PROXY_HOPS": "2"}, 0),
        ({"DJANGO_SECURE_PROXY": "true"}, 1),
        ({"DJANGO_SECURE_PROXY": "true", "DJANGO_PROXY_HOPS": "2"}, 2),
    ],
)
def test_proxy_hops_come_from_the_environment_and_only_count_behind_the_proxy(monkeypatch, environment, hops):
    for name in ("DJANGO_SECURE_PROXY", "DJANGO_PROXY_HOPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert runpy.run_path(find_spec("scr_register.settings").origin)["PROXY_HOPS"] == hops


# CSRF --------------------------------------------------------------------------------------------------


def test_sign_in_without_a_csrf_token_is_refused(db, board_user):
    browser = HTTPSClient(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "board", "password": PASSWORD}, headers=ORIGIN)
    assert response.status_code == 403
    assert soup(response).h1.get_text(strip=True) == "Your form could not be sent"
    assert "_auth_user_id" not in browser.session


def test_sign_in_with_the_pages_csrf_token_works(db, board_user):
    browser = HTTPSClient(enforce_csrf_checks=True)
    page = soup(browser.get("/accounts/login/"))
    token = page.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    response = browser.post(
        "/accounts/login/",
        {"username": "board", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers=ORIGIN,
    )
    assert response.status_code == 302
    assert "_auth_user_id" in browser.session


def test_sign_out_without_a_csrf_token_is_refused_and_the_session_lives(db, board_user):
    browser = HTTPSClient(enforce_csrf_checks=True)
    browser.force_login(board_user)
    response = browser.post("/accounts/logout/", headers=ORIGIN)
    assert response.status_code == 403
    assert "_auth_user_id" in browser.session


def test_sign_out_from_the_header_button_works_with_its_csrf_token(db, board_user):
    browser = HTTPSClient(enforce_csrf_checks=True)
    browser.force_login(board_user)
    page = soup(browser.get("/no-such-page/"))
    form = page.select_one(".app-account form")
    token = form.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    response = browser.post(form["action"], {"csrfmiddlewaretoken": token}, headers=ORIGIN)
    assert response.status_code == 302
    assert "_auth_user_id" not in browser.session


# Object permissions (reviews/rules.py) -------------------------------------------------------------------


@pytest.fixture
def reviews_by_board(birmingham, coventry):
    """Drafts and submitted reviews of Birmingham (the board user's board) and of Coventry."""
    made = {
        "own_draft": ReviewFactory(board=birmingham, status=Review.Status.DRAFT),
        "own_submitted": ReviewFactory(board=birmingham),
        "other_draft": ReviewFactory(board=coventry, status=Review.Status.DRAFT),
        "other_submitted": ReviewFactory(board=coventry),
        "contributed_submitted": ReviewFactory(board=coventry),
        "contributed_draft": ReviewFactory(board=coventry, status=Review.Status.DRAFT),
    }
    for key in ("contributed_submitted", "contributed_draft"):
        Contribution.objects.create(review=made[key], board=birmingham)
    return made


PERMISSION_MATRIX = {
    # permission: {role: the reviews (from reviews_by_board) it allows}
    "reviews.view_review_obj": {
        "board_staff": {"own_draft", "own_submitted", "contributed_submitted"},
        "inspector": {"own_submitted", "other_submitted", "contributed_submitted"},
        "manager": {"own_submitted", "other_submitted", "contributed_submitted"},
    },
    "reviews.view_history_obj": {
        "board_staff": {"own_draft", "own_submitted", "contributed_submitted"},
        "inspector": {"own_submitted", "other_submitted", "contributed_submitted"},
        "manager": {"own_submitted", "other_submitted", "contributed_submitted"},
    },
    "reviews.change_review_obj": {"board_staff": {"own_draft"}, "inspector": set(), "manager": set()},
    "reviews.submit_review_obj": {"board_staff": {"own_draft"}, "inspector": set(), "manager": set()},
    "reviews.evaluate_review_obj": {
        "board_staff": set(),
        "inspector": {"own_submitted", "other_submitted", "contributed_submitted"},
        "manager": set(),
    },
}


@pytest.mark.parametrize("permission", sorted(PERMISSION_MATRIX))
@pytest.mark.parametrize("role", ["board_staff", "inspector", "manager"])
def test_object_permissions_follow_the_role_and_the_board(
    reviews_by_board, board_user, inspector, manager, role, permission
):
    user = {"board_staff": board_user, "inspector": inspector, "manager": manager}[role]
    allowed = {key for key, review in reviews_by_board.items() if user.has_perm(permission, review)}
    assert allowed == PERMISSION_MATRIX[permission][role]


def test_reading_a_review_is_allowed_exactly_when_for_user_returns_it(reviews_by_board, board_user, inspector):
    for user in (board_user, inspector):
        visible = set(Review.objects.for_user(user))
        for review in reviews_by_board.values():
            assert user.has_perm("reviews.view_review_obj", review) == (review in visible)


def test_admins_may_do_everything_and_users_without_a_role_nothing(reviews_by_board, admin_user, db):
    nobody = UserFactory()
    for permission in PERMISSION_MATRIX:
        for review in reviews_by_board.values():
            assert admin_user.has_perm(permission, review)
            assert not nobody.has_perm(permission, review)
