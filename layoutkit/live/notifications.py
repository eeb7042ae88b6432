"""Agora Notifications (channel events, docs/agora.md): the signatures over the raw body
(`Agora-Signature-V2`, hex HMAC-SHA256; else `Agora-Signature`, HMAC-SHA1), and the body
parsed into a `Notification` (`NotificationError` naming the field). Two products are
read: 1, RTC channel events (101-108, 111, 112), and 3, Cloud Recording's events 11
(`session_exit`) and 12 (`session_failover`); others are `UnknownEventError`. Fields Agora
may leave out are optional, and those it adds are kept."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from layoutkit.errors import NotificationError
from layoutkit.wire.replies import HEALTH_CHANNEL
from layoutkit.wire.rules import UID_MAX

SIGNATURE_V2 = "Agora-Signature-V2"  # hex HMAC-SHA256 of the raw body
SIGNATURE_V1 = "Agora-Signature"  # hex HMAC-SHA1 of the raw body
MAX_BODY_BYTES = 64 * 1024  # a channel event is a few hundred bytes
MAX_UID = UID_MAX  # Agora's uids are unsigned 32-bit integers
UINT64_MAX = 2**64 - 1  # clientSeq is a Uint64
RTC_PRODUCT = 1  # productId of RTC channel events
RECORDING_PRODUCT = 3  # productId of Cloud Recording events

EVENT_TYPES: dict[int, str] = {
    101: "channel created",
    102: "channel destroyed",
    103: "host joined",
    104: "host left",
    105: "audience joined",
    106: "audience left",
    107: "user joined (communication profile)",
    108: "user left (communication profile)",
    111: "audience became host",
    112: "host became audience",
}
RECORDING_EVENTS = {11: "session_exit", 12: "session_failover"}
CHANNEL_EVENTS = frozenset({101, 102})

PLATFORMS = {0: "other", 1: "Android", 2: "iOS", 5: "Windows", 6: "Linux", 7: "Web", 8: "macOS"}
LINUX = 6
CLIENT_TYPES = {3: "on-premise recording", 10: "Cloud Recording"}  # recorders, on platform 6


def _signatures(body: bytes, secret: str) -> tuple[str, str]:
    key = secret.encode("utf-8")
    v2 = hmac.new(key, body, hashlib.sha256).hexdigest()
    v1 = hmac.new(key, body, hashlib.sha1).hexdigest()
    return v2, v1


def sign(body: bytes, secret: str) -> dict[str, str]:
    v2, v1 = _signatures(body, secret)
    return {SIGNATURE_V1: v1, SIGNATURE_V2: v2}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _matches(expected: str, received: str) -> bool:
    got = received.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode("ascii"), got)


def verify_signature(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    """Whether the raw `body` was signed with `secret` (V2 decides when present; constant
    time; an empty secret verifies nothing)."""
    if not secret:
        return False
    v2, v1 = _signatures(body, secret)
    received = _header(headers, SIGNATURE_V2)
    if received is not None:
        return _matches(v2, received)
    received = _header(headers, SIGNATURE_V1)
    return received is not None and _matches(v1, received)


@dataclass(frozen=True)
class ChannelPayload:
    """The payload of 101 (channel created) and 102 (destroyed)."""

    channel_name: str
    ts: int  # seconds
    last_uid: int | None = None  # 102: the last user to leave


@dataclass(frozen=True)
class UserPayload:
    """The payload of a user's event (103-108, 111, 112)."""

    channel_name: str
    uid: int
    platform: int | None  # PLATFORMS; not sent with 111 and 112
    client_seq: int  # orders this user's events (Uint64)
    ts: int  # seconds
    client_type: int | None = None  # only with platform 6 (Linux): CLIENT_TYPES
    reason: int | None = None  # why the user left (104, 106, 108)
    duration: int | None = None  # seconds the user was in the channel (leaves)
    account: str | None = None  # the user account, on newer pages

    @property
    def is_recorder(self) -> bool:
        return self.platform == LINUX and self.client_type in CLIENT_TYPES

    @property
    def platform_name(self) -> str:
        if self.platform is None:
            return "platform not given"
        return PLATFORMS.get(self.platform, f"unknown platform {self.platform}")


@dataclass(frozen=True)
class RecordingPayload:
    """The payload of a Cloud Recording event (productId 3)."""

    channel_name: str  # `cname`
    uid: str  # the recorder's uid as Agora gives it
    sid: str
    sequence: int
    details: Mapping[str, Any]
    msg_name: str  # details.msgName: session_exit, session_failover
    new_uid: int | None = None  # 12: the recorder's uid after the failover

    def describe(self) -> str:
        rest = ", ".join(
            f"{key} {_kind(value)}" for key, value in self.details.items() if key != "msgName"
        )
        return f"{self.msg_name} ({rest})" if rest else self.msg_name


@dataclass(frozen=True)
class Notification:
    notice_id: str
    product_id: int
    event_type: int
    notify_ms: int | None  # when Agora sent it (ms); updated on each resend
    sid: str | None  # not in Agora's reference, often in real traffic
    payload: ChannelPayload | UserPayload | RecordingPayload

    @property
    def event_name(self) -> str:
        if self.product_id == RECORDING_PRODUCT:
            return RECORDING_EVENTS[self.event_type]
        return EVENT_TYPES[self.event_type]

    @property
    def channel_name(self) -> str:
        return self.payload.channel_name

    @property
    def is_health_test(self) -> bool:
        return self.channel_name == HEALTH_CHANNEL

    def summary(self) -> str:
        payload = self.payload
        who = ""
        if isinstance(payload, UserPayload):
            who = f" uid {payload.uid}"
        elif isinstance(payload, RecordingPayload):
            who = f" sid {payload.sid}"
        return f"{self.event_type} {self.event_name} in {self.channel_name!r}{who}"


def _kind(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _get(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise NotificationError("missing", field=f"{where}{key}")
    return data[key]


def _int(data: Mapping[str, Any], key: str, where: str, low: int = 0, high: int = 2**63) -> int:
    value = _get(data, key, where)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise NotificationError(
            f"expected an integer from {low} to {high}, got {_kind(value)}", field=where + key
        )
    return value


def _opt_int(data: Mapping[str, Any], key: str, where: str, high: int = 2**63) -> int | None:
    return None if data.get(key) is None else _int(data, key, where, high=high)


def _str(data: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
    value = _get(data, key, where)
    if not isinstance(value, str) or not (value or empty):
        what = "a string" if empty else "a non-empty string"
        raise NotificationError(f"expected {what}, got {_kind(value)}", field=where + key)
    return value


def _opt_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    return None if data.get(key) is None else _str(data, key, where, empty=True)


def _load(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise NotificationError(f"the body is {len(body)} bytes, over {MAX_BODY_BYTES}")
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise NotificationError(f"the body is not UTF-8 ({exc.reason})") from None
    except (ValueError, RecursionError) as exc:
        raise NotificationError(f"the body is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise NotificationError(f"the body is not a JSON object but {type(data).__name__}")
    return data


class UnknownEventError(NotificationError):
    """A well-formed callback of another product or of an event not followed."""


def parse_payload(event_type: int, payload: Mapping[str, Any]) -> ChannelPayload | UserPayload:
    where = "payload."
    channel = _str(payload, "channelName", where)
    ts = _int(payload, "ts", where)
    if event_type in CHANNEL_EVENTS:
        last = _opt_int(payload, "lastUid", where, high=MAX_UID)
        return ChannelPayload(channel_name=channel, ts=ts, last_uid=last)
    # 111/112 carry no platform; a leave without its reason is still a leave
    return UserPayload(
        channel_name=channel,
        uid=_int(payload, "uid", where, low=1, high=MAX_UID),
        platform=_opt_int(payload, "platform", where, high=255),
        client_seq=_int(payload, "clientSeq", where, high=UINT64_MAX),
        ts=ts,
        client_type=_opt_int(payload, "clientType", where, high=255),
        reason=_opt_int(payload, "reason", where, high=2**31),
        duration=_opt_int(payload, "duration", where),
        account=_opt_str(payload, "account", where),
    )


def _uid_text(payload: Mapping[str, Any], key: str, where: str) -> str:
    value = _get(payload, key, where)
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isdigit() or not 0 < int(text) <= MAX_UID:
        raise NotificationError(
            f"expected a uid from 1 to {MAX_UID}, got {_kind(value)}", field=where + key
        )
    return str(int(text))


def parse_recording_payload(event_type: int, payload: Mapping[str, Any]) -> RecordingPayload:
    where = "payload."
    details = _get(payload, "details", where)
    if not isinstance(details, dict):
        raise NotificationError(
            f"expected a JSON object, got {_kind(details)}", field=where + "details"
        )
    msg_name = details.get("msgName")
    if not isinstance(msg_name, str) or not msg_name:
        msg_name = RECORDING_EVENTS[event_type]
    new_uid = None
    if event_type == 12:
        new_uid = int(_uid_text(details, "newUid", "payload.details."))
    return RecordingPayload(
        channel_name=_str(payload, "cname", where),
        uid=_uid_text(payload, "uid", where),
        sid=_str(payload, "sid", where),
        sequence=_opt_int(payload, "sequence", where) or 0,
        details=details,
        msg_name=msg_name,
        new_uid=new_uid,
    )


def _event_kind(data: Mapping[str, Any]) -> tuple[int, int]:
    product = _int(data, "productId", "")
    event_type = _int(data, "eventType", "")
    known = {RTC_PRODUCT: EVENT_TYPES, RECORDING_PRODUCT: RECORDING_EVENTS}.get(product)
    if known is None:
        raise UnknownEventError(
            f"productId {product} is not followed (1: RTC channel events, 3: Cloud Recording)",
            field="productId",
        )
    if event_type not in known:
        raise UnknownEventError(
            f"event type {event_type} of productId {product} is not followed; "
            f"the events followed are {', '.join(str(t) for t in known)}",
            field="eventType",
        )
    return product, event_type


def parse_notification(body: bytes) -> Notification:
    """Raw callback bytes → a `Notification` (see the module)."""
    data = _load(body)
    product, event_type = _event_kind(data)
    payload = _get(data, "payload", "")
    if not isinstance(payload, dict):
        raise NotificationError(f"expected a JSON object, got {_kind(payload)}", field="payload")
    parse = parse_recording_payload if product == RECORDING_PRODUCT else parse_payload
    return Notification(
        notice_id=_str(data, "noticeId", ""),
        product_id=product,
        event_type=event_type,
        notify_ms=_opt_int(data, "notifyMs", ""),
        sid=_opt_str(data, "sid", ""),
        payload=parse(event_type, payload),
    )


def parse_verified(body: bytes, headers: Mapping[str, str], secret: str) -> Notification:
    """`parse_notification` of a body whose signature is right; NotificationError else."""
    if not verify_signature(body, headers, secret):
        raise NotificationError(
            "the signature does not match the body and the Notifications secret",
            field=SIGNATURE_V2 if _header(headers, SIGNATURE_V2) is not None else SIGNATURE_V1,
        )
    return parse_notification(body)
