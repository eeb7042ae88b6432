"""What the benchmark scripts share: the median of timings, and the command line."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable


def median_time(repeat: int, work: Callable[[], object]) -> float:
    """The median of `repeat` timings of `work`, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """The command line of a benchmark: `--short` runs it in seconds (CI runs every
    benchmark so, so that none can rot); its figures are then only a smoke test."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a quick run, for CI")
    return parser
