"""Agora Notifications (channel events) as the live source of joins and leaves.

Agora POSTs one JSON callback per channel event to your HTTPS endpoint
(https://docs.agora.io/en/api-reference/api-ref/rtc/channel-event-types; summarised in
docs/agora.md): an envelope (`noticeId`, `productId`, `eventType`, `notifyMs`, `sid`,
`payload`) signed with the Notifications secret in `Agora-Signature-V2` (hex HMAC-SHA256
of the raw body) and `Agora-Signature` (hex HMAC-SHA1). Callbacks can arrive late, twice or
out of order; `clientSeq` orders one user's events.

- `verify_signature` / `sign`: the signatures, over the raw bytes, compared in constant time;
- `parse_notification`: raw bytes → `Notification`, or a `NotificationError` naming the field;
- `ChannelStream`: one channel's callbacks → `roster.Event` joins and leaves of the hosts
  (duplicates dropped, stale events ignored, the recorder and the audience never shown);
- `NotificationRouter`: a stream per channel name, at most `max_channels` of them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from layoutkit.errors import NotificationError
from layoutkit.live.roster import Event
from layoutkit.wire.base import UID_MAX

SIGNATURE_V2 = "Agora-Signature-V2"  # hex HMAC-SHA256 of the raw body
SIGNATURE_V1 = "Agora-Signature"  # hex HMAC-SHA1 of the raw body
MAX_BODY_BYTES = 64 * 1024  # a channel event is a few hundred bytes
MAX_UID = UID_MAX  # Agora's uids are unsigned 32-bit integers

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
CHANNEL_EVENTS = frozenset({101, 102})
LEAVE_EVENTS = frozenset({104, 106, 108})  # the events that carry a `reason`
HOST_EVENTS = frozenset({103, 107, 111})  # after these the user is shown
NOT_HOST_EVENTS = frozenset({104, 105, 106, 108, 112})  # after these the user is not shown

PLATFORMS: dict[int, str] = {
    0: "other",
    1: "Android",
    2: "iOS",
    5: "Windows",
    6: "Linux",
    7: "Web",
    8: "macOS",
}
LINUX = 6
CLIENT_TYPES: dict[int, str] = {3: "on-premise recording", 10: "Cloud Recording"}


def _signatures(body: bytes, secret: str) -> tuple[str, str]:
    key = secret.encode("utf-8")
    v2 = hmac.new(key, body, hashlib.sha256).hexdigest()
    v1 = hmac.new(key, body, hashlib.sha1).hexdigest()
    return v2, v1


def sign(body: bytes, secret: str) -> dict[str, str]:
    """The two signature headers Agora sends with `body`, signed with `secret`."""
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
    """Whether `body` (the raw bytes, before any JSON parsing) was signed with `secret`.

    `Agora-Signature-V2` (HMAC-SHA256) decides when present; only without it does
    `Agora-Signature` (HMAC-SHA1) count. Header names are case-insensitive, the hex digits
    too; the comparison takes constant time. An empty secret verifies nothing."""
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
    """The payload of 101 (channel created) and 102 (channel destroyed)."""

    channel_name: str
    ts: int  # seconds


@dataclass(frozen=True)
class UserPayload:
    """The payload of a user's event (103-108, 111, 112)."""

    channel_name: str
    uid: int
    platform: int  # PLATFORMS
    client_seq: int  # orders this user's events
    ts: int  # seconds
    client_type: int | None = None  # only with platform 6 (Linux): CLIENT_TYPES
    reason: int | None = None  # why the user left (104, 106, 108)

    @property
    def is_recorder(self) -> bool:
        """A recorder (Cloud Recording, or on-premise recording) in the channel."""
        return self.platform == LINUX and self.client_type in CLIENT_TYPES

    @property
    def platform_name(self) -> str:
        return PLATFORMS.get(self.platform, f"unknown platform {self.platform}")


@dataclass(frozen=True)
class Notification:
    """One channel event callback: the envelope and its typed payload."""

    notice_id: str
    product_id: int
    event_type: int
    notify_ms: int
    sid: str
    payload: ChannelPayload | UserPayload

    @property
    def event_name(self) -> str:
        return EVENT_TYPES[self.event_type]

    @property
    def channel_name(self) -> str:
        return self.payload.channel_name


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


def _str(data: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
    value = _get(data, key, where)
    if not isinstance(value, str) or not (value or empty):
        what = "a string" if empty else "a non-empty string"
        raise NotificationError(f"expected {what}, got {_kind(value)}", field=where + key)
    return value


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
    """A well-formed callback of an event type this module does not follow (another
    product's, or a channel event it has no use for): field `eventType`."""


def parse_payload(event_type: int, payload: Mapping[str, Any]) -> ChannelPayload | UserPayload:
    """The typed payload of a channel event (fields named `payload.X` in errors)."""
    where = "payload."
    channel = _str(payload, "channelName", where)
    ts = _int(payload, "ts", where)
    if event_type in CHANNEL_EVENTS:
        return ChannelPayload(channel_name=channel, ts=ts)
    platform = _int(payload, "platform", where, high=255)
    client_type = None
    if payload.get("clientType") is not None:
        client_type = _int(payload, "clientType", where, high=255)
    # a leave without its reason is still a leave: `reason` is read when Agora sends it
    reason = _int(payload, "reason", where, high=2**31) if "reason" in payload else None
    return UserPayload(
        channel_name=channel,
        uid=_int(payload, "uid", where, low=1, high=MAX_UID),
        platform=platform,
        client_seq=_int(payload, "clientSeq", where, low=-(2**63)),
        ts=ts,
        client_type=client_type,
        reason=reason,
    )


def parse_notification(body: bytes) -> Notification:
    """Raw callback bytes → a `Notification`; a `NotificationError` naming the field for a
    body that is not a JSON object, an event type this module does not know (only the
    channel events 101-108, 111, 112), or a field missing or of the wrong type."""
    data = _load(body)
    event_type = _int(data, "eventType", "")
    if event_type not in EVENT_TYPES:
        known = ", ".join(str(t) for t in EVENT_TYPES)
        product = data.get("productId")
        raise UnknownEventError(
            f"unknown event type {event_type} (productId {_kind(product)}); "
            f"the channel events are {known}",
            field="eventType",
        )
    payload = _get(data, "payload", "")
    if not isinstance(payload, dict):
        raise NotificationError(f"expected a JSON object, got {_kind(payload)}", field="payload")
    return Notification(
        notice_id=_str(data, "noticeId", ""),
        product_id=_int(data, "productId", ""),
        event_type=event_type,
        notify_ms=_int(data, "notifyMs", ""),
        sid=_str(data, "sid", "", empty=True),
        payload=parse_payload(event_type, payload),
    )


def parse_verified(body: bytes, headers: Mapping[str, str], secret: str) -> Notification:
    """`parse_notification` of a body whose signature `verify_signature` accepts; a
    `NotificationError` (field `Agora-Signature-V2`) otherwise, before any parsing."""
    if not verify_signature(body, headers, secret):
        raise NotificationError(
            "the signature does not match the body and the Notifications secret",
            field=SIGNATURE_V2 if _header(headers, SIGNATURE_V2) is not None else SIGNATURE_V1,
        )
    return parse_notification(body)


@dataclass
class _User:
    seq: int  # the clientSeq of the last applied event
    host: bool = False
    order: tuple[int, int] = (0, 0)  # (ts, arrival) of the event that made them a host


class ChannelStream:
    """One channel's notifications → the `Event`s that keep a roster of its hosts.

    - a `noticeId` seen among the last `max_notices` is a duplicate and changes nothing;
    - a user's event with a `clientSeq` at or below the last applied one for that uid is
      stale and ignored, so a late arrival never undoes newer state: whether someone is
      shown follows their newest event whatever the arrival order;
    - 103 / 107 / 111 make the user a host (a `join`), 104 / 108 / 112 and the audience's
      105 / 106 make them not one (a `leave` when they were); the audience is never shown;
    - the recorder (platform 6 with clientType 10 or 3) is never laid out;
    - 102 (channel destroyed) is everyone leaving, and user events dated (`ts`) before it
      are stale; 101 changes nothing.

    `hosts` lists the hosts in join order: by the `ts` of the event that made them a
    host, then by arrival. At most `max_users` uids are remembered (those who are not hosts
    are forgotten first, oldest first); `duplicates`, `stale` and `ignored` count what
    was dropped.
    """

    def __init__(self, channel: str, *, max_notices: int = 10_000, max_users: int = 10_000):
        if max_notices < 1 or max_users < 1:
            raise ValueError("max_notices and max_users must be at least 1")
        self.channel = channel
        self.max_users = max_users
        self._notices: deque[str] = deque(maxlen=max_notices)
        self._notice_set: set[str] = set()
        self._users: OrderedDict[int, _User] = OrderedDict()
        self._arrivals = 0
        self._destroyed_ts: int | None = None
        self.duplicates = 0
        self.stale = 0
        self.ignored = 0  # the recorder, or a new uid while every remembered one is a host

    @property
    def hosts(self) -> list[str]:
        """The uids shown, in join order."""
        shown = [(u.order, uid) for uid, u in self._users.items() if u.host]
        return [str(uid) for _, uid in sorted(shown)]

    def _remember(self, notice_id: str) -> bool:
        """False when `notice_id` is a duplicate; else remember it (bounded)."""
        if notice_id in self._notice_set:
            return False
        if len(self._notices) == self._notices.maxlen:
            self._notice_set.discard(self._notices[0])
        self._notices.append(notice_id)
        self._notice_set.add(notice_id)
        return True

    def apply(self, notification: Notification) -> list[Event]:
        """The roster events `notification` gives (often none)."""
        if notification.channel_name != self.channel:
            raise NotificationError(
                f"{notification.channel_name!r} is not this stream's channel {self.channel!r}",
                field="payload.channelName",
            )
        if not self._remember(notification.notice_id):
            self.duplicates += 1
            return []
        payload = notification.payload
        if isinstance(payload, ChannelPayload):
            return self._destroyed(payload.ts) if notification.event_type == 102 else []
        if payload.is_recorder:
            self.ignored += 1
            return []
        return self._user_event(notification.event_type, payload)

    def _destroyed(self, ts: int) -> list[Event]:
        self._destroyed_ts = max(ts, self._destroyed_ts or ts)
        events = []
        for uid in self.hosts:
            user = self._users[int(uid)]
            if user.order[0] <= ts:  # a host who joined after it is in the next session
                user.host = False
                events.append(Event("leave", uid))
        return events

    def _user_event(self, event_type: int, payload: UserPayload) -> list[Event]:
        uid, seq = payload.uid, payload.client_seq
        user = self._users.get(uid)
        too_old = self._destroyed_ts is not None and payload.ts < self._destroyed_ts
        if too_old or (user is not None and seq <= user.seq):
            self.stale += 1
            return []
        if user is None:
            if not self._make_room():
                self.ignored += 1
                return []
            user = self._users[uid] = _User(seq)
        self._users.move_to_end(uid)
        user.seq = seq
        self._arrivals += 1
        host = event_type in HOST_EVENTS
        if host == user.host:
            return []
        user.host = host
        if host:
            user.order = (payload.ts, self._arrivals)
            return [Event("join", str(uid))]
        return [Event("leave", str(uid))]

    def resync(self, hosts: Sequence[str | int]) -> list[Event]:
        """Make the hosts those of Agora's user list (`hosts`, in its order), after a gap
        in the notifications or a restart: the events that take the stream there (leaves
        first, then joins). A host added here has no `clientSeq` yet, so any later event
        of theirs applies; hosts it did not know join after those it did, in list order."""
        wanted: list[int] = []
        for uid in hosts:
            number = int(uid)
            if number not in wanted:
                wanted.append(number)
        events = [Event("leave", uid) for uid in self.hosts if int(uid) not in wanted]
        for event in events:
            self._users[int(event.uid)].host = False
        # hosts the stream missed join after the ones it knows (their join time is unknown)
        last = max((u.order[0] for u in self._users.values() if u.host), default=0)
        for number in wanted:
            user = self._users.get(number)
            if user is not None and user.host:
                continue
            if user is None:
                if not self._make_room():
                    self.ignored += 1
                    continue
                user = self._users[number] = _User(0)
            self._arrivals += 1
            user.host, user.order = True, (last, self._arrivals)
            events.append(Event("join", str(number)))
        return events

    def drop(self, uid: str | int) -> list[Event]:
        """`uid` is a recorder (learnt from elsewhere than its callbacks, e.g. a user list,
        which names recorders as hosts): no longer a host; its `leave` if it was one."""
        user = self._users.get(int(uid))
        if user is None or not user.host:
            return []
        user.host = False
        return [Event("leave", str(int(uid)))]

    def _make_room(self) -> bool:
        if len(self._users) < self.max_users:
            return True
        for uid, user in self._users.items():
            if not user.host:
                del self._users[uid]
                return True
        return False


class NotificationRouter:
    """A `ChannelStream` per channel name: `handle` gives (channel, events). At most
    `max_channels` streams are kept besides the pinned ones; past that the one used least
    recently and not pinned is forgotten (a channel that comes back starts afresh).
    `pin(channel)` keeps a channel's stream whatever the traffic elsewhere (a channel
    whose recording is being directed: forgetting it would forget who is in it)."""

    def __init__(
        self, *, max_channels: int = 1_000, max_notices: int = 10_000, max_users: int = 10_000
    ):
        if max_channels < 1:
            raise ValueError("max_channels must be at least 1")
        self.max_channels = max_channels
        self._max_notices = max_notices
        self._max_users = max_users
        self._streams: OrderedDict[str, ChannelStream] = OrderedDict()
        self._pinned: set[str] = set()

    def pin(self, channel: str) -> ChannelStream:
        """Keep `channel`'s stream (started if needed) until `unpin`."""
        self._pinned.add(channel)
        return self.open(channel)

    def unpin(self, channel: str) -> None:
        self._pinned.discard(channel)

    @property
    def channels(self) -> list[str]:
        """The channels followed, least recently used first."""
        return list(self._streams)

    def stream(self, channel: str) -> ChannelStream | None:
        return self._streams.get(channel)

    def open(self, channel: str) -> ChannelStream:
        """The channel's stream, started (empty) if it was not followed yet."""
        stream = self._streams.get(channel)
        if stream is None:
            if len(self._streams) - len(self._pinned & self._streams.keys()) >= self.max_channels:
                oldest = next((c for c in self._streams if c not in self._pinned), None)
                if oldest is not None:
                    del self._streams[oldest]
            stream = ChannelStream(
                channel, max_notices=self._max_notices, max_users=self._max_users
            )
            self._streams[channel] = stream
        self._streams.move_to_end(channel)
        return stream

    def handle(self, notification: Notification) -> tuple[str, list[Event]]:
        channel = notification.channel_name
        return channel, self.open(channel).apply(notification)

    def handle_body(
        self, body: bytes, headers: Mapping[str, str], secret: str
    ) -> tuple[str, list[Event]]:
        """Verify, parse and route a raw callback (`parse_verified`, then `handle`)."""
        return self.handle(parse_verified(body, headers, secret))


__all__ = [
    "CHANNEL_EVENTS",
    "CLIENT_TYPES",
    "EVENT_TYPES",
    "HOST_EVENTS",
    "LEAVE_EVENTS",
    "MAX_BODY_BYTES",
    "NOT_HOST_EVENTS",
    "PLATFORMS",
    "SIGNATURE_V1",
    "SIGNATURE_V2",
    "ChannelPayload",
    "ChannelStream",
    "Notification",
    "NotificationError",
    "NotificationRouter",
    "UnknownEventError",
    "UserPayload",
    "parse_notification",
    "parse_payload",
    "parse_verified",
    "sign",
    "verify_signature",
]
