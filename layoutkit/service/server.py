"""`layoutkit serve`: the hub, its store, the auto-recorder and the HTTP server, started and
stopped together, and the routes:

| route | what |
|---|---|
| `POST /agora/notifications` | a signed callback (401 when the signature is bad or missing) |
| `POST /recordings` | attach a running recording to a layout (201) |
| `GET /recordings` | every attached recording, in short |
| `GET /recordings/{sid}` | one: participants, last acknowledged layout, pending, errors |
| `DELETE /recordings/{sid}` | stop directing it (the recording goes on) |
| `PUT /recordings/{sid}/names/{uid}` | `{"name": "Ada"}`: the name a styled layout writes |
| `PUT /recordings/{sid}/participants/{uid}` | `{"video": false}` and/or `{"audio": true}` |
| `PUT /recordings/{sid}/speaker` | `{"uid": "1001"}`, or `{"uid": null}`: nobody speaks |
| `GET /healthz` | alive, with counts: recordings, channels, callbacks by outcome |

`/recordings` needs `Authorization: Bearer TOKEN` when the service has a token (always,
beyond loopback); without one it answers only requests made on this machine. Since any
web page can send a request to 127.0.0.1, a change (any method but GET and HEAD) with a
foreign `Origin` is refused (403), and so is a body that is not `application/json` (415).
Errors are `{"error": message, "field": name}`."""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote

from layoutkit.httpd import Handler, Request, Response, ThreadedServer, handler_for, loads, reply
from layoutkit.service.autorecord import AutoRecorder, AutoRule, ConfigError, check_rules
from layoutkit.service.hub import DirectorHub, HubOptions
from layoutkit.service.spec import RequestError
from layoutkit.service.store import Store

if TYPE_CHECKING:
    from layoutkit.client import CloudRecordingClient

log = logging.getLogger("layoutkit.service")
NOTIFICATIONS_PATH = "/agora/notifications"
_RECORDINGS = re.compile(r"^/recordings/?$")
_RECORDING = re.compile(r"^/recordings/(?P<sid>[^/?]+)/?$")
_NAME = re.compile(r"^/recordings/(?P<sid>[^/?]+)/names/(?P<uid>[^/?]+)/?$")
_MEDIA = re.compile(r"^/recordings/(?P<sid>[^/?]+)/participants/(?P<uid>[^/?]+)/?$")
_SPEAKER = re.compile(r"^/recordings/(?P<sid>[^/?]+)/speaker/?$")
_READS = ("GET", "HEAD")


def error(status: int, message: str, field: str = "") -> Response:
    body: dict[str, Any] = {"error": message}
    if field:
        body["field"] = field
    return reply(status, body)


class ServiceApp:
    """Routes requests to the hub, counting those in flight (a clean stop waits for them).
    `token`: the bearer token of `/recordings` (None: loopback only)."""

    def __init__(self, hub: DirectorHub, token: str | None = None) -> None:
        self.hub = hub
        self._token = token
        self.in_flight = 0
        self._cond = threading.Condition()

    def __repr__(self) -> str:
        return f"ServiceApp(token={'set' if self._token else 'none'})"

    def handle(self, request: Request) -> Response:
        with self._cond:
            self.in_flight += 1
        try:
            return self._route(request)
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.in_flight == 0, timeout)

    def _route(self, request: Request) -> Response:
        path = request.path.split("?", 1)[0]
        if path == NOTIFICATIONS_PATH:
            if request.method != "POST":
                return error(405, f"{NOTIFICATIONS_PATH} takes POST")
            if request.truncated:
                return error(413, "the notification is too large")
            status, body = self.hub.notify(request.body, request.headers)
            return reply(status, body)
        if path == "/healthz" and request.method in ("GET", "HEAD"):
            return reply(200, {"ok": True, **self.hub.counts()})
        if path == "/recordings" or path.startswith("/recordings/"):
            refused = self._check_token(request) or _from_a_page(request, self._token is None)
            if refused is not None:
                return refused
            try:
                return self._recordings(request, path)
            except RequestError as exc:
                return error(exc.status, exc.message.removeprefix(f"{exc.field}: "), exc.field)
        return _no_route(request, path)

    def _check_token(self, request: Request) -> Response | None:
        if self._token is None:  # loopback only: refuse what came through a proxy or page
            return _local_only(request)
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode(), self._token.encode()
        ):
            return Response(
                401,
                json.dumps({"error": "give Authorization: Bearer TOKEN"}).encode(),
            )
        return None

    def _recordings(self, request: Request, path: str) -> Response:
        routes: tuple[tuple[re.Pattern[str], Callable[..., Response]], ...] = (
            (_RECORDINGS, self._collection),
            (_RECORDING, self._recording),
            (_NAME, self._name),
            (_MEDIA, self._media),
            (_SPEAKER, self._speaker),
        )
        for pattern, route in routes:
            found = pattern.match(path)
            if found is not None:
                return route(request, *(unquote(part) for part in found.groups()))
        return _no_route(request, path)

    def _collection(self, request: Request) -> Response:
        if request.method == "GET":
            return reply(200, {"recordings": [self._short(s) for s in self.hub.sids()]})
        if request.method == "POST":
            return reply(201, self.hub.attach(_json_object(request)))
        return error(405, "/recordings takes GET or POST")

    def _recording(self, request: Request, sid: str) -> Response:
        if request.method == "GET":
            return reply(200, self.hub.describe(sid))
        if request.method == "DELETE":
            if not self.hub.detach(sid):
                return error(404, f"no recording {sid} is attached", "sid")
            return reply(200, {"ok": True, "detached": sid})
        return error(405, "/recordings/{sid} takes GET or DELETE")

    def _name(self, request: Request, sid: str, uid: str) -> Response:
        data = _put(request, "/recordings/{sid}/names/{uid}", {"name"}, '{"name": "..."}')
        if "name" not in data:
            raise RequestError(400, 'is missing; send {"name": "Ada Lovelace"}', field="name")
        return reply(200, self.hub.set_name(sid, uid, data["name"]))

    def _media(self, request: Request, sid: str, uid: str) -> Response:
        shape = '{"video": true, "audio": false}'
        data = _put(request, "/recordings/{sid}/participants/{uid}", {"video", "audio"}, shape)
        if not data:
            raise RequestError(400, f"give one or both; send {shape}", field="video/audio")
        for name, value in data.items():
            if not isinstance(value, bool):
                raise RequestError(400, "must be true or false", field=name)
        state = self.hub.set_media(sid, uid, video=data.get("video"), audio=data.get("audio"))
        return reply(200, state)

    def _speaker(self, request: Request, sid: str) -> Response:
        shape = '{"uid": "1001"} (or {"uid": null}: nobody speaks)'
        data = _put(request, "/recordings/{sid}/speaker", {"uid"}, shape)
        if "uid" not in data:
            raise RequestError(400, f"is missing; send {shape}", field="uid")
        uid = data["uid"]
        if isinstance(uid, bool) or not isinstance(uid, str | int | None):
            raise RequestError(400, f"must be a uid or null; send {shape}", field="uid")
        return reply(200, self.hub.set_speaker(sid, uid))

    def _short(self, sid: str) -> dict[str, Any]:
        try:
            full = self.hub.describe(sid)
        except RequestError:  # detached meanwhile
            return {"sid": sid, "status": "detached"}
        keys = ("sid", "cname", "layout", "status", "participants", "auto")
        return {k: full[k] for k in keys if k in full}


def _no_route(request: Request, path: str) -> Response:
    return error(404, f"no route {request.method} {path}; see GET /healthz, /recordings")


def _from_a_page(request: Request, no_token: bool) -> Response | None:
    """403 for a change sent with a foreign `Origin` (a web page's): without a token any
    `Origin`; with one, any but the service's own (`http(s)://` and the `Host`)."""
    origin = request.headers.get("origin")
    if request.method in _READS or origin is None:
        return None
    host = request.headers.get("host", "").strip().lower()
    own = () if no_token or not host else (f"http://{host}", f"https://{host}")
    if origin.strip().lower() in own:
        return None
    return error(
        403,
        f"a change sent from the web page at {origin[:100]!r} is refused: send it from "
        "your backend, without an Origin header",
    )


_FORWARDED = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")
_LOCAL_HOST = re.compile(r"^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?$", re.I)


def _local_only(request: Request) -> Response | None:
    """Without a token, only requests made on this machine: none forwarded by a proxy,
    none for another Host (a web page's DNS rebinding)."""
    if any(name in request.headers for name in _FORWARDED):
        return error(
            401,
            "this request came through a proxy: set LAYOUTKIT_SERVICE_TOKEN and send "
            "Authorization: Bearer TOKEN (or forward only /agora/notifications)",
        )
    if not _LOCAL_HOST.match(request.headers.get("host", "localhost")):
        return error(403, "without a token, /recordings answers only Host localhost")
    return None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise RequestError(400, "is given twice in one object; give it once", field=key)
        found[key] = value
    return found


def _put(request: Request, route: str, known: set[str], shape: str) -> dict[str, Any]:
    """The body of a PUT to `route`, when it holds only `known` fields."""
    if request.method != "PUT":
        raise RequestError(405, f"{route} takes PUT")
    data = _json_object(request)
    unknown = sorted(set(data) - known)
    if unknown:
        raise RequestError(400, f"unknown field; the body is {shape}", field=unknown[0])
    return data


def _json_object(request: Request) -> dict[str, Any]:
    """The body, a JSON object sent as `application/json` (415 else: a page's "simple"
    request)."""
    given = request.headers.get("content-type")
    kind = (given or "").split(";")[0].strip().lower()
    if kind != "application/json":
        sent = f"Content-Type {given[:100]!r}" if given else "no Content-Type"
        raise RequestError(415, f"{sent}: send the body as Content-Type: application/json")
    if request.truncated:
        raise RequestError(413, "the request is too large")
    try:
        data = loads(request.body.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise RequestError(400, "the body is not UTF-8") from None
    except RecursionError:
        raise RequestError(400, "the body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise RequestError(
            400, f"the body is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except ValueError as exc:
        raise RequestError(400, f"the body: {exc}") from None
    if not isinstance(data, dict):
        raise RequestError(400, "the body must be a JSON object")
    return data


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(Handler):
    server_version = "layoutkit-service"
    name = "service"


class DirectorService:
    """The director service on a socket (see the module); `options` are `HubOptions`'."""

    def __init__(
        self,
        client: CloudRecordingClient,
        *,
        notify_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        db: str | Path | None = None,
        layouts: str | Path | None = None,
        rules: list[AutoRule] | None = None,
        on_grant: Callable[[Hashable, float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        if not notify_secret:
            raise ConfigError(
                "give the Notifications secret (--notify-secret-env or "
                "AGORA_NOTIFICATIONS_SECRET): callbacks are checked with it"
            )
        if token is not None and (not token.strip() or token != token.strip()):
            raise ConfigError(
                "the bearer token is empty or starts or ends with spaces: give a long "
                "random token (e.g. `openssl rand -hex 24`)"
            )
        if token is None and not is_loopback(host):
            raise ConfigError(
                f"listening on {host} needs a bearer token for /recordings: set "
                "LAYOUTKIT_SERVICE_TOKEN, or listen on 127.0.0.1"
            )
        folder = None if layouts is None else Path(layouts)
        hub_options = HubOptions(notify_secret, folder, **options)
        if rules:
            check_rules(rules, folder)  # before anything is opened
        self.store = Store(db)
        self.hub = DirectorHub(client, self.store, hub_options, on_grant=on_grant, clock=clock)
        self.auto: AutoRecorder | None = None
        try:
            self.resumed = self.hub.resume()
            if rules:
                self.auto = AutoRecorder(self.hub, rules)
                self.auto.adopt()
            self.hub.start()
            self._app = ServiceApp(self.hub, token)
            handler = handler_for(_Handler, self._app, error)
            self._server = ThreadedServer((host, port), handler)
        except BaseException:
            self.hub.close()
            raise
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def notifications_url(self) -> str:
        return f"{self.url}/agora/notifications"

    def start(self) -> Self:
        if self._thread is None:
            self._thread = self._server.serve_in_thread("layoutkit-service")
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until `shutdown()` (from another thread or a signal)."""
        self._server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self._server.shutdown()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking connections, let requests in flight finish, send what is pending,
        close the Directors and the store."""
        if self._stopped:
            return
        self._stopped = True
        started = time.monotonic()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        if not self._app.wait_idle(timeout):
            log.warning("stopping with requests still in flight after %gs", timeout)
        self._server.server_close()
        if self.auto is not None:
            self.auto.close()
        self.hub.close()
        log.info("service stopped in %.1fs", time.monotonic() - started)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"DirectorService({self.url})"
