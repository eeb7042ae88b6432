"""Response bodies of the Cloud Recording REST API, success and error shapes. Parsing is
lenient about what real responses vary in (string or number status, `fileName` or
`filename`, booleans as strings), and strict about the shape."""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AliasChoices,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from layoutkit.wire.base import JSON_INTEGER, WireModel


class RecordingStatus(IntEnum):
    """`serverResponse.status` of query."""

    NOT_STARTED = 0
    INITIALIZED = 1
    RECORDER_STARTING = 2
    UPLOADER_READY = 3
    RECORDER_READY = 4
    IN_PROGRESS = 5
    STOP_REQUESTED = 6
    STOPPED = 7
    EXITING = 8
    FAILED = 20


def _flag(value: object) -> object:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _number(value: object) -> object:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
Number = Annotated[int, BeforeValidator(_number)]
TrackType = Literal["audio", "video", "audio_and_video"]
UploadingStatus = Literal["uploaded", "backuped", "unknown"]


class FileListEntry(WireModel):
    """One recorded file when `fileListMode` is "json"."""

    file_name: str = Field(
        validation_alias=AliasChoices("fileName", "filename"), serialization_alias="fileName"
    )
    track_type: TrackType | None = Field(None, alias="trackType")
    uid: str | None = None
    mixed_all_user: Flag | None = Field(None, alias="mixedAllUser")
    is_playable: Flag | None = Field(None, alias="isPlayable")
    slice_start_time: Number | None = Field(None, alias="sliceStartTime")


_STATUSES = frozenset(s.value for s in RecordingStatus)


def _status(value: object) -> object:
    """A status number as its RecordingStatus when it has a name, else the number itself:
    a status Agora adds later is kept, never refused. A boolean is not a status."""
    value = _number(value)
    if isinstance(value, bool):
        raise ValueError("a status is a number, not a boolean")
    if isinstance(value, int) and value in _STATUSES:
        return RecordingStatus(value)
    return value


class ServerResponse(WireModel):
    """`serverResponse` of query and stop. `status` stays a RecordingStatus (an int that
    has a name) when Agora's list names it, and a plain int otherwise (a status the list
    does not know yet is kept as its number); on the wire it is the number."""

    model_config = ConfigDict(**{**WireModel.model_config, "use_enum_values": False})

    file_list_mode: Literal["string", "json"] | None = Field(None, alias="fileListMode")
    file_list: str | list[FileListEntry] | None = Field(None, alias="fileList")
    status: Annotated[RecordingStatus | int, BeforeValidator(_status)] | None = None
    slice_start_time: Number | None = Field(None, alias="sliceStartTime")
    uploading_status: UploadingStatus | None = Field(None, alias="uploadingStatus")
    extension_service_state: list[dict[str, Any]] | None = Field(
        None, alias="extensionServiceState"
    )

    @model_validator(mode="after")
    def _list_matches_mode(self) -> Self:
        if self.file_list_mode == "string" and isinstance(self.file_list, list):
            raise ValueError('fileListMode "string" needs fileList as a file name string')
        if self.file_list_mode == "json" and isinstance(self.file_list, str):
            raise ValueError('fileListMode "json" needs fileList as a list of files')
        return self


class _Echo(WireModel):
    cname: str | None = None
    uid: str | None = None


class AcquireResponse(_Echo):
    resource_id: str = Field(alias="resourceId", min_length=1)


class StartResponse(_Echo):
    resource_id: str = Field(alias="resourceId")
    sid: str = Field(min_length=1)


class UpdateLayoutResponse(_Echo):
    resource_id: str = Field(alias="resourceId")
    sid: str


class UpdateResponse(_Echo):
    """update's answer (the subscription lists): the ids echoed."""

    resource_id: str = Field(alias="resourceId")
    sid: str


class QueryResponse(_Echo):
    resource_id: str = Field(alias="resourceId")
    sid: str
    server_response: ServerResponse = Field(alias="serverResponse")


class StopResponse(QueryResponse):
    """stop's answer: as query's, with `uploadingStatus` in serverResponse.

    `already_stopped` is True for the answer the client makes up when Agora answers a
    repeated stop (sent again because Agora asked: 206 code 65, 504 code 62) with 400
    code 49: an earlier try, or the recording's own exit, stopped it. That answer has
    the ids and an empty serverResponse: no file list (the first try's answer was lost;
    the files are in the storage, and Cloud Recording event 31 lists them). It is never
    sent by Agora and never part of `to_wire()`."""

    _already_stopped: bool = PrivateAttr(default=False)

    @property
    def already_stopped(self) -> bool:
        return self._already_stopped

    @classmethod
    def stopped_before(cls, resource_id: str, sid: str, cname: str, uid: str) -> Self:
        """The answer that stands for a recording a repeated stop found stopped already."""
        reply = cls.model_validate(
            {
                "cname": cname,
                "uid": uid,
                "resourceId": resource_id,
                "sid": sid,
                "serverResponse": {},
            }
        )
        reply._already_stopped = True
        return reply


class ServiceError(_Echo):
    """The service's error shape: `{"code": int, "reason": str}` (sometimes with the ids
    echoed, or the message nested in `serverResponse.payload.message`). The client reads
    every error answer with it (and `GatewayError`)."""

    code: Annotated[Number, JSON_INTEGER]  # digits in a string are read; a boolean is not
    reason: str | None = None
    resource_id: str | None = Field(None, alias="resourceId")
    sid: str | None = None
    server_response: dict[str, Any] | None = Field(None, alias="serverResponse")

    def message(self) -> str | None:
        """The reason, or the message nested in serverResponse.payload."""
        if self.reason:
            return self.reason
        payload = (self.server_response or {}).get("payload")
        if isinstance(payload, dict) and isinstance(payload.get("message"), str):
            return str(payload["message"])
        return None


class GatewayError(WireModel):
    """The gateway's error shape: `{"message": str}` (401, 404 route, 429)."""

    message: str
