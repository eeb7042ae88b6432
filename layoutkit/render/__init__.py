"""Pictures of the recorded canvas, drawn from what is sent to Agora (the payload) and
the regions Agora will draw, never from the authoring model; contact sheets, GIFs and PNG
files of them. Only this package imports Pillow."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from layoutkit.errors import RenderError
from layoutkit.geometry import ResolvedRegion
from layoutkit.render import fonts
from layoutkit.render.camera import participant_color
from layoutkit.render.compose import (
    Appearance,
    RenderOptions,
    annotate,
    canvas_size,
    compose,
    hex_rgb,
)
from layoutkit.safefiles import write_atomic
from layoutkit.wire.rules import ToWire, layout_json

COMPRESS_LEVEL = 1  # fast: previews are written often
MAX_FRAMES = 64  # pictures on one sheet
MAX_GIF_FRAMES = 200
CELL_WIDTH = 400
MAX_CELL_HEIGHT = 4 * CELL_WIDTH
CAPTION_SIZE = 16


def render_canvas(
    payload: Mapping[str, Any] | ToWire,
    regions: Sequence[ResolvedRegion],
    width: int,
    height: int,
    participants: Sequence[Appearance],
    options: RenderOptions | None = None,
) -> Image.Image:
    """The canvas of `width`×`height` (times `options.scale`) as Agora composes it from
    `payload` (the layout fields as JSON, or a wire model); unless `options.clean`,
    annotated, with a caption strip below saying what the picture cannot show."""
    opts = options or RenderOptions()
    size = canvas_size(width, height, opts.scale)
    people = {p.uid: p for p in participants}
    canvas, drawn = compose(layout_json(payload), regions, size, people, opts)
    if opts.clean:
        return canvas
    return annotate(canvas, regions, drawn, people, opts.min_text, opts.font)


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=COMPRESS_LEVEL)
    return buffer.getvalue()


def write_png(path: Path, image_or_bytes: Image.Image | bytes) -> None:
    """Write a PNG atomically (`safefiles.write_atomic`): nothing half-written is left."""
    data = image_or_bytes if isinstance(image_or_bytes, bytes) else encode_png(image_or_bytes)
    write_atomic(path, data)


def encode_gif(frames: Sequence[Image.Image], durations_ms: Sequence[int]) -> bytes:
    """A looping GIF showing each frame for its duration."""
    if not frames:
        raise RenderError("an animation needs at least one picture")
    if len(frames) > MAX_GIF_FRAMES:
        raise RenderError(f"{len(frames)} pictures in one animation; at most {MAX_GIF_FRAMES}")
    if len(durations_ms) != len(frames):
        raise RenderError("give one duration per picture")
    palette = [
        frame.convert("RGB").quantize(colors=255, method=Image.Quantize.MEDIANCUT)
        for frame in frames
    ]
    out = io.BytesIO()
    palette[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=palette[1:],
        duration=[max(20, int(d)) for d in durations_ms],
        loop=0,
        optimize=False,
    )
    return out.getvalue()


def render_sheet(
    frames: Sequence[tuple[str, Image.Image]],
    *,
    columns: int | None = None,
    background: str = "#1e1e1e",
    font: fonts.FontChain | None = None,
) -> Image.Image:
    """Frames in a grid, left to right then down, each shrunk into a cell and captioned
    underneath in `font` (None: the chain without a layout font)."""
    chain = font or fonts.font_chain()
    if not frames:
        raise RenderError("a sheet needs at least one picture")
    if len(frames) > MAX_FRAMES:
        raise RenderError(f"{len(frames)} pictures on one sheet; at most {MAX_FRAMES}")
    cols = columns or min(len(frames), max(1, math.ceil(math.sqrt(len(frames) * 1.3))))
    rows = math.ceil(len(frames) / cols)
    cell_h = max(_cell_size(img)[1] for _, img in frames)
    pad, caption_h = 12, CAPTION_SIZE + 10
    sheet = Image.new(
        "RGB",
        (pad + cols * (CELL_WIDTH + pad), pad + rows * (cell_h + caption_h + pad)),
        hex_rgb(background),
    )
    draw = ImageDraw.Draw(sheet)
    for index, (caption, image) in enumerate(frames):
        row, col = divmod(index, cols)
        x = pad + col * (CELL_WIDTH + pad)
        y = pad + row * (cell_h + caption_h + pad)
        sheet.paste(image.resize(_cell_size(image), Image.Resampling.BOX), (x, y))
        chain.line(caption, CAPTION_SIZE).draw(draw, (x, y + cell_h + 4), fill=(230, 230, 230))
    return sheet


def _cell_size(image: Image.Image) -> tuple[int, int]:
    """CELL_WIDTH wide, unless taller than MAX_CELL_HEIGHT (then narrowed)."""
    height = max(1, round(CELL_WIDTH * image.height / image.width))
    if height <= MAX_CELL_HEIGHT:
        return CELL_WIDTH, height
    return max(1, round(MAX_CELL_HEIGHT * image.width / image.height)), MAX_CELL_HEIGHT


def shrink_to_cell(image: Image.Image) -> Image.Image:
    """A picture at the width of a sheet cell (as it is when already that small)."""
    if image.width <= CELL_WIDTH:
        return image
    height = max(1, round(CELL_WIDTH * image.height / image.width))
    return image.resize((CELL_WIDTH, height), Image.Resampling.BOX)


__all__ = [
    "CELL_WIDTH",
    "COMPRESS_LEVEL",
    "MAX_FRAMES",
    "Appearance",
    "RenderOptions",
    "encode_gif",
    "encode_png",
    "participant_color",
    "render_canvas",
    "render_sheet",
    "shrink_to_cell",
    "write_png",
]
# the style images (`render.style`) are imported from their module, so drawing a plain
# layout never loads it
