"""One rate limit per App ID shared fairly by many recordings: `FairLimiter` (fake clock)
and 20 Directors sharing one limiter against the emulator (real clock, real HTTP)."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from typing import Any
from urllib.request import urlopen

import pytest

from layoutkit import parse_layout
from layoutkit.client import CloudRecordingClient, Recording, RetryPolicy
from layoutkit.emulator import EmulatorServer
from layoutkit.live.director import Director
from layoutkit.live.scheduler import FairLimiter, FairTarget, LimiterClosedError
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, STORAGE


class FakeTime:
    """A clock that moves only when someone sleeps (after a real pause, so the other
    threads get to run); `gate` holds sleepers until a test opens it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()
        self.gate = threading.Event()
        self.gate.set()

    def clock(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        self.gate.wait(10)
        time.sleep(0.0005)
        with self.lock:
            self.now += seconds


class Grants:
    """What a limiter handed out, in order: (key, time)."""

    def __init__(self) -> None:
        self.log: list[tuple[Hashable, float]] = []

    def __call__(self, key: Hashable, at: float) -> None:
        self.log.append((key, at))  # called under the limiter's lock

    def keys(self) -> list[Hashable]:
        return [k for k, _ in self.log]


def most_in_any_window(times: list[float], window: float) -> int:
    """The most times in any half-open window [t, t + window)."""
    times = sorted(times)
    best = start = 0
    for end, now in enumerate(times):
        while now - times[start] >= window - 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


def run(*targets: Any) -> list[threading.Thread]:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    return threads


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_50_keys_with_bursts_never_pass_the_limit_in_any_window() -> None:
    fake, grants = FakeTime(), Grants()
    limiter = FairLimiter(10, 1.15, clock=fake.clock, sleep=fake.sleep, on_grant=grants)

    def burst(key: int) -> None:
        for _ in range(3):
            limiter.acquire(key)

    threads = run(*[lambda k=k: burst(k) for k in range(50)])
    for thread in threads:
        thread.join(30)
    assert limiter.granted == len(grants.log) == 150
    assert all(grants.keys().count(k) == 3 for k in range(50))
    assert most_in_any_window([at for _, at in grants.log], 1.15) == 10
    # 150 slots at 10 a window: 14 full windows of waiting, not more
    assert grants.log[-1][1] == pytest.approx(14 * 1.15, abs=0.05)


def test_each_waiting_key_is_served_once_before_any_key_twice() -> None:
    fake, grants = FakeTime(), Grants()
    limiter = FairLimiter(1, 1.0, clock=fake.clock, sleep=fake.sleep, on_grant=grants)
    limiter.acquire("warm-up")  # the one slot is taken: everyone below waits
    fake.gate.clear()  # and the first in the queue sleeps until the gate opens
    keys = ["a", "b", "c", "d", "e"]
    threads = []
    for key in keys:  # queued in this order

        def rounds(key: str = key) -> None:
            for _ in range(4):
                limiter.acquire(key)

        threads += run(rounds)
        wait_until(lambda key=key: key in limiter.waiting)
    fake.gate.set()
    for thread in threads:
        thread.join(10)
    served = grants.keys()[1:]
    assert served[:5] == keys
    for start in range(0, 20, 5):
        assert sorted(served[start : start + 5]) == keys, served  # type: ignore[type-var]


class CountingCondition(threading.Condition):
    """A Condition that counts how often its waiters wake up (every limiter's)."""

    wakeups = 0

    def wait(self, timeout: float | None = None) -> bool:
        woken = super().wait(timeout)
        CountingCondition.wakeups += 1
        return woken


def test_a_grant_wakes_only_the_key_whose_turn_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "Condition", CountingCondition)
    fake = FakeTime()
    limiter = FairLimiter(1, 1.0, clock=fake.clock, sleep=fake.sleep)
    limiter.acquire("warm-up")
    fake.gate.clear()  # the first key sleeps for the slot until the gate opens
    threads = []
    for key in range(40):  # queued in this order, each waiting on its own condition
        threads += run(lambda key=key: limiter.acquire(key))
        wait_until(lambda key=key: key in limiter.waiting)
    CountingCondition.wakeups = 0
    fake.gate.set()
    for thread in threads:
        thread.join(10)
    assert limiter.granted == 41
    # each key wakes once, when the key before it leaves the queue (a thundering herd
    # would wake every waiter at every grant: about 40 * 40 / 2)
    assert CountingCondition.wakeups <= 40


def test_a_busy_key_delays_another_single_request_by_one_round_at_most() -> None:
    fake, grants = FakeTime(), Grants()
    limiter = FairLimiter(10, 1.15, clock=fake.clock, sleep=fake.sleep, on_grant=grants)
    stop = threading.Event()

    def busy(key: str) -> None:
        try:
            while not stop.is_set():
                limiter.acquire(key)
        except LimiterClosedError:
            pass

    busy_keys = [f"busy-{i}" for i in range(24)]
    threads = run(*[lambda k=k: busy(k) for k in busy_keys])
    wait_until(lambda: limiter.granted >= 100)
    asked, before = fake.clock(), limiter.granted
    served = limiter.acquire("single")
    stop.set()
    limiter.close()
    for thread in threads:
        thread.join(10)
    active = len(busy_keys) + 1
    assert served - asked <= (math.ceil(active / 10) + 1) * 1.15
    ahead = grants.keys()[before : grants.keys().index("single")]
    assert len(ahead) <= active  # one round of the others at most
    assert most_in_any_window([at for _, at in grants.log], 1.15) <= 10


def test_close_wakes_every_waiter_with_an_error() -> None:
    limiter = FairLimiter(1, 60.0)  # the real clock: the next slot is a minute away
    limiter.acquire("first")
    errors: list[BaseException] = []

    def wait(key: str) -> None:
        try:
            limiter.acquire(key)
        except LimiterClosedError as exc:
            errors.append(exc)

    threads = run(*[lambda k=k: wait(k) for k in ("a", "b", "c")])
    wait_until(lambda: len(limiter.waiting) == 3)
    started = time.monotonic()
    limiter.close()
    for thread in threads:
        thread.join(5)
    assert time.monotonic() - started < 2
    assert len(errors) == 3 and limiter.waiting == []
    with pytest.raises(LimiterClosedError):
        limiter.acquire("later")


def test_a_key_waits_once_at_a_time() -> None:
    limiter = FairLimiter(1, 60.0)
    limiter.acquire("a")
    errors: list[BaseException] = []

    def wait() -> None:
        try:
            limiter.acquire("a")
        except LimiterClosedError as exc:
            errors.append(exc)

    threads = run(wait)
    wait_until(lambda: limiter.waiting == ["a"])
    with pytest.raises(ValueError, match="already waiting"):
        limiter.acquire("a")
    limiter.close()
    threads[0].join(5)
    assert len(errors) == 1
    with pytest.raises(ValueError, match="limit"):
        FairLimiter(0)


def test_fair_target_takes_a_turn_before_each_push() -> None:
    sent: list[Mapping[str, Any]] = []

    class Target:
        def update_layout(self, layout: Mapping[str, Any]) -> object:
            sent.append(layout)
            return "ok"

    grants = Grants()
    target = FairTarget(FairLimiter(on_grant=grants), "room-1", Target())
    assert target.update_layout({"mixedVideoLayout": 1}) == "ok"
    assert sent == [{"mixedVideoLayout": 1}] and grants.keys() == ["room-1"]
    assert "room-1" in repr(target)


def test_a_director_sends_the_state_that_is_latest_when_its_turn_comes() -> None:
    """While a director waits for its turn, newer states replace the one it was about to
    send: after the wait it sends the latest (one push for all of them), not a stale one."""
    sent: list[list[str]] = []

    class Target:
        def update_layout(self, layout: Mapping[str, Any]) -> object:
            sent.append([r["uid"] for r in layout.get("layoutConfig", [])])
            return "ok"

    now = [0.0]
    hold = threading.Event()
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the window passes when the test says so
        waits.append(seconds)
        hold.wait(10)
        now[0] += seconds

    limiter = FairLimiter(limit=1, window=60.0, clock=lambda: now[0], sleep=sleep)
    limiter.acquire("someone-else")  # the only slot of this minute is taken
    target = FairTarget(limiter, "room-1", Target())
    director = Director(target, LAYOUT)
    director.join(1001)
    assert wait_for(lambda: bool(waits))  # the director is waiting for its turn
    director.join(1002)
    director.join(1003)
    hold.set()
    assert director.flush(timeout=10)
    assert sent == [["1001", "1002", "1003"]]
    director.close()


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


LAYOUT = parse_layout("""
canvas: 1280x720
variants:
  - when: 0
    mode: adaptive
  - when: 1-9
    regions:
      - grid: {rows: 3, columns: 3, gap: 4px}
  - when: 10+
    mode: adaptive
""")


def test_20_directors_share_one_app_id_limit_against_the_emulator() -> None:
    granted: list[float] = []
    limiter = FairLimiter(on_grant=lambda key, at: granted.append(at))  # 10 in any 1.15 s
    with EmulatorServer(
        app_ids=(APP_ID,), customer_id=CUSTOMER_ID, customer_secret=CUSTOMER_SECRET
    ) as emulator:
        recordings: list[Recording] = []
        for n in range(20):
            client = CloudRecordingClient(
                APP_ID,
                CUSTOMER_ID,
                CUSTOMER_SECRET,
                base_url=emulator.url,
                retry=RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.1),
                rate_limit=1000,  # only the shared FairLimiter paces
                storage=STORAGE,
            )
            emulator.join(f"room-{n}", 1)
            limiter.acquire("setup")
            resource = client.acquire(f"room-{n}", 99)
            limiter.acquire("setup")
            recordings.append(client.start(resource))
        directors = [
            Director(FairTarget(limiter, recording.sid, recording), LAYOUT)
            for recording in recordings
        ]
        try:
            for wave in range(3):  # bursts of joins on every recording at once
                for n, director in enumerate(directors):
                    for uid in range(1 + wave * 3, 4 + wave * 3):
                        director.join(1000 + uid)
                    if wave == 2 and n % 2:
                        director.join(1010)  # 10+: the adaptive mode
            assert all(director.flush(timeout=20) for director in directors)
            for n, (recording, director) in enumerate(zip(recordings, directors, strict=True)):
                assert director.acknowledged is not None and not director.warnings
                assert emulator.layout_of(recording.sid) == director.acknowledged
                assert len(director.participants) == 9 + n % 2
        finally:
            for director in directors:
                director.close()
            limiter.close()
        with urlopen(f"{emulator.url}/_emulator/requests", timeout=5) as answer:
            logged = json.load(answer)
    api = [r for r in logged if r["endpoint"] in ("acquire", "start", "updateLayout")]
    statuses = [r["status"] for r in api]
    assert set(statuses) <= {200, 429}
    assert sum(r["endpoint"] == "updateLayout" and r["status"] == 200 for r in api) >= 20
    # the limiter never let more than 10 go in any window of its own; the emulator answers
    # 429 past Agora's 10 a second by arrival time, which a busy machine can bunch on the
    # way: such a request is repeated by the client (the only requests not granted)
    worst = most_in_any_window(granted, limiter.window)
    print(f"most requests granted in any {limiter.window} s: {worst} of {len(granted)}")
    assert worst <= 10 and len(api) == len(granted) + statuses.count(429)
