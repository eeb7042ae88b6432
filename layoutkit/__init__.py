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
    "Layout": "layoutkit.layout.loader",
    "load_layout": "layoutkit.layout.loader",
    "parse_layout": "layoutkit.layout.loader",
    "compile_layout": "layoutkit.compile.compiler",
    "compile_start": "layoutkit.compile.compiler",
    "resolve_regions": "layoutkit.compile.compiler",
    "validate_layout": "layoutkit.compile.report",
    "ResolvedRegion": "layoutkit.geometry",
    "PreviewOptions": "layoutkit.preview",
    "render_preview": "layoutkit.preview",
    "presets": "layoutkit.library.presets",
}

if TYPE_CHECKING:
    from layoutkit.compile.compiler import compile_layout, compile_start, resolve_regions
    from layoutkit.compile.report import validate_layout
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
    from layoutkit.layout.loader import Layout, load_layout, parse_layout
    from layoutkit.library import presets
    from layoutkit.preview import PreviewOptions, render_preview

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
    value = loaded if module.endswith(f".{name}") else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
