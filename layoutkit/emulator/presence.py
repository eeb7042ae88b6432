"""Who is in a channel as Agora's RTC side sees it: the participants with their roles,
plus the recorder of every running recording (it joins as a user of its own, platform 6,
client type 10). From this come the Notifications events (by comparing who is in each
channel before and after every change) and the channel management API's user list."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from layoutkit.emulator.state import EmulatorState, Role

# Agora's Notifications event types for RTC channel events (live-broadcast profile)
CHANNEL_CREATED = 101
CHANNEL_DESTROYED = 102
HOST_JOINED = 103
HOST_LEFT = 104
AUDIENCE_JOINED = 105
AUDIENCE_LEFT = 106
AUDIENCE_TO_HOST = 111
HOST_TO_AUDIENCE = 112
RECORDER_PLATFORM = 6  # Linux
RECORDER_CLIENT_TYPE = 10  # Cloud Recording
LEAVE_REASON = 1  # the user left normally


@dataclass(frozen=True)
class Seat:
    """One user in a channel: their role, platform and (platform 6 only) client type."""

    uid: str
    role: Role
    platform: int
    client_type: int | None = None


Snapshot = dict[tuple[str, str], dict[str, Seat]]


def seats(state: EmulatorState, app_id: str, cname: str) -> dict[str, Seat]:
    """Everyone in the channel now, in join order, the recorders last."""
    with state.lock:
        found: dict[str, Seat] = {}
        channel = state.channels.get((app_id, cname))
        for member in channel.participants if channel is not None else []:
            found[member.uid] = Seat(member.uid, member.role, member.platform)
        for recording in state.active(app_id, cname):
            found.setdefault(
                recording.uid,
                Seat(recording.uid, "host", RECORDER_PLATFORM, RECORDER_CLIENT_TYPE),
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
    """One Notifications event before it is wrapped: its type and payload."""

    event_type: int
    app_id: str
    payload: dict[str, Any]


class Presence:
    """Turns changes of who is in which channel into Notifications events, numbering each
    user's events with an increasing `clientSeq`."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._last: Snapshot = {}
        self._seq: dict[tuple[str, str, str], int] = {}

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
        ts = int(time.time())
        found: list[Event] = []

        def user(kind: int, seat: Seat, **extra: Any) -> None:
            seq_key = (app_id, cname, seat.uid)
            self._seq[seq_key] = self._seq.get(seq_key, 0) + 1
            payload: dict[str, Any] = {
                "channelName": cname,
                "uid": number(seat.uid),
                "platform": seat.platform,
                "clientSeq": self._seq[seq_key],
                "ts": ts,
                **extra,
            }
            if seat.client_type is not None:
                payload["clientType"] = seat.client_type
            found.append(Event(kind, app_id, payload))

        if not old and new:
            found.append(Event(CHANNEL_CREATED, app_id, {"channelName": cname, "ts": ts}))
        for uid, seat in old.items():
            if uid not in new:
                kind = HOST_LEFT if seat.role == "host" else AUDIENCE_LEFT
                user(kind, seat, reason=LEAVE_REASON)
        for uid, seat in new.items():
            was = old.get(uid)
            if was is not None and was.role != seat.role:
                user(AUDIENCE_TO_HOST if seat.role == "host" else HOST_TO_AUDIENCE, seat)
            elif was is None:
                user(HOST_JOINED if seat.role == "host" else AUDIENCE_JOINED, seat)
        if old and not new:
            found.append(Event(CHANNEL_DESTROYED, app_id, {"channelName": cname, "ts": ts}))
        return found


def user_list(state: EmulatorState, app_id: str, cname: str, *, hosts_only: bool) -> dict[str, Any]:
    """The channel management API's answer for a live-broadcast channel: hosts (the
    recorders included, as Agora lists every user) and audience, uids as numbers.
    `hosts_only` leaves the audience out."""
    found = list(seats(state, app_id, cname).values())
    hosts = [number(s.uid) for s in found if s.role == "host"]
    audience = [number(s.uid) for s in found if s.role == "audience"]
    data: dict[str, Any] = {"channel_exist": bool(found), "mode": 2}
    if hosts_only:
        data |= {"total": len(hosts), "broadcasters": hosts}
    else:
        data |= {"total": len(found), "broadcasters": hosts, "audience": audience}
    return {"success": True, "data": data}


__all__ = [
    "AUDIENCE_JOINED",
    "AUDIENCE_LEFT",
    "AUDIENCE_TO_HOST",
    "CHANNEL_CREATED",
    "CHANNEL_DESTROYED",
    "HOST_JOINED",
    "HOST_LEFT",
    "HOST_TO_AUDIENCE",
    "RECORDER_CLIENT_TYPE",
    "RECORDER_PLATFORM",
    "Event",
    "Presence",
    "Seat",
    "number",
    "seats",
    "user_list",
]
