"""Who is in a channel as Agora's RTC side sees it: the participants with their roles,
plus the recorder of every running recording (it joins as a user of its own, platform 6,
client type 10). From this come the Notifications events (by comparing who is in each
channel before and after every change), the channel management API's user list, and the
Console's health-check callbacks.

Every payload has exactly the fields Agora's channel event reference gives its event
type (docs.agora.io/en/api-reference/api-ref/rtc/channel-event-types): 101 `channelName`,
`ts`; 102 adds `lastUid`; 103-106 `channelName`, `uid`, `platform`, `clientType` (only
with platform 6), `clientSeq`, `ts`, and the leaves `reason` and `duration`; 107/108 the
same without `clientType`; 111/112 only `channelName`, `uid`, `clientSeq`, `ts`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from layoutkit.emulator.state import EmulatorState, Recording
from layoutkit.wire.replies import HEALTH_CHANNEL, HEALTH_UID

PRODUCT_RTC = 1  # the envelope's productId of RTC channel events
# Agora's Notifications event types for RTC channel events
CHANNEL_CREATED = 101
CHANNEL_DESTROYED = 102
HOST_JOINED = 103
HOST_LEFT = 104
AUDIENCE_JOINED = 105
AUDIENCE_LEFT = 106
USER_JOINED = 107  # communication profile
USER_LEFT = 108
AUDIENCE_TO_HOST = 111
HOST_TO_AUDIENCE = 112
RTC_EVENT_TYPES = (101, 102, 103, 104, 105, 106, 107, 108, 111, 112)
RECORDER_PLATFORM = 6  # Linux
RECORDER_CLIENT_TYPE = 10  # Cloud Recording
LEAVE_REASON = 1  # the user left normally
MAX_AUDIENCE_LISTED = 10_000  # the user list names the first 10,000 audience members
# the Console's health check: one callback per subscribed event type, for this user
HEALTH_PLATFORM = 1  # as Agora's examples of these callbacks
HEALTH_DURATION = 600

SeatRole = Literal["host", "audience", "user"]  # "user": in a communication channel
JOINS: dict[str, int] = {"host": HOST_JOINED, "audience": AUDIENCE_JOINED, "user": USER_JOINED}
LEAVES: dict[str, int] = {"host": HOST_LEFT, "audience": AUDIENCE_LEFT, "user": USER_LEFT}


@dataclass(frozen=True)
class Seat:
    """One user in a channel: their role, platform and (platform 6 only) client type."""

    uid: str
    role: SeatRole
    platform: int
    client_type: int | None = None


Snapshot = dict[tuple[str, str], dict[str, Seat]]


def seats(state: EmulatorState, app_id: str, cname: str) -> dict[str, Seat]:
    """Everyone in the channel now, in join order, the recorders last (a recorder that
    is being switched over by a failover is in no channel)."""
    with state.lock:
        found: dict[str, Seat] = {}
        channel = state.channels.get((app_id, cname))
        users = channel is not None and channel.profile == "communication"
        for member in channel.participants if channel is not None else []:
            found[member.uid] = Seat(member.uid, "user" if users else member.role, member.platform)
        for recording in state.active(app_id, cname):
            if recording.recorder_uid is not None:
                found.setdefault(
                    recording.recorder_uid,
                    Seat(
                        recording.recorder_uid,
                        "user" if users else "host",
                        RECORDER_PLATFORM,
                        RECORDER_CLIENT_TYPE,
                    ),
                )
        return found


def snapshot(state: EmulatorState) -> Snapshot:
    """Everyone in every channel that has someone in it."""
    with state.lock:
        keys = set(state.channels) | {(r.app_id, r.cname) for r in state.recordings.values()}
        taken = {key: seats(state, *key) for key in keys}
        return {key: found for key, found in taken.items() if found}


def number(uid: str) -> int | str:
    """A uid as Agora sends it: a number (a uid that is not one stays a string)."""
    return int(uid) if uid.isdigit() else uid


@dataclass(frozen=True)
class Event:
    """One Notifications event before it is wrapped: its type, product and payload."""

    event_type: int
    app_id: str
    payload: dict[str, Any]
    product_id: int = PRODUCT_RTC


def user_payload(
    kind: int, cname: str, seat: Seat, client_seq: int, ts: int, **leave: int
) -> dict[str, Any]:
    """The payload of a user's event `kind`, in the order of Agora's examples: role
    changes carry no platform, a communication user no client type; `leave` adds
    `reason` and `duration`."""
    payload: dict[str, Any] = {"channelName": cname, "uid": number(seat.uid)}
    if kind not in (AUDIENCE_TO_HOST, HOST_TO_AUDIENCE):
        payload["platform"] = seat.platform
        linux = seat.platform == RECORDER_PLATFORM and seat.client_type is not None
        if linux and kind not in (USER_JOINED, USER_LEFT):
            payload["clientType"] = seat.client_type
    payload["clientSeq"] = client_seq
    if "reason" in leave:
        payload["reason"] = leave["reason"]
    payload["ts"] = ts
    if "duration" in leave:
        payload["duration"] = leave["duration"]
    return payload


class Presence:
    """Turns changes of who is in which channel into Notifications events, numbering each
    user's events with an increasing `clientSeq` (a Uint64: like Agora's, a millisecond
    count, so past 2**32)."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._last: Snapshot = {}
        self._seq: dict[tuple[str, str, str], int] = {}
        self._joined: dict[tuple[str, str, str], float] = {}

    def events(self) -> list[Event]:
        """The events since the last call (call it under the state's lock)."""
        with self.state.lock:
            now = snapshot(self.state)
            before, self._last = self._last, now
            found: list[Event] = []
            for key in [*before, *(k for k in now if k not in before)]:
                found += self._channel(key, before.get(key, {}), now.get(key, {}))
            return found

    def _channel(
        self, key: tuple[str, str], old: dict[str, Seat], new: dict[str, Seat]
    ) -> list[Event]:
        app_id, cname = key
        now = time.time()
        found: list[Event] = []
        if not old and new:
            found.append(Event(CHANNEL_CREATED, app_id, {"channelName": cname, "ts": int(now)}))
        last = None
        for uid, seat in old.items():
            if uid not in new or _other_kind(seat, new[uid]):
                found.append(self._left(app_id, cname, seat, now))
                last = uid
        for uid, seat in new.items():
            was = old.get(uid)
            if was is None or _other_kind(was, seat):
                found.append(self._user(JOINS[seat.role], app_id, cname, seat, now))
                self._joined[(app_id, cname, uid)] = now
            elif was.role != seat.role:
                kind = AUDIENCE_TO_HOST if seat.role == "host" else HOST_TO_AUDIENCE
                found.append(self._user(kind, app_id, cname, seat, now))
        if old and not new and last is not None:
            payload = {"channelName": cname, "lastUid": number(last), "ts": int(now)}
            found.append(Event(CHANNEL_DESTROYED, app_id, payload))
        return found

    def _next_seq(self, key: tuple[str, str, str], now: float) -> int:
        seq = max(self._seq.get(key, 0) + 1, int(now * 1000))
        self._seq[key] = seq
        return seq

    def _user(self, kind: int, app_id: str, cname: str, seat: Seat, now: float) -> Event:
        seq = self._next_seq((app_id, cname, seat.uid), now)
        return Event(kind, app_id, user_payload(kind, cname, seat, seq, int(now)))

    def _left(self, app_id: str, cname: str, seat: Seat, now: float) -> Event:
        key = (app_id, cname, seat.uid)
        reason = self.state.leave_reasons.pop(key, LEAVE_REASON)
        duration = int(now - self._joined.pop(key, now))
        seq = self._next_seq(key, now)
        kind = LEAVES[seat.role]
        payload = user_payload(kind, cname, seat, seq, int(now), reason=reason, duration=duration)
        return Event(kind, app_id, payload)


def _other_kind(was: Seat, now: Seat) -> bool:
    """A user of a communication channel and a host or audience member of a live one are
    not the same presence (the channel was destroyed and made again in between)."""
    return (was.role == "user") != (now.role == "user")


def health_check(event_types: Sequence[int] = RTC_EVENT_TYPES) -> list[Event]:
    """The callbacks of the Console's health check: one per event type, for channel
    `test_webhook` and uid 12121212, shaped as Agora's examples of each type."""
    now = time.time()
    seat = Seat(str(HEALTH_UID), "host", HEALTH_PLATFORM)
    found = []
    for kind in event_types:
        if kind in (CHANNEL_CREATED, CHANNEL_DESTROYED):
            payload: dict[str, Any] = {"channelName": HEALTH_CHANNEL, "ts": int(now)}
            if kind == CHANNEL_DESTROYED:
                payload = {"channelName": HEALTH_CHANNEL, "lastUid": HEALTH_UID, "ts": int(now)}
        elif kind in LEAVES.values():
            leave = {"reason": LEAVE_REASON, "duration": HEALTH_DURATION}
            payload = user_payload(kind, HEALTH_CHANNEL, seat, int(now * 1000), int(now), **leave)
        else:
            payload = user_payload(kind, HEALTH_CHANNEL, seat, int(now * 1000), int(now))
        found.append(Event(kind, "", payload))
    return found


def user_list(state: EmulatorState, app_id: str, cname: str, *, hosts_only: bool) -> dict[str, Any]:
    """The channel management API's answer, uids as numbers, the recorders included (as
    Agora lists every user): `channel_exist` false and nothing else for a channel nobody
    is in; in a communication channel `mode` 1, `total` and `users`; in a live one `mode`
    2, `broadcasters`, `audience` (the first 10,000) and `audience_total` (`hosts_only`:
    the broadcasters alone)."""
    with state.lock:
        found = list(seats(state, app_id, cname).values())
        channel = state.channels.get((app_id, cname))
        profile = channel.profile if channel is not None else "live"
    if not found:
        return {"success": True, "data": {"channel_exist": False}}
    if profile == "communication":
        users = [number(s.uid) for s in found]
        data = {"channel_exist": True, "mode": 1, "total": len(users), "users": users}
        return {"success": True, "data": data}
    hosts = [number(s.uid) for s in found if s.role == "host"]
    data = {"channel_exist": True, "mode": 2, "broadcasters": hosts}
    if not hosts_only:
        audience = [number(s.uid) for s in found if s.role == "audience"]
        data |= {"audience": audience[:MAX_AUDIENCE_LISTED], "audience_total": len(audience)}
    return {"success": True, "data": data}


PRODUCT_CLOUD_RECORDING = 3
SERVICE_CLOUD_RECORDING = 0  # serviceType of events 11 and 12


class RecordingEvents:
    """Numbers each recording's events with its own `sequence` and wraps them as Events."""

    def __init__(self) -> None:
        self._sequence: dict[str, int] = {}

    def event(self, recording: Recording, kind: int, details: dict[str, Any]) -> Event:
        sequence = self._sequence.get(recording.sid, 0)
        self._sequence[recording.sid] = sequence + 1
        payload = {
            "cname": recording.cname,
            "uid": recording.uid,
            "sid": recording.sid,
            "sequence": sequence,
            "sendts": int(time.time() * 1000),
            "serviceType": SERVICE_CLOUD_RECORDING,
            "details": dict(details),
        }
        return Event(kind, recording.app_id, payload, PRODUCT_CLOUD_RECORDING)
