"""Kept for the documented import path `layoutkit.compiler`:
the module is now `layoutkit.compile.compiler`."""

from __future__ import annotations

from layoutkit.compile.compiler import (
    ALL_COUNTS,
    Compilation,
    choose_participants,
    compile_full,
    compile_layout,
    compile_start,
    declared_counts,
    default_count,
    resolve_regions,
)

__all__ = [
    "ALL_COUNTS",
    "Compilation",
    "choose_participants",
    "compile_full",
    "compile_layout",
    "compile_start",
    "declared_counts",
    "default_count",
    "resolve_regions",
]
