"""The Director's install side: a change of the participant set becomes the desired
state of the push loop (`live.pusher`), or the reason it cannot.

Each change is numbered; its snapshot (who is there, roles, who is hidden, names) is
compiled outside the lock, and the result is installed under the lock only if no later
change was installed meanwhile, so the latest change's state wins. With a publisher, a
compile publishes the images a styled layout needs before their URLs go into the state;
a failed publish (AssetError) changes nothing on air, is reported (`warnings`,
`last_error`, an audit line `publish-failed`) and is tried again with a growing delay (up
to `PUBLISH_RETRY_MAX` seconds) until it succeeds or a later change replaces it. A
layout that cannot compile is `last_error` and a warning. Anything unexpected (a bug, a
corrupt font file's OSError) never reaches the thread that gave the change: it is
`last_error`, with `status` `error`, an audit line `error` and a warning, until a later
change is installed.

`Installer` is the base of `live.director.Director`, which owns the participant set
(`_snapshot`) and the compile (`_compile`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from layoutkit.compile.compiler import Compilation
from layoutkit.errors import AssetError, LayoutkitError
from layoutkit.layout.loader import Layout
from layoutkit.live.pusher import (
    DirectorOptions,
    LayoutTarget,
    Payload,
    PushLoop,
    Status,
    exception_text,
    log,
)

if TYPE_CHECKING:
    from layoutkit.assets import Publisher

Snapshot = tuple[list[str], dict[str, str], frozenset[str], dict[str, str]]
"""What a compile needs of the participant set: people, roles, hidden, names."""
Change = tuple[str, int, Snapshot]
"""A change to install: its cause, its number and its snapshot."""
PUBLISH_RETRY_MAX = 30.0
"""The longest wait, in seconds, before a failed publish is tried again."""


class Installer(PushLoop):
    """Numbered changes -> compiled, published, installed states (see the module).
    Thread-safe: `_cond` (the push loop's) guards it all."""

    def __init__(
        self,
        recording: LayoutTarget,
        layout: Layout,
        assets: Publisher | None,
        options: DirectorOptions,
        audit: Path | IO[str] | None,
        clock: Callable[[], float],
    ) -> None:
        self.layout = layout
        self.assets = assets
        self._change_error: str | None = None  # why the latest change is not installed
        self._fault: int | None = None  # raised unexpectedly after change number this
        self._applied = 0  # changes numbered so far, in the order they were made
        self._installed = 0  # the number of the change whose state was installed last
        self._left_out: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self._unpublished_told = False  # the one warning of a styled layout not published
        self._retry: Change | None = None  # a change whose publish failed
        self._settled = 0  # changes up to this number are installed (or cannot compile)
        self._retry_delay = 0.0
        self._retry_timer: threading.Timer | None = None
        super().__init__(recording, options, audit, clock)

    def _snapshot(self) -> Snapshot:
        """The participant set now, for a compile (under `_cond`)."""
        raise NotImplementedError

    def _compile(self, roster: Snapshot) -> Compilation:
        """Compile (and, given a publisher, publish the images; AssetError if that fails)."""
        raise NotImplementedError

    def _change(self, cause: str) -> Change:
        """Number a change of the participant set and take its snapshot (under `_cond`)."""
        self._applied += 1
        return cause, self._applied, self._snapshot()

    def _install(self, cause: str, number: int, roster: Snapshot) -> None:
        """Compile for `roster` (outside the lock) and make it the desired state, unless
        a later change (numbered above `number`) was installed meanwhile. A change is
        *settled* once its state is installed or cannot be compiled; a failed publish
        leaves it unsettled and tried again, and an older change's success never
        clears a newer one's retry. Never raises: anything unexpected is `_failed`."""
        try:
            self._install_now(cause, number, roster)
        except Exception as exc:
            self._failed(cause, number, exc)

    def _install_now(self, cause: str, number: int, roster: Snapshot) -> None:
        """`_install`, raising what it does not expect."""
        try:
            compiled = self._compile(roster)
        except AssetError as exc:  # nothing is pushed: no state names a missing file
            self._publish_failed(cause, number, roster, exc)
            return
        except LayoutkitError as exc:
            problem = f"{cause}: cannot compile the layout for {len(roster[0])} participants"
            with self._cond:
                self._change_error = f"{problem}: {exc.message}"
                self._warn(self._change_error)
                self._settle(number)
            return
        payload = compiled.payload_json
        with self._cond:
            if number < self._installed:  # a later event's state is in place already
                return
            self._installed = number
            self._settle(number)
            if self._retry is None or self._retry[1] <= number:
                self._change_error = None
                self._retry, self._retry_delay = None, 0.0
            if self._fault is not None and self._fault < number:
                self._fault = None
            self._note_left_out(cause, compiled, payload)
            self._note_unpublished(cause, compiled, payload)
            self._want(payload, cause)

    def _publish_failed(self, cause: str, number: int, roster: Snapshot, exc: AssetError) -> None:
        """The images of change `number` could not be published: try again later."""
        problem = f"{cause}: cannot publish the layout's images: {exc.message}"
        with self._cond:
            if number < self._installed or self._closed:
                return  # a later state is in place (or nothing more is sent)
            if self._retry is not None and self._retry[1] > number:
                return  # a later change's retry stands for this one too
            self._change_error = problem
            delay = self._schedule_retry(cause, number, roster)
            self._warn(f"{problem}; trying again in {delay:g} s")
        self._record(cause, {}, "publish-failed", exc.message)

    def _failed(self, cause: str, number: int, exc: Exception) -> None:
        """Change `number` raised something unexpected (a bug, a corrupt font file):
        the recording's error (`last_error`, `status` `error`), a warning and an audit
        line; the change is settled, and a later one goes on as usual."""
        log.error("director: %s failed", cause, exc_info=exc)
        problem = f"{cause}: error: {exception_text(exc)}"
        with self._cond:
            if number >= self._installed:
                self._change_error = problem
                self._fault = max(self._fault or 0, number)
            self._warn(problem)
            self._settle(number)
        self._record(cause, {}, "error", problem)

    def _settle(self, number: int) -> None:
        """Changes up to `number` are done with (under `_cond`)."""
        self._settled = max(self._settled, number)
        self._cond.notify_all()

    def _unsettled(self) -> bool:
        """A change not yet installed: being compiled or published, or a publish to try
        again (under `_cond`)."""
        return self._retry is not None or self._settled < self._applied

    def _schedule_retry(self, cause: str, number: int, roster: Snapshot) -> float:
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
        """The retry timer: install the change whose publish failed, or a later one."""
        with self._cond:
            self._retry_timer = None
            wanted = self._retry
            if wanted is None or self._closed or self.stopped is not None:
                return
            cause, number, roster = wanted
            if number < self._applied:  # a later change came; its state is the one wanted
                try:
                    number, roster = self._applied, self._snapshot()
                except Exception as exc:  # a bug: never a dead timer without a word
                    self._failed(cause, number, exc)
                    return
        self._install(cause if cause.endswith("(retry)") else f"{cause} (retry)", number, roster)

    @property
    def publishing(self) -> bool:
        """True while the latest change waits for its picture (its compile or its images'
        publishing is under way, or a failed publish is tried again): what is on air is
        an older state."""
        with self._cond:
            return self._unsettled()

    @property
    def last_error(self) -> str | None:
        """The recording's error: why the latest change is not on air for a reason other
        than Agora's refusal (`last_refusal`): its layout cannot be compiled, its images
        cannot be published (tried again meanwhile), or something raised unexpectedly
        (`status` `error`); or sending it raised (`PushLoop.last_error`). None once a
        later change is installed and sent."""
        with self._cond:
            return self._change_error or self._push_error

    @property
    def status(self) -> Status:
        """As `PushLoop.status`; `pending` too while the latest change is not installed
        (being compiled or published, or a failed publish tried again); `error` when the
        latest change raised unexpectedly (see `last_error`)."""
        base = super().status
        with self._cond:
            if base == "stopped":
                return base
            if self._unsettled():
                return "pending"
            return "error" if self._fault is not None else base

    def flush(self, timeout: float | None = None) -> bool:
        """As `PushLoop.flush`, waiting also for every change so far to be installed (its
        images published): False while one is not at the timeout, or once closed with
        one left, or when the latest change raised unexpectedly (`status` `error`)."""
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
                    return self.stopped is None and self._fault is None

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            timer, self._retry_timer, self._retry = self._retry_timer, None, None
        if timer is not None:
            timer.cancel()
        super().close(timeout)

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


__all__ = ["PUBLISH_RETRY_MAX", "Change", "Installer", "Snapshot"]
