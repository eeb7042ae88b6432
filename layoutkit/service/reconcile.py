"""Reconciliation: each directed channel's user list, read again and again.

One lost callback would otherwise leave a channel wrong for good (Agora recommends
combining Notifications with the user list). Each channel with an attached recording is
read every `interval` seconds (jittered by up to a tenth either way, so hundreds of
channels do not ask at once), and all of them soon after a gap (a callback the service
could not use or keep, a restart). The reads go through the hub's `resync`, which takes
a turn on a limiter of their own (Agora's user list allows 20 queries per second per
account), never on updateLayout's.

`due(now)` is pure bookkeeping on the clock given, so tests drive it with a clock they
hold; `start()` runs a thread that looks once a `poll` second (real time) and reads the
channels that are due.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

log = logging.getLogger("layoutkit.service")
RESYNC_INTERVAL = 60.0
"""Seconds between two reads of a directed channel's user list."""
GAP_DELAY = 1.0
"""Seconds after a gap before the channels are read (callbacks often come in bursts)."""
JITTER = 0.1


class Reconciler:
    """When to read which channel's user list (see the module). `channels()` gives the
    directed channels now; `resync(channel)` reads one and applies the differences."""

    def __init__(
        self,
        channels: Callable[[], list[str]],
        resync: Callable[[str], object],
        *,
        interval: float = RESYNC_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        poll: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("the resync interval must be positive")
        self.interval = interval
        self.poll = poll
        self._channels = channels
        self._resync = resync
        self._clock = clock
        self._rng = rng or random.Random()
        self._next: dict[str, float] = {}  # channel -> when it is due
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reads = 0  # user lists read

    def _later(self, now: float) -> float:
        return now + self.interval * (1 + self._rng.uniform(-JITTER, JITTER))

    def add(self, channel: str) -> None:
        """`channel` is directed from now on: first read one (jittered) period later."""
        now = self._clock()
        with self._lock:
            self._next.setdefault(channel, self._later(now))

    def gap(self) -> None:
        """A callback was lost: read every directed channel soon."""
        soon = self._clock() + GAP_DELAY
        directed = self._channels()  # outside the lock: the hub's lock is taken first
        with self._lock:
            for channel in directed:
                self._next[channel] = min(self._next.get(channel, soon), soon)

    def due(self, now: float | None = None) -> list[str]:
        """The channels to read now (each then scheduled one interval later); channels
        no longer directed are forgotten, new ones are first due one interval on."""
        now = self._clock() if now is None else now
        directed = set(self._channels())
        found = []
        with self._lock:
            for channel in list(self._next):
                if channel not in directed:
                    del self._next[channel]
            for channel in sorted(directed):
                when = self._next.setdefault(channel, self._later(now))
                if when <= now:
                    found.append(channel)
                    self._next[channel] = self._later(now)
        return found

    def run_due(self) -> int:
        """Read every channel that is due; how many were read."""
        read = 0
        for channel in self.due():
            if self._stop.is_set():
                break
            try:
                self._resync(channel)
            except Exception as exc:  # one channel's failure never stops the others
                log.error("reconciling %r failed: %s: %s", channel, type(exc).__name__, exc)
            read += 1
        self.reads += read
        return read

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="layoutkit-reconcile", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            self.run_due()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
