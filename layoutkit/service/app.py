"""The service's HTTP face: Agora Notifications in, a small JSON API for recordings.

| route | what |
|---|---|
| `POST /agora/notifications` | a signed callback (401 when the signature is bad or missing) |
| `POST /recordings` | attach a running recording to a layout (201) |
| `GET /recordings` | every attached recording, in short |
| `GET /recordings/{sid}` | one: participants, last acknowledged layout, pending, errors |
| `DELETE /recordings/{sid}` | stop directing it (the recording goes on) |
| `PUT /recordings/{sid}/names/{uid}` | `{"name": "Ada"}`: the name a styled layout writes |
| `GET /healthz` | alive, with counts |

The `/recordings` routes need `Authorization: Bearer TOKEN` when the service has a token
(always, when it listens beyond loopback). Errors are `{"error": message, "field": name}`.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any
from urllib.parse import unquote

from layoutkit.httpd import Request, Response, loads, reply
from layoutkit.service.hub import DirectorHub
from layoutkit.service.spec import RequestError

log = logging.getLogger("layoutkit.service")
NOTIFICATIONS_PATH = "/agora/notifications"
_RECORDING = re.compile(r"^/recordings/(?P<sid>[^/?]+)/?$")
_NAME = re.compile(r"^/recordings/(?P<sid>[^/?]+)/names/(?P<uid>[^/?]+)/?$")


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
            return reply(200, {"ok": True, "recordings": len(self.hub.sids())})
        if path in ("/recordings", "/recordings/") or _RECORDING.match(path) or _NAME.match(path):
            refused = self._check_token(request)
            if refused is not None:
                return refused
            try:
                return self._recordings(request, path)
            except RequestError as exc:
                return error(exc.status, exc.message.removeprefix(f"{exc.field}: "), exc.field)
        return error(404, f"no route {request.method} {path}; see GET /healthz, /recordings")

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
        named = _NAME.match(path)
        if named is not None:
            return self._name(request, unquote(named["sid"]), unquote(named["uid"]))
        found = _RECORDING.match(path)
        if found is None:
            if request.method == "GET":
                return reply(200, {"recordings": [self._short(s) for s in self.hub.sids()]})
            if request.method == "POST":
                if request.truncated:
                    return error(413, "the request is too large")
                return reply(201, self.hub.attach(_json_object(request)))
            return error(405, "/recordings takes GET or POST")
        sid = unquote(found["sid"])
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
        if request.truncated:
            return error(413, "the request is too large")
        data = _json_object(request)
        unknown = sorted(set(data) - {"name"})
        if unknown:
            raise RequestError(400, 'unknown field; the body is {"name": "..."}', field=unknown[0])
        if "name" not in data:
            raise RequestError(400, 'is missing; send {"name": "Ada Lovelace"}', field="name")
        return reply(200, self.hub.set_name(sid, uid, data["name"]))

    def _short(self, sid: str) -> dict[str, Any]:
        try:
            full = self.hub.describe(sid)
        except RequestError:  # detached meanwhile
            return {"sid": sid, "status": "detached"}
        keys = ("sid", "cname", "layout", "status", "participants", "auto")
        return {k: full[k] for k in keys if k in full}


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


def _json_object(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind != "application/json":
        raise RequestError(400, f"Content-Type {kind!r}: send application/json")
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
