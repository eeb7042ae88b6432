"""A threaded HTTP server for the emulator, on 127.0.0.1 by default, startable from
Python (`with EmulatorServer() as emulator: emulator.url`) or `layoutkit emulator`."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from layoutkit.emulator.app import EmulatorApp
from layoutkit.emulator.control import served_hosts
from layoutkit.emulator.http import MAX_BODY, Request, Response, gateway_error, service_error
from layoutkit.emulator.notify import RETRY_INTERVALS, TIMEOUT, NotificationSender
from layoutkit.emulator.presence import Presence
from layoutkit.emulator.requestlog import DEFAULT_LOG_SIZE
from layoutkit.emulator.state import (
    FAULT_KINDS,
    RATE_LIMIT,
    EmulatorState,
    Fault,
    FaultKind,
    MediaState,
    Role,
)

log = logging.getLogger("layoutkit.emulator")
READ_TIMEOUT = 30.0


class _Handler(BaseHTTPRequestHandler):
    """One connection. Bodies come with one `Content-Length` (chunked ones are refused with
    411); a client that pauses longer than `timeout` mid-request, or sends a body shorter
    or longer than it declared, has its connection closed, so nothing rides behind a body.
    Every error, the standard library's included, is answered in JSON."""

    protocol_version = "HTTP/1.1"
    server_version = "layoutkit-emulator"
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stall
    timeout = READ_TIMEOUT  # socket timeout: a stalled or idle client is let go
    app: EmulatorApp

    def _serve(self) -> None:
        read = self._read_body()
        if read is None:
            return
        body, truncated = read
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, self.path, headers, body, truncated=truncated)
        try:
            response = self.app.handle(request)
        except Exception:  # never a dropped connection for a bug of ours
            log.exception("emulator error")
            response = service_error(500, 500, "emulator internal error (see the emulator log)")
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
        """The body and whether it was over MAX_BODY (then unread, and the connection
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
        if length > MAX_BODY:
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
        the gateway's JSON shape instead of an HTML page; the connection closes."""
        reason = message or self.responses.get(code, ("Error",))[0]
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._answer(gateway_error(code, reason[:500]), close=True)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


_DIGITS = re.compile(r"[0-9]{1,18}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the listen backlog: a burst of clients waits, not retries

    def handle_error(self, request: object, client_address: object) -> None:
        # a client that hung up (timeouts, dropped connections) is not an emulator error
        log.debug("connection from %s ended early", client_address, exc_info=True)


class EmulatorServer:
    """The emulator on a real socket. `port=0` picks a free port; `url` says where."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        app_ids: tuple[str, ...] = (),
        customer_id: str | None = None,
        customer_secret: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        rate_limit: int | None = RATE_LIMIT,
        log_size: int = DEFAULT_LOG_SIZE,
        read_timeout: float = READ_TIMEOUT,
        notify_url: str | None = None,
        notify_secret: str | None = None,
        notify_retry_intervals: tuple[float, ...] = RETRY_INTERVALS,
        notify_timeout: float = TIMEOUT,
        notify_seed: int | None = None,
    ) -> None:
        """`log_size`: how many API requests the request log keeps (the newest);
        `read_timeout`: seconds a client may stall mid-request or idle between requests.
        `notify_url` and `notify_secret`: POST signed Agora Notifications of joins, leaves
        and role changes there (retried after `notify_retry_intervals` seconds when not
        answered 200 within `notify_timeout`; `notify_seed` makes the faults repeatable)."""
        if (notify_url is None) != (notify_secret is None):
            raise ValueError("give notify_url and notify_secret together")
        self.state = EmulatorState(
            app_ids=app_ids,
            customer_id=customer_id,
            customer_secret=customer_secret,
            clock=clock,
            rate_limit=rate_limit,
            log_size=log_size,
        )
        self.app = EmulatorApp(self.state)
        self.notifications: NotificationSender | None = None
        if notify_url is not None and notify_secret is not None:
            sender = NotificationSender(
                notify_url,
                notify_secret,
                retry_intervals=notify_retry_intervals,
                timeout=notify_timeout,
                seed=notify_seed,
            )
            presence = Presence(self.state)

            def changed() -> None:  # under the state's lock: events leave in order
                for event in presence.events():
                    sender.submit(event)

            self.state.on_change = changed
            self.notifications = self.app.notifications = sender
        handler = type("Handler", (_Handler,), {"app": self.app, "timeout": read_timeout})
        self._server = _Server((host, port), handler)
        self.app.hosts = served_hosts(host, self._server.server_address[1])
        self._thread: threading.Thread | None = None
        self._sending = False

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        """Serve in a background thread."""
        self._start_sender()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._start_sender()
        self._server.serve_forever(poll_interval=0.2)

    def _start_sender(self) -> None:
        if self.notifications is not None and not self._sending:
            self._sending = True
            self.notifications.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.notifications is not None:
            self.notifications.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"EmulatorServer({self.url})"

    # --- shortcuts to the state, for tests and demos ------------------------------------

    def join(
        self,
        cname: str,
        uid: str | int,
        *,
        app_id: str | None = None,
        publishing: bool = True,
        media: MediaState | None = None,
        role: Role | None = None,
    ) -> None:
        """A participant joins the channel and sends video (or `media`: video_off,
        audio_only, not_publishing; `publishing=False` is not_publishing), as a host or
        (`role="audience"`) an audience member, who sends nothing."""
        self.state.join(
            self._app(app_id), cname, str(uid), publishing=publishing, media=media, role=role
        )

    def set_role(
        self, cname: str, uid: str | int, role: Role, *, app_id: str | None = None
    ) -> None:
        """A participant becomes a host or an audience member."""
        if not self.state.set_role(self._app(app_id), cname, str(uid), role):
            raise ValueError(f"uid {uid} is not in channel {cname}")

    def set_media(
        self, cname: str, uid: str | int, media: MediaState, *, app_id: str | None = None
    ) -> None:
        """A participant turns the camera off or on, goes audio only, stops publishing."""
        if not self.state.set_media(self._app(app_id), cname, str(uid), media):
            raise ValueError(f"uid {uid} is not in channel {cname}")

    def leave(self, cname: str, uid: str | int, *, app_id: str | None = None) -> None:
        self.state.leave(self._app(app_id), cname, str(uid))

    def inject(self, kind: Fault, count: int = 1) -> None:
        """The next `count` API requests fail: "500", "504", "timeout", "drop", or with
        an `Answer(status, code, reason)`."""
        self.state.inject(kind, count)

    def chaos(
        self, ratio: float, kinds: tuple[FaultKind, ...] = FAULT_KINDS, seed: int | None = None
    ) -> None:
        """Fail about `ratio` of the API requests with a random kind of `kinds`."""
        self.state.set_chaos(ratio, kinds, seed)

    def layout_of(self, sid: str) -> dict[str, Any]:
        """The current layout of a recording, as the last start or updateLayout set it."""
        with self.state.lock:
            return dict(self.state.recordings[sid].layout)

    def _app(self, app_id: str | None) -> str:
        if app_id is not None:
            return app_id
        if len(self.state.app_ids) == 1:
            return self.state.app_ids[0]
        raise ValueError("give app_id: the emulator serves more than one App ID")


__all__ = ["EmulatorServer"]
