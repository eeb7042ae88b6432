"""A contact sheet: several pictures, each shrunk into a cell with its caption."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from layoutkit.errors import RenderError
from layoutkit.render.camera import font
from layoutkit.render.compose import hex_rgb

MAX_FRAMES = 64
CELL_WIDTH = 400
CAPTION_SIZE = 16


def render_sheet(
    frames: Sequence[tuple[str, Image.Image]],
    *,
    columns: int | None = None,
    background: str = "#1e1e1e",
) -> Image.Image:
    """Frames in a grid, left to right then down, each captioned underneath."""
    if not frames:
        raise RenderError("a sheet needs at least one picture")
    if len(frames) > MAX_FRAMES:
        raise RenderError(f"{len(frames)} pictures on one sheet; at most {MAX_FRAMES}")
    cols = columns or min(len(frames), max(1, math.ceil(math.sqrt(len(frames) * 1.3))))
    rows = math.ceil(len(frames) / cols)
    cell_h = max(round(CELL_WIDTH * img.height / img.width) for _, img in frames)
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
        h = max(1, round(CELL_WIDTH * image.height / image.width))
        sheet.paste(image.resize((CELL_WIDTH, h), Image.Resampling.BOX), (x, y))
        draw.text((x, y + cell_h + 4), caption, font=font(CAPTION_SIZE), fill=(230, 230, 230))
    return sheet


def shrink_to_cell(image: Image.Image) -> Image.Image:
    """A picture at the width of a sheet cell (as it is when already that small)."""
    if image.width <= CELL_WIDTH:
        return image
    height = max(1, round(CELL_WIDTH * image.height / image.width))
    return image.resize((CELL_WIDTH, height), Image.Resampling.BOX)


__all__ = ["CELL_WIDTH", "MAX_FRAMES", "render_sheet", "shrink_to_cell"]
