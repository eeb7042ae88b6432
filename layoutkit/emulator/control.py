"""The `/_emulator/` control API: a route table of small handlers, each raising
`ControlError` to refuse. Channel participants (and a channel's profile), recordings with
their layout, history, picture and failovers, a PNG of the composite, injected faults,
Notifications, the request log, the clock. No credentials; not rate limited; not logged.
Since anyone's browser can reach 127.0.0.1, `refuse` turns away what a web page could
send: a `Host` not the emulator's (DNS rebinding), a foreign `Origin`, and a body that is
not `application/json` (a "simple" cross-site POST)."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from layoutkit.emulator.notify import RTC_EVENT_TYPES, Faults, NotificationSender, faults_of
from layoutkit.emulator.state import (
    FAILOVER_SECONDS,
    FAULT_KINDS,
    MAX_OUTAGE,
    MEDIA_STATES,
    PROFILES,
    ROLES,
    Answer,
    EmulatorState,
    Fault,
    ManualClock,
    MediaState,
    Recording,
    image_urls,
)
from layoutkit.httpd import Request, Response, loads, reply
from layoutkit.wire.rules import UID_MAX, check_uid

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
OFF = "notifications are off: start with a notify URL and secret"
_CHANNEL = r"^/_emulator/apps/(?P<app>[^/]+)/channels/(?P<cname>[^/]+)/participants"
_RECORDING = r"^/_emulator/recordings/(?P<sid>[^/]+)"
Routes = list[tuple[str, re.Pattern[str], str]]  # (method, path, the route's name)
ROUTES: Routes = [
    (method, re.compile(pattern), name)
    for method, pattern, name in (
        ("GET", r"^/_emulator/state$", "state"),
        ("POST", _CHANNEL + r"$", "join"),
        ("DELETE", _CHANNEL + r"/(?P<uid>[^/]+)$", "leave"),
        ("POST", _CHANNEL + r"/(?P<uid>[^/]+)$", "participant"),
        ("GET", r"^/_emulator/recordings$", "recordings"),
        ("GET", _RECORDING + r"$", "recording"),
        ("GET", _RECORDING + r"/composite\.png$", "composite"),
        ("POST", _RECORDING + r"/failover$", "failover"),
        ("POST", r"^/_emulator/faults$", "faults"),
        ("DELETE", r"^/_emulator/faults$", "faults"),
        ("POST", r"^/_emulator/chaos$", "chaos"),
        ("GET", r"^/_emulator/requests$", "requests"),
        ("POST", r"^/_emulator/clock$", "clock"),
        ("GET", r"^/_emulator/notifications$", "notifications"),
        ("POST", r"^/_emulator/notifications/faults$", "notifications"),
        ("DELETE", r"^/_emulator/notifications/faults$", "notifications"),
        ("POST", r"^/_emulator/notifications/health-check$", "health"),
    )
]


class ControlError(Exception):
    """A control request refused: `ControlError(status, message)`, answered
    `{"error": message}`."""


def handle(state: EmulatorState, request: Request, route: str) -> Response:
    """Answer a control route (matched by name): its handler's answer, or the refusal."""
    handler = HANDLERS.get(route)
    try:
        if handler is None:
            raise ControlError(404, "no such control route")
        return handler(state, request)
    except ControlError as exc:
        return reply(exc.args[0], {"error": exc.args[1]})


@contextlib.contextmanager
def _refusing() -> Iterator[None]:
    """What the state refuses (ValueError) is the control API's 400."""
    try:
        yield
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None


def served_hosts(host: str, port: int) -> frozenset[str]:
    """The `Host` values that name an emulator bound to `host`:`port`."""
    names = {*LOOPBACK_NAMES, f"[{host}]" if ":" in host else host.lower()}
    found = {f"{name}:{port}" for name in names}
    return frozenset(found | names if port == 80 else found)


def _served(host: str, hosts: frozenset[str] | None) -> bool:
    """Whether `host` names this emulator (`hosts` None: any loopback name, any port)."""
    if hosts is not None:
        return host in hosts
    name = host if host.endswith("]") or ":" not in host else host.rsplit(":", 1)[0]
    return name in LOOPBACK_NAMES


def refuse(request: Request, hosts: frozenset[str] | None) -> Response | None:
    """An error for a control request a web page could have sent, or None. `hosts`: the
    `Host` values served (None: any loopback name with any port, for WSGI use)."""
    host = request.headers.get("host", "").strip().lower()
    if not _served(host, hosts):
        return reply(421, {"error": f"Host {host[:100]!r} is not this emulator's address"})
    origin = request.headers.get("origin")
    if origin is not None:
        where = origin.strip().lower().removeprefix("http://")
        if where == origin.strip().lower() or not _served(where, hosts):
            return reply(403, {"error": f"cross-origin request from {origin[:100]!r} refused"})
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if (request.body or request.truncated or kind) and kind != "application/json":
        return reply(415, {"error": "the control API takes Content-Type: application/json"})
    return None


def _body(request: Request) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        data = loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise ControlError(400, "send a JSON object")
    return data


def summary(state: EmulatorState, recording: Recording) -> dict[str, Any]:
    """A recording as the control API shows it, read in one go under the state's lock:
    `picture` is who Agora draws in which rectangle now, in paint order, with what each
    region's user sends; `images` what stands in for each image URL of the layout."""
    with state.lock:
        urls = image_urls(recording.layout)
        channel = state.channel(recording.app_id, recording.cname)
        return {
            "sid": recording.sid,
            "resourceId": recording.resource_id,
            "appId": recording.app_id,
            "cname": recording.cname,
            "uid": recording.uid,
            "mode": recording.mode,
            "status": recording.status(state.clock()),
            "ended": recording.ended is not None,
            "endedBy": recording.ended_by,
            "exiting": state.exiting(recording),
            "profile": channel.profile,
            "recorderUid": recording.recorder_uid,
            "failover": _failover(recording),
            "failovers": list(recording.failovers),
            "streamTypes": recording.stream_types,
            "subscription": recording.subscription,
            "updates": list(recording.updates),
            "participants": channel.uids(),
            "people": people(state, recording.app_id, recording.cname),
            "picture": [{**r.to_json(), "media": m} for r, m in state.picture(recording)],
            "layout": recording.layout,
            "images": {url: found for url, (found, _) in state.assets.resolve(urls).items()},
            "history": [{"time": c.time, "layout": c.layout} for c in recording.history],
        }


def _failover(recording: Recording) -> dict[str, Any] | None:
    """The failover under way: until when the sid answers 404, the recorder's next uid."""
    if recording.failover_until is None:
        return None
    return {"until": recording.failover_until, "newUid": recording.next_uid}


def people(state: EmulatorState, app_id: str, cname: str) -> list[dict[str, str]]:
    """Everyone in a channel, in join order, with what they send (and `"role":
    "audience"` for an audience member; hosts carry no role key)."""
    with state.lock:
        return [
            {"uid": p.uid, "media": p.media, **({"role": p.role} if p.role != "host" else {})}
            for p in state.channel(app_id, cname).participants
        ]


def _one_of(body: dict[str, Any], name: str, choices: tuple[str, ...]) -> Any:
    value = body.get(name)
    if value is not None and value not in choices:
        raise ControlError(400, f"{name}: one of {', '.join(choices)}")
    return value


def _media(body: dict[str, Any]) -> MediaState:
    if "media" not in body:
        return "video" if body.get("publishing", True) is not False else "not_publishing"
    return _one_of(body, "media", MEDIA_STATES) or "not_publishing"


def _seconds(body: dict[str, Any], default: float | None) -> float:
    seconds = body.get("seconds", default)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ControlError(400, f"seconds: more than 0, at most {MAX_OUTAGE:g}")
    return float(seconds)


def _recording(state: EmulatorState, sid: str) -> Recording:
    """The recording with `sid`, after the clock's tick (call under the state's lock)."""
    state.tick()
    recording = state.recordings.get(sid)
    if recording is None:
        raise ControlError(404, f"no recording with sid {sid}")
    return recording


def _state(state: EmulatorState, request: Request) -> Response:
    """`GET /_emulator/state`: every recording and channel, the faults queued, the outage."""
    with state.lock:
        state.tick()
        everything = {
            "recordings": [summary(state, r) for r in state.recordings.values()],
            "channels": [
                {"appId": a, "cname": c, "profile": ch.profile, "participants": ch.uids()}
                for (a, c), ch in state.channels.items()
            ],
            "faults": len(state.faults),
            "outageUntil": state.outage_until,
        }
    return reply(200, everything)


def _join(state: EmulatorState, request: Request) -> Response:
    """`POST .../participants {"uid", "media", "role", "platform", "profile"}`."""
    app, cname, body = request.params["app"], request.params["cname"], _body(request)
    try:
        uid = check_uid(body.get("uid"))
    except ValueError:
        raise ControlError(400, f"uid: give an integer uid from 1 to {UID_MAX}") from None
    media, role = _media(body), _one_of(body, "role", ROLES)
    profile = _one_of(body, "profile", PROFILES)
    platform = body.get("platform", 7)
    if isinstance(platform, bool) or not isinstance(platform, int) or not 0 <= platform <= 99:
        raise ControlError(400, "platform: Agora's platform number (0..99)")
    with _refusing():
        state.join(app, cname, uid, media=media, role=role, platform=platform, profile=profile)
    return reply(200, {"participants": people(state, app, cname)})


def _participant(state: EmulatorState, request: Request) -> Response:
    """`POST .../participants/{uid} {"media", "role"}`: what someone sends, their role."""
    app, cname, uid = request.params["app"], request.params["cname"], request.params["uid"]
    body = _body(request)
    if "media" not in body and "role" not in body:
        raise ControlError(400, f"media: give one of {', '.join(MEDIA_STATES)} (or a role)")
    role = _one_of(body, "role", ROLES)
    with state.lock:
        person = state.channel(app, cname).find(uid)
        if person is None:
            raise ControlError(404, f"uid {uid} is not in channel {cname}")
        media = _media(body) if "media" in body else person.media
        if role is not None and role != person.role:
            with _refusing():
                state.set_role(app, cname, uid, role)
        state.set_media(app, cname, uid, media)
    return reply(200, {"participants": people(state, app, cname)})


def _leave(state: EmulatorState, request: Request) -> Response:
    """`DELETE .../participants/{uid}`."""
    app, cname, uid = request.params["app"], request.params["cname"], request.params["uid"]
    if not state.leave(app, cname, uid):
        raise ControlError(404, f"uid {uid} is not in channel {cname}")
    with state.lock:
        return reply(200, {"participants": state.channel(app, cname).uids()})


def _recordings(state: EmulatorState, request: Request) -> Response:
    """`GET /_emulator/recordings`."""
    with state.lock:
        state.tick()
        return reply(200, [summary(state, r) for r in state.recordings.values()])


def _one_recording(state: EmulatorState, request: Request) -> Response:
    """`GET /_emulator/recordings/{sid}`."""
    with state.lock:
        return reply(200, summary(state, _recording(state, request.params["sid"])))


def _composite(state: EmulatorState, request: Request) -> Response:
    """`GET /_emulator/recordings/{sid}/composite.png`."""
    with state.lock:
        recording = _recording(state, request.params["sid"])
    return composite(state, recording)  # renders outside the lock


def _failover_now(state: EmulatorState, request: Request) -> Response:
    """`POST /_emulator/recordings/{sid}/failover {"seconds": 30}`: Agora's failover of
    a running recording (`EmulatorState.failover`)."""
    seconds = _seconds(_body(request), FAILOVER_SECONDS)
    with state.lock:
        recording = _recording(state, request.params["sid"])
        with _refusing():
            new_uid = state.failover(recording, seconds)
        return reply(200, {"sid": recording.sid, "newUid": new_uid, **(_failover(recording) or {})})


def _faults(state: EmulatorState, request: Request) -> Response:
    """`POST /_emulator/faults {"kind", "count", "delay"}` (or an outage of `seconds`);
    `DELETE` clears them."""
    if request.method == "DELETE":
        state.clear_faults()
        return reply(200, {"faults": []})
    body = _body(request)
    kind = str(body.get("kind", ""))
    if kind == "outage":
        seconds = _seconds(body, None)
        if not 0 < seconds <= MAX_OUTAGE:
            raise ControlError(400, f"seconds: more than 0, at most {MAX_OUTAGE:g}")
        with state.lock:
            state.outage(seconds)
            return reply(200, {"faults": len(state.faults), "outageUntil": state.outage_until})
    count = body.get("count", 1)
    if not isinstance(count, int) or not 1 <= count <= 1000:
        raise ControlError(400, "count: a whole number from 1 to 1000")
    fault = _fault(kind, body)
    delay = body.get("delay")
    with state.lock:
        if isinstance(delay, int | float) and 0 <= delay <= 60:
            state.fault_delay = float(delay)
        state.inject(fault, count)
        return reply(200, {"faults": len(state.faults)})


def _fault(kind: str, body: dict[str, Any]) -> Fault:
    if kind in FAULT_KINDS:
        return kind
    if kind != "answer":
        raise ControlError(400, f"kind: one of {', '.join(FAULT_KINDS)}, answer or outage")
    status, code, reason = body.get("status"), body.get("code"), body.get("reason", "")
    if not isinstance(status, int) or not 200 <= status <= 599 or not isinstance(code, int):
        raise ControlError(400, "answer: give status (200..599), code and reason")
    return Answer(status, code, str(reason))


def _chaos(state: EmulatorState, request: Request) -> Response:
    """`POST /_emulator/chaos {"ratio", "kinds", "seed"}`: faults at random."""
    body = _body(request)
    ratio = body.get("ratio", 0)
    kinds = body.get("kinds", list(FAULT_KINDS))
    seed = body.get("seed")
    if not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
        raise ControlError(400, "ratio: a number from 0 to 1")
    if not isinstance(kinds, list) or not kinds or any(k not in FAULT_KINDS for k in kinds):
        raise ControlError(400, f"kinds: a list of {', '.join(FAULT_KINDS)}")
    if seed is not None and not isinstance(seed, int):
        raise ControlError(400, "seed: a whole number")
    state.set_chaos(float(ratio), tuple(kinds), seed)
    return reply(200, {"ratio": ratio, "kinds": kinds})


def _requests(state: EmulatorState, request: Request) -> Response:
    """`GET /_emulator/requests`: the API requests logged."""
    with state.lock:  # the log is appended to under the lock by every API request
        logged = [vars(r) for r in state.requests]
    return reply(200, [{"appId" if k == "app_id" else k: v for k, v in r.items()} for r in logged])


def _clock(state: EmulatorState, request: Request) -> Response:
    """`POST /_emulator/clock {"advance": seconds}`: moves a ManualClock on."""
    body = _body(request)
    if not isinstance(state.clock, ManualClock):
        raise ControlError(
            400, "this emulator runs on the real clock; start it with a ManualClock to move time"
        )
    seconds = body.get("advance")
    if not isinstance(seconds, int | float) or seconds < 0:
        raise ControlError(400, "advance: give a number of seconds >= 0")
    state.clock.advance(float(seconds))
    return reply(200, {"now": state.clock()})


def _sender(state: EmulatorState) -> NotificationSender:
    if state.notifier is None:
        raise ControlError(400, OFF)
    return state.notifier.sender


def _notifications(state: EmulatorState, request: Request) -> Response:
    """`GET /_emulator/notifications`: what was sent and how it went;
    `POST /_emulator/notifications/faults {"duplicate", "reorder", "delay", "fail",
    "seed", "envelopeSid"}` sets the faults (`DELETE` clears them)."""
    sender = _sender(state)
    if request.method == "GET":
        return reply(200, sender.report())
    if request.method == "DELETE":
        sender.set_faults(Faults())
        return reply(200, {"faults": Faults().to_json()})
    body = _body(request)
    with _refusing():
        chosen = faults_of(body)
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ControlError(400, "seed: a whole number")
    sender.set_faults(chosen, seed)
    return reply(200, {"faults": chosen.to_json()})


def _health(state: EmulatorState, request: Request) -> Response:
    """`POST /_emulator/notifications/health-check {"eventTypes": [...]}`: the Console's
    health check, one callback per event type (by default every RTC channel event type)."""
    sender = _sender(state)
    kinds = _body(request).get("eventTypes", list(RTC_EVENT_TYPES))
    with _refusing():
        return reply(200, {"sent": sender.health_check(kinds)})


def composite(state: EmulatorState, recording: Recording) -> Response:
    """A PNG of what the recording's composite shows now: the layout's images that the
    asset folders serve drawn, the others (and files Pillow cannot read) as missing, as
    Agora draws them before (or without) a download."""
    from layoutkit.errors import RenderError
    from layoutkit.render import Appearance, RenderOptions, encode_png, render_canvas
    from layoutkit.render.pictures import load_picture

    with state.lock:  # a consistent copy of what the picture needs; drawn without the lock
        drawn = [region for region, _ in state.picture(recording)]
        layout = recording.layout_model().to_wire()
        width, height = recording.width, recording.height
        participants = [
            Appearance(p.uid, video_off=p.media == "video_off", audio_only=p.media == "audio_only")
            for p in state.channel(recording.app_id, recording.cname).participants
            if p.drawn
        ]
    found = state.assets.resolve(image_urls(layout))
    with _COMPOSITING:  # one composite at a time: at most one canvas in memory
        pictures: dict[str, Path] = {}
        for url, (_, path) in found.items():
            try:
                if path is not None:
                    load_picture(path, (width, height), cover=True)  # as a background is drawn
                    pictures[url] = path
            except RenderError:
                pass  # not an image: Agora's download fails, the image is missing
        options = RenderOptions(clean=False, images=pictures)
        image = render_canvas(layout, drawn, width, height, participants, options)
        png = encode_png(image)
        del image
    return Response(200, png, content_type="image/png")


_COMPOSITING = threading.Lock()

# each control route's handler, by the name the route table gives it
HANDLERS: dict[str, Callable[[EmulatorState, Request], Response]] = {
    "state": _state,
    "join": _join,
    "participant": _participant,
    "leave": _leave,
    "recordings": _recordings,
    "recording": _one_recording,
    "composite": _composite,
    "failover": _failover_now,
    "faults": _faults,
    "chaos": _chaos,
    "requests": _requests,
    "clock": _clock,
    "notifications": _notifications,
    "health": _health,
}
