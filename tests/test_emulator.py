"""The emulator over real HTTP on loopback: Agora's routes, statuses and bodies, the
rules of the reference (400, code 2), bad input, and the control API."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from agora_rules import ACCEPTED, RULES, VALID_START, VALID_STOP, Accepted, Rule
from emulator_helpers import start_body, with_storage

from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.emulator.state import EXIT_SECONDS
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

AUTH = (CUSTOMER_ID, CUSTOMER_SECRET)
BASE = f"/v1/apps/{APP_ID}/cloud_recording"


class Api:
    """Raw HTTP to an emulator, for checking exact statuses and bodies."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.http = requests.Session()

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: Any = AUTH,
    ) -> requests.Response:
        data = raw if raw is not None else json.dumps(body).encode()
        return self.http.post(
            self.server.url + path,
            data=data,
            auth=auth,
            timeout=5,
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    def get(self, path: str, auth: Any = AUTH) -> requests.Response:
        return self.http.get(self.server.url + path, auth=auth, timeout=5)

    def acquire(self, cname: str = "room", uid: str = "527841") -> str:
        answer = self.post(f"{BASE}/acquire", {"cname": cname, "uid": uid, "clientRequest": {}})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["resourceId"])

    def start(
        self, rid: str, body: dict[str, Any] | None = None, mode: str = "mix"
    ) -> requests.Response:
        return self.post(f"{BASE}/resourceid/{rid}/mode/{mode}/start", body or start_body())


VALID_ROOM = {"cname": "room", "uid": "527841", "clientRequest": {}}  # acquire, stop


@pytest.fixture
def api(emulator: EmulatorServer) -> Api:
    return Api(emulator)


def started(api: Api, cname: str = "room", uid: str = "527841") -> tuple[str, str]:
    rid = api.acquire(cname, uid)
    answer = api.start(rid, start_body(cname, uid))
    assert answer.status_code == 200, answer.text
    return rid, str(answer.json()["sid"])


# --- the gateway ----------------------------------------------------------------------


def test_no_credentials_is_401_unauthorized(api: Api) -> None:
    answer = api.post(f"{BASE}/acquire", VALID_ROOM, auth=None)
    assert (answer.status_code, answer.json()) == (401, {"message": "Unauthorized"})


def test_wrong_credentials_is_401_invalid(api: Api) -> None:
    answer = api.post(f"{BASE}/acquire", VALID_ROOM, auth=(CUSTOMER_ID, "wrong"))
    assert answer.status_code == 401
    assert answer.json() == {"message": "Invalid authentication credentials"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{BASE}/acquire"),
        ("POST", "/v1/apps/x/cloud_recording/nothing"),
        ("POST", "/"),
        ("DELETE", f"{BASE}/acquire"),
        ("POST", f"{BASE}/resourceid/r/mode/bad/start"),
    ],
)
def test_unknown_routes_and_methods_are_404_no_route(api: Api, method: str, path: str) -> None:
    answer = api.http.request(method, api.server.url + path, auth=AUTH, timeout=5)
    assert answer.status_code == 404
    assert answer.json() == {"message": "no Route matched with those values"}


def test_unknown_app_id(api: Api) -> None:
    answer = api.post("/v1/apps/other/cloud_recording/acquire", VALID_ROOM)
    assert (answer.status_code, answer.json()) == (400, {"message": "appid is invalid"})


def test_more_than_10_requests_a_second_is_429(api: Api, clock: ManualClock) -> None:
    statuses = [api.post(f"{BASE}/acquire", VALID_ROOM).status_code for _ in range(12)]
    assert statuses == [200] * 10 + [429, 429]
    assert api.post(f"{BASE}/acquire", VALID_ROOM).json() == {"message": "API rate limit exceeded"}
    clock.advance(1.0)
    assert api.post(f"{BASE}/acquire", VALID_ROOM).status_code == 200


# --- bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "headers", "code", "words"),
    [
        (b'{"cname": "room",', {}, 2, "not valid JSON"),
        (b'["cname", "room"]', {}, 2, "must be a JSON object"),
        (b'{"cname": "r\xff"}', {}, 2, "not UTF-8"),
        (b"cname=room", {"Content-Type": "application/x-www-form-urlencoded"}, 8, "Content-Type"),
        (b"", {}, 2, "empty"),
        (b"[" * 100_000, {}, 2, "nested too deeply"),
        (b'{"a": "' + b"x" * (1 << 20) + b'"}', {}, 2, "over 1024 KiB"),
    ],
)
def test_bad_bodies_get_agora_error_shapes_and_the_server_keeps_serving(
    api: Api, raw: bytes, headers: dict[str, str], code: int, words: str
) -> None:
    answer = api.post(f"{BASE}/acquire", raw=raw, headers=headers)
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"code", "reason"} and body["code"] == code and words in body["reason"]
    assert "Traceback" not in answer.text
    assert api.post(f"{BASE}/acquire", VALID_ROOM).status_code == 200


def send(api: Api, emulator: EmulatorServer, row: Rule | Accepted) -> requests.Response:
    """A rules-table row's body sent to its endpoint over HTTP: acquire first (scene 1,
    web page recording, when the row's mode is web) with the valid body's cname, which the
    row may break; for updateLayout and stop a started recording, with someone publishing."""
    body = row.body()
    if row.endpoint == "acquire":
        return api.post(f"{BASE}/acquire", body)
    cname = body["cname"] if isinstance(row, Accepted) else VALID_STOP["cname"]
    scene = 1 if row.mode == "web" else 0
    acquired = api.post(
        f"{BASE}/acquire", {"cname": cname, "uid": "527841", "clientRequest": {"scene": scene}}
    )
    assert acquired.status_code == 200, acquired.text
    rid = acquired.json()["resourceId"]
    if row.endpoint == "start":
        return api.start(rid, body, row.mode)
    emulator.join(cname, 1001)
    sid = api.start(rid, start_body(cname)).json()["sid"]
    path = "updateLayout" if row.endpoint == "updateLayout" else "stop"
    return api.post(f"{BASE}/resourceid/{rid}/sid/{sid}/mode/mix/{path}", body)


# a channel name Agora refuses: acquire's documented answer, and start's (the older code list)
CHANNEL_NAME_ANSWERS = {
    "acquire": {"code": 401, "reason": "invalid_channel_name"},
    "start": {"code": 1013, "reason": "invalid channel name"},
}


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_is_400_code_2_naming_the_field(
    api: Api, emulator: EmulatorServer, rule: Rule
) -> None:
    answer = send(api, emulator, rule)
    assert answer.status_code == 400, answer.text
    if rule.field == "cname" and isinstance(rule.body().get("cname"), str):
        assert answer.json() == CHANNEL_NAME_ANSWERS[rule.endpoint]
        return
    assert answer.json()["code"] == 2
    assert rule.field in answer.json()["reason"]


@pytest.mark.parametrize("variant", ACCEPTED, ids=[v.name for v in ACCEPTED])
def test_each_accepted_variant_is_answered_200(
    api: Api, emulator: EmulatorServer, variant: Accepted
) -> None:
    answer = send(api, emulator, variant)
    assert answer.status_code == 200, answer.text
    assert answer.json()["cname"] == variant.body()["cname"]


def test_valid_reference_start_is_accepted(api: Api) -> None:
    rid = api.acquire("httpClient463224", "527841")
    answer = api.start(rid, VALID_START)
    assert answer.status_code == 200
    assert set(answer.json()) == {"cname", "uid", "resourceId", "sid"}


# --- Agora's current reference: defaults, duplicate stop ---------------------------------


@pytest.mark.parametrize(
    ("transcoding", "size"),
    [
        (None, (360, 640)),
        ({"mixedVideoLayout": 1}, (360, 640)),
        ({"width": 1920, "mixedVideoLayout": 1}, (1920, 640)),
        ({"height": 1080, "fps": 30, "mixedVideoLayout": 1}, (360, 1080)),
        ({"width": 1280, "height": 720, "mixedVideoLayout": 1}, (1280, 720)),
    ],
)
def test_start_records_agoras_default_size_for_what_is_left_out(
    api: Api, emulator: EmulatorServer, transcoding: dict[str, Any] | None, size: tuple[int, int]
) -> None:
    rid = api.acquire()
    config = {} if transcoding is None else {"recordingConfig": {"transcodingConfig": transcoding}}
    answer = api.start(rid, {**VALID_ROOM, "clientRequest": with_storage(config)})
    assert answer.status_code == 200, answer.text
    recording = emulator.state.recordings[answer.json()["sid"]]
    assert (recording.width, recording.height) == size


def test_a_second_stop_is_400_code_49_and_the_ended_recording_is_404(
    api: Api, emulator: EmulatorServer
) -> None:
    emulator.join("room", 1001)
    rid, sid = started(api)
    route = f"{BASE}/resourceid/{rid}/sid/{sid}/mode/mix"
    assert api.post(f"{route}/stop", VALID_ROOM).status_code == 200
    again = api.post(f"{route}/stop", VALID_ROOM)
    assert (again.status_code, again.json()["code"]) == (400, 49)
    assert again.json()["reason"] == "invalid operation"
    assert (again.json()["sid"], again.json()["resourceId"]) == (sid, rid)
    assert api.get(f"{route}/query").status_code == 404
    update = api.post(f"{route}/updateLayout", {**VALID_ROOM, "clientRequest": {}})
    assert (update.status_code, update.json()["code"]) == (404, 404)


def test_stopping_a_recording_that_max_idle_time_ended_is_49_while_it_exits_then_404(
    api: Api, emulator: EmulatorServer, clock: ManualClock
) -> None:
    rid, sid = started(api)
    clock.advance(31)  # nobody in the channel for longer than maxIdleTime (30 s)
    stop = f"{BASE}/resourceid/{rid}/sid/{sid}/mode/mix/stop"
    answer = api.post(stop, VALID_ROOM)
    assert (answer.status_code, answer.json()["code"]) == (400, 49)
    assert answer.json()["reason"] == "invalid operation"
    assert api.get(f"{BASE}/resourceid/{rid}/sid/{sid}/mode/mix/query").status_code == 404
    clock.advance(EXIT_SECONDS)  # exited: the worker is gone
    answer = api.post(stop, VALID_ROOM)
    assert (answer.status_code, answer.json()["code"]) == (404, 404)


def test_a_second_stop_long_after_the_first_is_404(
    api: Api, emulator: EmulatorServer, clock: ManualClock
) -> None:
    emulator.join("room", 1001)
    rid, sid = started(api)
    route = f"{BASE}/resourceid/{rid}/sid/{sid}/mode/mix"
    assert api.post(f"{route}/stop", VALID_ROOM).status_code == 200
    clock.advance(EXIT_SECONDS - 1)
    assert api.post(f"{route}/stop", VALID_ROOM).json()["code"] == 49
    clock.advance(1)
    assert api.post(f"{route}/stop", VALID_ROOM).json()["code"] == 404


def test_a_web_page_recording_runs_with_a_label_as_cname(
    api: Api, emulator: EmulatorServer
) -> None:
    label = "Maths 6B — https://school.example/room?id=7&t=1"
    body = {"cname": label, "uid": "527841", "clientRequest": {"scene": 1}}
    refused = api.post(f"{BASE}/acquire", {**body, "clientRequest": {}})
    assert (refused.status_code, refused.json()) == (400, CHANNEL_NAME_ANSWERS["acquire"])
    rid = api.post(f"{BASE}/acquire", body).json()["resourceId"]
    web = {
        **body,
        "clientRequest": with_storage({"recordingFileConfig": {"avFileType": ["hls", "mp4"]}}),
    }
    sid = api.start(rid, web, "web").json()["sid"]
    emulator.join(label, 1001)
    stop = api.post(
        f"{BASE}/resourceid/{rid}/sid/{sid}/mode/web/stop", {**body, "clientRequest": {}}
    )
    assert stop.status_code == 200, stop.text
    assert stop.json()["cname"] == label
