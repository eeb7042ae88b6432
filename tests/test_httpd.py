"""The shared HTTP server against hostile clients, over real sockets on 127.0.0.1: a cap on
open connections (one more is answered 503 at once), a deadline for a whole request however
slowly its bytes trickle in, idle connections that cost no CPU, and keep-alive that still
works. The limits are lowered (or raised) here so the tests run fast."""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from service_helpers import wait_until
from socket_helpers import Answer, read_all, responses

from layoutkit.httpd import (
    MAX_CONNECTIONS,
    REQUEST_DEADLINE,
    Handler,
    Request,
    Response,
    ThreadedServer,
    handler_for,
    reply,
)


class EchoApp:
    """Says what it was asked; `/slow` takes its time before answering."""

    def handle(self, request: Request) -> Response:
        answer = reply(
            200, {"method": request.method, "path": request.path, "body": len(request.body)}
        )
        if request.path == "/slow":
            answer.delay = 1.5
        return answer


def shaped_error(status: int, message: str) -> Response:
    return reply(status, {"problem": message})


@contextmanager
def serving(
    timeout: float = 30.0,
    max_connections: int = MAX_CONNECTIONS,
    request_deadline: float = REQUEST_DEADLINE,
) -> Iterator[ThreadedServer]:
    """An EchoApp on 127.0.0.1 with these limits, served from a thread."""
    handler = handler_for(Handler, EchoApp(), shaped_error, timeout=timeout)
    server = ThreadedServer(
        ("127.0.0.1", 0),
        handler,
        max_connections=max_connections,
        request_deadline=request_deadline,
    )
    server.serve_in_thread("test-httpd")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def address(server: ThreadedServer) -> tuple[str, int]:
    host, port = server.server_address[:2]
    return str(host), int(port)


def read_answers(conn: socket.socket, count: int) -> list[Answer]:
    """The next `count` whole responses on a connection kept open."""
    received = b""
    while len(responses(received)) < count:
        chunk = conn.recv(65536)
        assert chunk, received
        received += chunk
    return responses(received)


def get(server: ThreadedServer, path: str = "/healthz", wait: float = 10.0) -> bytes:
    with socket.create_connection(address(server), timeout=wait) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return read_all(conn, wait)


def trickle(conn: socket.socket, data: bytes, every: float, limit: float) -> bytes:
    """Send `data` a byte every `every` seconds until the server answers or closes, or
    `limit` seconds pass; what the server sent."""
    deadline = time.monotonic() + limit
    for byte in data:
        if time.monotonic() > deadline:
            break
        try:
            conn.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            break
        if select.select([conn], [], [], every)[0]:
            return read_all(conn, 5.0)
    return read_all(conn, 5.0)


def half_sent(server: ThreadedServer, count: int, stack: ExitStack) -> list[socket.socket]:
    """`count` connections that sent part of a request and then wait, as a slow attacker
    does (half stop in the headers, half in a body)."""
    opened = []
    for n in range(count):
        conn = stack.enter_context(socket.create_connection(address(server), timeout=10))
        if n % 2:
            conn.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        else:
            conn.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        opened.append(conn)
    return opened


# the connection cap --------------------------------------------------------------------------


def test_a_connection_beyond_the_cap_is_answered_503_at_once_and_room_comes_back() -> None:
    with serving(max_connections=3) as server, ExitStack() as stack:
        idle = half_sent(server, 3, stack)
        wait_until(lambda: server.connections == 3, what="three connections served")
        start = time.monotonic()
        with socket.create_connection(address(server), timeout=10) as extra:
            raw = read_all(extra)  # answered without having sent a byte
        assert time.monotonic() - start < 5
        [(status, headers, body)] = responses(raw)
        assert status == 503 and headers["connection"] == "close"
        assert headers["retry-after"] == "1"
        assert "3 connections" in json.loads(body)["problem"]  # the app's error shape
        assert server.connections == 3  # the one turned away never took a slot
        idle[0].close()
        wait_until(lambda: server.connections == 2, what="a slot freed")
        [(status, _, _)] = responses(get(server))
        assert status == 200


def test_the_limits_have_defaults_and_refuse_nonsense() -> None:
    assert MAX_CONNECTIONS == 256 and REQUEST_DEADLINE == 10.0
    with serving() as server:
        assert server.max_connections == MAX_CONNECTIONS
        assert server.request_deadline == REQUEST_DEADLINE
    handler = handler_for(Handler, EchoApp(), shaped_error)
    with pytest.raises(ValueError, match="max_connections"):
        ThreadedServer(("127.0.0.1", 0), handler, max_connections=0)
    with pytest.raises(ValueError, match="request_deadline"):
        ThreadedServer(("127.0.0.1", 0), handler, request_deadline=0)


# the whole-request deadline ------------------------------------------------------------------


def test_headers_trickling_in_are_cut_off_at_the_deadline() -> None:
    """A byte every 0.2 s never trips a 30 s pause limit; the 1 s deadline cuts it."""
    with serving(request_deadline=1.0) as server:
        endless = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
        with socket.create_connection(address(server), timeout=10) as conn:
            start = time.monotonic()
            raw = trickle(conn, endless, every=0.2, limit=30)
            took = time.monotonic() - start
        [(status, headers, body)] = responses(raw)
        assert status == 408 and headers["connection"] == "close"
        assert "within 1 s" in json.loads(body)["problem"]
        assert took < 10  # the deadline (1 s), far from the 200 s the bytes would take


def test_a_body_trickling_in_is_cut_off_at_the_deadline() -> None:
    with serving(request_deadline=1.0) as server:
        with socket.create_connection(address(server), timeout=10) as conn:
            conn.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n")
            start = time.monotonic()
            raw = trickle(conn, b"a" * 500, every=0.2, limit=30)
            took = time.monotonic() - start
        [(status, _, body)] = responses(raw)
        assert status == 408 and "within 1 s" in json.loads(body)["problem"]
        assert took < 10


def test_a_pause_mid_request_is_cut_off_before_the_deadline() -> None:
    with serving(timeout=0.3, request_deadline=30) as server:
        with socket.create_connection(address(server), timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and nothing more
            [(status, _, body)] = responses(read_all(conn))
        assert status == 408 and "paused over 0.3 s" in json.loads(body)["problem"]


def test_the_apps_time_does_not_count_against_the_deadline() -> None:
    with serving(request_deadline=0.5) as server:
        [(status, _, body)] = responses(get(server, "/slow"))  # answered after 1.5 s
        assert status == 200 and json.loads(body)["path"] == "/slow"


def test_keep_alive_gets_a_fresh_deadline_and_an_idle_connection_closes_quietly() -> None:
    one = b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
    two = b"POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
    with (
        serving(request_deadline=2.0) as server,
        socket.create_connection(address(server), timeout=30) as conn,
    ):
        conn.sendall(one + two)  # pipelined: both answered, in order
        answers = read_answers(conn, 2)
        assert [json.loads(body)["path"] for _, _, body in answers] == ["/one", "/two"]
        for _ in range(3):  # 3 s in all, each request within 2 s of the last answer
            time.sleep(1.0)
            conn.sendall(one)
            [(status, _, _)] = read_answers(conn, 1)
            assert status == 200
        start = time.monotonic()
        assert read_all(conn) == b""  # nothing sent: closed at the deadline, no 408
        assert time.monotonic() - start < 20  # the 2 s deadline, not a hang


# idle connections cost nothing ---------------------------------------------------------------


def test_hundreds_of_half_sent_connections_take_no_cpu_and_leave_room() -> None:
    with serving(max_connections=2000, request_deadline=120) as server, ExitStack() as stack:
        half_sent(server, 300, stack)
        wait_until(lambda: server.connections == 300, timeout=30, what="300 connections")
        cpu, wall = time.process_time(), time.monotonic()
        time.sleep(2.0)
        used = time.process_time() - cpu
        assert used < 0.25 * (time.monotonic() - wall)  # a busy loop would take a core
        start = time.monotonic()
        [(status, _, _)] = responses(get(server, wait=5))
        assert status == 200 and time.monotonic() - start < 5
        # the healthz connection closes; every waiting client is still being waited for
        wait_until(lambda: server.connections == 300, what="the healthz connection closed")
