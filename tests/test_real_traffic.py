"""Bodies shaped like those real clients send are accepted by the emulator, and its
answers have the shapes those clients parse (docs/agora.md#requests-as-other-clients-send-them)."""

from __future__ import annotations

import copy

import pytest
import requests
from agora_rules import ELIDED_STORAGE, REAL_CLIENTS

from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

BASE = f"/v1/apps/{APP_ID}/cloud_recording"


@pytest.mark.parametrize("name", sorted(REAL_CLIENTS))
def test_real_client_bodies_and_answer_shapes(agora_emulator: EmulatorServer, name: str) -> None:
    shapes = copy.deepcopy(REAL_CLIENTS[name])
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
        json={"cname": "c", "uid": "5", "clientRequest": {"storageConfig": ELIDED_STORAGE}},
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
