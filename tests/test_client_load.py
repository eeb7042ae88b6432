"""Under load and failure: the shared rate limit, retries through 30% failures, and a
start that is never repeated. Real clock, real HTTP on loopback."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from client_helpers import client_of

from layoutkit.client import Recording
from layoutkit.emulator import EmulatorServer
from layoutkit.errors import ApiError


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    best = 0
    start = 0
    for end, now in enumerate(times):
        while now - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_50_concurrent_updates_from_8_threads_stay_within_10_per_second(
    agora_emulator: EmulatorServer,
) -> None:
    agora_emulator.join("room", 1001)
    recording = client_of(agora_emulator, rate_limit=10).record("room", 99)
    payloads = [{"mixedVideoLayout": i % 3, "backgroundColor": f"#0000{i:02X}"} for i in range(50)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(recording.update_layout, payloads))
    assert len(answers) == 50
    log = agora_emulator.state.requests
    assert [r.status for r in log].count(429) == 0
    assert sum(1 for r in log if r.endpoint == "updateLayout" and r.status == 200) == 50
    assert most_in_one_second([r.wall for r in log]) <= 10


def test_query_and_update_succeed_through_30_percent_failures(
    agora_emulator: EmulatorServer,
) -> None:
    client = client_of(agora_emulator, attempts=10, rate_limit=1000, timeout=0.2)
    agora_emulator.join("room", 1001)
    agora_emulator.state.fault_delay = 0.4
    agora_emulator.chaos(0.3, seed=7)
    recordings: list[Recording] = []
    start_failures = 0
    while len(recordings) < 2:
        try:
            recordings.append(client.record("room", 90 + len(recordings)))
        except ApiError:
            start_failures += 1  # acquire or start failed: a new resource next time
    for recording in recordings:
        for step in range(5):
            recording.update_layout({"mixedVideoLayout": step % 3})
            assert recording.query().sid == recording.sid
    agora_emulator.chaos(0)
    log = agora_emulator.state.requests
    failed = [r for r in log if r.status != 200]
    assert len(failed) >= 0.15 * len(log)  # the chaos really happened
    starts_per_resource: dict[str, int] = {}
    for r in log:
        # a 429 is refused by the gateway before the service sees it; any other answer
        # (or none) may mean the service started, so it must never be sent again
        if r.endpoint == "start" and r.status != 429:
            rid = r.path.split("/resourceid/")[1].split("/")[0]
            starts_per_resource[rid] = starts_per_resource.get(rid, 0) + 1
    assert max(starts_per_resource.values()) == 1
    for recording in recordings:
        assert agora_emulator.layout_of(recording.sid) == {"mixedVideoLayout": 1}
