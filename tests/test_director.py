"""The director against the emulator over real HTTP: latest wins, one request in flight,
the rate limit, convergence through failures, debounce, options, audit, bad events."""

from __future__ import annotations

import io
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from director_helpers import Target, start_recording
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layoutkit import compile_layout, parse_layout
from layoutkit.client import CloudRecordingClient, RetryPolicy
from layoutkit.emulator import EmulatorServer
from layoutkit.live.director import Director, DirectorOptions
from layoutkit.live.roster import Event, Roster
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, STORAGE

LAYOUT = parse_layout("""
canvas: 1280x720
variants:
  - when: 0
    mode: adaptive
  - when: {count: 2+, roles: [screen]}
    regions:
      - {role: screen, x: 0, y: 0, width: 75%, height: 1, fit: fit}
      - grid: {x: 75%, width: 25%, rows: 4, columns: 1, gap: 4px}
  - when: 1-9
    regions:
      - grid: {rows: 3, columns: 3, gap: 4px}
  - when: 10+
    mode: adaptive
""")


def expected(roster: Roster) -> dict[str, object]:
    return compile_layout(LAYOUT, list(roster.people), roster.roles).to_wire()


def test_a_join_pushes_the_compiled_layout(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT) as director:
        director.join(1001)
        director.join(1002)
        assert director.flush(timeout=10)
        assert agora_emulator.layout_of(recording.sid) == director.acknowledged
    roster = Roster()
    roster.apply(Event("join", "1001"))
    roster.apply(Event("join", "1002"))
    assert agora_emulator.layout_of(recording.sid) == expected(roster)


def test_a_burst_of_1000_events_latest_wins(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    rng = random.Random(3)
    roster = Roster()
    events = []
    for _ in range(1000):
        uid = str(rng.randint(1000, 1020))
        kind = "leave" if uid in roster.people and rng.random() < 0.5 else "join"
        event = Event(kind, uid)  # type: ignore[arg-type]
        roster.apply(event)
        events.append(event)
    with Director(recording, LAYOUT) as director:
        for event in events:
            director.handle(event)
        assert director.flush(timeout=30)
    assert agora_emulator.layout_of(recording.sid) == expected(roster)
    state = agora_emulator.state
    assert state.max_in_flight["updateLayout"] == 1
    assert [r.status for r in state.requests].count(429) == 0
    pushes = [r for r in state.requests if r.endpoint == "updateLayout"]
    assert 1 <= len(pushes) < 100  # coalesced: far fewer than the 1000 events
    walls = sorted(r.wall for r in state.requests)
    assert all(walls[i + 10] - walls[i] >= 1.0 for i in range(len(walls) - 10))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["join", "leave", "share", "unshare", "role"]),
            st.integers(min_value=1, max_value=8),
        ),
        max_size=40,
    )
)
def test_random_event_sequences_end_in_the_final_layout(events: list[tuple[str, int]]) -> None:
    with EmulatorServer(
        app_ids=(APP_ID,), customer_id=CUSTOMER_ID, customer_secret=CUSTOMER_SECRET
    ) as emulator:
        client = CloudRecordingClient(
            APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url, storage=STORAGE
        )
        recording = start_recording(emulator, client)
        roster = Roster()
        before = dict(emulator.layout_of(recording.sid))
        with Director(recording, LAYOUT) as director:
            for kind, number in events:
                event = Event(kind, str(number), "host" if kind == "role" else None)  # type: ignore[arg-type]
                roster.apply(event)
                director.handle(event)
            assert director.flush(timeout=30)
        final = emulator.layout_of(recording.sid)
        if director.pushes:
            assert final == expected(roster)
        else:
            assert final == before
        assert emulator.state.max_in_flight.get("updateLayout", 0) <= 1


def test_converges_through_30_percent_failures(agora_emulator: EmulatorServer) -> None:
    client = CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=agora_emulator.url,
        timeout=0.2,
        retry=RetryPolicy(attempts=2, backoff=0.01, max_backoff=0.02),
        storage=STORAGE,
    )
    recording = start_recording(agora_emulator, client)
    agora_emulator.state.fault_delay = 0.3
    agora_emulator.chaos(0.3, kinds=("500", "504", "timeout", "drop"), seed=11)
    roster = Roster()
    options = DirectorOptions(backoff=0.02, max_backoff=0.1)
    with Director(recording, LAYOUT, options=options) as director:
        for step in range(40):
            uid = str(1000 + step // 2)
            event = Event("share", uid) if step % 2 else Event("unshare", str(int(uid) - 1))
            roster.apply(event)
            director.handle(event)
            if step % 3 == 0:
                director.flush(timeout=30)  # let some states reach the recording
        assert director.flush(timeout=60)
    agora_emulator.chaos(0)
    assert agora_emulator.layout_of(recording.sid) == expected(roster)
    failed = [r for r in agora_emulator.state.requests if r.status != 200]
    assert failed  # the failures really happened


def test_the_director_stops_when_the_recording_ends(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    audit = io.StringIO()
    options = DirectorOptions(backoff=0.02, max_backoff=0.05, not_found_grace=0.3)
    director = Director(recording, LAYOUT, audit=audit, options=options)  # real time
    director.join(5)
    assert director.flush(timeout=10)
    recording.stop()
    director.share_start(6)  # a new layout, pushed to a recording that has ended
    assert not director.flush(timeout=10)
    assert director.stopped is not None and "ended" in director.stopped
    director.join(7)
    assert "the director has stopped" in director.warnings[-1]
    director.close()
    lines = [json.loads(line) for line in audit.getvalue().splitlines()]
    assert lines[0]["result"] == "ok" and lines[0]["event"] == "join 5"
    assert lines[-1]["result"].startswith("stopped:") and lines[-1]["event"] == "share 6"
    assert set(lines[0]) == {"time", "event", "step", "payload", "result"}
    assert [line["step"] for line in lines][-2:] == ["grace-end", "stopped"]


def test_debounce_merges_a_burst_into_one_push(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT, options=DirectorOptions(debounce=0.3)) as director:
        for uid in range(1, 8):
            director.join(uid)
        assert director.flush(timeout=10)
        assert director.pushes == 1


def test_equal_payloads_are_not_sent_again(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT) as director:
        director.join(1)
        assert director.flush(timeout=10)
        director.camera_off(1)  # the same layout: nothing to send
        director.camera_on(1)
        assert director.flush(timeout=10)
        assert director.pushes == 1


def test_options_leave_camera_off_and_audio_only_people_out(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    options = DirectorOptions(hide_camera_off=True, hide_audio_only=True)
    with Director(recording, LAYOUT, options=options) as director:
        for uid in (1, 2, 3):
            director.join(uid)
        director.camera_off(2)
        director.audio_only(3)
        assert director.flush(timeout=10)
    roster = Roster()
    roster.apply(Event("join", "1"))
    assert agora_emulator.layout_of(recording.sid) == expected(roster)


def test_bad_events_warn_and_the_director_goes_on(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT) as director:
        director.leave(42)
        director.join(1)
        director.join(1)
        director.camera_off(77)  # not here yet: kept for their join, no warning
        director.share_start(9)
        assert director.flush(timeout=10)
        assert len(director.warnings) == 2
        assert director.participants == ["1", "9"]


def test_events_from_many_threads(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT) as director:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(director.join, range(1, 41)))
        assert director.flush(timeout=10)
        assert sorted(director.participants, key=int) == [str(i) for i in range(1, 41)]
    roster = Roster()
    for uid in director.participants:
        roster.apply(Event("join", uid))
    assert agora_emulator.layout_of(recording.sid) == expected(roster)


def test_refused_payloads_are_reported_not_retried() -> None:
    class Refusing:
        calls = 0

        def update_layout(self, layout: object) -> object:
            from layoutkit.errors import ApiStatusError

            Refusing.calls += 1
            raise ApiStatusError("updateLayout: HTTP 400, code 2", status_code=400, code=2)

    audit = io.StringIO()
    with Director(Refusing(), LAYOUT, audit=audit) as director:
        director.join(1)
        director.flush(timeout=5)
    assert Refusing.calls == 1
    assert json.loads(audit.getvalue().splitlines()[0])["result"].startswith("refused")


@pytest.mark.parametrize("hide", [False, True])
def test_screen_share_variant(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, hide: bool
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT, options=DirectorOptions(hide_camera_off=hide)) as director:
        director.join(1)
        director.share_start(2)
        assert director.flush(timeout=10)
        layout = agora_emulator.layout_of(recording.sid)
        assert layout["layoutConfig"][0]["uid"] == "2"
        director.share_stop(2)
        assert director.flush(timeout=10)
        # back to the people grid: 1 takes the first cell, named
        assert agora_emulator.layout_of(recording.sid)["layoutConfig"][0]["uid"] == "1"


def test_a_director_with_nothing_to_send_holds_no_thread() -> None:
    """Its worker ends once the latest state is sent, and the next event starts one: a
    thousand idle recordings are not a thousand threads."""
    targets = [Target() for _ in range(50)]
    directors = [Director(target, LAYOUT) for target in targets]
    try:
        for director in directors:
            director.join(1)
        assert all(director.flush(timeout=10) for director in directors)
        deadline = time.monotonic() + 30
        while any(d._worker is not None for d in directors) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert all(director._worker is None for director in directors)
        for director in directors:
            director.join(2)
        assert all(director.flush(timeout=10) for director in directors)
        assert all(len(target.sent) == 2 for target in targets)
    finally:
        for director in directors:
            director.close()
