"""`layoutkit apply`, `play` and `watch`, against the emulator where they push."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from service_helpers import wait_until

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

    history = agora_emulator.state.recordings[target[3]].history

    def save(text: str) -> None:  # as an editor saves: the new file replaces the old whole
        (tmp_path / "saving.yaml").write_text(text)
        (tmp_path / "saving.yaml").replace(layout)

    def edit() -> None:  # each save once the watcher has acted on the one before
        wait_until(picture.exists, 30, "the first picture")
        save("canvas: 640x360\nmode: floating\n")
        wait_until(lambda: len(history) == 2, 30, "the second push")
        save("canvas: 640x360\nmode: nonsense\n")

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
        "60",
        *target,
        emulator=agora_emulator,
    )
    editor.join()
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert len(lines) == 3, out
    assert lines[0].endswith(f"ok: wrote {picture}; pushed to sid {target[3]}")
    assert lines[1].endswith(f"ok: wrote {picture}; pushed to sid {target[3]}")
    assert "error: mode: 'nonsense' is not a mode" in lines[2]
    assert " 2 | mode: nonsense" in out
    assert picture.exists()
    assert [change.layout["mixedVideoLayout"] for change in history] == [1, 0]


STYLED = """canvas: 640x360
decor:
  - {text: "The Show", x: 0, y: 0, width: 100%, height: 40px}
regions:
  - grid: {y: 40px, columns: 2, gap: 8px, roles: [host, guest], label: {height: 32px}}
"""
SHOW = """layout: show.yaml
names: {"1001": Ada Lovelace}
events:
  - {at: 0s, join: "1001", role: host}
  - {at: 5s, join: "1002", role: guest, name: Grace Hopper}
  - {at: 10s, leave: "1002"}
"""
ASSETS_URL = "https://cdn.example.com/show"


def play_styled_live(
    tmp_path: Path, emulator: EmulatorServer, client: CloudRecordingClient, *more: str
) -> tuple[int, str, str, list[dict[str, object]]]:
    """`play --push` of a styled scenario: exit code, stdout, stderr and the bodies the
    emulator took, in order (its events 0.5 s apart: each pushed on its own, however busy
    the machine)."""
    (tmp_path / "show.yaml").write_text(STYLED)
    scenario = tmp_path / "show-scenario.yaml"
    scenario.write_text(SHOW)
    target = coordinates(emulator, client)
    code, out, err = invoke(
        "play", str(scenario), "--no-pictures", "--push", "--speed", "10",
        "--assets-dir", str(tmp_path / "site"), "--assets-url", ASSETS_URL,
        *more, *target, emulator=emulator,
    )  # fmt: skip
    took = [change.layout for change in emulator.state.recordings[target[3]].history]
    return code, out, err, took


def test_play_push_prints_each_body_the_recording_took(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, tmp_path: Path
) -> None:
    code, out, err, took = play_styled_live(tmp_path, agora_emulator, agora_client)
    assert code == 0, err
    lines = out.splitlines()
    printed = [json.loads(line) for line in lines if line.startswith("          {")]
    assert printed == took and len(took) >= 2
    assert all(body["backgroundImage"].startswith(ASSETS_URL + "/") for body in printed)
    assert re.fullmatch(r"\d\d:\d\d\.\d  join 1001 as host", lines[0])  # when it was pushed
    assert f"pushed {len(took)} layouts live" in err


def test_play_push_json_lists_the_bodies_pushed_and_the_audit_has_them(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    code, out, err, took = play_styled_live(
        tmp_path, agora_emulator, agora_client, "--json", "--audit", str(audit)
    )
    assert code == 0, err
    pushes = json.loads(out)
    assert [push["payload"] for push in pushes] == took
    assert pushes[-1]["events"] == ["leave 1002"]
    assert all("backgroundImage" in push["payload"] for push in pushes)
    entries = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [e["payload"] for e in entries if e["step"] == "sent"] == took


def test_play_quiet_prints_no_warnings(tmp_path: Path) -> None:
    scenario = tmp_path / "odd.yaml"
    scenario.write_text(
        f"layout: {ROOT / 'examples' / 'speaker-pip.yaml'}\n"
        'events:\n  - {at: 0s, join: "1001"}\n  - {at: 1s, leave: "1009"}\n'
    )
    code, _, err = invoke("play", str(scenario), "--no-pictures")
    assert code == 0 and "warning: " in err
    code, out, err = invoke("play", str(scenario), "--no-pictures", "-q")
    assert code == 0 and err == "" and out.startswith("00:00.0  join 1001")


def test_watch_quiet_prints_no_warnings(tmp_path: Path) -> None:
    layout = tmp_path / "live.yaml"
    layout.write_text("canvas: 1280x720\nregions:\n  - {x: 0, y: 0, width: 360px, height: 640px}\n")
    args = ["watch", str(layout), "-o", str(tmp_path / "live.png"), "--count", "1", "--polls", "1"]
    code, out, err = invoke(*args)
    assert code == 0 and "crops away" in err and "ok: wrote" in out
    code, out, err = invoke(*args, "-q")
    assert code == 0 and "warning" not in err and "ok: wrote" in out
