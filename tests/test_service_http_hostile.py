"""The director service's HTTP face against hostile clients, over real sockets on
127.0.0.1: a web page (any site the user visits can send requests to 127.0.0.1) cannot
change anything, whatever it sends; the callbacks stay open to Agora, checked by their
signature; reads stay loopback-only; and hundreds of half-sent connections leave
`/healthz` and the callbacks answered."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    TOKEN,
    attach,
    attach_body,
    described,
    envelope,
    record,
    refused,
    service_client,
    signature_headers,
    wait_until,
)
from service_helpers import (
    guarded_service as guarded_service,
)
from service_helpers import (
    quiet_emulator as quiet_emulator,
)

from layoutkit.client import Recording
from layoutkit.emulator import EmulatorServer
from layoutkit.service import DirectorService

PAGE = "http://evil.example"
JSON_TYPE = {"Content-Type": "application/json"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def service(emulator: EmulatorServer) -> Iterator[DirectorService]:
    """The documented default: loopback, no token."""
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET) as running:
        yield running


@pytest.fixture
def room(emulator: EmulatorServer) -> Recording:
    emulator.join("room", 11)
    return record(emulator, "room")


def listed(service: DirectorService, headers: dict[str, str] | None = None) -> list[Any]:
    answer = requests.get(f"{service.url}/recordings", headers=headers, timeout=5)
    assert answer.status_code == 200, answer.text
    found: list[Any] = answer.json()["recordings"]
    return found


# a web page cannot change anything -----------------------------------------------------------


def test_a_web_pages_no_cors_post_cannot_attach_a_recording(
    service: DirectorService, room: Recording
) -> None:
    """What `fetch(url, {method: "POST", mode: "no-cors", body})` sends: a foreign
    `Origin`, and no Content-Type or a "simple" one. It used to get 201."""
    url = f"{service.url}/recordings"
    body = json.dumps(attach_body(room)).encode()
    for headers in (
        {"Origin": PAGE},
        {"Origin": PAGE, "Content-Type": "text/plain;charset=UTF-8"},
        {"Origin": PAGE} | JSON_TYPE,
        {"Origin": "null"} | JSON_TYPE,  # a sandboxed frame, a file:// page
        {"Origin": service.url} | JSON_TYPE,  # without a token, no Origin at all
    ):
        answer = requests.post(url, data=body, headers=headers, timeout=5)
        assert "Origin" in refused(answer, 403), headers
    for kind in ("", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        headers = {"Content-Type": kind} if kind else {}
        message = refused(requests.post(url, data=body, headers=headers, timeout=5), 415)
        assert "Content-Type: application/json" in message
        assert (kind or "no Content-Type") in message
    assert listed(service) == []
    answer = requests.post(url, data=body, headers=JSON_TYPE, timeout=5)  # from a backend
    assert answer.status_code == 201, answer.text
    assert [r["sid"] for r in listed(service)] == [room.sid]


def test_delete_needs_no_content_type_but_refuses_a_web_page(
    service: DirectorService, room: Recording
) -> None:
    attach(service.url, room)
    url = f"{service.url}/recordings/{room.sid}"
    refused(requests.delete(url, headers={"Origin": PAGE}, timeout=5), 403)
    assert described(service.url, room.sid)["sid"] == room.sid  # still attached
    answer = requests.delete(url, timeout=5)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "detached": room.sid}


def test_with_a_token_a_change_needs_it_and_only_the_services_own_origin(
    guarded: DirectorService, room: Recording
) -> None:
    url = f"{guarded.url}/recordings"
    body = attach_body(room)
    answer = requests.post(url, json=body, headers={"Origin": PAGE}, timeout=5)
    assert "Bearer" in refused(answer, 401)
    answer = requests.post(url, json=body, headers=AUTH | {"Origin": PAGE}, timeout=5)
    assert PAGE in refused(answer, 403)
    answer = requests.post(url, data=json.dumps(body), headers=AUTH, timeout=5)
    assert "application/json" in refused(answer, 415)
    assert listed(guarded, AUTH) == []
    own = AUTH | {"Origin": guarded.url}  # a page the service itself would serve
    assert requests.post(url, json=body, headers=own, timeout=5).status_code == 201
    assert [r["sid"] for r in listed(guarded, AUTH | {"Origin": PAGE})] == [room.sid]


@pytest.mark.parametrize("route", ["names/11", "participants/11", "speaker"])
def test_the_put_routes_refuse_what_a_web_page_sends(
    service: DirectorService, room: Recording, route: str
) -> None:
    attach(service.url, room)
    url = f"{service.url}/recordings/{room.sid}/{route}"
    body = json.dumps({"name": "Eve"} if route.startswith("names") else {"uid": "11"})
    for headers in ({}, {"Content-Type": "text/plain"}):
        answer = requests.put(url, data=body, headers=headers, timeout=5)
        assert "application/json" in refused(answer, 415)
    answer = requests.put(url, data=body, headers=JSON_TYPE | {"Origin": PAGE}, timeout=5)
    refused(answer, 403)
    assert "takes PUT" in refused(requests.post(url, json={}, timeout=5), 405)
    assert described(service.url, room.sid)["names"] == {}  # nothing changed


@pytest.mark.parametrize(
    ("route", "body", "field", "words"),
    [
        ("participants/11", {"video": "off"}, "video", "true or false"),
        ("participants/11", {"video": True, "audio": 1}, "audio", "true or false"),
        ("participants/11", {"audio": None}, "audio", "true or false"),
        ("participants/11", {}, "video/audio", "one or both"),
        ("participants/11", {"camera": False}, "camera", "unknown field"),
        ("speaker", {}, "uid", "missing"),
        ("speaker", {"uid": True}, "uid", "a uid or null"),
        ("speaker", {"uid": 1.5}, "uid", "a uid or null"),
        ("speaker", {"uid": ["11"]}, "uid", "a uid or null"),
        ("speaker", {"uid": "11", "role": "host"}, "role", "unknown field"),
    ],
)
def test_the_media_and_speaker_routes_refuse_a_bad_body_naming_the_field(
    service: DirectorService, route: str, body: Any, field: str, words: str
) -> None:
    url = f"{service.url}/recordings/some-sid/{route}"
    assert words in refused(requests.put(url, json=body, timeout=5), 400, field)
    assert "JSON object" in refused(requests.put(url, json=[body], timeout=5), 400)


# what stays as it was ------------------------------------------------------------------------


def test_callbacks_are_taken_whatever_their_origin_or_content_type(
    service: DirectorService,
) -> None:
    for extra in ({"Content-Type": "text/plain"}, {"Origin": PAGE}, {}):
        body = envelope(101, "hall")
        headers = {k: v for k, v in signature_headers(body).items() if k != "Content-Type"}
        answer = requests.post(
            service.notifications_url, data=body, headers=headers | extra, timeout=5
        )
        assert answer.status_code == 200, (extra, answer.text)
    body = envelope(101, "hall")
    forged = {"Origin": PAGE} | signature_headers(body, "not-the-secret")
    answer = requests.post(service.notifications_url, data=body, headers=forged, timeout=5)
    assert answer.status_code == 401


def test_reads_without_a_token_stay_loopback_only_and_unreadable_by_pages(
    service: DirectorService,
) -> None:
    url = f"{service.url}/recordings"
    answer = requests.get(url, headers={"Origin": PAGE}, timeout=5)
    assert answer.status_code == 200  # changes nothing, and a page cannot read it:
    assert "access-control-allow-origin" not in {k.lower() for k in answer.headers}
    port = service.url.rsplit(":", 1)[1]
    refused(requests.get(url, headers={"Host": f"evil.example:{port}"}, timeout=5), 403)
    refused(requests.get(url, headers={"X-Forwarded-For": "192.0.2.7"}, timeout=5), 401)


# slow clients ---------------------------------------------------------------------------------


def test_idle_half_sent_connections_leave_healthz_and_callbacks_answered(
    service: DirectorService,
) -> None:
    """200 clients that each sent part of a request and wait (below the default cap of
    256 connections, within the default 10 s deadline): no CPU taken, and the probes
    and Agora's callbacks are answered promptly meanwhile."""
    host, port = service.url.removeprefix("http://").rsplit(":", 1)
    with ExitStack() as stack:
        for n in range(200):
            conn = stack.enter_context(socket.create_connection((host, int(port)), timeout=10))
            path = "/agora/notifications" if n % 2 else "/recordings"
            conn.sendall(
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 500\r\n".encode()
            )
        wait_until(lambda: service._server.connections >= 200, what="200 connections served")
        cpu, wall = time.process_time(), time.monotonic()
        time.sleep(2.0)
        assert time.process_time() - cpu < 0.25 * (time.monotonic() - wall)
        start = time.monotonic()
        health = requests.get(f"{service.url}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["ok"] is True
        body = envelope(101, "hall")
        answer = requests.post(
            service.notifications_url, data=body, headers=signature_headers(body), timeout=5
        )
        assert answer.status_code == 200, answer.text
        assert time.monotonic() - start < 5
