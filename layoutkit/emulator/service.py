"""The six Cloud Recording calls as the emulator answers them: same statuses, codes and
bodies as the real service (docs/agora.md#status-and-error-codes).
Bodies are checked on the models' JSON path (`json_context`): a wrong JSON type is a 400
with code 2, as at Agora. A channel name Agora refuses is answered as its references
say: acquire 400 with code 401 "invalid_channel_name" (the current status codes), start
400 with code 1013 (the older code list; the current start table names no code for it).
Start requires `storageConfig`, as Agora's current start reference marks it."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from layoutkit.emulator.http import Request, Response, describe, invalid, reply, service_error
from layoutkit.emulator.state import (
    DEFAULT_MAX_IDLE,
    RESOURCE_TTL,
    STREAMS_AUDIO_AND_VIDEO,
    EmulatorState,
    Recording,
    Resource,
)
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
from layoutkit.wire.rules import DEFAULT_HEIGHT, DEFAULT_WIDTH, LAYOUT_KEYS

AUDIO_ONLY, VIDEO_ONLY = 0, 1  # recordingConfig.streamTypes
STORAGE_SHOWN = ("vendor", "region", "bucket")  # of an updated storageConfig: no keys


class UpdateError(ValueError):
    """What is wrong with an update for this recording, naming the field (Agora's 400,
    code 2)."""


def check_update(client_request: UpdateClientRequest, stream_types: int) -> dict[str, Any]:
    """The update's clientRequest (valid as a body) as the recording records it, or
    UpdateError when its lists ask for a media the recording does not take."""
    if client_request.stream_subscribe is not None:
        check_streams(client_request.stream_subscribe, stream_types)
    recorded: dict[str, Any] = _declared(client_request)
    if "storageConfig" in recorded:
        storage = recorded["storageConfig"]
        recorded["storageConfig"] = {k: storage[k] for k in STORAGE_SHOWN if k in storage}
    return recorded


def check_streams(lists: StreamSubscribe, stream_types: int) -> None:
    """UpdateError for a list of a media the recording's `streamTypes` leaves out."""
    for media, key, given, refused in (
        ("audio", "audioUidList", lists.audio_uid_list, VIDEO_ONLY),
        ("video", "videoUidList", lists.video_uid_list, AUDIO_ONLY),
    ):
        if given is not None and stream_types == refused:
            only = "video" if refused == VIDEO_ONLY else "audio"
            raise UpdateError(
                f"clientRequest.streamSubscribe.{key}: the recording's streamTypes is "
                f"{refused} ({only} only), so it has no {media} to subscribe to"
            )


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


def from_start(config: RecordingConfig | None) -> dict[str, Any]:
    """The subscription lists a start request set, in `streamSubscribe`'s shape ({}: all
    streams subscribed)."""
    if config is None:
        return {}
    lists = {
        "subscribe_audio": config.subscribe_audio_uids,
        "unsubscribe_audio": config.unsubscribe_audio_uids,
        "subscribe_video": config.subscribe_video_uids,
        "unsubscribe_video": config.unsubscribe_video_uids,
    }
    given = {name: uids for name, uids in lists.items() if uids}
    if not given:
        return {}
    built = UpdateClientRequest.lists(**given).stream_subscribe
    return _declared(built) if built is not None else {}


NOT_FOUND = (404, 404, "failed to find worker")
# a stop while the recording exits (after a stop, or maxIdleTime): a duplicate stop
DUPLICATE_STOP = (400, 49, "invalid operation")
ACQUIRE_BAD_CHANNEL = (400, 401, "invalid_channel_name")
START_BAD_CHANNEL = (400, 1013, "invalid channel name")
NO_STORAGE = (
    "Start: clientRequest.storageConfig: Field required (the third-party cloud storage the "
    "files go to: vendor, region, bucket, accessKey, secretKey)"
)


def _bad_channel_name(exc: ValidationError, body: dict[str, Any]) -> bool:
    """Whether the error is a `cname` string that is no channel name (not a missing one,
    nor one of another JSON type)."""
    return isinstance(body.get("cname"), str) and any(
        e["loc"] == ("cname",) and e["type"] == "value_error" for e in exc.errors()
    )


def acquire(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    try:
        parsed = AcquireRequest.model_validate(body, context=json_context())
    except ValidationError as exc:
        if _bad_channel_name(exc, body):
            return service_error(*ACQUIRE_BAD_CHANNEL)
        return invalid(f"Acquire: {describe(exc)}")
    resource = state.new_resource(request.params["app"], parsed.cname, parsed.uid)
    return reply(
        200, {"cname": parsed.cname, "uid": parsed.uid, "resourceId": resource.resource_id}
    )


def start(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    app, rid = request.params["app"], request.params["rid"]
    mode: RecordingMode = request.params["mode"]  # type: ignore[assignment]
    with state.lock:
        resource = state.resources.get(rid)
        if resource is None:
            return service_error(400, 1001, "resource id cannot be decrypted")
        if resource.app_id != app:
            return service_error(400, 1003, "App ID does not match the resource id")
        try:
            parsed = validate_start(body, mode, json_types=True)
        except ValidationError as exc:
            if _bad_channel_name(exc, body):
                return service_error(*START_BAD_CHANNEL)
            return invalid(f"Start: {describe(exc)}")
        if parsed.client_request.storage_config is None:
            return invalid(NO_STORAGE)
        echo = {"cname": parsed.cname, "uid": parsed.uid, "resourceId": rid}
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
    transcoding = config.transcoding_config if config else None
    layout = None
    size = (DEFAULT_WIDTH, DEFAULT_HEIGHT)
    if transcoding is not None:
        wire = transcoding.to_wire()
        layout = {k: wire[k] for k in LAYOUT_KEYS if k in wire}
        size = transcoding.size()
    max_idle = config.max_idle_time if config and config.max_idle_time else DEFAULT_MAX_IDLE
    streams = config.stream_types if config and config.stream_types is not None else None
    return state.start(
        resource,
        mode,
        file_types(parsed),
        max_idle,
        layout,
        size,
        stream_types=STREAMS_AUDIO_AND_VIDEO if streams is None else streams,
        subscription=from_start(config),
    )


def _find(
    state: EmulatorState, request: Request, *, stopping: bool = False
) -> Recording | Response:
    """The recording a sid route names, or the error answer. An ended recording is 404
    "failed to find worker", except that stopping (`stopping`) a recording that is still
    exiting (after a stop, or maxIdleTime) is 400 with code 49, as at Agora."""
    app, rid, sid = request.params["app"], request.params["rid"], request.params["sid"]
    state.tick()
    resource = state.resources.get(rid)
    if resource is None:
        return service_error(400, 1001, "resource id cannot be decrypted")
    if resource.app_id != app:
        return service_error(400, 1003, "App ID does not match the resource id")
    recording = state.recordings.get(sid)
    if (
        stopping
        and recording is not None
        and recording.resource_id == rid
        and state.exiting(recording)
    ):
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


def _same_caller(recording: Recording, cname: str, uid: str) -> Response | None:
    if (cname, uid) != (recording.cname, recording.uid):
        return service_error(
            400, 432, "cname or uid do not match the recording", **_echo(recording)
        )
    return None


_Body = TypeVar("_Body", StopRequest, UpdateLayoutRequest, UpdateRequest)


def _sid_call(
    state: EmulatorState,
    request: Request,
    body: dict[str, Any],
    call: tuple[str, type[_Body]],
    *,
    stopping: bool = False,
) -> tuple[Recording, _Body] | Response:
    """The recording a sid route names and its body, checked with the call's model on
    the JSON path for the recording's mode; or the answer: the route's (`_find`), 400
    with code 2 naming the call and the field, 432 for another recording's cname or uid.
    Under `state.lock`."""
    name, model = call
    found = _find(state, request, stopping=stopping)
    if isinstance(found, Response):
        return found
    try:
        parsed = model.model_validate(body, context=json_context(mode=found.mode))
    except ValidationError as exc:
        return invalid(f"{name}: {describe(exc)}")
    mismatch = _same_caller(found, parsed.cname, parsed.uid)
    return (found, parsed) if mismatch is None else mismatch


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
    recording: the body checked by the wire model, then what needs the recording
    (`updates`); the accepted change is recorded."""
    with state.lock:
        called = _sid_call(state, request, body, ("Update", UpdateRequest))
        if isinstance(called, Response):
            return called
        found, parsed = called
        try:
            accepted = check_update(parsed.client_request, found.stream_types)
        except UpdateError as exc:
            return invalid(f"Update: {exc}")
        state.record_update(found, accepted)
        return reply(200, _echo(found))


def query(state: EmulatorState, request: Request) -> Response:
    with state.lock:
        found = _find(state, request)
        if isinstance(found, Response):
            return found
        status = found.status(state.clock())
        server: dict[str, Any] = {"status": status, "sliceStartTime": _millis(found.wall)}
        if status == 5:
            server.update(files(found, state.participants_of(found)))
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
    start = _millis(recording.wall)
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
    entries = []
    if recording.mode == "mix":
        for ext in recording.file_types:
            name = f"{stem}.m3u8" if ext == "hls" else f"{stem}_0.mp4"
            entries.append(_entry(name, "audio_and_video", "0", True, start))
    else:
        for uid in uids:
            for track in ("audio", "video"):
                entries.append(
                    _entry(f"{stem}__uid_s_{uid}__uid_e_{track}.m3u8", track, uid, False, start)
                )
    return {"fileListMode": "json", "fileList": entries}


def _entry(name: str, track: str, uid: str, mixed: bool, start: int) -> dict[str, Any]:
    return {
        "fileName": name,
        "trackType": track,
        "uid": uid,
        "mixedAllUser": mixed,
        "isPlayable": True,
        "sliceStartTime": start,
    }


def _millis(unix_time: float) -> int:
    return round(unix_time * 1000)
