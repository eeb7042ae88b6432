"""Request bodies of the Cloud Recording REST API: acquire, start, stop (updateLayout's
is in `wire.layout`; query has none). Every rule of the reference is checked, with the
field named; rules that depend on the recording mode (mix, individual, web) read it from
the validation context: use `validate_start(body, mode)`.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import AliasChoices, Field, ValidationInfo, field_validator, model_validator

from layoutkit.wire.base import Cname, Uid, WireModel
from layoutkit.wire.layout import TranscodingConfig
from layoutkit.wire.storage import StorageConfig

RecordingMode = Literal["mix", "individual", "web"]
MODES: tuple[RecordingMode, ...] = ("mix", "individual", "web")
MAX_SUBSCRIBE = 32
UINT32_MAX = 4_294_967_295


class AcquireClientRequest(WireModel):
    """acquire's clientRequest; may be empty (`{}`)."""

    resource_expired_hour: int | None = Field(None, alias="resourceExpiredHour", ge=1, le=720)
    scene: int | None = Field(None, ge=0, le=2)
    start_parameter: dict[str, Any] | None = Field(None, alias="startParameter")


class AcquireRequest(WireModel):
    cname: Cname
    uid: Uid
    client_request: AcquireClientRequest = Field(
        default_factory=AcquireClientRequest, alias="clientRequest"
    )


class RecordingConfig(WireModel):
    """`recordingConfig` of start. `secret` is a secret: never in a repr."""

    channel_type: int | None = Field(None, alias="channelType", ge=0, le=1)
    stream_types: int | None = Field(None, alias="streamTypes", ge=0, le=2)
    decryption_mode: int | None = Field(None, alias="decryptionMode", ge=0, le=3)
    secret: str | None = Field(None, repr=False)
    audio_profile: int | None = Field(None, alias="audioProfile", ge=0, le=2)
    video_stream_type: int | None = Field(None, alias="videoStreamType", ge=0, le=1)
    max_idle_time: int | None = Field(None, alias="maxIdleTime", ge=5, le=UINT32_MAX)
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
    subscribe_uid_group: int | None = Field(None, alias="subscribeUidGroup", ge=0, le=3)
    stream_mode: str | None = Field(None, alias="streamMode")

    @field_validator(
        "subscribe_video_uids",
        "subscribe_audio_uids",
        "unsubscribe_video_uids",
        "unsubscribe_audio_uids",
    )
    @classmethod
    def _uid_strings(cls, value: list[str] | None) -> list[str] | None:
        for uid in value or []:
            if uid != "#allstream#" and not (uid.isdigit() and 1 <= int(uid) <= UINT32_MAX):
                raise ValueError(f"{uid!r} is not a uid string (1..4294967295) or '#allstream#'")
        return value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        streams = 2 if self.stream_types is None else self.stream_types
        if self.subscribe_video_uids and streams == 0:
            raise ValueError("subscribeVideoUids is set, so streamTypes cannot be 0 (audio only)")
        if self.subscribe_audio_uids and streams == 1:
            raise ValueError("subscribeAudioUids is set, so streamTypes cannot be 1 (video only)")
        if self.decryption_mode and not self.secret:
            raise ValueError(
                f"decryptionMode {self.decryption_mode} needs the decryption secret in `secret`"
            )
        mode = (info.context or {}).get("mode")
        if mode == "individual" and self.subscribe_uid_group is None:
            raise ValueError(
                "subscribeUidGroup is required in individual mode (0: 1-2 uids, 1: 3-7, "
                "2: 8-12, 3: 13-17)"
            )
        if mode in ("individual", "web"):
            if self.audio_profile is not None:
                raise ValueError(f"audioProfile can only be set in mix mode, not {mode}")
            if self.transcoding_config is not None:
                raise ValueError(f"transcodingConfig can only be set in mix mode, not {mode}")
        return self


class RecordingFileConfig(WireModel):
    """`recordingFileConfig`: the file types, `["hls"]` (default) or `["hls", "mp4"]`."""

    av_file_type: list[Literal["hls", "mp4"]] | None = Field(None, alias="avFileType")

    @field_validator("av_file_type")
    @classmethod
    def _hls_first(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and "hls" not in value:
            raise ValueError('avFileType must include "hls" (["hls"] or ["hls", "mp4"])')
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
                "recordingConfig.subscribeUidGroup is required in individual mode (0: 1-2 "
                "uids, 1: 3-7, 2: 8-12, 3: 13-17)"
            )
        return self


class StartRequest(WireModel):
    cname: Cname
    uid: Uid
    client_request: StartClientRequest = Field(alias="clientRequest")


class StopClientRequest(WireModel):
    """stop's clientRequest; may be empty."""

    async_stop: bool | None = None


class StopRequest(WireModel):
    cname: Cname
    uid: Uid
    client_request: StopClientRequest = Field(
        default_factory=StopClientRequest, alias="clientRequest"
    )


def validate_start(body: Any, mode: RecordingMode) -> StartRequest:
    """A start body checked with the rules of its recording mode (from the URL)."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not a recording mode; use {', '.join(MODES)}")
    return StartRequest.model_validate(body, context={"mode": mode})


def file_types(request: StartRequest) -> tuple[str, ...]:
    """The recorded file types of a start request (`("hls",)` when not given)."""
    config = request.client_request.recording_file_config
    types = config.av_file_type if config is not None else None
    return tuple(types or ("hls",))


__all__ = [
    "MAX_SUBSCRIBE",
    "MODES",
    "AcquireClientRequest",
    "AcquireRequest",
    "RecordingConfig",
    "RecordingFileConfig",
    "RecordingMode",
    "StartClientRequest",
    "StartRequest",
    "StopClientRequest",
    "StopRequest",
    "file_types",
    "validate_start",
]
