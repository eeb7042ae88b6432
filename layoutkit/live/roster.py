"""Who is in the channel, in join order, with roles, names and what each person sends
(camera `video`, microphone `audio`); the events that change it; and the active speaker's
hysteresis (`SpeakerFollower`). A media report for someone not in the channel yet is kept
(at most MAX_PEOPLE) and applies when they join. Applying an event never raises: one that
makes no sense is ignored and explained in the returned warning."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, get_args

from layoutkit.wire.rules import MAX_REGIONS

EventKind = Literal[
    "join",
    "leave",
    "role",
    "camera_off",
    "camera_on",
    "audio_only",
    "audio_off",
    "audio_on",
    "share",
    "unshare",
    "name",
    "speaker",
]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
_MEDIA: dict[EventKind, tuple[bool | None, bool | None]] = {  # kind -> (video, audio)
    "camera_off": (False, None),
    "camera_on": (True, None),
    "audio_only": (False, True),
    "audio_off": (None, False),
    "audio_on": (None, True),
}
MEDIA_KINDS: frozenset[EventKind] = frozenset(_MEDIA)
SCREEN_ROLE = "screen"
SPEAKER_ROLE = "speaker"
MAX_PEOPLE = 128  # people followed in one channel: every event recompiles for all of them
DEFAULT_HOLD = 2.0
DEFAULT_INTERVAL = 4.0
MAX_HOLD = 60.0
MAX_INTERVAL = 600.0


@dataclass(frozen=True, repr=False)
class Event:
    """One thing that happened in the channel; `name` is the name to show for `uid`."""

    kind: EventKind
    uid: str
    role: str | None = None
    name: str | None = None

    def __repr__(self) -> str:  # the name only when given (as the README shows events)
        named = "" if self.name is None else f", name={self.name!r}"
        return f"Event(kind={self.kind!r}, uid={self.uid!r}, role={self.role!r}{named})"

    def __str__(self) -> str:
        text = f"{self.kind.replace('_', ' ')} {self.uid}"
        if self.role:
            text += f" as {self.role}"
        return f"{text}: {self.name}" if self.name is not None else text


@dataclass
class Person:
    uid: str
    video: bool = True
    audio: bool = True

    @property
    def audio_only(self) -> bool:
        return not self.video and self.audio


@dataclass
class Roster:
    """People in join order, role bindings, names (kept when someone leaves) and the media
    reports of people not here yet (`waiting`, oldest first)."""

    people: dict[str, Person] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    screen_role: str = SCREEN_ROLE
    names: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, Person] = field(default_factory=dict)

    def apply(self, event: Event) -> str | None:
        """Change the set; None, or a warning saying why nothing changed. A `speaker`
        event binds the role at once (the hysteresis is the caller's)."""
        uid, present = event.uid, event.uid in self.people
        if event.kind == "name":
            if event.name is None:
                return f"name for {uid} without a name; ignored"
            self.names[uid] = event.name
        elif event.kind in MEDIA_KINDS:
            self._report(event)
        elif event.kind in ("join", "share"):
            return self._arrive(event, present)
        elif not present:
            return f"{event.kind.replace('_', ' ')} for {uid}, who is not in the channel; ignored"
        else:
            return self._change(event)
        return None

    def _report(self, event: Event) -> None:
        person = self.people.get(event.uid)
        if person is None:
            person = self.waiting.pop(event.uid, Person(event.uid))
            self.waiting[event.uid] = person  # the latest report last
            if len(self.waiting) > MAX_PEOPLE:
                del self.waiting[next(iter(self.waiting))]
        video, audio = _MEDIA[event.kind]
        person.video = person.video if video is None else video
        person.audio = person.audio if audio is None else audio

    def _arrive(self, event: Event, present: bool) -> str | None:
        uid = event.uid
        if not present and len(self.people) >= MAX_PEOPLE:
            return (
                f"{event.kind} of {uid} ignored: layoutkit follows at most {MAX_PEOPLE} "
                f"people in a channel (Agora draws at most {MAX_REGIONS})"
            )
        if event.kind == "join" and present:
            return f"{uid} joined twice; the second join is ignored"
        if not present:
            self.people[uid] = self.waiting.pop(uid, Person(uid))
        if event.kind == "share":
            self.roles[event.role or self.screen_role] = uid
        elif event.role:
            self.roles[event.role] = uid
        if event.name is not None:
            self.names[uid] = event.name
        return None

    def _change(self, event: Event) -> str | None:
        uid = event.uid
        if event.kind in ("leave", "role"):
            if event.kind == "role" and not event.role:
                return f"role change for {uid} without a role; ignored"
            self.roles = {r: u for r, u in self.roles.items() if u != uid}
            if event.kind == "leave":
                del self.people[uid]
            else:
                self.roles[event.role or ""] = uid
        elif event.kind == "unshare":
            role = event.role or self.screen_role
            if self.roles.get(role) != uid:
                return f"{uid} is not sharing a screen; ignored"
            del self.roles[role]
        elif event.kind == "speaker":
            self.roles[SPEAKER_ROLE] = uid
        return None

    def hidden(
        self, *, hide_camera_off: bool = False, hide_audio_only: bool = False
    ) -> frozenset[str]:
        """The uids the options leave out of the picture."""
        return frozenset(
            p.uid
            for p in self.people.values()
            if (hide_camera_off and not p.video) or (hide_audio_only and p.audio_only)
        )

    def video_off(self) -> frozenset[str]:
        return frozenset(p.uid for p in self.people.values() if not p.video)

    def audio_only_uids(self) -> frozenset[str]:
        return frozenset(p.uid for p in self.people.values() if p.audio_only)


def check_timing(hold: float, interval: float) -> None:
    """ValueError naming the option when `hold` or `interval` is not a number of seconds
    from 0 to its maximum."""
    for name, value, top in (
        ("speaker_hold", hold, MAX_HOLD),
        ("speaker_interval", interval, MAX_INTERVAL),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number of seconds, not {value!r}")
        if not (math.isfinite(value) and 0 <= value <= top):
            raise ValueError(f"{name} must be 0..{top:g} seconds, not {value!r}")


@dataclass
class SpeakerFollower:
    """The speaker role's hysteresis, pure (no clock, no thread): a new speaker takes the
    role after being reported without a break for `hold` seconds, and the role moves at
    most once per `interval`; silence never moves it. The owner asks `next_check()` when a
    move may be due and `due(now)` then; it keeps `holder` in step with the roles."""

    hold: float = DEFAULT_HOLD
    interval: float = DEFAULT_INTERVAL
    holder: str | None = None
    candidate: str | None = None  # the speaker reported last (None: silence)
    since: float = 0.0  # when the candidate's unbroken run of reports began
    moved: float | None = None  # when the role last moved

    def __post_init__(self) -> None:
        check_timing(self.hold, self.interval)

    def report(self, uid: str | None, now: float) -> None:
        if uid != self.candidate:
            self.candidate, self.since = uid, now

    def forget(self, uid: str) -> None:
        """`uid` left: no longer the candidate nor the holder."""
        if self.candidate == uid:
            self.candidate = None
        if self.holder == uid:
            self.holder = None

    def next_check(self) -> float | None:
        """When the role may move next; None when no move is waiting."""
        if self.candidate is None or self.candidate == self.holder:
            return None
        at = self.since + self.hold
        return at if self.moved is None else max(at, self.moved + self.interval)

    def move(self, roster: Roster, now: float) -> str | None:
        """Move the role in `roster` if it is due at `now`: who took it, or None."""
        self.holder = roster.roles.get(SPEAKER_ROLE)
        uid = self.due(now)
        if uid is not None and roster.apply(Event("speaker", uid)) is not None:
            self.forget(uid)  # gone meanwhile: no move waits for them
            return None
        return uid

    def due(self, now: float) -> str | None:
        """The uid that takes the role at `now` (now the holder), or None."""
        at = self.next_check()
        if at is None or now < at:
            return None
        self.holder, self.moved = self.candidate, now
        return self.holder
