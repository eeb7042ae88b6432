"""The emulator playing Agora's part for Notifications (signed channel events POSTed to a
receiver on loopback, retries, faults) and the channel management API's user list."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from emulator_helpers import FAST, SECRET, Receiver, notifying_emulator, with_storage
from emulator_helpers import receiver as receiver  # the fixture

from layoutkit.cli import cli
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

AUTH = (CUSTOMER_ID, CUSTOMER_SECRET)


@pytest.fixture
def make_emulator(receiver: Receiver) -> Iterator[Callable[..., EmulatorServer]]:
    started: list[EmulatorServer] = []

    def make(**kwargs: Any) -> EmulatorServer:
        emulator = notifying_emulator(receiver, **kwargs)
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(make_emulator: Callable[..., EmulatorServer]) -> EmulatorServer:
    return make_emulator()


def control(emulator: EmulatorServer, path: str, body: dict[str, Any] | None = None) -> Any:
    url = f"{emulator.url}/_emulator/{path}"
    answer = requests.post(url, json=body, timeout=5) if body is not None else None
    answer = answer or requests.get(url, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def participants(cname: str) -> str:
    return f"apps/{APP_ID}/channels/{cname}/participants"


def test_join_and_leave_send_signed_envelopes(emulator: EmulatorServer, receiver: Receiver) -> None:
    control(emulator, participants("studio"), {"uid": 1001})
    control(emulator, participants("studio"), {"uid": 1002, "platform": 2})
    assert requests.delete(f"{emulator.url}/_emulator/{participants('studio')}/1001", timeout=5).ok
    got = receiver.wait(4)
    assert [r.json["eventType"] for r in got] == [101, 103, 103, 104]
    for received in got:
        # the signatures, checked here with hmac over the raw body, not with the emulator's code
        want_v1 = hmac.new(SECRET.encode(), received.body, hashlib.sha1).hexdigest()
        want_v2 = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
        assert received.headers["agora-signature"] == want_v1
        assert received.headers["agora-signature-v2"] == want_v2
        assert received.headers["content-type"] == "application/json"
        envelope = received.json
        # Agora's reference: no envelope sid (the envelopeSid switch adds one)
        assert set(envelope) == {"noticeId", "productId", "eventType", "notifyMs", "payload"}
        assert envelope["productId"] == 1
        assert envelope["noticeId"].endswith(f":{envelope['eventType']}")
        assert isinstance(envelope["notifyMs"], int)
        assert envelope["payload"]["channelName"] == "studio"
    assert len({r.json["noticeId"] for r in got}) == 4
    joined, second, left = got[1].json["payload"], got[2].json["payload"], got[3].json["payload"]
    assert joined["uid"] == 1001 and joined["platform"] == 7 and "clientType" not in joined
    assert isinstance(joined["ts"], int) and "reason" not in joined and "duration" not in joined
    assert second["uid"] == 1002 and second["platform"] == 2
    assert left["uid"] == 1001 and left["reason"] == 1 and left["duration"] >= 0
    assert left["clientSeq"] > joined["clientSeq"] > 2**32  # a Uint64, as Agora's


def test_the_envelope_sid_switch_adds_a_sid(emulator: EmulatorServer, receiver: Receiver) -> None:
    set_to = control(emulator, "notifications/faults", {"envelopeSid": True})
    assert set_to["faults"]["envelopeSid"] is True
    emulator.join("room", 5)
    got = receiver.wait(2)
    assert all(isinstance(r.json["sid"], str) and len(r.json["sid"]) == 32 for r in got)
    url = f"{emulator.url}/_emulator/notifications/faults"
    assert requests.post(url, json={"envelopeSid": 1}, timeout=5).status_code == 400
    assert requests.delete(url, timeout=5).json()["faults"]["envelopeSid"] is False


def test_last_member_leaving_destroys_the_channel(
    emulator: EmulatorServer, receiver: Receiver
) -> None:
    emulator.join("room", 7)
    emulator.leave("room", 7)
    emulator.join("room", 7)
    assert receiver.events(5) == [(101, None), (103, 7), (104, 7), (102, None), (101, None)]
    seqs = [r.json["payload"]["clientSeq"] for r in receiver.wait(6) if "uid" in r.json["payload"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_audience_joins_leaves_and_changes_role(
    emulator: EmulatorServer, receiver: Receiver
) -> None:
    base = f"{emulator.url}/_emulator/{participants('live')}"
    control(emulator, participants("live"), {"uid": 1, "role": "host"})
    joined = control(emulator, participants("live"), {"uid": 2, "role": "audience"})
    assert joined["participants"][1] == {"uid": "2", "media": "video", "role": "audience"}
    assert control(emulator, f"{participants('live')}/2", {"role": "host"})
    assert control(emulator, f"{participants('live')}/1", {"role": "audience"})
    assert requests.delete(f"{base}/1", timeout=5).ok
    bad = requests.post(f"{base}/2", json={"role": "king"}, timeout=5)
    assert bad.status_code == 400
    assert receiver.events(6) == [(101, None), (103, 1), (105, 2), (111, 2), (112, 1), (106, 1)]
    by_uid: dict[int, list[int]] = {}
    for received in receiver.wait(6)[1:]:
        payload = received.json["payload"]
        by_uid.setdefault(payload["uid"], []).append(payload["clientSeq"])
    assert [len(seqs) for seqs in by_uid.values()] == [3, 2]
    assert all(seqs == sorted(set(seqs)) for seqs in by_uid.values())  # increasing per user
    for received in receiver.wait(6)[3:5]:  # role changes: no platform
        assert set(received.json["payload"]) == {"channelName", "uid", "clientSeq", "ts"}


def test_the_recorder_joins_when_recording_starts_and_leaves_when_it_stops(
    emulator: EmulatorServer, receiver: Receiver
) -> None:
    emulator.join("studio", 1001)
    client = CloudRecordingClient(APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url)
    with client.record("studio", 99, with_storage()):
        receiver.wait(3)
    assert receiver.events(4) == [(101, None), (103, 1001), (103, 99), (104, 99)]
    recorder = receiver.wait(4)[2].json["payload"]
    assert recorder["platform"] == 6 and recorder["clientType"] == 10
    assert "clientType" not in receiver.wait(4)[1].json["payload"]


def test_a_500_is_retried_and_the_list_shows_it(
    emulator: EmulatorServer, receiver: Receiver
) -> None:
    receiver.refuse = {101: 2}
    emulator.join("room", 5)
    got = receiver.wait(4)  # 101 refused twice, 103 meanwhile, then 101 again
    assert [r.json["eventType"] for r in got] == [101, 103, 101, 101]
    resent = [got[0].json, got[2].json, got[3].json]  # the same notice, notifyMs stamped anew
    assert len({r["noticeId"] for r in resent}) == 1
    assert resent[0]["payload"] == resent[1]["payload"] == resent[2]["payload"]
    assert [r["notifyMs"] for r in resent] == sorted(r["notifyMs"] for r in resent)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        listed = control(emulator, "notifications")
        if all(n["status"] == "delivered" for n in listed["notifications"]):
            break
        time.sleep(0.02)
    created = listed["notifications"][0]
    assert created["eventType"] == 101 and created["status"] == "delivered"
    assert [a["status"] for a in created["attempts"]] == [500, 500, 200]
    times = [a["time"] for a in created["attempts"]]
    assert times[1] - times[0] >= FAST[0] * 0.9  # growing intervals
    assert times[2] - times[1] >= FAST[1] * 0.9
    assert listed["url"] == receiver.url and SECRET not in json.dumps(listed)
    assert SECRET not in repr(emulator.notifications)


def test_attempts_are_bounded(emulator: EmulatorServer, receiver: Receiver) -> None:
    receiver.statuses = [503] * 10
    emulator.join("room", 5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        notices = control(emulator, "notifications")["notifications"]
        if notices and notices[0]["status"] == "failed":
            break
        time.sleep(0.02)
    assert notices[0]["status"] == "failed" and len(notices[0]["attempts"]) == 1 + len(FAST)


def test_an_unreachable_url_is_retried(make_emulator: Callable[..., EmulatorServer]) -> None:
    emulator = make_emulator()
    assert emulator.notifications is not None
    emulator.notifications.url = "http://127.0.0.1:9/nobody"  # discard port: refused
    emulator.join("room", 5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        notices = control(emulator, "notifications")["notifications"]
        if notices and notices[0]["status"] == "failed":
            break
        time.sleep(0.02)
    attempts = notices[0]["attempts"]
    assert len(attempts) == 4 and all(a["status"] is None and a["error"] for a in attempts)


def test_injected_failure_drops_the_first_attempt(
    emulator: EmulatorServer, receiver: Receiver
) -> None:
    control(emulator, "notifications/faults", {"fail": 1})
    emulator.join("room", 5)
    assert receiver.events(2) == [(103, 5), (101, None)]  # 101 comes with its retry
    created = control(emulator, "notifications")["notifications"][0]
    assert created["attempts"][0]["error"] == "failed (injected)"


def test_duplicates_share_a_notice_id(emulator: EmulatorServer, receiver: Receiver) -> None:
    control(emulator, "notifications/faults", {"duplicate": 1.0, "seed": 3})
    emulator.join("room", 5)
    got = receiver.wait(4)
    ids = [r.json["noticeId"] for r in got]
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
    assert got[0].json["payload"] == got[1].json["payload"]
    listed = control(emulator, "notifications")["notifications"]
    assert [n["duplicate"] for n in listed] == [False, True, False, True]


def test_reordering_swaps_with_the_next(emulator: EmulatorServer, receiver: Receiver) -> None:
    control(emulator, "notifications/faults", {"reorder": 1.0, "seed": 1})
    emulator.join("room", 5)  # 101 held, 103 goes first
    emulator.leave("room", 5)  # 104 held, 102 goes first, then 104 (held at most 1 s)
    assert receiver.events(4) == [(103, 5), (101, None), (102, None), (104, 5)]


def test_faults_are_seeded(make_emulator: Callable[..., EmulatorServer]) -> None:
    def run() -> list[bool]:
        emulator = make_emulator()
        control(emulator, "notifications/faults", {"duplicate": 0.5, "seed": 42})
        for uid in range(1, 6):
            emulator.join("room", uid)
        time.sleep(0.3)
        notices = control(emulator, "notifications")["notifications"]
        emulator.stop()
        return [n["duplicate"] for n in notices]

    first = run()
    assert first == run() and True in first and first.count(False) == 6


def test_delay_and_fault_validation(emulator: EmulatorServer, receiver: Receiver) -> None:
    url = f"{emulator.url}/_emulator/notifications/faults"
    for bad in ({"duplicate": 2}, {"delay": -1}, {"fail": "x"}, {"seed": 1.5}):
        assert requests.post(url, json=bad, timeout=5).status_code == 400
    control(emulator, "notifications/faults", {"delay": 0.3})
    started = time.monotonic()
    emulator.join("room", 5)
    receiver.wait(2)
    assert time.monotonic() - started >= 0.3
    assert requests.delete(url, timeout=5).json()["faults"]["delay"] == 0


def test_notifications_off_without_a_url() -> None:
    with EmulatorServer() as emulator:
        emulator.join("room", 5, app_id="a")
        answer = requests.get(f"{emulator.url}/_emulator/notifications", timeout=5)
        assert answer.status_code == 400
    with pytest.raises(ValueError, match="together"):
        EmulatorServer(notify_url="http://127.0.0.1:1/")


def test_the_sender_and_the_ticker_stop_with_the_server(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    emulator = make_emulator()
    emulator.join("room", 5)
    emulator.stop()
    assert not any(
        t.name in ("emulator-notify", "emulator-tick") and t.is_alive()
        for t in threading.enumerate()
    )


# --- the channel management API's user list ----------------------------------------------


def users(emulator: EmulatorServer, cname: str, suffix: str = "", **kw: Any) -> Any:
    url = f"{emulator.url}/dev/v1/channel/user/{APP_ID}/{cname}{suffix}"
    headers = kw.get("headers", {"Content-Type": "application/json"})
    return requests.get(url, auth=kw.get("auth", AUTH), headers=headers, timeout=5)


def test_user_list_with_hosts_audience_and_the_recorder(emulator: EmulatorServer) -> None:
    emulator.join("live", 1)
    emulator.join("live", 2, role="audience")
    emulator.join("live", 3)
    client = CloudRecordingClient(APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url)
    with client.record("live", 99, with_storage()):
        answer = users(emulator, "live")
        assert answer.status_code == 200
        assert answer.json() == {
            "success": True,
            "data": {
                "channel_exist": True,
                "mode": 2,
                "broadcasters": [1, 3, 99],
                "audience": [2],
                "audience_total": 1,
            },
        }
        hosts = users(emulator, "live", "/hosts_only").json()
        assert hosts == {
            "success": True,
            "data": {"channel_exist": True, "mode": 2, "broadcasters": [1, 3, 99]},
        }
    emulator.set_role("live", 2, "host")
    assert users(emulator, "live").json()["data"]["broadcasters"] == [1, 2, 3]


def test_user_list_of_an_unknown_channel(emulator: EmulatorServer) -> None:
    assert users(emulator, "nobody-here").json() == {
        "success": True,
        "data": {"channel_exist": False},
    }


def test_user_list_needs_credentials_a_json_content_type_and_a_known_app(
    emulator: EmulatorServer,
) -> None:
    assert users(emulator, "live", auth=None).status_code == 401
    assert users(emulator, "live", auth=(CUSTOMER_ID, "wrong")).status_code == 401
    bare = users(emulator, "live", headers={})
    assert bare.status_code == 415 and "application/json" in bare.json()["message"]
    assert users(emulator, "live", headers={"Content-Type": "text/plain"}).status_code == 415
    with_charset = {"Content-Type": "application/json;charset=utf-8"}
    assert users(emulator, "live", headers=with_charset).status_code == 200
    other = requests.get(
        f"{emulator.url}/dev/v1/channel/user/other-app/live",
        auth=AUTH,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert other.status_code == 400
    post = requests.post(f"{emulator.url}/dev/v1/channel/user/{APP_ID}/live", auth=AUTH, timeout=5)
    assert post.status_code == 404


def test_the_command_takes_both_notify_options() -> None:
    result = CliRunner().invoke(cli, ["emulator", "--port", "0", "--notify-url", "http://x/"])
    assert result.exit_code == 2 and "--notify-url and --notify-secret together" in result.output
    result = CliRunner().invoke(
        cli, ["emulator", "--port", "0", "--notify-url", "ftp://x/", "--notify-secret", "s"]
    )
    assert result.exit_code == 2 and "http://" in result.output
