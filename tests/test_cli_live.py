"""`layoutkit apply`, `play` and `watch`, against the emulator where they push."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from layoutkit.cli import cli
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

ROOT = Path(__file__).resolve().parent.parent
INTERVIEW = str(ROOT / "examples" / "scenarios" / "interview.yaml")
GOLDEN = Path(__file__).resolve().parent / "golden" / "interview.json"
EXAMPLE = str(ROOT / "examples" / "speaker-pip.yaml")


def invoke(*args: str, emulator: EmulatorServer | None = None) -> tuple[int, str, str]:
    env = {
        "AGORA_APP_ID": APP_ID,
        "AGORA_CUSTOMER_ID": CUSTOMER_ID,
        "AGORA_CUSTOMER_SECRET": CUSTOMER_SECRET,
    }
    if emulator is not None:
        env["AGORA_BASE_URL"] = emulator.url
    result = CliRunner(env=env).invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def coordinates(emulator: EmulatorServer, client: CloudRecordingClient) -> list[str]:
    emulator.join("room", 1)
    recording = client.record("room", 99)
    return [
        "--resource-id",
        recording.resource_id,
        "--sid",
        recording.sid,
        "--cname",
        "room",
        "--uid",
        "99",
    ]


def test_play_json_is_the_golden_sequence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("play", INTERVIEW, "--json")
    assert code == 0
    assert json.loads(out) == json.loads(GOLDEN.read_text())
    assert "wrote interview-storyboard.png and interview.gif" in err
    with Image.open(tmp_path / "interview.gif") as gif:
        assert getattr(gif, "n_frames", 1) == 6


def test_play_prints_times_events_and_payloads(tmp_path: Path) -> None:
    code, out, _ = invoke("play", INTERVIEW, "--no-pictures")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "00:00.0  join 1001"
    assert lines[4] == "00:20.0  share 1003 as speaker"
    assert json.loads(lines[1])["layoutConfig"][0]["uid"] == "1001"
    assert not list(tmp_path.iterdir())


def test_play_push_drives_the_recording(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, tmp_path: Path
) -> None:
    target = coordinates(agora_emulator, agora_client)
    audit = tmp_path / "audit.jsonl"
    code, _, err = invoke(
        "play",
        INTERVIEW,
        "--no-pictures",
        "--push",
        "--speed",
        "200",
        "--audit",
        str(audit),
        *target,
        emulator=agora_emulator,
    )
    assert code == 0, err
    final = json.loads(GOLDEN.read_text())[-1]["payload"]
    assert agora_emulator.layout_of(target[3]) == final
    results = [json.loads(line)["result"] for line in audit.read_text().splitlines()]
    assert results and all(r == "ok" for r in results)
    assert "pushed" in err


def test_apply_pushes_once(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    target = coordinates(agora_emulator, agora_client)
    code, out, err = invoke(
        "apply",
        EXAMPLE,
        "--participants",
        "1,2",
        "--role",
        "host=1",
        *target,
        emulator=agora_emulator,
    )
    assert code == 0, err
    assert agora_emulator.layout_of(target[3]) == json.loads(out)
    assert "applied: mode 3, 2 regions" in err


def test_apply_to_an_ended_recording_exits_3(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    target = coordinates(agora_emulator, agora_client)
    invoke("record", "stop", *target, emulator=agora_emulator)
    code, _, err = invoke("apply", EXAMPLE, "--participants", "1", *target, emulator=agora_emulator)
    assert code == 3 and "failed to find worker" in err


def test_watch_revalidates_rerenders_and_pushes_on_save(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, tmp_path: Path
) -> None:
    target = coordinates(agora_emulator, agora_client)
    layout = tmp_path / "live.yaml"
    layout.write_text("canvas: 640x360\nmode: adaptive\n")
    picture = tmp_path / "live.png"

    def edit() -> None:
        time.sleep(0.3)
        layout.write_text("canvas: 640x360\nmode: floating\n")
        time.sleep(0.3)
        layout.write_text("canvas: 640x360\nmode: nonsense\n")

    editor = threading.Thread(target=edit)
    editor.start()
    code, out, _ = invoke(
        "watch",
        str(layout),
        "-o",
        str(picture),
        "--push",
        "--participants",
        "1,2",
        "--poll",
        "0.1",
        "--polls",
        "10",
        *target,
        emulator=agora_emulator,
    )
    editor.join()
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert len(lines) == 3
    assert lines[0].endswith(f"ok: wrote {picture}; pushed to sid {target[3]}")
    assert lines[1].endswith(f"ok: wrote {picture}; pushed to sid {target[3]}")
    assert "error: mode: 'nonsense' is not a mode" in lines[2]
    assert " 2 | mode: nonsense" in out
    assert picture.exists()
    history = agora_emulator.state.recordings[target[3]].history
    assert [change.layout["mixedVideoLayout"] for change in history] == [1, 0]
