"""Memory as the tests measure it: the resident size of this process and its peak from
a point on (Linux's /proc), and the peak of a command run in a process of its own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def status_kib(field: str) -> int:
    with Path("/proc/self/status").open(encoding="ascii") as status:
        found = re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.MULTILINE)
    assert found is not None, field
    return int(found[1])


def peak_from_now() -> int:
    """The resident size now, in KiB, and the process's peak reset to it (Linux's
    clear_refs 5), so what a command adds is measured whatever tests ran before it in
    this worker."""
    Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    return status_kib("VmRSS")


# VmHWM, the peak of the command's own memory: getrusage's ru_maxrss (SELF or CHILDREN)
# carries the parent's peak over fork and exec, so a big pytest worker would make any
# command look big
_PREVIEW_PEAK = """
import re, sys
from layoutkit.cli import cli
try:
    cli.main(["preview", *sys.argv[1:]], prog_name="layoutkit")
finally:
    with open("/proc/self/status") as status:
        print("peak-kib", re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
"""


def preview_peak_kib(*args: str) -> int:
    """`layoutkit preview ARGS` in a process of its own: the peak of its resident memory,
    in KiB (AssertionError with its standard error if it fails)."""
    done = subprocess.run(
        [sys.executable, "-c", _PREVIEW_PEAK, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split("peak-kib")[-1])
