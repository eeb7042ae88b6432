"""Build the whole preset gallery serially and spread over the cores, and the ratio.
Run: python benchmarks/gallery.py [--short]   (--short: spread over the cores, once)"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from timing import arguments

from layoutkit.library.presets import build_gallery


def timed(workers: int | None, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            build_gallery(Path(folder) / "gallery", workers=workers)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    cores = os.cpu_count() or 1
    if arguments(__doc__).parse_args().short:
        print(f"gallery build over {cores} processes: {timed(None, 1):.2f} s")
        return
    serial = timed(1, 3)
    parallel = timed(None, 3)
    print(f"gallery build, median of 3 ({cores} cores)")
    print(f"{'serial (1 process)':32}{serial:8.2f} s")
    print(f"{f'spread over {cores} processes':32}{parallel:8.2f} s")
    print(f"{'speed-up (serial / parallel)':32}{serial / parallel:8.2f}x")


if __name__ == "__main__":
    main()
