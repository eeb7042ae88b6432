"""The emulator's `/_emulator/` control API over real HTTP on loopback (participants,
recordings and their picture, faults, chaos, the clock, the request log, the composite,
the state), its refusals, and `EmulatorApp` as a WSGI callable."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
import requests
from emulator_helpers import with_storage
from PIL import Image

from layoutkit.client import CloudRecordingClient, Recording, RetryPolicy
from layoutkit.emulator import (
    Answer,
    EmulatorApp,
    EmulatorServer,
    EmulatorState,
    ManualClock,
    control,
)
from layoutkit.emulator.state import MAX_OUTAGE
from layoutkit.httpd import MAX_BODY, Request
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

API = f"/v1/apps/{APP_ID}/cloud_recording"
AUTH = (CUSTOMER_ID, CUSTOMER_SECRET)
BASIC = "Basic " + base64.b64encode(f"{CUSTOMER_ID}:{CUSTOMER_SECRET}".encode()).decode()
ACQUIRE_BODY = {"cname": "room", "uid": "99", "clientRequest": {}}


@pytest.fixture
def server(unpaced_emulator: EmulatorServer) -> EmulatorServer:
    """On the manual clock, without the rate limit (see conftest)."""
    return unpaced_emulator


@pytest.fixture(scope="module")
def untouched() -> Iterator[EmulatorServer]:
    """One emulator for the tests of refusals, which must leave it as it is: nobody in a
    channel, no faults, no outage, no chaos."""
    with EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        clock=ManualClock(),
        rate_limit=None,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def api_of_untouched(untouched: EmulatorServer) -> Control:
    return Control(untouched)


@pytest.fixture
def client(server: EmulatorServer, clock: ManualClock) -> CloudRecordingClient:
    return CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=server.url,
        retry=RetryPolicy(attempts=1),
        clock=clock,
        rate_limit=100_000,
    )


class Control:
    """The control API of one emulator, over HTTP."""

    def __init__(self, server: EmulatorServer) -> None:
        self.url = f"{server.url}/_emulator"

    def get(self, path: str) -> requests.Response:
        return requests.get(self.url + path, timeout=10)

    def post(self, path: str, body: Any = None) -> requests.Response:
        return requests.post(self.url + path, json=body if body is not None else {}, timeout=10)

    def post_raw(self, path: str, data: bytes) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        return requests.post(self.url + path, data=data, headers=headers, timeout=10)

    def delete(self, path: str) -> requests.Response:
        return requests.delete(self.url + path, timeout=10)


@pytest.fixture
def api(server: EmulatorServer) -> Control:
    return Control(server)


def people(cname: str = "room") -> str:
    return f"/apps/{APP_ID}/channels/{cname}/participants"


def acquire(server: EmulatorServer) -> requests.Response:
    return requests.post(server.url + API + "/acquire", json=ACQUIRE_BODY, auth=AUTH, timeout=10)


def query(server: EmulatorServer, recording: Recording) -> requests.Response:
    path = f"{API}/resourceid/{recording.resource_id}/sid/{recording.sid}/mode/mix/query"
    return requests.get(server.url + path, auth=AUTH, timeout=10)


def error_of(response: requests.Response) -> str:
    body = response.json()
    assert isinstance(body, dict) and isinstance(body["error"], str)
    return body["error"]


# --- participants ----------------------------------------------------------------------


def test_participants_join_change_media_and_leave(server: EmulatorServer, api: Control) -> None:
    joined = api.post(people(), {"uid": 1001})
    assert joined.status_code == 200
    assert joined.json() == {"participants": [{"uid": "1001", "media": "video"}]}
    api.post(people(), {"uid": "1002", "media": "audio_only"})
    answer = api.post(people(), {"uid": 1003, "publishing": False})
    assert answer.json()["participants"] == [
        {"uid": "1001", "media": "video"},
        {"uid": "1002", "media": "audio_only"},
        {"uid": "1003", "media": "not_publishing"},
    ]
    changed = api.post(people() + "/1001", {"media": "video_off"})
    assert changed.status_code == 200
    assert changed.json()["participants"][0] == {"uid": "1001", "media": "video_off"}
    left = api.delete(people() + "/1002")
    assert (left.status_code, left.json()) == (200, {"participants": ["1001", "1003"]})
    state = api.get("/state").json()
    assert state["channels"] == [
        {"appId": APP_ID, "cname": "room", "profile": "live", "participants": ["1001", "1003"]}
    ]
    assert server.state.channel(APP_ID, "room").uids() == ["1001", "1003"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "uid: give an integer uid from 1 to 4294967295"),
        ({"uid": "abc"}, "uid: give an integer uid"),
        ({"uid": 0}, "uid: give an integer uid"),
        ({"uid": 4_294_967_296}, "uid: give an integer uid"),
        ({"uid": -5}, "uid: give an integer uid"),
        ({"uid": 1001, "media": "hologram"}, "media: one of video, video_off"),
    ],
)
def test_a_bad_join_is_refused_and_nobody_joins(
    untouched: EmulatorServer, api_of_untouched: Control, body: dict[str, Any], message: str
) -> None:
    answer = api_of_untouched.post(people(), body)
    assert answer.status_code == 400 and message in error_of(answer)
    assert untouched.state.channel(APP_ID, "room").uids() == []


def test_bad_media_changes_and_leaves_are_refused(server: EmulatorServer, api: Control) -> None:
    server.join("room", 1001)
    missing = api.post(people() + "/1001", {})
    assert missing.status_code == 400 and error_of(missing).startswith("media: give one of")
    unknown = api.post(people() + "/1001", {"media": "smoke"})
    assert unknown.status_code == 400 and error_of(unknown).startswith("media: one of")
    stranger = api.post(people() + "/2002", {"media": "video_off"})
    assert (stranger.status_code, error_of(stranger)) == (404, "uid 2002 is not in channel room")
    nobody = api.delete(people("hall") + "/1001")
    assert (nobody.status_code, error_of(nobody)) == (404, "uid 1001 is not in channel hall")
    assert server.state.channel(APP_ID, "room").participants[0].media == "video"


@pytest.mark.parametrize(
    "data",
    [
        b"[1, 2]",
        b'"text"',
        b"{not json",
        b"\xff\xfe",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"uid": 1' + b"0" * 100 + b"}",
    ],
    ids=["list", "string", "broken", "not-utf8", "deep", "huge-int"],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    untouched: EmulatorServer, api_of_untouched: Control, data: bytes
) -> None:
    for path in (people(), people() + "/1001", "/faults", "/chaos", "/clock"):
        answer = api_of_untouched.post_raw(path, data)
        assert (answer.status_code, error_of(answer)) == (400, "send a JSON object"), path
    assert untouched.state.channel(APP_ID, "room").uids() == []


def test_an_empty_body_counts_as_an_empty_object(api: Control) -> None:
    answer = api.post_raw("/chaos", b"  ")  # {}: chaos off, every kind
    assert (answer.status_code, answer.json()) == (
        200,
        {"ratio": 0, "kinds": ["500", "504", "timeout", "drop"]},
    )


# --- recordings and their picture --------------------------------------------------------


def test_recordings_their_summary_picture_and_composite(
    server: EmulatorServer, api: Control, client: CloudRecordingClient, clock: ManualClock
) -> None:
    assert api.get("/recordings").json() == []
    server.join("room", 1001)
    server.join("room", 1002, media="video_off")
    recording = client.record("room", 99, with_storage())
    listed = api.get("/recordings").json()
    assert [r["sid"] for r in listed] == [recording.sid]
    one = api.get(f"/recordings/{recording.sid}")
    assert one.status_code == 200
    summary = one.json()
    assert summary == listed[0]
    assert {
        k: summary[k] for k in ("sid", "resourceId", "appId", "cname", "uid", "mode", "ended")
    } == {
        "sid": recording.sid,
        "resourceId": recording.resource_id,
        "appId": APP_ID,
        "cname": "room",
        "uid": "99",
        "mode": "mix",
        "ended": False,
    }
    assert summary["endedBy"] is None and summary["status"] >= 1
    assert summary["participants"] == ["1001", "1002"]
    assert summary["people"] == [
        {"uid": "1001", "media": "video"},
        {"uid": "1002", "media": "video_off"},
    ]
    assert summary["layout"] == server.layout_of(recording.sid)
    assert summary["history"] == []  # the changes made by updateLayout
    assert [(r["uid"], r["media"]) for r in summary["picture"]] == [
        ("1001", "video"),
        ("1002", "video_off"),
    ]
    assert all(0 <= r["x"] <= 1 and 0 < r["width"] <= 1 for r in summary["picture"])

    png = api.get(f"/recordings/{recording.sid}/composite.png")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(png.content)) as image:
        assert image.format == "PNG"
        kept = server.state.recordings[recording.sid]
        assert image.size == (kept.width, kept.height)

    clock.advance(1)
    recording.update_layout({"mixedVideoLayout": 1})
    recording.stop()
    ended = api.get(f"/recordings/{recording.sid}").json()
    assert ended["ended"] is True and ended["endedBy"] == "stop"
    assert ended["history"] == [{"time": clock(), "layout": {"mixedVideoLayout": 1}}]
    state = api.get("/state").json()
    assert [r["sid"] for r in state["recordings"]] == [recording.sid]
    assert (state["faults"], state["outageUntil"]) == (0, None)


def test_an_unknown_recording_is_404(api: Control) -> None:
    for path in ("/recordings/nope", "/recordings/nope/composite.png"):
        answer = api.get(path)
        assert (answer.status_code, error_of(answer)) == (404, "no recording with sid nope")


def test_an_idle_recording_ends_when_the_control_api_looks(
    server: EmulatorServer, api: Control, client: CloudRecordingClient, clock: ManualClock
) -> None:
    server.join("room", 1001)
    recording = client.record("room", 99, with_storage({"recordingConfig": {"maxIdleTime": 5}}))
    api.delete(people() + "/1001")
    clock.advance(6)
    assert api.get(f"/recordings/{recording.sid}").json()["endedBy"] == "maxIdleTime"


# --- faults, outage, answers, chaos ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("500", 500, {"code": 500, "reason": "internal_error (injected)"}),
        ("504", 504, {"code": 62, "reason": "request timeout"}),
        ("timeout", 504, {"code": 62, "reason": "request timeout"}),
    ],
)
def test_injected_faults_answer_the_next_api_requests(
    server: EmulatorServer, api: Control, kind: str, status: int, body: dict[str, Any]
) -> None:
    injected = api.post("/faults", {"kind": kind, "count": 2, "delay": 0})
    assert (injected.status_code, injected.json()) == (200, {"faults": 2})
    assert server.state.fault_delay == 0.0
    assert api.get("/state").json()["faults"] == 2
    for _ in range(2):
        failed = acquire(server)
        assert (failed.status_code, failed.json()) == (status, body)
    assert acquire(server).status_code == 200
    assert api.get("/state").json()["faults"] == 0


def test_a_dropped_request_gets_no_answer(server: EmulatorServer, api: Control) -> None:
    assert api.post("/faults", {"kind": "drop"}).json() == {"faults": 1}
    with pytest.raises(requests.ConnectionError):
        acquire(server)
    assert acquire(server).status_code == 200


def test_an_injected_answer_is_given_as_it_is(server: EmulatorServer, api: Control) -> None:
    body = {"kind": "answer", "status": 206, "code": 65, "reason": "request not completed"}
    assert api.post("/faults", body).json() == {"faults": 1}
    answer = acquire(server)
    assert (answer.status_code, answer.json()) == (
        206,
        {"code": 65, "reason": "request not completed"},
    )
    assert api.post("/faults", {"kind": "answer", "status": 400, "code": 2}).status_code == 200
    assert acquire(server).json() == {"code": 2, "reason": ""}


def test_a_fault_delay_out_of_range_is_ignored(server: EmulatorServer, api: Control) -> None:
    before = server.state.fault_delay
    for delay in (-1, 61, "2"):
        assert api.post("/faults", {"kind": "500", "delay": delay}).status_code == 200
    assert server.state.fault_delay == before
    server.state.clear_faults()
    assert api.post("/faults", {"kind": "timeout", "delay": 0.25}).status_code == 200
    assert server.state.fault_delay == 0.25
    began = time.monotonic()
    timed_out = acquire(server)  # answered only once the delay has passed
    assert time.monotonic() - began >= 0.25
    assert (timed_out.status_code, timed_out.json()["code"]) == (504, 62)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "kind: one of 500, 504, timeout, drop, answer or outage"),
        ({"kind": "meteor"}, "kind: one of"),
        ({"kind": "500", "count": 0}, "count: a whole number from 1 to 1000"),
        ({"kind": "500", "count": 1001}, "count: a whole number"),
        ({"kind": "500", "count": "3"}, "count: a whole number"),
        ({"kind": "answer", "code": 2}, "answer: give status (200..599), code and reason"),
        ({"kind": "answer", "status": 600, "code": 2}, "answer: give status"),
        ({"kind": "answer", "status": 199, "code": 2}, "answer: give status"),
        ({"kind": "answer", "status": 400, "code": "2"}, "answer: give status"),
        ({"kind": "outage"}, f"seconds: more than 0, at most {MAX_OUTAGE:g}"),
        ({"kind": "outage", "seconds": 0}, "seconds: more than 0"),
        ({"kind": "outage", "seconds": -1}, "seconds: more than 0"),
        ({"kind": "outage", "seconds": MAX_OUTAGE + 1}, "seconds: more than 0"),
        ({"kind": "outage", "seconds": True}, "seconds: more than 0"),
        ({"kind": "outage", "seconds": "30"}, "seconds: more than 0"),
    ],
)
def test_bad_faults_are_refused_and_nothing_is_injected(
    untouched: EmulatorServer, api_of_untouched: Control, body: dict[str, Any], message: str
) -> None:
    answer = api_of_untouched.post("/faults", body)
    assert answer.status_code == 400 and error_of(answer).startswith(message)
    assert (len(untouched.state.faults), untouched.state.outage_until) == (0, None)


def test_an_outage_answers_404_for_running_recordings_until_it_ends(
    server: EmulatorServer, api: Control, client: CloudRecordingClient, clock: ManualClock
) -> None:
    server.join("room", 1001)
    recording = client.record("room", 99, with_storage())
    started = api.post("/faults", {"kind": "outage", "seconds": 30})
    assert started.status_code == 200
    assert started.json() == {"faults": 0, "outageUntil": clock() + 30}
    assert api.get("/state").json()["outageUntil"] == clock() + 30
    lost = query(server, recording)
    assert (lost.status_code, lost.json()) == (
        404,
        {
            "resourceId": recording.resource_id,
            "sid": recording.sid,
            "code": 404,
            "reason": "failed to find worker",
        },
    )
    assert acquire(server).status_code == 200  # a new acquire is not on a sid's worker
    assert api.post("/clock", {"advance": 31}).status_code == 200
    assert query(server, recording).status_code == 200
    assert api.get("/state").json()["outageUntil"] is None


def test_deleting_faults_clears_the_queue_and_ends_an_outage(
    server: EmulatorServer, api: Control, client: CloudRecordingClient
) -> None:
    server.join("room", 1001)
    recording = client.record("room", 99, with_storage())
    api.post("/faults", {"kind": "500", "count": 5})
    api.post("/faults", {"kind": "outage", "seconds": 600})
    assert query(server, recording).status_code == 404
    cleared = api.delete("/faults")
    assert (cleared.status_code, cleared.json()) == (200, {"faults": []})
    state = api.get("/state").json()
    assert (state["faults"], state["outageUntil"]) == (0, None)
    assert query(server, recording).status_code == 200


def test_chaos_fails_that_share_of_requests_until_turned_off(
    server: EmulatorServer, api: Control
) -> None:
    on = api.post("/chaos", {"ratio": 1, "kinds": ["504"], "seed": 7})
    assert (on.status_code, on.json()) == (200, {"ratio": 1, "kinds": ["504"]})
    assert [acquire(server).status_code for _ in range(3)] == [504, 504, 504]
    half = api.post("/chaos", {"ratio": 0.5, "seed": 3})
    assert half.json() == {"ratio": 0.5, "kinds": ["500", "504", "timeout", "drop"]}
    off = api.post("/chaos", {"ratio": 0})
    assert (off.status_code, off.json()["ratio"]) == (200, 0)
    assert [acquire(server).status_code for _ in range(3)] == [200, 200, 200]


def test_chaos_is_repeatable_with_a_seed(server: EmulatorServer, api: Control) -> None:
    runs = []
    for _ in range(2):
        api.post("/chaos", {"ratio": 0.5, "kinds": ["500"], "seed": 42})
        runs.append([acquire(server).status_code for _ in range(12)])
    assert runs[0] == runs[1] and set(runs[0]) == {200, 500}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ratio": 1.5}, "ratio: a number from 0 to 1"),
        ({"ratio": -0.1}, "ratio: a number"),
        ({"ratio": "half"}, "ratio: a number"),
        ({"ratio": 0.5, "kinds": []}, "kinds: a list of 500, 504, timeout, drop"),
        ({"ratio": 0.5, "kinds": ["flood"]}, "kinds: a list of"),
        ({"ratio": 0.5, "kinds": "500"}, "kinds: a list of"),
        ({"ratio": 0.5, "seed": "lucky"}, "seed: a whole number"),
    ],
)
def test_bad_chaos_is_refused_and_changes_nothing(
    untouched: EmulatorServer, api_of_untouched: Control, body: dict[str, Any], message: str
) -> None:
    answer = api_of_untouched.post("/chaos", body)
    assert answer.status_code == 400 and error_of(answer).startswith(message)
    assert [acquire(untouched).status_code for _ in range(3)] == [200, 200, 200]


# --- clock, request log ----------------------------------------------------------------------


def test_the_clock_moves_only_forward(api: Control, clock: ManualClock) -> None:
    start = clock()
    moved = api.post("/clock", {"advance": 2.5})
    assert (moved.status_code, moved.json()) == (200, {"now": start + 2.5})
    assert api.post("/clock", {"advance": 0}).json() == {"now": start + 2.5}
    for bad in (-1, "5", None, [1]):
        answer = api.post("/clock", {"advance": bad})
        assert answer.status_code == 400
        assert error_of(answer) == "advance: give a number of seconds >= 0"
    assert clock() == start + 2.5


def test_the_real_clock_cannot_be_moved() -> None:
    with EmulatorServer(app_ids=(APP_ID,)) as real:
        answer = Control(real).post("/clock", {"advance": 1})
    assert answer.status_code == 400 and "runs on the real clock" in error_of(answer)


def test_the_request_log_lists_api_requests_only(
    server: EmulatorServer, api: Control, clock: ManualClock
) -> None:
    acquire(server)
    clock.advance(1)
    requests.post(server.url + API + "/acquire", json=ACQUIRE_BODY, timeout=10)  # no auth
    requests.get(server.url + "/v1/nowhere", timeout=10)
    api.get("/state")  # the control API is not logged
    logged = api.get("/requests")
    assert logged.status_code == 200
    rows = logged.json()
    assert [(r["method"], r["path"], r["endpoint"], r["appId"], r["status"]) for r in rows] == [
        ("POST", API + "/acquire", "acquire", APP_ID, 200),
        ("POST", API + "/acquire", "acquire", APP_ID, 401),
        ("GET", "/v1/nowhere", "unknown", None, 404),
    ]
    assert [r["time"] for r in rows] == [clock() - 1, clock(), clock()]
    assert all(isinstance(r["wall"], float) for r in rows)


# --- routes and refusals ---------------------------------------------------------------------


def test_unknown_control_routes_are_404(server: EmulatorServer, api: Control) -> None:
    for method, path in [
        ("GET", "/nowhere"),
        ("PUT", "/state"),
        ("GET", "/faults"),
        ("DELETE", "/recordings"),
        ("GET", people()),
    ]:
        answer = requests.request(method, api.url + path, timeout=10)
        assert (answer.status_code, answer.json()) == (
            404,
            {"message": "no Route matched with those values"},
        ), (method, path)
    direct = control.handle(server.state, Request("GET", "/_emulator/x", {}), "no-such-route")
    assert (direct.status, json.loads(direct.body)) == (404, {"error": "no such control route"})


def test_the_control_api_refuses_what_a_web_page_could_send(
    server: EmulatorServer, api: Control
) -> None:
    port = server.url.rsplit(":", 1)[1]
    state = api.url + "/state"
    assert requests.get(state, headers={"Host": f"localhost:{port}"}, timeout=10).ok
    rebound = requests.get(state, headers={"Host": f"evil.example:{port}"}, timeout=10)
    assert rebound.status_code == 421 and "is not this emulator's address" in error_of(rebound)
    same = requests.get(state, headers={"Origin": f"http://127.0.0.1:{port}"}, timeout=10)
    assert same.ok
    for origin in ("http://evil.example", "null", f"https://127.0.0.1:{port}"):
        foreign = requests.get(state, headers={"Origin": origin}, timeout=10)
        assert foreign.status_code == 403 and "cross-origin" in error_of(foreign), origin
    simple = requests.post(api.url + people(), data={"uid": "1001"}, timeout=10)
    assert simple.status_code == 415
    assert error_of(simple) == "the control API takes Content-Type: application/json"
    assert server.state.channel(APP_ID, "room").uids() == []


def test_served_hosts_and_loopback_names() -> None:
    assert control.served_hosts("127.0.0.1", 8080) == {
        "127.0.0.1:8080",
        "localhost:8080",
        "[::1]:8080",
    }
    v6 = control.served_hosts("::1", 80)
    assert {"[::1]", "[::1]:80", "localhost", "127.0.0.1:80"} <= v6
    assert "EXAMPLE.test:80" not in control.served_hosts("EXAMPLE.test", 80)
    assert "example.test:80" in control.served_hosts("EXAMPLE.test", 80)
    loopback = [
        control.refuse(Request("GET", "/_emulator/state", {"host": host}), None) is None
        for host in ("127.0.0.1", "localhost:5000", "[::1]", "[::1]:5000", "10.0.0.1:80", "")
    ]
    assert loopback == [True, True, True, True, False, False]


def test_a_bug_in_a_control_route_is_a_json_500(
    server: EmulatorServer, api: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(server.state, "tick", broken)
    answer = api.get("/recordings")
    assert (answer.status_code, answer.json()) == (
        500,
        {"code": 500, "reason": "emulator internal error (see the emulator log)"},
    )


# --- the API behind the gateway ------------------------------------------------------------------


def test_the_gateway_checks_route_credentials_app_and_rate() -> None:
    state = EmulatorState(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        clock=ManualClock(),
        rate_limit=2,
    )
    app = EmulatorApp(state)

    def ask(path: str, authorization: str | None, body: bytes = b"{}") -> tuple[int, Any]:
        headers = {"content-type": "application/json"}
        if authorization is not None:
            headers["authorization"] = authorization
        answer = app.handle(Request("POST", path, headers, body))
        return answer.status, json.loads(answer.body)

    acquire_path = API + "/acquire"
    assert ask(acquire_path, None) == (401, {"message": "Unauthorized"})
    invalid = {"message": "Invalid authentication credentials"}
    assert ask(acquire_path, "Basic !!!") == (401, invalid)
    assert ask(acquire_path, "Basic " + base64.b64encode(b"\xff:x").decode()) == (401, invalid)
    assert ask(acquire_path, "Bearer " + BASIC.split()[1]) == (401, invalid)
    assert ask(acquire_path, "Basic " + base64.b64encode(b"no-colon").decode()) == (401, invalid)
    assert ask("/v1/apps/other/cloud_recording/acquire", BASIC) == (
        400,
        {"message": "appid is invalid"},
    )
    status, body = ask(acquire_path, BASIC, b"{broken")
    assert status == 400 and body["code"] == 2 and "not valid JSON" in body["reason"]
    status, body = ask(acquire_path, BASIC, json.dumps(ACQUIRE_BODY).encode())
    assert status == 200 and body["resourceId"]
    assert ask(acquire_path, BASIC) == (429, {"message": "API rate limit exceeded"})
    assert [r.status for r in state.requests] == [401, 401, 401, 401, 401, 400, 400, 200, 429]


def test_latency_holds_each_api_request_in_flight(server: EmulatorServer) -> None:
    server.state.latency = 0.05
    assert acquire(server).status_code == 200
    assert server.state.max_in_flight["acquire"] == 1
    assert server.state.in_flight["acquire"] == 0


def test_query_through_the_app_and_a_bug_in_the_service_is_a_json_500(
    server: EmulatorServer, client: CloudRecordingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.join("room", 1001)
    recording = client.record("room", 99, with_storage())
    assert query(server, recording).json()["serverResponse"]["status"] >= 1

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("layoutkit.emulator.service.query", broken)
    failed = query(server, recording)
    assert (failed.status_code, failed.json()["code"]) == (500, 500)


# --- WSGI ------------------------------------------------------------------------------------


StartResponse = Callable[..., Any]


def call_wsgi(
    app: Callable[[dict[str, Any], StartResponse], Any],
    method: str,
    path: str,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    content_length: str | None = None,
) -> tuple[str, dict[str, str], bytes]:
    """One request through a WSGI callable, as a WSGI server would make it."""
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ["REQUEST_METHOD"] = method
    environ["PATH_INFO"] = path
    environ["QUERY_STRING"] = ""
    environ["wsgi.input"] = io.BytesIO(body)
    length = content_length if content_length is not None else str(len(body))
    if length:
        environ["CONTENT_LENGTH"] = length
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        started.append((status, response_headers))

    result = app(environ, start_response)
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    assert len(started) == 1
    status, response_headers = started[0]
    found = dict(response_headers)
    assert found["Content-Length"] == str(len(data))
    return status, found, data


@pytest.fixture
def wsgi_app() -> EmulatorApp:
    state = EmulatorState(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        clock=ManualClock(),
        rate_limit=None,
    )
    return EmulatorApp(state)


JSON_TYPE = {"Content-Type": "application/json"}


def test_a_whole_recording_through_wsgi(wsgi_app: EmulatorApp) -> None:
    app = validator(wsgi_app)  # wsgiref's checker of the WSGI protocol, on every call
    join = json.dumps({"uid": 1001}).encode()
    status, headers, body = call_wsgi(app, "POST", "/_emulator" + people(), join, headers=JSON_TYPE)
    assert (status, json.loads(body)) == (
        "200 OK",
        {"participants": [{"uid": "1001", "media": "video"}]},
    )
    assert headers["Content-Type"].startswith("application/json")
    api = {"Authorization": BASIC, **JSON_TYPE}
    status, _, body = call_wsgi(
        app, "POST", API + "/acquire", json.dumps(ACQUIRE_BODY).encode(), headers=api
    )
    assert status == "200 OK"
    rid = json.loads(body)["resourceId"]
    start = {"cname": "room", "uid": "99", "clientRequest": with_storage()}
    status, _, body = call_wsgi(
        app,
        "POST",
        f"{API}/resourceid/{rid}/mode/mix/start",
        json.dumps(start).encode(),
        headers=api,
    )
    assert status == "200 OK", body
    sid = json.loads(body)["sid"]
    status, _, body = call_wsgi(
        app, "GET", f"{API}/resourceid/{rid}/sid/{sid}/mode/mix/query", headers=api
    )
    assert status == "200 OK" and json.loads(body)["sid"] == sid
    status, _, body = call_wsgi(app, "GET", f"/_emulator/recordings/{sid}")
    assert status == "200 OK" and json.loads(body)["participants"] == ["1001"]
    status, headers, body = call_wsgi(app, "GET", f"/_emulator/recordings/{sid}/composite.png")
    assert (status, headers["Content-Type"]) == ("200 OK", "image/png")
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    status, _, body = call_wsgi(app, "GET", "/_emulator/requests")
    assert [r["endpoint"] for r in json.loads(body)] == ["acquire", "start", "query"]


@pytest.mark.parametrize(
    ("fault", "status_line"),
    [
        (Answer(206, 65, "request not completed"), "206 Partial Content"),
        (Answer(299, 1, "odd"), "299 Status"),
        ("500", "500 Internal Server Error"),
        ("504", "504 Gateway Timeout"),
        ("drop", "502 Bad Gateway"),  # a dropped connection cannot be shown over WSGI
    ],
)
def test_wsgi_status_lines(wsgi_app: EmulatorApp, fault: Any, status_line: str) -> None:
    wsgi_app.state.inject(fault)
    api = {"Authorization": BASIC, **JSON_TYPE}
    status, _, _ = call_wsgi(
        wsgi_app, "POST", API + "/acquire", json.dumps(ACQUIRE_BODY).encode(), headers=api
    )
    assert status == status_line


def test_wsgi_headers_and_lengths(wsgi_app: EmulatorApp) -> None:
    api = {"Authorization": BASIC, **JSON_TYPE}
    # no credentials (HTTP_AUTHORIZATION missing): the gateway's 401
    status, _, body = call_wsgi(wsgi_app, "POST", API + "/acquire", b"{}", headers=JSON_TYPE)
    assert (status, json.loads(body)) == ("401 Unauthorized", {"message": "Unauthorized"})
    # a Content-Length that is not a number reads no body
    status, _, body = call_wsgi(
        wsgi_app, "POST", API + "/acquire", b"{}", headers=api, content_length="ten"
    )
    assert status == "400 Bad Request" and "empty" in json.loads(body)["reason"]
    # a negative one too
    status, _, body = call_wsgi(
        wsgi_app, "POST", API + "/acquire", b"{}", headers=api, content_length="-5"
    )
    assert status == "400 Bad Request" and "empty" in json.loads(body)["reason"]
    # a body over MAX_BODY is not read past it, and refused
    big = b" " * (MAX_BODY + 10)
    status, _, body = call_wsgi(wsgi_app, "POST", API + "/acquire", big, headers=api)
    assert status == "400 Bad Request" and "over 1024 KiB" in json.loads(body)["reason"]
    # the control API's checks hold over WSGI: a web page's Host, Origin, Content-Type
    status, _, _ = call_wsgi(wsgi_app, "GET", "/_emulator/state", headers={"Host": "evil.test"})
    assert status == "421 Misdirected Request"
    origin = {"Origin": "http://evil.test"}
    status, _, _ = call_wsgi(wsgi_app, "GET", "/_emulator/state", headers=origin)
    assert status == "403 Forbidden"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, _ = call_wsgi(wsgi_app, "POST", "/_emulator" + people(), b"uid=1", headers=form)
    assert status == "415 Unsupported Media Type"
    status, _, body = call_wsgi(wsgi_app, "GET", "/_emulator/state")
    assert status == "200 OK" and json.loads(body)["channels"] == []


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_standard_library_wsgi_server_serves_the_app(wsgi_app: EmulatorApp) -> None:
    with make_server("127.0.0.1", 0, wsgi_app, handler_class=_QuietHandler) as httpd:
        thread = threading.Thread(target=httpd.handle_request, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{httpd.server_port}/_emulator" + people()
        answer = requests.post(url, json={"uid": 1001}, timeout=10)
        thread.join(timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"participants": [{"uid": "1001", "media": "video"}]}
    assert wsgi_app.state.channel(APP_ID, "room").uids() == ["1001"]
