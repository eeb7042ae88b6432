"""A contact sheet: several pictures, each shrunk into a cell with its caption (in the
font chain of `render.fonts`, as every text layoutkit draws)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from layoutkit.errors import RenderError
from layoutkit.render import fonts
from layoutkit.render.compose import hex_rgb

MAX_FRAMES = 64
CELL_WIDTH = 400
MAX_CELL_HEIGHT = 4 * CELL_WIDTH
CAPTION_SIZE = 16


def render_sheet(
    frames: Sequence[tuple[str, Image.Image]],
    *,
    columns: int | None = None,
    background: str = "#1e1e1e",
    font: fonts.FontChain | None = None,
) -> Image.Image:
    """Frames in a grid, left to right then down, each captioned underneath (in `font`,
    the chain of the layout's own text; None: the chain without a layout font)."""
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
        caption_line = chain.line(caption, CAPTION_SIZE)
        caption_line.draw(draw, (x, y + cell_h + 4), fill=(230, 230, 230))
    return sheet


def _cell_size(image: Image.Image) -> tuple[int, int]:
    """A frame's size in its cell: CELL_WIDTH wide, unless that would make it taller than
    MAX_CELL_HEIGHT (a very tall frame is narrowed instead)."""
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
