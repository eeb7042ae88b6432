"""Commands at their boundaries, as a user runs them: each input a red team tried on the
images, fonts, publishing, importers and templates (issue 21) runs as a whole
`layoutkit` process and ends in a result or a clear error: exit 0, 1 or 2, no traceback,
under 5 s of the process's own CPU time and 300 MB at its peak, nothing written but what
the user named (the working folder is compared before and after, and TMPDIR is left
empty).

What each case must say is asserted by the tests of its feature; here every case meets
the same bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from style_helpers import damaged_font, write_png

PRESETS = Path(__file__).resolve().parent.parent / "presets"
CPU_SECONDS = 5.0
PEAK_MIB = 300
WALL_SECONDS = 120  # a hang is caught far above what any case takes (CPU is what counts)

_RUN = """
import os, re, sys, time
from layoutkit.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="layoutkit")
finally:
    with open("/proc/self/status") as status:
        peak = re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)
    with open(os.environ["BOUNDARY_USAGE"], "w") as usage:
        usage.write(f"{peak} {time.process_time()}")
"""

REGION = "regions:\n  - {{uid: 1, x: 0, y: 0, width: {width}, height: 100%{more}}}\n"


@dataclass
class Case:
    """A command and the files it starts from; `made` are the paths it may create."""

    args: list[str]
    files: dict[str, bytes | str] = field(default_factory=dict)
    made: tuple[str, ...] = ()
    exits: tuple[int, ...] = (1, 2)
    prepare: Callable[[Path], None] | None = None
    says: str = ""  # a phrase of its message that shows the case was met for its reason


def _layout(width: str = "50%", more: str = "", head: str = "") -> str:
    return "canvas: 1280x720\n" + head + REGION.format(width=width, more=more)


def _font_layout(font: str) -> str:
    return _layout(more=", label: {height: 30px}", head=f"font: {font}\n")


def _huge_logo(work: Path) -> None:
    write_png(work / "logo.png", 7000, 7000, bytes((200, 30, 30, 160)) * 7000)


def _sparse_font(work: Path) -> None:
    with (work / "big.ttf").open("wb") as file:
        file.truncate(3 << 30)


def _damaged_font(work: Path) -> None:
    damaged_font(work / "broken.ttf")


def _fifo(work: Path) -> None:
    os.mkfifo(work / "pipe")


LOGO = "decor:\n  - {image: logo.png, x: 0, y: 0, width: 300px, height: 100px}\n"
TEMPLATE = (
    "canvas: 1280x720\nregions:\n{% set a = EXPR %}"
    "  - {uid: 1, x: 0, y: 0, width: 50%, height: 100%, name: '{{ a | length }}'}\n"
)
TWILIO = {
    "video_layout": {
        "main\n! forged line \x1b[31m": {
            "video_sources": ["*"],
            "x_pos": 0,
            "y_pos": 0,
            "width": 1280,
            "height": 720,
        }
    },
    "resolution": "1280x720",
}
AGORA = {"layoutConfig": [{"uid": "1", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1}]}
TALK_SHOW = (PRESETS / "talk-show.yaml").read_text(encoding="utf-8")


def _publish(command: str, *more: str, exits: tuple[int, ...] = (1,), says: str = "") -> Case:
    """`compile` of the talk show publishing with `command` (Python as the program)."""
    program = f"{sys.executable} -c"
    return Case(
        [
            "compile",
            str(PRESETS / "talk-show.yaml"),
            "--assets-command",
            f"{program} {command} {{path}}",
            "--assets-url",
            "https://cdn.example.com/show",
            *more,
        ],
        exits=exits,
        says=says,
    )


STDERR_300_MB = "'import os\nfor _ in range(300): os.write(2, bytes(1 << 20))\nraise SystemExit(1)'"
LEAVES_A_HELPER = (
    '\'import subprocess, sys; subprocess.Popen([sys.executable, "-c", '
    '"import time; time.sleep(60)"])\''
)


def _assets(url: str, says: str) -> Case:
    return Case(
        ["compile", "show.yaml", "--assets-dir", "out", "--assets-url", url],
        {"show.yaml": TALK_SHOW},
        says=f"--assets-url '{url}': {says}",
    )


CASES: dict[str, Case] = {
    "a-400-digit-pixel-length": Case(
        ["compile", "l.yaml"],
        {"l.yaml": _layout("9" * 400 + "px")},
        says="l.yaml:3:33: error: regions[0].width: a number of over 300 digits is too large",
    ),
    "a-raw-u+fffe": Case(
        ["compile", "l.yaml"],
        {"l.yaml": _layout(more=", name: 'a\ufffeb'")},
        says="l.yaml:3:60: error: the text holds the character U+FFFE",
    ),
    "a-list-repeated-and-nested": Case(
        ["compile", "l.yaml"],
        {"l.yaml": TEMPLATE.replace("EXPR", "[['x'] * 100000] * 100")},
        says="would hold more than 100000 items",
    ),
    "a-sum-of-lists": Case(
        ["compile", "l.yaml"],
        {"l.yaml": TEMPLATE.replace("EXPR", "[['x'] * 100000] * 100 | sum(start=[])")},
        says="would hold more than 100000 items",
    ),
    "a-7000-px-png-logo": Case(
        ["preview", "l.yaml", "-o", "l.png"],
        {"l.yaml": _layout(head=LOGO)},
        made=("l.png",),
        exits=(0,),
        prepare=_huge_logo,
    ),
    "a-3-gb-sparse-font": Case(
        ["preview", "l.yaml", "-o", "l.png"],
        {"l.yaml": _font_layout("big.ttf")},
        prepare=_sparse_font,
        says="over the limit of 50 MB",
    ),
    "a-font-with-damaged-glyphs": Case(
        ["compile", "l.yaml"],
        {"l.yaml": _font_layout("broken.ttf")},
        prepare=_damaged_font,
        says="l.yaml:2:7: error: font: broken.ttf: the font is damaged",
    ),
    "new-when-images-is-a-file": Case(
        ["new", "show.yaml", "--from", "talk-show"],
        {"images": "not a folder"},
        says="images: is a regular file, where a folder",
    ),
    "demo-service-output-is-a-file": Case(
        ["demo", "--service", "-o", "taken"],
        {"taken": "mine"},
        says="taken: is a regular file, not a folder",
    ),
    "demo-service-output-is-a-fifo": Case(
        ["demo", "--service", "-o", "pipe"],
        prepare=_fifo,
        says="pipe: is a FIFO (named pipe), not a folder",
    ),
    "demo-service-output-is-dev-null": Case(
        ["demo", "--service", "-o", "/dev/null"], says="/dev/null: is a device, not a folder"
    ),
    "assets-url-with-an-open-bracket": _assets("https://[::1", "its host cannot be read"),
    "assets-url-with-an-empty-query": _assets(
        "https://cdn.example.com/a?", "a base URL has no query"
    ),
    "assets-url-with-a-fragment": _assets("https://cdn.example.com/a#", "a base URL has no query"),
    "assets-url-with-port-99999": _assets(
        "https://cdn.example.com:99999/a", "the port '99999' is not"
    ),
    "a-publish-command-writing-300-mb-to-stderr": _publish(
        STDERR_300_MB, says="'python' exited with 1 publishing"
    ),
    "a-publish-command-that-leaves-a-helper-on-its-output": _publish(LEAVES_A_HELPER, exits=(0,)),
    "a-publish-command-past-its-timeout": _publish(
        "'import time; time.sleep(60)'", "--assets-timeout", "1", says="did not finish within 1 s"
    ),
    "a-chinese-name-in-a-preview": Case(
        [
            "preview",
            str(PRESETS / "talk-show.yaml"),
            "--participants",
            "9,10",
            "--name",
            "9=李雷",
            "-o",
            "show.png",
        ],
        made=("show.png",),
        exits=(0,),
        says="",
    ),
    "import-agora-canvas-0x0": Case(
        ["import", "agora", "p.json", "--canvas", "0x0"],
        {"p.json": json.dumps(AGORA)},
        says="0x0 is below the smallest canvas Agora records",
    ),
    "import-twilio-names-with-control-characters": Case(
        ["import", "twilio", "t.json", "-o", "t.yaml"],
        {"t.json": json.dumps(TWILIO)},
        made=("t.yaml",),
        exits=(0,),
        says="  - main\\n! forged line \\x1b[31m: Twilio",
    ),
}


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b""
        for p in sorted(folder.rglob("*"))
        if not p.is_fifo()
    }


@pytest.mark.parametrize("name", list(CASES))
def test_a_command_at_its_boundary_ends_cleanly_in_bounded_time_and_memory(
    tmp_path: Path, name: str
) -> None:
    case = CASES[name]
    work, scratch = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    scratch.mkdir()
    for relative, content in case.files.items():
        target = work / relative
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)
    if case.prepare is not None:
        case.prepare(work)
    before = _tree(work)
    usage = tmp_path / "usage"
    env = {**os.environ, "BOUNDARY_USAGE": str(usage), "TMPDIR": str(scratch)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *case.args],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=WALL_SECONDS,
        check=False,
    )
    shown = f"layoutkit {' '.join(case.args)}\nexit {done.returncode}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr + done.stdout, shown
    assert case.says in done.stderr, shown
    assert done.returncode in case.exits, shown
    peak_kib, cpu = usage.read_text(encoding="ascii").split()
    assert int(peak_kib) < PEAK_MIB * 1024, f"peak {int(peak_kib) // 1024} MiB: {shown}"
    assert float(cpu) < CPU_SECONDS, f"{float(cpu):.1f} s of CPU: {shown}"
    after = _tree(work)
    changed = {p for p in after.keys() | before.keys() if after.get(p) != before.get(p)}
    assert changed <= set(case.made), f"wrote {sorted(changed - set(case.made))}: {shown}"
    assert not any(scratch.iterdir()), f"left {sorted(scratch.iterdir())} in TMPDIR: {shown}"
