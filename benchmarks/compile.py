"""Load and compile the examples at every count 1..17 each covers (a layout whose variants
stop at 6 people is compiled at 1..6), next to the floor of validating the same
output JSON with the wire models alone; and `layoutkit --version` start-up next to
`python -c pass`. Run: python benchmarks/compile.py [--short]"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from timing import arguments, median_time

from layoutkit import load_layout
from layoutkit.compile.compiler import compile_full
from layoutkit.errors import LayoutValidationError
from layoutkit.layout.templating import _compile
from layoutkit.layout.yaml import parse_yaml
from layoutkit.wire import UpdateLayoutClientRequest

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = sorted((ROOT / "examples").glob("*.yaml"))
COUNTS = range(1, 18)


def covered(path: Path) -> list[int]:
    """The counts the layout at `path` compiles at (its variants may cover fewer than 17)."""
    layout = load_layout(path)
    counts = []
    for n in COUNTS:
        try:
            compile_full(layout, count=n)
        except LayoutValidationError:
            continue
        counts.append(n)
    return counts


COVERED = {path: covered(path) for path in LAYOUTS}


def compile_all() -> list[dict[str, Any]]:
    payloads = []
    for path, counts in COVERED.items():
        layout = load_layout(path)
        for n in counts:
            payloads.append(compile_full(layout, count=n).payload_json)
    return payloads


def compile_cold() -> list[dict[str, Any]]:
    """As compile_all, with the template and YAML caches emptied first."""
    _compile.cache_clear()
    parse_yaml.cache_clear()
    return compile_all()


def validate_floor(payloads: list[dict[str, Any]]) -> None:
    for payload in payloads:
        UpdateLayoutClientRequest.model_validate(payload)


def startup(command: list[str], repeat: int) -> float:
    def run() -> None:
        subprocess.run(command, check=True, capture_output=True)

    return median_time(repeat, run)


def main() -> None:
    repeat = 2 if arguments(__doc__).parse_args().short else 15
    payloads = compile_all()
    cold = median_time(repeat, compile_cold)
    full = median_time(repeat, compile_all)
    floor = median_time(repeat, lambda: validate_floor(payloads))
    n = len(payloads)
    print(f"layouts: {len(LAYOUTS)} files at the counts each covers = {n} compilations")
    print(f"{'':34}{'total ms':>10}{'per layout us':>16}")
    print(f"{'load + compile, cold caches':34}{cold * 1e3:10.2f}{cold / n * 1e6:16.1f}")
    print(f"{'load + compile, warm caches':34}{full * 1e3:10.2f}{full / n * 1e6:16.1f}")
    print(f"{'floor: wire-model validation':34}{floor * 1e3:10.2f}{floor / n * 1e6:16.1f}")
    print(f"{'ratio cold / floor':34}{cold / floor:10.1f}x")
    print(f"{'ratio warm / floor':34}{full / floor:10.1f}x")
    exe = Path(sys.executable).parent / "layoutkit"
    cli = startup([str(exe), "--version"], min(repeat, 7))
    bare = startup([sys.executable, "-c", "pass"], min(repeat, 7))
    print(f"{'layoutkit --version (ms)':34}{cli * 1e3:10.1f}")
    print(f"{'python -c pass (ms)':34}{bare * 1e3:10.1f}")
    print(f"{'ratio':34}{cli / bare:10.1f}x")


if __name__ == "__main__":
    main()
