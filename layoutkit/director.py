"""Live layouts: a Director follows the channel's participant events and keeps a running
recording's layout right.

Every event updates the participant set; the layout is compiled for it and becomes the
desired state (the full state: mode, background, focus, regions). One worker thread sends
it through `update_layout`, one request at a time; while a request is in flight (or the
client's rate limit holds, or the debounce window is open) newer states replace the
pending one, and only the latest is sent. A state equal to the last acknowledged one is
not sent again. Transient errors are retried with backoff until the latest state is
acknowledged; a recording that has ended (404) stops the director. Every push is written
to an audit log (JSON lines). Thread-safe; one bad event never stops it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol, Self

from layoutkit.compiler import compile_layout
from layoutkit.errors import (
    ApiStatusError,
    LayoutkitError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from layoutkit.loader import Layout
from layoutkit.roster import Event, EventKind, Roster

log = logging.getLogger("layoutkit.director")
Payload = dict[str, Any]


class LayoutTarget(Protocol):
    """What the director pushes to: a client `Recording`, or anything with this method."""

    def update_layout(self, layout: Mapping[str, Any]) -> object: ...


@dataclass(frozen=True)
class DirectorOptions:
    debounce: float = 0.0  # seconds of quiet before a new state is sent
    hide_camera_off: bool = False  # leave camera-off participants out of the picture
    hide_audio_only: bool = False  # leave audio-only participants out of the picture
    backoff: float = 0.2  # first retry delay after a transient error
    max_backoff: float = 5.0


class Director:
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
    ) -> None:
        self.recording = recording
        self.layout = layout
        self.options = options or DirectorOptions()
        self.roster = Roster(roles=dict(roles or {}))
        self.warnings: list[str] = []
        self.stopped: str | None = None
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
        self._audit_lock = threading.Lock()
        self._audit_file: IO[str] | None = None
        self._owns_audit = isinstance(audit, Path)
        if isinstance(audit, Path):
            self._audit_file = audit.open("a", encoding="utf-8")
        elif audit is not None:
            self._audit_file = audit
        self._worker = threading.Thread(target=self._run, name="layoutkit-director", daemon=True)
        self._worker.start()

    # --- events ----------------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        """Apply one participant event; never raises for a bad event (see `warnings`)."""
        with self._cond:
            if self.stopped is not None:
                self._warn(f"{event}: the director has stopped ({self.stopped}); ignored")
                return
            problem = self.roster.apply(event)
            if problem is not None:
                self._warn(problem)
                return
            try:
                payload = self.desired_for_roster()
            except LayoutkitError as exc:
                self._warn(
                    f"{event}: cannot compile the layout for "
                    f"{len(self.roster.people)} participants: {exc.message}"
                )
                return
            self._last_event = self._clock()
            if payload != self._desired:
                self._desired, self._cause = payload, str(event)
                self._version += 1
                self._cond.notify_all()

    def desired_for_roster(self) -> Payload:
        """The clientRequest compiled for the current participant set."""
        visible = self.roster.visible(
            hide_camera_off=self.options.hide_camera_off,
            hide_audio_only=self.options.hide_audio_only,
        )
        return compile_layout(self.layout, visible, self.roster.roles).to_wire()

    def _event(self, kind: EventKind, uid: str | int, role: str | None = None) -> None:
        self.handle(Event(kind, str(uid), role))

    def join(self, uid: str | int, role: str | None = None) -> None:
        self._event("join", uid, role)

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
    def acknowledged(self) -> Payload | None:
        """The last payload the recording accepted."""
        with self._cond:
            return self._acked

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the latest state is acknowledged (True) or the director stopped or
        the timeout passed (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._done_version < self._version and self.stopped is None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
            return self.stopped is None

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker (pending states are dropped; call `flush` first to send them)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._worker.join(timeout)
        if self._owns_audit and self._audit_file is not None:
            self._audit_file.close()

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
                        if self._desired == self._acked:
                            self._done_version = self._version
                            self._cond.notify_all()
                            continue
                        return self._desired, self._version, self._cause
                    self._cond.wait(quiet)
                else:
                    self._cond.wait()

    def _run(self) -> None:
        delay = self.options.backoff
        while (job := self._next()) is not None:
            payload, version, cause = job
            try:
                self.recording.update_layout(payload)
            except NotFoundError as exc:
                self._record(cause, payload, f"stopped: {exc.message}")
                with self._cond:
                    self.stopped = f"the recording has ended ({exc.message})"
                    self._cond.notify_all()
                log.warning("director stopped: %s", exc.message)
                return
            except (TransportError, ServerError, RateLimitError) as exc:
                self._record(cause, payload, f"retry in {delay:.2f}s: {exc.message}")
                with self._cond:
                    self._cond.wait_for(lambda: self._closed, timeout=delay)
                delay = min(delay * 2, self.options.max_backoff)
                continue
            except ApiStatusError as exc:
                self._record(cause, payload, f"refused: {exc.message}")
                self._finish(version, None)
                continue
            except Exception as exc:  # a bug in a target must not kill the director
                log.exception("update_layout failed")
                self._record(cause, payload, f"error: {type(exc).__name__}: {exc}")
                self._finish(version, None)
                continue
            delay = self.options.backoff
            self._record(cause, payload, "ok")
            self._finish(version, payload)

    def _finish(self, version: int, acked: Payload | None) -> None:
        with self._cond:
            if acked is not None:
                self._acked = acked
                self.pushes += 1
            self._done_version = max(self._done_version, version)
            self._cond.notify_all()

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        log.warning("%s", message)

    def _record(self, cause: str, payload: Payload, result: str) -> None:
        if self._audit_file is None:
            return
        line = json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "event": cause,
                "payload": payload,
                "result": result,
            }
        )
        with self._audit_lock:
            self._audit_file.write(line + "\n")
            self._audit_file.flush()


__all__ = ["Director", "DirectorOptions", "LayoutTarget", "Payload"]
