"""Request bodies of the Cloud Recording REST API: acquire, start, stop (updateLayout's
is in `wire.layout`; query has none). Every rule of the reference is checked, with the
field named; rules that depend on the recording mode (mix, individual, web) read it from
the validation context: use `validate_start(body, mode)`. The JSON path (the emulator's)
adds `json_types=True` (or `json_context()` from `wire.base`).

Sources: Agora's older Chinese REST reference (the seed; docs/agora.md#sources) and Agora's
current start and acquire reference (docs.agora.io/en/cloud-recording/rest-api/start);
where they differ, the current reference wins.
"""

from __future__ import annotations

import base64
import binascii
from enum import IntEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from layoutkit.wire.base import (
    UID_MAX,
    Cname,
    JsonBool,
    JsonInt,
    Uid,
    WireModel,
    check_cname,
    check_uid,
    json_context,
)
from layoutkit.wire.layout import TranscodingConfig
from layoutkit.wire.storage import StorageConfig

RecordingMode = Literal["mix", "individual", "web"]
MODES: tuple[RecordingMode, ...] = ("mix", "individual", "web")
MAX_SUBSCRIBE = 32
MAX_IDLE_TIME = 2_592_000  # 30 days, in seconds
WEB_SCENE = 1  # acquire's clientRequest.scene for web page recording
SALT_BYTES = 32


class DecryptionMode(IntEnum):
    """`decryptionMode`: must match the channel's encryption. 1..8 need `secret`; 7 and 8
    need `salt` too."""

    NONE = 0
    AES_128_XTS = 1
    AES_128_ECB = 2
    AES_256_XTS = 3
    SM4_128_ECB = 4
    AES_128_GCM = 5
    AES_256_GCM = 6
    AES_128_GCM2 = 7
    AES_256_GCM2 = 8


SALTED_MODES = (DecryptionMode.AES_128_GCM2, DecryptionMode.AES_256_GCM2)
SUBSCRIBE_UID_GROUPS: dict[int, tuple[int, int]] = {
    0: (1, 2),
    1: (3, 7),
    2: (8, 12),
    3: (13, 17),
    4: (18, 32),
    5: (33, 49),
}
"""`subscribeUidGroup`: the estimated peak number of subscribed uids, as a group."""
UID_GROUPS_TEXT = ", ".join(f"{g}: {lo}-{hi} uids" for g, (lo, hi) in SUBSCRIBE_UID_GROUPS.items())
ALL_STREAMS = "#allstream#"  # in a subscribe list: every user's streams


def check_uid_strings(uids: list[str]) -> list[str]:
    """A subscribe or unsubscribe list as Agora takes it: uid strings of digits only (sent
    as they are: no spaces or signs), or `"#allstream#"`. A ValueError names the first
    entry that is neither."""
    for uid in uids:
        if uid == ALL_STREAMS:
            continue
        try:
            if not uid.isdigit():
                raise ValueError(uid)
            check_uid(uid)
        except ValueError:
            raise ValueError(
                f"{uid!r} is not a uid string (1..{UID_MAX}) or {ALL_STREAMS!r}"
            ) from None
    return uids


class AcquireClientRequest(WireModel):
    """acquire's clientRequest; may be empty (`{}`)."""

    resource_expired_hour: JsonInt | None = Field(None, alias="resourceExpiredHour", ge=1, le=720)
    scene: JsonInt | None = Field(None, ge=0, le=2)
    start_parameter: dict[str, Any] | None = Field(None, alias="startParameter")


def _acquire_cname(value: object, info: ValidationInfo) -> str:
    """acquire cannot know the recording mode from its URL; scene 1 (web page recording)
    says it: then cname is a label of up to 1024 bytes, else a channel name."""
    client = info.data.get("client_request")
    return check_cname(value, web=getattr(client, "scene", None) == WEB_SCENE)


class AcquireRequest(WireModel):
    """The whole acquire body. `clientRequest` is declared (and so checked) first: its
    `scene` decides which cname rule applies."""

    client_request: AcquireClientRequest = Field(
        default_factory=AcquireClientRequest, alias="clientRequest"
    )
    cname: Annotated[str, BeforeValidator(_acquire_cname)]
    uid: Uid


class RecordingConfig(WireModel):
    """`recordingConfig` of start. `secret` and `salt` are secrets: never in a repr."""

    channel_type: JsonInt | None = Field(None, alias="channelType", ge=0, le=1)
    stream_types: JsonInt | None = Field(None, alias="streamTypes", ge=0, le=2)
    decryption_mode: JsonInt | None = Field(
        None, alias="decryptionMode", ge=0, le=max(DecryptionMode)
    )
    secret: str | None = Field(None, repr=False)
    salt: str | None = Field(None, repr=False)
    audio_profile: JsonInt | None = Field(None, alias="audioProfile", ge=0, le=2)
    video_stream_type: JsonInt | None = Field(None, alias="videoStreamType", ge=0, le=1)
    max_idle_time: JsonInt | None = Field(None, alias="maxIdleTime", ge=5, le=MAX_IDLE_TIME)
    transcoding_config: TranscodingConfig | None = Field(None, alias="transcodingConfig")
    subscribe_video_uids: list[str] | None = Field(
        None, alias="subscribeVideoUids", max_length=MAX_SUBSCRIBE
    )
    subscribe_audio_uids: list[str] | None = Field(
        None, alias="subscribeAudioUids", max_length=MAX_SUBSCRIBE
    )
    unsubscribe_video_uids: list[str] | None = Field(
        None,
        validation_alias=AliasChoices("unsubscribeVideoUids", "unSubscribeVideoUids"),
        serialization_alias="unsubscribeVideoUids",
        max_length=MAX_SUBSCRIBE,
    )
    unsubscribe_audio_uids: list[str] | None = Field(
        None,
        validation_alias=AliasChoices("unsubscribeAudioUids", "unSubscribeAudioUids"),
        serialization_alias="unsubscribeAudioUids",
        max_length=MAX_SUBSCRIBE,
    )
    subscribe_uid_group: JsonInt | None = Field(
        None, alias="subscribeUidGroup", ge=0, le=max(SUBSCRIBE_UID_GROUPS)
    )
    stream_mode: str | None = Field(None, alias="streamMode")

    @field_validator(
        "subscribe_video_uids",
        "subscribe_audio_uids",
        "unsubscribe_video_uids",
        "unsubscribe_audio_uids",
    )
    @classmethod
    def _uid_strings(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_uid_strings(value)

    @field_validator("salt")
    @classmethod
    def _salt_is_32_bytes(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            size = len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            size = -1
        if size != SALT_BYTES:
            raise ValueError(
                f"salt must be the channel's {SALT_BYTES}-byte encryption salt in Base64 "
                "(44 characters), as the app gives the SDK"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        self._subscriptions_match_streams()
        if self.decryption_mode and not self.secret:
            raise ValueError(
                f"decryptionMode {self.decryption_mode} needs the decryption secret in `secret`"
            )
        if self.decryption_mode in SALTED_MODES and not self.salt:
            name = DecryptionMode(self.decryption_mode).name
            raise ValueError(
                f"decryptionMode {self.decryption_mode} ({name}) needs `salt` as well as "
                f"`secret`: the channel's {SALT_BYTES}-byte salt in Base64"
            )
        mode = (info.context or {}).get("mode")
        if mode == "individual" and self.subscribe_uid_group is None:
            raise ValueError(
                f"subscribeUidGroup is required in individual mode ({UID_GROUPS_TEXT})"
            )
        if mode in ("individual", "web"):
            if self.audio_profile is not None:
                raise ValueError(f"audioProfile can only be set in mix mode, not {mode}")
            if self.transcoding_config is not None:
                raise ValueError(f"transcodingConfig can only be set in mix mode, not {mode}")
        return self

    def _subscriptions_match_streams(self) -> None:
        """Subscribe and unsubscribe lists need their media in `streamTypes`; for one
        media, a subscribe and an unsubscribe list cannot both be set."""
        streams = 2 if self.stream_types is None else self.stream_types
        for media, refused, only, lists in (
            ("video", 0, "audio", (self.subscribe_video_uids, self.unsubscribe_video_uids)),
            ("audio", 1, "video", (self.subscribe_audio_uids, self.unsubscribe_audio_uids)),
        ):
            kind = media.capitalize()
            names = (f"subscribe{kind}Uids", f"unsubscribe{kind}Uids")
            for name, uids in zip(names, lists, strict=True):
                if uids and streams == refused:
                    raise ValueError(
                        f"{name} is set, so streamTypes cannot be {refused} ({only} only); "
                        f"record {media} too or drop {name}"
                    )
            if all(lists):
                raise ValueError(
                    f"{names[0]} and {names[1]} cannot both be set: list the users whose "
                    f"{media} to record, or those to leave out, not both"
                )


class RecordingFileConfig(WireModel):
    """`recordingFileConfig`: the file types, `["hls"]` (default) or `["hls", "mp4"]`."""

    av_file_type: list[Literal["hls", "mp4"]] | None = Field(None, alias="avFileType")

    @field_validator("av_file_type")
    @classmethod
    def _hls_first(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is not None and "hls" not in value:
            raise ValueError('avFileType must include "hls" (["hls"] or ["hls", "mp4"])')
        mode = (info.context or {}).get("mode")
        if value is not None and "mp4" in value and mode == "individual":
            raise ValueError(
                'avFileType "mp4" is for mix and web page recording only; in individual '
                'mode keep ["hls"]'
            )
        return value


class StartClientRequest(WireModel):
    """start's clientRequest. `token` is a secret: never in a repr."""

    token: str | None = Field(None, repr=False)
    recording_config: RecordingConfig | None = Field(None, alias="recordingConfig")
    recording_file_config: RecordingFileConfig | None = Field(None, alias="recordingFileConfig")
    storage_config: StorageConfig | None = Field(None, alias="storageConfig")

    @model_validator(mode="after")
    def _individual_needs_a_group(self, info: ValidationInfo) -> Self:
        if (info.context or {}).get("mode") == "individual" and self.recording_config is None:
            raise ValueError(
                f"recordingConfig.subscribeUidGroup is required in individual mode "
                f"({UID_GROUPS_TEXT})"
            )
        return self


class StartRequest(WireModel):
    cname: Cname
    uid: Uid
    client_request: StartClientRequest = Field(alias="clientRequest")


class StopClientRequest(WireModel):
    """stop's clientRequest; may be empty."""

    async_stop: JsonBool | None = None


class StopRequest(WireModel):
    cname: Cname
    uid: Uid
    client_request: StopClientRequest = Field(
        default_factory=StopClientRequest, alias="clientRequest"
    )


def mode_context(mode: RecordingMode, *, json_types: bool = False) -> dict[str, Any]:
    """The validation context of a body sent for a recording mode (from the URL): the
    mode's rules, and with `json_types` (a body read from raw JSON) its JSON types too.
    A ValueError names a mode that is none."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not a recording mode; use {', '.join(MODES)}")
    return json_context(mode=mode) if json_types else {"mode": mode}


def validate_start(body: Any, mode: RecordingMode, *, json_types: bool = False) -> StartRequest:
    """A start body checked with the rules of its recording mode (from the URL); with
    `json_types`, a body read from raw JSON, whose JSON types are checked too."""
    return StartRequest.model_validate(body, context=mode_context(mode, json_types=json_types))


def file_types(request: StartRequest) -> tuple[str, ...]:
    """The recorded file types of a start request (`("hls",)` when not given)."""
    config = request.client_request.recording_file_config
    types = config.av_file_type if config is not None else None
    return tuple(types or ("hls",))
