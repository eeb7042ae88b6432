"""The `update` endpoint's part that needs the recording. The body itself is checked by
the wire model (`wire.subscription`, on the JSON path), the one home of update's rules;
here, what only a running recording can say, and what it keeps:

- An audio list is refused when the recording records video only (`streamTypes` 1), a
  video list when it records audio only (0): Agora's update reference takes audioUidList
  when streamTypes is 0 or 2, videoUidList when it is 1 or 2.
- The recorded copy keeps Agora's documented fields in their documented spellings
  (unknown keys left out), and of `storageConfig` only the vendor, region and bucket:
  never its keys. Its `streamSubscribe` replaces the recording's whole subscription, as
  Agora says of a list given for one media only (`EmulatorState.record_update`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from layoutkit.wire.api import RecordingConfig
from layoutkit.wire.subscription import StreamSubscribe, UpdateClientRequest

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


__all__ = [
    "STORAGE_SHOWN",
    "UpdateError",
    "check_streams",
    "check_update",
    "from_start",
]
