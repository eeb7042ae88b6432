"""`layoutkit compile` and `layoutkit preview` start fast: they load neither pydantic (the
wire models are for the client, the emulator and the tests) nor, for a file without
template syntax, Jinja2, nor the modules of other commands. Each check runs the command
line in a fresh interpreter, as a user's shell does (benchmarks/startup.py times it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from layoutkit.cli import COMMANDS, cli

LAYOUT = """\
canvas: 1280x720
background: "#202830"
regions:
  - {role: host, x: 0, y: 0, width: 1, height: 1}
  - grid: {y: 75%, height: 25%, rows: 1, columns: 4, gap: 8px, padding: 8px}
"""
TEMPLATED = LAYOUT + "{% if count > 3 %}fps: 30{% endif %}\n"
WATCHED = ("pydantic", "pydantic_core", "jinja2", "layoutkit.wire.base", "layoutkit.client")
STYLE = (
    "layoutkit.compile.style",
    "layoutkit.compile.assets",
    "layoutkit.render.style",
    "layoutkit.assets",
)
"""What only a styled layout (frames, labels, cards, decor) needs."""
OTHER_COMMANDS = ("layoutkit.cli.api", "layoutkit.cli.service", "layoutkit.cli.live")

RUN = """\
import json, sys
from layoutkit.cli import cli
cli.main(args=sys.argv[1:], prog_name="layoutkit", standalone_mode=False)
print(json.dumps(sorted(m for m in sys.modules if m.startswith(tuple(sys.argv[0].split(","))))))
"""


def loaded(args: list[str]) -> set[str]:
    """The modules among WATCHED, OTHER_COMMANDS and STYLE a fresh `layoutkit ARGS`
    loaded."""
    prefixes = ",".join((*WATCHED, *OTHER_COMMANDS, *STYLE))
    code = RUN.replace("sys.argv[0]", repr(prefixes))
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
def layout_file(tmp_path: Path) -> Path:
    path = tmp_path / "show.yaml"
    path.write_text(LAYOUT, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["compile", "--count", "5"],
        ["compile", "--count", "5", "--as", "start"],
        ["compile", "--participants", "7,8,9", "--role", "host=8", "--hide", "9"],
        ["preview", "--count", "5", "-o", "{png}"],
        ["preview", "--count", "2", "--sheet", "-o", "{png}"],
        ["regions", "--count", "3"],
    ],
    ids=["compile", "compile-start", "compile-hide", "preview", "preview-sheet", "regions"],
)
def test_compile_and_preview_load_no_pydantic_and_no_jinja2(
    layout_file: Path, tmp_path: Path, command: list[str]
) -> None:
    png = tmp_path / "out.png"
    args = [command[0], str(layout_file), *(a.format(png=png) for a in command[1:])]
    assert loaded(args) == set()
    if "preview" in command:
        assert png.read_bytes().startswith(b"\x89PNG")


def test_a_templated_file_loads_jinja2_and_still_no_pydantic(tmp_path: Path) -> None:
    """The check is not blind: Jinja2 loads when a file is a template."""
    path = tmp_path / "templated.yaml"
    path.write_text(TEMPLATED, encoding="utf-8")
    found = loaded(["compile", str(path), "--count", "5"])
    assert "jinja2" in found
    assert not found & {"pydantic", "pydantic_core", "layoutkit.wire.base"}


def test_a_styled_file_loads_the_style_modules_and_still_no_pydantic(tmp_path: Path) -> None:
    """The style check is not blind either: a label loads what draws it."""
    path = tmp_path / "styled.yaml"
    path.write_text(LAYOUT.replace("height: 1}", "height: 1, label: {}}"), encoding="utf-8")
    found = loaded(["compile", str(path), "--count", "5"])
    assert set(STYLE) <= found
    assert not found & {"pydantic", "pydantic_core", "layoutkit.wire.base", "jinja2"}


def test_every_command_loads_from_its_module_under_its_name() -> None:
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name, name
