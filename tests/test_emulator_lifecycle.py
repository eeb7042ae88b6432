"""How a recording starts and ends in the emulator, as at Agora: a start needs a
`storageConfig`; maxIdleTime counts while no host is in the channel (audience members do
not keep it busy); an ending recording sends session_exit (Cloud Recording event 11) and
exits for a while, when a stop is answered 400 with code 49."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_helpers import Receiver, start_body, with_storage
from emulator_helpers import emulator as emulator  # the fixtures: an emulator
from emulator_helpers import receiver as receiver  # and its Notifications' receiver

from layoutkit.client import CloudRecordingClient, Recording, RetryPolicy
from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.emulator.state import EXIT_SECONDS
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

AUTH = (CUSTOMER_ID, CUSTOMER_SECRET)
API = f"/v1/apps/{APP_ID}/cloud_recording"
IDLE = {"recordingConfig": {"maxIdleTime": 10}}


@pytest.fixture
def client(emulator: EmulatorServer) -> CloudRecordingClient:
    return CloudRecordingClient(
        APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url, retry=RetryPolicy(attempts=1)
    )


def ended_by(emulator: EmulatorServer, recording: Recording) -> Any:
    url = f"{emulator.url}/_emulator/recordings/{recording.sid}"
    return requests.get(url, timeout=5).json()["endedBy"]


def stop(emulator: EmulatorServer, recording: Recording) -> requests.Response:
    rid, sid = recording.resource_id, recording.sid
    url = f"{emulator.url}{API}/resourceid/{rid}/sid/{sid}/mode/mix/stop"
    body = {"cname": recording.cname, "uid": recording.uid, "clientRequest": {}}
    return requests.post(url, json=body, auth=AUTH, timeout=5)


def test_a_start_without_storage_config_is_refused(emulator: EmulatorServer) -> None:
    acquired = requests.post(
        f"{emulator.url}{API}/acquire",
        json={"cname": "room", "uid": "527841", "clientRequest": {}},
        auth=AUTH,
        timeout=5,
    )
    start = f"{emulator.url}{API}/resourceid/{acquired.json()['resourceId']}/mode/mix/start"
    bare = {"cname": "room", "uid": "527841", "clientRequest": {"recordingConfig": {}}}
    refused = requests.post(start, json=bare, auth=AUTH, timeout=5)
    assert refused.status_code == 400
    assert refused.json()["code"] == 2
    assert refused.json()["reason"].startswith("Start: clientRequest.storageConfig: Field required")
    assert requests.post(start, json=start_body(), auth=AUTH, timeout=5).status_code == 200


def test_audience_members_left_alone_do_not_keep_a_recording_busy(
    emulator: EmulatorServer, client: CloudRecordingClient, clock: ManualClock, receiver: Receiver
) -> None:
    emulator.join("room", 1001)
    emulator.join("room", 1002, role="audience")
    recording = client.record("room", 527841, with_storage(IDLE))
    emulator.leave("room", 1001)  # only the audience is left
    clock.advance(10)
    assert recording.query().server_response is not None  # not past maxIdleTime yet
    clock.advance(1)
    exit_ = receiver.wait_for(11)[-1]
    assert exit_["payload"]["details"] == {"msgName": "session_exit", "exitStatus": 0}
    assert exit_["payload"]["sid"] == recording.sid
    assert ended_by(emulator, recording) == "maxIdleTime"


def test_a_host_coming_back_or_an_audience_member_turning_host_keeps_it_going(
    emulator: EmulatorServer, client: CloudRecordingClient, clock: ManualClock
) -> None:
    emulator.join("room", 1001)
    emulator.join("room", 1002, role="audience")
    recording = client.record("room", 527841, with_storage(IDLE))
    emulator.leave("room", 1001)
    clock.advance(8)
    emulator.set_role("room", 1002, "host")
    clock.advance(8)
    emulator.set_role("room", 1002, "audience")  # idle again from here
    clock.advance(8)
    assert ended_by(emulator, recording) is None
    clock.advance(3)
    assert ended_by(emulator, recording) == "maxIdleTime"


def test_a_stop_while_the_recording_exits_is_400_code_49(
    emulator: EmulatorServer, client: CloudRecordingClient, clock: ManualClock, receiver: Receiver
) -> None:
    emulator.join("room", 1001)
    recording = client.record("room", 527841, with_storage())
    assert stop(emulator, recording).status_code == 200
    assert receiver.wait_for(11)[-1]["payload"]["details"]["exitStatus"] == 0
    again = stop(emulator, recording)
    assert (again.status_code, again.json()["code"], again.json()["reason"]) == (
        400,
        49,
        "invalid operation",
    )
    clock.advance(EXIT_SECONDS)
    assert stop(emulator, recording).status_code == 404
    assert sum(b["eventType"] == 11 for b in receiver.bodies()) == 1
