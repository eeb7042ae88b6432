"""The preset library: layouts people start from, shipped in the wheel.

```python
from layoutkit import presets
presets.names()                          # every preset name
presets.find(tag="interview", count=2)   # PresetInfo of the presets that fit
layout = presets.load("speaker-strip", vars={"side": "right"})
```
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layoutkit.compile.compiler import declared_counts
from layoutkit.errors import PresetNotFoundError, did_you_mean
from layoutkit.layout.loader import Layout, find_preset_file, load_layout, preset_names
from layoutkit.layout.model import GridEntry


@dataclass(frozen=True)
class PresetInfo:
    """What a preset is for: its name, title, description, tags, the participant counts it
    supports and the template variables it takes."""

    name: str
    title: str
    description: str
    tags: tuple[str, ...]
    counts: tuple[int, ...]
    variables: tuple[tuple[str, str], ...]
    path: Path

    @property
    def count_range(self) -> str:
        low, high = self.counts[0], self.counts[-1]
        return str(low) if low == high else f"{low}-{high}"


def names() -> list[str]:
    """Every preset name, sorted."""
    return preset_names()


def path_of(name: str) -> Path:
    """The preset's YAML file; PresetNotFoundError (with "did you mean") otherwise."""
    found = find_preset_file(name) if name else None
    if found is None:
        close = did_you_mean(name, preset_names(), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see `layoutkit presets list`"
        raise PresetNotFoundError(f"no preset named {name!r}", hint=hint)
    return found


def load(name: str, vars: Mapping[str, Any] | None = None) -> Layout:
    """The preset as a Layout, with template variables (`vars`) applied."""
    return load_layout(path_of(name), vars=vars)


def source(name: str) -> str:
    """The preset's YAML text."""
    return path_of(name).read_text(encoding="utf-8")


def local_files(name: str) -> list[str]:
    """The files a preset names relative to itself (decor images, card images, its font),
    each once, in the order written: what `layoutkit new` copies beside a new layout."""
    document = load(name).document
    found: list[str | None] = [document.font]
    found += [item.image for item in document.decor or []]
    found.append(document.card.image if document.card else None)
    entries = list(document.regions or [])
    for variant in document.variants or []:
        entries += variant.regions or []
    for entry in entries:
        spec = entry.grid if isinstance(entry, GridEntry) else entry
        found.append(spec.card.image if spec.card else None)
    return [f for f in dict.fromkeys(found) if f is not None and not Path(f).is_absolute()]


@functools.cache
def _info(name: str, path: Path, stamp: float) -> PresetInfo:
    document = load_layout(path).document
    return PresetInfo(
        name=name,
        title=document.title or name,
        description=document.description or "",
        tags=tuple(document.tags),
        counts=declared_counts(document),
        variables=tuple(sorted(document.variables.items())),
        path=path,
    )


def info(name: str) -> PresetInfo:
    """The description of one preset."""
    path = path_of(name)
    return _info(name, path, path.stat().st_mtime)


def list_presets() -> list[PresetInfo]:
    """Every preset, sorted by name."""
    return [info(name) for name in names()]


def find(tag: str | None = None, count: int | None = None) -> list[PresetInfo]:
    """The presets with this tag that support this many participants."""
    return [
        preset
        for preset in list_presets()
        if (tag is None or tag in preset.tags) and (count is None or count in preset.counts)
    ]


__all__ = ["PresetInfo", "find", "info", "list_presets", "load", "names", "path_of", "source"]
