"""Pictures of the recorded canvas, drawn from what is sent to Agora (the payload) and
the regions Agora will draw: never from the authoring model. Only this package imports
Pillow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PIL import Image

from layoutkit.geometry import ResolvedRegion
from layoutkit.render.annotate import annotate
from layoutkit.render.camera import participant_color
from layoutkit.render.compose import Appearance, RenderOptions, canvas_size, compose
from layoutkit.render.gif import encode_gif
from layoutkit.render.png import encode_png, write_png
from layoutkit.render.sheet import render_sheet
from layoutkit.wire.rules import ToWire, layout_json


def render_canvas(
    payload: Mapping[str, Any] | ToWire,
    regions: Sequence[ResolvedRegion],
    width: int,
    height: int,
    participants: Sequence[Appearance],
    options: RenderOptions | None = None,
) -> Image.Image:
    """The canvas of `width`×`height` (times `options.scale`) as Agora composes it.

    Unless `options.clean`, regions are outlined and tagged, and a caption strip below the
    canvas (making the picture taller) lists hidden regions, parts off the canvas, people
    without a region and images that were not loaded, when there are any.

    `payload` is the layout fields as JSON (`Compilation.payload_json`) or a wire model
    (`UpdateLayoutClientRequest`, `TranscodingConfig`)."""
    opts = options or RenderOptions()
    size = canvas_size(width, height, opts.scale)
    people = {p.uid: p for p in participants}
    canvas, drawn = compose(layout_json(payload), regions, size, people, opts)
    if opts.clean:
        return canvas
    return annotate(canvas, regions, drawn, people, opts.min_text, opts.font)


__all__ = [
    "Appearance",
    "RenderOptions",
    "encode_gif",
    "encode_png",
    "participant_color",
    "render_canvas",
    "render_sheet",
    "write_png",
]
# the style images (`render.style`: render_style, StyleImages, clear_style_cache) are
# imported from their module, so drawing a plain layout never loads it
