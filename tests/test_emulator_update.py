"""The `update` endpoint (POST .../sid/{sid}/mode/{mode}/update) over real HTTP on
loopback: the subscription lists checked as Agora checks them (400 with code 2 naming the
field), each accepted call recorded and shown in the recording's summary, the lists of
start shown from the start, and the usual answers of a sid route."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_helpers import STORAGE, start_body

from layoutkit.emulator import Answer, EmulatorServer, ManualClock
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

AUTH = (CUSTOMER_ID, CUSTOMER_SECRET)
API = f"/v1/apps/{APP_ID}/cloud_recording"
ANSWER_65 = Answer(206, 65, "request not completed")


@pytest.fixture
def server(unpaced_emulator: EmulatorServer) -> EmulatorServer:
    return unpaced_emulator


def start(
    server: EmulatorServer, mode: str = "mix", uid: str = "527841", **client: Any
) -> tuple[str, str]:
    scene = 1 if mode == "web" else 0
    acquire = {"cname": "room", "uid": uid, "clientRequest": {"scene": scene}}
    rid = requests.post(f"{server.url}{API}/acquire", json=acquire, auth=AUTH, timeout=5)
    rid_value = rid.json()["resourceId"]
    if mode == "individual":
        client.setdefault("recordingConfig", {}).setdefault("subscribeUidGroup", 0)
    url = f"{server.url}{API}/resourceid/{rid_value}/mode/{mode}/start"
    answer = requests.post(url, json=start_body("room", uid, **client), auth=AUTH, timeout=5)
    assert answer.status_code == 200, answer.text
    return rid_value, answer.json()["sid"]


def update(
    server: EmulatorServer, ids: tuple[str, str], client: Any, mode: str = "mix", **body: Any
) -> requests.Response:
    rid, sid = ids
    url = f"{server.url}{API}/resourceid/{rid}/sid/{sid}/mode/{mode}/update"
    uid = summary(server, sid)["uid"]
    whole = {"cname": "room", "uid": uid, "clientRequest": client, **body}
    return requests.post(url, json=whole, auth=AUTH, timeout=5)


def summary(server: EmulatorServer, sid: str) -> Any:
    return requests.get(f"{server.url}/_emulator/recordings/{sid}", timeout=5).json()


def subscribe(audio: Any = None, video: Any = None) -> dict[str, Any]:
    lists = {}
    if audio is not None:
        lists["audioUidList"] = audio
    if video is not None:
        lists["videoUidList"] = video
    return {"streamSubscribe": lists}


def test_an_update_replaces_the_subscription_lists_and_is_recorded(
    server: EmulatorServer, clock: ManualClock
) -> None:
    server.join("room", 1001)
    ids = start(server, recordingConfig={"subscribeAudioUids": ["#allstream#"]})
    assert summary(server, ids[1])["subscription"] == {
        "audioUidList": {"subscribeAudioUids": ["#allstream#"]}
    }
    lists = subscribe({"subscribeAudioUids": ["1001"]}, {"unSubscribeVideoUids": ["1002"]})
    answer = update(server, ids, lists)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "cname": "room",
        "uid": "527841",
        "resourceId": ids[0],
        "sid": ids[1],
    }
    clock.advance(5)
    assert update(server, ids, subscribe(video={"subscribeVideoUids": ["1001"]})).ok
    state = summary(server, ids[1])
    # each call replaces the whole configuration: no audio list now
    assert state["subscription"] == {"videoUidList": {"subscribeVideoUids": ["1001"]}}
    recorded = {  # the documented spelling
        "audioUidList": {"subscribeAudioUids": ["1001"]},
        "videoUidList": {"unsubscribeVideoUids": ["1002"]},
    }
    assert [u["request"] for u in state["updates"]] == [
        {"streamSubscribe": recorded},
        {"streamSubscribe": {"videoUidList": {"subscribeVideoUids": ["1001"]}}},
    ]
    assert state["updates"][1]["time"] - state["updates"][0]["time"] == 5


@pytest.mark.parametrize(
    ("client", "field"),
    [
        (
            subscribe({"subscribeAudioUids": ["1"], "unsubscribeAudioUids": ["2"]}),
            "streamSubscribe.audioUidList: subscribeAudioUids and unsubscribeAudioUids cannot",
        ),
        (
            subscribe(video={"subscribeVideoUids": ["1"], "unSubscribeVideoUids": ["2"]}),
            "subscribeVideoUids and unsubscribeVideoUids cannot both be set",
        ),
        (
            subscribe(video={"unsubscribeVideoUids": ["1"], "unSubscribeVideoUids": ["2"]}),
            "unsubscribeVideoUids and unSubscribeVideoUids cannot both be set",
        ),
        (subscribe({"subscribeAudioUids": []}), "audioUidList.subscribeAudioUids: List should"),
        (
            subscribe({"subscribeAudioUids": [str(n) for n in range(1, 34)]}),
            "subscribeAudioUids: List should have at most 32 items",
        ),
        (subscribe({"subscribeAudioUids": [1001]}), "subscribeAudioUids.0: Input should be a"),
        (subscribe({"subscribeAudioUids": ["0"]}), "'0' is not a uid string"),
        (subscribe({}), "audioUidList: give subscribeAudioUids (only these users' audio) or"),
        (subscribe(), "streamSubscribe: give audioUidList or videoUidList"),
        ({"streamSubscribe": ["1"]}, "streamSubscribe: Input should be a valid dictionary"),
        ({}, "clientRequest: give streamSubscribe"),
        ({"futureSetting": {"on": True}}, "clientRequest: give streamSubscribe"),
        (
            {"webRecordingConfig": {"onhold": True}},
            "webRecordingConfig: for web page recording only, not mix",
        ),
        ({"storageConfig": {**STORAGE, "vendor": 0}}, "clientRequest.storageConfig.vendor"),
    ],
)
def test_each_rule_of_an_update_is_400_code_2_naming_the_field(
    server: EmulatorServer, client: dict[str, Any], field: str
) -> None:
    server.join("room", 1001)
    answer = update(server, start(server), client)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == 2
    assert answer.json()["reason"].startswith("Update: ")
    assert field in answer.json()["reason"]


def test_the_lists_must_match_the_streams_the_recording_takes(server: EmulatorServer) -> None:
    server.join("room", 1001)
    audio_only = start(server, recordingConfig={"streamTypes": 0})
    refused = update(server, audio_only, subscribe(video={"subscribeVideoUids": ["1001"]}))
    assert refused.status_code == 400
    assert "streamTypes is 0 (audio only)" in refused.json()["reason"]
    assert update(server, audio_only, subscribe({"subscribeAudioUids": ["1001"]})).ok
    video_only = start(server, uid="527842", recordingConfig={"streamTypes": 1})
    refused = update(server, video_only, subscribe({"subscribeAudioUids": ["1001"]}))
    assert "streamTypes is 1 (video only)" in refused.json()["reason"]


def test_web_page_recording_takes_its_own_settings(server: EmulatorServer) -> None:
    ids = start(server, "web")
    onhold = {"webRecordingConfig": {"onhold": True}}
    assert update(server, ids, onhold, mode="web").ok
    refused = update(server, ids, subscribe({"subscribeAudioUids": ["1"]}), mode="web")
    assert "streamSubscribe: for mix and individual recording only" in refused.json()["reason"]
    bad = update(server, ids, {"webRecordingConfig": {"onhold": "yes"}}, mode="web")
    assert "webRecordingConfig.onhold: send a JSON boolean" in bad.json()["reason"]
    bad = update(server, ids, {"rtmpPublishConfig": {"outputs": [{}]}}, mode="web")
    assert "rtmpPublishConfig.outputs.0.rtmpUrl: Field required" in bad.json()["reason"]
    output = {"rtmpUrl": "rtmp://cdn.example.com/live/1"}
    rtmp = {"rtmpPublishConfig": {"outputs": [{**output, "futureKey": 1}]}, "futureSetting": 2}
    assert update(server, ids, rtmp, mode="web").ok
    # the recorded copy: Agora's fields only
    assert [u["request"] for u in summary(server, ids[1])["updates"]] == [
        onhold,
        {"rtmpPublishConfig": {"outputs": [output]}},
    ]


def test_an_updated_storage_is_recorded_without_its_keys(server: EmulatorServer) -> None:
    server.join("room", 1001)
    ids = start(server)
    assert update(server, ids, {"storageConfig": {**STORAGE, "bucket": "moved"}}).ok
    state = summary(server, ids[1])
    assert state["updates"][0]["request"] == {
        "storageConfig": {"vendor": 1, "region": 0, "bucket": "moved"}
    }
    assert STORAGE["secretKey"] not in str(state) and STORAGE["accessKey"] not in str(state)


def test_update_answers_as_the_other_sid_routes(server: EmulatorServer) -> None:
    server.join("room", 1001)
    ids = start(server, "individual")
    lists = subscribe({"subscribeAudioUids": ["1001"]})
    assert update(server, ids, lists, mode="individual").ok
    mismatch = update(server, ids, lists, mode="individual", uid="1")
    assert (mismatch.status_code, mismatch.json()["code"]) == (400, 432)
    wrong_type = update(server, ids, lists, mode="individual", uid=527841)
    assert wrong_type.json()["code"] == 2 and "uid" in wrong_type.json()["reason"]
    server.inject(ANSWER_65)
    assert update(server, ids, lists, mode="individual").status_code == 206
    rid, sid = ids
    stop = f"{server.url}{API}/resourceid/{rid}/sid/{sid}/mode/individual/stop"
    body = {"cname": "room", "uid": "527841", "clientRequest": {}}
    assert requests.post(stop, json=body, auth=AUTH, timeout=5).ok
    gone = update(server, ids, lists, mode="individual")
    assert (gone.status_code, gone.json()["code"]) == (404, 404)
