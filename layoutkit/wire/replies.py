"""Agora's answers: the Cloud Recording response bodies (success and error shapes), what
its error codes mean, and the channel management API's user list. Parsing is lenient
about what real responses vary in (string or number status, `fileName` or `filename`,
booleans as strings), and strict about the shape."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class CodeInfo:
    code: int
    reason: str
    hint: str


_CODES = [
    CodeInfo(2, "invalid parameter", "check the request fields: types, case and required ones"),
    CodeInfo(7, "already started", "this resource id is recording already; do not start it twice"),
    CodeInfo(
        8,
        "bad HTTP request header",
        "send Content-Type application/json to a URL with /cloud_recording/ and the right method",
    ),
    CodeInfo(
        49,
        "invalid operation",
        "the recording was already stopped, so this is a duplicate stop: do not stop it "
        "again; the first stop's answer lists the files (Agora also answers it while the "
        "recording is exiting on its own: removed from the channel, or maxIdleTime)",
    ),
    CodeInfo(50, "stop timed out waiting for uploads", "query later, or stop with async_stop"),
    CodeInfo(
        53,
        "task conflict",
        "a recording with this cname and uid is running; use another recording uid",
    ),
    CodeInfo(
        62,
        "request timeout",
        "the service timed out; retry (the client repeats query, update, updateLayout and stop)",
    ),
    CodeInfo(
        65,
        "request not completed",
        "Agora asks to repeat the request (the client repeats query, update, updateLayout "
        "and stop; a start it leaves to you: one that went through answers 201 code 7)",
    ),
    CodeInfo(109, "token expired", "generate a new token for the recording uid"),
    CodeInfo(110, "token invalid", "the token must be for the recording uid and this channel"),
    CodeInfo(400, "invalid_appid", "enable Cloud Recording for this App ID"),
    CodeInfo(401, "invalid_channel_name", "check the channel name"),
    CodeInfo(
        404,
        "failed to find worker",
        "the recording has ended (stop, or maxIdleTime with nobody in the channel); "
        "acquire and start a new one",
    ),
    CodeInfo(405, "no_active_status", "the App ID is not active for Cloud Recording"),
    CodeInfo(406, "vendor_over_load", "retry later"),
    CodeInfo(
        432,
        "request parameters do not match the resource id",
        "use the App ID, cname and uid the resource id was acquired with",
    ),
    CodeInfo(433, "resource id expired", "acquire a new resource id and start within 5 minutes"),
    CodeInfo(435, "no recorded data", "nobody published in the channel, so nothing was recorded"),
    CodeInfo(500, "internal_error", "retry acquire later"),
    CodeInfo(
        501, "recording service exiting", "the recording is stopping; no more queries or updates"
    ),
    CodeInfo(502, "Failed to allocate worker", "retry start later"),
    CodeInfo(504, "allocate_timeout", "retry acquire later"),
    CodeInfo(1001, "resource id cannot be decrypted", "acquire a new resource id"),
    CodeInfo(
        1003,
        "App ID or sid does not match the resource id",
        "use the resource id, App ID and sid of one recording together",
    ),
    CodeInfo(
        1013,
        "invalid channel name",
        "channel names are 1-64 bytes of letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~,",
    ),
    CodeInfo(
        1028,
        "invalid updateLayout body",
        "check mixedVideoLayout and layoutConfig (x_axis, y_axis, width, height in [0, 1])",
    ),
]
CODES: dict[int, CodeInfo] = {info.code: info for info in _CODES}

GATEWAY_MESSAGES: dict[int, list[str]] = {
    400: ["appid is invalid"],
    401: ["Unauthorized", "Invalid authentication credentials"],
    404: ["no Route matched with those values"],
    429: ["API rate limit exceeded"],
}

# endpoint -> documented (HTTP status, code, reason) answers besides success
ENDPOINT_ERRORS: dict[str, list[tuple[int, int, str]]] = {
    "acquire": [
        (400, 2, "invalid parameter"),
        (400, 400, "invalid_appid"),
        (400, 401, "invalid_channel_name"),
        (400, 405, "no_active_status"),
        (400, 406, "vendor_over_load"),
        (500, 500, "internal_error"),
        (500, 501, "no_worker_manager_available"),
        (500, 504, "allocate_timeout"),
    ],
    "start": [
        (201, 7, "already started"),
        (206, 65, "request not completed"),
        (400, 2, "invalid parameter"),
        (400, 53, "task conflict"),
        (500, 502, "Failed to allocate worker"),
        (500, 62, "request timeout"),
    ],
    "query": [
        (206, 65, "request not completed"),
        (400, 2, "invalid parameter"),
        (404, 404, "failed to find worker"),
        (504, 62, "request timeout"),
    ],
    "update": [
        (206, 65, "request not completed"),
        (400, 2, "invalid parameter"),
        (404, 404, "failed to find worker"),
        (504, 62, "request timeout"),
    ],
    "updateLayout": [
        (206, 65, "request not completed"),
        (400, 2, "invalid parameter"),
        (404, 404, "failed to find worker"),
        (504, 62, "request timeout"),
    ],
    "stop": [
        (206, 65, "request not completed"),
        (206, 435, "no recorded data"),
        (400, 2, "invalid parameter"),
        (400, 49, "invalid operation"),
        (404, 404, "failed to find worker"),
        (504, 62, "request timeout"),
    ],
}


def describe_code(code: int | None, endpoint: str | None = None) -> CodeInfo | None:
    """What an Agora error code means and what to do about it. Some codes mean different
    things per endpoint (501 on acquire is "no_worker_manager_available", elsewhere "service
    exiting"): with `endpoint`, that endpoint's documented reason wins."""
    if code is None:
        return None
    info = CODES.get(code)
    for _, row_code, reason in ENDPOINT_ERRORS.get(endpoint or "", []):
        if row_code == code and (info is None or info.reason != reason):
            return CodeInfo(code, reason, "retry later; if it persists, ask Agora support")
    return info


# The channel management API's user list (`GET /dev/v1/channel/user/{appid}/{channelName}
# [/hosts_only]`): how the service learns who is in a channel after a gap or a restart.
# Its `data` has three documented shapes (rtc/query-user-list, query-host-list): a channel
# that does not exist; communication (`total`, `users`); live broadcast (`broadcasters`,
# `audience`, `audience_total`). Agora answers 415 without `Content-Type: application/json`.
COMMUNICATION = 1  # `mode`: the communication profile (everyone is a user)
LIVE_BROADCAST = 2  # `mode`: the live-broadcast profile (hosts and audience)
USER_LIST_PATH = "/dev/v1/channel/user/{app_id}/{cname}"
HEALTH_CHANNEL = "test_webhook"
"""The channel of Agora Console's Notifications health test (one callback per subscribed
event type), which a service answers and never acts on."""
HEALTH_UID = 12121212
"""The uid of the health test's user events."""
USER_LIST_RATE = 20
"""Agora's limit on the user list: 20 queries per second per account (not per App ID),
apart from Cloud Recording's 10 per second per App ID."""
HOSTS_ONLY = "/hosts_only"  # appended: the hosts of a live-broadcast channel only


class ChannelUsers(WireModel):
    """`data` of the user list. Uids are numbers. A field the answer's shape lacks is
    empty (the lists) or None (the counts): `total` is there in communication only,
    `audience_total` in live broadcast only."""

    channel_exist: bool
    mode: Literal[1, 2] | None = None
    total: int | None = Field(None, ge=0)
    users: list[int] = Field(default_factory=list)
    broadcasters: list[int] = Field(default_factory=list)
    audience: list[int] = Field(default_factory=list)
    audience_total: int | None = Field(None, ge=0)

    @property
    def shown(self) -> list[str]:
        """The uids a layout may show, in the order listed: the hosts in live broadcast,
        everyone in communication; none when the channel does not exist."""
        found = self.users if self.mode == COMMUNICATION else self.broadcasters
        return [str(uid) for uid in found]


class ChannelUsersResponse(WireModel):
    success: bool
    data: ChannelUsers
