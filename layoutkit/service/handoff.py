"""Work routed to a channel, done for its Directors in order, outside the hub's lock.

The hub routes a callback under its lock (`put`, `call`) and hands the work over after it:
`hand` in the caller's thread, `hand_later` in a worker thread of the channel, so a
callback is answered as soon as it is kept and routed, however long a Director takes to
compile and publish the images of the new picture (a slow upload never makes Agora send
the callback again). One worker drains a channel at a time, so a channel's work is done
in the order it was routed; other channels never wait. A channel's queue is dropped as
soon as it is drained, so only busy channels hold one (Agora sends every channel of the
App ID: a queue per channel ever seen would grow without bound).

A task that raises is logged and `on_error` is told (the hub makes it the recording's
error); the worker goes on with the channel's next task.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

from layoutkit.live.roster import Event

log = logging.getLogger("layoutkit.service")
Task = Callable[[], None]


class Receiver(Protocol):
    """An attached recording, as the hand-off sees it: its Director, if it has one."""

    @property
    def director(self) -> _Handles | None: ...


class _Handles(Protocol):
    def handle(self, event: Event) -> None: ...


class _Queue:
    def __init__(self) -> None:
        self.tasks: deque[tuple[Task, object]] = deque()
        self.turn = threading.Lock()  # held by the thread doing this channel's work


class Handoff:
    """The queues of work per busy channel (guarded by the hub's `lock`). `on_error(key,
    exc)` is told of a task that raised, with the key it was queued with."""

    def __init__(
        self, lock: threading.RLock, on_error: Callable[[object, Exception], None] | None = None
    ) -> None:
        self._lock = lock
        self._idle = threading.Condition(lock)
        self._queues: dict[str, _Queue] = {}
        self._draining: set[str] = set()  # channels a worker is doing work for
        self._on_error = on_error

    @property
    def channels(self) -> int:
        """How many channels hold a queue now (only those with work pending)."""
        with self._lock:
            return len(self._queues)

    def call(self, channel: str, task: Task, key: object = None) -> None:
        """Queue `task` for the channel (call with the lock held)."""
        self._queues.setdefault(channel, _Queue()).tasks.append((task, key))

    def put(self, channel: str, events: Sequence[Event], to: Sequence[Receiver]) -> None:
        """Queue `events` for the recordings `to` (call with the lock held)."""
        for event in events:
            for receiver in to:
                self.call(channel, _deliver(receiver, event), receiver)

    def hand(self, channel: str) -> None:
        """Do the channel's queued work, in order, in this thread (call without the
        lock): whichever thread holds the channel's turn drains its queue."""
        with self._lock:
            queue = self._queues.get(channel)
        if queue is None:
            return
        with queue.turn:
            while True:
                with self._lock:
                    if not queue.tasks:
                        if self._queues.get(channel) is queue:
                            del self._queues[channel]  # drained: nothing kept per channel
                        return
                    task, key = queue.tasks.popleft()
                self._run(task, key)

    def _run(self, task: Task, key: object) -> None:
        try:
            task()
        except Exception as exc:  # one failing Director never stops the channel's worker
            log.error("a task of the service failed: %s: %s", type(exc).__name__, exc)
            if self._on_error is not None:
                self._on_error(key, exc)

    def hand_later(self, channel: str) -> None:
        """Do the channel's work in a worker thread (one per busy channel)."""
        with self._lock:
            if channel in self._draining or channel not in self._queues:
                return  # its worker takes these too before it stops, or nothing to do
            self._draining.add(channel)
        worker = threading.Thread(
            target=self._drain, args=(channel,), name=f"layoutkit-handoff-{channel}", daemon=True
        )
        worker.start()

    def _drain(self, channel: str) -> None:
        """The worker: do work until the queue is empty when looked at under the lock,
        and stop in that same moment (work queued after it starts a new worker)."""
        try:
            while True:
                self.hand(channel)
                with self._lock:
                    if channel not in self._queues:
                        self._stopped(channel)
                        return
        except BaseException:
            with self._lock:
                self._stopped(channel)
            raise

    def _stopped(self, channel: str) -> None:
        """The channel's worker stops (under the lock)."""
        self._draining.discard(channel)
        self._idle.notify_all()

    def wait(self, timeout: float) -> bool:
        """Wait until no worker is doing work; False at the timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._draining:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
            return True


def _deliver(receiver: Receiver, event: Event) -> Task:
    def task() -> None:
        director = receiver.director
        if director is not None:
            director.handle(event)

    return task


__all__ = ["Handoff", "Receiver", "Task"]
