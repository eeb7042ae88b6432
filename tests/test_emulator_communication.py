"""A channel in the communication profile, where everyone is a user: 107 user joined and
108 user left without `clientType` (so a recorder there is known only by its uid), the
user list in mode 1, no roles; the profile is set by the first to join an empty channel,
from the control API or from Python."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_helpers import Receiver, with_storage
from emulator_helpers import emulator as emulator  # the fixtures: an emulator
from emulator_helpers import receiver as receiver  # and its Notifications' receiver

from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

AUTH = (CUSTOMER_ID, CUSTOMER_SECRET)


def people(emulator: EmulatorServer, cname: str = "meeting") -> str:
    return f"{emulator.url}/_emulator/apps/{APP_ID}/channels/{cname}/participants"


def users(emulator: EmulatorServer, suffix: str = "") -> Any:
    url = f"{emulator.url}/dev/v1/channel/user/{APP_ID}/meeting{suffix}"
    headers = {"Content-Type": "application/json"}
    return requests.get(url, auth=AUTH, headers=headers, timeout=5).json()


def test_everyone_is_a_user_the_recorder_too(emulator: EmulatorServer, receiver: Receiver) -> None:
    joined = requests.post(people(emulator), json={"uid": 1, "profile": "communication"}, timeout=5)
    assert joined.status_code == 200, joined.text
    emulator.join("meeting", 2)
    client = CloudRecordingClient(APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url)
    with client.record("meeting", 99, with_storage()):
        assert users(emulator) == {
            "success": True,
            "data": {"channel_exist": True, "mode": 1, "total": 3, "users": [1, 2, 99]},
        }
        assert users(emulator, "/hosts_only")["data"]["users"] == [1, 2, 99]
    emulator.leave("meeting", 1)
    got = [b for b in receiver.wait_for(108, 2) if b["productId"] == 1]
    events = [(b["eventType"], b["payload"].get("uid")) for b in got]
    assert events == [(101, None), (107, 1), (107, 2), (107, 99), (108, 99), (108, 1)]
    recorder = got[3]["payload"]
    assert recorder == {
        "channelName": "meeting",
        "uid": 99,
        "platform": 6,  # only the uid says it is the recorder: no clientType here
        "clientSeq": recorder["clientSeq"],
        "ts": recorder["ts"],
    }
    left = got[5]["payload"]
    assert set(left) == {"channelName", "uid", "platform", "clientSeq", "reason", "ts", "duration"}
    summary = requests.get(f"{emulator.url}/_emulator/state", timeout=5).json()
    assert summary["channels"][0]["profile"] == "communication"


def test_a_communication_channel_has_no_roles(emulator: EmulatorServer) -> None:
    emulator.join("meeting", 1, profile="communication")
    audience = requests.post(people(emulator), json={"uid": 2, "role": "audience"}, timeout=5)
    assert audience.status_code == 400 and "communication profile" in audience.json()["error"]
    change = requests.post(f"{people(emulator)}/1", json={"role": "audience"}, timeout=5)
    assert change.status_code == 400 and "everyone is a user" in change.json()["error"]
    with pytest.raises(ValueError, match="communication profile"):
        emulator.set_role("meeting", 1, "audience")
    emulator.join("meeting", 2, role="host")  # a user, as everyone
    assert users(emulator)["data"]["users"] == [1, 2]


def test_the_profile_is_set_by_the_first_to_join(emulator: EmulatorServer) -> None:
    emulator.join("meeting", 1, profile="communication")
    other = requests.post(people(emulator), json={"uid": 2, "profile": "live"}, timeout=5)
    assert other.status_code == 400 and "communication profile already" in other.json()["error"]
    bad = requests.post(people(emulator), json={"uid": 2, "profile": "broadcast"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["error"] == "profile: one of live, communication"
    emulator.join("meeting", 2)  # no profile given: the channel's
    emulator.leave("meeting", 1)
    emulator.leave("meeting", 2)
    emulator.join("meeting", 3)  # the channel was empty: live broadcasting again
    assert users(emulator)["data"]["mode"] == 2


def test_users_of_a_communication_channel_keep_a_recording_busy(
    emulator: EmulatorServer, clock: ManualClock
) -> None:
    emulator.join("meeting", 1, profile="communication")
    client = CloudRecordingClient(APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url)
    recording = client.record("meeting", 99, with_storage({"recordingConfig": {"maxIdleTime": 5}}))
    clock.advance(60)
    assert recording.query().server_response is not None
