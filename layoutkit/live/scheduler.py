"""One rate limit per App ID (Agora allows 10 requests per second per App ID, not per
recording), shared fairly: `FairLimiter` hands out at most `limit` requests in any `window`
seconds in turns across keys (one per recording), a round-robin when each key has one
request waiting, so a busy recording cannot starve another. `FairTarget` is a
`LayoutTarget` that takes a turn before each push."""

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
    """`acquire(key)` blocks until the key is first in the queue and a slot is free. One
    lock, a condition per waiting key (a grant wakes the next key only); `on_grant(key,
    time)` is called under the lock at each grant; `close()` wakes every waiter with
    `LimiterClosedError`."""

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
        self._on_grant = on_grant
        self._lock = threading.Lock()
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
        """Wait for `key`'s turn and a free slot, take it; the time it was taken. ValueError
        for a key already waiting; `LimiterClosedError` once closed."""
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
        now = self._clock()
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return self.window - (now - self._sent[0])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._closing.set()
            for turn in self._queue.values():
                turn.notify()


class FairTarget:
    """A `LayoutTarget` taking a turn for `key` on `limiter` before each push: the one
    `take_turn()` took, else its own."""

    def __init__(self, limiter: FairLimiter, key: Hashable, target: LayoutTarget) -> None:
        self.limiter = limiter
        self.key = key
        self.target = target
        self._turn = threading.local()  # a turn taken by this thread and not used yet

    def take_turn(self) -> None:
        self.limiter.acquire(self.key)
        self._turn.held = True

    def update_layout(self, layout: Mapping[str, Any]) -> object:
        if not getattr(self._turn, "held", False):
            self.limiter.acquire(self.key)
        self._turn.held = False
        return self.target.update_layout(layout)

    def __repr__(self) -> str:
        return f"FairTarget(key={self.key!r}, target={self.target!r})"
