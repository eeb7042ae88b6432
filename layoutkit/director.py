"""Kept for the documented import path `layoutkit.director`:
the module is now `layoutkit.live.director`."""

from __future__ import annotations

from layoutkit.live.director import (
    AUDIT_STEPS,
    MAX_WARNINGS,
    TRANSIENT,
    Director,
    DirectorOptions,
    LayoutTarget,
    Payload,
    Status,
)

__all__ = [
    "AUDIT_STEPS",
    "MAX_WARNINGS",
    "TRANSIENT",
    "Director",
    "DirectorOptions",
    "LayoutTarget",
    "Payload",
    "Status",
]
