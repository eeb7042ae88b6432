"""The director through Agora's failover, over real HTTP on loopback: 404s for a while
(the emulator's outage) are retried within the grace period and the layout converges;
404s past the grace period (a stopped recording, a long outage) stop it with a report;
206 with code 65 is retried; every step is in the audit log. The emulator and the
director share a ManualClock, so 30 s of outage take a few tenths of a real second."""

from __future__ import annotations

import io
import json
import random
import time
from typing import Any

import pytest
from client_helpers import client_of, faults
from service_helpers import wait_until

from layoutkit import compile_layout, parse_layout
from layoutkit.client import Recording
from layoutkit.emulator import Answer, EmulatorServer, ManualClock
from layoutkit.live.director import Director, DirectorOptions
from layoutkit.live.roster import Event, Roster

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
FAST = DirectorOptions(backoff=0.01, max_backoff=0.05)  # the default 90 s grace


@pytest.fixture
def emulator(unpaced_emulator: EmulatorServer) -> EmulatorServer:
    """On the manual clock, without the 10-per-second limit (see conftest)."""
    return unpaced_emulator


def start_recording(emulator: EmulatorServer, attempts: int = 2) -> Recording:
    emulator.join("room", 1)
    return client_of(emulator, attempts).record("room", 99)


def outage(emulator: EmulatorServer, seconds: float) -> None:
    answer = faults(emulator, {"kind": "outage", "seconds": seconds})
    assert answer.status_code == 200, answer.text


def expected(roster: Roster) -> dict[str, Any]:
    return compile_layout(LAYOUT, list(roster.people), roster.roles).to_wire()


def lines(audit: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in audit.getvalue().splitlines()]


def steps(audit: io.StringIO) -> list[str]:
    return [line["step"] for line in lines(audit)]


def test_a_30s_failover_during_a_burst_converges(
    emulator: EmulatorServer, clock: ManualClock
) -> None:
    recording = start_recording(emulator)
    audit = io.StringIO()
    roster = Roster()
    rng = random.Random(5)
    with Director(recording, LAYOUT, audit=audit, options=FAST, clock=clock) as director:
        for uid in ("1001", "1002"):
            roster.apply(Event("join", uid))
            director.join(uid)
        assert director.flush(timeout=5)
        outage(emulator, 30)
        for _ in range(300):  # a burst of joins and leaves during the failover
            uid = str(rng.randint(1000, 1012))
            event = Event("leave" if uid in roster.people else "join", uid)
            roster.apply(event)
            director.handle(event)
        wait_until(lambda: steps(audit).count("grace-retry") >= 3)
        clock.advance(20)  # 20 s into the outage: still 404, well within the grace
        wait_until(lambda: "404 for 20.0s" in audit.getvalue())
        assert director.stopped is None and not director.flush(timeout=0.05)
        clock.advance(11)  # the outage is over
        assert director.flush(timeout=5)
    assert director.stopped is None
    assert emulator.layout_of(recording.sid) == expected(roster)
    log = lines(audit)
    names = [line["step"] for line in log]
    start, end = names.index("grace-start"), names.index("grace-end")
    assert start < end and names.count("grace-start") == names.count("grace-end") == 1
    assert set(names[start + 1 : end]) == {"grace-retry", "sent"}
    assert log[end]["result"].startswith("recovered: the recording answered again after")
    assert log[end - 1]["step"] == "sent" and log[end - 1]["result"] == "ok"
    retry = next(line["result"] for line in log if line["step"] == "grace-retry")
    assert retry.startswith("not found: retry in 0.01s (404 for 0.0s of 90s grace): ")
    assert retry.endswith("HTTP 404, code 404: failed to find worker")
    statuses = [r.status for r in emulator.state.requests if r.endpoint == "updateLayout"]
    assert 404 in statuses and statuses[-1] == 200
    assert emulator.state.max_in_flight["updateLayout"] == 1


@pytest.mark.parametrize("end", ["stop", "long outage"])
def test_404s_past_the_grace_period_stop_the_director(
    emulator: EmulatorServer, clock: ManualClock, end: str
) -> None:
    recording = start_recording(emulator)
    audit = io.StringIO()
    director = Director(recording, LAYOUT, audit=audit, options=FAST, clock=clock)
    director.join(1001)
    assert director.flush(timeout=5)
    if end == "stop":
        recording.stop()
    else:
        outage(emulator, 600)
    director.join(1002)
    wait_until(lambda: "grace-retry" in steps(audit))
    clock.advance(60)
    wait_until(lambda: "404 for 60.0s" in audit.getvalue())
    assert director.stopped is None  # a minute of 404s may still be a failover
    clock.advance(31)
    assert not director.flush(timeout=5)
    report = director.stopped
    assert report is not None
    assert report.startswith("the recording has ended: updateLayout answered 404 for 91.0s")
    assert "past the 90s grace period" in report and "failed to find worker" in report
    assert "not applied: the layout with mixedVideoLayout" in report
    assert report.endswith("after join 1002")
    director.join(1003)
    assert "the director has stopped" in director.warnings[-1]
    director.close()
    log = lines(audit)
    assert [line["step"] for line in log][-2:] == ["grace-end", "stopped"]
    assert log[-2]["result"] == "expired: 404 for 91.0s of 90s grace"
    assert log[-1]["result"] == f"stopped: {report}" and log[-1]["event"] == "join 1002"


def test_close_during_the_grace_period_ends_it_at_once(emulator: EmulatorServer) -> None:
    recording = start_recording(emulator)
    audit = io.StringIO()
    slow = DirectorOptions(backoff=30, max_backoff=30)  # real clock, long waits
    director = Director(recording, LAYOUT, audit=audit, options=slow)
    recording.stop()
    director.join(1001)
    wait_until(lambda: "grace-retry" in steps(audit))
    started = time.monotonic()
    director.close()
    assert time.monotonic() - started < 10  # at once, not after the 30 s backoff
    assert director.stopped is None and not director.flush()
    last = lines(audit)[-1]
    assert last["step"] == "grace-end" and last["result"].startswith("closed: 404 for ")


def test_206_code_65_is_retried_by_the_client(emulator: EmulatorServer) -> None:
    recording = start_recording(emulator, attempts=4)
    audit = io.StringIO()
    emulator.inject(Answer(206, 65, "retry"))
    with Director(recording, LAYOUT, audit=audit, options=FAST) as director:
        director.join(1001)
        assert director.flush(timeout=5)
    assert steps(audit) == ["sent"]  # the transport repeated it
    pushes = [r.status for r in emulator.state.requests if r.endpoint == "updateLayout"]
    assert pushes == [206, 200]
    assert emulator.layout_of(recording.sid) == director.acknowledged


def test_206_code_65_past_the_client_retries_is_retried_by_the_director(
    emulator: EmulatorServer,
) -> None:
    recording = start_recording(emulator, attempts=1)
    audit = io.StringIO()
    emulator.inject(Answer(206, 65, "retry"), count=2)
    with Director(recording, LAYOUT, audit=audit, options=FAST) as director:
        director.join(1001)
        assert director.flush(timeout=5)
    log = lines(audit)
    assert [line["step"] for line in log] == ["retry", "retry", "sent"]
    assert log[0]["result"] == "retry in 0.01s: updateLayout: HTTP 206, code 65: retry"
    assert log[1]["result"].startswith("retry in 0.02s: ")
    assert emulator.layout_of(recording.sid) == director.acknowledged
