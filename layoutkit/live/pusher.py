"""The Director's push loop: the latest desired state of a recording's layout, sent
through `update_layout` by one worker thread, one request at a time.

While a request is in flight (or the target's rate limit holds, or the debounce window
is open) newer states replace the pending one, and only the latest is sent. A state equal
to the last acknowledged one is not sent again. Transient errors (connection, timeout,
5xx, 429, 206 with code 65) are retried with backoff until the latest state is
acknowledged. A 404 starts a grace period, since Agora answers 404 for up to about a
minute during a failover while the recording goes on: the latest state is retried with
backoff, a success ends the grace period, and only 404s that outlast `not_found_grace`
(an unbroken run, measured on `clock`) stop the loop, with a report in `stopped`. A
state Agora refuses for good is not retried: `flush` then returns False, and
`status`/`last_refusal` say why. Anything else the target raises (a bug, a broken
connection object) is not retried either: it is the recording's error (`status` is
`error`, `last_error` says what, and a `warnings` entry), never a dead worker; the worker
goes on with the next state, and an unexpected exception in the worker itself (a failing
audit stream) ends that attempt the same way. Every step is written to the audit log.

`warnings` and the errors are kept apart: `warnings` is what the author or operator
should know (bad events, people left out, retried publishes), while `last_refusal`
(Agora refused the latest state) and `last_error` (it could not be made or sent) say
why the latest state is not on air.

`PushLoop` is the base of `live.director.Director`, which decides the states (`_want`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Protocol, Self

from layoutkit.errors import (
    ApiStatusError,
    NotCompletedError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    mask_urls,
    safe_text,
)
from layoutkit.live.audit import AuditLog
from layoutkit.live.speaker import DEFAULT_HOLD, DEFAULT_INTERVAL, check_timing

log = logging.getLogger("layoutkit.live.director")
Payload = dict[str, Any]
TRANSIENT = (TransportError, ServerError, RateLimitError, NotCompletedError)
MAX_WARNINGS = 100  # the latest warnings kept in `Director.warnings`
Status = Literal["idle", "pending", "applied", "refused", "error", "stopped"]
MAX_ERROR_TEXT = 300  # characters of an unexpected exception kept in an error


class LayoutTarget(Protocol):
    """What the director pushes to: a client `Recording`, or anything with this method.

    A target that shares a rate limit with others (`FairTarget`, the service's) may also
    have `take_turn()`: the director calls it before it chooses the state to send, so
    the state sent is the latest when the turn comes, not the one from before the wait."""

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


def exception_text(exc: BaseException) -> str:
    """An unexpected exception as an error says it: its type and message, with URLs'
    credentials masked and control characters escaped, at most MAX_ERROR_TEXT long."""
    text = safe_text(mask_urls(f"{type(exc).__name__}: {exc}"))
    return text if len(text) <= MAX_ERROR_TEXT else text[: MAX_ERROR_TEXT - 3] + "..."


@dataclass
class _Tries:
    """The worker's state across attempts: the next retry delay, the current run of 404s
    (until a success), and the target's `take_turn` if it has one."""

    delay: float
    turn: Callable[[], object] | None
    lost: _NotFound | None = None


@dataclass
class _NotFound:
    """An unbroken run of 404s: Agora's failover, or the end of the recording."""

    since: float  # when the first 404 came (the director's clock)
    last: float = 0.0  # when the latest one came
    attempts: int = 0
    reason: str = ""


class PushLoop:
    """The desired state and the worker that sends it (see the module's docstring).
    Thread-safe: `_cond` guards the state; `_want` installs a new desired state."""

    def __init__(
        self,
        recording: LayoutTarget,
        options: DirectorOptions | None,
        audit: Path | IO[str] | None,
        clock: Callable[[], float],
    ) -> None:
        self.recording = recording
        self.options = options or DirectorOptions()
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
        self._push_error: str | None = None  # the latest finished state raised unexpectedly
        self.pushes = 0
        self._clock = clock
        self._cond = threading.Condition()
        self._desired: Payload | None = None
        self._cause = ""
        self._version = 0
        self._done_version = 0  # acknowledged, or refused for good
        self._acked: Payload | None = None
        self._last_event = clock()
        self._closed = False
        self._resend_version = -1  # a version `resend` asked for: sent even if acknowledged
        self._audit = AuditLog(audit)
        self._audit_failing = False  # the last audit line could not be written
        self._worker = threading.Thread(target=self._run, name="layoutkit-director", daemon=True)
        self._worker.start()

    def _want(self, payload: Payload, cause: str) -> None:
        """Make `payload` the desired state (under `_cond`); the debounce window opens."""
        self._last_event = self._clock()
        if payload != self._desired:
            self._desired, self._cause = payload, cause
            self._version += 1
            self._cond.notify_all()

    def resend(self, cause: str) -> None:
        """Send the latest state again even though it has not changed (after Agora's
        failover the new recorder may not have it); nothing when there is none yet."""
        with self._cond:
            if self._desired is None or self._closed:
                return
            self._cause = cause
            self._version += 1
            self._resend_version = self._version
            self._cond.notify_all()

    # --- state -----------------------------------------------------------------------------

    @property
    def acknowledged(self) -> Payload | None:
        """The last payload the recording accepted."""
        with self._cond:
            return self._acked

    @property
    def pending(self) -> Payload | None:
        """The latest state while it is not finished yet (being sent, retried, or waiting
        for its turn); None when there is nothing left to send."""
        with self._cond:
            done = self._done_version >= self._version or self.stopped is not None
            return None if done else self._desired

    @property
    def last_error(self) -> str | None:
        """The recording's error: why the latest state is not on air for a reason other
        than Agora's refusal (sending it raised unexpectedly); None once a later state
        finishes."""
        with self._cond:
            return self._push_error

    @property
    def status(self) -> Status:
        """stopped; pending (a state not yet finished); error (sending the latest state
        raised unexpectedly, see `last_error`); refused (the latest state was refused for
        good, see `last_refusal`); applied; idle (nothing to send yet)."""
        with self._cond:
            if self.stopped is not None:
                return "stopped"
            if self._done_version < self._version:
                return "pending"
            if self._push_error is not None:
                return "error"
            if self.last_refusal is not None:
                return "refused"
            return "applied" if self._acked is not None else "idle"

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the latest state is finished: True when it was applied, False when it
        was refused for good (see `last_refusal`) or could not be sent (`last_error`), or
        the director stopped, was closed or the timeout passed. During a 404 grace period it
        keeps waiting: the grace period ends in an acknowledgement or a stop. `timeout` is
        real seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._done_version < self._version and self.stopped is None:
                left = None if deadline is None else deadline - time.monotonic()
                if self._closed or (left is not None and left <= 0):
                    return False
                self._cond.wait(left)
            return self.stopped is None and self.last_refusal is None and self._push_error is None

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker (pending states are dropped; call `flush` first to send them).
        A retry wait, or a 404 grace period, ends at once."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._worker.join(timeout)
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

    def _next(self) -> tuple[Payload, int, str] | None:
        """Wait for a state to send (after the debounce window); None when closing."""
        with self._cond:
            while True:
                if self._closed or self.stopped is not None:
                    return None
                if self._desired is not None and self._done_version < self._version:
                    quiet = self._last_event + self.options.debounce - self._clock()
                    if quiet <= 0:
                        if self._on_air():
                            self._done_version = self._version
                            self.last_refusal = self._push_error = None
                            self._cond.notify_all()
                            continue
                        return self._desired, self._version, self._cause
                    self._cond.wait(quiet)
                else:
                    self._cond.wait()

    def _run(self) -> None:
        """The worker: send each latest state until closed or stopped. It never dies of
        an exception: an unexpected one (a bug, a failing audit stream, a broken clock)
        ends that attempt as the recording's error, and after a pause the worker goes on."""
        tries = _Tries(self.options.backoff, getattr(self.recording, "take_turn", None))
        while True:
            job: tuple[Payload, int, str] | None = None
            try:
                job = self._next()
                if job is None or not self._attempt(job, tries):
                    return
            except Exception as exc:
                self._crashed(job, exc)
                if not self._pause(max(tries.delay, 0.05)):  # a broken clock never spins
                    return
                tries.delay = min(tries.delay * 2, self.options.max_backoff)

    def _attempt(self, job: tuple[Payload, int, str], tries: _Tries) -> bool:
        """Send one state (after the target's turn, the latest by then) and handle the
        answer; False when the worker must end (the recording has ended, or closed)."""
        payload, version, cause = job
        try:
            if tries.turn is not None:
                tries.turn()  # wait for the turn first, then send what is latest by then
                latest = self._latest()
                if latest is None:
                    return True
                payload, version, cause = latest
            self.recording.update_layout(payload)
        except NotFoundError as exc:
            return self._on_not_found(tries, cause, payload, exc.message)
        except TRANSIENT as exc:
            self._record(cause, payload, "retry", f"retry in {tries.delay:.2f}s: {exc.message}")
            self._pause(tries.delay)
            tries.delay = min(tries.delay * 2, self.options.max_backoff)
            return True
        except ApiStatusError as exc:
            self._record(cause, payload, "refused", f"refused: {exc.message}")
            self._finish(version, None, f"refused: {exc.message}")
            return True
        except Exception as exc:  # a bug in a target must not kill the director
            log.error("update_layout failed", exc_info=exc)
            text = f"error: {exception_text(exc)}"
            self._record(cause, payload, "error", text)
            self._finish(version, None, error=f"{cause}: {text}")
            return True
        self._on_sent(tries, cause, payload, version)
        return True

    def _on_not_found(self, tries: _Tries, cause: str, payload: Payload, reason: str) -> bool:
        """A 404: retry within the grace period, or stop once it is over (False)."""
        lost = tries.lost = self._not_found(tries.lost, cause, payload, reason)
        wait = self._grace_wait(lost, tries.delay)
        if wait is None:
            self._stop(lost, cause, payload)
            return False
        self._record(
            cause,
            payload,
            "grace-retry",
            f"not found: retry in {wait:.2f}s ({self._lasted(lost)}): {reason}",
        )
        tries.delay = min(tries.delay * 2, self.options.max_backoff)
        if not self._pause(wait):
            self._record(cause, payload, "grace-end", f"closed: {self._lasted(lost)}")
            return False
        return True

    def _on_sent(self, tries: _Tries, cause: str, payload: Payload, version: int) -> None:
        """The recording took `payload`: the backoff starts again, a 404 run ends."""
        tries.delay = self.options.backoff
        self._record(cause, payload, "sent", "ok")
        lost, tries.lost = tries.lost, None
        if lost is not None:
            text = (
                f"recovered: the recording answered again after {lost.attempts} "
                f"404s over {lost.last - lost.since:.1f}s"
            )
            self._record(cause, payload, "grace-end", text)
            log.info("director: %s", text)
        self._finish(version, payload)

    def _crashed(self, job: tuple[Payload, int, str] | None, exc: Exception) -> None:
        """The worker raised outside the target (a bug, a broken clock): the attempt
        ends as an error."""
        log.error("director worker failed", exc_info=exc)
        text = f"error: {exception_text(exc)}"
        if job is None:
            with self._cond:
                self._warn(f"the director's worker: {text}")
            return
        payload, version, cause = job
        self._finish(version, None, error=f"{cause}: {text}")
        self._record(cause, payload, "error", text)

    def _latest(self) -> tuple[Payload, int, str] | None:
        """The state to send now, without waiting; None if nothing is left to send."""
        with self._cond:
            if self._closed or self.stopped is not None or self._desired is None:
                return None
            if self._done_version >= self._version or self._on_air():
                return None  # `_next` marks a state equal to the acknowledged one done
            return self._desired, self._version, self._cause

    def _on_air(self) -> bool:
        """The latest state is the acknowledged one, and no `resend` asked for it again
        (under `_cond`): nothing to send."""
        return self._desired == self._acked and self._resend_version != self._version

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
        version: int,
        acked: Payload | None,
        refusal: str | None = None,
        *,
        error: str | None = None,
    ) -> None:
        """State `version` is finished: acknowledged (`acked`), refused for good
        (`refusal`) or failed unexpectedly (`error`, also a warning)."""
        with self._cond:
            if acked is not None:
                self._acked = acked
                self.pushes += 1
            self.last_refusal = refusal
            self._push_error = error
            if error is not None:
                self._warn(error)
            self._done_version = max(self._done_version, version)
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
    "MAX_ERROR_TEXT",
    "MAX_WARNINGS",
    "TRANSIENT",
    "DirectorOptions",
    "LayoutTarget",
    "Payload",
    "PushLoop",
    "Status",
    "exception_text",
]
