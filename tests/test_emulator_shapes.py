"""The emulator's Notifications bodies and user-list answers, field by field, against the
examples of Agora's references: the envelope, each RTC channel event type's payload
(docs.agora.io/en/api-reference/api-ref/rtc/channel-event-types), the Cloud Recording
events 11 and 12 (cloud-recording/reference/ncs-events) and the channel management API's
user list (api-ref/rtc/query-user-list, query-host-list). The same key sets, each value
of the example's JSON type."""

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
ENVELOPE = {
    "noticeId": "2000001428:4330:107",
    "productId": 1,
    "eventType": 101,
    "notifyMs": 1611566412672,
    "payload": {},
}
# Agora's example payload of each RTC channel event type (102's lastUid: the current
# reference adds it to the example's channelName and ts)
RTC_EXAMPLES: dict[int, dict[str, Any]] = {
    101: {"channelName": "test_webhook", "ts": 1560399999},
    102: {"channelName": "test_webhook", "lastUid": 12121212, "ts": 1560399999},
    103: {
        "channelName": "test_webhook",
        "uid": 12121212,
        "platform": 1,
        "clientSeq": 1625051030746,
        "ts": 1560396843,
    },
    104: {
        "channelName": "test_webhook",
        "uid": 12121212,
        "platform": 1,
        "clientSeq": 1625051030789,
        "reason": 1,
        "ts": 1560396943,
        "duration": 600,
    },
    105: {
        "channelName": "test_webhook",
        "uid": 12121212,
        "platform": 1,
        "clientSeq": 1625051035346,
        "ts": 1560396843,
    },
    106: {
        "channelName": "test_webhook",
        "uid": 12121212,
        "platform": 1,
        "clientSeq": 1625051035390,
        "reason": 1,
        "ts": 1560396943,
        "duration": 600,
    },
    107: {
        "channelName": "test_webhook",
        "uid": 12121212,
        "platform": 1,
        "clientSeq": 1625051035369,
        "ts": 1560396834,
    },
    108: {
        "channelName": "test_webhook",
        "uid": 12121212,
        "platform": 1,
        "clientSeq": 1625051037369,
        "reason": 1,
        "ts": 1560496834,
        "duration": 600,
    },
    111: {"channelName": "test_webhook", "uid": 12121212, "clientSeq": 1625051035469, "ts": 1},
    112: {"channelName": "test_webhook", "uid": 12121212, "clientSeq": 16250510358369, "ts": 1},
}
RECORDER_EXTRA = {"clientType": 10}  # 103-106 of a platform 6 user: its client type
RECORDING_PAYLOAD = {
    "cname": "room",
    "uid": "527841",
    "sid": "38f8e3cfdc474cd56fc1ceba380d7e1a",
    "sequence": 0,
    "sendts": 1619172871089,
    "serviceType": 0,
    "details": {},
}
RECORDING_DETAILS = {
    11: {"msgName": "session_exit", "exitStatus": 0},
    12: {"msgName": "session_failover", "newUid": 12345},
}
USER_LISTS = {
    "no channel": {"success": True, "data": {"channel_exist": False}},
    "communication": {
        "success": True,
        "data": {"channel_exist": True, "mode": 1, "total": 1, "users": [1]},
    },
    "live": {
        "success": True,
        "data": {
            "channel_exist": True,
            "mode": 2,
            "broadcasters": [1],
            "audience": [2],
            "audience_total": 1,
        },
    },
    "live hosts only": {
        "success": True,
        "data": {"channel_exist": True, "mode": 2, "broadcasters": [1]},
    },
}


def same_shape(got: Any, example: Any, where: str = "") -> None:
    """`got` has the example's keys, and each value the example's JSON type (an integer
    where it has an integer: Uint64 values included)."""
    if isinstance(example, dict):
        assert isinstance(got, dict), where
        assert set(got) == set(example), f"{where}: {sorted(got)} != {sorted(example)}"
        for key, value in example.items():
            same_shape(got[key], value, f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(got, list), where
        for item in got:
            same_shape(item, example[0], f"{where}[]")
    else:
        assert type(got) is type(example), f"{where}: {got!r} is not like {example!r}"


def client_of(emulator: EmulatorServer) -> CloudRecordingClient:
    return CloudRecordingClient(APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url)


def every_event(emulator: EmulatorServer, receiver: Receiver, clock: ManualClock) -> list[Any]:
    """A live channel, a communication one and a recording that fails over: every event
    type the emulator sends, recorders included."""
    emulator.join("room", 1001)  # 101, 103
    emulator.join("room", 1002, role="audience")  # 105
    emulator.set_role("room", 1002, "host")  # 111
    emulator.set_role("room", 1002, "audience")  # 112
    emulator.leave("room", 1002)  # 106
    recording = client_of(emulator).record("room", 527841, with_storage())  # 103 (recorder)
    emulator.failover(recording.sid, 10)  # 104 (recorder), 12
    clock.advance(10)
    receiver.wait_for(103, 3)  # the recorder rejoins
    recording.stop()  # 104 (recorder), 11
    emulator.leave("room", 1001)  # 104, 102
    emulator.join("meeting", 2001, profile="communication")  # 101, 107
    emulator.leave("meeting", 2001)  # 108, 102
    return receiver.wait_for(102, 2)


def test_every_notification_has_the_shape_of_agoras_example(
    emulator: EmulatorServer, receiver: Receiver, clock: ManualClock
) -> None:
    got = every_event(emulator, receiver, clock)
    assert {body["eventType"] for body in got} == {*RTC_EXAMPLES, 11, 12}
    for body in got:
        kind = body["eventType"]
        same_shape({**body, "payload": {}}, ENVELOPE, f"envelope of {kind}")
        assert body["noticeId"].endswith(f":{kind}")
        payload = body["payload"]
        if body["productId"] == 3:
            example = {**RECORDING_PAYLOAD, "details": RECORDING_DETAILS[kind]}
            same_shape(payload, example, str(kind))
            continue
        assert body["productId"] == 1
        example = dict(RTC_EXAMPLES[kind])
        if payload.get("platform") == 6 and kind in (103, 104, 105, 106):
            example = {**example, **RECORDER_EXTRA}
        same_shape(payload, example, str(kind))


def test_the_recorder_and_its_failover_in_the_events(
    emulator: EmulatorServer, receiver: Receiver, clock: ManualClock
) -> None:
    got = every_event(emulator, receiver, clock)
    recorder = [b for b in got if b["payload"].get("platform") == 6]
    assert [b["eventType"] for b in recorder] == [103, 104, 103, 104]
    assert all(b["payload"]["clientType"] == 10 for b in recorder)
    first, timed_out, rejoined, left = (b["payload"] for b in recorder)
    assert first["uid"] == 527841 and timed_out["uid"] == 527841 and timed_out["reason"] == 2
    failover = next(b for b in got if b["eventType"] == 12)["payload"]
    assert failover["details"]["newUid"] == rejoined["uid"] == left["uid"] != 527841
    assert (failover["uid"], failover["cname"]) == ("527841", "room")
    exit_ = next(b for b in got if b["eventType"] == 11)["payload"]
    assert (failover["sequence"], exit_["sequence"]) == (0, 1) and exit_["sid"] == failover["sid"]
    assert left["reason"] == 1


def test_the_health_check_sends_every_rtc_event_type_for_the_test_channel(
    emulator: EmulatorServer, receiver: Receiver
) -> None:
    assert emulator.health_check() == list(RTC_EXAMPLES)
    got = [r.json for r in receiver.wait(len(RTC_EXAMPLES))]
    assert [b["eventType"] for b in got] == list(RTC_EXAMPLES)
    for body in got:
        same_shape({**body, "payload": {}}, ENVELOPE)
        same_shape(body["payload"], RTC_EXAMPLES[body["eventType"]], str(body["eventType"]))
        assert body["payload"]["channelName"] == "test_webhook"
        assert body["payload"].get("uid", 12121212) == 12121212
    url = f"{emulator.url}/_emulator/notifications/health-check"
    some = requests.post(url, json={"eventTypes": [103, 104]}, timeout=5)
    assert some.json() == {"sent": [103, 104]}
    assert [r.json["eventType"] for r in receiver.wait(len(RTC_EXAMPLES) + 2)][-2:] == [103, 104]
    bad_types: list[Any] = [[109], [], [103, 103], [True], "103"]
    for bad in bad_types:
        assert requests.post(url, json={"eventTypes": bad}, timeout=5).status_code == 400
    with pytest.raises(ValueError, match="eventTypes"):
        emulator.health_check((11,))


def test_the_health_check_needs_notifications() -> None:
    with EmulatorServer(app_ids=(APP_ID,)) as quiet:
        answer = requests.post(f"{quiet.url}/_emulator/notifications/health-check", timeout=5)
        assert answer.status_code == 400
        with pytest.raises(ValueError, match="notifications are off"):
            quiet.health_check()


def user_list(emulator: EmulatorServer, cname: str, suffix: str = "") -> Any:
    url = f"{emulator.url}/dev/v1/channel/user/{APP_ID}/{cname}{suffix}"
    headers = {"Content-Type": "application/json"}
    answer = requests.get(url, auth=AUTH, headers=headers, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_user_list_has_the_shape_of_agoras_example(emulator: EmulatorServer) -> None:
    emulator.join("live", 1)
    emulator.join("live", 2, role="audience")
    emulator.join("meeting", 1, profile="communication")
    answers = {
        "no channel": user_list(emulator, "nobody"),
        "communication": user_list(emulator, "meeting"),
        "live": user_list(emulator, "live"),
        "live hosts only": user_list(emulator, "live", "/hosts_only"),
    }
    for name, answer in answers.items():
        same_shape(answer, USER_LISTS[name], name)
    assert answers == USER_LISTS
