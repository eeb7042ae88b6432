"""The emulator as a good citizen: bounded memory, a control API that web pages cannot
drive, a listen queue that holds a burst, JSON for every error, and bodies that cannot
smuggle a second request. Real sockets on 127.0.0.1; every loop is bounded."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from memory_helpers import peak_from_now, status_kib
from socket_helpers import read_all, responses

from layoutkit.emulator import EmulatorApp, EmulatorServer, EmulatorState
from layoutkit.httpd import Request
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

ACQUIRE = f"/v1/apps/{APP_ID}/cloud_recording/acquire"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        rate_limit=None,
        read_timeout=0.5,
    ) as emulator:
        yield emulator


def address(emulator: EmulatorServer) -> tuple[str, int]:
    host, port = emulator.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def exchange(emulator: EmulatorServer, data: bytes, wait: float = 5.0) -> bytes:
    """Send raw bytes, read until the server closes the connection (or `wait` passes)."""
    with socket.create_connection(address(emulator), timeout=wait) as conn:
        conn.sendall(data)
        return read_all(conn, wait)


def auth() -> str:
    return "Basic " + base64.b64encode(f"{CUSTOMER_ID}:{CUSTOMER_SECRET}".encode()).decode()


def peak_mb() -> float:
    return status_kib("VmHWM") / 1024


# 1. bounded memory -------------------------------------------------------------------------


def test_request_log_is_a_ring_buffer_and_images_are_not_retained() -> None:
    state = EmulatorState(app_ids=(APP_ID,), customer_id="c", customer_secret="s", log_size=500)
    app = EmulatorApp(state)
    before = peak_from_now() / 1024
    long_path = ACQUIRE + "/" + "x" * 60_000  # each a 60 KB path, refused by the gateway
    for _ in range(20_000):
        answer = app.handle(Request("POST", long_path, {}, b"{}"))
        assert answer.status == 404
    assert len(state.requests) == 500
    assert all(len(r.path) <= 2048 for r in state.requests)
    assert peak_mb() - before < 100  # the old log held 20,000 x 60 KB = 1.2 GB

    from layoutkit.render import camera

    with EmulatorServer(app_ids=(APP_ID,), log_size=10) as emulator:
        assert emulator.state.requests.maxlen == 10
        emulator.join("room", 1001)
        resource_ = emulator.state.new_resource(APP_ID, "room", "9")
        recording = emulator.state.start(resource_, "mix", width=1920, height=1080)
        for step in range(6):  # a new region size each time: a new cached camera picture
            region = {"uid": "1001", "x_axis": 0, "y_axis": 0, "width": 0.5 + step / 20}
            layout = {"mixedVideoLayout": 3, "layoutConfig": [{**region, "height": 0.9}]}
            emulator.state.set_layout(recording, layout)
            png = requests.get(
                f"{emulator.url}/_emulator/recordings/{recording.sid}/composite.png", timeout=20
            )
            assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
            # the drawn camera pictures kept for reuse stay within their byte budget
            assert 0 < camera.CAMERA_CACHE.bytes <= camera.CAMERA_CACHE_BYTES


# 2. the control API refuses what a web page could send ----------------------------------------


def test_control_api_checks_content_type_host_and_origin(server: EmulatorServer) -> None:
    host, port = address(server)
    faults = f"{server.url}/_emulator/faults"
    simple = requests.post(
        faults, data='{"kind": "500"}', headers={"Content-Type": "text/plain"}, timeout=5
    )
    assert simple.status_code == 415 and "application/json" in simple.json()["error"]
    assert len(server.state.faults) == 0
    rebound = requests.post(
        faults, json={"kind": "500"}, headers={"Host": f"evil.example:{port}"}, timeout=5
    )
    assert rebound.status_code == 421 and "error" in rebound.json()
    cross = requests.post(
        faults, json={"kind": "500"}, headers={"Origin": "http://evil.example"}, timeout=5
    )
    assert cross.status_code == 403 and "error" in cross.json()
    assert len(server.state.faults) == 0
    for name in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        state = requests.get(f"{server.url}/_emulator/state", headers={"Host": name}, timeout=5)
        assert state.status_code == 200, name
    same = requests.post(
        faults, json={"kind": "500"}, headers={"Origin": f"http://{host}:{port}"}, timeout=5
    )
    assert same.status_code == 200 and len(server.state.faults) == 1
    assert requests.delete(faults, timeout=5).status_code == 200  # no body: no content type


# 3. a listen queue that holds a burst --------------------------------------------------------


def test_a_burst_of_300_clients_is_answered_promptly(server: EmulatorServer) -> None:
    assert type(server._server).request_queue_size == 1024
    clients = 300
    ready = threading.Barrier(clients, timeout=20)
    took: list[float] = []
    lock = threading.Lock()
    request = f"GET /_emulator/state HTTP/1.1\r\nHost: {server.url[7:]}\r\n\r\n".encode()

    def client() -> None:
        ready.wait()
        start = time.monotonic()
        with socket.create_connection(address(server), timeout=10) as conn:
            conn.sendall(request)
            assert conn.recv(4096).startswith(b"HTTP/1.1 200")
        with lock:
            took.append(time.monotonic() - start)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(took) == clients
    # a connection dropped from a full listen queue is retried 1 s and then 3 s on: a queue
    # far too small for the burst shows here (each answer takes milliseconds)
    assert sorted(took)[int(clients * 0.99) - 1] < 3.0


# 4. JSON for every error ---------------------------------------------------------------------


def test_every_error_is_json_and_never_a_dropped_connection(server: EmulatorServer) -> None:
    host = server.url[7:]
    cases = [
        (f"BREW /coffee HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), 501),
        (b"GET /" + b"a" * 65_532, 414),  # exactly the 65,537 bytes the server reads
        (b"GET / HTTP/1.1\r\n" + b"X-Big: " + b"a" * 65_530, 431),
    ]
    for raw, status in cases:
        [(code, headers, body)] = responses(exchange(server, raw))
        assert code == status
        assert headers["content-type"].startswith("application/json")
        assert "message" in json.loads(body)
    for credentials in ("ü:ß".encode(), b"\xff\xfe:\x80"):
        token = base64.b64encode(credentials).decode()
        raw = (
            f"POST {ACQUIRE} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
        ).encode()
        [(code, _, body)] = responses(exchange(server, raw))
        assert code == 401 and "message" in json.loads(body)
    raw_header = (
        f"POST {ACQUIRE} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\nConnection: close\r\n"
    ).encode() + "Authorization: Basic é\r\n\r\n{}".encode()
    [(code, _, _)] = responses(exchange(server, raw_header))
    assert code == 401
    huge = '{"cname": "room", "uid": "1", "clientRequest": {"resourceExpiredHour": ' + "9" * 4300
    answer = requests.post(
        server.url + ACQUIRE,
        data=huge + "}}",
        headers={"Content-Type": "application/json", "Authorization": auth()},
        timeout=5,
    )
    assert answer.status_code == 400 and answer.json()["code"] == 2


# 5. bodies -------------------------------------------------------------------------------------


def test_bodies_cannot_stall_or_smuggle_a_second_request(server: EmulatorServer) -> None:
    host = server.url[7:]
    head = (
        f"POST {ACQUIRE} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {auth()}\r\n"
        "Content-Type: application/json\r\n"
    )
    chunked = (head + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n").encode()
    [(code, headers, body)] = responses(exchange(server, chunked))
    assert code == 411 and headers["connection"] == "close" and "message" in json.loads(body)

    start = time.monotonic()  # declares 100 bytes, sends 2, then waits
    [(code, _, body)] = responses(
        exchange(server, (head + "Content-Length: 100\r\n\r\n{}").encode())
    )
    assert code == 408 and "message" in json.loads(body)
    assert time.monotonic() - start < 5  # the 0.5 s read timeout, not a hang

    rider = f"DELETE /_emulator/faults HTTP/1.1\r\nHost: {host}\r\n\r\n"
    body_and_rider = '{"cname": "room", "uid": "1", "clientRequest": {}}' + rider
    smuggle = (head + "Content-Length: 2\r\n\r\n" + body_and_rider).encode()
    answers = responses(exchange(server, smuggle))
    assert [code for code, _, _ in answers] == [400]  # the rider is never served
    assert answers[0][1]["connection"] == "close"

    twice = (head + "Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}").encode()
    [(code, _, _)] = responses(exchange(server, twice))
    assert code == 400
