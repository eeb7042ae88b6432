"""Watching a layout file: call back each time it is saved (its contents change)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from layoutkit.errors import LayoutkitError
from layoutkit.safefiles import read_limited

# a little over the loader's 1 MiB, so a file that grows past it is seen to change (and the
# loader then says why it is refused); reading never goes further, whatever the file is
FINGERPRINT_LIMIT = (1 << 20) + 1


def _fingerprint(path: Path) -> str | None:
    """The contents' hash; for a file that cannot be read, the reason (so a file that
    becomes unreadable, a folder or a FIFO counts as a change and gets reported); None
    while the file is missing. Never blocks: FIFOs and devices are not read."""
    if not path.exists():
        return None
    try:
        return hashlib.sha256(read_limited(path, FINGERPRINT_LIMIT)).hexdigest()
    except LayoutkitError as exc:
        return f"unreadable: {exc.message}"
    except OSError as exc:
        return f"unreadable: {exc}"


def watch_file(
    path: Path,
    on_change: Callable[[], None],
    *,
    stop: threading.Event,
    poll: float = 0.5,
    max_polls: int | None = None,
) -> int:
    """Call `on_change` now and after every change of the file's contents, until `stop`
    is set (or `max_polls` polls have passed). Returns how many times it was called.
    A missing file is waited for; a file that becomes unreadable counts as a change;
    errors in `on_change` are the caller's to report."""
    seen = _fingerprint(path)
    on_change()
    calls, polls = 1, 0
    while not stop.wait(poll):
        polls += 1
        current = _fingerprint(path)
        if current != seen and current is not None:
            seen = current
            on_change()
            calls += 1
        if max_polls is not None and polls >= max_polls:
            break
    return calls
