"""Watching a layout file: call back each time it is saved (its contents change)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path


def _fingerprint(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


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
    A missing file is waited for; errors in `on_change` are the caller's to report."""
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


__all__ = ["watch_file"]
