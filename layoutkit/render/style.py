"""A `StylePlan` drawn into the JPEG images Agora shows: the canvas background (frames,
name strips, logos, rectangles around the video) and a card per user for video-off.

Text uses the plan's font (a local TTF/OTF file) or, without one, DejaVu Sans shipped
with layoutkit (`STYLE_FONT`): a line is drawn at its size, shrunk down to its minimum to fit its
strip, then cut with an ellipsis (a warning names the text and its place); characters the
font has no glyph for (and control characters) show as the font's missing-glyph box, with
a warning. Images and the font are local files; one that is missing, is not an image (a
font) or is over the pixel budget (a font file over 50 MB) is a `RenderError` naming its
place, and so is a font whose glyphs FreeType cannot draw (damaged glyph tables), when it
is opened or whenever text is measured or drawn. Images are decoded at the size they are
drawn (`camera.open_image`). Every JPEG is at most Agora's 6 MB
(`wire.profile.MAX_IMAGE_BYTES`).

`render_style` remembers its last few results: the same plan, whose files have not
changed on disk, gives the same (read-only) `StyleImages` without drawing again."""

from __future__ import annotations

import contextlib
import functools
import io
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from PIL import Image, ImageDraw

from layoutkit.errors import RenderError, safe_text
from layoutkit.render.camera import (
    Font,
    Size,
    drawn_size,
    font_at,
    font_damaged,
    font_stamp,
    open_image,
)
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

JPEG_QUALITY = 95  # sharp edges (frames, text) with little ringing
STYLE_FONT = str(Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans.ttf")
"""The font of every text a StylePlan draws unless it names one (`font:`)."""
ELLIPSIS = "..."  # the preview's font has no "…"
_ABSENT = "\U0010fffd"  # a private-use character no font draws: its mask is the box
_PROBE_PX = 24


def _no_cards() -> Mapping[str, bytes]:
    return MappingProxyType({})


@dataclass(frozen=True)
class StyleImages:
    """The rendered plan: the canvas background JPEG, a JPEG per card (by uid, a
    read-only mapping), and the warnings (each led by the place of the layout value, when
    known). Read-only, as `render_style` hands the same object to every caller."""

    background: bytes
    cards: Mapping[str, bytes] = field(default_factory=_no_cards)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "cards", MappingProxyType(dict(self.cards)))
        object.__setattr__(self, "warnings", tuple(self.warnings))


RENDER_CACHE_SIZE = 8
_rendered: OrderedDict[Hashable, StyleImages] = OrderedDict()
_rendered_lock = threading.Lock()


def render_style(plan: StylePlan) -> StyleImages:
    """Draw `plan`: the background and every card as JPEG (quality 95, at most 6 MB).

    Remembered (the last `RENDER_CACHE_SIZE` plans): the same plan whose image and font
    files have the same modification time and size gives the same object again."""
    key = (plan, _files_of(plan))
    with _rendered_lock:
        found = _rendered.get(key)
        if found is not None:
            _rendered.move_to_end(key)
            return found
    images = _draw_style(plan)
    with _rendered_lock:
        _rendered[key] = images
        while len(_rendered) > RENDER_CACHE_SIZE:
            _rendered.popitem(last=False)
    return images


def clear_style_cache() -> None:
    """Forget every remembered `render_style` result (and the decoded images and fonts
    of the plans)."""
    with _rendered_lock:
        _rendered.clear()
    _load.cache_clear()
    _can_draw.cache_clear()


def _files_of(plan: StylePlan) -> tuple[tuple[str, int, int], ...]:
    """Each local file `plan` reads, as (absolute path, mtime in ns, size in bytes);
    (path, -1, -1) when it cannot be looked at (drawing then says why)."""
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


@dataclass(frozen=True)
class Typeface:
    """The font text is drawn in: a local TTF/OTF file (`path`, `where` the place of the
    layout value naming it) or, with no path, `STYLE_FONT` (DejaVu Sans, shipped with
    layoutkit: Latin, Greek and Cyrillic with their accents)."""

    path: str | None = None
    where: str = ""

    @property
    def file(self) -> str:
        return self.path or STYLE_FONT

    def stamp(self) -> int:
        """The font file's modification time (ns); a located RenderError when the file is
        missing, not a regular file, over 50 MB, not a font or damaged."""
        try:
            stamp = font_stamp(self.file)
            font_at(self.file, _PROBE_PX, stamp)  # a file that is not a font fails here
        except RenderError as exc:
            raise _located(exc, self.where) from None
        return stamp

    def at(self, size: int) -> Font:
        """The font at `size` pixels (at least 6); a located RenderError as `stamp`."""
        try:
            return font_at(self.file, size)
        except RenderError as exc:
            raise _located(exc, self.where) from None

    @contextlib.contextmanager
    def drawing(self) -> Iterator[None]:
        """Text measured and drawn in this font inside: what FreeType raises there (an
        OSError: glyph data damaged past what opening it checks) becomes a RenderError
        naming the font file (`font_damaged`), led by `where`."""
        try:
            yield
        except OSError as exc:
            raise _located(font_damaged(self.file, exc), self.where) from None


def _located(exc: RenderError, where: str) -> RenderError:
    return RenderError(exc.message, source=where or exc.source, hint=exc.hint)


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
    """The canvas background as an RGB picture: the colour, then the marks in order, text
    in the plan's font. Warnings about text are appended to `warnings`."""
    _check_size(plan.width, plan.height, "the canvas")
    face = Typeface(plan.font, plan.font_where)
    face.stamp()  # a font that cannot be used is an error even with no text to draw
    notes = warnings if warnings is not None else []
    canvas = Image.new("RGB", (plan.width, plan.height), hex_rgb(plan.background))
    for mark in plan.marks:
        paint_mark(canvas, mark, notes, face)
    return canvas


def paint_mark(
    canvas: Image.Image, mark: Mark, warnings: list[str], face: Typeface | None = None
) -> None:
    """Paint one mark onto `canvas` (it stays inside its rectangle); text in `face`
    (None: STYLE_FONT)."""
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
        face = face or Typeface()
        draw_text_line(tile, mark, warnings, font=face.path, font_where=face.where)
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


@functools.lru_cache(maxsize=16)  # a logo used by several marks is read once
def _load(path: Path, mtime_ns: int, size: int, box: Size | None, crop: bool) -> Image.Image:
    del mtime_ns, size  # part of the key: a file changed on disk is read again
    return open_image(path, "RGBA", "image", "an image", max_size=box, cover=crop)


def load_image(
    path: str, where: str = "", max_size: Size | None = None, *, cover: bool = False
) -> Image.Image:
    """A local image as RGBA (transparency kept, for logos), decoded at the size it is
    drawn in the box `max_size` (fitted, or with `cover` covering it; see
    `camera.open_image`), so only that size is kept; RenderError led by `where` when it
    is missing, not an image or over the pixel budget."""
    file = Path(path)
    try:
        info = file.stat()
        stamp = info.st_mtime_ns, info.st_size
    except (OSError, ValueError):
        stamp = -1, -1  # opening it says what is wrong
    try:
        return _load(file, *stamp, max_size, cover)
    except RenderError as exc:
        raise RenderError(exc.message, source=where or None) from None


def can_draw(char: str, font: str | None = None, font_where: str = "") -> bool:
    """Whether the font (the TTF/OTF file `font`, or STYLE_FONT) has a
    glyph for `char` (its mask differs from the missing-glyph box); control and format
    characters never draw. A font file that cannot be used is a RenderError led by
    `font_where`."""
    face = Typeface(font, font_where)
    with face.drawing():
        return _can_draw(char, face.file, face.stamp())


@functools.lru_cache(maxsize=4096)
def _can_draw(char: str, path: str, stamp: int) -> bool:
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return False
    face = font_at(path, _PROBE_PX, stamp)
    absent = face.getmask(_ABSENT)
    mask = face.getmask(char)
    return mask.size != absent.size or bytes(mask) != bytes(absent)


def _drawable(text: str, face: Typeface) -> tuple[str, list[str]]:
    """`text` with characters that would break the line (controls, separators) as the
    missing-glyph box, and the characters the font cannot draw, each once."""
    stamp = face.stamp()
    missing = list(dict.fromkeys(c for c in text if not _can_draw(c, face.file, stamp)))
    cleaned = "".join(
        _ABSENT if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c for c in text
    )
    return cleaned, missing


def _fits(face: Font, text: str, width: int, height: int, pad: int) -> bool:
    ascent, descent = face.getmetrics() if hasattr(face, "getmetrics") else (height, 0)
    return ascent + descent <= height and face.getlength(text) + 2 * pad <= width


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
) -> tuple[str, int]:
    """The largest size from `size` down to `min_size` at which `text` fits a strip of
    `width`×`height` in the font (the TTF/OTF file `font`, or STYLE_FONT), and the
    text (cut, with an ellipsis, when even `min_size` is too wide). Text still too tall at
    `min_size` is given at `min_size`."""
    face = Typeface(font, font_where)
    with face.drawing():
        return _fit_text(text, size, min_size, width, height, face.at)


def _fit_text(
    text: str, size: int, min_size: int, width: int, height: int, font: Callable[[int], Font]
) -> tuple[str, int]:
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


def draw_text_line(
    tile: Image.Image,
    mark: TextMark,
    warnings: list[str],
    *,
    font: str | None = None,
    font_where: str = "",
) -> None:
    """Write `mark.text` on `tile` (its strip, already painted) in the font (the TTF/OTF
    file `font`, or STYLE_FONT), warning when it had to be cut or has characters
    the font cannot draw. A font FreeType cannot draw with is a RenderError naming it."""
    typeface = Typeface(font, font_where)
    with typeface.drawing():
        _draw_text_line(tile, mark, warnings, typeface)


def _draw_text_line(
    tile: Image.Image, mark: TextMark, warnings: list[str], typeface: Typeface
) -> None:
    width, height = tile.size
    text, missing = _drawable(mark.text, typeface)
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
    shown_text, size = _fit_text(text, mark.size, mark.min_size, width, height, typeface.at)
    face = typeface.at(size)
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
    Typeface(font, font_where).stamp()
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
        draw_text_line(tile, mark, said, font=font, font_where=font_where)
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
    "RENDER_CACHE_SIZE",
    "StyleImages",
    "Typeface",
    "can_draw",
    "clear_style_cache",
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
