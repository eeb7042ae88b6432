"""The six Cloud Recording calls and the channel management API's user list as the emulator
answers them: same statuses, codes and bodies as the real service
(docs/agora.md#status-and-error-codes). Bodies are checked on the models' JSON path
(`json_context`): a wrong JSON type is a 400 with code 2, as at Agora. A channel name
Agora refuses is answered as its references say: acquire 400 with code 401, start 400
with code 1013 (the older code list). Start requires `storageConfig`."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from layoutkit.emulator.state import (
    DEFAULT_MAX_IDLE,
    RESOURCE_TTL,
    EmulatorState,
    Recording,
    Resource,
    number,
    seats,
)
from layoutkit.httpd import MAX_BODY, Request, Response, loads, reply
from layoutkit.wire.api import (
    AcquireRequest,
    RecordingConfig,
    RecordingMode,
    StartRequest,
    StopRequest,
    StreamSubscribe,
    UpdateClientRequest,
    UpdateRequest,
    file_types,
    validate_start,
)
from layoutkit.wire.base import json_context
from layoutkit.wire.layout import UpdateLayoutRequest
from layoutkit.wire.rules import LAYOUT_KEYS

Answer = tuple[int, int, str]  # status, code, reason
AUDIO_ONLY, VIDEO_ONLY = 0, 1  # recordingConfig.streamTypes
STORAGE_SHOWN = ("vendor", "region", "bucket")  # of an updated storageConfig: no keys
MAX_AUDIENCE_LISTED = 10_000  # the user list names the first 10,000 audience members
NOT_FOUND: Answer = (404, 404, "failed to find worker")
# a stop while the recording exits (after a stop, or maxIdleTime): a duplicate stop
DUPLICATE_STOP = (400, 49, "invalid operation")
ACQUIRE_BAD_CHANNEL = (400, 401, "invalid_channel_name")
START_BAD_CHANNEL = (400, 1013, "invalid channel name")
NO_STORAGE = (
    "Start: clientRequest.storageConfig: Field required (the third-party cloud storage the "
    "files go to: vendor, region, bucket, accessKey, secretKey)"
)


def service_error(status: int, code: int, reason: str, **echo: Any) -> Response:
    """`{"code": int, "reason": str}`, optionally echoing cname/uid/resourceId/sid."""
    return reply(
        status, {**{k: v for k, v in echo.items() if v is not None}, "code": code, "reason": reason}
    )


def invalid(reason: str) -> Response:
    return service_error(400, 2, reason)


def _refused_body(
    call: str, exc: ValidationError, body: dict[str, Any], bad_channel: Answer | None = None
) -> Response:
    """Agora's 400 for a body the call's model refuses: code 2 naming the call and each
    field; `bad_channel` for a `cname` string that is no channel name (not a missing one,
    nor one of another JSON type)."""
    errors = exc.errors()
    bad_name = any(e["loc"] == ("cname",) and e["type"] == "value_error" for e in errors)
    if bad_channel and bad_name and isinstance(body.get("cname"), str):
        return service_error(*bad_channel)
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return invalid(f"{call}: {'; '.join(parts)}")


def _resource(state: EmulatorState, request: Request) -> Resource | Response:
    """The resource a route names, or Agora's 400 (1001 unknown, 1003 another App ID)."""
    resource = state.resources.get(request.params["rid"])
    if resource is None:
        return service_error(400, 1001, "resource id cannot be decrypted")
    if resource.app_id != request.params["app"]:
        return service_error(400, 1003, "App ID does not match the resource id")
    return resource


def json_body(request: Request) -> dict[str, Any] | Response:
    """The body as a JSON object, or Agora's answer to it."""
    if request.truncated or len(request.body) > MAX_BODY:
        return invalid(f"request body over {MAX_BODY // 1024} KiB")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind != "application/json":
        return service_error(400, 8, f"Content-Type {kind!r}: send application/json;charset=utf-8")
    try:
        text = request.body.decode("utf-8")
        data = loads(text) if text.strip() else None
    except UnicodeDecodeError:
        return invalid("request body is not UTF-8")
    except RecursionError:
        return invalid("request body is nested too deeply")
    except json.JSONDecodeError as exc:
        where = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        return invalid(f"request body is not valid JSON ({where})")
    except ValueError as exc:  # an integer past MAX_INT_DIGITS
        return invalid(f"request body: {exc}")
    if not text.strip():
        return invalid("request body is empty; send a JSON object")
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        return invalid(f"request body must be a JSON object, not {kind}")
    return data


def acquire(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    try:
        parsed = AcquireRequest.model_validate(body, context=json_context())
    except ValidationError as exc:
        return _refused_body("Acquire", exc, body, ACQUIRE_BAD_CHANNEL)
    resource = state.new_resource(request.params["app"], parsed.cname, parsed.uid)
    return reply(
        200, {"cname": parsed.cname, "uid": parsed.uid, "resourceId": resource.resource_id}
    )


def start(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    mode: RecordingMode = request.params["mode"]  # type: ignore[assignment]
    with state.lock:
        resource = _resource(state, request)
        if isinstance(resource, Response):
            return resource
        try:
            parsed = validate_start(body, mode, json_types=True)
        except ValidationError as exc:
            return _refused_body("Start", exc, body, START_BAD_CHANNEL)
        if parsed.client_request.storage_config is None:
            return invalid(NO_STORAGE)
        echo = {"cname": parsed.cname, "uid": parsed.uid, "resourceId": resource.resource_id}
        refused = _refused(state, resource, parsed, echo)
        if refused is not None:
            return refused
        recording = _start(state, resource, mode, parsed)
    return reply(200, {**echo, "sid": recording.sid})


def _refused(
    state: EmulatorState, resource: Resource, parsed: StartRequest, echo: dict[str, Any]
) -> Response | None:
    """Agora's answer to a valid start it will not run (under the state's lock), or None."""
    if (parsed.cname, parsed.uid) != (resource.cname, resource.uid):
        return service_error(400, 432, "cname or uid do not match the resource id", **echo)
    if resource.sid is not None:
        return service_error(201, 7, "already started", **echo, sid=resource.sid)
    if state.clock() - resource.created >= RESOURCE_TTL:
        return service_error(400, 433, "resource id expired", **echo)
    if any(r.uid == parsed.uid for r in state.active(resource.app_id, parsed.cname)):
        return service_error(400, 53, "task conflict", **echo)
    if parsed.uid in state.channel(resource.app_id, parsed.cname).uids():
        return invalid(
            f"uid {parsed.uid} is used by someone in the channel; the recording "
            "needs a uid no user in the channel has"
        )
    return None


def _start(
    state: EmulatorState, resource: Resource, mode: RecordingMode, parsed: StartRequest
) -> Recording:
    """The recording a valid start makes: its layout and canvas, maxIdleTime, streams
    and subscription lists."""
    config = parsed.client_request.recording_config
    settings: dict[str, Any] = {"file_types": file_types(parsed)}
    if config is not None:
        settings["subscription"] = _from_start(config)
        settings["max_idle"] = config.max_idle_time or DEFAULT_MAX_IDLE
        if config.stream_types is not None:
            settings["stream_types"] = config.stream_types
        if config.transcoding_config is not None:
            wire = config.transcoding_config.to_wire()
            settings["layout"] = {k: wire[k] for k in LAYOUT_KEYS if k in wire}
            settings["width"], settings["height"] = config.transcoding_config.size()
    return state.start(resource, mode, **settings)


def _declared(value: Any) -> Any:
    """A model's declared fields as JSON under Agora's names, nested models likewise;
    unknown keys (a model's extras) and unset fields are left out."""
    if isinstance(value, BaseModel):
        return {
            field.serialization_alias or field.alias or name: _declared(item)
            for name, field in type(value).model_fields.items()
            if (item := getattr(value, name)) is not None
        }
    if isinstance(value, list):
        return [_declared(item) for item in value]
    return value


def _from_start(config: RecordingConfig) -> dict[str, Any]:
    """The subscription lists a start request set, in `streamSubscribe`'s shape ({}: all
    streams subscribed)."""
    lists = {
        "subscribe_audio": config.subscribe_audio_uids,
        "unsubscribe_audio": config.unsubscribe_audio_uids,
        "subscribe_video": config.subscribe_video_uids,
        "unsubscribe_video": config.unsubscribe_video_uids,
    }
    given = {name: uids for name, uids in lists.items() if uids}
    built = UpdateClientRequest.lists(**given).stream_subscribe if given else None
    return _declared(built) if built is not None else {}


def _find(
    state: EmulatorState, request: Request, *, stopping: bool = False
) -> Recording | Response:
    """The recording a sid route names, or the error answer. An ended recording is 404
    "failed to find worker", except that stopping (`stopping`) a recording that is still
    exiting is 400 with code 49, as at Agora."""
    rid, sid = request.params["rid"], request.params["sid"]
    state.tick()
    resource = _resource(state, request)
    if isinstance(resource, Response):
        return resource
    recording = state.recordings.get(sid)
    exiting = recording is not None and recording.resource_id == rid and state.exiting(recording)
    if stopping and exiting and recording is not None:
        return service_error(*DUPLICATE_STOP, **_echo(recording))
    if recording is None or recording.ended is not None:
        return service_error(*NOT_FOUND, resourceId=rid, sid=sid)
    if recording.resource_id != rid:
        return service_error(400, 1003, "sid does not match the resource id")
    if request.params["mode"] != recording.mode:
        return invalid(
            f"mode {request.params['mode']} does not match the recording's mode {recording.mode}"
        )
    return recording


def _echo(recording: Recording) -> dict[str, Any]:
    return {
        "cname": recording.cname,
        "uid": recording.uid,
        "resourceId": recording.resource_id,
        "sid": recording.sid,
    }


_Body = TypeVar("_Body", StopRequest, UpdateLayoutRequest, UpdateRequest)


def _sid_call(
    state: EmulatorState,
    request: Request,
    body: dict[str, Any],
    call: tuple[str, type[_Body]],
    *,
    stopping: bool = False,
) -> tuple[Recording, _Body] | Response:
    """The recording a sid route names and its body, checked with the call's model for
    the recording's mode; or the answer: `_find`'s, 400 with code 2 naming the call and
    the field, 432 for another recording's cname or uid. Under `state.lock`."""
    name, model = call
    found = _find(state, request, stopping=stopping)
    if isinstance(found, Response):
        return found
    try:
        parsed = model.model_validate(body, context=json_context(mode=found.mode))
    except ValidationError as exc:
        return _refused_body(name, exc, body)
    if (parsed.cname, parsed.uid) != (found.cname, found.uid):
        reason = "cname or uid do not match the recording"
        return service_error(400, 432, reason, **_echo(found))
    return found, parsed


def update_layout(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    if request.params["mode"] != "mix":
        return invalid("updateLayout works in mix mode only")
    with state.lock:
        called = _sid_call(state, request, body, ("UpdateLayout", UpdateLayoutRequest))
        if isinstance(called, Response):
            return called
        found, parsed = called
        state.set_layout(found, parsed.client_request.to_wire())
        return reply(200, _echo(found))


def update(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    """The subscription lists (and web page recording settings, storage) of a running
    recording: the body checked by the wire model, then against the recording's
    streamTypes; the accepted change is recorded."""
    with state.lock:
        called = _sid_call(state, request, body, ("Update", UpdateRequest))
        if isinstance(called, Response):
            return called
        found, parsed = called
        lists = parsed.client_request.stream_subscribe
        refused = _refused_lists(lists, found.stream_types) if lists is not None else None
        if refused is not None:
            return invalid(f"Update: {refused}")
        accepted: dict[str, Any] = _declared(parsed.client_request)
        if "storageConfig" in accepted:
            storage = accepted["storageConfig"]
            accepted["storageConfig"] = {k: storage[k] for k in STORAGE_SHOWN if k in storage}
        state.record_update(found, accepted)
        return reply(200, _echo(found))


def _refused_lists(lists: StreamSubscribe, stream_types: int) -> str | None:
    """What is wrong with a list of a media the recording's `streamTypes` leaves out."""
    for media, key, given, refused in (
        ("audio", "audioUidList", lists.audio_uid_list, VIDEO_ONLY),
        ("video", "videoUidList", lists.video_uid_list, AUDIO_ONLY),
    ):
        if given is not None and stream_types == refused:
            only = "video" if refused == VIDEO_ONLY else "audio"
            return (
                f"clientRequest.streamSubscribe.{key}: the recording's streamTypes is "
                f"{refused} ({only} only), so it has no {media} to subscribe to"
            )
    return None


def query(state: EmulatorState, request: Request) -> Response:
    with state.lock:
        found = _find(state, request)
        if isinstance(found, Response):
            return found
        status = found.status(state.clock())
        server: dict[str, Any] = {"status": status, "sliceStartTime": round(found.wall * 1000)}
        if status == 5:
            server.update(files(found, state.channel(found.app_id, found.cname).uids()))
        return reply(200, {**_echo(found), "serverResponse": server})


def stop(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    with state.lock:
        called = _sid_call(state, request, body, ("Stop", StopRequest), stopping=True)
        if isinstance(called, Response):
            return called
        found = called[0]
        state.end(found, "stop")
        if not found.published:
            return service_error(206, 435, "no recorded data", **_echo(found))
        server = {**files(found, found.publishers), "uploadingStatus": "uploaded"}
        return reply(200, {**_echo(found), "serverResponse": server})


def files(recording: Recording, uids: list[str]) -> dict[str, Any]:
    """`fileListMode` and `fileList` as the mode and file types make them."""
    stem = f"{recording.sid}_{re.sub(r'[^A-Za-z0-9_-]', '_', recording.cname)}"
    start = round(recording.wall * 1000)
    if recording.mode == "web":
        entries = [{"filename": f"{stem}.m3u8", "sliceStartTime": start}]
        if "mp4" in recording.file_types:
            entries.append({"filename": f"{stem}_0.mp4", "sliceStartTime": start})
        return {
            "extensionServiceState": [
                {"serviceName": "web_recorder_service", "payload": {"fileList": entries}}
            ]
        }
    if recording.mode == "mix" and recording.file_types == ("hls",):
        return {"fileListMode": "string", "fileList": f"{stem}.m3u8"}
    if recording.mode == "mix":
        tracks = [
            (f"{stem}.m3u8" if ext == "hls" else f"{stem}_0.mp4", "audio_and_video", "0", True)
            for ext in recording.file_types
        ]
    else:
        tracks = [
            (f"{stem}__uid_s_{uid}__uid_e_{track}.m3u8", track, uid, False)
            for uid in uids
            for track in ("audio", "video")
        ]
    return {
        "fileListMode": "json",
        "fileList": [
            {
                "fileName": name,
                "trackType": track,
                "uid": uid,
                "mixedAllUser": mixed,
                "isPlayable": True,
                "sliceStartTime": start,
            }
            for name, track, uid, mixed in tracks
        ],
    }


def user_list(state: EmulatorState, app_id: str, cname: str, hosts_only: bool) -> dict[str, Any]:
    """The channel management API's answer, uids as numbers, the recorders included:
    `channel_exist` false alone for a channel nobody is in; in a communication channel
    `mode` 1, `total` and `users`; in a live one `mode` 2, `broadcasters`, `audience`
    (the first 10,000) and `audience_total` (`hosts_only`: the broadcasters alone)."""
    with state.lock:
        state.tick()
        found = list(seats(state, app_id, cname).values())
        channel = state.channels.get((app_id, cname))
        profile = channel.profile if channel is not None else "live"
    if not found:
        return {"success": True, "data": {"channel_exist": False}}
    if profile == "communication":
        users = [number(s.uid) for s in found]
        data = {"channel_exist": True, "mode": 1, "total": len(users), "users": users}
        return {"success": True, "data": data}
    hosts = [number(s.uid) for s in found if s.role == "host"]
    data = {"channel_exist": True, "mode": 2, "broadcasters": hosts}
    if not hosts_only:
        audience = [number(s.uid) for s in found if s.role == "audience"]
        data |= {"audience": audience[:MAX_AUDIENCE_LISTED], "audience_total": len(audience)}
    return {"success": True, "data": data}
