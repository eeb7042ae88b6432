"""The request body of `update`, and the one home of its rules (the client checks a body
with them before sending it; the emulator answers with them). Its clientRequest holds:

- `streamSubscribe` (mix and individual recording): whose audio and whose video the
  recording records from now on. Each media given has one list: a subscribe list (only
  these uids; `["#allstream#"]` for everyone) or an unsubscribe list (everyone but these),
  never both; 1 to 32 uids. The call replaces the whole subscription: Agora subscribes to
  none of a media left out.
- `webRecordingConfig` (`onhold`: pause or resume) and `rtmpPublishConfig` (`outputs`,
  each with its `rtmpUrl`): web page recording only.
- `storageConfig`: the storage settings, checked as start checks them, in every mode.

A clientRequest sets at least one of these. Other keys pass through unchecked, as in the
other bodies (Agora decides what it ignores), but they count for nothing: a clientRequest
of unknown keys only is refused as empty. A null field is one not given.

Sources: Agora's current update reference (docs.agora.io/en/cloud-recording/rest-api/update;
its API overview lists subscription, web page recording, CDN push and storage settings)
and its subscription guide (develop/subscription). The current reference spells the
unsubscribe lists `unsubscribeAudioUids`/`unsubscribeVideoUids`; earlier pages (and some
clients) write `unSubscribe...`: either is read (not both at once), the current spelling
is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from layoutkit.wire.api import (
    MAX_SUBSCRIBE,
    MODES,
    RecordingMode,
    check_uid_strings,
    mode_context,
)
from layoutkit.wire.base import Cname, JsonBool, Uid, WireModel
from layoutkit.wire.storage import StorageConfig

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
