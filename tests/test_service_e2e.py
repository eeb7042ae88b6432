"""The director service end to end: the emulator sends signed Notifications of joins,
leaves and role changes to the service, the service pushes updateLayout back, and the
emulator's picture of every recording ends up showing exactly the channel's hosts, with
faulty deliveries, across a restart, under the App ID's shared rate limit, and for
recordings the service starts by itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    RECORDER,
    attach,
    auto_rules,
    described,
    emulated,
    hosts,
    layout_uids,
    make_emulator,
    most_in_window,
    nothing_pending,
    notices_settled,
    own_client,
    record,
    service_client,
    shows_exactly,
    status_when,
    wait_until,
)

from layoutkit.client import Recording
from layoutkit.emulator import EmulatorServer
from layoutkit.service import DirectorService

CHANNELS = ("east", "west", "north")
WINDOW = 1.15  # the service's rate window (10 requests in any WINDOW seconds)
JITTER = 0.1  # seconds a request may take between its turn and the emulator's log


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    running = make_emulator()
    yield running
    running.stop()


def serve(emulator: EmulatorServer, **kwargs: Any) -> DirectorService:
    """A started service of `emulator`, which sends its Notifications there."""
    service = DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, **kwargs)
    assert emulator.notifications is not None
    emulator.notifications.url = service.notifications_url
    return service.start()


def base(index: int) -> int:
    return 100 * (index + 1)


def open_channels(emulator: EmulatorServer, url: str) -> list[Recording]:
    """Two hosts and one audience member in each channel, a recording of each attached."""
    recordings = []
    for index, cname in enumerate(CHANNELS):
        b = base(index)
        emulator.join(cname, b + 1)
        emulator.join(cname, b + 2)
        emulator.join(cname, b + 9, role="audience")
        recording = record(emulator, cname)
        recordings.append(recording)
    wait_until(lambda: notices_settled(emulator), what="the first notifications delivered")
    for recording in recordings:
        status = attach(url, recording)
        assert RECORDER not in status["participants"]
    return recordings


def churn(emulator: EmulatorServer) -> None:
    """Joins, leaves and role changes interleaved across the channels, a little apart so
    each one is a state of its own to push."""
    steps: list[Callable[[str, int, int], None]] = [
        lambda c, b, i: emulator.join(c, b + 3),
        lambda c, b, i: emulator.join(c, b + 4, role="audience"),
        lambda c, b, i: emulator.leave(c, b + 1),
        lambda c, b, i: emulator.set_role(c, b + 4, "host"),  # audience → host
        lambda c, b, i: emulator.join(c, b + 5),
        lambda c, b, i: emulator.set_role(c, b + 2, "audience"),  # host → audience
        lambda c, b, i: emulator.join(c, b + 6, role="audience"),
        lambda c, b, i: emulator.leave(c, b + 5),
        lambda c, b, i: emulator.join(c, b + 7),
        lambda c, b, i: emulator.leave(c, b + 6),
        lambda c, b, i: emulator.set_role(c, b + 9, "host") if i != 1 else None,
        lambda c, b, i: emulator.leave(c, b + 3) if i == 2 else emulator.join(c, b + 8),
        lambda c, b, i: emulator.set_role(c, b + 2, "host") if i == 0 else None,
    ]
    for step in steps:
        for index, cname in enumerate(CHANNELS):
            step(cname, base(index), index)
        time.sleep(0.03)  # spacing the events (not a check)


FINAL_HOSTS = {
    "east": ["102", "103", "104", "107", "108", "109"],
    "west": ["203", "204", "207", "208"],
    "north": ["304", "307", "309"],
}


def settled(emulator: EmulatorServer, url: str, recordings: list[Recording]) -> None:
    """Wait until every notification is delivered or given up on, and every recording
    shows exactly its channel's hosts with nothing pending in the service."""
    wait_until(lambda: notices_settled(emulator), what="the notifications delivered")
    for recording in recordings:
        shows = partial(shows_exactly, emulator, recording.sid, recording.cname)
        wait_until(shows, timeout=15, what=f"{recording.cname}'s picture")
        status_when(url, recording.sid, nothing_pending)
        assert shows()  # and nothing was left to send after it


def check_pictures(emulator: EmulatorServer, url: str, recordings: list[Recording]) -> None:
    for recording in recordings:
        cname = recording.cname
        assert sorted(hosts(emulator, cname)) == FINAL_HOSTS[cname]
        found = emulated(emulator, recording.sid)
        drawn = [region["uid"] for region in found["picture"]]
        assert sorted(drawn) == FINAL_HOSTS[cname], cname
        assert all(region["media"] == "video" for region in found["picture"])
        assert RECORDER not in layout_uids(found["layout"])
        status = described(url, recording.sid)
        assert sorted(status["participants"]) == FINAL_HOSTS[cname]
        assert status["acknowledged"] == found["layout"]  # what the service believes was sent
        assert status["status"] == "applied" and status["errors"] == []


def update_times(emulator: EmulatorServer) -> list[float]:
    logged = requests.get(f"{emulator.url}/_emulator/requests", timeout=5).json()
    assert all(r["status"] == 200 for r in logged), [r for r in logged if r["status"] != 200]
    return [r["time"] for r in logged if r["endpoint"] == "updateLayout"]


def test_churn_across_three_channels_ends_in_the_right_pictures(
    emulator: EmulatorServer,
) -> None:
    grants: list[tuple[Hashable, float]] = []
    service = serve(emulator, on_grant=lambda key, at: grants.append((key, at)))
    try:
        recordings = open_channels(emulator, service.url)
        churn(emulator)
        settled(emulator, service.url, recordings)
        check_pictures(emulator, service.url, recordings)
        sent = update_times(emulator)
        pushes = sum(described(service.url, r.sid)["pushes"] for r in recordings)
        assert pushes == len(sent) == len(grants)  # one turn per request, none repeated
        assert len(sent) > 10  # enough requests for the limit to matter
        assert most_in_window([at for _, at in grants], WINDOW) <= 10
        assert most_in_window(sent, WINDOW - JITTER) <= 10
        assert {key for key, _ in grants} == {r.sid for r in recordings}  # every one served
    finally:
        service.stop()


def test_faulty_deliveries_still_end_in_the_right_pictures(emulator: EmulatorServer) -> None:
    service = serve(emulator)
    try:
        recordings = open_channels(emulator, service.url)
        faults = {"duplicate": 0.3, "reorder": 0.3, "delay": 0.05, "fail": 8, "seed": 11}
        answer = requests.post(
            f"{emulator.url}/_emulator/notifications/faults", json=faults, timeout=5
        )
        assert answer.status_code == 200, answer.text
        churn(emulator)
        settled(emulator, service.url, recordings)
        check_pictures(emulator, service.url, recordings)
        sent = requests.get(f"{emulator.url}/_emulator/notifications", timeout=5).json()
        notices = sent["notifications"]
        assert all(n["status"] == "delivered" for n in notices)  # retried until taken
        assert any(n["duplicate"] for n in notices)
        assert sum(len(n["attempts"]) > 1 for n in notices) >= 8  # failed, then retried
        delivered = [n["attempts"][-1]["time"] for n in notices if not n["duplicate"]]
        assert delivered != sorted(delivered)  # some arrived out of order
        assert service.hub.outcomes["stale"] > 0  # the duplicates, ignored by noticeId
        assert most_in_window(update_times(emulator), WINDOW - JITTER) <= 10
    finally:
        service.stop()


def test_a_restart_resumes_and_resyncs_what_it_missed(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "svc.db"
    first = serve(emulator, db=db)
    try:
        recordings = open_channels(emulator, first.url)
        for recording in recordings:
            shows = partial(shows_exactly, emulator, recording.sid, recording.cname)
            wait_until(shows, what=f"{recording.cname}'s first picture")
    finally:
        first.stop()
    # while it is down every callback fails until the emulator gives up on it
    churn(emulator)
    wait_until(lambda: notices_settled(emulator), what="the emulator to give up")
    notices = requests.get(f"{emulator.url}/_emulator/notifications", timeout=5).json()
    lost = [n for n in notices["notifications"] if n["status"] == "failed"]
    assert len(lost) >= 30 and all(len(n["attempts"]) == 4 for n in lost)
    second = DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db)
    try:
        assert second.resumed == 3
        assert emulator.notifications is not None
        emulator.notifications.url = second.notifications_url
        second.start()
        listed = requests.get(f"{second.url}/recordings", timeout=5).json()["recordings"]
        assert sorted(r["sid"] for r in listed) == sorted(r.sid for r in recordings)
        settled(emulator, second.url, recordings)
        check_pictures(emulator, second.url, recordings)
        logged = requests.get(f"{emulator.url}/_emulator/requests", timeout=5).json()
        users = [r["path"] for r in logged if r["endpoint"] == "channelUsers"]
        assert all(any(path.endswith(f"/{c}") for path in users) for c in CHANNELS)
        # and it follows the notifications again after the resync
        emulator.join("east", 110)
        emulator.leave("west", 207)
        after = {"east": [*FINAL_HOSTS["east"], "110"], "west": ["203", "204", "208"]}
        for recording in recordings[:2]:
            assert sorted(hosts(emulator, recording.cname)) == after[recording.cname]
            shows = partial(shows_exactly, emulator, recording.sid, recording.cname)
            wait_until(shows, what="the picture after the restart")
    finally:
        second.stop()


def test_a_second_service_on_the_same_database_is_refused(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    from layoutkit.service.store import StoreError

    db = tmp_path / "svc.db"
    first = serve(emulator, db=db)
    try:
        with pytest.raises(StoreError) as refused:
            DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db)
        assert str(db) in refused.value.message and "another" in refused.value.message
        health = requests.get(f"{first.url}/healthz", timeout=5)  # the first one goes on
        assert health.status_code == 200
    finally:
        first.stop()


def test_matching_channels_are_recorded_by_themselves(emulator: EmulatorServer) -> None:
    rules = auto_rules("auto-*", options={"not_found_grace": 0.5})
    service = serve(emulator, rules=rules)
    url = service.url

    def attached(cname: str) -> list[dict[str, Any]]:
        listed = requests.get(f"{url}/recordings", timeout=5).json()["recordings"]
        return [r for r in listed if r["cname"] == cname]

    def running(cname: str) -> list[dict[str, Any]]:
        found = requests.get(f"{emulator.url}/_emulator/recordings", timeout=5).json()
        return [r for r in found if r["cname"] == cname and not r["ended"]]

    try:
        emulator.join("auto-1", 21, role="audience")  # no host yet: nothing to record
        emulator.join("other-1", 31)  # no rule matches
        wait_until(lambda: notices_settled(emulator), what="the first notifications")
        emulator.set_role("auto-1", 21, "host")  # the first host
        (auto,) = wait_until(lambda: attached("auto-1"), what="the recording attached")
        assert auto["auto"] is True and auto["layout"] == "preset grid-3x3"
        (started,) = running("auto-1")
        assert started["sid"] == auto["sid"] and started["uid"] == RECORDER
        emulator.join("auto-1", 22)
        wait_until(
            lambda: (
                sorted(hosts(emulator, "auto-1")) == ["21", "22"]
                and shows_exactly(emulator, auto["sid"], "auto-1")
            ),
            what="both hosts in the picture",
        )
        emulator.leave("auto-1", 21)
        emulator.set_role("auto-1", 22, "audience")  # the last host is gone
        wait_until(lambda: not running("auto-1"), what="the recording stopped")
        stopped = emulated(emulator, auto["sid"])
        assert stopped["ended"] is True
        wait_until(lambda: not attached("auto-1"), what="the recording detached")
        assert running("other-1") == [] and attached("other-1") == []
        assert service.auto is not None
        assert any("stopped" in line for line in service.auto.log)
        emulator.set_role("auto-1", 22, "host")  # a host again: recorded again
        (again,) = wait_until(lambda: attached("auto-1"), what="a second recording")
        assert again["sid"] != auto["sid"] and again["auto"] is True
    finally:
        service.stop()


def test_a_recording_agora_ends_is_recorded_again_while_hosts_remain(
    emulator: EmulatorServer,
) -> None:
    rules = auto_rules("again-*")
    service = serve(emulator, rules=rules)
    try:
        emulator.join("again-1", 41)
        first = wait_until(lambda: service.hub.sids(), what="the first recording attached")[0]
        item = service.hub.attached(first)
        assert item is not None
        # Agora ends it (here: a stop from elsewhere); its event 11 reaches the service
        own_client(emulator).stop(item.spec.resource_id, first, "again-1", RECORDER)
        status = wait_until(
            lambda: (
                service.hub.describe(first)["status"] == "stopped" and service.hub.describe(first)
            ),
            what="the first recording stopped by Agora's event 11",
        )
        assert "session_exit" in status["ended"]
        second = wait_until(
            lambda: [s for s in service.hub.sids() if s != first], what="a new recording"
        )[0]
        wait_until(lambda: shows_exactly(emulator, second, "again-1"), what="41 in the new picture")
    finally:
        service.stop()
