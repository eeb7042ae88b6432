"""A `StylePlan` drawn into the JPEG images Agora shows: the canvas background (frames,
name strips, logos, rectangles around the video) and a card per user for video-off.

Text uses the preview's font (`render.camera.font`): a line is drawn at its size, shrunk
down to its minimum to fit its strip, then cut with an ellipsis (a warning names the text
and its place); characters the font has no glyph for (and control characters) show as the
font's missing-glyph box, with a warning. Images are local files; one that is missing, is
not an image or is over the pixel budget is a `RenderError` naming its place. Every JPEG
is at most Agora's 6 MB (`wire.profile.MAX_IMAGE_BYTES`)."""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from layoutkit.errors import RenderError, safe_text
from layoutkit.render.camera import Font, font, open_image
from layoutkit.render.compose import MAX_PIXELS, MAX_SIDE, cover, hex_rgb
from layoutkit.styleplan import (
    CardPlan,
    FillMark,
    FrameMark,
    ImageMark,
    Mark,
    PixelRect,
    StylePlan,
    TextMark,
)
from layoutkit.wire.profile import MAX_IMAGE_BYTES

JPEG_QUALITY = 90
ELLIPSIS = "..."  # the preview's font has no "…"
_ABSENT = "\U0010fffd"  # a private-use character no font draws: its mask is the box
_PROBE_PX = 24


@dataclass(frozen=True)
class StyleImages:
    """The rendered plan: the canvas background JPEG, a JPEG per card (by uid), and the
    warnings (each led by the place of the layout value, when known)."""

    background: bytes
    cards: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def render_style(plan: StylePlan) -> StyleImages:
    """Draw `plan`: the background and every card as JPEG (quality ~90, at most 6 MB)."""
    warnings: list[str] = []
    background = encode_jpeg(paint_background(plan, warnings), "the background image")
    cards = {
        card.uid: encode_jpeg(paint_card(card, warnings), f"the card of user {card.uid}")
        for card in plan.cards
    }
    return StyleImages(background, cards, warnings)


def encode_jpeg(image: Image.Image, what: str, limit: int | None = None) -> bytes:
    """`image` as JPEG bytes (no chroma subsampling, so thin coloured lines stay sharp);
    RenderError when over `limit` bytes (Agora's `MAX_IMAGE_BYTES`)."""
    limit = MAX_IMAGE_BYTES if limit is None else limit
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    data = buffer.getvalue()
    if len(data) > limit:
        raise RenderError(
            f"{what} is {len(data):,} bytes as JPEG; Agora takes images of at most {limit:,} bytes",
            hint="use a smaller canvas or simpler images",
        )
    return data


def _check_size(width: int, height: int, what: str) -> None:
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise RenderError(
            f"{what} of {width}×{height} is too large (at most {MAX_SIDE} px on a side "
            f"and {MAX_PIXELS // 1_000_000} megapixels)"
        )


def paint_background(plan: StylePlan, warnings: list[str] | None = None) -> Image.Image:
    """The canvas background as an RGB picture: the colour, then the marks in order.
    Warnings about text are appended to `warnings`."""
    _check_size(plan.width, plan.height, "the canvas")
    notes = warnings if warnings is not None else []
    canvas = Image.new("RGB", (plan.width, plan.height), hex_rgb(plan.background))
    for mark in plan.marks:
        paint_mark(canvas, mark, notes)
    return canvas


def paint_mark(canvas: Image.Image, mark: Mark, warnings: list[str]) -> None:
    """Paint one mark onto `canvas` (it stays inside its rectangle)."""
    rect = mark.rect
    if isinstance(mark, FillMark):
        ImageDraw.Draw(canvas).rectangle(_inclusive(rect), fill=hex_rgb(mark.color))
    elif isinstance(mark, FrameMark):
        ImageDraw.Draw(canvas).rectangle(
            _inclusive(rect), outline=hex_rgb(mark.color), width=mark.width
        )
    elif isinstance(mark, TextMark):
        tile = canvas.crop(rect.box())
        if mark.background is not None:
            tile.paste(hex_rgb(mark.background), (0, 0, rect.width, rect.height))
        draw_text_line(tile, mark, warnings)
        canvas.paste(tile, (rect.x, rect.y))
    else:
        _paste_image(canvas, mark)


def _inclusive(rect: PixelRect) -> tuple[int, int, int, int]:
    return rect.x, rect.y, rect.right - 1, rect.bottom - 1


def _paste_image(canvas: Image.Image, mark: ImageMark) -> None:
    picture = load_image(mark.path, mark.where)
    size = (mark.rect.width, mark.rect.height)
    if mark.fit == "crop":
        tile = cover(picture, size)
        canvas.paste(tile, (mark.rect.x, mark.rect.y), tile)
        return
    pw, ph = picture.size
    factor = min(size[0] / pw, size[1] / ph)
    sw, sh = max(1, round(pw * factor)), max(1, round(ph * factor))
    scaled = picture.resize((sw, sh), Image.Resampling.BILINEAR)
    at = (mark.rect.x + (size[0] - sw) // 2, mark.rect.y + (size[1] - sh) // 2)
    canvas.paste(scaled, at, scaled)


def _place(where: str) -> str:
    return f"{where}: " if where else ""


@functools.lru_cache(maxsize=4)  # a logo used by several marks is read once
def _load(path: Path, mtime: float) -> Image.Image:
    return open_image(path, "RGBA", "image", "an image")


def load_image(path: str, where: str = "") -> Image.Image:
    """A local image as RGBA (transparency kept, for logos); RenderError led by `where`
    when it is missing, not an image or over the pixel budget."""
    file = Path(path)
    try:
        mtime = file.stat().st_mtime
    except OSError:
        mtime = -1.0  # opening it says what is wrong
    try:
        return _load(file, mtime)
    except RenderError as exc:
        raise RenderError(exc.message, source=where or None) from None


@functools.lru_cache(maxsize=4096)
def can_draw(char: str) -> bool:
    """Whether the preview's font has a glyph for `char` (its mask differs from the
    missing-glyph box); control and format characters never draw."""
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return False
    face = font(_PROBE_PX)
    absent = face.getmask(_ABSENT)
    mask = face.getmask(char)
    return mask.size != absent.size or bytes(mask) != bytes(absent)


def _drawable(text: str) -> tuple[str, list[str]]:
    """`text` with characters that would break the line (controls, separators) as the
    missing-glyph box, and the characters the font cannot draw, each once."""
    missing = list(dict.fromkeys(c for c in text if not can_draw(c)))
    cleaned = "".join(
        _ABSENT if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c for c in text
    )
    return cleaned, missing


def _fits(face: Font, text: str, width: int, height: int, pad: int) -> bool:
    ascent, descent = face.getmetrics() if hasattr(face, "getmetrics") else (height, 0)
    return ascent + descent <= height and face.getlength(text) + 2 * pad <= width


def _pad(size: int) -> int:
    return max(1, size // 4)


def fit_text(text: str, size: int, min_size: int, width: int, height: int) -> tuple[str, int]:
    """The largest size from `size` down to `min_size` at which `text` fits a strip of
    `width`×`height`, and the text (cut, with an ellipsis, when even `min_size` is too
    wide). Text still too tall at `min_size` is given at `min_size`."""
    low, high = min_size, max(min_size, min(size, height))
    if _fits(font(low), text, width, height, _pad(low)):
        while low < high:  # the largest size that fits (widths grow with the size)
            mid = (low + high + 1) // 2
            if _fits(font(mid), text, width, height, _pad(mid)):
                low = mid
            else:
                high = mid - 1
        return text, low
    face, pad = font(min_size), _pad(min_size)
    if face.getlength(text) + 2 * pad <= width:
        return text, min_size  # as wide as it may be, too tall for the strip

    def cut(keep: int) -> str:
        return text[:keep].rstrip() + ELLIPSIS

    if face.getlength(ELLIPSIS) + 2 * pad > width:
        return "", min_size
    low, high = 0, len(text) - 1  # the most characters kept before the ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        if face.getlength(cut(mid)) + 2 * pad <= width:
            low = mid
        else:
            high = mid - 1
    return cut(low), min_size


_ANCHOR = {"left": "lm", "center": "mm", "right": "rm"}


def draw_text_line(tile: Image.Image, mark: TextMark, warnings: list[str]) -> None:
    """Write `mark.text` on `tile` (its strip, already painted), warning when it had to be
    cut or has characters the font cannot draw."""
    width, height = tile.size
    text, missing = _drawable(mark.text)
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        warnings.append(
            safe_text(
                f"{_place(mark.where)}{mark.text!r} has characters the font cannot draw: "
                f"{shown}{more}; they show as boxes"
            )
        )
    if not text:
        return
    shown_text, size = fit_text(text, mark.size, mark.min_size, width, height)
    face = font(size)
    ascent, descent = face.getmetrics() if hasattr(face, "getmetrics") else (size, 0)
    if shown_text != text:
        warnings.append(
            safe_text(
                f"{_place(mark.where)}{mark.text!r} is too long for its {width}×{height} "
                f"strip even at {mark.min_size} px; cut to {shown_text!r}"
            )
        )
    elif ascent + descent > height:
        warnings.append(
            safe_text(
                f"{_place(mark.where)}{mark.text!r}: the {height} px strip is too short "
                f"for text of {mark.min_size} px; its top and bottom are cut off"
            )
        )
    if not shown_text:
        return
    pad = _pad(size)
    x = {"left": pad, "center": width / 2, "right": width - pad}[mark.align]
    ImageDraw.Draw(tile).text(
        (x, height / 2), shown_text, fill=hex_rgb(mark.color), font=face, anchor=_ANCHOR[mark.align]
    )


INITIALS_SHARE = 0.34  # of the card's smaller side
NAME_SHARE = 0.09


def paint_card(card: CardPlan, warnings: list[str] | None = None) -> Image.Image:
    """The video-off picture of one user: the colour or the image (cropped to cover), the
    initials large in the middle, the name below them."""
    _check_size(card.width, card.height, f"the card of user {card.uid}")
    notes = warnings if warnings is not None else []
    w, h = card.width, card.height
    image = Image.new("RGB", (w, h), hex_rgb(card.color))
    if card.image is not None:
        picture = cover(load_image(card.image, card.where), (w, h))
        image.paste(picture, (0, 0), picture)
    short = min(w, h)
    big = max(6, round(short * INITIALS_SHARE))
    small = max(6, round(short * NAME_SHARE))
    top = round(h * 0.18)
    initials = PixelRect(0, top, w, max(1, round(h * 0.46)))
    name_top = min(h - 1, initials.bottom)
    name = PixelRect(0, name_top, w, max(1, min(h - name_top, round(small * 1.6))))
    for rect, text, size in ((initials, card.initials, big), (name, card.text, small)):
        if not text:
            continue
        mark = TextMark(rect, text, size, 6, card.text_color, where=card.where)
        tile = image.crop(rect.box())
        draw_text_line(tile, mark, notes)
        image.paste(tile, (rect.x, rect.y))
    return image


def jpeg_size(data: bytes) -> tuple[int, int]:
    """The pixel size of JPEG bytes (for checks)."""
    with Image.open(io.BytesIO(data)) as opened:
        if opened.format != "JPEG":
            raise RenderError("not a JPEG")
        return opened.size


__all__ = [
    "ELLIPSIS",
    "INITIALS_SHARE",
    "JPEG_QUALITY",
    "NAME_SHARE",
    "StyleImages",
    "can_draw",
    "draw_text_line",
    "encode_jpeg",
    "fit_text",
    "jpeg_size",
    "load_image",
    "paint_background",
    "paint_card",
    "paint_mark",
    "render_style",
]
