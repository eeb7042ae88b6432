"""The director service over HTTP: POST/GET/DELETE /recordings with every refusal named
by field, the bearer token, /healthz, and the Notifications endpoint's checks; no secret
in any answer, repr or log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    RECORDER,
    TOKEN,
    attach,
    attach_body,
    described,
    envelope,
    layout_uids,
    nothing_pending,
    picture,
    record,
    refused,
    service_client,
    signature_headers,
    status_when,
)
from service_helpers import (
    guarded_service as guarded_service,
)
from service_helpers import (
    quiet_emulator as quiet_emulator,
)

from layoutkit.client import Recording
from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import CUSTOMER_SECRET
from layoutkit.service import DirectorService
from layoutkit.service.autorecord import ConfigError

FAILS_AT_THREE = """canvas: 1280x720
regions:
{% if count == 3 %}
  - {x: 0, y: 0, width: {{ nope }}, height: 1}
{% else %}
  - {x: 0, y: 0, width: 1, height: 1}
{% endif %}
"""


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "canvas: 1280x720\nregions:\n  - {x: 0, y: 0, width: 1, height: 1}\n", encoding="utf-8"
    )
    (tmp_path / "outside.yaml").write_text("canvas: 1280x720\nregions: []\n", encoding="utf-8")
    return folder


@pytest.fixture
def service(emulator: EmulatorServer, layouts: Path) -> Iterator[DirectorService]:
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, layouts=layouts
    ) as running:
        yield running


@pytest.fixture
def room(emulator: EmulatorServer) -> Recording:
    """A recording of "room", where 11 and 12 are hosts and 13 is in the audience."""
    emulator.join("room", 11)
    emulator.join("room", 12)
    emulator.join("room", 13, role="audience")
    return record(emulator, "room")


def post(service: DirectorService, body: Any, **kwargs: Any) -> requests.Response:
    return requests.post(f"{service.url}/recordings", json=body, timeout=5, **kwargs)


# --- POST /recordings --------------------------------------------------------------------


def test_attach_answers_201_with_the_recordings_status(
    service: DirectorService, emulator: EmulatorServer, room: Recording
) -> None:
    answer = post(service, attach_body(room))
    assert answer.status_code == 201, answer.text
    status = answer.json()
    assert status["sid"] == room.sid and status["cname"] == "room" and status["uid"] == RECORDER
    assert status["layout"] == "preset grid-3x3" and status["auto"] is False
    assert status["participants"] == ["11", "12"]  # the audience and the recorder left out
    assert status["errors"] == []
    assert status["status"] in ("pending", "applied")
    done = status_when(service.url, room.sid, nothing_pending, what="the first layout")
    assert done["status"] == "applied" and done["pushes"] == 1
    assert layout_uids(done["acknowledged"]) == ["11", "12"]
    assert emulator.layout_of(room.sid) == done["acknowledged"]  # what Agora was sent
    assert picture(emulator, room.sid) == ["11", "12"]
    listed = requests.get(f"{service.url}/recordings", timeout=5).json()["recordings"]
    assert listed == [
        {
            "sid": room.sid,
            "cname": "room",
            "layout": "preset grid-3x3",
            "status": "applied",
            "participants": ["11", "12"],
            "auto": False,
        }
    ]
    health = requests.get(f"{service.url}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json()["ok"] is True and health.json()["recordings"] == 1


def test_attach_from_a_file_and_from_text(
    service: DirectorService, emulator: EmulatorServer, room: Recording
) -> None:
    status = attach(service.url, room, file="mine.yaml")
    assert status["layout"] == "file mine.yaml"
    other = record(emulator, "room", uid="900002")
    inline = "canvas: 640x360\nregions:\n  - {x: 0, y: 0, width: 0.5, height: 1}\n"
    assert attach(service.url, other, layout=inline)["layout"] == "inline layout"
    for sid in (room.sid, other.sid):
        status_when(service.url, sid, nothing_pending)
        assert picture(emulator, sid) == ["11"], sid


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"colour": "red"}, "colour", "unknown field"),
        ({"cname": None}, "cname", "missing"),
        ({"uid": "abc"}, "uid", "uid"),
        ({"uid": 0}, "uid", "uid"),
        ({"mode": "web"}, "mode", "mix"),
        ({"layout": "canvas: 1280x720\nregions: []\n"}, "preset/layout", "exactly one"),
        ({"file": "../outside.yaml", "preset": None}, "file", "inside the service's layouts"),
        ({"file": "/etc/passwd", "preset": None}, "file", "layouts folder"),
        ({"options": {"debounce": -1}}, "options.debounce", "seconds"),
        ({"options": {"retries": 3}}, "options.retries", "unknown option"),
        ({"roles": {"speaker": "nobody"}}, "roles.speaker", ""),
        ({"sid": ""}, "sid", "non-empty"),
    ],
)
def test_a_bad_field_is_refused_with_400_naming_it(
    service: DirectorService, room: Recording, change: dict[str, Any], field: str, words: str
) -> None:
    body = {k: v for k, v in (attach_body(room) | change).items() if v is not None}
    message = refused(post(service, body), 400, field)
    assert words in message
    assert requests.get(f"{service.url}/recordings", timeout=5).json() == {"recordings": []}


def test_a_recording_attached_twice_is_409(service: DirectorService, room: Recording) -> None:
    attach(service.url, room)
    message = refused(post(service, attach_body(room, preset="solo")), 409, "sid")
    assert room.sid in message and "attached already" in message
    assert described(service.url, room.sid)["layout"] == "preset grid-3x3"  # unchanged


def test_an_unknown_preset_is_422_with_suggestions(
    service: DirectorService, room: Recording
) -> None:
    message = refused(post(service, attach_body(room, preset="grid-3x4")), 422, "preset")
    assert "grid-3x4" in message and "did you mean" in message and "grid-3x3" in message


def test_a_layout_that_does_not_load_or_compile_is_422(
    service: DirectorService, emulator: EmulatorServer, room: Recording
) -> None:
    broken = "canvas: 1280x720\nregions: [\n"
    message = refused(post(service, attach_body(room, layout=broken)), 422, "layout")
    assert "layout:" in message  # located in the text given
    emulator.join("room", 14)  # three hosts: the template fails for them (it loads for 4)
    message = refused(post(service, attach_body(room, layout=FAILS_AT_THREE)), 422, "layout")
    assert "does not compile for the 3 people in room" in message and "nope" in message
    assert requests.get(f"{service.url}/recordings", timeout=5).json() == {"recordings": []}


def test_a_body_that_is_not_a_json_object_is_400(service: DirectorService) -> None:
    url = f"{service.url}/recordings"
    json_type = {"Content-Type": "application/json"}
    answer = requests.post(url, data=b"{not json", headers=json_type, timeout=5)
    assert "not JSON" in refused(answer, 400)
    answer = requests.post(url, data=b"[1, 2]", headers=json_type, timeout=5)
    assert "JSON object" in refused(answer, 400)
    answer = requests.post(url, data=b"\xff\xfe", headers=json_type, timeout=5)
    assert "UTF-8" in refused(answer, 400)
    answer = requests.post(url, data=b"{}", headers={"Content-Type": "text/plain"}, timeout=5)
    message = refused(answer, 415)
    assert "text/plain" in message and "application/json" in message


def test_unknown_recordings_are_404(service: DirectorService, room: Recording) -> None:
    url = f"{service.url}/recordings"
    assert "nope" in refused(requests.get(f"{url}/nope", timeout=5), 404, "sid")
    assert "nope" in refused(requests.delete(f"{url}/nope", timeout=5), 404, "sid")
    attach(service.url, room)
    gone = requests.delete(f"{url}/{room.sid}", timeout=5)
    assert gone.status_code == 200 and gone.json() == {"ok": True, "detached": room.sid}
    refused(requests.get(f"{url}/{room.sid}", timeout=5), 404, "sid")
    refused(requests.delete(f"{url}/{room.sid}", timeout=5), 404, "sid")
    assert requests.get(url, timeout=5).json() == {"recordings": []}
    refused(requests.get(f"{service.url}/elsewhere", timeout=5), 404)
    refused(requests.put(f"{url}/{room.sid}", timeout=5), 405)


def test_a_recording_that_agora_does_not_know_shows_its_errors(
    service: DirectorService, room: Recording
) -> None:
    body = attach_body(room, sid="no-such-sid", options={"not_found_grace": 0.2})
    assert post(service, body).status_code == 201
    stopped = status_when(
        service.url, "no-such-sid", lambda s: s["status"] == "stopped", what="a stop"
    )
    assert stopped["errors"] and any("404" in e or "not found" in e for e in stopped["errors"])
    assert stopped["acknowledged"] is None and stopped["pending"] is None


def test_two_recordings_of_one_channel_never_show_each_others_recorder(
    service: DirectorService, emulator: EmulatorServer, room: Recording
) -> None:
    """Both recordings run before the service hears of the channel, so the hosts come
    from Agora's user list, which lists every recorder as a broadcaster too."""
    other = record(emulator, "room", uid="900002")
    attach(service.url, room)
    second = attach(service.url, other)
    assert second["participants"] == ["11", "12"]
    for recording in (room, other):
        status_when(service.url, recording.sid, nothing_pending)
    for recording in (room, other):  # once both are attached, both recorders are ours
        status = described(service.url, recording.sid)
        assert status["participants"] == ["11", "12"], (recording.uid, status["participants"])
        assert picture(emulator, recording.sid) == ["11", "12"], recording.uid


# --- the bearer token ------------------------------------------------------------------


def test_the_recordings_need_the_bearer_token(guarded: DirectorService, room: Recording) -> None:
    url = f"{guarded.url}/recordings"
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
    ):
        assert requests.get(url, headers=headers, timeout=5).status_code == 401, headers
        answer = post(guarded, attach_body(room), headers=headers)
        assert "Bearer" in refused(answer, 401)
        assert TOKEN not in answer.text
    assert requests.get(f"{url}/{room.sid}", timeout=5).status_code == 401
    assert requests.delete(f"{url}/{room.sid}", timeout=5).status_code == 401
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert post(guarded, attach_body(room), headers=good).status_code == 201
    assert requests.get(url, headers=good, timeout=5).json()["recordings"][0]["sid"] == room.sid
    assert requests.delete(f"{url}/{room.sid}", headers=good, timeout=5).status_code == 200
    health = requests.get(f"{guarded.url}/healthz", timeout=5)  # open to probes
    assert health.status_code == 200 and health.json()["ok"] is True
    body = envelope(101, "room")  # the callbacks carry their own signature instead
    answer = requests.post(
        guarded.notifications_url, data=body, headers=signature_headers(body), timeout=5
    )
    assert answer.status_code == 200


def test_listening_beyond_loopback_needs_a_token(emulator: EmulatorServer) -> None:
    for host in ("0.0.0.0", "192.0.2.1", "::"):
        with pytest.raises(ConfigError, match="LAYOUTKIT_SERVICE_TOKEN"):
            DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, host=host)
    with pytest.raises(ConfigError, match="Notifications secret"):
        DirectorService(service_client(emulator), notify_secret="")
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, host="localhost"
    ) as local:
        assert requests.get(f"{local.url}/recordings", timeout=5).status_code == 200


# --- notifications -----------------------------------------------------------------------


def notify(service: DirectorService, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(service.notifications_url, data=body, headers=headers, timeout=5)


def test_callbacks_with_a_bad_signature_are_401(service: DirectorService) -> None:
    body = envelope(103, "room", 21)
    good = signature_headers(body)
    cases = {
        "no signature": {"Content-Type": "application/json"},
        "another secret": signature_headers(body, "not-the-secret"),
        "v2 wrong, v1 right": {**good, "Agora-Signature-V2": "0" * 64},
        "garbage": {"Agora-Signature-V2": "zz"},
    }
    for name, headers in cases.items():
        answer = notify(service, body, headers)
        assert answer.status_code == 401, name
        assert "signature" in answer.json()["error"]
    changed = body.replace(b'"uid": 21', b'"uid": 22')  # one byte, after signing
    assert len(changed) == len(body) and changed != body
    assert notify(service, changed, good).status_code == 401
    only_v1 = {"Agora-Signature": good["Agora-Signature"]}  # v1 alone still counts
    assert notify(service, body, only_v1).status_code == 200
    assert service.hub.received == 1
    assert service.hub.router.stream("room") is not None
    assert service.hub.router.stream("room").hosts == ["21"]  # type: ignore[union-attr]


def test_other_event_types_are_taken_and_ignored(service: DirectorService) -> None:
    body = envelope(201, "room", 21)
    answer = notify(service, body, signature_headers(body))
    assert answer.status_code == 200
    assert answer.json()["ok"] is True and "201" in answer.json()["ignored"]
    assert service.hub.router.stream("room") is None


def test_a_signed_body_no_retry_can_fix_is_answered_200_and_counted(
    service: DirectorService,
) -> None:
    for body in (b"not json at all", b"[1, 2, 3]", b"\xff\xfe{}"):
        answer = notify(service, body, signature_headers(body))
        assert answer.status_code == 200, body  # Agora would only send it again
        assert answer.json()["ignored"]
    missing = envelope(103, "room", 21).replace(b'"clientSeq"', b'"clientSeqX"')
    answer = notify(service, missing, signature_headers(missing))
    assert answer.status_code == 200 and "payload.clientSeq" in answer.json()["ignored"]
    health = requests.get(f"{service.url}/healthz", timeout=5).json()
    assert health["notifications"]["unusable"] == 4 and health["notifications"]["kept"] == 0
    assert service.hub.router.stream("room") is None
    assert requests.get(service.notifications_url, timeout=5).status_code == 405


def test_a_channel_without_recordings_is_followed(
    service: DirectorService, emulator: EmulatorServer
) -> None:
    for body in (envelope(101, "hall"), envelope(103, "hall", 31), envelope(103, "hall", 32)):
        answer = notify(service, body, signature_headers(body))
        assert answer.status_code == 200 and answer.json()["ok"] is True
    duplicate = envelope(104, "hall", 31)
    assert notify(service, duplicate, signature_headers(duplicate)).json()["events"] == 1
    assert (
        "was taken before"
        in notify(service, duplicate, signature_headers(duplicate)).json()["ignored"]
    )
    emulator.join("hall", 77)  # Agora's user list disagrees: the notifications win
    recording = record(emulator, "hall")
    status = attach(service.url, recording)
    assert status["participants"] == ["32"]
    logged = requests.get(f"{emulator.url}/_emulator/requests", timeout=5).json()
    assert not [r for r in logged if r["endpoint"] == "channelUsers"]  # no resync needed


def test_attach_reads_the_user_list_of_a_channel_not_followed_yet(
    service: DirectorService, emulator: EmulatorServer, room: Recording
) -> None:
    status = attach(service.url, room)
    assert status["participants"] == ["11", "12"]
    logged = requests.get(f"{emulator.url}/_emulator/requests", timeout=5).json()
    assert [r["status"] for r in logged if r["endpoint"] == "channelUsers"] == [200]


# --- secrets ---------------------------------------------------------------------------


def test_no_secret_in_answers_reprs_or_logs(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture, room: Recording
) -> None:
    caplog.set_level(logging.DEBUG)
    client = service_client(emulator)
    answers: list[str] = []
    with DirectorService(client, notify_secret=NOTIFY_SECRET, token=TOKEN) as service:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        answers.append(post(service, attach_body(room), headers=auth).text)
        answers.append(post(service, attach_body(room), headers=auth).text)  # 409
        answers.append(post(service, attach_body(room, preset="nope"), headers=auth).text)
        answers.append(post(service, {"uid": "x"}, headers=auth).text)
        answers.append(post(service, attach_body(room), headers={"Authorization": "Bearer x"}).text)
        answers.append(
            requests.get(f"{service.url}/recordings/{room.sid}", headers=auth, timeout=5).text
        )
        answers.append(requests.get(f"{service.url}/healthz", timeout=5).text)
        body = envelope(103, "room", 14)
        for headers in (signature_headers(body), signature_headers(body, "bad"), {}):
            answers.append(notify(service, body, headers).text)
        bad = b"{"
        answers.append(notify(service, bad, signature_headers(bad)).text)
        status_when(service.url, room.sid, nothing_pending, token=TOKEN)
        answers.append(
            requests.get(f"{service.url}/recordings/{room.sid}", headers=auth, timeout=5).text
        )
        shown = [
            repr(service),
            repr(service.hub),
            repr(service.hub.options),
            repr(service.store),
            repr(service._app),
            repr(client),
            str(service.hub.options),
        ]
    everything = "\n".join([*answers, *shown, caplog.text])
    assert "notification refused" in caplog.text  # the log was captured
    assert "attached" in caplog.text
    for secret in (CUSTOMER_SECRET, NOTIFY_SECRET, TOKEN):
        assert secret not in everything, secret
