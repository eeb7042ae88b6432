"""The emulator over real HTTP on loopback: Agora's routes, statuses and bodies, the
rules of the reference (400, code 2), bad input, and the control API."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from agora_rules import RULES, VALID_START, Rule

from layoutkit.emulator import EmulatorServer, ManualClock
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
        return self.post(f"{BASE}/resourceid/{rid}/mode/{mode}/start", body or VALID_ROOM)


VALID_ROOM = {"cname": "room", "uid": "527841", "clientRequest": {}}


@pytest.fixture
def api(emulator: EmulatorServer) -> Api:
    return Api(emulator)


def started(api: Api, cname: str = "room", uid: str = "527841") -> tuple[str, str]:
    rid = api.acquire(cname, uid)
    answer = api.start(rid, {"cname": cname, "uid": uid, "clientRequest": {}})
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


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_is_400_code_2_naming_the_field(
    api: Api, emulator: EmulatorServer, rule: Rule
) -> None:
    body = rule.body()
    if rule.endpoint == "acquire":
        answer = api.post(f"{BASE}/acquire", body)
    else:
        rid = api.acquire(body["cname"], "527841")
        if rule.endpoint == "start":
            answer = api.start(rid, body, rule.mode)
        else:
            start_body = {"cname": "httpClient463224", "uid": "527841", "clientRequest": {}}
            sid = api.start(rid, start_body).json()["sid"]
            path = "updateLayout" if rule.endpoint == "updateLayout" else "stop"
            answer = api.post(f"{BASE}/resourceid/{rid}/sid/{sid}/mode/mix/{path}", body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == 2
    assert rule.field in answer.json()["reason"]


def test_valid_reference_start_is_accepted(api: Api) -> None:
    rid = api.acquire("httpClient463224", "527841")
    answer = api.start(rid, VALID_START)
    assert answer.status_code == 200
    assert set(answer.json()) == {"cname", "uid", "resourceId", "sid"}
