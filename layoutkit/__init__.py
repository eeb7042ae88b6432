"""layoutkit: design, preview and push Agora Cloud Recording composite layouts.

`import layoutkit` stays light: the public names load their modules on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "LayoutkitError": "layoutkit.errors",
    "LayoutError": "layoutkit.errors",
    "LayoutSyntaxError": "layoutkit.errors",
    "LayoutValidationError": "layoutkit.errors",
    "PresetNotFoundError": "layoutkit.errors",
    "CompileError": "layoutkit.errors",
    "RenderError": "layoutkit.errors",
    "ApiError": "layoutkit.errors",
    "Issue": "layoutkit.errors",
    "Layout": "layoutkit.loader",
    "load_layout": "layoutkit.loader",
    "parse_layout": "layoutkit.loader",
    "compile_layout": "layoutkit.compiler",
    "compile_start": "layoutkit.compiler",
    "resolve_regions": "layoutkit.compiler",
    "validate_layout": "layoutkit.validation",
    "ResolvedRegion": "layoutkit.geometry",
    "PreviewOptions": "layoutkit.preview",
    "render_preview": "layoutkit.preview",
    "presets": "layoutkit.presets",
}

if TYPE_CHECKING:
    from layoutkit import presets
    from layoutkit.compiler import compile_layout, compile_start, resolve_regions
    from layoutkit.errors import (
        ApiError,
        CompileError,
        Issue,
        LayoutError,
        LayoutkitError,
        LayoutSyntaxError,
        LayoutValidationError,
        PresetNotFoundError,
        RenderError,
    )
    from layoutkit.geometry import ResolvedRegion
    from layoutkit.loader import Layout, load_layout, parse_layout
    from layoutkit.preview import PreviewOptions, render_preview
    from layoutkit.validation import validate_layout

__all__ = [
    "ApiError",
    "CompileError",
    "Issue",
    "Layout",
    "LayoutError",
    "LayoutSyntaxError",
    "LayoutValidationError",
    "LayoutkitError",
    "PresetNotFoundError",
    "PreviewOptions",
    "RenderError",
    "ResolvedRegion",
    "__version__",
    "compile_layout",
    "compile_start",
    "load_layout",
    "parse_layout",
    "presets",
    "render_preview",
    "resolve_regions",
    "validate_layout",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'layoutkit' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    value = loaded if module == f"layoutkit.{name}" else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
