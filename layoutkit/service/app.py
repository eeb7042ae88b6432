"""The service's HTTP face: Agora Notifications in, a small JSON API for recordings.

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

The `/recordings` routes need `Authorization: Bearer TOKEN` when the service has a token
(always, when it listens beyond loopback); without one they answer only requests made on
this machine. Since any web page can send a request to 127.0.0.1, the routes that change
something (all but GET and HEAD) refuse what a page could send: a foreign `Origin` (403;
without a token, any `Origin`) and a body that is not `Content-Type: application/json`
(415, a missing type too). The callbacks are checked by their signature instead. Errors
are `{"error": message, "field": name}`.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from layoutkit.httpd import Request, Response, loads, reply
from layoutkit.service.hub import DirectorHub
from layoutkit.service.spec import RequestError

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
    """Routes requests to the hub. `token`: the bearer token of `/recordings` (None: no
    token, allowed only on loopback, which the server checks)."""

    def __init__(self, hub: DirectorHub, token: str | None = None) -> None:
        self.hub = hub
        self._token = token

    def __repr__(self) -> str:
        return f"ServiceApp(token={'set' if self._token else 'none'})"

    def handle(self, request: Request) -> Response:
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
        """`GET /recordings`, `POST /recordings`."""
        if request.method == "GET":
            return reply(200, {"recordings": [self._short(s) for s in self.hub.sids()]})
        if request.method == "POST":
            return reply(201, self.hub.attach(_json_object(request)))
        return error(405, "/recordings takes GET or POST")

    def _recording(self, request: Request, sid: str) -> Response:
        """`GET /recordings/{sid}`, `DELETE /recordings/{sid}`."""
        if request.method == "GET":
            return reply(200, self.hub.describe(sid))
        if request.method == "DELETE":
            if not self.hub.detach(sid):
                return error(404, f"no recording {sid} is attached", "sid")
            return reply(200, {"ok": True, "detached": sid})
        return error(405, "/recordings/{sid} takes GET or DELETE")

    def _name(self, request: Request, sid: str, uid: str) -> Response:
        """`PUT /recordings/{sid}/names/{uid}` with `{"name": "..."}`."""
        if request.method != "PUT":
            return error(405, "/recordings/{sid}/names/{uid} takes PUT")
        data = _fields(_json_object(request), {"name"}, '{"name": "..."}')
        if "name" not in data:
            raise RequestError(400, 'is missing; send {"name": "Ada Lovelace"}', field="name")
        return reply(200, self.hub.set_name(sid, uid, data["name"]))

    def _media(self, request: Request, sid: str, uid: str) -> Response:
        """`PUT /recordings/{sid}/participants/{uid}` with `{"video": bool, "audio": bool}`
        (either or both): whether the person's camera and microphone are on."""
        if request.method != "PUT":
            return error(405, "/recordings/{sid}/participants/{uid} takes PUT")
        shape = '{"video": true, "audio": false}'
        data = _fields(_json_object(request), {"video", "audio"}, shape)
        if not data:
            raise RequestError(400, f"give one or both; send {shape}", field="video/audio")
        for name, value in data.items():
            if not isinstance(value, bool):
                raise RequestError(400, "must be true or false", field=name)
        state = self.hub.set_media(sid, uid, video=data.get("video"), audio=data.get("audio"))
        return reply(200, state)

    def _speaker(self, request: Request, sid: str) -> Response:
        """`PUT /recordings/{sid}/speaker` with `{"uid": "1001"}` (or `{"uid": null}`:
        nobody speaks)."""
        if request.method != "PUT":
            return error(405, "/recordings/{sid}/speaker takes PUT")
        shape = '{"uid": "1001"} (or {"uid": null}: nobody speaks)'
        data = _fields(_json_object(request), {"uid"}, shape)
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
    """403 for a change (any method but GET and HEAD) sent with a foreign `Origin`: a web
    page's. Without a token any `Origin` is foreign (the service serves no page); with
    one, only the service's own (`http(s)://` and the request's `Host`) is not."""
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
    """Without a token, `/recordings` answers only requests made on this machine: none
    forwarded by a proxy, none for another Host (a web page's DNS rebinding)."""
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


def _fields(data: dict[str, Any], known: set[str], shape: str) -> dict[str, Any]:
    """`data`, when it holds only `known` fields (400 naming the first other one)."""
    unknown = sorted(set(data) - known)
    if unknown:
        raise RequestError(400, f"unknown field; the body is {shape}", field=unknown[0])
    return data


def _json_object(request: Request) -> dict[str, Any]:
    """The request's body, a JSON object sent as `Content-Type: application/json` (415
    for another type or none: what a web page's "simple" request would send)."""
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


__all__ = ["NOTIFICATIONS_PATH", "ServiceApp", "error"]
