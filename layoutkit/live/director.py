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
a publisher the states leave the images out, with one warning (`no-publisher`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from layoutkit.compile.compiler import Compilation, compile_full
from layoutkit.compile.participants import Names, check_name, check_names
from layoutkit.errors import AssetError, CompileError, LayoutkitError
from layoutkit.layout.loader import Layout
from layoutkit.live.audit import AUDIT_STEPS
from layoutkit.live.pusher import (
    MAX_WARNINGS,
    TRANSIENT,
    DirectorOptions,
    LayoutTarget,
    Payload,
    PushLoop,
    Status,
)
from layoutkit.live.roster import Event, EventKind, Roster
from layoutkit.wire.rules import check_uid

if TYPE_CHECKING:
    from layoutkit.assets import Publisher

_RosterCopy = tuple[list[str], dict[str, str], frozenset[str], dict[str, str]]
# people, roles, hidden, names
PUBLISH_RETRY_MAX = 30.0
"""The longest wait, in seconds, before a failed publish is tried again."""


class Director(PushLoop):
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
        `assets`: where a styled layout's images are published (see the module)."""
        self.layout = layout
        self.assets = assets
        self.roster = Roster(roles=dict(roles or {}), names=check_names(names))
        self.last_error: str | None = None  # why the latest change could not be compiled
        self._applied = 0  # events applied to the roster, numbered in the order applied
        self._installed = 0  # the number of the event whose compiled state was installed last
        self._left_out: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self._unpublished_told = False  # the one warning of a styled layout not published
        self._retry: tuple[str, int, _RosterCopy] | None = None  # a state whose publish failed
        self._settled = 0  # changes up to this number are installed (or cannot compile)
        self._retry_delay = 0.0
        self._retry_timer: threading.Timer | None = None
        super().__init__(recording, options, audit, clock)
        if participants:
            self._seed([str(uid) for uid in participants])

    # --- events ----------------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        """Apply one participant event; never raises for a bad event (see `warnings`).

        The event changes the roster under the lock, which also takes a copy of it; the
        layout is compiled for the copy outside the lock (`status`, `flush` and the worker
        never wait for a compile); the result is installed under the lock only if no later
        event's state was installed meanwhile, so a slow compile never overwrites a newer
        state and the latest event's state wins."""
        with self._cond:
            if self.stopped is not None:
                self._warn(f"{event}: the director has stopped ({self.stopped}); ignored")
                return
            if self._closed:
                self._warn(f"{event}: the director is closed; ignored")
                return
            applied = self._apply(event)
            if applied is None:
                return
            self._applied += 1
            number, roster = self._applied, self._roster_copy()
        self._install(str(applied), number, roster)

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
        return event

    def _install(self, cause: str, number: int, roster: _RosterCopy) -> None:
        """Compile for `roster` (outside the lock) and make it the desired state, unless
        a later change (numbered above `number`) was installed meanwhile. A change is
        *settled* once its state is installed or cannot be compiled; a failed publish
        leaves it unsettled and tried again, and an older change's success never
        clears a newer one's retry."""
        try:
            compiled = self._compile(roster)
        except AssetError as exc:  # nothing is pushed: no state names a missing file
            problem = f"{cause}: cannot publish the layout's images: {exc.message}"
            with self._cond:
                if number < self._installed or self._closed:
                    return  # a later state is in place (or nothing more is sent)
                if self._retry is not None and self._retry[1] > number:
                    return  # a later change's retry stands for this one too
                self.last_error = problem
                delay = self._schedule_retry(cause, number, roster)
                self._warn(f"{problem}; trying again in {delay:g} s")
            self._record(cause, {}, "publish-failed", exc.message)
            return
        except LayoutkitError as exc:
            problem = f"{cause}: cannot compile the layout for {len(roster[0])} participants"
            with self._cond:
                self.last_error = f"{problem}: {exc.message}"
                self._warn(self.last_error)
                self._settle(number)
            return
        payload = compiled.payload_json
        with self._cond:
            if number < self._installed:  # a later event's state is in place already
                return
            self._installed = number
            self._settle(number)
            if self._retry is None or self._retry[1] <= number:
                self.last_error = None
                self._retry, self._retry_delay = None, 0.0
            self._note_left_out(cause, compiled, payload)
            self._note_unpublished(cause, compiled, payload)
            self._want(payload, cause)

    def _settle(self, number: int) -> None:
        """Changes up to `number` are done with (under `_cond`)."""
        self._settled = max(self._settled, number)
        self._cond.notify_all()

    def _unsettled(self) -> bool:
        """A change not yet installed: being compiled or published, or a publish to try
        again (under `_cond`)."""
        return self._retry is not None or self._settled < self._applied

    def _schedule_retry(self, cause: str, number: int, roster: _RosterCopy) -> float:
        """After a failed publish (under `_cond`): try the same state again later, with a
        growing delay (up to `PUBLISH_RETRY_MAX`), unless a later change comes first.
        The delay, in seconds."""
        self._retry = (cause, number, roster)
        base = max(self.options.backoff, 0.05)
        self._retry_delay = min(PUBLISH_RETRY_MAX, self._retry_delay * 2 or base)
        if self._retry_timer is None:
            timer = threading.Timer(self._retry_delay, self._retry_now)
            timer.daemon = True
            self._retry_timer = timer
            timer.start()
        return self._retry_delay

    def _retry_now(self) -> None:
        with self._cond:
            self._retry_timer = None
            wanted = self._retry
            if wanted is None or self._closed or self.stopped is not None:
                return
            cause, number, roster = wanted
            if number < self._applied:  # a later change came; its state is the one wanted
                number, roster = self._applied, self._roster_copy()
        self._install(cause if cause.endswith("(retry)") else f"{cause} (retry)", number, roster)

    @property
    def publishing(self) -> bool:
        """True while the latest change waits for its picture (its compile or its images'
        publishing is under way, or a failed publish is tried again): what is on air is
        an older state."""
        with self._cond:
            return self._unsettled()

    @property
    def status(self) -> Status:
        """As `PushLoop.status`; `pending` too while the latest change is not installed
        (being compiled or published, or a failed publish tried again)."""
        base = super().status
        with self._cond:
            return "pending" if base != "stopped" and self._unsettled() else base

    def flush(self, timeout: float | None = None) -> bool:
        """As `PushLoop.flush`, waiting also for every change so far to be installed (its
        images published): False while one is not at the timeout, or once closed with
        one left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._cond:
                while self._unsettled() and self.stopped is None:
                    left = None if deadline is None else deadline - time.monotonic()
                    if self._closed or (left is not None and left <= 0):
                        return False
                    self._cond.wait(left)
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not super().flush(left):
                return False
            with self._cond:
                if not self._unsettled():
                    return self.stopped is None

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            timer, self._retry_timer, self._retry = self._retry_timer, None, None
        if timer is not None:
            timer.cancel()
        super().close(timeout)

    def _seed(self, people: list[str]) -> None:
        """Start from `people` in the channel: one state for all of them (not one per
        person), so the first push already shows everyone."""
        with self._cond:
            for uid in people:
                self._apply(Event("join", uid))
            self._applied += 1
            number, roster = self._applied, self._roster_copy()
        self._install(f"attached with {len(roster[0])} participants", number, roster)

    def _note_left_out(self, cause: str, compiled: Compilation, payload: Payload) -> None:
        """An audit line (and a warning for people without a region) whenever who is
        left out of the picture changes."""
        hidden = tuple(u for u in compiled.participants if u in compiled.hidden)
        left_out = (hidden, compiled.not_shown)
        if left_out == self._left_out:
            return
        self._left_out = left_out
        parts = []
        if hidden:
            parts.append(f"hidden: {', '.join(hidden)}")
        if compiled.not_shown:
            parts.append(f"not shown, no region left: {', '.join(compiled.not_shown)}")
            self._warn(f"{cause}: {parts[-1]}")
        self._record(cause, payload, "left-out", "; ".join(parts) or "everyone is shown")

    def _note_unpublished(self, cause: str, compiled: Compilation, payload: Payload) -> None:
        """Once: a warning and an audit line that the layout's images are left out, as
        nothing publishes them (a styled layout and no `assets=`)."""
        if compiled.published or self._unpublished_told:
            return
        self._unpublished_told = True
        text = (
            "the layout draws images (frames, labels, decor, cards) and no publisher was "
            "given, so the recording shows the layout without them; give a publisher "
            "(--assets-dir DIR --assets-url URL, assets= in Python)"
        )
        self._warn(f"{cause}: {text}")
        self._record(cause, payload, "no-publisher", text)

    def desired_for_roster(self) -> Payload:
        """The clientRequest compiled for the current participant set."""
        return self.compile_roster().payload_json

    def compile_roster(self) -> Compilation:
        """The compilation for the current participant set: everyone in the channel, in
        join order, with the people the options hide left out (by explicit uids, in every
        mode, so Agora cannot put them back)."""
        with self._cond:
            roster = self._roster_copy()
        return self._compile(roster)

    def _roster_copy(self) -> _RosterCopy:
        """What a compile needs from the roster (take it under `_cond`)."""
        hidden = self.roster.hidden(
            hide_camera_off=self.options.hide_camera_off,
            hide_audio_only=self.options.hide_audio_only,
        )
        return list(self.roster.people), dict(self.roster.roles), hidden, dict(self.roster.names)

    def _compile(self, roster: _RosterCopy) -> Compilation:
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
        self._event("camera_off", uid)

    def camera_on(self, uid: str | int) -> None:
        self._event("camera_on", uid)

    def audio_only(self, uid: str | int) -> None:
        self._event("audio_only", uid)

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
