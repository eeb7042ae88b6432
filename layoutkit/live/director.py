"""`Director`: follows a channel's participant events and keeps a running recording's layout
right. An event changes the participant set at once, in the caller's thread; the
Director's own worker (started when there is work, ended when the latest state is
finished) takes a turn on the target's rate limit, compiles the state for who is there
then (the latest wins), publishes its images and pushes it: one request at a time, never
a state equal to the one acknowledged. Transient errors are retried with backoff; 404s
are retried for `not_found_grace` seconds (Agora's failover) before the director stops;
a refusal is final. Nothing raised while following a recording kills a thread: it becomes
`last_error`, a warning and an audit line (JSON: time, event, step, payload, result)."""

from __future__ import annotations

import _thread
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from layoutkit.live.roster import (
    DEFAULT_HOLD,
    DEFAULT_INTERVAL,
    MEDIA_KINDS,
    SPEAKER_ROLE,
    Event,
    EventKind,
    Roster,
    SpeakerFollower,
    check_timing,
)
from layoutkit.safefiles import check_output
from layoutkit.wire.rules import check_uid

if TYPE_CHECKING:
    from layoutkit.assets import Publisher

log = logging.getLogger("layoutkit.live.director")
Payload = dict[str, Any]
TRANSIENT = (TransportError, ServerError, RateLimitError, NotCompletedError)
MAX_WARNINGS = 100  # the latest warnings kept in `Director.warnings`
Status = Literal["idle", "pending", "applied", "refused", "error", "stopped"]
MAX_ERROR_TEXT = 300  # characters of an unexpected exception kept in an error
PUBLISH_RETRY_MAX = 30.0  # the longest wait, in seconds, before a failed publish is retried


class LayoutTarget(Protocol):
    """What the director pushes to: a client `Recording`, or anything with this method. A
    target sharing a rate limit may also have `take_turn()`, called before each send."""

    def update_layout(self, layout: Mapping[str, Any]) -> object: ...


@dataclass(frozen=True)
class DirectorOptions:
    """How a Director follows a recording (ValueError for a bad speaker timing)."""

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
    """What a compile needs of the participant set."""

    people: list[str]
    roles: dict[str, str]
    hidden: frozenset[str]
    names: dict[str, str]


def state_for(layout: Layout, roster: RosterState, assets: Publisher | None = None) -> Compilation:
    """The recording's state for `roster`, the hidden people left out by explicit uids;
    given a publisher, its images are published first (AssetError if that fails)."""
    return compile_full(
        layout, roster.people, roster.roles, hidden=roster.hidden, names=roster.names, assets=assets
    )


def exception_text(exc: BaseException) -> str:
    """An unexpected exception's type and message, URLs masked, at most MAX_ERROR_TEXT."""
    text = safe_text(mask_urls(f"{type(exc).__name__}: {exc}"))
    return text if len(text) <= MAX_ERROR_TEXT else text[: MAX_ERROR_TEXT - 3] + "..."


@dataclass
class _Job:
    """The change to make a state of: its number, cause, roster and `resend` count."""

    number: int
    cause: str
    roster: RosterState
    resends: int


@dataclass
class _NotFound:
    """An unbroken run of 404s: Agora's failover, or the end of the recording."""

    since: float
    last: float = 0.0
    attempts: int = 0
    reason: str = ""


@dataclass
class _Worker:
    ident: int | None = None
    ended: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Tries:
    """The worker's retry delay, publish retry delay and current run of 404s."""

    delay: float
    publish: float = 0.0
    lost: _NotFound | None = None


class Director:
    """Follows participant events and pushes the layout for who is there (see the module).
    `participants`: who is in the channel already, in join order; `names`: uid -> the
    name a styled layout writes; `assets`: where its images are published (None: left
    out, with one warning); `audit`: a path (appended to) or a stream; `clock`: what the
    debounce, the 404 grace and the speaker's hysteresis are measured on."""

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
        self.recording = recording
        self.layout = layout
        self.assets = assets
        self.options = options or DirectorOptions()
        self.roster = Roster(roles=dict(roles or {}), names=check_names(names))
        self.warnings: list[str] = []  # the latest MAX_WARNINGS, oldest first
        self.warnings_dropped = 0
        self.stopped: str | None = None  # why the director stopped for good
        self.last_refusal: str | None = None  # why Agora refused the latest state for good
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
        self._desired: Payload | None = None
        self._acked: Payload | None = None
        self._error: str | None = None  # why the latest change is not on air
        self._faulty = False  # ... because something raised unexpectedly
        self._closed = False
        self._worker: _Worker | None = None
        self._left_out: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self._unpublished_told = False
        self._audit_lock = threading.Lock()
        self._audit_owned = isinstance(audit, Path)
        self._audit = (
            check_output(audit).open("a", encoding="utf-8") if isinstance(audit, Path) else audit
        )
        self._audit_failing = False
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
        """Apply one participant event; never raises (see `warnings`)."""
        if event.kind == "speaker":
            self.set_speaker(event.uid)
        else:
            self._handle((event,))

    def _handle(self, events: Sequence[Event]) -> None:
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
        if self.stopped is not None:
            self._warn(f"{cause}: the director has stopped ({self.stopped}); ignored")
            return False
        if self._closed:
            self._warn(f"{cause}: the director is closed; ignored")
            return False
        return True

    def _apply(self, event: Event) -> Event | None:
        """Apply `event` (under `_cond`): the event as applied, or None with a warning."""
        try:
            uid = check_uid(event.uid)
            name = None if event.name is None else check_name(uid, event.name)[1]
        except ValueError as exc:
            self._warn(f"{event}: {exc}; ignored")
            return None
        except CompileError as exc:
            self._warn(f"{Event(event.kind, uid, event.role)}: {exc.message}; ignored")
            return None
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
        self._changes += 1
        self._cause = cause
        self._last_change = self._clock()
        self._wake()

    def seed(self, participants: Sequence[str | int]) -> None:
        """Start from `participants`, in the channel already: one state for all of them.
        Anyone already here is skipped; an invalid uid is a warning. Never raises."""
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
        try:
            if check_uid(uid) in self.roster.people:
                return False
        except ValueError:
            pass  # `_apply` says why, as a warning
        return self._apply(Event("join", uid)) is not None

    def _snapshot(self) -> RosterState:
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
        """Show `name` for `uid` (present or not yet); CompileError for a bad uid or name."""
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

    def set_media(
        self, uid: str | int, *, video: bool | None = None, audio: bool | None = None
    ) -> None:
        """What `uid` sends, as the app's clients report it (None: unchanged); both
        states change together, one new picture at most. Never raises."""
        events: list[Event] = []
        if video is not None:
            events.append(Event("camera_on" if video else "camera_off", str(uid)))
        if audio is not None:
            events.append(Event("audio_on" if audio else "audio_off", str(uid)))
        if events:
            self._handle(events)

    def resend(self, cause: str) -> None:
        """Send the latest state again (after Agora's failover the new recorder may not
        have it); nothing when there is none yet."""
        with self._cond:
            if self._desired is None or self._closed:
                return
            self._cause = cause
            self._resends += 1
            self._wake()

    # --- the speaker -----------------------------------------------------------------------

    def set_speaker(self, uid: str | int | None) -> None:
        """The active speaker (None: nobody speaks). The layout's `speaker` role follows
        with the hysteresis of `SpeakerFollower`, by a timer when no further report comes.
        Ignored for someone not in the channel, and (one warning) when the layout has no
        `speaker` role. Never raises."""
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
                    return
                self._speaker.report(key, self._clock())
                self._speaker_step()
        except Exception as exc:  # a bug: never in the caller's thread
            self._fault(f"speaker {key}", exc)

    def _follows_speaker(self) -> bool:
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
        """Move the role if due now; a timer looks again when a move may come later."""
        now = self._clock()
        uid = self._speaker.move(self.roster, now)
        if uid is not None:
            self._change(f"speaker role to {uid}")
        at = self._speaker.next_check()
        if at is not None and self._speaker_timer is None:
            timer = threading.Timer(max(at - now, 0.01), self._speaker_wake)
            timer.daemon = True
            self._speaker_timer = timer
            timer.start()

    def _speaker_wake(self) -> None:
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
        with self._cond:
            return self.roster.roles.get(SPEAKER_ROLE)

    @property
    def names(self) -> dict[str, str]:
        with self._cond:
            return dict(self.roster.names)

    @property
    def acknowledged(self) -> Payload | None:
        with self._cond:
            return self._acked

    def _unfinished(self) -> bool:
        return self._done < self._changes or self._resent < self._resends

    @property
    def pending(self) -> Payload | None:
        """The latest state while it is not finished yet; None when nothing is left."""
        with self._cond:
            waiting = self._unfinished() and self.stopped is None
            return self._desired if waiting else None

    @property
    def publishing(self) -> bool:
        """True while the latest change waits for its compile or its images."""
        with self._cond:
            return self._built < self._changes and self.stopped is None

    @property
    def last_error(self) -> str | None:
        """Why the latest change is not on air, other than a refusal: it cannot compile,
        its images cannot be published, or something raised."""
        with self._cond:
            return self._error

    @property
    def status(self) -> Status:
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
        """Wait until the latest change is finished: True when applied (or it cannot
        compile), False when refused, failed, stopped, closed or timed out."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._unfinished() and self.stopped is None:
                left = None if deadline is None else deadline - time.monotonic()
                if self._closed or (left is not None and left <= 0):
                    return False
                self._cond.wait(left)
            return self.stopped is None and self.last_refusal is None and not self._faulty

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker (pending changes are dropped: `flush` first)."""
        with self._cond:
            self._closed = True
            timer, self._speaker_timer = self._speaker_timer, None
            worker = self._worker
            self._cond.notify_all()
        if timer is not None:
            timer.cancel()
        if worker is not None and worker.ident != threading.get_ident():
            worker.ended.wait(timeout)
        with self._audit_lock:  # a worker still in a request finds no file to write to
            if self._audit_owned and self._audit is not None:
                self._audit.close()
                self._audit = None

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
            # not `Thread.start`, which waits for the thread: the caller may hold a lock
            _thread.start_new_thread(self._run, (self._worker,))

    def _next(self) -> _Job | None:
        """The latest change after the debounce; None (and the worker ends) when none."""
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
        worker.ident = threading.get_ident()
        tries = _Tries(self.options.backoff)
        try:
            while True:
                job: _Job | None = None
                try:
                    job = self._next()
                    if job is None or not self._attempt(job, tries):
                        return
                except Exception as exc:  # a bug, a failing audit stream, a broken clock
                    self._fault(job.cause if job else "the director's worker", exc, job)
                    if not self._pause(max(tries.delay, 0.05)):
                        return
                    tries.delay = min(tries.delay * 2, self.options.max_backoff)
        finally:
            with self._cond:
                if self._worker is worker:
                    self._worker = None
            worker.ended.set()

    def _attempt(self, job: _Job, tries: _Tries) -> bool:
        """Take a turn, make the latest state and send it; False when the worker must
        end (the recording has ended, or closed)."""
        turn: Callable[[], object] | None = getattr(self.recording, "take_turn", None)
        payload: Payload = {}
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
            self._fault(job.cause, exc, job, payload)
            return True
        self._on_sent(tries, job, payload)
        return True

    def _make(self, tries: _Tries) -> tuple[_Job, Payload] | None:
        """The latest change and its state, made again once if the set changed meanwhile;
        None when there is nothing to send."""
        for again in (False, True):
            with self._cond:
                if self._closed:
                    return None
                job = _Job(self._changes, self._cause, self._snapshot(), self._resends)
            payload = self._build(job, tries)
            if payload is None:
                return None
            with self._cond:
                if again or self._changes == job.number:
                    return job, payload
        return None

    def _build(self, job: _Job, tries: _Tries) -> Payload | None:
        """The state for `job`, or None when it cannot be made (reported) or is on air."""
        try:
            compiled = state_for(self.layout, job.roster, self.assets)
        except AssetError as exc:  # nothing is pushed: no state names a missing file
            self._publish_failed(job, tries, exc)
            return None
        except LayoutkitError as exc:
            problem = f"{job.cause}: cannot compile the layout for {len(job.roster.people)} "
            problem += f"participants: {exc.message}"
            with self._cond:
                self._built = max(self._built, job.number)
                self._warn(problem)
                self._finish_now(job)
                self._error = problem
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
        """Try again after a growing delay, or at once when a later change comes."""
        problem = f"{job.cause}: cannot publish the layout's images: {exc.message}"
        tries.publish = min(PUBLISH_RETRY_MAX, tries.publish * 2 or max(self.options.backoff, 0.05))
        with self._cond:
            self._error = problem
            self._warn(f"{problem}; trying again in {tries.publish:g} s")
        self._record(job.cause, {}, "publish-failed", exc.message)
        with self._cond:
            self._cond.wait_for(
                lambda: self._closed or self._changes > job.number, timeout=tries.publish
            )

    def _fault(
        self, cause: str, exc: Exception, job: _Job | None = None, payload: Payload | None = None
    ) -> None:
        """Something raised unexpectedly (a bug, a corrupt font, a target that raises): the
        recording's error, a warning and an audit line; a later change goes on as usual."""
        log.error("director: %s failed", cause, exc_info=exc)
        problem = f"{cause}: error: {exception_text(exc)}"
        with self._cond:
            self._error, self._faulty = problem, True
            self._warn(problem)
            if job is not None:
                self.last_refusal = None
                self._built = max(self._built, job.number)
                self._finish_now(job)
        self._record(cause, payload or {}, "error", problem)

    def _on_not_found(self, tries: _Tries, job: _Job, payload: Payload, reason: str) -> bool:
        """A 404: retry within the grace period, or stop once it is over (False)."""
        now, grace = self._clock(), self.options.not_found_grace
        if tries.lost is None:
            tries.lost = _NotFound(since=now)
            self._record(
                job.cause,
                payload,
                "grace-start",
                f"not found: a {grace:g}s grace period begins (a failover, or the end of "
                f"the recording): {reason}",
            )
            log.warning("director: 404 (%s); retrying for up to %gs", reason, grace)
        lost = tries.lost
        lost.last, lost.attempts, lost.reason = now, lost.attempts + 1, reason
        lasted = f"404 for {lost.last - lost.since:.1f}s of {grace:g}s grace"
        left = grace - (lost.last - lost.since)
        if left <= 0:
            self._stop(lost, job.cause, payload, lasted)
            return False
        wait = min(tries.delay, left)
        self._record(
            job.cause,
            payload,
            "grace-retry",
            f"not found: retry in {wait:.2f}s ({lasted}): {reason}",
        )
        tries.delay = min(tries.delay * 2, self.options.max_backoff)
        if not self._pause(wait):
            self._record(job.cause, payload, "grace-end", f"closed: {lasted}")
            return False
        return True

    def _stop(self, lost: _NotFound, cause: str, payload: Payload, lasted: str) -> None:
        """The 404s outlasted the grace period: the recording has ended."""
        report = (
            f"the recording has ended: updateLayout answered 404 for "
            f"{lost.last - lost.since:.1f}s, past the {self.options.not_found_grace:g}s grace "
            f"period ({lost.attempts} attempts; last: {lost.reason}); not applied: "
            f"{_describe(payload)} after {cause}"
        )
        self._record(cause, payload, "grace-end", f"expired: {lasted}")
        self._record(cause, payload, "stopped", f"stopped: {report}")
        with self._cond:
            self.stopped = report
            self._cond.notify_all()
        log.warning("director stopped: %s", report)

    def _on_sent(self, tries: _Tries, job: _Job, payload: Payload) -> None:
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

    def _pause(self, seconds: float) -> bool:
        """Wait `seconds` (real time); False when the director was closed meanwhile."""
        with self._cond:
            return not self._cond.wait_for(lambda: self._closed, timeout=seconds)

    def _finish(self, job: _Job, acked: Payload | None, refusal: str | None = None) -> None:
        """`job`'s state is acknowledged (`acked`) or refused for good (`refusal`)."""
        with self._cond:
            if acked is not None:
                self._acked = acked
                self.pushes += 1
            self.last_refusal = refusal
            self._finish_now(job)

    def _finish_now(self, job: _Job) -> None:
        self._done = max(self._done, job.number)
        self._resent = max(self._resent, job.resends)
        self._cond.notify_all()

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if len(self.warnings) > MAX_WARNINGS:
            del self.warnings[0]
            self.warnings_dropped += 1
        log.warning("%s", message)

    def _record(self, cause: str, payload: Payload, step: str, result: str) -> None:
        """One audit line. One that cannot be written stops nothing: a warning says so,
        once until a line is written again."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        entry = {"time": now, "event": cause, "step": step, "payload": payload, "result": result}
        try:
            with self._audit_lock:
                if self._audit is not None:
                    self._audit.write(json.dumps(entry) + "\n")
                    self._audit.flush()
        except Exception as exc:
            log.error("cannot write the audit log", exc_info=exc)
            with self._cond:
                if not self._audit_failing:
                    self._audit_failing = True
                    self._warn(f"the audit log cannot be written: {exception_text(exc)}")
            return
        self._audit_failing = False

    def _note_left_out(self, cause: str, compiled: Compilation, payload: Payload) -> None:
        """An audit line (and a warning for people without a region) whenever who is left
        out of the picture changes."""
        hidden = tuple(u for u in compiled.participants if u in compiled.hidden)
        left_out = (hidden, compiled.not_shown)
        if left_out == self._left_out:
            return
        self._left_out = left_out
        parts = [f"hidden: {', '.join(hidden)}"] if hidden else []
        if compiled.not_shown:
            parts.append(f"not shown, no region left: {', '.join(compiled.not_shown)}")
            with self._cond:
                self._warn(f"{cause}: {parts[-1]}")
        self._record(cause, payload, "left-out", "; ".join(parts) or "everyone is shown")

    def _note_unpublished(self, cause: str, compiled: Compilation, payload: Payload) -> None:
        """Once: the layout's images are left out, as nothing publishes them."""
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
    regions = payload.get("layoutConfig") or []
    uids = [str(r["uid"]) for r in regions if isinstance(r, dict) and "uid" in r]
    text = f"the layout with mixedVideoLayout {payload.get('mixedVideoLayout')}"
    if regions:
        text += f", {len(regions)} regions"
    if uids:
        text += f" (uids {', '.join(uids)})"
    return text
