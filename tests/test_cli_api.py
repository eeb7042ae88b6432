"""`layoutkit record ...` against the emulator, `layoutkit demo`, and API exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from client_helpers import STORAGE, STORAGE_SECRETS, record_cli

from layoutkit.cli import cli
from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_SECRET

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "speaker-pip.yaml")


@pytest.fixture
def storage(tmp_path: Path) -> str:
    """A storageConfig file for `record start --storage`."""
    path = tmp_path / "storage.json"
    path.write_text(json.dumps(STORAGE))
    return str(path)


def test_record_commands_drive_a_recording(agora_emulator: EmulatorServer, storage: str) -> None:
    agora_emulator.join("room", 1001)
    code, out, err = record_cli(agora_emulator, "acquire", "--cname", "room", "--uid", "99")
    assert code == 0
    assert f"-> POST {agora_emulator.url}/v1/apps/{APP_ID}/cloud_recording/acquire" in err
    rid = json.loads(out)["resourceId"]
    code, out, err = record_cli(
        agora_emulator,
        "start",
        "--resource-id",
        rid,
        "--cname",
        "room",
        "--uid",
        "99",
        "--storage",
        storage,
        "--layout",
        EXAMPLE,
        "--participants",
        "1001",
    )
    assert code == 0, err
    sid = json.loads(out)["sid"]
    assert agora_emulator.layout_of(sid)["mixedVideoLayout"] == 3
    code, out, err = record_cli(
        agora_emulator,
        "update-layout",
        EXAMPLE,
        "--resource-id",
        rid,
        "--sid",
        sid,
        "--cname",
        "room",
        "--uid",
        "99",
        "--participants",
        "1001,1002",
        "--role",
        "guest=1002",
    )
    assert code == 0, err
    assert agora_emulator.layout_of(sid)["layoutConfig"][1]["uid"] == "1002"
    code, out, _ = record_cli(agora_emulator, "query", "--resource-id", rid, "--sid", sid)
    assert code == 0 and "status" in json.loads(out)["serverResponse"]
    code, out, _ = record_cli(
        agora_emulator, "stop", "--resource-id", rid, "--sid", sid, "--cname", "room", "--uid", "99"
    )
    assert code == 0 and json.loads(out)["serverResponse"]["uploadingStatus"] == "uploaded"
    code, out, err = record_cli(agora_emulator, "query", "--resource-id", rid, "--sid", sid)
    assert code == 3 and out == ""
    assert "query: HTTP 404, code 404: failed to find worker" in err
    assert "Traceback" not in err and CUSTOMER_SECRET not in err


def test_update_layout_with_a_payload_file(
    agora_emulator: EmulatorServer, tmp_path: Path, storage: str
) -> None:
    code, out, _ = record_cli(agora_emulator, "acquire", "--cname", "room", "--uid", "99")
    rid = json.loads(out)["resourceId"]
    start = ("start", "--resource-id", rid, "--cname", "room", "--uid", "99", "--storage", storage)
    sid = json.loads(record_cli(agora_emulator, *start)[1])["sid"]
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps({"mixedVideoLayout": 1, "backgroundColor": "#102030"}))
    code, _, err = record_cli(
        agora_emulator,
        "update-layout",
        "--payload",
        str(payload),
        "--resource-id",
        rid,
        "--sid",
        sid,
        "--cname",
        "room",
        "--uid",
        "99",
    )
    assert code == 0, err
    assert agora_emulator.layout_of(sid) == {"mixedVideoLayout": 1, "backgroundColor": "#102030"}
    code, _, err = record_cli(
        agora_emulator,
        "update-layout",
        "--resource-id",
        rid,
        "--sid",
        sid,
        "--cname",
        "room",
        "--uid",
        "99",
    )
    assert code == 2 and "one of them" in err


def test_bad_requests_are_refused_before_sending(agora_emulator: EmulatorServer) -> None:
    code, _, err = record_cli(agora_emulator, "acquire", "--cname", "bad/name", "--uid", "99")
    assert code == 3 and "acquire: cname" in err and "1013" in err
    assert agora_emulator.state.requests == []


def test_start_says_how_to_give_the_storage(
    agora_emulator: EmulatorServer, tmp_path: Path, storage: str
) -> None:
    ids = ("--resource-id", "rid", "--cname", "room", "--uid", "99")
    code, out, err = record_cli(agora_emulator, "start", *ids)
    assert code == 2 and out == ""
    assert "Agora needs a storageConfig" in err and "--storage" in err and "--request" in err
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"storageConfig": STORAGE}))
    code, _, err = record_cli(agora_emulator, "start", *ids, "--request", str(request), "--storage",
                       storage)  # fmt: skip
    assert code == 2 and "keep one" in err
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**STORAGE, "region": 17}))
    code, _, err = record_cli(agora_emulator, "start", *ids, "--storage", str(broken))
    assert code == 3 and "clientRequest.storageConfig: region 17 is not a region" in err
    assert not any(secret in err for secret in STORAGE_SECRETS)
    assert agora_emulator.state.requests == []  # nothing was sent


def test_start_takes_the_storage_from_the_request_file(
    agora_emulator: EmulatorServer, tmp_path: Path
) -> None:
    code, out, _ = record_cli(agora_emulator, "acquire", "--cname", "room", "--uid", "99")
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"storageConfig": STORAGE}))
    rid = json.loads(out)["resourceId"]
    ids = ("--resource-id", rid, "--cname", "room", "--uid", "99")
    code, out, err = record_cli(agora_emulator, "start", *ids, "--request", str(request))
    assert code == 0, err
    assert json.loads(out)["sid"]


def test_missing_credentials_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AGORA_APP_ID", "AGORA_CUSTOMER_ID", "AGORA_CUSTOMER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["record", "acquire", "--cname", "r", "--uid", "1"])
    assert result.exit_code == 3 and "AGORA_CUSTOMER_SECRET" in result.stderr


def test_demo_runs_the_whole_flow(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    pictures = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert pictures == [
        "01-host-alone.png",
        "02-2-people.png",
        "03-3-people-screen.png",
        "04-2-people-screen.png",
    ]
    assert "query: status 5 (in progress)" in result.stdout
    assert "stopped: uploading uploaded" in result.stdout


def test_emulator_command_serves_on_loopback() -> None:
    import subprocess
    import sys

    import requests

    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from layoutkit.cli import main; main()",
            "emulator",
            "--port",
            "0",
            "--customer-id",
            "me",
            "--app-id",
            "app",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={"EMULATOR_CUSTOMER_SECRET": "pw", "PATH": "/usr/bin:/bin"},
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert first.startswith("Cloud Recording emulator on http://127.0.0.1:")
        url = first.split(" on ", 1)[1].strip()
        answer = requests.post(
            f"{url}/v1/apps/app/cloud_recording/acquire",
            auth=("me", "pw"),
            json={"cname": "c", "uid": "1", "clientRequest": {}},
            timeout=5,
        )
        assert answer.status_code == 200 and answer.json()["resourceId"]
        assert requests.get(f"{url}/_emulator/state", timeout=5).json()["recordings"] == []
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
