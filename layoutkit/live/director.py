"""Live layouts: a Director follows the channel's participant events and keeps a running
recording's layout right.

An event changes the participant set at once (a cheap step, in the thread that gives
it: `participants` and `warnings` answer for it right away); an event with an invalid uid
(not an integer 1..4294967295) is refused before the participant set changes. The rest
is the Director's own worker thread, which does the whole pipeline: it takes a turn on
the target's rate limit (`take_turn`, when the target has one), compiles the layout for
the participant set then (`state_for`: every change so far, so the latest wins; never
once per event), publishes the images the state names and pushes: one request at a
time, never a state equal to the one acknowledged. The worker runs while there is work
and ends when the latest state is finished; the next change starts it again, so a
recording waiting for nothing costs no thread.

Transient errors (connection, timeout, 5xx, 429, 206 with code 65) are retried with
backoff until the latest state is acknowledged. A 404 starts a grace period, since Agora
answers 404 for up to about a minute during a failover while the recording goes on: the
latest state is retried with backoff, a success ends the grace period, and only 404s
that outlast `not_found_grace` (an unbroken run, measured on `clock`) stop the director,
with a report in `stopped`. A state Agora refuses for good is not retried: `flush` then
returns False, and `status`/`last_refusal` say why. `resend` sends the latest state
again (after Agora's failover the new recorder may not have it).

A styled layout (frames, labels, decor, video-off cards) writes people's names
(`names=`, `set_name`, a `name` event) into images. Given a publisher (`assets=`), the
images are published before their URLs go into the state, so no state ever names a file
that is not there; the publisher remembers what it published. A failed publish
(AssetError) changes nothing on air: it is reported (`warnings`, `last_error`, an audit
line `publish-failed`) and tried again with a growing delay (up to `PUBLISH_RETRY_MAX`
seconds) until it succeeds or a later change replaces it; meanwhile `status` is
`pending`, `publishing` is True and `flush` waits. Without a publisher the states leave
the images out, with one warning (`no-publisher`).

What people send comes from the app's clients: `set_media(uid, video=..., audio=...)`
(`camera_off`, `camera_on`, `audio_only` say the same); the roster's rule says who sends
only audio (`live.roster`), and a report for someone not in the channel yet applies when
they join. `set_speaker(uid)` moves a layout's `speaker` role with the hysteresis of
`live.speaker` (`speaker_hold`, `speaker_interval`), on the director's `clock`, by a
timer when no further report comes.

Nothing raised while following a recording kills a thread: a layout that cannot compile
is `last_error` and a warning; anything unexpected (a bug, a corrupt font file's OSError,
a target that raises) is `last_error` too, with `status` `error`, an audit line `error`
and a warning, until a later state is made. `warnings` (the latest `MAX_WARNINGS`;
`warnings_dropped` counts the others) is what the author or operator should know;
`last_error` and `last_refusal` say why the latest change is not on air. Every step is
written to an audit log (JSON lines: time, event, step, payload, result; steps in
`AUDIT_STEPS`).

A Director built without `participants` compiles nothing until `seed` or an event.
"""

from __future__ import annotations

import _thread
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol, Self

from layoutkit.compile.compiler import Compilation, Names, check_name, check_names, compile_full
from layoutkit.errors import (
    ApiStatusError,
    AssetError,
    CompileError,
    LayoutkitError,
    NotCompletedError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    mask_urls,
    safe_text,
)
from layoutkit.layout.loader import Layout
from layoutkit.layout.roles import known_roles
from layoutkit.live.audit import AUDIT_STEPS, AuditLog
from layoutkit.live.roster import MEDIA_KINDS, Event, EventKind, Roster
from layoutkit.live.speaker import (
    DEFAULT_HOLD,
    DEFAULT_INTERVAL,
    SPEAKER_ROLE,
    SpeakerFollower,
    check_timing,
)
from layoutkit.wire.rules import check_uid

if TYPE_CHECKING:
    from layoutkit.assets import Publisher

log = logging.getLogger("layoutkit.live.director")
Payload = dict[str, Any]
TRANSIENT = (TransportError, ServerError, RateLimitError, NotCompletedError)
MAX_WARNINGS = 100  # the latest warnings kept in `Director.warnings`
Status = Literal["idle", "pending", "applied", "refused", "error", "stopped"]
MAX_ERROR_TEXT = 300  # characters of an unexpected exception kept in an error
PUBLISH_RETRY_MAX = 30.0
"""The longest wait, in seconds, before a failed publish is tried again."""


class LayoutTarget(Protocol):
    """What the director pushes to: a client `Recording`, or anything with this method.

    A target that shares a rate limit with others (`FairTarget`, the service's) may also
    have `take_turn()`: the director calls it before it sends, and sends the state that
    is latest once the turn has come, not the one from before the wait."""

    def update_layout(self, layout: Mapping[str, Any]) -> object: ...


@dataclass(frozen=True)
class DirectorOptions:
    """How a Director follows a recording. ValueError for a speaker timing that is not a
    number of seconds from 0 to its maximum (`live.speaker.MAX_HOLD`, `MAX_INTERVAL`)."""

    debounce: float = 0.0  # seconds of quiet before a new state is sent
    hide_camera_off: bool = False  # leave people whose video is off out of the picture
    hide_audio_only: bool = False  # leave people who send only audio out (video off, audio on)
    backoff: float = 0.2  # first retry delay after a transient error
    max_backoff: float = 5.0
    not_found_grace: float = 90.0  # seconds of 404s (a failover) before the director stops
    speaker_hold: float = DEFAULT_HOLD  # seconds a new active speaker holds before the role moves
    speaker_interval: float = DEFAULT_INTERVAL  # the speaker role moves at most once in this

    def __post_init__(self) -> None:
        check_timing(self.speaker_hold, self.speaker_interval)


@dataclass(frozen=True)
class RosterState:
    """What a compile needs of the participant set: who is there in join order, the
    role bindings, who is hidden, and the names a styled layout writes."""

    people: list[str]
    roles: dict[str, str]
    hidden: frozenset[str]
    names: dict[str, str]


def state_for(layout: Layout, roster: RosterState, assets: Publisher | None = None) -> Compilation:
    """The recording's state for `roster`: the layout compiled for everyone in the
    channel, with the hidden people left out by explicit uids (so Agora cannot put them
    back). Given a publisher, the images the state names are published first
    (AssetError if that fails); otherwise it depends on nothing but its arguments."""
    return compile_full(
        layout, roster.people, roster.roles, hidden=roster.hidden, names=roster.names, assets=assets
    )


def exception_text(exc: BaseException) -> str:
    """An unexpected exception as an error says it: its type and message, with URLs'
    credentials masked and control characters escaped, at most MAX_ERROR_TEXT long."""
    text = safe_text(mask_urls(f"{type(exc).__name__}: {exc}"))
    return text if len(text) <= MAX_ERROR_TEXT else text[: MAX_ERROR_TEXT - 3] + "..."


@dataclass
class _Job:
    """What the worker makes a state of: the latest change's number and cause, the
    participant set then, and the `resend` requests so far."""

    number: int
    cause: str
    roster: RosterState
    resends: int


@dataclass
class _NotFound:
    """An unbroken run of 404s: Agora's failover, or the end of the recording."""

    since: float  # when the first 404 came (the director's clock)
    last: float = 0.0  # when the latest one came
    attempts: int = 0
    reason: str = ""


@dataclass
class _Worker:
    """A Director's worker thread: its ident once it runs, and whether it has ended."""

    ident: int | None = None
    ended: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Tries:
    """The worker's state across attempts: the next retry delay, the next publish retry
    delay, and the current run of 404s (until a success)."""

    delay: float
    publish: float = 0.0
    lost: _NotFound | None = field(default=None)


class Director:
    """Follows participant events and pushes the layout for who is there (see the
    module). Thread-safe: `_cond` guards the state; one worker thread at a time."""

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
        self.recording = recording
        self.layout = layout
        self.assets = assets
        self.options = options or DirectorOptions()
        self.roster = Roster(roles=dict(roles or {}), names=check_names(names))
        self.warnings: list[str] = []
        """What the author or operator should know (a bad event, people left out of the
        picture, a publish tried again, an error): the latest MAX_WARNINGS, oldest first.
        Not the errors: see `last_refusal` and `last_error`."""
        self.warnings_dropped = 0
        """Warnings pushed out of `warnings` by newer ones."""
        self.stopped: str | None = None
        """Why the director stopped for good (the recording has ended), or None."""
        self.last_refusal: str | None = None
        """Why Agora refused the latest finished state for good (`status` `refused`)."""
        self.pushes = 0
        self._clock = clock
        self._cond = threading.Condition()
        self._changes = 0  # changes of the participant set so far
        self._done = 0  # changes up to this number are finished (sent, refused, failed)
        self._built = 0  # changes up to this number are compiled (or cannot be)
        self._resends = 0  # `resend` requests so far
        self._resent = 0  # requests up to this number are finished
        self._cause = ""
        self._last_change = clock()
        self._desired: Payload | None = None  # the latest state compiled
        self._acked: Payload | None = None
        self._error: str | None = None  # why the latest change is not on air
        self._faulty = False  # ... because something raised unexpectedly
        self._closed = False
        self._worker: _Worker | None = None  # runs while there is work
        self._left_out: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self._unpublished_told = False  # the one warning of a styled layout not published
        self._audit = AuditLog(audit)
        self._audit_failing = False  # the last audit line could not be written
        self._speaker = SpeakerFollower(
            self.options.speaker_hold,
            self.options.speaker_interval,
            self.roster.roles.get(SPEAKER_ROLE),
        )
        self._speaker_timer: threading.Timer | None = None
        self._speaker_layout: tuple[Layout, bool] | None = None  # the layout, has `speaker`
        if participants:
            self.seed(participants)

    # --- events ----------------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        """Apply one participant event; never raises for a bad event (see `warnings`).
        A `speaker` event is a report of the active speaker (`set_speaker`)."""
        if event.kind == "speaker":
            self.set_speaker(event.uid)
        else:
            self._handle((event,))

    def _handle(self, events: Sequence[Event]) -> None:
        """Apply `events` together (one change); never raises."""
        cause = "; ".join(str(event) for event in events)
        try:
            with self._cond:
                if not self._open(cause):
                    return
                applied = [done for e in events if (done := self._apply(e)) is not None]
                if applied:
                    self._change("; ".join(str(done) for done in applied))
        except Exception as exc:  # a bug: never in the caller's thread
            self._fault(cause, exc)

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

    def _change(self, cause: str) -> None:
        """The participant set changed (under `_cond`): the worker makes its state."""
        self._changes += 1
        self._cause = cause
        self._last_change = self._clock()
        self._wake()

    def seed(self, participants: Sequence[str | int]) -> None:
        """Start from `participants`, who are in the channel already, in join order (a
        service attaching to a running recording): one state for all of them (not one
        per person), so the first push already shows everyone. Anyone already here (an
        event came first) is skipped without a warning; an invalid uid is a warning.
        Seeding nobody new changes nothing: the recording keeps its layout until the
        first event. Never raises (see `last_error`)."""
        people = [str(uid) for uid in participants]
        cause = f"attached with {len(people)} participants"
        try:
            with self._cond:
                if not self._open(cause):
                    return
                if [uid for uid in people if self._seed_one(uid)]:
                    self._change(f"attached with {len(self.roster.people)} participants")
        except Exception as exc:  # a bug: never in the caller's thread
            self._fault(cause, exc)

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
        """The compilation for the current participant set (`state_for`)."""
        with self._cond:
            roster = self._snapshot()
        return state_for(self.layout, roster, self.assets)

    def _snapshot(self) -> RosterState:
        """The participant set now, for a compile (under `_cond`)."""
        hidden = self.roster.hidden(
            hide_camera_off=self.options.hide_camera_off,
            hide_audio_only=self.options.hide_audio_only,
        )
        return RosterState(
            list(self.roster.people), dict(self.roster.roles), hidden, dict(self.roster.names)
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

    def share_start(self, uid: str | int, role: str | None = None) -> None:
        self._event("share", uid, role)

    def share_stop(self, uid: str | int, role: str | None = None) -> None:
        self._event("unshare", uid, role)

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

    def resend(self, cause: str) -> None:
        """Send the latest state again even though it has not changed (after Agora's
        failover the new recorder may not have it); nothing when there is none yet."""
        with self._cond:
            if self._desired is None or self._closed:
                return
            self._cause = cause
            self._resends += 1
            self._wake()

    # --- the speaker -----------------------------------------------------------------------

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
        try:
            with self._cond:
                if self._closed or self.stopped is not None or not self._follows_speaker():
                    return
                if key is not None and key not in self.roster.people:
                    return  # not in the channel (yet): ignored
                self._speaker.report(key, self._clock())
                self._speaker_step()
        except Exception as exc:  # a bug: never in the caller's thread
            self._fault(f"speaker {key}", exc)

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

    def _speaker_step(self) -> None:
        """Move the speaker role if the hysteresis says so now, and make sure a timer
        looks again when a move may come later (under `_cond`)."""
        now = self._clock()
        self._speaker.holder = self.roster.roles.get(SPEAKER_ROLE)
        uid = self._speaker.due(now)
        if uid is not None:
            if self.roster.apply(Event("speaker", uid)) is None:
                self._change(f"speaker role to {uid}")
            else:
                self._speaker.forget(uid)  # gone meanwhile: no move waits for them
        at = self._speaker.next_check()
        if at is not None and self._speaker_timer is None:
            timer = threading.Timer(max(at - now, 0.01), self._speaker_wake)
            timer.daemon = True
            self._speaker_timer = timer
            timer.start()

    def _speaker_wake(self) -> None:
        """The timer: move the role if it is due now (the clock may be the caller's)."""
        try:
            with self._cond:
                self._speaker_timer = None
                if not self._closed and self.stopped is None:
                    self._speaker_step()
        except Exception as exc:  # a bug: never a dead timer without a word
            self._fault("speaker", exc)

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

    @property
    def acknowledged(self) -> Payload | None:
        """The last payload the recording accepted."""
        with self._cond:
            return self._acked

    def _unfinished(self) -> bool:
        """A change or a `resend` not finished yet (under `_cond`)."""
        return self._done < self._changes or self._resent < self._resends

    @property
    def pending(self) -> Payload | None:
        """The latest state while it is not finished yet (being sent, retried, or waiting
        for its turn); None when there is nothing left to send."""
        with self._cond:
            waiting = self._unfinished() and self.stopped is None
            return self._desired if waiting else None

    @property
    def publishing(self) -> bool:
        """True while the latest change waits for its picture (its compile or its images'
        publishing is to come or under way, or a failed publish is tried again): what is
        on air is an older state."""
        with self._cond:
            return self._built < self._changes and self.stopped is None

    @property
    def last_error(self) -> str | None:
        """The recording's error: why the latest change is not on air for a reason other
        than Agora's refusal (`last_refusal`): its layout cannot be compiled, its images
        cannot be published (tried again meanwhile), or something raised unexpectedly
        (`status` `error`). None once a later state is made and sent."""
        with self._cond:
            return self._error

    @property
    def status(self) -> Status:
        """stopped; pending (a change not yet finished: compiled, published, sent);
        error (the latest change raised unexpectedly, see `last_error`); refused (the
        latest state was refused for good, see `last_refusal`); applied; idle (nothing
        sent yet)."""
        with self._cond:
            if self.stopped is not None:
                return "stopped"
            if self._unfinished():
                return "pending"
            if self._faulty:
                return "error"
            if self.last_refusal is not None:
                return "refused"
            return "applied" if self._acked is not None else "idle"

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the latest change is finished: True when its state was applied (or
        its layout cannot compile: see `last_error`), False when it was refused for good
        (`last_refusal`) or raised unexpectedly (`status` `error`), or the director
        stopped, was closed or the timeout passed. During a 404 grace period it keeps
        waiting: the grace period ends in an acknowledgement or a stop. `timeout` is real
        seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._unfinished() and self.stopped is None:
                left = None if deadline is None else deadline - time.monotonic()
                if self._closed or (left is not None and left <= 0):
                    return False
                self._cond.wait(left)
            return self.stopped is None and self.last_refusal is None and not self._faulty

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker (pending changes are dropped; call `flush` first to send them).
        A retry wait, or a 404 grace period, ends at once."""
        with self._cond:
            self._closed = True
            timer, self._speaker_timer = self._speaker_timer, None
            worker = self._worker
            self._cond.notify_all()
        if timer is not None:
            timer.cancel()
        if worker is not None and worker.ident != threading.get_ident():
            worker.ended.wait(timeout)
        self._audit.close()  # a worker still in a request finds no file to write to

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.flush(timeout=30)
        self.close()

    # --- the worker ------------------------------------------------------------------------

    def _wake(self) -> None:
        """Work has come (under `_cond`): the worker runs, started if none does."""
        self._cond.notify_all()
        if self._worker is None and not self._closed and self.stopped is None:
            self._worker = _Worker()
            # started without waiting for it to run (`Thread.start` waits): the caller may
            # be the service routing an event under its lock; like a daemon thread, it
            # never holds up the interpreter's exit
            _thread.start_new_thread(self._run, (self._worker,))

    def _next(self) -> _Job | None:
        """The latest change to make a state of (after the debounce window); None when
        there is nothing left to do, and the worker ends in that same moment."""
        with self._cond:
            while True:
                if self._closed or self.stopped is not None or not self._unfinished():
                    self._worker = None
                    return None
                quiet = self._last_change + self.options.debounce - self._clock()
                if quiet <= 0:
                    return _Job(self._changes, self._cause, self._snapshot(), self._resends)
                self._cond.wait(quiet)

    def _run(self, worker: _Worker) -> None:
        """The worker: make and send the latest state until nothing is left to do. It
        never dies of an exception: an unexpected one (a bug, a failing audit stream, a
        broken clock) ends that attempt as the recording's error, and after a pause the
        worker goes on."""
        worker.ident = threading.get_ident()
        tries = _Tries(self.options.backoff)
        try:
            while True:
                job: _Job | None = None
                try:
                    job = self._next()
                    if job is None or not self._attempt(job, tries):
                        return
                except Exception as exc:
                    self._crashed(job, exc)
                    if not self._pause(max(tries.delay, 0.05)):  # a broken clock never spins
                        return
                    tries.delay = min(tries.delay * 2, self.options.max_backoff)
        finally:
            with self._cond:
                if self._worker is worker:
                    self._worker = None
            worker.ended.set()

    def _attempt(self, job: _Job, tries: _Tries) -> bool:
        """Take a turn, make the state for the participant set then (made again once if
        it changed meanwhile) and send it; False when the worker must end (the recording
        has ended, or closed). `job` is the change that woke the worker."""
        turn: Callable[[], object] | None = getattr(self.recording, "take_turn", None)
        payload: Payload = {}  # none yet, while the turn is awaited
        try:
            if turn is not None:
                turn()  # first the turn: the state is made for who is there when it comes
            made = self._make(tries)
            if made is None:
                return True
            job, payload = made
            self.recording.update_layout(payload)
        except NotFoundError as exc:
            return self._on_not_found(tries, job, payload, exc.message)
        except TRANSIENT as exc:
            self._record(job.cause, payload, "retry", f"retry in {tries.delay:.2f}s: {exc.message}")
            self._pause(tries.delay)
            tries.delay = min(tries.delay * 2, self.options.max_backoff)
            return True
        except ApiStatusError as exc:
            self._record(job.cause, payload, "refused", f"refused: {exc.message}")
            self._finish(job, None, f"refused: {exc.message}")
            return True
        except Exception as exc:  # a bug in a target must not kill the director
            log.error("update_layout failed", exc_info=exc)
            text = f"error: {exception_text(exc)}"
            self._record(job.cause, payload, "error", text)
            self._finish(job, None, error=f"{job.cause}: {text}")
            return True
        self._on_sent(tries, job, payload)
        return True

    def _make(self, tries: _Tries) -> tuple[_Job, Payload] | None:
        """The latest change and its state (made again once if the participant set
        changed meanwhile), or None when there is nothing to send (see `_build`)."""
        job = self._latest()
        payload = None if job is None else self._build(job, tries)
        if job is None or payload is None:
            return None
        with self._cond:
            if self._changes == job.number:
                return job, payload
        job = self._latest()
        payload = None if job is None else self._build(job, tries)
        return None if job is None or payload is None else (job, payload)

    def _latest(self) -> _Job | None:
        """The latest change, to make a state of now; None once closed."""
        with self._cond:
            if self._closed:
                return None
            return _Job(self._changes, self._cause, self._snapshot(), self._resends)

    def _build(self, job: _Job, tries: _Tries) -> Payload | None:
        """The state for `job` (compiled, its images published), or None when there is
        nothing to send: it cannot be made (reported; a failed publish is tried again
        after a pause), or it is on air already."""
        try:
            compiled = state_for(self.layout, job.roster, self.assets)
        except AssetError as exc:  # nothing is pushed: no state names a missing file
            self._publish_failed(job, tries, exc)
            return None
        except LayoutkitError as exc:
            people = len(job.roster.people)
            problem = f"{job.cause}: cannot compile the layout for {people} participants"
            with self._cond:
                self._built = max(self._built, job.number)
                self._warn(f"{problem}: {exc.message}")
                self._finish_now(job)
                self._error = f"{problem}: {exc.message}"
            return None
        except Exception as exc:  # a corrupt font file's OSError, a bug
            self._fault(job.cause, exc, job)
            return None
        tries.publish = 0.0
        payload = compiled.payload_json
        with self._cond:
            self._built = max(self._built, job.number)
            self._error, self._faulty = None, False
            self._desired = payload
            on_air = payload == self._acked and self._resent >= job.resends
            if on_air:
                self.last_refusal = None
                self._finish_now(job)
        self._note_left_out(job.cause, compiled, payload)
        self._note_unpublished(job.cause, compiled, payload)
        return None if on_air else payload

    def _publish_failed(self, job: _Job, tries: _Tries, exc: AssetError) -> None:
        """The images of the latest change could not be published: try again after a
        growing delay, or at once when a later change comes."""
        problem = f"{job.cause}: cannot publish the layout's images: {exc.message}"
        base = max(self.options.backoff, 0.05)
        tries.publish = min(PUBLISH_RETRY_MAX, tries.publish * 2 or base)
        with self._cond:
            self._error = problem
            self._warn(f"{problem}; trying again in {tries.publish:g} s")
        self._record(job.cause, {}, "publish-failed", exc.message)
        with self._cond:
            self._cond.wait_for(
                lambda: self._closed or self._changes > job.number, timeout=tries.publish
            )

    def _fault(self, cause: str, exc: Exception, job: _Job | None = None) -> None:
        """Something raised unexpectedly (a bug, a corrupt font file): the recording's
        error (`last_error`, `status` `error`), a warning and an audit line; the job's
        change is finished, and a later one goes on as usual."""
        log.error("director: %s failed", cause, exc_info=exc)
        problem = f"{cause}: error: {exception_text(exc)}"
        with self._cond:
            self._error, self._faulty = problem, True
            self._warn(problem)
            if job is not None:
                self._built = max(self._built, job.number)
                self._finish_now(job)
        self._record(cause, {}, "error", problem)

    def _on_not_found(self, tries: _Tries, job: _Job, payload: Payload, reason: str) -> bool:
        """A 404: retry within the grace period, or stop once it is over (False)."""
        lost = tries.lost = self._not_found(tries.lost, job.cause, payload, reason)
        wait = self._grace_wait(lost, tries.delay)
        if wait is None:
            self._stop(lost, job.cause, payload)
            return False
        self._record(
            job.cause,
            payload,
            "grace-retry",
            f"not found: retry in {wait:.2f}s ({self._lasted(lost)}): {reason}",
        )
        tries.delay = min(tries.delay * 2, self.options.max_backoff)
        if not self._pause(wait):
            self._record(job.cause, payload, "grace-end", f"closed: {self._lasted(lost)}")
            return False
        return True

    def _on_sent(self, tries: _Tries, job: _Job, payload: Payload) -> None:
        """The recording took `payload`: the backoff starts again, a 404 run ends."""
        tries.delay = self.options.backoff
        self._record(job.cause, payload, "sent", "ok")
        lost, tries.lost = tries.lost, None
        if lost is not None:
            text = (
                f"recovered: the recording answered again after {lost.attempts} "
                f"404s over {lost.last - lost.since:.1f}s"
            )
            self._record(job.cause, payload, "grace-end", text)
            log.info("director: %s", text)
        self._finish(job, payload)

    def _crashed(self, job: _Job | None, exc: Exception) -> None:
        """The worker raised outside the target (a bug, a broken clock): the attempt
        ends as an error."""
        log.error("director worker failed", exc_info=exc)
        text = f"error: {exception_text(exc)}"
        if job is None:
            with self._cond:
                self._warn(f"the director's worker: {text}")
            return
        self._finish(job, None, error=f"{job.cause}: {text}")
        self._record(job.cause, {}, "error", text)

    def _pause(self, seconds: float) -> bool:
        """Wait `seconds` (real time); False when the director was closed meanwhile."""
        with self._cond:
            return not self._cond.wait_for(lambda: self._closed, timeout=seconds)

    def _not_found(
        self, lost: _NotFound | None, cause: str, payload: Payload, reason: str
    ) -> _NotFound:
        """Count a 404 in the current run, starting one (and a grace period) if needed."""
        now = self._clock()
        if lost is None:
            lost = _NotFound(since=now)
            grace = self.options.not_found_grace
            self._record(
                cause,
                payload,
                "grace-start",
                f"not found: a {grace:g}s grace period begins (a failover, or the end of "
                f"the recording): {reason}",
            )
            log.warning("director: 404 (%s); retrying for up to %gs", reason, grace)
        lost.last, lost.attempts, lost.reason = now, lost.attempts + 1, reason
        return lost

    def _grace_wait(self, lost: _NotFound, delay: float) -> float | None:
        """The wait before the next try, never past the grace period's end; None once the
        404s have outlasted it."""
        left = self.options.not_found_grace - (lost.last - lost.since)
        return None if left <= 0 else min(delay, left)

    def _lasted(self, lost: _NotFound) -> str:
        return f"404 for {lost.last - lost.since:.1f}s of {self.options.not_found_grace:g}s grace"

    def _stop(self, lost: _NotFound, cause: str, payload: Payload) -> None:
        """The 404s outlasted the grace period: the recording has ended."""
        lasted = lost.last - lost.since
        report = (
            f"the recording has ended: updateLayout answered 404 for {lasted:.1f}s, "
            f"past the {self.options.not_found_grace:g}s grace period ({lost.attempts} "
            f"attempts; last: {lost.reason}); not applied: {_describe(payload)} after {cause}"
        )
        self._record(cause, payload, "grace-end", f"expired: {self._lasted(lost)}")
        self._record(cause, payload, "stopped", f"stopped: {report}")
        with self._cond:
            self.stopped = report
            self._cond.notify_all()
        log.warning("director stopped: %s", report)

    def _finish(
        self,
        job: _Job,
        acked: Payload | None,
        refusal: str | None = None,
        *,
        error: str | None = None,
    ) -> None:
        """The state of `job` is finished: acknowledged (`acked`), refused for good
        (`refusal`) or failed unexpectedly (`error`, also a warning)."""
        with self._cond:
            if acked is not None:
                self._acked = acked
                self.pushes += 1
            self.last_refusal = refusal
            if error is not None:
                self._error, self._faulty = error, True
                self._warn(error)
            self._finish_now(job)

    def _finish_now(self, job: _Job) -> None:
        """Changes up to `job`'s are finished (under `_cond`)."""
        self._done = max(self._done, job.number)
        self._resent = max(self._resent, job.resends)
        self._cond.notify_all()

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if len(self.warnings) > MAX_WARNINGS:  # a list (as before), trimmed from the front
            del self.warnings[0]
            self.warnings_dropped += 1
        log.warning("%s", message)

    def _record(self, cause: str, payload: Payload, step: str, result: str) -> None:
        """One audit line (`AuditLog.write`; steps in `AUDIT_STEPS`). An audit log that
        cannot be written (a full disk, a closed stream) stops nothing: a warning says
        so, once until a line is written again."""
        try:
            self._audit.write(cause, payload, step, result)
        except Exception as exc:
            log.error("cannot write the audit log", exc_info=exc)
            with self._cond:
                if not self._audit_failing:
                    self._audit_failing = True
                    self._warn(f"the audit log cannot be written: {exception_text(exc)}")
            return
        self._audit_failing = False

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
            with self._cond:
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
        with self._cond:
            self._warn(f"{cause}: {text}")
        self._record(cause, payload, "no-publisher", text)


def _describe(payload: Payload) -> str:
    """A short account of a layout payload, for reports."""
    regions = payload.get("layoutConfig") or []
    uids = [str(r["uid"]) for r in regions if isinstance(r, dict) and "uid" in r]
    text = f"the layout with mixedVideoLayout {payload.get('mixedVideoLayout')}"
    if regions:
        text += f", {len(regions)} regions"
    if uids:
        text += f" (uids {', '.join(uids)})"
    return text


__all__ = [
    "AUDIT_STEPS",
    "MAX_WARNINGS",
    "PUBLISH_RETRY_MAX",
    "TRANSIENT",
    "Director",
    "DirectorOptions",
    "LayoutTarget",
    "Payload",
    "RosterState",
    "Status",
    "exception_text",
    "state_for",
]
