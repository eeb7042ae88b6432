"""Request bodies of the Cloud Recording REST API: acquire, start (with its
`storageConfig`), update and stop (updateLayout's is in `wire.layout`; query has none).
Every rule of the reference is checked, with the field named; rules that depend on the
recording mode (mix, individual, web) read it from the validation context: use
`validate_start(body, mode)` or `validate_update(body, mode)`. The JSON path (the
emulator's) adds `json_types=True`.

Sources: Agora's current start, acquire and update reference (docs.agora.io/en/
cloud-recording/rest-api/...), its region-vendor table and subscription guide; the older
Chinese reference where they agree (docs/agora.md#sources).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from enum import IntEnum
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from layoutkit.wire.base import Cname, JsonBool, JsonInt, Uid, WireModel, json_context
from layoutkit.wire.layout import TranscodingConfig
from layoutkit.wire.rules import UID_MAX, check_cname, check_uid

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


# --- storageConfig: each vendor's named regions as in Agora's region-vendor table ---

MAX_PREFIX_CHARS = 128
_PREFIX_RE = re.compile(r"^[A-Za-z0-9]+$")
# extensionParams.endpoint of vendor 11: a domain name (or IPv4 address), optional port
_HOST_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_ENDPOINT_RE = re.compile(rf"^{_HOST_LABEL}(\.{_HOST_LABEL})*(:\d{{1,5}})?$")
QINIU = 0  # Qiniu Cloud: in the older references, no longer supported


class Vendor(IntEnum):
    AMAZON_S3 = 1
    ALIBABA = 2
    TENCENT = 3
    AZURE = 5
    GOOGLE = 6
    HUAWEI = 7
    BAIDU = 8
    S3_COMPATIBLE = 11  # a self-hosted S3-compatible store: extensionParams.endpoint


def _regions(name: str, names: str, start: int = 0) -> type[IntEnum]:
    """A vendor's region table from its names in order of value ("-": a value not in use)."""
    numbered = {n: value for value, n in enumerate(names.split(), start) if n != "-"}
    return IntEnum(name, numbered)  # type: ignore[return-value]


S3Region = _regions(
    "S3Region",
    "US_EAST_1 US_EAST_2 US_WEST_1 US_WEST_2 EU_WEST_1 EU_WEST_2 EU_WEST_3 "
    "EU_CENTRAL_1 AP_SOUTHEAST_1 AP_SOUTHEAST_2 AP_NORTHEAST_1 AP_NORTHEAST_2 "
    "SA_EAST_1 CA_CENTRAL_1 AP_SOUTH_1 CN_NORTH_1 CN_NORTHWEST_1 - AF_SOUTH_1 "
    "AP_EAST_1 AP_NORTHEAST_3 EU_NORTH_1 ME_SOUTH_1 - AP_SOUTHEAST_3 EU_SOUTH_1",
)
AlibabaRegion = _regions(
    "AlibabaRegion",
    "CN_HANGZHOU CN_SHANGHAI CN_QINGDAO CN_BEIJING CN_ZHANGJIAKOU CN_HUHEHAOTE "
    "CN_SHENZHEN CN_HONGKONG US_WEST_1 US_EAST_1 AP_SOUTHEAST_1 AP_SOUTHEAST_2 "
    "AP_SOUTHEAST_3 AP_SOUTHEAST_5 AP_NORTHEAST_1 AP_SOUTH_1 EU_CENTRAL_1 EU_WEST_1 "
    "EU_EAST_1 AP_SOUTHEAST_6 CN_HEYUAN CN_GUANGZHOU CN_CHENGDU CN_NANJING "
    "CN_FUZHOU CN_WULANCHABU CN_NORTHEAST_2 CN_SOUTHEAST_7",
)
TencentRegion = _regions(
    "TencentRegion",
    "AP_BEIJING_1 AP_BEIJING AP_SHANGHAI AP_GUANGZHOU AP_CHENGDU AP_CHONGQING "
    "AP_SHENZHEN_FSI AP_SHANGHAI_FSI AP_BEIJING_FSI AP_HONGKONG AP_SINGAPORE "
    "AP_MUMBAI AP_SEOUL AP_BANGKOK AP_TOKYO NA_SILICONVALLEY NA_ASHBURN NA_TORONTO "
    "EU_FRANKFURT EU_MOSCOW",
)
HuaweiRegion = _regions(
    "HuaweiRegion",
    "CN_NORTH_1 CN_NORTH_4 CN_EAST_2 CN_EAST_3 CN_SOUTH_1 CN_SOUTHWEST_2 "
    "AP_SOUTHEAST_1 AP_SOUTHEAST_2 AP_SOUTHEAST_3 AF_SOUTH_1 SA_ARGENTINA_1 "
    "SA_PERU_1 NA_MEXICO_1 SA_BRAZIL_1 LA_SOUTH_2 SA_CHILE_1",
)
BaiduRegion = _regions(
    "BaiduRegion",
    "BAODING SUZHOU GUANGZHOU HONGKONG SINGAPORE WUHAN SHANGHAI",
    start=1,
)

REGIONS: dict[int, type[IntEnum]] = {
    Vendor.AMAZON_S3: S3Region,
    Vendor.ALIBABA: AlibabaRegion,
    Vendor.TENCENT: TencentRegion,
    Vendor.HUAWEI: HuaweiRegion,
    Vendor.BAIDU: BaiduRegion,
}
ANY_REGION: tuple[Vendor, ...] = (Vendor.AZURE, Vendor.GOOGLE, Vendor.S3_COMPATIBLE)
"""Vendors without a region table: the page gives `region` = 0 for them, and an earlier
version of it said the field need not be set and has no effect if set, so any
non-negative region is accepted."""
_VENDORS = ", ".join(f"{v.value} {v.name}" for v in Vendor)


class StorageConfig(WireModel):
    """Where Agora uploads the recorded files. `accessKey` and `secretKey` are secrets:
    they never appear in a repr, only on the wire."""

    vendor: JsonInt
    region: JsonInt = Field(ge=0)
    bucket: str = Field(min_length=1)
    access_key: str = Field(alias="accessKey", min_length=1, repr=False)
    secret_key: str = Field(alias="secretKey", min_length=1, repr=False)
    sts_token: str | None = Field(None, alias="stsToken", repr=False)
    file_name_prefix: list[str] | None = Field(None, alias="fileNamePrefix")
    extension_params: dict[str, Any] | None = Field(None, alias="extensionParams")

    @field_validator("vendor")
    @classmethod
    def _known_vendor(cls, value: int) -> int:
        if value == QINIU:
            raise ValueError(
                f"vendor 0 (Qiniu Cloud) is no longer supported by Agora Cloud Recording; "
                f"use one of: {_VENDORS}"
            )
        if value not in {v.value for v in Vendor}:
            raise ValueError(
                f"vendor {value} is not a storage vendor of Agora; use one of: {_VENDORS}"
            )
        return value

    @field_validator("file_name_prefix")
    @classmethod
    def _prefix_charset(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for part in value:
            if not _PREFIX_RE.match(part):
                raise ValueError(
                    f"fileNamePrefix entry {part!r} may only hold the letters a-z, A-Z and "
                    "the digits 0-9 (no slashes: each entry is one folder)"
                )
        total = sum(len(p) for p in value) + len(value)
        if total > MAX_PREFIX_CHARS:
            raise ValueError(
                f"fileNamePrefix is {total} characters with its slashes; at most {MAX_PREFIX_CHARS}"
            )
        return value

    @model_validator(mode="after")
    def _region_of_vendor(self) -> Self:
        regions = REGIONS.get(self.vendor)
        if regions is not None and self.region not in {r.value for r in regions}:
            names = ", ".join(f"{r.value} {r.name}" for r in regions)
            raise ValueError(
                f"region {self.region} is not a region of vendor {self.vendor} "
                f"({Vendor(self.vendor).name}); use one of: {names}"
            )
        if self.vendor == Vendor.S3_COMPATIBLE:
            endpoint = (self.extension_params or {}).get("endpoint")
            if not isinstance(endpoint, str) or not endpoint:
                raise ValueError(
                    "vendor 11 (S3-compatible storage) needs extensionParams.endpoint, the "
                    'domain name of the store, e.g. {"endpoint": "s3.example.com"}'
                )
            if not _ENDPOINT_RE.match(endpoint):
                raise ValueError(
                    "extensionParams.endpoint is the domain name of the S3-compatible store "
                    '(e.g. "s3.example.com", optionally with ":port"), without https:// '
                    "or a path"
                )
        return self


# --- update: its clientRequest sets at least one of `UPDATE_FIELDS` (unknown keys pass
# through but count for nothing). `streamSubscribe` replaces the whole subscription: per
# media a subscribe list or an unsubscribe list, never both; Agora subscribes to none of a
# media left out. The unsubscribe lists are read in either spelling (`unSubscribe...`, of
# earlier pages) and sent in the current one.

SUBSCRIPTION_MODES: tuple[RecordingMode, ...] = ("mix", "individual")
WEB_MODES: tuple[RecordingMode, ...] = ("web",)
UPDATE_FIELDS: dict[str, tuple[tuple[RecordingMode, ...], str]] = {
    "streamSubscribe": (SUBSCRIPTION_MODES, "mix and individual recording"),
    "webRecordingConfig": (WEB_MODES, "web page recording"),
    "rtmpPublishConfig": (WEB_MODES, "web page recording"),
    "storageConfig": (MODES, "every mode"),
}
"""The fields of update's clientRequest: the modes that take each, in words."""

UidStrings = Annotated[
    list[str], Field(min_length=1, max_length=MAX_SUBSCRIBE), AfterValidator(check_uid_strings)
]
"""A subscribe or unsubscribe list: 1 to 32 uid strings (or "#allstream#")."""


def _one_kind(
    media: str,
    subscribe: list[str] | None,
    unsubscribe: list[str] | None,
    extra: dict[str, Any],
) -> None:
    """A media's list is a subscribe list or an unsubscribe list: one of them, given, and
    the unsubscribe list in one spelling (the earlier one is kept in `extra` when both are)."""
    kind = media.capitalize()
    earlier = f"unSubscribe{kind}Uids"
    if unsubscribe is not None and earlier in extra:
        raise ValueError(
            f"unsubscribe{kind}Uids and {earlier} cannot both be set: they are one list "
            f"spelt two ways; send unsubscribe{kind}Uids only"
        )
    if subscribe is not None and unsubscribe is not None:
        raise ValueError(
            f"subscribe{kind}Uids and unsubscribe{kind}Uids cannot both be set: list the "
            f"users whose {media} to record, or those to leave out, not both"
        )
    if subscribe is None and unsubscribe is None:
        raise ValueError(
            f"give subscribe{kind}Uids (only these users' {media}) or unsubscribe{kind}Uids "
            f"(everyone's but theirs)"
        )


class _UidList(WireModel):
    """A media's list (`MEDIA`): a subscribe list or an unsubscribe list, one of them."""

    MEDIA: ClassVar[str]

    def _lists(self) -> tuple[list[str] | None, list[str] | None]:
        """The subscribe list and the unsubscribe list."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _one_list(self) -> Self:
        _one_kind(self.MEDIA, *self._lists(), self.model_extra or {})
        return self


class AudioUidList(_UidList):
    """`streamSubscribe.audioUidList`: whose audio the recording takes."""

    MEDIA = "audio"

    subscribe_audio_uids: UidStrings | None = Field(None, alias="subscribeAudioUids")
    unsubscribe_audio_uids: UidStrings | None = Field(
        None,
        validation_alias=AliasChoices("unsubscribeAudioUids", "unSubscribeAudioUids"),
        serialization_alias="unsubscribeAudioUids",
    )

    def _lists(self) -> tuple[list[str] | None, list[str] | None]:
        return self.subscribe_audio_uids, self.unsubscribe_audio_uids


class VideoUidList(_UidList):
    """`streamSubscribe.videoUidList`: whose video the recording takes."""

    MEDIA = "video"

    subscribe_video_uids: UidStrings | None = Field(None, alias="subscribeVideoUids")
    unsubscribe_video_uids: UidStrings | None = Field(
        None,
        validation_alias=AliasChoices("unsubscribeVideoUids", "unSubscribeVideoUids"),
        serialization_alias="unsubscribeVideoUids",
    )

    def _lists(self) -> tuple[list[str] | None, list[str] | None]:
        return self.subscribe_video_uids, self.unsubscribe_video_uids


class StreamSubscribe(WireModel):
    """`clientRequest.streamSubscribe`: the audio list, the video list, or both. Agora's
    note: a recording given a list for one media only subscribes to none of the other."""

    audio_uid_list: AudioUidList | None = Field(None, alias="audioUidList")
    video_uid_list: VideoUidList | None = Field(None, alias="videoUidList")

    @model_validator(mode="after")
    def _some_list(self) -> Self:
        if self.audio_uid_list is None and self.video_uid_list is None:
            raise ValueError("give audioUidList or videoUidList (or both)")
        return self


class WebRecordingConfig(WireModel):
    """`clientRequest.webRecordingConfig` (web page recording): `onhold` true pauses the
    recording (no files are made meanwhile), false resumes it."""

    onhold: JsonBool | None = None


class RtmpOutput(WireModel):
    """One of `rtmpPublishConfig.outputs`: the CDN address the web page recording is
    pushed to."""

    rtmp_url: str = Field(alias="rtmpUrl")


class RtmpPublishConfig(WireModel):
    """`clientRequest.rtmpPublishConfig` (web page recording): where it is pushed now."""

    outputs: list[RtmpOutput]


def _uids(values: Sequence[str | int] | str | None) -> list[str] | None:
    """Uids as the strings Agora takes; one string is one uid (not its characters)."""
    if values is None:
        return None
    return [values.strip()] if isinstance(values, str) else [str(v).strip() for v in values]


class UpdateClientRequest(WireModel):
    """update's clientRequest: sets one of `UPDATE_FIELDS` at least, each only in the
    modes that take it (a mode from the validation context, as `validate_update` gives
    it; without one, any field is taken)."""

    stream_subscribe: StreamSubscribe | None = Field(None, alias="streamSubscribe")
    web_recording_config: WebRecordingConfig | None = Field(None, alias="webRecordingConfig")
    rtmp_publish_config: RtmpPublishConfig | None = Field(None, alias="rtmpPublishConfig")
    storage_config: StorageConfig | None = Field(None, alias="storageConfig")

    def given(self) -> list[str]:
        """Agora's names of the fields this request sets (unknown keys are not counted)."""
        return [
            field.alias or name
            for name, field in type(self).model_fields.items()
            if getattr(self, name) is not None
        ]

    @field_validator("*", mode="before")
    @classmethod
    def _mode_takes_it(cls, value: Any, info: ValidationInfo) -> Any:
        """A field the recording's mode does not take is refused before its content is
        looked at."""
        mode = (info.context or {}).get("mode")
        modes, where = UPDATE_FIELDS[str(cls.model_fields[str(info.field_name)].alias)]
        if value is not None and mode is not None and mode not in modes:
            raise ValueError(f"for {where} only, not {mode}")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.given():
            raise ValueError(
                "give streamSubscribe (the subscription lists: mix and individual "
                "recording), webRecordingConfig or rtmpPublishConfig (web page recording), "
                "or storageConfig (the storage settings)"
            )
        return self

    @classmethod
    def lists(
        cls,
        *,
        subscribe_audio: Sequence[str | int] | None = None,
        unsubscribe_audio: Sequence[str | int] | None = None,
        subscribe_video: Sequence[str | int] | None = None,
        unsubscribe_video: Sequence[str | int] | None = None,
    ) -> Self:
        """A clientRequest of subscription lists from uids (numbers or strings); a media
        given no list is left out. `["#allstream#"]` subscribes to everyone."""
        lists = {
            "audioUidList": {
                "subscribeAudioUids": _uids(subscribe_audio),
                "unsubscribeAudioUids": _uids(unsubscribe_audio),
            },
            "videoUidList": {
                "subscribeVideoUids": _uids(subscribe_video),
                "unsubscribeVideoUids": _uids(unsubscribe_video),
            },
        }
        given = {
            media: {name: uids for name, uids in pair.items() if uids is not None}
            for media, pair in lists.items()
            if any(uids is not None for uids in pair.values())
        }
        return cls.model_validate({"streamSubscribe": given})


class UpdateRequest(WireModel):
    """The whole update body."""

    cname: Cname
    uid: Uid
    client_request: UpdateClientRequest = Field(alias="clientRequest")


def validate_update(body: Any, mode: RecordingMode, *, json_types: bool = False) -> UpdateRequest:
    """An update body checked with the rules of its recording mode (from the URL); with
    `json_types`, a body read from raw JSON, whose JSON types are checked too."""
    return UpdateRequest.model_validate(body, context=mode_context(mode, json_types=json_types))
