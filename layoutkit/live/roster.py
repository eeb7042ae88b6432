"""Who is in the channel, in join order, with roles and what each person sends (camera
and microphone); and the events that change it (join, leave, role, camera off/on, audio
only, microphone off/on, screen share start/stop, the speaker role), and the names a
styled layout writes for people (`name`, or a join or share with a name).

What a person sends is two states the app reports: `video` (the camera) and `audio` (the
microphone), both on at a join. `camera_off`/`camera_on` set `video`, `audio_off`/
`audio_on` set `audio`, and `audio_only` sets both (video off, audio on). A person
*sends only audio* (`Person.audio_only`, what `hide_audio_only` leaves out) exactly when
their video is off and their audio on; `hide_camera_off` leaves out everyone whose video
is off, whatever their audio. A report for someone not in the channel (yet) is kept and
applies when they join, since the app may report before the join arrives; at most
MAX_PEOPLE are kept (the oldest report goes first), and a leave forgets nothing of them.

Applying an event never raises: an event that makes no sense (a leave of someone never
seen, a second join) is ignored and explained in the returned warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from layoutkit.live.speaker import SPEAKER_ROLE
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
"""Every kind of event, in the order `EventKind` lists them."""
MEDIA_KINDS: frozenset[EventKind] = frozenset(
    {"camera_off", "camera_on", "audio_only", "audio_off", "audio_on"}
)
"""The events that report what someone sends (kept for someone not in the channel yet)."""
SCREEN_ROLE = "screen"
MAX_PEOPLE = 128  # people followed in one channel: every event recompiles for all of them


@dataclass(frozen=True, repr=False)
class Event:
    """One thing that happened in the channel. `name` is the name to show for `uid`
    (a `name` event; a join or share may give one too); the roster keeps it as given,
    whoever gives it checks it (`compile.participants.check_name`)."""

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


_MEDIA: dict[EventKind, tuple[bool | None, bool | None]] = {  # kind -> (video, audio)
    "camera_off": (False, None),
    "camera_on": (True, None),
    "audio_only": (False, True),
    "audio_off": (None, False),
    "audio_on": (None, True),
}


@dataclass
class Person:
    """Someone in the channel and what they send: `video` (camera on) and `audio`
    (microphone on), as the app reports them; both on until a report says otherwise."""

    uid: str
    video: bool = True
    audio: bool = True

    @property
    def audio_only(self) -> bool:
        """Sends only audio: the video off and the audio on."""
        return not self.video and self.audio

    def report(self, kind: EventKind) -> None:
        """Apply a media event (`MEDIA_KINDS`)."""
        video, audio = _MEDIA[kind]
        if video is not None:
            self.video = video
        if audio is not None:
            self.audio = audio


@dataclass
class Roster:
    """The participant set: people in join order, role bindings, what each person sends,
    and names (uid -> name; kept when someone leaves, and given for people not here yet).
    `waiting` holds what the app reported of people not in the channel yet (see the
    module), oldest first."""

    people: dict[str, Person] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    screen_role: str = SCREEN_ROLE
    names: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, Person] = field(default_factory=dict)

    def apply(self, event: Event) -> str | None:
        """Change the set; None, or a warning saying why nothing changed. A `speaker`
        event binds the role `speaker` at once, keeping the person's other roles (the
        Director and scenarios apply the hysteresis of `live.speaker` first)."""
        uid, present = event.uid, event.uid in self.people
        if event.kind == "name":
            if event.name is None:
                return f"name for {uid} without a name; ignored"
            self.names[uid] = event.name
            return None
        if event.kind in MEDIA_KINDS:
            self._report(event)
            return None
        if event.kind in ("join", "share"):
            return self._arrive(event, present)
        if not present:
            return f"{event.kind.replace('_', ' ')} for {uid}, who is not in the channel; ignored"
        return self._change(event)

    def _report(self, event: Event) -> None:
        """A media event: for someone present, or kept for when they join."""
        person = self.people.get(event.uid)
        if person is None:
            person = self.waiting.pop(event.uid, Person(event.uid))
            self.waiting[event.uid] = person  # the latest report last
            if len(self.waiting) > MAX_PEOPLE:
                del self.waiting[next(iter(self.waiting))]
        person.report(event.kind)

    def _arrive(self, event: Event, present: bool) -> str | None:
        """A join, or a share (which joins if needed)."""
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
        self._name(event)
        return None

    def _change(self, event: Event) -> str | None:
        """A leave, a role change, an unshare or the speaker role, of someone present."""
        uid = event.uid
        if event.kind == "leave":
            del self.people[uid]
            self.roles = {r: u for r, u in self.roles.items() if u != uid}
        elif event.kind == "role":
            if not event.role:
                return f"role change for {uid} without a role; ignored"
            self.roles = {r: u for r, u in self.roles.items() if u != uid}
            self.roles[event.role] = uid
        elif event.kind == "unshare":
            role = event.role or self.screen_role
            if self.roles.get(role) != uid:
                return f"{uid} is not sharing a screen; ignored"
            del self.roles[role]
        elif event.kind == "speaker":
            self.roles[SPEAKER_ROLE] = uid
        return None

    def _name(self, event: Event) -> None:
        if event.name is not None:
            self.names[event.uid] = event.name

    def visible(self, *, hide_camera_off: bool = False, hide_audio_only: bool = False) -> list[str]:
        """The uids to lay out, in join order, without those the options leave out."""
        return [
            p.uid
            for p in self.people.values()
            if not (hide_camera_off and not p.video) and not (hide_audio_only and p.audio_only)
        ]

    def hidden(
        self, *, hide_camera_off: bool = False, hide_audio_only: bool = False
    ) -> frozenset[str]:
        """The uids the options leave out of the picture (everyone else is `visible`)."""
        shown = set(self.visible(hide_camera_off=hide_camera_off, hide_audio_only=hide_audio_only))
        return frozenset(uid for uid in self.people if uid not in shown)

    def video_off(self) -> frozenset[str]:
        """The people in the channel whose video is off (those sending only audio too)."""
        return frozenset(p.uid for p in self.people.values() if not p.video)

    def audio_only_uids(self) -> frozenset[str]:
        """The people in the channel who send only audio (video off, audio on)."""
        return frozenset(p.uid for p in self.people.values() if p.audio_only)


__all__ = [
    "EVENT_KINDS",
    "MAX_PEOPLE",
    "MEDIA_KINDS",
    "SCREEN_ROLE",
    "Event",
    "EventKind",
    "Person",
    "Roster",
]
