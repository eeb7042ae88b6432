"""Start from what people already have: layouts made from a Twilio composition's
`video_layout` (`from_twilio`) or an Agora start or updateLayout payload (`from_agora`).

Each gives an `Imported`: the layout as YAML text (`.yaml`, ready for `parse_layout` or a
file), with what was not carried over exactly in `.notes` and as comments at its top.
Bad input raises a `LayoutError` that names the file, line and column. The public names
load their modules on first use, so `import layoutkit.importers` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "Imported": "layoutkit.importers.output",
    "SourceError": "layoutkit.importers.source",
    "from_agora": "layoutkit.importers.agora",
    "from_twilio": "layoutkit.importers.twilio",
}

if TYPE_CHECKING:
    from layoutkit.importers.agora import from_agora
    from layoutkit.importers.output import Imported
    from layoutkit.importers.source import SourceError
    from layoutkit.importers.twilio import from_twilio

__all__ = ["Imported", "SourceError", "from_agora", "from_twilio"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'layoutkit.importers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
