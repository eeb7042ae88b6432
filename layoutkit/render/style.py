"""A `StylePlan` drawn into the JPEG images Agora shows: the canvas background (frames,
name strips, logos, rectangles around the video) and a card per user for video-off.
Text is drawn in the font chain (`render.fonts`), shrunk to fit its strip, then cut with
an ellipsis, with warnings naming the text's place; characters no font has show as boxes.
Images are decoded at the size they are drawn; every JPEG is at most Agora's 6 MB.
`render_style` remembers its last few results while the files have not changed."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from PIL import Image, ImageDraw

from layoutkit.errors import RenderError, safe_text
from layoutkit.render.compose import MAX_PIXELS, MAX_SIDE, hex_rgb
from layoutkit.render.fonts import (
    STYLE_FONT,
    FontChain,
    FontFile,
    Line,
    clear_font_caches,
    font_chain,
    how_to_draw,
)
from layoutkit.render.pictures import PICTURES, PictureCache, Size, cover, drawn_size, load_picture
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
from layoutkit.wire.rules import MAX_IMAGE_BYTES

JPEG_QUALITY = 95  # sharp edges (frames, text) with little ringing
ELLIPSIS = "..."
NOUNS = ("image", "an image")
MAX_LINE_CHARS = 1000  # the most characters measured (no strip shows more); longer: cut


def _no_cards() -> Mapping[str, bytes]:
    return MappingProxyType({})


@dataclass(frozen=True)
class StyleImages:
    """The background JPEG, a JPEG per card by uid, and the warnings (each led by the
    place of the layout value). Read-only: `render_style` shares it."""

    background: bytes
    cards: Mapping[str, bytes] = field(default_factory=_no_cards)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "cards", MappingProxyType(dict(self.cards)))
        object.__setattr__(self, "warnings", tuple(self.warnings))


RENDER_CACHE_SIZE = 8
_RENDERED = PictureCache(RENDER_CACHE_SIZE, weight=lambda _: 1)


def render_style(plan: StylePlan) -> StyleImages:
    """Draw `plan`: the background and every card as JPEG (quality 95, at most 6 MB);
    the same plan whose files are unchanged gives the same object again."""
    return _RENDERED.get((plan, _files_of(plan)), lambda: _draw_style(plan))


def clear_style_cache() -> None:
    """Forget every remembered `render_style` result (and the decoded images and fonts
    of the plans)."""
    _RENDERED.clear()
    PICTURES.clear()
    clear_font_caches()


def _files_of(plan: StylePlan) -> tuple[tuple[str, int, int], ...]:
    """Each local file `plan` reads, as (absolute path, mtime in ns, size in bytes)."""
    paths = [mark.path for mark in plan.marks if isinstance(mark, ImageMark)]
    paths += [card.image for card in plan.cards if card.image is not None]
    if plan.font is not None:
        paths.append(plan.font)
    stamps = []
    for path in dict.fromkeys(paths):
        try:
            file = Path(path)
            info = file.stat()
            stamps.append((str(file.absolute()), info.st_mtime_ns, info.st_size))
        except (OSError, ValueError):
            stamps.append((path, -1, -1))
    return tuple(stamps)


def _draw_style(plan: StylePlan) -> StyleImages:
    warnings: list[str] = []
    background = encode_jpeg(paint_background(plan, warnings), "the background image")
    cards = {
        card.uid: encode_jpeg(
            paint_card(card, warnings, font=plan.font, font_where=plan.font_where),
            f"the card of user {card.uid}",
        )
        for card in plan.cards
    }
    return StyleImages(background, cards, tuple(warnings))


def encode_jpeg(image: Image.Image, what: str) -> bytes:
    """`image` as JPEG bytes (no chroma subsampling: thin coloured lines stay sharp);
    RenderError over Agora's `MAX_IMAGE_BYTES`."""
    limit = MAX_IMAGE_BYTES
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
    """The canvas background as an RGB picture: the colour, then the marks in order, text
    in the plan's font. Warnings about text are appended to `warnings`."""
    _check_size(plan.width, plan.height, "the canvas")
    chain = font_chain(plan.font, plan.font_where)
    chain.check()  # a font that cannot be used is an error even with no text to draw
    notes = warnings if warnings is not None else []
    canvas = Image.new("RGB", (plan.width, plan.height), hex_rgb(plan.background))
    for mark in plan.marks:
        paint_mark(canvas, mark, notes, chain)
    return canvas


def paint_mark(canvas: Image.Image, mark: Mark, warnings: list[str], chain: FontChain) -> None:
    """Paint one mark onto `canvas`, inside its rectangle."""
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
        draw_text_line(tile, mark, warnings, chain)
        canvas.paste(tile, (rect.x, rect.y))
    else:
        _paste_image(canvas, mark)


def _inclusive(rect: PixelRect) -> tuple[int, int, int, int]:
    return rect.x, rect.y, rect.right - 1, rect.bottom - 1


def _paste_image(canvas: Image.Image, mark: ImageMark) -> None:
    size = (mark.rect.width, mark.rect.height)
    crop = mark.fit == "crop"
    picture = load_image(mark.path, mark.where, size, cover=crop)  # decoded at its drawn size
    if crop:
        tile = cover(picture, size)
        canvas.paste(tile, (mark.rect.x, mark.rect.y), tile)
        return
    sw, sh = drawn_size(picture.size, size)
    scaled = (
        picture.resize((sw, sh), Image.Resampling.BILINEAR) if picture.size != (sw, sh) else picture
    )
    at = (mark.rect.x + (size[0] - sw) // 2, mark.rect.y + (size[1] - sh) // 2)
    canvas.paste(scaled, at, scaled)


def _place(where: str) -> str:
    return f"{where}: " if where else ""


def _quoted(text: str, most: int = 100) -> str:
    """`text` as warnings quote it: its repr, the first `most` characters of a longer one."""
    return repr(text) if len(text) <= most else f"{text[:most]!r}..."


def load_image(
    path: str, where: str = "", max_size: Size | None = None, *, cover: bool = False
) -> Image.Image:
    """A local image as RGBA (logos keep their transparency), decoded at its drawn size
    in the box `max_size` (`pictures.open_image`); RenderError led by `where`."""
    try:
        return load_picture(Path(path), max_size, cover=cover, mode="RGBA", nouns=NOUNS)
    except RenderError as exc:
        raise RenderError(exc.message, source=where or None) from None


def can_draw(char: str, font: str | None = None, font_where: str = "") -> bool:
    """Whether the font file `font` (or STYLE_FONT) itself has a glyph for `char`."""
    face = FontFile(font or STYLE_FONT, 0, font_where if font else "")
    return face.has(char, face.stamp())


def _fits(line: Line, width: int, height: int, pad: int) -> bool:
    return line.ascent + line.descent <= height and line.length() + 2 * pad <= width


def _pad(size: int) -> int:
    """The room left and right of a line of text `size` px (a third of the size)."""
    return max(2, size // 3)


def fit_text(
    text: str,
    size: int,
    min_size: int,
    width: int,
    height: int,
    *,
    font: str | None = None,
    font_where: str = "",
    chain: FontChain | None = None,
) -> tuple[str, int]:
    """The largest size from `size` down to `min_size` at which `text` fits a strip of
    `width`×`height` in `chain` (default: the chain of the font file `font`), and the
    text, cut with an ellipsis when even `min_size` is too wide or it is longer than
    MAX_LINE_CHARS. Text still too tall at `min_size` is given at `min_size`."""
    chain = chain or font_chain(font, font_where)
    long = len(text) > MAX_LINE_CHARS
    split = chain.split(text[:MAX_LINE_CHARS])
    if not long and _fits(split.at(min_size), width, height, _pad(min_size)):
        top = max(min_size, min(size, height))
        return text, _largest(min_size, top, lambda n: _fits(split.at(n), width, height, _pad(n)))
    room = width - 2 * _pad(min_size)
    if not long and split.at(min_size).length() <= room:
        return text, min_size  # as wide as it may be, too tall for the strip
    return _cut(text[:MAX_LINE_CHARS], min_size, room, chain), min_size


def _cut(text: str, size: int, room: int, chain: FontChain) -> str:
    """The most of `text` that fits `room` px at `size` with an ellipsis after it ("" when
    not even the ellipsis fits)."""

    def cut(keep: int) -> str:
        return text[:keep].rstrip() + ELLIPSIS

    def fits(shown: str) -> bool:
        return chain.line(shown, size).length() <= room

    if not fits(ELLIPSIS):
        return ""
    return cut(_largest(0, len(text) - 1, lambda keep: fits(cut(keep))))


def _largest(low: int, high: int, fits: Callable[[int], bool]) -> int:
    """The largest number from `low` to `high` that `fits` (it fits up to a point)."""
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


_ANCHOR = {"left": "lm", "center": "mm", "right": "rm"}


def draw_text_line(
    tile: Image.Image, mark: TextMark, warnings: list[str], chain: FontChain
) -> None:
    """Write `mark.text` on its strip `tile`, warning when it had to be cut or has
    characters no font of the chain can draw."""
    width, height = tile.size
    split = chain.split(mark.text[:MAX_LINE_CHARS])  # what may be shown
    _say_missing(mark, split.missing, warnings)
    for note in split.notes:
        if f"{_place(mark.where)}{note}" not in warnings:
            warnings.append(safe_text(f"{_place(mark.where)}{note}"))
    if not mark.text:
        return
    shown_text, size = fit_text(mark.text, mark.size, mark.min_size, width, height, chain=chain)
    line = chain.line(shown_text, size)
    if shown_text != mark.text:
        warnings.append(
            safe_text(
                f"{_place(mark.where)}{_quoted(mark.text)} is too long for its {width}×{height} "
                f"strip even at {mark.min_size} px; cut to {shown_text!r}"
            )
        )
    elif line.ascent + line.descent > height:
        warnings.append(
            safe_text(
                f"{_place(mark.where)}{_quoted(mark.text)}: the {height} px strip is too short "
                f"for text of {mark.min_size} px; its top and bottom are cut off"
            )
        )
    if not shown_text:
        return
    pad = _pad(size)
    x = {"left": pad, "center": width / 2, "right": width - pad}[mark.align]
    line.draw(
        ImageDraw.Draw(tile), (x, height / 2), fill=hex_rgb(mark.color), anchor=_ANCHOR[mark.align]
    )


def _say_missing(mark: TextMark, missing: tuple[str, ...], warnings: list[str]) -> None:
    """The warning about characters no font can draw, with how to get a font for them
    (said once among `warnings`)."""
    if not missing:
        return
    shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:8])
    more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
    hint = how_to_draw(missing)
    said = any(hint in warning for warning in warnings)
    warnings.append(
        safe_text(
            f"{_place(mark.where)}{_quoted(mark.text)} has characters the fonts cannot draw: "
            f"{shown}{more}; they show as boxes" + ("" if said else f"; to draw them, {hint}")
        )
    )


INITIALS_SHARE = 0.34  # of the card's smaller side
NAME_SHARE = 0.11


def paint_card(
    card: CardPlan,
    warnings: list[str] | None = None,
    *,
    font: str | None = None,
    font_where: str = "",
) -> Image.Image:
    """The video-off picture of one user: the colour or the image (cropped to cover), the
    initials large in the middle, the name below them, in the font (the TTF/OTF file
    `font`, or STYLE_FONT)."""
    _check_size(card.width, card.height, f"the card of user {card.uid}")
    chain = font_chain(font, font_where)
    chain.check()
    notes = warnings if warnings is not None else []
    w, h = card.width, card.height
    image = Image.new("RGB", (w, h), hex_rgb(card.color))
    if card.image is not None:
        picture = cover(load_image(card.image, card.where, (w, h), cover=True), (w, h))
        image.paste(picture, (0, 0), picture)
    short = min(w, h)
    big = max(6, round(short * INITIALS_SHARE))
    small = max(9, round(short * NAME_SHARE))  # legible on a small card too
    top = round(h * 0.18)
    initials = PixelRect(0, top, w, max(1, round(h * 0.46)))
    name_top = min(h - 1, initials.bottom)
    name = PixelRect(0, name_top, w, max(1, min(h - name_top, round(small * 1.6))))
    for rect, text, size in ((initials, card.initials, big), (name, card.text, small)):
        if not text:
            continue
        mark = TextMark(rect, text, size, 6, card.text_color, where=card.where)
        tile = image.crop(rect.box())
        # the initials come from the name: what they cannot draw, the name's warning says
        said = notes if text is card.text or not card.text else []
        draw_text_line(tile, mark, said, chain)
        image.paste(tile, (rect.x, rect.y))
    return image
