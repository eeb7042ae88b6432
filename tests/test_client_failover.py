"""The client and the emulator around failures, over real HTTP on loopback: updateLayout
goes to the recording's own mode path; one updateLayout in flight per recording, other
recordings in parallel; 206 with code 65 repeated where repeating is safe, never on start;
the emulator's simulated failover (outage) and its control API. (stop, which is repeated
only when Agora asks, is test_client_stop.py.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from client_helpers import assert_one_in_flight, client_of, faults, logged

from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import Answer, EmulatorServer, ManualClock
from layoutkit.errors import ApiStatusError, NotCompletedError, NotFoundError
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET


@pytest.fixture
def fast_emulator() -> Iterator[EmulatorServer]:
    """Real time, no rate limit: for many requests at once."""
    with EmulatorServer(
        app_ids=(APP_ID,), customer_id=CUSTOMER_ID, customer_secret=CUSTOMER_SECRET, rate_limit=None
    ) as server:
        yield server


@pytest.fixture
def paced_client(agora_emulator: EmulatorServer) -> CloudRecordingClient:
    """A client of the plugin's emulator (real time, 10 requests per second), paced."""
    return client_of(agora_emulator, rate_limit=10)


# --- the mode path -----------------------------------------------------------------------


def test_update_layout_goes_to_the_recordings_own_mode(emulator: EmulatorServer) -> None:
    client = client_of(emulator)
    emulator.join("room", 1001)
    mix = client.record("room", 99)
    mix.update_layout({"mixedVideoLayout": 1})
    config = {"recordingConfig": {"subscribeUidGroup": 0}}
    single = client.record("room", 98, config, mode="individual")
    with pytest.raises(ApiStatusError) as info:
        single.update_layout({"mixedVideoLayout": 1})
    assert (info.value.status_code, info.value.code) == (400, 2)
    assert info.value.reason == "updateLayout works in mix mode only"
    pushes = [(r["path"], r["status"]) for r in logged(emulator) if r["endpoint"] == "updateLayout"]
    assert pushes == [
        (f"/v1/apps/{APP_ID}/cloud_recording/resourceid/{mix.resource_id}/sid/{mix.sid}"
         "/mode/mix/updateLayout", 200),
        (f"/v1/apps/{APP_ID}/cloud_recording/resourceid/{single.resource_id}/sid/{single.sid}"
         "/mode/individual/updateLayout", 400),
    ]  # fmt: skip


# --- one updateLayout in flight per recording --------------------------------------------


def test_one_update_in_flight_per_recording_from_many_threads(
    fast_emulator: EmulatorServer,
) -> None:
    client = client_of(fast_emulator)
    fast_emulator.join("room", 1001)
    first, second = client.record("room", 98), client.record("room", 99)
    fast_emulator.state.latency = 0.01  # every answer takes a while: requests overlap
    jobs = [(rec, {"mixedVideoLayout": i % 3}) for i in range(24) for rec in (first, second)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda job: job[0].update_layout(job[1]), jobs))
    assert_one_in_flight(fast_emulator, "updateLayout", (first, second), client.layout_turns, 48)


def test_different_recordings_are_not_serialized(fast_emulator: EmulatorServer) -> None:
    client = client_of(fast_emulator)
    fast_emulator.join("room", 1001)
    first, second = client.record("room", 98), client.record("room", 99)
    state = fast_emulator.state
    state.latency = 0.5
    slow = threading.Thread(target=first.update_layout, args=({"mixedVideoLayout": 1},))
    slow.start()
    deadline = time.monotonic() + 5
    while state.in_flight_sid.get(("updateLayout", first.sid), 0) == 0:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    second.update_layout({"mixedVideoLayout": 2})  # while the first is still in flight
    slow.join(5)
    assert state.max_in_flight["updateLayout"] == 2
    assert state.max_in_flight_sid[("updateLayout", first.sid)] == 1
    assert state.max_in_flight_sid[("updateLayout", second.sid)] == 1
    assert fast_emulator.layout_of(first.sid) == {"mixedVideoLayout": 1}
    assert fast_emulator.layout_of(second.sid) == {"mixedVideoLayout": 2}


# --- 206 with code 65 --------------------------------------------------------------------


def test_206_code_65_is_repeated_on_query_and_update_layout(
    agora_emulator: EmulatorServer, paced_client: CloudRecordingClient
) -> None:
    agora_emulator.join("room", 1001)
    recording = paced_client.record("room", 99)
    agora_emulator.inject(Answer(206, 65, "request not completed"))
    assert recording.query().sid == recording.sid
    agora_emulator.inject(Answer(206, 65, "request not completed"))
    recording.update_layout({"mixedVideoLayout": 2})
    assert agora_emulator.layout_of(recording.sid) == {"mixedVideoLayout": 2}
    answers = [(r.endpoint, r.status) for r in agora_emulator.state.requests]
    assert answers[-4:] == [
        ("query", 206),
        ("query", 200),
        ("updateLayout", 206),
        ("updateLayout", 200),
    ]


def test_206_code_65_past_the_retries_is_not_completed_error(
    agora_emulator: EmulatorServer,
) -> None:
    client = client_of(agora_emulator, attempts=2)
    agora_emulator.join("room", 1001)
    recording = client.record("room", 99)
    agora_emulator.inject(Answer(206, 65, "request not completed"), count=2)
    with pytest.raises(NotCompletedError) as info:
        recording.update_layout({"mixedVideoLayout": 2})
    assert (info.value.status_code, info.value.code) == (206, 65)


def test_206_code_65_on_start_is_never_repeated(
    agora_emulator: EmulatorServer, paced_client: CloudRecordingClient
) -> None:
    agora_emulator.join("room", 1001)
    resource = paced_client.acquire("room", 99)
    agora_emulator.inject(Answer(206, 65, "request not completed"))
    with pytest.raises(NotCompletedError):
        paced_client.start(resource)
    answers = [(r.endpoint, r.status) for r in agora_emulator.state.requests]
    assert answers == [("acquire", 200), ("start", 206)]


# --- the emulator's failover -------------------------------------------------------------


def test_an_outage_answers_404_on_the_sid_routes_then_the_recording_goes_on(
    emulator: EmulatorServer, clock: ManualClock
) -> None:
    client = client_of(emulator, attempts=1)
    emulator.join("room", 1001)
    recording = client.record("room", 99)
    clock.advance(1)
    answer = faults(emulator, {"kind": "outage", "seconds": 30})
    assert answer.status_code == 200 and answer.json()["outageUntil"] == clock() + 30
    for call in (recording.query, lambda: recording.update_layout({"mixedVideoLayout": 1})):
        with pytest.raises(NotFoundError) as info:
            call()
        assert info.value.body == {
            "resourceId": recording.resource_id,
            "sid": recording.sid,
            "code": 404,
            "reason": "failed to find worker",
        }
    with pytest.raises(NotFoundError):
        recording.stop()
    recording.stopped = None  # the stop did not happen
    other = client.acquire("room", 98)  # acquire and start are not part of the failover
    clock.advance(29.5)
    with pytest.raises(NotFoundError):
        recording.query()
    clock.advance(0.5)
    assert recording.query().sid == recording.sid  # the same sid works again
    recording.update_layout({"mixedVideoLayout": 2})
    assert emulator.layout_of(recording.sid) == {"mixedVideoLayout": 2}
    assert client.start(other).sid
    assert not emulator.state.recordings[recording.sid].ended


def test_outage_control_is_validated_and_cleared(
    emulator: EmulatorServer, clock: ManualClock
) -> None:
    for seconds in (0, -1, 3601, "30", True, None):
        answer = faults(emulator, {"kind": "outage", "seconds": seconds})
        assert answer.status_code == 400
        assert answer.json() == {"error": "seconds: more than 0, at most 3600"}
    assert emulator.state.outage_until is None
    assert faults(emulator, {"kind": "outage", "seconds": 3600}).status_code == 200
    assert emulator.state.in_outage("query") and not emulator.state.in_outage("acquire")
    assert requests.delete(f"{emulator.url}/_emulator/faults", timeout=5).status_code == 200
    assert not emulator.state.in_outage("query")
    wrong = faults(emulator, {"kind": "nope"})
    assert wrong.json() == {"error": "kind: one of 500, 504, timeout, drop, answer or outage"}
