"""The Director's audit log: one JSON line per step (time, the event that made the state,
the step, the payload, what happened), appended to a file it opens or to a stream it is
given. Thread-safe; after `close()` lines are dropped, so a worker still in a request
finds nothing to write to."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from layoutkit.safefiles import check_output

# the audit log's `step`: one line per attempt (sent, retry, refused, error, grace-retry)
# and per turn of a 404 grace period (grace-start, grace-end, stopped)
AUDIT_STEPS = (
    "sent",
    "retry",
    "refused",
    "error",
    "grace-start",
    "grace-retry",
    "grace-end",
    "stopped",
    "left-out",  # who the new state does not show: hidden on purpose, or without a region
    "publish-failed",  # the new state's images could not be published: nothing pushed
    "no-publisher",  # once: a styled layout's images are left out, nothing publishes them
)


class AuditLog:
    """JSON lines to `target`: a path (appended to, never a FIFO or device; closed by
    `close`), an open text stream (left open), or None (nothing is written)."""

    def __init__(self, target: Path | IO[str] | None) -> None:
        self._lock = threading.Lock()
        self._owned = isinstance(target, Path)
        self._file: IO[str] | None = None
        if isinstance(target, Path):
            self._file = check_output(target).open("a", encoding="utf-8")
        elif target is not None:
            self._file = target

    def write(self, cause: str, payload: dict[str, Any], step: str, result: str) -> None:
        if self._file is None:
            return
        line = json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "event": cause,
                "step": step,
                "payload": payload,
                "result": result,
            }
        )
        with self._lock:
            if self._file is not None:
                self._file.write(line + "\n")
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._owned and self._file is not None:
                self._file.close()
            self._file = None if self._owned else self._file


__all__ = ["AUDIT_STEPS", "AuditLog"]
