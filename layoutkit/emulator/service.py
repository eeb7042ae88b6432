"""The five Cloud Recording calls as the emulator answers them: same statuses, codes and
bodies as the real service (docs/agora.md#status-and-error-codes).
Bodies are checked on the models' JSON path (`json_context`): a wrong JSON type is a 400
with code 2, as at Agora."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from layoutkit.emulator.http import Request, Response, describe, invalid, reply, service_error
from layoutkit.emulator.state import DEFAULT_MAX_IDLE, RESOURCE_TTL, EmulatorState, Recording
from layoutkit.wire.api import (
    AcquireRequest,
    RecordingMode,
    StopRequest,
    file_types,
    validate_start,
)
from layoutkit.wire.base import json_context
from layoutkit.wire.layout import DEFAULT_HEIGHT, DEFAULT_WIDTH, UpdateLayoutRequest
from layoutkit.wire.rules import LAYOUT_KEYS

NOT_FOUND = (404, 404, "failed to find worker")
DUPLICATE_STOP = (400, 49, "invalid operation")  # a second stop of a stopped recording


def acquire(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    try:
        parsed = AcquireRequest.model_validate(body, context=json_context())
    except ValidationError as exc:
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
            return invalid(f"Start: {describe(exc)}")
        echo = {"cname": parsed.cname, "uid": parsed.uid, "resourceId": rid}
        if (parsed.cname, parsed.uid) != (resource.cname, resource.uid):
            return service_error(400, 432, "cname or uid do not match the resource id", **echo)
        if resource.sid is not None:
            return service_error(201, 7, "already started", **echo, sid=resource.sid)
        if state.clock() - resource.created >= RESOURCE_TTL:
            return service_error(400, 433, "resource id expired", **echo)
        if any(r.uid == parsed.uid for r in state.active(app, parsed.cname)):
            return service_error(400, 53, "task conflict", **echo)
        if parsed.uid in state.channel(app, parsed.cname).uids():
            return invalid(
                f"uid {parsed.uid} is used by someone in the channel; the recording "
                "needs a uid no user in the channel has"
            )
        config = parsed.client_request.recording_config
        transcoding = config.transcoding_config if config else None
        layout = None
        size = (DEFAULT_WIDTH, DEFAULT_HEIGHT)
        if transcoding is not None:
            wire = transcoding.to_wire()
            layout = {k: wire[k] for k in LAYOUT_KEYS if k in wire}
            size = transcoding.size()
        max_idle = config.max_idle_time if config and config.max_idle_time else DEFAULT_MAX_IDLE
        recording = state.start(resource, mode, file_types(parsed), max_idle, layout, size)
    return reply(200, {**echo, "sid": recording.sid})


def _find(
    state: EmulatorState, request: Request, *, stopping: bool = False
) -> Recording | Response:
    """The recording a sid route names, or the error answer. An ended recording is 404
    "failed to find worker", except that stopping (`stopping`) a recording already ended
    by a stop is 400 with code 49, Agora's answer to a duplicate stop."""
    app, rid, sid = request.params["app"], request.params["rid"], request.params["sid"]
    state.expire_idle()
    resource = state.resources.get(rid)
    if resource is None:
        return service_error(400, 1001, "resource id cannot be decrypted")
    if resource.app_id != app:
        return service_error(400, 1003, "App ID does not match the resource id")
    recording = state.recordings.get(sid)
    if (
        stopping
        and recording is not None
        and recording.ended_by == "stop"
        and recording.resource_id == rid
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


def update_layout(state: EmulatorState, request: Request, body: dict[str, Any]) -> Response:
    if request.params["mode"] != "mix":
        return invalid("updateLayout works in mix mode only")
    with state.lock:
        found = _find(state, request)
        if isinstance(found, Response):
            return found
        try:
            parsed = UpdateLayoutRequest.model_validate(body, context=json_context(mode="mix"))
        except ValidationError as exc:
            return invalid(f"UpdateLayout: {describe(exc)}")
        mismatch = _same_caller(found, parsed.cname, parsed.uid)
        if mismatch is not None:
            return mismatch
        state.set_layout(found, parsed.client_request.to_wire())
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
        found = _find(state, request, stopping=True)
        if isinstance(found, Response):
            return found
        try:
            parsed = StopRequest.model_validate(body, context=json_context(mode=found.mode))
        except ValidationError as exc:
            return invalid(f"Stop: {describe(exc)}")
        mismatch = _same_caller(found, parsed.cname, parsed.uid)
        if mismatch is not None:
            return mismatch
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


__all__ = ["acquire", "files", "query", "start", "stop", "update_layout"]
