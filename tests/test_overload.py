"""Shedding under overload (service/overload.py): exports and the dashboard answer "busy" at once when
gunicorn's accept queue is long; everything else is served."""

import socket
from types import SimpleNamespace

import pytest
from django.conf import settings

from service import overload


@pytest.fixture
def listening():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    clients = []
    yield server, clients
    for client in clients:
        client.close()
    server.close()


def connect(server, clients, n):
    for _ in range(n):
        client = socket.create_connection(server.getsockname())
        clients.append(client)


def test_the_accept_queue_length_is_read_from_the_listening_socket(listening):
    server, clients = listening
    assert overload.listen_queue_length(server) == 0
    connect(server, clients, 3)
    assert overload.listen_queue_length(server) == 3
    server.accept()[0].close()
    assert overload.listen_queue_length(server) == 2


def test_the_gunicorn_hook_notes_the_queue_of_every_listener(listening):
    server, clients = listening
    connect(server, clients, 2)
    try:
        overload.note_queue(SimpleNamespace(sockets=[SimpleNamespace(sock=server)]))
        assert overload.queue.length == 2
    finally:
        overload.queue.length = 0


@pytest.fixture
def busy():
    overload.queue.length = settings.BUSY_QUEUE
    yield
    overload.queue.length = 0


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/api/summary?year=2008-09", "/reviews/export.csv"])
def test_expensive_requests_get_the_busy_page_at_once_when_the_queue_is_long(client, manager, busy, path):
    client.force_login(manager)
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Sorry, the service is busy" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_other_pages_are_served_when_the_queue_is_long(client, manager, busy):
    client.force_login(manager)
    assert client.get("/reviews/").status_code == 200


@pytest.mark.django_db(databases=["default", "reporting"])
def test_nothing_is_shed_when_the_queue_is_short(client, manager):
    client.force_login(manager)
    overload.queue.length = settings.BUSY_QUEUE - 1
    try:
        assert client.get("/dashboard/").status_code == 200
    finally:
        overload.queue.length = 0
