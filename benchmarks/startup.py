"""Whole-process start-up: `layoutkit preview` and `layoutkit compile` of a 17-region
1920×1080 layout, each next to its floor, a script doing the same work with the library
underneath alone:

- preview: a script that imports Pillow, draws 17 tiles on a 1920×1080 canvas and saves
  the PNG (at layoutkit's compression level);
- compile: a script that reads the YAML with PyYAML and writes JSON.

Every command runs as its own process, with bytecode cached as on a user's machine
(PYTHONDONTWRITEBYTECODE is removed from the environment, and each command runs once
before timing to fill the cache); the figure is the median of N runs. The `deps` column
is a process that only imports the libraries the command stands on (click and PyYAML;
Pillow for preview): the part of the start-up that is theirs. Neither command loads
pydantic (the wire models are built only by the client, the emulator and the tests) nor,
for a file without template syntax, Jinja2 (`tests/test_startup.py` checks both).
Run: python benchmarks/startup.py [N]. Another checkout of layoutkit (e.g. `git archive
HEAD | tar -x -C /tmp/before`) is measured the same way with PYTHONPATH=/tmp/before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_time

LAYOUT = """\
canvas: 1920x1080
background: "#202830"
regions:
  - grid: {rows: 4, columns: 5, cells: 17, gap: 8px, padding: 8px}
"""

PILLOW_FLOOR = """\
import sys
from PIL import Image, ImageDraw
canvas = Image.new("RGB", (1920, 1080), (32, 40, 48))
draw = ImageDraw.Draw(canvas)
w, h = 1920 // 5, 1080 // 4
for i in range(17):
    x, y = (i % 5) * w, (i // 5) * h
    draw.rectangle((x + 8, y + 8, x + w - 8, y + h - 8), fill=(40 + 12 * i, 90, 160))
canvas.save(sys.argv[1], format="PNG", compress_level=1)
"""

YAML_FLOOR = """\
import json, sys
import yaml
with open(sys.argv[1], encoding="utf-8") as f:
    data = yaml.safe_load(f)
sys.stdout.write(json.dumps(data, indent=2) + "\\n")
"""


DEPS = """\
import sys
import click, yaml
if sys.argv[1:] == ["pillow"]:
    from PIL import Image, ImageDraw
import gc
gc.freeze()  # as the command line does at exit
"""


def timed(command: list[str], env: dict[str, str], repeat: int) -> float:
    """The median wall time of `command` as a whole process, after one warm-up run."""

    def run() -> None:
        subprocess.run(command, check=True, capture_output=True, env=env)

    run()  # fill the bytecode cache
    return median_time(repeat, run)


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    exe = str(Path(sys.executable).parent / "layoutkit")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        layout = folder / "tiles17.yaml"
        layout.write_text(LAYOUT, encoding="utf-8")
        (folder / "pillow_floor.py").write_text(PILLOW_FLOOR, encoding="utf-8")
        (folder / "yaml_floor.py").write_text(YAML_FLOOR, encoding="utf-8")
        (folder / "deps.py").write_text(DEPS, encoding="utf-8")
        py = sys.executable
        rows = [
            (
                "preview",
                [exe, "preview", str(layout), "--count", "17", "-o", str(folder / "a.png")],
                [py, str(folder / "pillow_floor.py"), str(folder / "b.png")],
                [py, str(folder / "deps.py"), "pillow"],
                "Pillow: 17 tiles on 1920x1080, save PNG",
            ),
            (
                "compile",
                [exe, "compile", str(layout), "--count", "17"],
                [py, str(folder / "yaml_floor.py"), str(layout)],
                [py, str(folder / "deps.py")],
                "PyYAML: read the YAML, write JSON",
            ),
        ]
        bare = timed([py, "-c", "pass"], env, repeat)
        print(f"whole processes, bytecode cached, median of {repeat} runs")
        print(f"{'command':9}{'ms':>7}{'floor ms':>10}{'ratio':>7}{'deps ms':>9}  floor")
        for name, ours_cmd, floor_cmd, deps_cmd, floor_name in rows:
            ours = timed(ours_cmd, env, repeat)
            floor = timed(floor_cmd, env, repeat)
            deps = timed(deps_cmd, env, repeat)
            ratio = ours / floor
            print(
                f"{name:9}{ours * 1e3:7.1f}{floor * 1e3:10.1f}{ratio:6.2f}x{deps * 1e3:9.1f}"
                f"  {floor_name}"
            )
        print(f"python -c pass: {bare * 1e3:.1f} ms")
        print(
            "deps: a process that only imports click and PyYAML (and Pillow for preview), "
            "the libraries the command cannot do without"
        )


if __name__ == "__main__":
    main()
