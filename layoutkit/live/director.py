"""Live layouts: a Director follows the channel's participant events and keeps a running
recording's layout right.

Every event updates the participant set; the layout is compiled for it and becomes the
desired state (the full state: mode, background, focus, regions), which the push loop
(`live.pusher`) sends: one request at a time, only the latest, retried through
transient errors and a 404 failover (see `PushLoop`). An event with an invalid uid (not
an integer 1..4294967295) is refused before the participant set changes. `warnings`
keeps the latest `MAX_WARNINGS` (`warnings_dropped` counts the others). Every step is
written to an audit log (JSON lines: time, event, step, payload, result; steps in
`AUDIT_STEPS`). Thread-safe; one bad event never stops it. Compiling happens outside
the lock, so `status` and `flush` answer while an event compiles, and the latest
event's state wins over an older one whose compile ends later.

A styled layout (frames, labels, decor, video-off cards) writes people's names
(`names=`, `set_name`, a `name` event) into images. Given a publisher (`assets=`), each
compile publishes the images it needs before their URLs go into the state, so no state
ever names a file that is not there; the publisher remembers what it published, so
unchanged images are not published again. The publishing happens in the thread that
gave the event, with the compile, so a slow upload holds up only this director's events.
A failed publish (AssetError) changes nothing on air: it is reported (`warnings`,
`last_error`, an audit line `publish-failed`) and tried again with a growing delay (up to
`PUBLISH_RETRY_MAX` seconds) until it succeeds or a later change replaces it; meanwhile
`status` is `pending`, `publishing` is True and `flush` waits. Without
a publisher the states leave the images out, with one warning (`no-publisher`). The
compiling, publishing and installing is the base class's, `live.installer.Installer`.

What people send comes from the app's clients: `set_media(uid, video=..., audio=...)`
(`camera_off`, `camera_on`, `audio_only` say the same); the roster's rule says who sends
only audio (`live.roster`), and a report for someone not in the channel yet applies when
they join. The active speaker comes from them too: `set_speaker(uid)` moves a layout's
`speaker` role with the hysteresis of `live.speaker` (`speaker_hold`, `speaker_interval`),
on the director's `clock`, by a timer when no further report comes.

Nothing raised while following a recording kills the thread that gave the event, a
timer or the push worker: a layout that cannot compile, or images that cannot be
published, is `last_error` (as above); anything unexpected (a bug, a corrupt font file's
OSError) is `last_error` too, with `status` `error`, an audit line `error` and a
`warnings` entry, until a later change is installed. `warnings` is what the author or
operator should know; `last_error` and `last_refusal` say why the latest change is not on
air (see `live.pusher`).

A Director built without `participants` compiles and publishes nothing until it is
seeded (`seed`, which a service calls in a worker thread) or given an event.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from layoutkit.compile.compiler import Compilation, compile_full
from layoutkit.compile.participants import Names, check_name, check_names
from layoutkit.errors import CompileError
from layoutkit.layout.loader import Layout
from layoutkit.layout.roles import known_roles
from layoutkit.live.audit import AUDIT_STEPS
from layoutkit.live.installer import Change, Installer, Snapshot
from layoutkit.live.pusher import (
    MAX_WARNINGS,
    TRANSIENT,
    DirectorOptions,
    LayoutTarget,
    Payload,
    Status,
)
from layoutkit.live.roster import MEDIA_KINDS, Event, EventKind, Roster
from layoutkit.live.speaker import SPEAKER_ROLE, SpeakerFollower
from layoutkit.wire.rules import check_uid

if TYPE_CHECKING:
    from layoutkit.assets import Publisher


class Director(Installer):
    """Follows participant events and pushes the layout for who is there."""

    def __init__(
        self,
        recording: LayoutTarget,
        layout: Layout,
        roles: Mapping[str, str] | None = None,
        *,
        options: DirectorOptions | None = None,
        audit: Path | IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        participants: Sequence[str | int] = (),
        names: Names | None = None,
        assets: Publisher | None = None,
    ) -> None:
        """`participants`: who is in the channel already, in join order (a service that
        attaches to a running recording); their layout is the first state sent.
        `names`: uid -> the name a styled layout writes (CompileError for a bad one).
        `assets`: where a styled layout's images are published (see the module).
        `clock`: the time the debounce, the 404 grace period and the speaker's
        hysteresis are measured on."""
        self.roster = Roster(roles=dict(roles or {}), names=check_names(names))
        chosen = options or DirectorOptions()
        self._speaker = SpeakerFollower(
            chosen.speaker_hold, chosen.speaker_interval, self.roster.roles.get(SPEAKER_ROLE)
        )
        self._speaker_timer: threading.Timer | None = None
        self._speaker_layout: tuple[Layout, bool] | None = None  # the layout, has `speaker`
        super().__init__(recording, layout, assets, chosen, audit, clock)
        if participants:
            self.seed(participants)

    # --- events ----------------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        """Apply one participant event; never raises for a bad event (see `warnings`).
        A `speaker` event is a report of the active speaker (`set_speaker`).

        The event changes the roster under the lock, which also takes a copy of it; the
        layout is compiled for the copy outside the lock (`status`, `flush` and the worker
        never wait for a compile); the result is installed under the lock only if no later
        event's state was installed meanwhile, so a slow compile never overwrites a newer
        state and the latest event's state wins."""
        if event.kind == "speaker":
            self.set_speaker(event.uid)
        else:
            self._handle((event,))

    def _handle(self, events: Sequence[Event]) -> None:
        """Apply `events` together (one change, one compile); never raises."""
        cause = "; ".join(str(event) for event in events)
        try:
            with self._cond:
                if not self._open(cause):
                    return
                applied = [done for e in events if (done := self._apply(e)) is not None]
                if not applied:
                    return
                change = self._change("; ".join(str(done) for done in applied))
        except Exception as exc:  # a bug: never in the caller's thread
            self._failed(cause, self._applied, exc)
            return
        self._install(*change)

    def _open(self, cause: str) -> bool:
        """Whether the director takes changes; a warning when not (under `_cond`)."""
        if self.stopped is not None:
            self._warn(f"{cause}: the director has stopped ({self.stopped}); ignored")
            return False
        if self._closed:
            self._warn(f"{cause}: the director is closed; ignored")
            return False
        return True

    def _apply(self, event: Event) -> Event | None:
        """Apply `event` to the roster (under `_cond`): the event as applied (its uid
        normalised), or None with a warning when it is refused or changes nothing."""
        try:
            uid = check_uid(event.uid)
        except ValueError as exc:
            self._warn(f"{event}: {exc}; ignored")
            return None
        if event.name is not None:
            try:
                _, name = check_name(uid, event.name)
            except CompileError as exc:
                self._warn(f"{Event(event.kind, uid, event.role)}: {exc.message}; ignored")
                return None
        else:
            name = None
        if uid != event.uid or name != event.name:
            event = Event(event.kind, uid, event.role, name)
        problem = self.roster.apply(event)
        if problem is not None:
            self._warn(problem)
            return None
        if event.kind == "leave":
            self._speaker.forget(uid)
        if event.kind in MEDIA_KINDS and uid not in self.roster.people:
            return None  # a report kept for when they join: nothing to compile yet
        return event

    def seed(self, participants: Sequence[str | int]) -> None:
        """Start from `participants`, who are in the channel already, in join order (a
        service attaching to a running recording): one state for all of them (not one
        per person), so the first push already shows everyone. Anyone already here (an
        event came first) is skipped without a warning; an invalid uid is a warning.
        Seeding nobody new changes nothing: the recording keeps its layout until the
        first event. Never raises (see `last_error`); call it in any thread."""
        people = [str(uid) for uid in participants]
        cause = f"attached with {len(people)} participants"
        try:
            with self._cond:
                if not self._open(cause):
                    return
                joined = [uid for uid in people if self._seed_one(uid)]
                if not joined:
                    return
                change = self._change(f"attached with {len(self.roster.people)} participants")
        except Exception as exc:  # a bug: never in the caller's thread
            self._failed(cause, self._applied, exc)
            return
        self._install(*change)

    def _seed_one(self, uid: str) -> bool:
        """Join `uid` when seeding, unless already here (under `_cond`); whether joined."""
        try:
            if check_uid(uid) in self.roster.people:
                return False
        except ValueError:
            pass  # `_apply` says why, as a warning
        return self._apply(Event("join", uid)) is not None

    def desired_for_roster(self) -> Payload:
        """The clientRequest compiled for the current participant set."""
        return self.compile_roster().payload_json

    def compile_roster(self) -> Compilation:
        """The compilation for the current participant set: everyone in the channel, in
        join order, with the people the options hide left out (by explicit uids, in every
        mode, so Agora cannot put them back)."""
        with self._cond:
            roster = self._snapshot()
        return self._compile(roster)

    def _snapshot(self) -> Snapshot:
        """What a compile needs from the roster (take it under `_cond`)."""
        hidden = self.roster.hidden(
            hide_camera_off=self.options.hide_camera_off,
            hide_audio_only=self.options.hide_audio_only,
        )
        return list(self.roster.people), dict(self.roster.roles), hidden, dict(self.roster.names)

    def _compile(self, roster: Snapshot) -> Compilation:
        """Compile (and, given a publisher, publish the images; AssetError if that fails)."""
        people, roles, hidden, names = roster
        return compile_full(
            self.layout, people, roles, hidden=hidden, names=names, assets=self.assets
        )

    def _event(
        self, kind: EventKind, uid: str | int, role: str | None = None, name: str | None = None
    ) -> None:
        self.handle(Event(kind, str(uid), role, name))

    def join(self, uid: str | int, role: str | None = None, name: str | None = None) -> None:
        self._event("join", uid, role, name)

    def set_name(self, uid: str | int, name: str) -> None:
        """Show `name` for `uid` (present or not yet): an event like a join, so it is
        ordered with the others; a new picture is compiled, published and pushed when
        the name changes it. CompileError for a bad uid or name (nothing changes)."""
        key, text = check_name(uid, name)
        self._event("name", key, None, text)

    def leave(self, uid: str | int) -> None:
        self._event("leave", uid)

    def set_role(self, uid: str | int, role: str) -> None:
        self._event("role", uid, role)

    def camera_off(self, uid: str | int) -> None:
        """`uid`'s video is off (`set_media(uid, video=False)`)."""
        self._event("camera_off", uid)

    def camera_on(self, uid: str | int) -> None:
        """`uid`'s video is on (`set_media(uid, video=True)`)."""
        self._event("camera_on", uid)

    def audio_only(self, uid: str | int) -> None:
        """`uid` sends only audio (`set_media(uid, video=False, audio=True)`)."""
        self._event("audio_only", uid)

    def set_media(
        self, uid: str | int, *, video: bool | None = None, audio: bool | None = None
    ) -> None:
        """What `uid` sends, as the app's clients report it: `video` (the camera) and
        `audio` (the microphone) on or off; None leaves one as it was. Someone whose
        video is off and audio on sends only audio (`hide_audio_only`); someone whose
        video is off is left out by `hide_camera_off`. A report for someone not in the
        channel yet is kept (for at most MAX_PEOPLE people) and applies when they join.
        Both states change together: one new picture at most. Never raises for a bad
        uid (a warning)."""
        events: list[Event] = []
        if video is not None:
            events.append(Event("camera_on" if video else "camera_off", str(uid)))
        if audio is not None:
            events.append(Event("audio_on" if audio else "audio_off", str(uid)))
        if events:
            self._handle(events)

    def set_speaker(self, uid: str | int | None) -> None:
        """The active speaker is `uid` (None: nobody speaks), as the app's clients report
        it. A layout's `speaker` role (one it knows: `layout.roles.known_roles`) follows
        with hysteresis: a new speaker takes the role after holding it `speaker_hold`
        seconds, and the role moves at most once per `speaker_interval` seconds, by a
        timer when no further report comes; the move keeps the person's other roles.
        Silence never moves the role away from the last speaker. A report for someone
        not in the channel is ignored, as is every report when the layout has no
        `speaker` role (one warning says so). Never raises (a bad uid is a warning)."""
        try:
            key = None if uid is None else check_uid(uid)
        except ValueError as exc:
            with self._cond:
                self._warn(f"speaker {uid}: {exc}; ignored")
            return
        self._speaker_report(key)

    def _speaker_report(self, key: str | None) -> None:
        change = None
        try:
            with self._cond:
                if self._closed or self.stopped is not None or not self._follows_speaker():
                    return
                if key is not None and key not in self.roster.people:
                    return  # not in the channel (yet): ignored
                self._speaker.report(key, self._clock())
                change = self._speaker_step()
        except Exception as exc:  # a bug: never in the caller's thread
            self._failed(f"speaker {key}", self._applied, exc)
        if change is not None:
            self._install(*change)

    def _follows_speaker(self) -> bool:
        """Whether the layout has a `speaker` role (under `_cond`); once, a warning when
        it has none."""
        if self._speaker_layout is None or self._speaker_layout[0] is not self.layout:
            known = SPEAKER_ROLE in known_roles(self.layout)
            self._speaker_layout = (self.layout, known)
            if not known:
                self._warn(
                    "the active speaker is reported, but the layout has no role named "
                    f"{SPEAKER_ROLE!r}: the reports change nothing (give a region "
                    f"`role: {SPEAKER_ROLE}` to follow the speaker)"
                )
        return self._speaker_layout[1]

    def _speaker_step(self) -> Change | None:
        """Move the speaker role if the hysteresis says so now, and make sure a timer
        looks again when a move may come later (under `_cond`)."""
        now = self._clock()
        self._speaker.holder = self.roster.roles.get(SPEAKER_ROLE)
        uid = self._speaker.due(now)
        change = None
        if uid is not None:
            if self.roster.apply(Event("speaker", uid)) is None:
                change = self._change(f"speaker role to {uid}")
            else:
                self._speaker.forget(uid)  # gone meanwhile: no move waits for them
        at = self._speaker.next_check()
        if at is not None and self._speaker_timer is None:
            timer = threading.Timer(max(at - now, 0.01), self._speaker_wake)
            timer.daemon = True
            self._speaker_timer = timer
            timer.start()
        return change

    def _speaker_wake(self) -> None:
        """The timer: move the role if it is due now (the clock may be the caller's)."""
        change = None
        try:
            with self._cond:
                self._speaker_timer = None
                if self._closed or self.stopped is not None:
                    return
                change = self._speaker_step()
        except Exception as exc:  # a bug: never a dead timer without a word
            self._failed("speaker", self._applied, exc)
        if change is not None:
            self._install(*change)

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            timer, self._speaker_timer = self._speaker_timer, None
        if timer is not None:
            timer.cancel()
        super().close(timeout)

    def share_start(self, uid: str | int, role: str | None = None) -> None:
        self._event("share", uid, role)

    def share_stop(self, uid: str | int, role: str | None = None) -> None:
        self._event("unshare", uid, role)

    # --- state -----------------------------------------------------------------------------

    @property
    def participants(self) -> list[str]:
        with self._cond:
            return list(self.roster.people)

    @property
    def speaker(self) -> str | None:
        """Who has the `speaker` role now (None: nobody)."""
        with self._cond:
            return self.roster.roles.get(SPEAKER_ROLE)

    @property
    def names(self) -> dict[str, str]:
        """uid -> name, as the styled layout writes them (a copy)."""
        with self._cond:
            return dict(self.roster.names)


__all__ = [
    "AUDIT_STEPS",
    "MAX_WARNINGS",
    "TRANSIENT",
    "Director",
    "DirectorOptions",
    "LayoutTarget",
    "Payload",
    "Status",
]
