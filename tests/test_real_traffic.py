"""Bodies shaped like those real clients send (real-traffic.md §3) are accepted by the
emulator, and its answers have the shapes those clients parse (§4, §6)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests

from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

BASE = f"/v1/apps/{APP_ID}/cloud_recording"
LAYOUT = [
    {
        "alpha": 1.0,
        "height": 1.0,
        "render_mode": 0,
        "uid": "1",
        "width": 0.5,
        "x_axis": 0.0,
        "y_axis": 0.0,
    },
    {"height": 1.0, "width": 0.5, "x_axis": 0.5, "y_axis": 0.0},
]
CLIENTS: dict[str, dict[str, Any]] = {
    "python": {
        "content_type": "application/json",
        "acquire": {"clientRequest": {"scene": 0}, "cname": "chan", "uid": "123"},
        "start": {
            "clientRequest": {
                "recordingConfig": {
                    "audioProfile": 1,
                    "channelType": 1,
                    "maxIdleTime": 30,
                    "streamTypes": 2,
                    "transcodingConfig": {
                        "backgroundColor": "#000000",
                        "bitrate": 500,
                        "fps": 15,
                        "height": 360,
                        "layoutConfig": LAYOUT,
                        "mixedVideoLayout": 3,
                        "width": 640,
                    },
                    "videoStreamType": 0,
                },
                "recordingFileConfig": {"avFileType": ["hls", "mp4"]},
                "storageConfig": {
                    "accessKey": "ak",
                    "bucket": "b",
                    "fileNamePrefix": ["dir1"],
                    "region": 0,
                    "secretKey": "sk",
                    "vendor": 1,
                },
                "token": "tok",
            },
            "cname": "chan",
            "uid": "123",
        },
        "update": {
            "clientRequest": {
                "backgroundColor": "#FF0000",
                "backgroundConfig": [
                    {"image_url": "https://example.invalid/bg.png", "render_mode": 0, "uid": "1"}
                ],
                "layoutConfig": [
                    {
                        "alpha": 0.9,
                        "height": 0.3,
                        "render_mode": 1,
                        "uid": "1",
                        "width": 0.3,
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                    }
                ],
                "mixedVideoLayout": 3,
            },
            "cname": "chan",
            "uid": "123",
        },
        "stop": {"cname": "chan", "uid": "123", "clientRequest": {"async_stop": False}},
    },
    "go": {
        "content_type": "application/json;charset=utf-8",
        "acquire": {"cname": "chan", "uid": "123", "clientRequest": {"scene": 0}},
        "start": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "recordingConfig": {
                    "transcodingConfig": {
                        "width": 640,
                        "height": 360,
                        "fps": 15,
                        "bitrate": 500,
                        "mixedVideoLayout": 3,
                        "backgroundColor": "#000000",
                        "layoutConfig": [
                            {
                                "uid": "1",
                                "x_axis": 0,
                                "y_axis": 0,
                                "width": 0.5,
                                "height": 1,
                                "alpha": 1,
                                "render_mode": 0,
                            },
                            {
                                "uid": "",
                                "x_axis": 0.5,
                                "y_axis": 0,
                                "width": 0.5,
                                "height": 1,
                                "render_mode": 0,
                            },
                        ],
                    }
                }
            },
        },
        "update": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "mixedVideoLayout": 3,
                "layoutConfig": [
                    {
                        "uid": "1",
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                        "width": 0.3,
                        "height": 0.3,
                        "alpha": 0,
                        "render_mode": 0,
                    }
                ],
            },
        },
        "stop": {"cname": "chan", "uid": "123", "clientRequest": {"async_stop": False}},
    },
    "node": {
        "content_type": "application/json",
        "acquire": {"cname": "chan", "uid": "123", "clientRequest": {"resourceExpiredHour": 1}},
        "start": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "recordingConfig": {
                    "transcodingConfig": {
                        "width": 640,
                        "height": 360,
                        "fps": 15,
                        "bitrate": 500,
                        "mixedVideoLayout": 1,
                    }
                }
            },
        },
        "update": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "mixedVideoLayout": 3,
                "backgroundColor": "#FF0000",
                "layoutConfig": [
                    {
                        "uid": "1",
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                        "width": 0.3,
                        "height": 0.3,
                        "alpha": 0.9,
                        "render_mode": 1,
                    }
                ],
            },
        },
        "stop": {"cname": "chan", "uid": "123", "clientRequest": {"async_stop": False}},
    },
    "postman": {
        "content_type": "application/json",
        "acquire": {"cname": "chan", "uid": "123", "clientRequest": {}},
        "start": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "recordingConfig": {
                    "maxIdleTime": 120,
                    "streamTypes": 2,
                    "audioProfile": 1,
                    "channelType": 1,
                    "videoStreamType": 0,
                    "transcodingConfig": {
                        "width": 360,
                        "height": 640,
                        "fps": 24,
                        "bitrate": 800,
                        "mixedVideoLayout": 1,
                        "maxResolutionUid": "1",
                    },
                },
                "storageConfig": {
                    "vendor": 1,
                    "region": 0,
                    "bucket": "b",
                    "accessKey": "a",
                    "secretKey": "s",
                },
            },
        },
        "update": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "mixedVideoLayout": 3,
                "backgroundColor": "#FF0000",
                "layoutConfig": [
                    {
                        "uid": "1",
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                        "width": 0.1,
                        "height": 0.1,
                        "alpha": 1.0,
                        "render_mode": 1,
                    },
                    {
                        "uid": "2",
                        "x_axis": 0.2,
                        "y_axis": 0.2,
                        "width": 0.1,
                        "height": 0.1,
                        "alpha": 1.0,
                        "render_mode": 1,
                    },
                ],
            },
        },
        "stop": {"cname": "chan", "uid": "123", "clientRequest": {}},
    },
}


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_real_client_bodies_and_answer_shapes(agora_emulator: EmulatorServer, name: str) -> None:
    shapes = copy.deepcopy(CLIENTS[name])
    http = requests.Session()
    http.auth = (CUSTOMER_ID, CUSTOMER_SECRET)
    headers = {"Content-Type": shapes["content_type"]}
    url = agora_emulator.url + BASE
    agora_emulator.join("chan", 1)

    acquired = http.post(f"{url}/acquire", json=shapes["acquire"], headers=headers, timeout=5)
    assert acquired.status_code == 200
    rid = acquired.json()["resourceId"]
    assert isinstance(rid, str) and rid.replace("-", "").replace("_", "").isalnum()
    started = http.post(
        f"{url}/resourceid/{rid}/mode/mix/start", json=shapes["start"], headers=headers, timeout=5
    )
    assert started.status_code == 200, started.text
    sid = started.json()["sid"]
    assert set(started.json()) == {"cname", "uid", "resourceId", "sid"}
    assert started.json()["uid"] == "123"
    updated = http.post(
        f"{url}/resourceid/{rid}/sid/{sid}/mode/mix/updateLayout",
        json=shapes["update"],
        headers=headers,
        timeout=5,
    )
    assert updated.status_code == 200, updated.text
    queried = http.get(f"{url}/resourceid/{rid}/sid/{sid}/mode/mix/query", timeout=5)
    server = queried.json()["serverResponse"]
    assert isinstance(server["status"], int)
    stopped = http.post(
        f"{url}/resourceid/{rid}/sid/{sid}/mode/mix/stop",
        json=shapes["stop"],
        headers=headers,
        timeout=5,
    )
    assert stopped.status_code == 200
    reply = stopped.json()["serverResponse"]
    assert reply["uploadingStatus"] in ("uploaded", "backuped", "unknown")
    assert reply["fileListMode"] in ("string", "json")
    if reply["fileListMode"] == "string":
        assert isinstance(reply["fileList"], str)
    else:
        for entry in reply["fileList"]:
            assert set(entry) == {
                "fileName",
                "trackType",
                "uid",
                "mixedAllUser",
                "isPlayable",
                "sliceStartTime",
            }
    gone = http.get(f"{url}/resourceid/{rid}/sid/{sid}/mode/mix/query", timeout=5)
    assert gone.status_code == 404
    assert isinstance(gone.json()["code"], int) and gone.json()["reason"]


def test_query_without_content_type_and_stop_with_empty_client_request(
    agora_emulator: EmulatorServer,
) -> None:
    http = requests.Session()
    http.auth = (CUSTOMER_ID, CUSTOMER_SECRET)
    url = agora_emulator.url + BASE
    rid = http.post(
        f"{url}/acquire", json={"cname": "c", "uid": "5", "clientRequest": {}}, timeout=5
    ).json()["resourceId"]
    sid = http.post(
        f"{url}/resourceid/{rid}/mode/mix/start",
        json={"cname": "c", "uid": "5", "clientRequest": {}},
        timeout=5,
    ).json()["sid"]
    answer = http.get(
        f"{url}/resourceid/{rid}/sid/{sid}/mode/mix/query", timeout=5, headers={"Content-Type": ""}
    )
    assert answer.status_code == 200
    stopped = http.post(
        f"{url}/resourceid/{rid}/sid/{sid}/mode/mix/stop",
        json={"cname": "c", "uid": "5", "clientRequest": {}},
        timeout=5,
    )
    # nobody joined: Agora answers 206 with code 435, as a JSON object
    assert stopped.status_code == 206 and stopped.json()["code"] == 435
