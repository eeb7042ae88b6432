"""Kept for the documented import path `layoutkit.schema`:
the module is now `layoutkit.layout.schema`."""

from __future__ import annotations

from layoutkit.layout.schema import (
    EXTENDS_PATTERN,
    layout_json_schema,
)

__all__ = [
    "EXTENDS_PATTERN",
    "layout_json_schema",
]
