"""The `/_emulator/` control API: channel participants (and a channel's profile),
recordings with their current layout and history, subscription lists and failovers, a
failover on demand, a PNG of the composite, injected faults, the request log, the clock.
No credentials needed; not rate limited; not in the request log. Since anyone's browser
can reach 127.0.0.1, `refuse` turns away what a web page could send: a `Host` that is not
one of the emulator's addresses (DNS rebinding), a foreign `Origin`, and a body that is
not `application/json` (a "simple" cross-site POST)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from layoutkit.emulator.assets import ImageStatus, image_urls
from layoutkit.emulator.http import ControlError, Request, Response, control_answer, loads, reply
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
    Profile,
    Recording,
    Role,
)
from layoutkit.wire.rules import UID_MAX, check_uid


def _error(status: int, message: str) -> Response:
    return reply(status, {"error": message})


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def served_hosts(host: str, port: int) -> frozenset[str]:
    """The `Host` values that name an emulator bound to `host`:`port`."""
    names = {*LOOPBACK_NAMES, f"[{host}]" if ":" in host else host.lower()}
    found = {f"{name}:{port}" for name in names}
    if port == 80:
        found |= names
    return frozenset(found)


def _loopback(host: str) -> bool:
    name = host if host.endswith("]") or ":" not in host else host.rsplit(":", 1)[0]
    return name in LOOPBACK_NAMES


def refuse(request: Request, hosts: frozenset[str] | None) -> Response | None:
    """An error for a control request a web page could have sent, or None. `hosts`: the
    `Host` values served (None: any loopback name with any port, for WSGI use)."""
    host = request.headers.get("host", "").strip().lower()
    if not (host in hosts if hosts is not None else _loopback(host)):
        return _error(421, f"Host {host[:100]!r} is not this emulator's address")
    origin = request.headers.get("origin")
    if origin is not None:
        where = origin.strip().lower().removeprefix("http://")
        if where == origin.strip().lower() or not (
            where in hosts if hosts is not None else _loopback(where)
        ):
            return _error(403, f"cross-origin request from {origin[:100]!r} refused")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    has_body = bool(request.body) or request.truncated
    if (has_body or kind) and kind != "application/json":
        return _error(415, "the control API takes Content-Type: application/json")
    return None


def _body(request: Request) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        data = loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ControlError(400, "send a JSON object") from None
    if not isinstance(data, dict):
        raise ControlError(400, "send a JSON object")
    return data


def summary(state: EmulatorState, recording: Recording) -> dict[str, Any]:
    """A recording as the control API shows it, read in one go under the state's lock."""
    with state.lock:
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
            "profile": state.channel(recording.app_id, recording.cname).profile,
            "recorderUid": recording.recorder_uid,
            "failover": _failover(state, recording),
            "failovers": [
                {"time": f.time, "oldUid": f.old_uid, "newUid": f.new_uid}
                for f in recording.failovers
            ],
            "streamTypes": recording.stream_types,
            "subscription": recording.subscription,
            "updates": [{"time": u.time, "request": u.request} for u in recording.updates],
            "participants": state.participants_of(recording),
            "people": people(state, recording.app_id, recording.cname),
            "picture": picture(state, recording),
            "layout": recording.layout,
            "images": images(state, recording),
            "history": [{"time": c.time, "layout": c.layout} for c in recording.history],
        }


def _failover(state: EmulatorState, recording: Recording) -> dict[str, Any] | None:
    """The failover under way: until when the sid answers 404, and the uid the recorder
    rejoins with."""
    if recording.failover_until is None:
        return None
    return {"until": recording.failover_until, "newUid": recording.next_uid}


def images(state: EmulatorState, recording: Recording) -> dict[str, ImageStatus]:
    """What stands in for each image URL of the recording's layout now (`assets`):
    "resolved", "not found" (a base serves the URL's place, no file is there) or "not
    served here" (no base covers it: the composite draws it as missing)."""
    with state.lock:
        urls = image_urls(recording.layout)
    return {url: status for url, (status, _) in state.assets.resolve(urls).items()}


def people(state: EmulatorState, app_id: str, cname: str) -> list[dict[str, str]]:
    """Everyone in a channel, in join order, with what they send (and `"role":
    "audience"` for an audience member; hosts, the default, carry no role key)."""
    with state.lock:
        return [
            {"uid": p.uid, "media": p.media, **({"role": p.role} if p.role != "host" else {})}
            for p in state.channel(app_id, cname).participants
        ]


def picture(state: EmulatorState, recording: Recording) -> list[dict[str, Any]]:
    """Who Agora draws in which rectangle now, in paint order: `regions`' shape plus what
    each region's user sends (`media`, null for a region with nobody in it)."""
    with state.lock:  # state.picture takes it too; to_json reads the regions it returned
        return [{**r.to_json(), "media": media} for r, media in state.picture(recording)]


def _media(body: dict[str, Any]) -> MediaState:
    media = body.get("media", "video" if body.get("publishing", True) is not False else None)
    if media is None:
        return "not_publishing"
    if media not in MEDIA_STATES:
        raise ControlError(400, f"media: one of {', '.join(MEDIA_STATES)}")
    return media  # type: ignore[no-any-return]


def _role(body: dict[str, Any]) -> Role | None:
    role = body.get("role")
    if role is not None and role not in ROLES:
        raise ControlError(400, f"role: one of {', '.join(ROLES)}")
    return role


def _profile(body: dict[str, Any]) -> Profile | None:
    profile = body.get("profile")
    if profile is not None and profile not in PROFILES:
        raise ControlError(400, f"profile: one of {', '.join(PROFILES)}")
    return profile


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


def _not_in_channel(params: dict[str, str]) -> ControlError:
    return ControlError(404, f"uid {params['uid']} is not in channel {params['cname']}")


def handle(state: EmulatorState, request: Request, route: str) -> Response:
    """Answer a control route (already matched by name): what its handler answers, or the
    error it raised."""
    handler = ROUTES.get(route)
    if handler is None:
        return _error(404, "no such control route")
    return control_answer(lambda: handler(state, request))


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
    params, body = request.params, _body(request)
    try:
        uid = check_uid(body.get("uid"))
    except ValueError:
        raise ControlError(400, f"uid: give an integer uid from 1 to {UID_MAX}") from None
    media, role, profile = _media(body), _role(body), _profile(body)
    platform = body.get("platform", 7)
    if isinstance(platform, bool) or not isinstance(platform, int) or not 0 <= platform <= 99:
        raise ControlError(400, "platform: Agora's platform number (0..99)")
    try:
        state.join(
            params["app"],
            params["cname"],
            uid,
            media=media,
            role=role,
            platform=platform,
            profile=profile,
        )
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None
    return reply(200, {"participants": people(state, params["app"], params["cname"])})


def _participant(state: EmulatorState, request: Request) -> Response:
    """`POST .../participants/{uid} {"media", "role"}`: what someone sends, their role."""
    params, body = request.params, _body(request)
    if "media" not in body and "role" not in body:
        raise ControlError(400, f"media: give one of {', '.join(MEDIA_STATES)} (or a role)")
    role = _role(body)
    with state.lock:
        person = state.channel(params["app"], params["cname"]).find(params["uid"])
        if person is None:
            raise _not_in_channel(params)
        media = _media(body) if "media" in body else person.media
        if role is not None and role != person.role:
            try:
                state.set_role(params["app"], params["cname"], params["uid"], role)
            except ValueError as exc:
                raise ControlError(400, str(exc)) from None
        state.set_media(params["app"], params["cname"], params["uid"], media)
    return reply(200, {"participants": people(state, params["app"], params["cname"])})


def _leave(state: EmulatorState, request: Request) -> Response:
    """`DELETE .../participants/{uid}`."""
    params = request.params
    if not state.leave(params["app"], params["cname"], params["uid"]):
        raise _not_in_channel(params)
    with state.lock:
        uids = state.channel(params["app"], params["cname"]).uids()
    return reply(200, {"participants": uids})


def _recordings(state: EmulatorState, request: Request) -> Response:
    """`GET /_emulator/recordings`."""
    with state.lock:
        state.tick()
        listed = [summary(state, r) for r in state.recordings.values()]
    return reply(200, listed)


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
        try:
            new_uid = state.failover(recording, seconds)
        except ValueError as exc:
            raise ControlError(400, str(exc)) from None
        return reply(
            200, {"sid": recording.sid, "newUid": new_uid, **(_failover(state, recording) or {})}
        )


def _faults(state: EmulatorState, request: Request) -> Response:
    """`POST /_emulator/faults {"kind", "count", "delay"}` (or an outage of `seconds`);
    `DELETE` clears them."""
    if request.method == "DELETE":
        state.clear_faults()
        return reply(200, {"faults": []})
    body = _body(request)
    kind = str(body.get("kind", ""))
    if kind == "outage":
        return _outage(state, _seconds(body, None))
    count = body.get("count", 1)
    if not isinstance(count, int) or not 1 <= count <= 1000:
        raise ControlError(400, "count: a whole number from 1 to 1000")
    fault = _fault(kind, body)
    delay = body.get("delay")
    with state.lock:
        if isinstance(delay, int | float) and 0 <= delay <= 60:
            state.fault_delay = float(delay)
        state.inject(fault, count)
        queued = len(state.faults)
    return reply(200, {"faults": queued})


def _outage(state: EmulatorState, seconds: float) -> Response:
    if not 0 < seconds <= MAX_OUTAGE:
        raise ControlError(400, f"seconds: more than 0, at most {MAX_OUTAGE:g}")
    with state.lock:
        state.outage(seconds)
        answer = {"faults": len(state.faults), "outageUntil": state.outage_until}
    return reply(200, answer)


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
        logged = [
            {
                "time": r.time,
                "wall": r.wall,
                "method": r.method,
                "path": r.path,
                "endpoint": r.endpoint,
                "appId": r.app_id,
                "status": r.status,
            }
            for r in state.requests
        ]
    return reply(200, logged)


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


def composite(state: EmulatorState, recording: Recording) -> Response:
    """A PNG of what the recording's composite shows now: the layout's images that the
    asset folders serve drawn, the others (and files Pillow cannot read) as missing, as
    Agora draws them before (or without) a download."""
    from layoutkit.errors import RenderError
    from layoutkit.render import Appearance, RenderOptions, encode_png, render_canvas
    from layoutkit.render.camera import load_picture

    with state.lock:  # a consistent copy of what the picture needs; drawn without the lock
        drawn = [region for region, _ in state.picture(recording)]
        layout = recording.layout_model().to_wire()
        width, height = recording.width, recording.height
        channel = state.channel(recording.app_id, recording.cname)
        participants = [
            Appearance(p.uid, video_off=p.media == "video_off", audio_only=p.media == "audio_only")
            for p in channel.participants
            if p.drawn
        ]
    found = state.assets.resolve(image_urls(layout))
    with _COMPOSITING:  # one composite at a time: at most one canvas in memory
        pictures: dict[str, Path] = {}
        for url, (_, path) in found.items():
            if path is None:
                continue
            try:
                load_picture(path, (width, height), cover=True)  # as a background is drawn
            except RenderError:
                continue  # not an image: Agora's download fails, the image is missing
            pictures[url] = path
        options = RenderOptions(clean=False, images=pictures)
        image = render_canvas(layout, drawn, width, height, participants, options)
        png = encode_png(image)
        del image
    return Response(200, png, content_type="image/png")


_COMPOSITING = threading.Lock()

# each control route's handler, by the name the app's route table gives it
ROUTES: dict[str, Callable[[EmulatorState, Request], Response]] = {
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
}
