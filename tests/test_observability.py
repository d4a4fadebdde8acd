"""Request ids, structured logs that never carry review text, and no caching of signed-in pages."""

import json
import logging

import pytest

from tests.factories import ReviewFactory, board

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id_and_keeps_a_well_formed_incoming_one(client):
    assert len(client.get("/accounts/login/")["X-Request-ID"]) == 32
    response = client.get("/accounts/login/", headers={"X-Request-ID": "proxy-abc-12345"})
    assert response["X-Request-ID"] == "proxy-abc-12345"
    forged = client.get("/accounts/login/", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged["X-Request-ID"] != "bad id\nwith newline"


def test_signed_in_pages_are_never_cached(client, board_user):
    client.force_login(board_user)
    response = client.get("/reviews/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_request_log_has_the_path_but_not_the_query_string_or_review_text(client, inspector, caplog):
    review = ReviewFactory(title="Child Zebedee Quux", summary="Secret summary text")
    client.force_login(inspector)
    with caplog.at_level(logging.INFO, logger="scr_register.requests"):
        client.get("/reviews/?q=Zebedee")
        client.get(review.get_absolute_url())
    records = [r for r in caplog.records if r.name == "scr_register.requests"]
    assert [r.path for r in records] == ["/reviews/", review.get_absolute_url()]
    assert all(r.status == 200 and r.user_id == inspector.pk and len(r.request_id) == 32 for r in records)
    text = " ".join(json.dumps(r.__dict__, default=str) for r in records)
    assert "Zebedee" not in text and "Secret summary" not in text


def test_refused_access_and_failed_sign_ins_are_logged(client, board_user, caplog):
    other = ReviewFactory(board=board("E08000026"))
    with caplog.at_level(logging.WARNING, logger="scr_register.security"):
        client.post("/accounts/login/", {"username": "board", "password": "wrong password here"})
        client.force_login(board_user)
        assert client.get(other.get_absolute_url()).status_code == 404
    security = [r for r in caplog.records if r.name == "scr_register.security"]
    messages = [(r.getMessage(), getattr(r, "status", None)) for r in security]
    assert ("sign-in failed", None) in messages
    assert ("access refused", 404) in messages
    assert not any("wrong password" in json.dumps(r.__dict__, default=str) for r in caplog.records)


def test_a_failed_sign_in_behind_the_proxy_is_logged_with_the_clients_address(client, board_user, caplog, settings):
    settings.PROXY_HOPS = 1
    with caplog.at_level(logging.WARNING, logger="scr_register.security"):
        client.post(
            "/accounts/login/",
            {"username": "board", "password": "wrong password here"},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",  # what the client claimed, then who the proxy saw
        )
    [failed] = [r for r in caplog.records if r.name == "scr_register.security" and r.getMessage() == "sign-in failed"]
    assert failed.remote_addr == "203.0.113.7"


def test_json_log_lines_are_one_object_each_with_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    from service.observability import RequestIdFilter, request_id_var

    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s")
    record = logging.LogRecord("scr_register.requests", logging.INFO, __file__, 1, "request", None, None)
    token = request_id_var.set("abc123abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "abc123abc123"
    assert line["message"] == "request"


def test_session_and_csrf_cookies_are_host_only_secure_cookies(client, board_user):
    page = client.get("/accounts/login/")
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]
    signed_in = client.post("/accounts/login/", {"username": "board", "password": "correct horse battery staple"})
    session = signed_in.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["path"] == "/" and not session["domain"]
    assert session["samesite"] == "Lax"


@pytest.fixture
def console_log():
    """What the console handler (the one the deployment's logs are read from) writes during the test."""
    import io

    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    # Swapped without setStream, which flushes the old stream: under pytest it may be a closed capture file.
    previous, handler.stream = handler.stream, buffer
    try:
        yield buffer
    finally:
        handler.stream = previous


def test_djangos_security_log_of_a_bad_host_has_no_query_string(client, console_log):
    assert client.get("/reviews/?q=Zebedee+Quux", headers={"Host": "evil.example"}).status_code == 400
    written = console_log.getvalue()
    assert "DisallowedHost" in written and "/reviews/" in written
    assert "Zebedee" not in written and "?q=" not in written


def test_djangos_csrf_refusal_log_has_no_query_string(console_log):
    from tests.conftest import HTTPSClient

    strict = HTTPSClient(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/?next=/reviews/%3Fq%3DZebedee&q=Zebedee", {}).status_code == 403
    written = console_log.getvalue()
    assert "django.security.csrf" in written and "/accounts/login/" in written
    assert "Zebedee" not in written and "?next" not in written


def test_djangos_request_and_server_logs_have_no_query_string(rf, console_log):
    # As Django's handler logs a 500 (the request, shown with its full path, rides along) and runserver a request.
    request = rf.get("/reviews/", {"q": "Zebedee"})
    logging.getLogger("django.request").error("Internal Server Error: %s", request.path, extra={"request": request})
    logging.getLogger("django.server").info('"%s" %s %s', "GET /reviews/?q=Zebedee HTTP/1.1", "200", "512")
    written = console_log.getvalue()
    assert "Internal Server Error: /reviews/" in written and "GET /reviews/ HTTP/1.1" in written
    assert "Zebedee" not in written
