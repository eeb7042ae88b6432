"""The small threaded HTTP server under the emulator and `layoutkit serve`
(standard library only): an app is anything with `handle(request) -> Response`, and
`error(status, message)` gives its JSON shape for the errors the server answers itself. A
hostile client holds little: connections are capped (one more gets 503 at once), a request
must arrive whole within `request_deadline` seconds, and waiting costs no CPU."""

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
MAX_CONNECTIONS = 256
REQUEST_DEADLINE = 10.0
LINGER = 1.0  # seconds a closing connection reads what the client still sends
BUSY_WARNING_EVERY = 60.0  # seconds between warnings that connections are turned away
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


class _DeadlineReader(io.RawIOBase):
    """A socket's bytes, each wait for them no longer than `pause` seconds nor past
    `deadline` (a `time.monotonic()` value; None: no deadline). TimeoutError past either;
    `expired` says a wait ran out, `received` how many bytes came since `start`."""

    def __init__(self, sock: socket.socket, pause: float | None) -> None:
        super().__init__()
        self._sock = sock
        self.pause = pause
        self.deadline: float | None = None
        self.expired = False
        self.received = 0

    def readable(self) -> bool:
        return True

    def start(self, within: float | None) -> None:
        """A new request: it must arrive whole within `within` seconds from now."""
        self.deadline = None if within is None else time.monotonic() + within
        self.expired = False
        self.received = 0

    def relax(self) -> None:
        """The request has arrived: no deadline, and writes wait as long as `pause`."""
        self.deadline = None
        self._sock.settimeout(self.pause)

    def readinto(self, buffer: Any) -> int | None:
        wait = self.pause
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.expired = True
                raise TimeoutError("the request deadline passed")
            wait = left if wait is None else min(wait, left)
        self._sock.settimeout(wait)
        try:
            count = self._sock.recv_into(buffer)
        except BlockingIOError:
            return None  # nothing waiting (`wait` 0: only looking)
        except TimeoutError:
            self.expired = True
            raise
        self.received += count
        return count


class Handler(BaseHTTPRequestHandler):
    """One connection. Bodies come with one `Content-Length` (chunked ones are refused with
    411); a client that pauses longer than `timeout` mid-request, takes longer than the
    server's `request_deadline` to send a whole request (or to start the next one), or
    sends a body shorter or longer than it declared, has its connection closed, so
    nothing rides behind a body. Subclasses set `app`, `error` (the JSON shape of errors)
    and `name` (for logs)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stall
    timeout = READ_TIMEOUT  # socket timeout: a stalled or idle client is let go
    max_body = MAX_BODY
    app: App
    error: Callable[[int, str], Response]
    name = "server"
    _reader: _DeadlineReader
    _answered = False  # whether this request has been answered

    def setup(self) -> None:
        super().setup()
        made, self._reader = self.rfile, _DeadlineReader(self.connection, self.timeout)
        self.rfile = self._buffered = io.BufferedReader(self._reader)
        made.close()  # the socket stays open: only the standard reader goes

    def handle_one_request(self) -> None:
        """One request, which must arrive whole within the server's `request_deadline`
        (from the end of the previous answer); 408 when it began but did not arrive in
        time, a silent close when nothing came."""
        self._reader.start(getattr(self.server, "request_deadline", REQUEST_DEADLINE))
        self.raw_requestline, self._answered = b"", False
        self.requestline = self.request_version = self.command = ""  # until parsed
        super().handle_one_request()  # closes the connection on a TimeoutError
        begun = self._reader.received or self.raw_requestline
        if self._reader.expired and begun and not self._answered:
            self.send_error(408, self._late())

    def finish(self) -> None:
        super().finish()
        self._linger()

    def _linger(self) -> None:
        """Half-close, then read what the client still sends (for up to LINGER s, 64 KB)
        until it closes too: closing on unread bytes would reset the connection, and the
        client would lose the answer it has not read yet (a 408, a 413)."""
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            until, drained = time.monotonic() + LINGER, 0
            while drained < 1 << 16 and (left := until - time.monotonic()) > 0:
                self.connection.settimeout(left)
                chunk = self.connection.recv(4096)
                if not chunk:
                    return
                drained += len(chunk)

    def _late(self) -> str:
        if self._reader.deadline is not None and time.monotonic() >= self._reader.deadline:
            deadline = getattr(self.server, "request_deadline", REQUEST_DEADLINE)
            return f"the request did not arrive whole within {deadline:g} s"
        return f"the client paused over {self.timeout:g} s mid-request"

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
        body = self.rfile.read(length)  # a TimeoutError: 408 (handle_one_request)
        if len(body) < length:
            self.close_connection = True  # the client hung up mid-body
            return None
        if self._pending():
            self.close_connection = True  # bytes past the declared body: answer, then close
        return body, False

    def _pending(self) -> bool:
        """Whether bytes already wait on the connection (without waiting for any)."""
        pause, self._reader.pause = self._reader.pause, 0
        try:
            return bool(self._buffered.peek(1))
        except OSError:
            return False
        finally:
            self._reader.pause = pause
            self.connection.settimeout(pause)

    def _answer(self, response: Response, *, close: bool = False) -> None:
        self._answered = True
        self._reader.relax()
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
    """A thread per connection, at most `max_connections` of them: one more connection is
    answered 503 (in the handler's `error` shape) and closed at once, without waiting. A
    request must arrive whole within `request_deadline` seconds (`Handler`). The listen
    backlog lets a burst of clients wait. An IPv6 address (`::1`) listens on an IPv6
    socket."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        max_connections: int = MAX_CONNECTIONS,
        request_deadline: float = REQUEST_DEADLINE,
    ) -> None:
        if max_connections < 1:
            raise ValueError(f"max_connections is {max_connections}: give 1 or more")
        if not request_deadline > 0:
            raise ValueError(f"request_deadline is {request_deadline}: give seconds above 0")
        self.max_connections = max_connections
        self.request_deadline = request_deadline
        self._open = 0
        self._open_lock = threading.Lock()
        self._warned = -BUSY_WARNING_EVERY
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    @property
    def connections(self) -> int:
        """How many connections are being served now."""
        with self._open_lock:
            return self._open

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            room = self._open < self.max_connections
            if room:
                self._open += 1
        if not room:
            self._turn_away(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread: the connection is closed by the caller
            self._release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release()

    def _release(self) -> None:
        with self._open_lock:
            self._open -= 1

    def _turn_away(self, request: socket.socket) -> None:
        """503 and close, from the serving thread, never waiting on the client."""
        now = time.monotonic()
        if now - self._warned >= BUSY_WARNING_EVERY:
            self._warned = now
            log.warning("%d connections open: turning new ones away", self.max_connections)
        message = f"the server is serving {self.max_connections} connections: try again soon"
        error = getattr(self.RequestHandlerClass, "error", None)
        answer = reply(503, {"error": message}) if error is None else error(503, message)
        head = (
            f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: {answer.content_type}\r\n"
            f"Content-Length: {len(answer.body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            request.setblocking(False)
            request.send(head.encode("latin-1") + answer.body)
            request.recv(65536)  # what the client sent already: closing on it would reset
        self.shutdown_request(request)

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
