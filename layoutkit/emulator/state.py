"""The emulated service's state: resources, recordings, channels and who is in them (as
Agora's RTC side sees it, recorders included), layouts and their history, subscription
lists, faults and failovers, the request log, and the folders standing in for the layouts'
image URLs. Time comes from an injectable clock; `tick` makes what is due happen."""

from __future__ import annotations

import os
import random
import re
import secrets
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from layoutkit.compile.modes import resolve_payload
from layoutkit.geometry import ResolvedRegion
from layoutkit.wire.api import RecordingMode
from layoutkit.wire.layout import LayoutFields, UpdateLayoutClientRequest
from layoutkit.wire.rules import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    MAX_IMAGE_BYTES,
    UID_MAX,
    split_base_url,
)

if TYPE_CHECKING:
    from layoutkit.emulator.notify import Notifier

DEFAULT_LOG_SIZE = 10_000
MAX_LOGGED_PATH = 2048  # characters of a path kept in the log
RESOURCE_TTL = 300.0
DEFAULT_MAX_IDLE = 30
RATE_LIMIT = 10
RATE_WINDOW = 1.0
FaultKind = Literal["500", "504", "timeout", "drop"]
FAULT_KINDS: tuple[FaultKind, ...] = ("500", "504", "timeout", "drop")
# the calls on a running recording's sid: answered 404 during a failover
OUTAGE_ENDPOINTS = ("query", "update", "updateLayout", "stop")
MAX_OUTAGE = 3600.0
FAILOVER_SECONDS = 30.0  # Agora: a server process failure is switched over within 30 s
# How long a recording "exits" after it ended (a stop, maxIdleTime): a stop meanwhile is
# answered 400 with code 49, afterwards 404. Agora documents both answers, not how long
# exiting takes (it uploads the last files): an assumption.
EXIT_SECONDS = 30.0
# Cloud Recording events (productId 3) the emulator sends, with their `details`
SESSION_EXIT = 11  # {"msgName": "session_exit", "exitStatus": 0}: the recording ended
SESSION_FAILOVER = 12  # {"msgName": "session_failover", "newUid": int}
LEAVE_TIMED_OUT = 2  # a leave's `reason`: Agora heard nothing from the client for 10 s
STREAMS_AUDIO_AND_VIDEO = 2  # recordingConfig.streamTypes by default
RECORDER_PLATFORM = 6  # a recorder joins as a Linux user (platform 6), client type 10
RECORDER_CLIENT_TYPE = 10

MediaState = Literal["video", "video_off", "audio_only", "not_publishing"]
MEDIA_STATES: tuple[MediaState, ...] = ("video", "video_off", "audio_only", "not_publishing")
Role = Literal["host", "audience"]
ROLES: tuple[Role, ...] = ("host", "audience")
# A channel's profile, fixed by the first to join an empty channel: "live" broadcasting
# (hosts and audience) or "communication" (everyone is a user).
Profile = Literal["live", "communication"]
PROFILES: tuple[Profile, ...] = ("live", "communication")
NO_ROLES = (
    "role: channel {cname} is in the communication profile, where everyone is a user "
    "(no hosts, no audience)"
)
# Agora mixes the streams it receives: someone in the channel who publishes nothing is
# taken to have no place in the picture (neither a region of a built-in mode nor a
# uid-less region of a custom one). Agora documents no rule; set False to give such a
# user a region like anyone else.
SILENT_USERS_TAKE_NO_REGION = True


@dataclass
class LoggedRequest:
    time: float
    wall: float
    method: str
    path: str
    endpoint: str
    app_id: str | None
    status: int


class RequestLog(deque[LoggedRequest]):
    """The last `maxlen` requests, oldest first; compares equal to a list of the same."""

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, list) else super().__eq__(other)

    __hash__ = None


@dataclass(frozen=True)
class Answer:
    """A canned service answer to inject: `{"code": code, "reason": reason}` with `status`."""

    status: int
    code: int
    reason: str


Fault = FaultKind | Answer


class ManualClock:
    """A clock that moves only when told to: `advance(seconds)`."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@dataclass
class Member:
    """Someone in the channel and what they send: `video`, `video_off` (muted camera),
    `audio_only` (still takes a region) or `not_publishing`."""

    uid: str
    media: MediaState = "video"
    role: Role = "host"  # live-broadcast profile: an audience member sends nothing
    platform: int = 7  # as Agora's Notifications number it (7 Web)

    @property
    def publishing(self) -> bool:
        return self.media != "not_publishing" and self.role == "host"

    @property
    def drawn(self) -> bool:
        """Whether Agora gives this user a place in the composite."""
        return self.publishing or not SILENT_USERS_TAKE_NO_REGION


@dataclass
class Channel:
    """Who is in a channel, since when no host has been (maxIdleTime counts from then),
    and its profile."""

    participants: list[Member] = field(default_factory=list)
    idle_since: float | None = None
    profile: Profile = "live"

    def uids(self) -> list[str]:
        return [p.uid for p in self.participants]

    def drawn(self) -> list[str]:
        """The users Agora lays out, in join order."""
        return [p.uid for p in self.participants if p.drawn]

    def find(self, uid: str) -> Member | None:
        return next((p for p in self.participants if p.uid == uid), None)


SeatRole = Literal["host", "audience", "user"]  # "user": in a communication channel


@dataclass(frozen=True)
class Seat:
    """One user in a channel as Agora's RTC side sees it (client type: platform 6 only)."""

    uid: str
    role: SeatRole
    platform: int
    client_type: int | None = None


def number(uid: str) -> int | str:
    """A uid as Agora sends it: a number (a uid that is not one stays a string)."""
    return int(uid) if uid.isdigit() else uid


@dataclass
class Resource:
    resource_id: str
    app_id: str
    cname: str
    uid: str
    created: float
    sid: str | None = None


@dataclass
class LayoutChange:
    time: float
    layout: dict[str, Any]


@dataclass
class Recording:
    sid: str
    resource_id: str
    app_id: str
    cname: str
    uid: str
    mode: RecordingMode
    started: float
    file_types: tuple[str, ...] = ("hls",)
    max_idle: int = DEFAULT_MAX_IDLE
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    layout: dict[str, Any] = field(default_factory=lambda: {"mixedVideoLayout": 0})
    history: list[LayoutChange] = field(default_factory=list)
    published: bool = False
    publishers: list[str] = field(default_factory=list)
    ended: float | None = None
    ended_by: str | None = None
    wall: float = field(default_factory=time.time)
    stream_types: int = STREAMS_AUDIO_AND_VIDEO
    # streamSubscribe as start or the last `update` set it ({} when all is subscribed)
    subscription: dict[str, Any] = field(default_factory=dict)
    # as the control API shows them: each accepted update, each failover
    updates: list[dict[str, Any]] = field(default_factory=list)
    # the recorder's uid in the channel: `uid` until a failover gives it a new one; None
    # while it is switched over (until `failover_until`, then it is `next_uid`)
    recorder_uid: str | None = None
    failover_until: float | None = None
    next_uid: str | None = None
    failovers: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.recorder_uid = self.recorder_uid or self.uid

    def status(self, now: float) -> int:
        """0..8 as query reports it: starting up over 2 s, then 5 once someone published."""
        if self.ended is not None:
            return 8
        elapsed = now - self.started
        if elapsed >= 2.0 and self.published:
            return 5
        return min(4, 1 + int(elapsed / 0.5))

    def layout_model(self) -> LayoutFields:
        return UpdateLayoutClientRequest.model_validate(self.layout)


class EmulatorState:
    """Everything the emulator knows; every method takes the lock."""

    def __init__(
        self,
        *,
        app_ids: tuple[str, ...] = (),
        customer_id: str | None = None,
        customer_secret: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        rate_limit: int | None = RATE_LIMIT,
        log_size: int = DEFAULT_LOG_SIZE,
    ) -> None:
        if log_size < 1:
            raise ValueError("log_size: at least 1")
        self.app_ids = app_ids
        self.rate_limit = rate_limit
        self.customer_id = customer_id
        self._customer_secret = customer_secret
        self.clock = clock
        self.lock = threading.RLock()
        self.resources: dict[str, Resource] = {}
        self.recordings: dict[str, Recording] = {}
        self.channels: dict[tuple[str, str], Channel] = {}
        self.faults: deque[Fault] = deque()
        self.fault_delay = 2.0
        self.outage_until: float | None = None  # see `outage`
        self.sid_outages: dict[str, float] = {}  # sid -> end of its failover's 404s
        # (app, cname, uid) -> the `reason` of that user's next leave (default: they quit)
        self.leave_reasons: dict[tuple[str, str, str], int] = {}
        self.latency = 0.0  # real seconds each API request is held, in flight, before it runs
        self._chaos: tuple[float, tuple[FaultKind, ...], random.Random] | None = None
        self.requests = RequestLog(maxlen=log_size)  # the last `log_size` API requests
        self.assets = AssetFolders()  # base URL -> folder: the images the composite shows
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.in_flight_sid: dict[tuple[str, str], int] = {}  # (endpoint, sid)
        self.max_in_flight_sid: dict[tuple[str, str], int] = {}
        self._recent: dict[str, deque[float]] = {}
        self.notifier: Notifier | None = None  # with Notifications on: told of each change

    def changed(self) -> None:
        if self.notifier is not None:
            self.notifier.changed()

    def __repr__(self) -> str:
        return f"EmulatorState(app_ids={self.app_ids!r}, customer_id={self.customer_id!r})"

    # --- gateway ---------------------------------------------------------------------------

    def credentials_ok(self, key: str, secret: str) -> bool:
        if self.customer_id is None:
            return True
        # bytes: compare_digest refuses str with non-ASCII characters
        return secrets.compare_digest(
            key.encode(), self.customer_id.encode()
        ) and secrets.compare_digest(secret.encode(), (self._customer_secret or "").encode())

    def app_ok(self, app_id: str) -> bool:
        return not self.app_ids or app_id in self.app_ids

    def over_rate(self, app_id: str) -> bool:
        """Count this request; True past `rate_limit` in the last RATE_WINDOW seconds."""
        if self.rate_limit is None:
            return False
        with self.lock:
            now = self.clock()
            recent = self._recent.setdefault(app_id, deque())
            while recent and now - recent[0] >= RATE_WINDOW:
                recent.popleft()
            if len(recent) >= self.rate_limit:
                return True
            recent.append(now)
            return False

    def next_fault(self) -> Fault | None:
        """The fault for this request: queued ones first, then chaos, if set."""
        with self.lock:
            if self.faults:
                return self.faults.popleft()
            if self._chaos is not None:
                ratio, kinds, rng = self._chaos
                if rng.random() < ratio:
                    return rng.choice(kinds)
            return None

    def set_chaos(
        self, ratio: float, kinds: tuple[FaultKind, ...] = FAULT_KINDS, seed: int | None = None
    ) -> None:
        """Fail about `ratio` of the API requests with a random kind of `kinds` (0: off)."""
        with self.lock:
            self._chaos = (ratio, kinds, random.Random(seed)) if ratio > 0 and kinds else None

    def inject(self, kind: Fault, count: int = 1) -> None:
        with self.lock:
            self.faults.extend([kind] * count)

    def outage(self, seconds: float) -> None:
        """For `seconds` of this state's clock, query, update, updateLayout and stop answer
        404 "failed to find worker" for every sid, as in Agora's failover, while the
        recordings go on. 0 ends an outage."""
        if not 0 <= seconds <= MAX_OUTAGE:
            raise ValueError(f"outage: give 0 to {MAX_OUTAGE:g} seconds")
        with self.lock:
            self.outage_until = self.clock() + seconds if seconds > 0 else None

    def in_outage(self, endpoint: str, sid: str | None = None) -> bool:
        """Whether a request to `endpoint` (for `sid`) falls in an `outage` or a failover."""
        if endpoint not in OUTAGE_ENDPOINTS:
            return False
        with self.lock:
            now = self.clock()
            if self.outage_until is not None and now >= self.outage_until:
                self.outage_until = None
            until = self.sid_outages.get(sid or "")
            return self.outage_until is not None or (until is not None and now < until)

    def clear_faults(self) -> None:
        """No more queued faults, outage or failovers (the recorders rejoin at once)."""
        with self.lock:
            self.faults.clear()
            self.outage_until = None
            for recording in self.recordings.values():
                if recording.failover_until is not None:
                    recording.failover_until = self.clock()
            self.tick()

    def count_in_flight(self, endpoint: str, sid: str | None, step: int) -> None:
        """+1 as a request to `endpoint` (for `sid`) starts, -1 as it ends; keeps the most
        at once per endpoint and per (endpoint, sid)."""
        with self.lock:
            counters: list[tuple[dict[Any, int], dict[Any, int], Any]] = [
                (self.in_flight, self.max_in_flight, endpoint)
            ]
            if sid is not None:
                counters.append((self.in_flight_sid, self.max_in_flight_sid, (endpoint, sid)))
            for now, most, key in counters:
                now[key] = now.get(key, 0) + step
                most[key] = max(now[key], most.get(key, 0))

    def log(self, method: str, path: str, endpoint: str, app_id: str | None, status: int) -> None:
        with self.lock:
            path, app_id = path[:MAX_LOGGED_PATH], app_id and app_id[:MAX_LOGGED_PATH]
            self.requests.append(
                LoggedRequest(self.clock(), time.time(), method, path, endpoint, app_id, status)
            )

    # --- channels --------------------------------------------------------------------------

    def channel(self, app_id: str, cname: str) -> Channel:
        with self.lock:
            return self.channels.setdefault((app_id, cname), Channel(idle_since=self.clock()))

    def join(
        self,
        app_id: str,
        cname: str,
        uid: str,
        *,
        media: MediaState = "video",
        role: Role | None = None,
        platform: int = 7,
        profile: Profile | None = None,
    ) -> None:
        """`uid` joins the channel (joining again changes only its media and, if given, its
        role). The first to join an empty channel sets its `profile` (by default live);
        ValueError for another profile, or for a role in a communication channel."""
        with self.lock:
            self.tick()
            channel = self.channel(app_id, cname)
            self._set_profile(channel, app_id, cname, profile)
            if role == "audience" and channel.profile == "communication":
                raise ValueError(NO_ROLES.format(cname=cname))
            if uid not in channel.uids():
                channel.participants.append(Member(uid, media, role or "host", platform))
            elif role is not None:
                self.set_role(app_id, cname, uid, role)
            self._mark_idle(channel)
            self.set_media(app_id, cname, uid, media)
            self.changed()

    def _set_profile(
        self, channel: Channel, app_id: str, cname: str, profile: Profile | None
    ) -> None:
        """An empty channel (nobody, no recorder) takes the profile of its first user."""
        if not channel.participants and not self.active(app_id, cname):
            channel.profile = profile or "live"
        elif profile is not None and profile != channel.profile:
            raise ValueError(
                f"profile: channel {cname} is in the {channel.profile} profile already; "
                "a profile is set by the first to join an empty channel"
            )

    def _mark_idle(self, channel: Channel) -> None:
        """maxIdleTime counts from the moment no host is left (audience may remain)."""
        if any(p.role == "host" for p in channel.participants):
            channel.idle_since = None
        elif channel.idle_since is None:
            channel.idle_since = self.clock()

    def _member(self, app_id: str, cname: str, uid: str) -> Member:
        person = self.channel(app_id, cname).find(uid)
        if person is None:
            raise ValueError(f"uid {uid} is not in channel {cname}")
        return person

    def set_role(self, app_id: str, cname: str, uid: str, role: Role) -> None:
        """`uid` becomes a host or an audience member; ValueError when not in the channel,
        or in a communication channel (no roles there)."""
        with self.lock:
            person, channel = self._member(app_id, cname, uid), self.channel(app_id, cname)
            if channel.profile == "communication":  # everyone is a user: host changes nothing
                if role != "host":
                    raise ValueError(NO_ROLES.format(cname=cname))
                return
            person.role = role
            self._mark_idle(channel)
            self.set_media(app_id, cname, uid, person.media)
            self.changed()

    def set_media(self, app_id: str, cname: str, uid: str, media: MediaState) -> None:
        """Change what `uid` sends; ValueError when they are not in the channel."""
        with self.lock:
            person = self._member(app_id, cname, uid)
            person.media = media
            if person.publishing:
                for rec in self.active(app_id, cname):
                    rec.published = True
                    if uid not in rec.publishers:
                        rec.publishers.append(uid)

    def leave(self, app_id: str, cname: str, uid: str) -> bool:
        with self.lock:
            self.tick()
            channel = self.channel(app_id, cname)
            before = len(channel.participants)
            channel.participants = [p for p in channel.participants if p.uid != uid]
            self._mark_idle(channel)
            self.changed()
            return len(channel.participants) < before

    # --- recordings ------------------------------------------------------------------------

    def new_resource(self, app_id: str, cname: str, uid: str) -> Resource:
        with self.lock:
            rid = secrets.token_urlsafe(192)
            resource = Resource(rid, app_id, cname, uid, self.clock())
            self.resources[rid] = resource
            return resource

    def active(self, app_id: str, cname: str) -> list[Recording]:
        return [
            r
            for r in self.recordings.values()
            if r.app_id == app_id and r.cname == cname and r.ended is None
        ]

    def start(self, resource: Resource, mode: RecordingMode, **settings: Any) -> Recording:
        """The recording of `resource` starts; `settings`: the Recording's fields, from
        `file_types` and `max_idle` on."""
        with self.lock:
            sid = secrets.token_hex(16)
            ids = (resource.resource_id, resource.app_id, resource.cname, resource.uid)
            recording = Recording(sid, *ids, mode, self.clock(), **settings)
            channel = self.channel(resource.app_id, resource.cname)
            recording.publishers = [p.uid for p in channel.participants if p.publishing]
            recording.published = bool(recording.publishers)
            resource.sid = sid
            self.recordings[sid] = recording
            self.changed()  # the recorder joins the channel
            return recording

    def set_layout(self, recording: Recording, layout: dict[str, Any]) -> None:
        with self.lock:
            recording.layout = layout
            recording.history.append(LayoutChange(self.clock(), layout))

    def record_update(self, recording: Recording, request: dict[str, Any]) -> None:
        """An accepted `update`: its streamSubscribe replaces the subscription lists."""
        with self.lock:
            if "streamSubscribe" in request:
                recording.subscription = request["streamSubscribe"]
            recording.updates.append({"time": self.clock(), "request": request})

    def end(self, recording: Recording, why: str, at: float | None = None) -> None:
        """The recording ends (at `at`, by default now): the recorder leaves and Agora
        sends session_exit."""
        with self.lock:
            if recording.ended is not None:
                return
            recording.ended = self.clock() if at is None else at
            recording.ended_by = why
            recording.failover_until = recording.next_uid = None
            self.sid_outages.pop(recording.sid, None)
            self.changed()  # the recorder leaves
            self._recording_event(recording, SESSION_EXIT, exitStatus=0)

    def _recording_event(self, recording: Recording, kind: int, **details: Any) -> None:
        if self.notifier is not None:
            name = "session_exit" if kind == SESSION_EXIT else "session_failover"
            self.notifier.recording_event(recording, kind, {"msgName": name, **details})

    def exiting(self, recording: Recording) -> bool:
        """Whether the recording has ended and is still exiting (EXIT_SECONDS)."""
        with self.lock:
            ended = recording.ended
            return ended is not None and self.clock() < ended + EXIT_SECONDS

    def tick(self) -> None:
        """Make what is due by now happen: recordings idle past maxIdleTime end, the
        recorders of finished failovers rejoin."""
        with self.lock:
            now = self.clock()
            for recording in list(self.recordings.values()):
                if recording.ended is None:
                    self._rejoin_if_due(recording, now)
                    self._expire_if_idle(recording, now)

    def _expire_if_idle(self, recording: Recording, now: float) -> None:
        since = self.channel(recording.app_id, recording.cname).idle_since
        if since is None:
            return
        fires = max(since, recording.started) + recording.max_idle
        if now > fires:
            self.end(recording, "maxIdleTime", at=fires)

    def failover(self, recording: Recording, seconds: float = FAILOVER_SECONDS) -> str:
        """Agora's failover of a running recording: the recorder leaves at once (timed
        out), Agora sends session_failover with the new uid, the sid answers 404 for
        `seconds`, then the recorder rejoins with that uid and the recording goes on.
        The new uid; ValueError when the recording has ended or is failing over."""
        if not 0 < seconds <= MAX_OUTAGE:
            raise ValueError(f"seconds: more than 0, at most {MAX_OUTAGE:g}")
        with self.lock:
            if recording.ended is not None:
                raise ValueError(f"recording {recording.sid} has ended")
            old = recording.recorder_uid
            if old is None:
                raise ValueError(f"recording {recording.sid} is failing over already")
            now = self.clock()
            new = self._free_uid(recording.app_id, recording.cname)
            if self.notifier is not None:  # read (and dropped) by the Notifications
                self.leave_reasons[(recording.app_id, recording.cname, old)] = LEAVE_TIMED_OUT
            recording.recorder_uid, recording.next_uid = None, new
            recording.failover_until = self.sid_outages[recording.sid] = now + seconds
            recording.failovers.append({"time": now, "oldUid": old, "newUid": new})
            self.changed()  # the recorder leaves
            self._recording_event(recording, SESSION_FAILOVER, newUid=int(new))
            return new

    def _rejoin_if_due(self, recording: Recording, now: float) -> None:
        if recording.failover_until is None or now < recording.failover_until:
            return
        recording.recorder_uid, recording.next_uid = recording.next_uid, None
        recording.failover_until = None
        self.sid_outages.pop(recording.sid, None)
        self.changed()  # the recorder rejoins with its new uid

    def _free_uid(self, app_id: str, cname: str) -> str:
        """A random uid nobody in the channel has (a recorder's new uid)."""
        taken = set(self.channel(app_id, cname).uids()) | {
            uid for r in self.active(app_id, cname) for uid in (r.recorder_uid, r.next_uid)
        }
        while True:
            uid = str(secrets.randbelow(UID_MAX) + 1)
            if uid not in taken:
                return uid

    def picture(self, recording: Recording) -> list[tuple[ResolvedRegion, MediaState | None]]:
        """What the recording's composite shows now: each region Agora draws, with what its
        user sends (None for a region with nobody in it)."""
        with self.lock:
            channel = self.channel(recording.app_id, recording.cname)
            regions = resolve_payload(recording.layout_model(), channel.drawn())
            media = {p.uid: p.media for p in channel.participants}
            return [(r, media.get(r.uid) if r.uid is not None else None) for r in regions]


def seats(state: EmulatorState, app_id: str, cname: str) -> dict[str, Seat]:
    """Everyone in the channel now, in join order, the recorders last (a recorder being
    switched over by a failover is in no channel)."""
    with state.lock:
        found: dict[str, Seat] = {}
        channel = state.channels.get((app_id, cname))
        users = channel is not None and channel.profile == "communication"
        for member in channel.participants if channel is not None else []:
            found[member.uid] = Seat(member.uid, "user" if users else member.role, member.platform)
        for recording in state.active(app_id, cname):
            uid = recording.recorder_uid
            if uid is not None:
                role: SeatRole = "user" if users else "host"
                found.setdefault(uid, Seat(uid, role, RECORDER_PLATFORM, RECORDER_CLIENT_TYPE))
        return found


# --- the images a layout names, served from local folders ---------------------------------
#
# A base URL (`https://cdn.example.com/show/`) maps to a folder. A URL resolves when it is
# the base (scheme and host in any case, the same path, with or without the base's
# trailing slash) followed by one plain file name (`[A-Za-z0-9._-]+`, not `.` or `..`),
# and that name is a regular file inside the folder (a symlink only if it ends inside) of
# at most MAX_IMAGE_BYTES. Files are looked up when asked, as Agora downloads them.

ImageStatus = Literal["resolved", "not found", "not served here"]
NAME = re.compile(r"[A-Za-z0-9._-]+")
IMAGE_KEYS = ("backgroundImage", "defaultUserBackgroundImage")


def check_base(url: str) -> str:
    """A base URL as resolution compares it (scheme and host in lower case, the path
    ending in `/`); ValueError saying what is wrong: not http(s), a base URL
    `split_base_url` refuses, a `\\` or `%` in the path."""
    text = url.strip()
    if text.partition("://")[0].lower() not in ("http", "https"):
        raise ValueError(f"{url!r} is not an http:// or https:// URL: write https://HOST/PATH")
    try:
        parts = split_base_url(text)
    except ValueError as exc:
        raise ValueError(f"{url!r}: {exc}") from None
    if "\\" in parts.path or "%" in parts.path:
        raise ValueError(f"{url!r}: a base URL's path has no '\\' or '%': remove them")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def _name_under(url: str, base: str) -> str | None:
    """The rest of `url` after `base` (as `check_base` gives it), or None when `url` is
    not under `base`."""
    try:
        split, home = urlsplit(url), urlsplit(base)
    except ValueError:
        return None
    head = f"{split.scheme.lower()}://{split.netloc.lower()}"
    if url[: len(head)].lower() != head or head != f"{home.scheme}://{home.netloc}":
        return None
    rest = url[len(head) :]
    return rest[len(home.path) :] if rest.startswith(home.path) else None


def _servable(folder: Path, name: str) -> Path | None:
    """`folder/name` with symlinks followed, if it ends inside `folder` and is a regular
    file of at most MAX_IMAGE_BYTES bytes."""
    if not NAME.fullmatch(name) or name in (".", ".."):
        return None
    try:
        root = Path(os.path.realpath(folder))
        target = Path(os.path.realpath(root / name))
        info = target.stat()
    except (OSError, RuntimeError, ValueError):
        return None
    if target.parent != root or not stat.S_ISREG(info.st_mode):
        return None
    return target if info.st_size <= MAX_IMAGE_BYTES else None


def resolve_image(url: str, folders: Mapping[str, Path]) -> tuple[ImageStatus, Path | None]:
    """What stands in for the image at `url`: ("resolved", the file), ("not found", None)
    when a base covers the URL but serves no file for it, ("not served here", None)."""
    covered = False
    for base, folder in folders.items():
        try:
            name = _name_under(url, check_base(base))
        except ValueError:
            continue
        if name is None:
            continue
        covered = True
        found = _servable(Path(folder), name)
        if found is not None:
            return "resolved", found
    return ("not found" if covered else "not served here"), None


def image_urls(layout: Mapping[str, Any]) -> list[str]:
    """Every image URL a layout's JSON asks Agora to download, each once, in order."""
    candidates: list[Any] = [layout.get(key) for key in IMAGE_KEYS]
    for entry in layout.get("backgroundConfig") or []:
        if isinstance(entry, Mapping):
            candidates.append(entry.get("image_url"))
    return list(dict.fromkeys(url for url in candidates if isinstance(url, str) and url))


class AssetFolders:
    """The base URL -> folder mappings of one emulator; thread-safe, added to at any time."""

    def __init__(self, folders: Mapping[str, Path | str] | None = None) -> None:
        self._lock = threading.Lock()
        self._folders: dict[str, Path] = {}
        for base, folder in (folders or {}).items():
            self.add(base, folder)

    def add(self, base: str, folder: Path | str) -> None:
        """Serve `base` + a file name from `folder`; ValueError for a bad base."""
        key = check_base(base)
        with self._lock:
            self._folders[key] = Path(folder).absolute()

    def resolve(self, urls: Iterable[str]) -> dict[str, tuple[ImageStatus, Path | None]]:
        """Each URL's status and file, looked up now."""
        with self._lock:
            folders = dict(self._folders)
        return {url: resolve_image(url, folders) for url in urls}

    def __repr__(self) -> str:
        with self._lock:
            return f"AssetFolders({len(self._folders)} bases)"
