"""The style options on the command line: `--name`, `--assets-dir`/`--assets-url`,
`--assets-command`; their mistakes as usage errors without a traceback; live commands
refusing to push a styled layout whose images nobody publishes; `new` copying a preset's
logo beside the new file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from layoutkit.cli import cli

STYLED = """canvas: 640x360
decor:
  - {text: "The Show", x: 0, y: 0, width: 100%, height: 40px}
regions:
  - {uid: 7, x: 0, y: 40px, width: 50%, height: 320px, label: {height: 30px}}
  - {uid: 8, x: 50%, y: 40px, width: 50%, height: 320px, card: {color: "#334455"}}
"""
URL = "https://cdn.example.com/show"


def run(tmp_path: Path, *args: str) -> Result:
    layout = tmp_path / "show.yaml"
    if not layout.exists():
        layout.write_text(STYLED)
    return CliRunner().invoke(cli, [a.replace("LAYOUT", str(layout)) for a in args])


def test_compile_publishes_into_the_folder_and_names_the_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    args = ["compile", "LAYOUT", "--participants", "7,8", "--name", "7=Ada Lovelace"]
    result = run(tmp_path, *args, "--assets-dir", str(site), "--assets-url", URL)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    files = sorted(p.name for p in site.iterdir())
    named = [payload["backgroundImage"], payload["backgroundConfig"][0]["image_url"]]
    assert sorted(url.rsplit("/", 1)[1] for url in named) == files
    assert all(url.startswith(URL + "/") for url in named)
    assert "nothing publishes them" not in result.stderr
    again = run(tmp_path, *args, "--assets-dir", str(site), "--assets-url", URL)
    assert json.loads(again.stdout) == payload  # the same names: nothing new


def test_compile_without_a_publisher_warns_and_leaves_the_images_out(tmp_path: Path) -> None:
    result = run(tmp_path, "compile", "LAYOUT", "--participants", "7,8")
    assert result.exit_code == 0
    assert "backgroundImage" not in json.loads(result.stdout)
    assert "show.yaml:3:3: warning: decor:" in result.stderr
    assert "--assets-dir DIR --assets-url" in result.stderr
    strict = run(tmp_path, "compile", "LAYOUT", "--participants", "7,8", "--strict")
    assert strict.exit_code == 1 and "(--strict)" in strict.stderr


def test_a_command_publishes_each_new_file(tmp_path: Path) -> None:
    copies = tmp_path / "copies"
    copies.mkdir()
    script = tmp_path / "publish.py"
    script.write_text(
        "import shutil, sys\nshutil.copy(sys.argv[1], sys.argv[2])\n", encoding="utf-8"
    )
    command = f"{sys.executable} {script} {{path}} {copies}/{{name}}"
    result = run(
        tmp_path,
        "compile",
        "LAYOUT",
        "--participants",
        "7,8",
        "--assets-command",
        command,
        "--assets-url",
        URL,
    )
    assert result.exit_code == 0, result.output
    assert len(list(copies.iterdir())) == 2  # the background and 8's card


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Ada"], "write UID=NAME"),
        (["--name", "seven=Ada"], "--name"),
        (["--name", "7="], "is empty"),
        (["--assets-dir", "site"], "need --assets-url"),
        (["--assets-url", URL], "needs --assets-dir"),
        (
            ["--assets-dir", "site", "--assets-command", "cp {path} x", "--assets-url", URL],
            "not both",
        ),
        (["--assets-command", "'unclosed", "--assets-url", URL], "cannot split it"),
    ],
)
def test_style_option_mistakes_are_usage_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(tmp_path, "compile", "LAYOUT", "--participants", "7,8", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://cdn.example.com/show", "https"),
        ("ftp://cdn.example.com/show", "https"),
    ],
)
def test_an_assets_url_agora_cannot_download_is_an_error(
    tmp_path: Path, url: str, message: str
) -> None:
    site = tmp_path / "site"
    result = run(
        tmp_path, "compile", "LAYOUT", "--participants", "7,8", "--assets-dir", str(site),
        "--assets-url", url,
    )  # fmt: skip
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.output and not site.exists()


def test_live_commands_refuse_a_styled_layout_nobody_publishes(tmp_path: Path) -> None:
    target = ["--resource-id", "r", "--sid", "s", "--cname", "c", "--uid", "1"]
    account = ["--app-id", "a", "--customer-id", "x", "--customer-secret", "y"]
    offline = ["--base-url", "http://127.0.0.1:9"]  # never reached: refused before
    applied = run(tmp_path, "apply", "LAYOUT", "--participants", "7,8", *target, *account, *offline)
    assert applied.exit_code == 2 and "--assets-dir DIR --assets-url" in applied.stderr
    updated = run(
        tmp_path, "record", "update-layout", "LAYOUT", "--participants", "7,8", *target,
        *account, *offline,
    )  # fmt: skip
    assert updated.exit_code == 2 and "only once they are published" in updated.stderr
    scenario = tmp_path / "show-scenario.yaml"
    scenario.write_text('layout: show.yaml\nevents:\n  - {at: 0s, join: "7"}\n')
    played = run(
        tmp_path, "play", str(scenario), "--push", "--no-pictures", *target, *account, *offline
    )
    assert played.exit_code == 2 and "to play it live" in played.stderr


def test_preview_draws_names_without_publishing(tmp_path: Path) -> None:
    out = tmp_path / "show.png"
    result = run(
        tmp_path, "preview", "LAYOUT", "--participants", "7,8", "--name", "7=Ada",
        "--video-off", "8", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    assert "nothing publishes them" not in result.stderr


def test_new_copies_the_logo_a_preset_draws(tmp_path: Path) -> None:
    target = tmp_path / "shows" / "late.yaml"
    target.parent.mkdir()
    result = CliRunner().invoke(cli, ["new", str(target), "--from", "talk-show"])
    assert result.exit_code == 0, result.output
    logo = target.parent / "images" / "on-air.png"
    assert logo.read_bytes().startswith(b"\x89PNG")
    assert f"wrote {logo}" in result.stderr
    checked = CliRunner().invoke(cli, ["validate", str(target)])
    assert checked.exit_code == 0, checked.output
