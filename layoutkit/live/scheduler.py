"""One rate limit per App ID, shared fairly by many recordings.

Agora allows 10 requests per second per App ID in all, not per recording. A backend that
records many channels at once runs a Director per recording; `FairLimiter` lets all of
them share one budget: at most `limit` requests in any `window` seconds, handed out in
turns across keys (one key per recording). Waiting keys form a queue in arrival order;
a key that was served and asks again joins the back, so with one request per key (the
Director has one worker per recording) the queue is a round-robin: every waiting key is
served once before any key is served twice, and a busy recording cannot starve another.
A key's wait is bounded by one round: at most ceil(waiting keys / limit) + 1 windows.

`FairTarget(limiter, key, target)` is a `LayoutTarget` whose `update_layout` takes a turn
before it calls `target.update_layout`, so many Directors share one limiter; a Director
takes the turn first (`take_turn`) and sends the state that is latest when the turn
comes. A turn is one call: retries the client makes inside a call are paced by the
client's own limiter only (give the client `RetryPolicy(attempts=1)` to make every
request a turn; the Director retries).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from layoutkit.live.director import LayoutTarget


class LimiterClosedError(RuntimeError):
    """The limiter was closed while (or before) a key waited for its turn."""


class FairLimiter:
    """At most `limit` requests in any `window` seconds, in fair turns across keys.

    `acquire(key)` blocks until the key is first in the queue and a slot is free, then
    takes the slot. Thread-safe (one lock, a condition per waiting key: a grant wakes the
    next key only). `close()` wakes every waiter with
    `LimiterClosedError`. `clock` and `sleep` can be replaced (a fake clock whose `sleep`
    advances it); the default sleep ends at once when the limiter is closed. `on_grant(key,
    time)` is called under the lock at each grant, in grant order (metrics, tests). Only the
    key first in the queue sleeps for a slot; the others wait for their turn."""

    def __init__(
        self,
        limit: int = 10,
        window: float = 1.15,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
        on_grant: Callable[[Hashable, float], None] | None = None,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window above 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._closing = threading.Event()
        self._sleep: Callable[[float], object] = sleep or self._closing.wait
        self._on_grant = on_grant  # called under the lock, in grant order: (key, time)
        self._lock = threading.Lock()
        # waiting keys in turn order, each with its own condition: a grant wakes only the
        # next key, never every waiter
        self._queue: dict[Hashable, threading.Condition] = {}
        self._sent: deque[float] = deque()  # the times of the slots taken in the window
        self._closed = False
        self.granted = 0  # slots handed out so far

    @property
    def waiting(self) -> list[Hashable]:
        """The keys waiting, in the order they will be served."""
        with self._lock:
            return list(self._queue)

    def acquire(self, key: Hashable) -> float:
        """Wait for `key`'s turn and a free slot, then take the slot; the time (on `clock`)
        it was taken. A key has at most one request waiting (`ValueError` for a second);
        `LimiterClosedError` once closed."""
        with self._lock:
            if self._closed:
                raise LimiterClosedError("the limiter is closed")
            if key in self._queue:
                raise ValueError(f"key {key!r} is already waiting for its turn")
            turn = self._queue[key] = threading.Condition(self._lock)
            try:
                while True:
                    if self._closed:
                        raise LimiterClosedError("the limiter was closed while waiting")
                    if next(iter(self._queue)) != key:
                        turn.wait()  # woken when the key before it leaves the queue
                        continue
                    wait = self._free_in()
                    if wait <= 0:
                        now = self._clock()
                        self._sent.append(now)
                        self.granted += 1
                        if self._on_grant is not None:
                            self._on_grant(key, now)
                        return now
                    self._lock.release()  # sleep for the slot without the lock
                    try:
                        self._sleep(max(wait, 0.001))
                    finally:
                        self._lock.acquire()
            finally:
                first = next(iter(self._queue)) == key
                del self._queue[key]
                if first and self._queue:
                    self._queue[next(iter(self._queue))].notify()  # the next key goes on

    def _free_in(self) -> float:
        """Seconds until a slot is free (0 or less: free now). Under the lock."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return self.window - (now - self._sent[0])

    def close(self) -> None:
        """Wake every waiter with `LimiterClosedError`; later `acquire` calls fail at once."""
        with self._lock:
            self._closed = True
            self._closing.set()
            for turn in self._queue.values():
                turn.notify()


class FairTarget:
    """A `LayoutTarget` that takes a turn for `key` on `limiter` before each push.

    A Director calls `take_turn()` first and chooses the state to send once the turn has
    come (the latest then, not the one from before the wait); `update_layout` then uses
    that turn. Called on its own, `update_layout` takes a turn itself."""

    def __init__(self, limiter: FairLimiter, key: Hashable, target: LayoutTarget) -> None:
        self.limiter = limiter
        self.key = key
        self.target = target
        self._turn = threading.local()  # a turn taken by this thread and not used yet

    def take_turn(self) -> None:
        """Wait for this key's turn; the next `update_layout` of this thread uses it."""
        self.limiter.acquire(self.key)
        self._turn.held = True

    def update_layout(self, layout: Mapping[str, Any]) -> object:
        if not getattr(self._turn, "held", False):
            self.limiter.acquire(self.key)
        self._turn.held = False
        return self.target.update_layout(layout)

    def __repr__(self) -> str:
        return f"FairTarget(key={self.key!r}, target={self.target!r})"


__all__ = ["FairLimiter", "FairTarget", "LimiterClosedError"]
