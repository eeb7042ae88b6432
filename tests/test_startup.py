"""`layoutkit compile` and `layoutkit preview` load neither the REST client nor the modules
of other commands. Each check runs the command line in a fresh interpreter, as a user's
shell does (benchmarks/startup.py times it against the libraries layoutkit is made of)."""

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
WATCHED = ("layoutkit.client",)
OTHER_COMMANDS = ("layoutkit.cli.api", "layoutkit.cli.live")

RUN = """\
import json, sys
from layoutkit.cli import cli
cli.main(args=sys.argv[1:], prog_name="layoutkit", standalone_mode=False)
print(json.dumps(sorted(m for m in sys.modules if m.startswith(tuple(sys.argv[0].split(","))))))
"""


def loaded(args: list[str]) -> set[str]:
    """The modules among WATCHED and OTHER_COMMANDS a fresh `layoutkit ARGS` loaded."""
    prefixes = ",".join((*WATCHED, *OTHER_COMMANDS))
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
def test_compile_and_preview_load_no_client_and_no_other_command(
    layout_file: Path, tmp_path: Path, command: list[str]
) -> None:
    png = tmp_path / "out.png"
    args = [command[0], str(layout_file), *(a.format(png=png) for a in command[1:])]
    assert loaded(args) == set()
    if "preview" in command:
        assert png.read_bytes().startswith(b"\x89PNG")


def test_a_command_of_another_group_loads_its_module() -> None:
    """The check is not blind: `layoutkit record --help` loads the api commands."""
    assert loaded(["record", "--help"]) == {"layoutkit.cli.api"}


def test_every_command_loads_from_its_module_under_its_name() -> None:
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name, name
