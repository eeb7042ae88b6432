"""Whole-process start-up: `layoutkit compile` of an example next to its floor, a process
that only imports the libraries layoutkit is made of (`import click, pydantic, yaml,
jinja2`), and the ratio of the two. `import pydantic` loads pydantic lazily, so a second
floor also imports the parts compile uses (`BaseModel`, Jinja2's sandbox) and gives the
ratio to it: how much is layoutkit's own, beyond what using its libraries costs.

Every command runs as its own process, with bytecode cached as on a user's machine
(PYTHONDONTWRITEBYTECODE is removed from the environment, and each command runs once
before timing to fill the cache); the figure is the median of N runs.
Run: python benchmarks/startup.py [N] [--short]   (--short: 3 runs). Another checkout of
layoutkit (e.g. `git archive HEAD | tar -x -C /tmp/before`) is measured the same way
with PYTHONPATH=/tmp/before.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from timing import arguments, median_time

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "speaker-pip.yaml"
FLOOR = "import click, pydantic, yaml, jinja2"
USED = "import click, yaml, jinja2.sandbox; from pydantic import BaseModel"


def timed(command: list[str], env: dict[str, str], repeat: int) -> float:
    """The median wall time of `command` as a whole process, after one warm-up run."""

    def run() -> None:
        subprocess.run(command, check=True, capture_output=True, env=env)

    run()  # fill the bytecode cache
    return median_time(repeat, run)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("repeat", nargs="?", type=int, default=15, help="runs of each")
    args = parser.parse_args()
    repeat = 3 if args.short else args.repeat
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    exe = str(Path(sys.executable).parent / "layoutkit")
    ours = timed([exe, "compile", str(EXAMPLE)], env, repeat)
    floor = timed([sys.executable, "-c", FLOOR], env, repeat)
    used = timed([sys.executable, "-c", USED], env, repeat)
    bare = timed([sys.executable, "-c", "pass"], env, repeat)
    print(f"whole processes, bytecode cached, median of {repeat} runs")
    print(f"{f'layoutkit compile {EXAMPLE.name}':56}{ours * 1e3:8.1f} ms")
    print(f"{f'floor: python -c {FLOOR!r}':56}{floor * 1e3:8.1f} ms")
    print(f"{'floor with the parts compile uses':56}{used * 1e3:8.1f} ms")
    print(f"{'python -c pass':56}{bare * 1e3:8.1f} ms")
    print(f"{'start-up ratio (compile / floor)':56}{ours / floor:8.2f}x")
    print(f"{'ratio to the floor with the parts compile uses':56}{ours / used:8.2f}x")


if __name__ == "__main__":
    main()
