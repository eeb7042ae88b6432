"""Previews: the glue from a layout through compile to render (pictures, sheets across
counts, storyboards and GIFs of scenarios). The drawing itself is `layoutkit.render`,
which never imports layout or compile; only this package joins them."""

from __future__ import annotations

from layoutkit.preview.pictures import (
    PreviewOptions,
    animation_gif,
    caption,
    compile_preview,
    draw_compilation,
    participants_for,
    render_preview,
    render_sheet_png,
    role_uids,
    storyboard_images,
    storyboard_png,
    text_px_for,
)

__all__ = [
    "PreviewOptions",
    "animation_gif",
    "caption",
    "compile_preview",
    "draw_compilation",
    "participants_for",
    "render_preview",
    "render_sheet_png",
    "role_uids",
    "storyboard_images",
    "storyboard_png",
    "text_px_for",
]
