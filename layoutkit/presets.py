"""Kept for the documented import path `layoutkit.presets`:
the module is now `layoutkit.library.presets`."""

from __future__ import annotations

from layoutkit.library.presets import (
    PresetInfo,
    find,
    info,
    list_presets,
    load,
    names,
    path_of,
    source,
)

__all__ = [
    "PresetInfo",
    "find",
    "info",
    "list_presets",
    "load",
    "names",
    "path_of",
    "source",
]
