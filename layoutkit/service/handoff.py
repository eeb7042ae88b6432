"""Events routed to a channel, handed to its Directors in order, outside the hub's lock.

The hub routes a callback under its lock (`put`) and hands the events over after it:
`hand` in the caller's thread (attach, resync, resume), `hand_later` in a worker thread of
the channel, so a callback is answered as soon as it is kept and routed, however long a
Director takes to compile and publish the images of the new picture (a slow upload never
makes Agora send the callback again). One worker drains a channel at a time, so a
channel's events arrive in the order they were routed; other channels never wait.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from layoutkit.live.roster import Event


class Receiver(Protocol):
    """An attached recording, as the hand-off sees it: its Director, if it has one."""

    @property
    def director(self) -> _Handles | None: ...


class _Handles(Protocol):
    def handle(self, event: Event) -> None: ...


class Handoff:
    """The queues of events per channel (guarded by the hub's `lock`)."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._idle = threading.Condition(lock)
        self._queues: dict[str, tuple[deque[tuple[Event, Sequence[Receiver]]], threading.Lock]]
        self._queues = {}
        self._draining: set[str] = set()  # channels a worker is handing events for

    def put(self, channel: str, events: Sequence[Event], to: Sequence[Receiver]) -> None:
        """Queue `events` for the recordings `to` (call with the lock held)."""
        queue, _ = self._queues.setdefault(channel, (deque(), threading.Lock()))
        queue.extend((event, to) for event in events)

    def hand(self, channel: str) -> None:
        """Hand the channel's queued events over, in order, in this thread (call without
        the lock): whichever thread holds the channel's turn drains its queue."""
        with self._lock:
            found = self._queues.get(channel)
        if found is None:
            return
        queue, turn = found
        with turn:
            while True:
                with self._lock:
                    if not queue:
                        return
                    event, receivers = queue.popleft()
                for receiver in receivers:
                    director = receiver.director
                    if director is not None:
                        director.handle(event)

    def hand_later(self, channel: str) -> None:
        """Hand the channel's events over in a worker thread (one per busy channel)."""
        with self._lock:
            if channel in self._draining:
                return  # its worker takes these too before it stops
            self._draining.add(channel)
        worker = threading.Thread(
            target=self._drain, args=(channel,), name=f"layoutkit-handoff-{channel}", daemon=True
        )
        worker.start()

    def _drain(self, channel: str) -> None:
        """The worker: hand events over until the queue is empty when looked at under the
        lock, and stop in that same moment (an event queued after it starts a new one)."""
        try:
            while True:
                self.hand(channel)
                with self._lock:
                    queue = self._queues.get(channel)
                    if queue is None or not queue[0]:
                        self._draining.discard(channel)
                        self._idle.notify_all()
                        return
        except BaseException:  # a Director never raises from handle; if one did
            with self._lock:
                self._draining.discard(channel)
                self._idle.notify_all()
            raise

    def wait(self, timeout: float) -> bool:
        """Wait until no worker is handing events over; False at the timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._draining:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
            return True


__all__ = ["Handoff", "Receiver"]
