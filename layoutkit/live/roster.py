"""Who is in the channel, in join order, with roles and camera state; and the events that
change it (join, leave, role, camera off/on, audio only, screen share start/stop), and
the names a styled layout writes for people (`name`, or a join or share with a name).

Applying an event never raises: an event that makes no sense (a leave of someone never
seen, a second join) is ignored and explained in the returned warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from layoutkit.wire.profile import MAX_REGIONS

EventKind = Literal[
    "join", "leave", "role", "camera_off", "camera_on", "audio_only", "share", "unshare", "name"
]
EVENT_KINDS: tuple[EventKind, ...] = (
    "join",
    "leave",
    "role",
    "camera_off",
    "camera_on",
    "audio_only",
    "share",
    "unshare",
    "name",
)
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


@dataclass
class Person:
    uid: str
    camera: bool = True
    audio_only: bool = False


@dataclass
class Roster:
    """The participant set: people in join order, role bindings, camera states, and
    names (uid -> name; kept when someone leaves, and given for people not here yet)."""

    people: dict[str, Person] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    screen_role: str = SCREEN_ROLE
    names: dict[str, str] = field(default_factory=dict)

    def apply(self, event: Event) -> str | None:
        """Change the set; None, or a warning saying why nothing changed."""
        uid, present = event.uid, event.uid in self.people
        if event.kind == "name":
            if event.name is None:
                return f"name for {uid} without a name; ignored"
            self.names[uid] = event.name
            return None
        if event.kind in ("join", "share") and not present and len(self.people) >= MAX_PEOPLE:
            return (
                f"{event.kind} of {uid} ignored: layoutkit follows at most {MAX_PEOPLE} "
                f"people in a channel (Agora draws at most {MAX_REGIONS})"
            )
        if event.kind == "join":
            if present:
                return f"{uid} joined twice; the second join is ignored"
            self.people[uid] = Person(uid)
            if event.role:
                self.roles[event.role] = uid
            self._name(event)
            return None
        if event.kind == "share":
            if not present:
                self.people[uid] = Person(uid)
            self.roles[event.role or self.screen_role] = uid
            self._name(event)
            return None
        if not present:
            return f"{event.kind.replace('_', ' ')} for {uid}, who is not in the channel; ignored"
        person = self.people[uid]
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
        elif event.kind == "camera_off":
            person.camera = False
        elif event.kind == "camera_on":
            person.camera, person.audio_only = True, False
        elif event.kind == "audio_only":
            person.audio_only = True
        return None

    def _name(self, event: Event) -> None:
        if event.name is not None:
            self.names[event.uid] = event.name

    def visible(self, *, hide_camera_off: bool = False, hide_audio_only: bool = False) -> list[str]:
        """The uids to lay out, in join order, without those the options leave out."""
        return [
            p.uid
            for p in self.people.values()
            if not (hide_camera_off and not p.camera) and not (hide_audio_only and p.audio_only)
        ]

    def hidden(
        self, *, hide_camera_off: bool = False, hide_audio_only: bool = False
    ) -> frozenset[str]:
        """The uids the options leave out of the picture (everyone else is `visible`)."""
        shown = set(self.visible(hide_camera_off=hide_camera_off, hide_audio_only=hide_audio_only))
        return frozenset(uid for uid in self.people if uid not in shown)

    def video_off(self) -> frozenset[str]:
        return frozenset(p.uid for p in self.people.values() if not p.camera)

    def audio_only_uids(self) -> frozenset[str]:
        return frozenset(p.uid for p in self.people.values() if p.audio_only)


__all__ = ["EVENT_KINDS", "MAX_PEOPLE", "SCREEN_ROLE", "Event", "EventKind", "Person", "Roster"]
