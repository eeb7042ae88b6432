"""The small HTTP server both local servers stand on (the emulator and `layoutkit serve`):
a parsed `Request`, a `Response`, JSON helpers, and a threaded server whose handler reads
bodies defensively and answers every error in JSON. Standard library only.

An app is anything with `handle(request) -> Response`; `error(status, message)` gives the
app's own JSON shape for the errors the handler answers itself (a missing or bad
`Content-Length`, a stalled body, the standard library's 400/414/431/501)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

log = logging.getLogger("layoutkit.httpd")
MAX_BODY = 1 << 20
JSON = "application/json;charset=utf-8"
MAX_INT_DIGITS = 64  # a JSON integer longer than this is refused (Python caps str->int)
READ_TIMEOUT = 30.0
_DIGITS = re.compile(r"[0-9]{1,18}")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of over {MAX_INT_DIGITS} digits")
    return int(text)


def loads(text: str, **options: Any) -> Any:
    """`json.loads` with integers capped at MAX_INT_DIGITS digits (ValueError past it);
    `options` go to `json.loads` (e.g. `object_pairs_hook`)."""
    return json.loads(text, parse_int=_parse_int, **options)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)
    truncated: bool = False
    client: str = ""  # the peer's address


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = JSON
    drop: bool = False
    delay: float = 0.0


def reply(status: int, data: Any) -> Response:
    return Response(status, json.dumps(data).encode("utf-8"))


class App(Protocol):
    def handle(self, request: Request) -> Response: ...


class Handler(BaseHTTPRequestHandler):
    """One connection. Bodies come with one `Content-Length` (chunked ones are refused with
    411); a client that pauses longer than `timeout` mid-request, or sends a body shorter
    or longer than it declared, has its connection closed, so nothing rides behind a body.
    Subclasses set `app`, `error` (the JSON shape of errors) and `name` (for logs)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stall
    timeout = READ_TIMEOUT  # socket timeout: a stalled or idle client is let go
    max_body = MAX_BODY
    app: App
    error: Callable[[int, str], Response]
    name = "server"

    def _serve(self) -> None:
        read = self._read_body()
        if read is None:
            return
        body, truncated = read
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(
            self.command,
            self.path,
            headers,
            body,
            truncated=truncated,
            client=str(self.client_address[0]),
        )
        try:
            response = self.app.handle(request)
        except Exception:  # never a dropped connection for a bug of ours
            log.exception("%s error", self.name)
            response = type(self).error(500, f"{self.name} internal error (see its log)")
        if response.delay:
            time.sleep(response.delay)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._answer(response, close=truncated or self.close_connection)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve  # noqa: N815

    def _read_body(self) -> tuple[bytes, bool] | None:
        """The body and whether it was over `max_body` (then unread, and the connection
        closes); None once an error has been answered."""
        if self.headers.get("Transfer-Encoding") is not None:
            self.send_error(411, "Transfer-Encoding is not supported: send Content-Length")
            return None
        lengths = {v.strip() for v in self.headers.get_all("Content-Length") or []}
        if not lengths:
            return b"", False
        given = lengths.pop()
        if lengths or not _DIGITS.fullmatch(given):
            self.send_error(400, "Content-Length: give one whole number")
            return None
        length = int(given)
        if length > self.max_body:
            self.close_connection = True
            return b"", True
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.send_error(408, f"the body did not arrive within {self.timeout:g} s")
            return None
        if len(body) < length:
            self.close_connection = True  # the client hung up mid-body
            return None
        if self._pending():
            self.close_connection = True  # bytes past the declared body: answer, then close
        return body, False

    def _pending(self) -> bool:
        """Whether bytes already wait on the connection (without waiting for any)."""
        if not isinstance(self.rfile, io.BufferedReader):
            return False
        self.connection.settimeout(0)
        try:
            return bool(self.rfile.peek(1))
        except OSError:
            return False
        finally:
            self.connection.settimeout(self.timeout)

    def _answer(self, response: Response, *, close: bool = False) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's errors (501 unknown method, 414, 431, 400 malformed) in
        the app's JSON shape instead of an HTML page; the connection closes."""
        reason = message or self.responses.get(code, ("Error",))[0]
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._answer(type(self).error(code, reason[:500]), close=True)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class ThreadedServer(ThreadingHTTPServer):
    """A thread per connection; the listen backlog lets a burst of clients wait. An IPv6
    address (`::1`) listens on an IPv6 socket."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    allow_reuse_address = True
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        # a client that hung up (timeouts, dropped connections) is not a server error
        log.debug("connection from %s ended early", client_address, exc_info=True)

    @property
    def url(self) -> str:
        """`http://host:port` of the bound socket (IPv6 hosts in brackets)."""
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"

    def serve_in_thread(self, name: str) -> threading.Thread:
        """Serve from a daemon thread (stop it with `shutdown()`); the thread, started."""
        thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        thread.start()
        return thread


def handler_for(
    base: type[Handler],
    app: App,
    error: Callable[[int, str], Response],
    *,
    timeout: float = READ_TIMEOUT,
) -> type[Handler]:
    """A handler class serving `app`, answering its own errors with `error`."""
    return type(
        f"{type(app).__name__}Handler",
        (base,),
        {"app": app, "error": staticmethod(error), "timeout": timeout},
    )


__all__ = [
    "JSON",
    "MAX_BODY",
    "MAX_INT_DIGITS",
    "READ_TIMEOUT",
    "App",
    "Handler",
    "Request",
    "Response",
    "ThreadedServer",
    "handler_for",
    "loads",
    "reply",
]
