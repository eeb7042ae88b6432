"""The director service fed with the bodies Agora's own Notifications reference documents
(tests/data/agora_notifications.json, with the page each came from), signed as Agora signs
them: every RTC channel event (101-108, 111, 112) and Cloud Recording's 11 and 12, and
who the recording draws after each. Also the Console's health test, which must be
answered and never start a recording."""

from __future__ import annotations

import copy
import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    attach,
    auto_rules,
    described,
    emulated,
    layout_uids,
    record,
    service_client,
    signature_headers,
    status_when,
    wait_until,
)
from service_helpers import (
    quiet_emulator as quiet_emulator,
)

from layoutkit.client import Recording
from layoutkit.emulator import EmulatorServer
from layoutkit.live.notifications import (
    parse_notification,
    sign,
    verify_signature,
)
from layoutkit.service import DirectorService
from layoutkit.wire.replies import HEALTH_CHANNEL, HEALTH_UID

DOCUMENTED = json.loads(
    (Path(__file__).parent / "data" / "agora_notifications.json").read_text(encoding="utf-8")
)
_notices = itertools.count(1)


def documented(kind: str, event: int, **payload: Any) -> dict[str, Any]:
    """Agora's documented body of `event` (`kind` rtc or recording), with a fresh
    `noticeId`, `notifyMs` now, and `payload` fields replaced; nothing else added."""
    body: dict[str, Any] = copy.deepcopy(DOCUMENTED[kind][str(event)])
    body["noticeId"] = f"{next(_notices)}:{event}"
    body["notifyMs"] = int(time.time() * 1000)
    body["payload"].update(payload)
    return body


def post(service: DirectorService, body: dict[str, Any]) -> requests.Response:
    raw = json.dumps(body).encode()
    return requests.post(
        service.notifications_url, data=raw, headers=signature_headers(raw), timeout=5
    )


def test_agoras_published_signature_vector_verifies() -> None:
    vector = DOCUMENTED["signature"]
    body = vector["body"].encode()
    assert sign(body, vector["secret"]) == {
        "Agora-Signature": vector["sha1"],
        "Agora-Signature-V2": vector["sha256"],
    }
    assert verify_signature(body, {"Agora-Signature-V2": vector["sha256"]}, vector["secret"])
    assert verify_signature(body, {"Agora-Signature": vector["sha1"]}, vector["secret"])
    assert not verify_signature(body, {"Agora-Signature": vector["sha1"]}, "Secret")


@pytest.mark.parametrize(
    ("kind", "event"),
    [("rtc", e) for e in DOCUMENTED["rtc"]] + [("recording", e) for e in DOCUMENTED["recording"]],
)
def test_every_documented_body_parses_with_the_fields_agora_adds(kind: str, event: str) -> None:
    body = DOCUMENTED[kind][event]
    parsed = parse_notification(json.dumps(body).encode())
    assert parsed.event_type == int(event) and parsed.product_id == body["productId"]
    assert parsed.sid is None  # Agora's reference examples carry no envelope sid
    assert parsed.is_health_test == (kind == "rtc")  # the RTC examples are the health test's


@pytest.fixture
def service(emulator: EmulatorServer) -> Iterator[DirectorService]:
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, resync=False
    ) as running:
        yield running


def drawn(emulator: EmulatorServer, service: DirectorService, sid: str) -> list[str | None]:
    """Who the recording's last pushed layout names, once the service has sent it all."""
    assert service.hub.flush(10)
    return layout_uids(emulated(emulator, sid)["layout"])


def test_each_documented_rtc_event_changes_who_is_drawn(
    emulator: EmulatorServer, service: DirectorService
) -> None:
    recording = record(emulator, "studio")
    attach(service.url, recording, preset="grid-3x3")
    seq = itertools.count(1_625_051_030_746)
    ts = itertools.count(1_700_000_000)

    def user(event: int, uid: int) -> dict[str, Any]:
        return documented(
            "rtc", event, channelName="studio", uid=uid, clientSeq=next(seq), ts=next(ts)
        )

    steps: list[tuple[dict[str, Any], list[str | None]]] = [
        (documented("rtc", 101, channelName="studio", ts=next(ts)), []),
        (user(103, 1001), ["1001"]),
        (user(105, 1002), ["1001"]),  # the audience is never drawn
        (user(111, 1002), ["1001", "1002"]),  # 111 carries no platform
        (user(112, 1002), ["1001"]),
        (user(106, 1002), ["1001"]),
        (user(107, 1003), ["1001", "1003"]),  # communication profile
        (user(108, 1003), ["1001"]),
        (user(104, 1001), []),
    ]
    for body, want in steps:
        answer = post(service, body)
        assert answer.status_code == 200 and "ignored" not in answer.json(), answer.text
        if want:
            assert drawn(emulator, service, recording.sid) == want, body["eventType"]
        else:
            assert service.hub.flush(10)
            assert described(service.url, recording.sid)["participants"] == []
    destroyed = documented("rtc", 102, channelName="studio", ts=next(ts), lastUid=1001)
    assert post(service, destroyed).status_code == 200


def test_a_bare_111_is_drawn_at_once_and_a_bare_112_removes_them(
    emulator: EmulatorServer, service: DirectorService
) -> None:
    recording = record(emulator, "stage")
    attach(service.url, recording, preset="grid-3x3", options={"debounce": 0})
    promote = documented("rtc", 111, channelName="stage", uid=2002, clientSeq=5, ts=1)
    assert "platform" not in promote["payload"]
    sent = time.monotonic()
    assert post(service, promote).status_code == 200
    wait_until(
        lambda: layout_uids(emulated(emulator, recording.sid)["layout"]) == ["2002"],
        what="the promoted co-host drawn",
    )
    assert time.monotonic() - sent < 10  # at once, not at the next resync (60 s on)
    demote = documented("rtc", 112, channelName="stage", uid=2002, clientSeq=6, ts=2)
    assert post(service, demote).status_code == 200
    wait_until(
        lambda: described(service.url, recording.sid)["participants"] == [],
        what="the demoted host gone",
    )


def recording_event(event: int, recording: Recording, **details: Any) -> dict[str, Any]:
    body = documented(
        "recording", event, cname=recording.cname, uid=str(recording.uid), sid=recording.sid
    )
    body["payload"]["details"].update(details)
    return body


def test_a_session_exit_stops_directing_at_once(
    emulator: EmulatorServer, service: DirectorService
) -> None:
    recording = record(emulator, "ending")
    attach(service.url, recording, preset="grid-3x3")
    assert post(service, documented("rtc", 103, channelName="ending", uid=31, clientSeq=1)).ok
    assert drawn(emulator, service, recording.sid) == ["31"]
    pushes = described(service.url, recording.sid)["pushes"]
    answer = post(service, recording_event(11, recording, exitStatus=1))
    assert answer.status_code == 200
    status = described(service.url, recording.sid)
    assert status["status"] == "stopped"
    assert "session_exit" in status["ended"] and "exitStatus 1" in status["ended"]
    assert service.hub.sids() == []  # no longer directed: no retries of 404s for 90 s
    assert post(service, documented("rtc", 103, channelName="ending", uid=32, clientSeq=2)).ok
    assert service.hub.flush(5)
    assert described(service.url, recording.sid)["pushes"] == pushes


def test_a_failover_pushes_again_and_never_draws_the_new_recorder_uid(
    emulator: EmulatorServer, service: DirectorService
) -> None:
    recording = record(emulator, "moving")
    attach(service.url, recording, preset="grid-3x3")
    assert post(service, documented("rtc", 103, channelName="moving", uid=41, clientSeq=1)).ok
    assert drawn(emulator, service, recording.sid) == ["41"]
    before = described(service.url, recording.sid)["pushes"]
    assert post(service, recording_event(12, recording, newUid=1913456789)).status_code == 200
    status = status_when(
        service.url, recording.sid, lambda s: s["pushes"] > before, what="the layout sent again"
    )
    assert any("1913456789" in e["event"] for e in status["events"])
    # the new recorder joins as a user of a communication channel: no clientType to tell
    rejoined = documented("rtc", 107, channelName="moving", uid=1913456789, clientSeq=9)
    del rejoined["payload"]["platform"]
    assert post(service, rejoined).status_code == 200
    assert drawn(emulator, service, recording.sid) == ["41"]


def test_the_consoles_health_test_is_answered_and_starts_no_recording(
    emulator: EmulatorServer,
) -> None:
    rules = auto_rules("*")
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, rules=rules
    ) as service:
        for kind in ("rtc", "recording"):
            for event in DOCUMENTED[kind]:
                body = documented(kind, int(event))
                if kind == "recording":
                    body["payload"]["cname"] = HEALTH_CHANNEL
                answer = post(service, body)
                assert answer.status_code == 200, (event, answer.text)
                if kind == "rtc":
                    assert body["payload"]["uid" if int(event) > 102 else "channelName"] in (
                        HEALTH_UID,
                        HEALTH_CHANNEL,
                    )
                    assert "health test" in answer.json()["ignored"]
        # never routed: no channel state, nothing for the auto-recorder to act on
        assert service.hub.router.stream(HEALTH_CHANNEL) is None
        assert service.hub.outcomes["ignored"] == len(DOCUMENTED["rtc"]) + 2
        assert service.hub.outcomes["kept"] == 0
        with emulator.state.lock:
            assert not emulator.state.recordings
