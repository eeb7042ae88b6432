"""Warnings meant for where they apply: a region's `accept: [...]` acknowledges its own
warnings for every command, `-q` silences warnings (never errors) on the commands that
print them, and crop warnings judge by the camera shapes the layout declares."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from layoutkit.cli import cli
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

TALL = "{x: 0, y: 0, width: 360px, height: 640px%s}"  # 9:16 on a 1280x720 canvas
CROPPED = f"canvas: 1280x720\nregions:\n  - {TALL % ''}\n"
ACCEPTED = f"canvas: 1280x720\nregions:\n  - {TALL % ', accept: [crop]'}\n"
DECLARED = f"canvas: 1280x720\npreview: {{camera: '9:16'}}\nregions:\n  - {TALL % ''}\n"
# every command that compiles a layout file and prints its warnings, without a recording
LAYOUT_COMMANDS = {
    "validate": ["validate", "--count", "1"],
    "compile": ["compile", "--count", "1"],
    "regions": ["regions", "--count", "1"],
    "preview": ["preview", "--count", "1", "-o", "-"],
}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def command(name: str, layout: Path, *more: str) -> list[str]:
    head, *rest = LAYOUT_COMMANDS[name]
    return [head, str(layout), *rest, *more]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "show.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", sorted(LAYOUT_COMMANDS))
def test_an_accepted_crop_is_printed_by_no_command(tmp_path: Path, name: str) -> None:
    code, out, err = run(*command(name, write(tmp_path, CROPPED)))
    assert code == 0 and "crops away 68% of a 16:9 camera picture" in out + err
    code, out, err = run(*command(name, write(tmp_path, ACCEPTED)))
    assert code == 0 and "crops away" not in out + err and "warning" not in out + err


@pytest.mark.parametrize("name", sorted(LAYOUT_COMMANDS))
def test_a_declared_camera_shape_is_what_crop_judges_by(tmp_path: Path, name: str) -> None:
    code, out, err = run(*command(name, write(tmp_path, DECLARED)))
    assert code == 0 and "crops away" not in out + err


@pytest.mark.parametrize("name", sorted(LAYOUT_COMMANDS))
def test_quiet_silences_the_warnings_of_a_layout_command(tmp_path: Path, name: str) -> None:
    layout = write(tmp_path, CROPPED)
    for flag in ("-q", "--quiet"):
        code, out, err = run(*command(name, layout, flag))
        assert code == 0, err
        assert "warning" not in out + err and "note:" not in err


def test_validate_quiet_still_says_ok_without_counting_warnings(tmp_path: Path) -> None:
    code, out, _ = run("validate", str(write(tmp_path, CROPPED)), "--count", "1", "-q")
    assert code == 0 and out == f"{tmp_path / 'show.yaml'}: ok at count 1\n"


@pytest.mark.parametrize("name", sorted(LAYOUT_COMMANDS))
def test_quiet_still_prints_errors(tmp_path: Path, name: str) -> None:
    broken = CROPPED + "  - {x: 0, y: 0, width: 1, height: 1, alpha: 2}\n"
    code, out, err = run(*command(name, write(tmp_path, broken), "-q"))
    assert code == 1
    assert "error: regions[1].alpha: 2 is out of range" in out + err
    assert "Traceback" not in out + err


def test_strict_with_quiet_prints_the_warning_made_an_error(tmp_path: Path) -> None:
    code, _, err = run("compile", str(write(tmp_path, CROPPED)), "--count", "1", "-q", "--strict")
    assert code == 1 and "error: regions[0]: region 1 (360×640 px) crops away" in err


def test_an_unknown_accept_is_a_located_error_with_did_you_mean(tmp_path: Path) -> None:
    layout = write(tmp_path, f"canvas: 1280x720\nregions:\n  - {TALL % ', accept: [corp]'}\n")
    code, out, err = run("compile", str(layout), "--count", "1")
    assert code == 1 and out == ""
    assert err.startswith(f"{layout}:3:") and "Traceback" not in err
    assert "regions[0].accept[0]: 'corp' is not allowed; expected 'crop', 'hidden' or " in err
    assert "did you mean 'crop'?" in err


# --- the commands that push a compiled layout ---------------------------------------------


@pytest.fixture
def target(agora_emulator: EmulatorServer, agora_client: CloudRecordingClient) -> list[str]:
    """A running recording's coordinates, as options."""
    agora_emulator.join("room", 1)
    recording = agora_client.record("room", 99)
    return [
        *("--resource-id", recording.resource_id, "--sid", recording.sid),
        *("--cname", "room", "--uid", "99"),
    ]


@pytest.mark.parametrize("name", ["apply", "record update-layout"])
def test_quiet_silences_the_warnings_of_a_push(
    agora_emulator: EmulatorServer, target: list[str], tmp_path: Path, name: str
) -> None:
    env = {
        "AGORA_APP_ID": APP_ID,
        "AGORA_CUSTOMER_ID": CUSTOMER_ID,
        "AGORA_CUSTOMER_SECRET": CUSTOMER_SECRET,
        "AGORA_BASE_URL": agora_emulator.url,
    }
    layout = str(write(tmp_path, CROPPED))
    args = [*name.split(), layout, "--participants", "1", *target]
    code, _, err = run(*args, env=env)
    assert code == 0 and "crops away" in err
    code, out, err = run(*args, "-q", env=env)
    assert code == 0 and "warning" not in err and out.startswith("{")
