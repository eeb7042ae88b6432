"""The emulator's request handling: a route table, the gateway's checks (route, Basic
auth, App ID, 10 requests per second), injected faults and failovers, then the service;
the channel management API's user list (which, as Agora's, takes only `Content-Type:
application/json`). Also a WSGI callable, so the app can be served by any WSGI server."""

from __future__ import annotations

import base64
import binascii
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from layoutkit.emulator import control, notify, service
from layoutkit.emulator.http import (
    MAX_BODY,
    BodyError,
    Request,
    Response,
    control_answer,
    gateway_error,
    json_body,
    loads,
    reply,
    service_error,
)
from layoutkit.emulator.notify import NotificationSender
from layoutkit.emulator.presence import user_list
from layoutkit.emulator.state import Answer, EmulatorState

log = logging.getLogger("layoutkit.emulator")

_API = r"^/v1/apps/(?P<app>[^/]+)/cloud_recording"
_RID = r"/resourceid/(?P<rid>[^/]+)"
_SID = r"/sid/(?P<sid>[^/]+)"
_MODE = r"/mode/(?P<mode>mix|individual|web)"
API_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(_API + r"/acquire$"), "acquire"),
    ("POST", re.compile(_API + _RID + _MODE + r"/start$"), "start"),
    ("POST", re.compile(_API + _RID + _SID + _MODE + r"/update$"), "update"),
    ("POST", re.compile(_API + _RID + _SID + _MODE + r"/updateLayout$"), "updateLayout"),
    ("GET", re.compile(_API + _RID + _SID + _MODE + r"/query$"), "query"),
    ("POST", re.compile(_API + _RID + _SID + _MODE + r"/stop$"), "stop"),
]
_CHANNEL = r"^/_emulator/apps/(?P<app>[^/]+)/channels/(?P<cname>[^/]+)/participants"
CONTROL_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/_emulator/state$"), "state"),
    ("POST", re.compile(_CHANNEL + r"$"), "join"),
    ("DELETE", re.compile(_CHANNEL + r"/(?P<uid>[^/]+)$"), "leave"),
    ("POST", re.compile(_CHANNEL + r"/(?P<uid>[^/]+)$"), "participant"),
    ("GET", re.compile(r"^/_emulator/recordings$"), "recordings"),
    ("GET", re.compile(r"^/_emulator/recordings/(?P<sid>[^/]+)$"), "recording"),
    ("GET", re.compile(r"^/_emulator/recordings/(?P<sid>[^/]+)/composite\.png$"), "composite"),
    ("POST", re.compile(r"^/_emulator/recordings/(?P<sid>[^/]+)/failover$"), "failover"),
    ("POST", re.compile(r"^/_emulator/faults$"), "faults"),
    ("DELETE", re.compile(r"^/_emulator/faults$"), "faults"),
    ("POST", re.compile(r"^/_emulator/chaos$"), "chaos"),
    ("GET", re.compile(r"^/_emulator/requests$"), "requests"),
    ("POST", re.compile(r"^/_emulator/clock$"), "clock"),
    ("GET", re.compile(r"^/_emulator/notifications$"), "notifications"),
    ("POST", re.compile(r"^/_emulator/notifications/faults$"), "notifications"),
    ("DELETE", re.compile(r"^/_emulator/notifications/faults$"), "notifications"),
    ("POST", re.compile(r"^/_emulator/notifications/health-check$"), "health"),
]
# Agora's channel management REST API: the users in a channel
USERS_ROUTE = re.compile(
    r"^/dev/v1/channel/user/(?P<app>[^/]+)/(?P<cname>[^/]+)(?P<hosts>/hosts_only)?/?$"
)
NO_ROUTE = "no Route matched with those values"
UNSUPPORTED = "Unsupported Media Type: send Content-Type: application/json"


def _match(
    routes: list[tuple[str, re.Pattern[str], str]], method: str, path: str
) -> tuple[str, dict[str, str]] | None:
    for verb, pattern, name in routes:
        found = pattern.match(path)
        if found and verb == method:
            return name, {k: _unquote(v) for k, v in found.groupdict().items()}
    return None


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


class EmulatorApp:
    """Answers Cloud Recording requests like Agora's service, from an EmulatorState."""

    def __init__(self, state: EmulatorState, hosts: frozenset[str] | None = None) -> None:
        self.state = state
        # the `Host` values the control API answers (None: any loopback name and port)
        self.hosts = hosts
        self.notifications: NotificationSender | None = None  # set by the server

    def handle(self, request: Request) -> Response:
        """One request in, one response out; never raises, never answers a traceback."""
        path = request.path.split("?", 1)[0]
        if path.startswith("/_emulator/"):
            refused = control.refuse(request, self.hosts)
            if refused is not None:
                return refused
            found = _match(CONTROL_ROUTES, request.method, path)
            if found is None:
                return gateway_error(404, NO_ROUTE)
            request.params = found[1]
            if found[0] in ("notifications", "health"):
                return self._safe(lambda: self._notifications(request, found[0]))
            return self._safe(lambda: control.handle(self.state, request, found[0]))
        if path.startswith("/dev/v1/channel/user/"):
            return self._users(request, path)
        matched = _match(API_ROUTES, request.method, path)
        endpoint = matched[0] if matched else "unknown"
        sid = matched[1].get("sid") if matched else None
        self.state.enter(endpoint, sid)
        try:
            response = self._api(request, matched)
        finally:
            self.state.leave_request(endpoint, sid)
        self.state.log(request.method, path, endpoint, request.params.get("app"), response.status)
        return response

    def _api(self, request: Request, matched: tuple[str, dict[str, str]] | None) -> Response:
        if matched is None:
            return gateway_error(404, NO_ROUTE)
        endpoint, request.params = matched
        auth = self._auth(request.headers.get("authorization"))
        if auth is not None:
            return auth
        app = request.params["app"]
        if not self.state.app_ok(app):
            return gateway_error(400, "appid is invalid")
        if self.state.over_rate(app):
            return gateway_error(429, "API rate limit exceeded")
        # a failover: the sid's worker cannot be found
        if self.state.in_outage(endpoint, request.params.get("sid")):
            params = request.params
            return service_error(*service.NOT_FOUND, resourceId=params["rid"], sid=params["sid"])
        faulted = self._fault()
        if faulted is not None:
            return faulted
        if self.state.latency > 0:  # a slow service: the request stays in flight meanwhile
            time.sleep(self.state.latency)
        return self._safe(lambda: self._service(endpoint, request))

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
        if fault == "drop":
            return Response(0, b"", drop=True)
        return None

    def _notifications(self, request: Request, route: str) -> Response:
        body: Any = None
        if request.method == "POST":
            try:
                body = loads(request.body.decode("utf-8")) if request.body.strip() else {}
            except (UnicodeDecodeError, ValueError, RecursionError):
                body = None
        if route == "health":
            return control_answer(lambda: notify.health(self.notifications, body))
        return control_answer(lambda: notify.control(self.notifications, request, body))

    def _users(self, request: Request, path: str) -> Response:
        """The channel management API's user list, from the emulator's own channels."""
        found = USERS_ROUTE.match(path)
        if found is None or request.method != "GET":
            response = gateway_error(404, NO_ROUTE)
        else:
            app, cname = _unquote(found["app"]), _unquote(found["cname"])
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            response = (
                self._auth(request.headers.get("authorization"))
                or (gateway_error(415, UNSUPPORTED) if kind != "application/json" else None)
                or (gateway_error(400, "appid is invalid") if not self.state.app_ok(app) else None)
                or self._user_list(app, cname, hosts_only=bool(found["hosts"]))
            )
        self.state.log(request.method, path, "channelUsers", None, response.status)
        return response

    def _user_list(self, app: str, cname: str, *, hosts_only: bool) -> Response:
        self.state.tick()
        return reply(200, user_list(self.state, app, cname, hosts_only=hosts_only))

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
        try:
            body = json_body(request)
        except BodyError as exc:
            return exc.response
        handlers: dict[str, Callable[[Any, Request, dict[str, Any]], Response]] = {
            "acquire": service.acquire,
            "start": service.start,
            "update": service.update,
            "updateLayout": service.update_layout,
            "stop": service.stop,
        }
        return handlers[endpoint](self.state, request, body)

    def _safe(self, work: Callable[[], Response]) -> Response:
        try:
            return work()
        except Exception:  # a bug of ours must not become a traceback on the wire
            log.exception("emulator error")
            return service_error(500, 500, "emulator internal error (see the emulator log)")

    # --- WSGI ------------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
        except ValueError:
            length = 0
        stream = environ["wsgi.input"]
        body = stream.read(min(length, MAX_BODY + 1)) if length else b""
        headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        request = Request(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", "/"),
            headers,
            body,
            truncated=length > MAX_BODY,
        )
        response = self.handle(request)
        status = response.status or 502  # a dropped connection cannot be shown over WSGI
        start_response(
            f"{status} {_REASONS.get(status, 'Status')}",
            [("Content-Type", response.content_type), ("Content-Length", str(len(response.body)))],
        )
        return [response.body]


_REASONS = {
    200: "OK",
    201: "Created",
    206: "Partial Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    415: "Unsupported Media Type",
    421: "Misdirected Request",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}
