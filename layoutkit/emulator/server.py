"""The emulator's HTTP side: `EmulatorApp` answers each request (the gateway's checks, then
faults, then the service or the control API), also as a WSGI callable; `EmulatorServer`
serves it on 127.0.0.1 by default (`with EmulatorServer() as emulator: emulator.url`)."""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http.client import responses
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote

from layoutkit import httpd
from layoutkit.emulator import control, notify, service
from layoutkit.emulator.service import service_error
from layoutkit.emulator.state import (
    DEFAULT_LOG_SIZE,
    FAILOVER_SECONDS,
    FAULT_KINDS,
    RATE_LIMIT,
    Answer,
    EmulatorState,
    Fault,
    FaultKind,
    MediaState,
    Profile,
    Role,
)
from layoutkit.httpd import MAX_BODY, READ_TIMEOUT, Request, Response, reply

log = logging.getLogger("layoutkit.emulator")
TICK = 0.2  # seconds between checks for what is due (idle recordings, finished failovers)
_API = r"^/v1/apps/(?P<app>[^/]+)/cloud_recording"
_RID = r"/resourceid/(?P<rid>[^/]+)"
_MODE = r"/mode/(?P<mode>mix|individual|web)"
_SID = _RID + r"/sid/(?P<sid>[^/]+)" + _MODE
API_ROUTES: control.Routes = [
    ("POST", re.compile(_API + r"/acquire$"), "acquire"),
    ("POST", re.compile(_API + _RID + _MODE + r"/start$"), "start"),
    ("POST", re.compile(_API + _SID + r"/update$"), "update"),
    ("POST", re.compile(_API + _SID + r"/updateLayout$"), "updateLayout"),
    ("GET", re.compile(_API + _SID + r"/query$"), "query"),
    ("POST", re.compile(_API + _SID + r"/stop$"), "stop"),
]
# Agora's channel management REST API: the users in a channel
USERS_ROUTE = re.compile(
    r"^/dev/v1/channel/user/(?P<app>[^/]+)/(?P<cname>[^/]+)(?P<hosts>/hosts_only)?/?$"
)
NO_ROUTE = "no Route matched with those values"
INTERNAL = "emulator internal error (see the emulator log)"


def gateway_error(status: int, message: str) -> Response:
    """`{"message": str}`: the gateway's shape (401, 404 route, 429)."""
    return reply(status, {"message": message})


def _match(routes: control.Routes, method: str, path: str) -> tuple[str, dict[str, str]] | None:
    for verb, pattern, name in routes:
        found = pattern.match(path)
        if found and verb == method:
            return name, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def _safe(work: Callable[[], Response]) -> Response:
    try:
        return work()
    except Exception:  # a bug of ours must not become a traceback on the wire
        log.exception("emulator error")
        return service_error(500, 500, INTERNAL)


class EmulatorApp:
    """Answers Cloud Recording requests like Agora's service, from an EmulatorState.
    `hosts`: the `Host` values the control API answers (None: any loopback name)."""

    def __init__(self, state: EmulatorState, hosts: frozenset[str] | None = None) -> None:
        self.state = state
        self.hosts = hosts

    def handle(self, request: Request) -> Response:
        """One request in, one response out; never raises, never answers a traceback."""
        path = request.path.split("?", 1)[0]
        if path.startswith("/_emulator/"):
            refused = control.refuse(request, self.hosts)
            found = _match(control.ROUTES, request.method, path)
            if refused is not None or found is None:
                return refused or gateway_error(404, NO_ROUTE)
            request.params = found[1]
            return _safe(lambda: control.handle(self.state, request, found[0]))
        if path.startswith("/dev/v1/channel/user/"):
            return self._users(request, path)
        matched = _match(API_ROUTES, request.method, path)
        endpoint = matched[0] if matched else "unknown"
        sid = matched[1].get("sid") if matched else None
        self.state.count_in_flight(endpoint, sid, 1)
        try:
            response = self._api(request, matched)
        finally:
            self.state.count_in_flight(endpoint, sid, -1)
        self.state.log(request.method, path, endpoint, request.params.get("app"), response.status)
        return response

    def _api(self, request: Request, matched: tuple[str, dict[str, str]] | None) -> Response:
        if matched is None:
            return gateway_error(404, NO_ROUTE)
        endpoint, request.params = matched
        app, sid = request.params["app"], request.params.get("sid")
        if (refused := self._auth(request.headers.get("authorization"))) is not None:
            return refused
        if not self.state.app_ok(app):
            return gateway_error(400, "appid is invalid")
        if self.state.over_rate(app):
            return gateway_error(429, "API rate limit exceeded")
        if self.state.in_outage(endpoint, sid):  # a failover: the worker is gone
            return service_error(*service.NOT_FOUND, resourceId=request.params["rid"], sid=sid)
        if (faulted := self._fault()) is not None:
            return faulted
        if self.state.latency > 0:  # a slow service: the request stays in flight meanwhile
            time.sleep(self.state.latency)
        return _safe(lambda: self._service(endpoint, request))

    def _fault(self) -> Response | None:
        """The answer of the next injected fault, or None when none is queued."""
        fault = self.state.next_fault()
        if isinstance(fault, Answer):
            return service_error(fault.status, fault.code, fault.reason)
        if fault == "500":
            return service_error(500, 500, "internal_error (injected)")
        if fault in ("504", "timeout"):
            response = service_error(504, 62, "request timeout")
            response.delay = self.state.fault_delay if fault == "timeout" else 0.0
            return response
        return Response(0, b"", drop=True) if fault == "drop" else None

    def _users(self, request: Request, path: str) -> Response:
        """The channel management API's user list, from the emulator's own channels (as
        Agora's, it takes only `Content-Type: application/json`)."""
        found = USERS_ROUTE.match(path)
        if found is None or request.method != "GET":
            response = gateway_error(404, NO_ROUTE)
        else:
            app, cname = unquote(found["app"]), unquote(found["cname"])
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            unsupported = "Unsupported Media Type: send Content-Type: application/json"
            response = (
                self._auth(request.headers.get("authorization"))
                or (gateway_error(415, unsupported) if kind != "application/json" else None)
                or (gateway_error(400, "appid is invalid") if not self.state.app_ok(app) else None)
                or reply(200, service.user_list(self.state, app, cname, bool(found["hosts"])))
            )
        self.state.log(request.method, path, "channelUsers", None, response.status)
        return response

    def _auth(self, header: str | None) -> Response | None:
        if not header:
            return gateway_error(401, "Unauthorized")
        scheme, _, value = header.partition(" ")
        try:
            key, sep, secret = (
                base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            )
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return gateway_error(401, "Invalid authentication credentials")
        if scheme.lower() != "basic" or not sep or not self.state.credentials_ok(key, secret):
            return gateway_error(401, "Invalid authentication credentials")
        return None

    def _service(self, endpoint: str, request: Request) -> Response:
        if endpoint == "query":
            return service.query(self.state, request)
        body = service.json_body(request)
        if isinstance(body, Response):
            return body
        # the handlers are named after the endpoints (looked up when called)
        call = getattr(service, "update_layout" if endpoint == "updateLayout" else endpoint)
        return call(self.state, request, body)  # type: ignore[no-any-return]

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """The app as a WSGI callable, for any WSGI server."""
        try:
            length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(min(length, MAX_BODY + 1)) if length else b""
        headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        response = self.handle(Request(method, path, headers, body, truncated=length > MAX_BODY))
        status = response.status or 502  # a dropped connection cannot be shown over WSGI
        start_response(
            f"{status} {responses.get(status, 'Status')}",
            [("Content-Type", response.content_type), ("Content-Length", str(len(response.body)))],
        )
        return [response.body]


class _Handler(httpd.Handler):
    server_version = "layoutkit-emulator"
    name = "emulator"


def _error(status: int, message: str) -> Response:
    """The errors the server answers itself: a bug of ours in the service's shape, the
    others in the gateway's."""
    return service_error(500, 500, INTERNAL) if status == 500 else gateway_error(status, message)


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
        notify_retry_intervals: tuple[float, ...] = notify.RETRY_INTERVALS,
        notify_timeout: float = notify.TIMEOUT,
        notify_seed: int | None = None,
        notify_envelope_sid: bool = False,
        assets: Mapping[str, Path | str] | None = None,
    ) -> None:
        """`log_size`: API requests kept in the log; `read_timeout`: seconds a client may
        stall. `notify_url` and `notify_secret`: POST signed Agora Notifications there
        (`NotificationSender`; `notify_envelope_sid` adds a `sid` to each envelope, as
        real traffic often has). `assets`: base URL -> local folder, the files standing
        in for the layouts' image URLs in the composite (`AssetFolders`)."""
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
        for base, folder in (assets or {}).items():
            self.state.assets.add(base, folder)
        self.app = EmulatorApp(self.state)
        self.notifications: notify.NotificationSender | None = None
        if notify_url is not None and notify_secret is not None:
            self.notifications = notify.NotificationSender(
                notify_url,
                notify_secret,
                retry_intervals=notify_retry_intervals,
                timeout=notify_timeout,
                seed=notify_seed,
            )
            self.notifications.set_faults(notify.Faults(envelope_sid=notify_envelope_sid))
            self.state.notifier = notify.Notifier(self.state, self.notifications)
        handler = httpd.handler_for(_Handler, self.app, _error, timeout=read_timeout)
        self._server = httpd.ThreadedServer((host, port), handler)
        self.app.hosts = control.served_hosts(host, self._server.server_address[1])
        self._thread: threading.Thread | None = None
        self._sending = False
        self._ticking = threading.Event()
        self._ticker: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> Self:
        """Serve in a background thread."""
        self._start_sender()
        self._thread = self._server.serve_in_thread("emulator")
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._start_sender()
        self._server.serve_forever(poll_interval=0.2)

    def _start_sender(self) -> None:
        """With Notifications on, the sender's thread, and a thread that makes what is due
        happen on time (a recording idle past maxIdleTime ends, a failover finishes), so
        their events are sent without waiting for the next request."""
        if self.notifications is not None and not self._sending:
            self._sending = True
            self.notifications.start()
            self._ticker = threading.Thread(target=self._tick, name="emulator-tick", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._ticking.wait(TICK):
            try:
                self.state.tick()
            except Exception:  # a bug of ours must not stop the clock
                log.exception("emulator tick failed")

    def stop(self) -> None:
        self._ticking.set()
        self._server.shutdown()
        self._server.server_close()
        for thread in (self._thread, self._ticker):
            if thread is not None:
                thread.join(timeout=5)
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
        profile: Profile | None = None,
    ) -> None:
        """A participant joins the channel and sends video (or `media`: video_off,
        audio_only, not_publishing; `publishing=False` is not_publishing), as a host or
        (`role="audience"`) an audience member, who sends nothing. The first to join an
        empty channel sets its `profile`: "live" (the default) or "communication", where
        everyone is a user (ValueError for another profile later, or for a role there)."""
        media = media or ("video" if publishing else "not_publishing")
        self.state.join(self._app(app_id), cname, str(uid), media=media, role=role, profile=profile)

    def set_role(
        self, cname: str, uid: str | int, role: Role, *, app_id: str | None = None
    ) -> None:
        """A participant becomes a host or an audience member."""
        self.state.set_role(self._app(app_id), cname, str(uid), role)

    def set_media(
        self, cname: str, uid: str | int, media: MediaState, *, app_id: str | None = None
    ) -> None:
        """A participant turns the camera off or on, goes audio only, stops publishing."""
        self.state.set_media(self._app(app_id), cname, str(uid), media)

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

    def add_assets(self, base: str, folder: Path | str) -> None:
        """Serve the image URLs `base` + a file name from `folder` from now on (a base
        given again gets the new folder); thread-safe, at any time."""
        self.state.assets.add(base, folder)

    def failover(self, sid: str, seconds: float = FAILOVER_SECONDS) -> str:
        """Agora's failover of the running recording `sid`: its recorder leaves, rejoins
        after `seconds` with a new random uid (returned), and meanwhile query, update,
        updateLayout and stop answer 404; Cloud Recording event 12 tells the new uid.
        ValueError for an unknown, ended or failing-over recording."""
        with self.state.lock:
            self.state.tick()
            recording = self.state.recordings.get(sid)
            if recording is None:
                raise ValueError(f"no recording with sid {sid}")
            return self.state.failover(recording, seconds)

    def health_check(self, event_types: tuple[int, ...] = notify.RTC_EVENT_TYPES) -> list[int]:
        """The Console's health check (`NotificationSender.health_check`); ValueError
        without Notifications."""
        if self.notifications is None:
            raise ValueError("notifications are off: give notify_url and notify_secret")
        return self.notifications.health_check(list(event_types))

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
