"""A failover of one recording, as Agora's high availability does it, over real HTTP on
loopback: the recorder leaves and rejoins with a new random uid (RTC events, Cloud
Recording event 12 with `newUid`), the recording's sid routes answer 404 meanwhile, then
the recording goes on with its layout; from the control API and from Python."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_helpers import Receiver, with_storage
from emulator_helpers import emulator as emulator  # the fixtures: an emulator
from emulator_helpers import receiver as receiver  # and its Notifications' receiver

from layoutkit.client import CloudRecordingClient, Recording, RetryPolicy
from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

AUTH = (CUSTOMER_ID, CUSTOMER_SECRET)
API = f"/v1/apps/{APP_ID}/cloud_recording"
LAYOUT = {
    "mixedVideoLayout": 3,
    "backgroundColor": "#102030",
    "layoutConfig": [
        {"uid": "1001", "x_axis": 0, "y_axis": 0, "width": 0.5, "height": 1},
        {"uid": "1002", "x_axis": 0.5, "y_axis": 0, "width": 0.5, "height": 1},
    ],
}


@pytest.fixture
def recording(emulator: EmulatorServer) -> Recording:
    emulator.join("room", 1001)
    emulator.join("room", 1002)
    client = CloudRecordingClient(
        APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url, retry=RetryPolicy(attempts=1)
    )
    start = with_storage({"recordingConfig": {"transcodingConfig": LAYOUT}})
    return client.record("room", 527841, start)


def sid_route(emulator: EmulatorServer, recording: Recording, endpoint: str) -> str:
    rid, sid = recording.resource_id, recording.sid
    return f"{emulator.url}{API}/resourceid/{rid}/sid/{sid}/mode/mix/{endpoint}"


def call(emulator: EmulatorServer, recording: Recording, endpoint: str) -> requests.Response:
    body: dict[str, Any] = {"cname": "room", "uid": "527841", "clientRequest": {}}
    if endpoint == "update":
        body["clientRequest"] = {"streamSubscribe": {"audioUidList": {"subscribeAudioUids": ["1"]}}}
    if endpoint == "updateLayout":
        body["clientRequest"] = LAYOUT
    url = sid_route(emulator, recording, endpoint)
    if endpoint == "query":
        return requests.get(url, auth=AUTH, timeout=5)
    return requests.post(url, json=body, auth=AUTH, timeout=5)


def summary(emulator: EmulatorServer, recording: Recording) -> Any:
    return requests.get(f"{emulator.url}/_emulator/recordings/{recording.sid}", timeout=5).json()


def composite(emulator: EmulatorServer, recording: Recording) -> bytes:
    url = f"{emulator.url}/_emulator/recordings/{recording.sid}/composite.png"
    return requests.get(url, timeout=10).content


def broadcasters(emulator: EmulatorServer) -> list[int]:
    url = f"{emulator.url}/dev/v1/channel/user/{APP_ID}/room/hosts_only"
    headers = {"Content-Type": "application/json"}
    answer = requests.get(url, auth=AUTH, headers=headers, timeout=5)
    return list(answer.json()["data"]["broadcasters"])


def test_a_failover_from_the_control_api(
    emulator: EmulatorServer, recording: Recording, receiver: Receiver, clock: ManualClock
) -> None:
    before = composite(emulator, recording)
    url = f"{emulator.url}/_emulator/recordings/{recording.sid}/failover"
    answer = requests.post(url, json={"seconds": 30}, timeout=5)
    assert answer.status_code == 200, answer.text
    new_uid = answer.json()["newUid"]
    assert answer.json()["until"] == clock() + 30 and new_uid != "527841"
    # the old recorder times out of the channel; Agora tells the new uid
    got = receiver.wait_for(12)
    left, failover = got[-2], got[-1]
    assert (left["eventType"], left["payload"]["uid"], left["payload"]["reason"]) == (
        104,
        527841,
        2,
    )
    assert failover["productId"] == 3
    assert failover["payload"]["details"] == {"msgName": "session_failover", "newUid": int(new_uid)}
    assert broadcasters(emulator) == [1001, 1002]  # the recorder is switching servers
    for endpoint in ("query", "update", "updateLayout", "stop"):
        gone = call(emulator, recording, endpoint)
        assert (gone.status_code, gone.json()["code"]) == (404, 404), endpoint
        assert gone.json()["reason"] == "failed to find worker"
    clock.advance(29)
    assert call(emulator, recording, "query").status_code == 404
    clock.advance(1)  # switched over: the recorder rejoins with its new uid
    rejoined = receiver.wait_for(103, 4)[-1]["payload"]
    assert (rejoined["uid"], rejoined["platform"], rejoined["clientType"]) == (int(new_uid), 6, 10)
    assert call(emulator, recording, "query").status_code == 200
    assert broadcasters(emulator) == [1001, 1002, int(new_uid)]
    state = summary(emulator, recording)
    assert state["recorderUid"] == new_uid and state["failover"] is None
    assert state["failovers"] == [{"time": clock() - 30, "oldUid": "527841", "newUid": new_uid}]
    assert state["layout"] == LAYOUT and composite(emulator, recording) == before
    assert call(emulator, recording, "stop").status_code == 200  # the same uid in requests
    assert receiver.wait_for(11)[-1]["payload"]["sequence"] == 1


def test_a_failover_concerns_its_own_recording_only(
    emulator: EmulatorServer, recording: Recording
) -> None:
    emulator.join("other", 7)
    client = CloudRecordingClient(APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url)
    other = client.record("other", 527841, with_storage())
    emulator.failover(recording.sid, 60)
    assert call(emulator, recording, "query").status_code == 404
    assert other.query().server_response is not None
    acquired = requests.post(
        f"{emulator.url}{API}/acquire",
        json={"cname": "room", "uid": "5", "clientRequest": {}},
        auth=AUTH,
        timeout=5,
    )
    assert acquired.status_code == 200


def test_deleting_the_faults_ends_a_failover_at_once(
    emulator: EmulatorServer, recording: Recording, receiver: Receiver
) -> None:
    new_uid = emulator.failover(recording.sid, 600)
    assert summary(emulator, recording)["failover"]["newUid"] == new_uid
    assert requests.delete(f"{emulator.url}/_emulator/faults", timeout=5).ok
    assert receiver.wait_for(103, 4)[-1]["payload"]["uid"] == int(new_uid)
    assert call(emulator, recording, "query").status_code == 200


def test_failovers_that_cannot_be(
    emulator: EmulatorServer, recording: Recording, clock: ManualClock
) -> None:
    url = f"{emulator.url}/_emulator/recordings/{{}}/failover"
    assert requests.post(url.format("nope"), json={}, timeout=5).status_code == 404
    for seconds in (0, -1, "30", True, 3601):
        bad = requests.post(url.format(recording.sid), json={"seconds": seconds}, timeout=5)
        assert bad.status_code == 400 and "seconds" in bad.json()["error"], seconds
    with pytest.raises(ValueError, match="no recording"):
        emulator.failover("nope")
    emulator.failover(recording.sid)  # 30 s by default
    with pytest.raises(ValueError, match="failing over already"):
        emulator.failover(recording.sid)
    clock.advance(30)
    recording.stop()
    with pytest.raises(ValueError, match="has ended"):
        emulator.failover(recording.sid)
