"""Pictures that stand for participants: a synthetic camera picture (its own colour and a
framing pattern that makes cropping visible), a shared screen drawn as a slide, or a real
picture loaded from a file or from bytes; their name labels; and the fonts (the built-in
one, and TTF/OTF files)."""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import math
import stat
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from layoutkit.cameras import MAX_CAMERA_ASPECT
from layoutkit.cameras import check_camera_aspect as _check_shape
from layoutkit.errors import RenderError
from layoutkit.safefiles import kind_of

RGB = tuple[int, int, int]
MAX_SOURCE_PIXELS = 50_000_000
CAMERA_CACHE_BYTES = 64 << 20  # the drawn camera pictures kept for reuse
MIN_TEXT_PX = 14  # the smallest text drawn, in pixels of the picture as finally shown
WHITE: RGB = (255, 255, 255)


def check_camera_aspect(aspect: float) -> float:
    """A camera's width/height, or RenderError when it is not a plausible shape."""
    try:
        return _check_shape(aspect)
    except ValueError as exc:
        raise RenderError(str(exc)) from None


_GOLDEN_ANGLE = 0.3819660112501051  # of a turn: 137.5°
_SATURATION = (0.55, 0.68, 0.45)  # cycled, so hues that come back close differ in tone
_VALUE = (0.90, 0.80, 0.95)


def participant_color(index: int) -> RGB:
    """The colour of the participant who joined `index`-th (0 first): hues step by the
    golden angle (137.5°), so people next to each other in join order are far apart on
    the colour wheel, and saturation and brightness cycle in threes, so the hues that
    come back close (5, 8 or 13 people apart) still differ. Never dark."""
    hue = (0.62 + index * _GOLDEN_ANGLE) % 1.0
    tone = index % 3
    r, g, b = colorsys.hsv_to_rgb(hue, _SATURATION[tone], _VALUE[tone])
    return round(r * 255), round(g * 255), round(b * 255)


def shade(color: RGB, factor: float) -> RGB:
    """Darker (factor < 1) or lighter (factor > 1, towards white) version of a colour."""
    if factor <= 1:
        return (round(color[0] * factor), round(color[1] * factor), round(color[2] * factor))
    t = min(factor - 1, 1.0)
    return (
        round(color[0] + (255 - color[0]) * t),
        round(color[1] + (255 - color[1]) * t),
        round(color[2] + (255 - color[2]) * t),
    )


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.lru_cache(maxsize=32)
def font(size: int) -> Font:
    """Pillow's built-in font at `size` pixels (no font files needed)."""
    return ImageFont.load_default(size=max(6, size))


class PictureCache:
    """Recently drawn camera pictures, bounded by their bytes (not their number: one
    full-HD picture weighs as much as a thousand thumbnails). Thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[Hashable, Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Image.Image]) -> Image.Image:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        image = make()
        size = len(image.getbands()) * image.width * image.height
        if size > self.max_bytes:
            return image
        with self._lock:
            if key not in self._items:
                self._items[key] = image
                self.bytes += size
            while self.bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self.bytes -= len(old.getbands()) * old.width * old.height
        return image

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0


CAMERA_CACHE = PictureCache(max_bytes=CAMERA_CACHE_BYTES)


def synthetic_camera(width: int, height: int, color: RGB, *, screen: bool = False) -> Image.Image:
    """A camera picture (or, with `screen`, a slide) of `width`×`height` in a participant's
    colour (cached: treat it as read-only)."""
    key = ("screen" if screen else "camera", color, width, height)
    draw = _draw_screen if screen else _draw_camera
    return CAMERA_CACHE.get(key, lambda: draw(width, height, color))


def _draw_camera(width: int, height: int, base: RGB) -> Image.Image:
    """A camera picture: a darker band along every edge and white corner marks (cropping
    cuts them away), a lighter head-and-shoulders shape above and below the centre, short
    centre-cross arms that stop before the centre. The exact centre keeps the
    participant's colour, so tests can find it."""
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    band = max(1, round(short * 0.04))
    dark = shade(base, 0.55)
    for box in (
        (0, 0, width - 1, band - 1),
        (0, height - band, width - 1, height - 1),
        (0, 0, band - 1, height - 1),
        (width - band, 0, width - 1, height - 1),
    ):
        draw.rectangle(box, fill=dark)
    light = shade(base, 1.35)
    cx, cy = width / 2, height / 2
    head = short * 0.13
    draw.ellipse((cx - head, cy - short * 0.40, cx + head, cy - short * 0.40 + 2 * head), light)
    # the shoulders run off the bottom edge whatever the shape (a portrait too)
    shoulders = max(cy + short * 0.9, height + short * 0.1)
    draw.ellipse((cx - short * 0.38, cy + short * 0.16, cx + short * 0.38, shoulders), light)
    arm, gap, line = short * 0.12, short * 0.06, max(1, round(short * 0.012))
    for x0, y0, x1, y1 in (
        (cx - gap - arm, cy, cx - gap, cy),
        (cx + gap, cy, cx + gap + arm, cy),
        (cx, cy - gap - arm, cx, cy - gap),
        (cx, cy + gap, cx, cy + gap + arm),
    ):
        draw.line((x0, y0, x1, y1), fill=WHITE, width=line)
    mark = short * 0.12
    inset = band + max(1, round(short * 0.02))
    for sx, sy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        x = inset if sx == 0 else width - 1 - inset
        y = inset if sy == 0 else height - 1 - inset
        dx = mark if sx == 0 else -mark
        dy = mark if sy == 0 else -mark
        draw.line((x, y, x + dx, y), fill=WHITE, width=line * 2)
        draw.line((x, y, x, y + dy), fill=WHITE, width=line * 2)
    return image


SLIDE_PAGE: RGB = (246, 247, 250)
SLIDE_TEXT: RGB = (178, 184, 196)
TITLE_BAR_SHARE = 0.20  # of the slide's height
FOOTER_SHARE = 0.20  # the empty band at the bottom of the slide, where its name can go


def _draw_screen(width: int, height: int, base: RGB) -> Image.Image:
    """A shared screen: a slide with a light page, a dark title bar (a deep shade of the
    participant's colour) holding a light title line, bulleted grey text lines on the
    left, a bar chart in the participant's colour on the right, an empty footer band and a
    thin frame."""
    image = Image.new("RGB", (width, height), SLIDE_PAGE)
    draw = ImageDraw.Draw(image)
    u = height / 100  # one hundredth of the height: the slide is laid out top to bottom
    bar = max(2, round(height * TITLE_BAR_SHARE))
    draw.rectangle((0, 0, width - 1, bar - 1), fill=shade(base, 0.28))
    draw.rectangle((width * 0.05, u * 7.5, width * 0.47, u * 12.5), fill=(232, 234, 240))
    thick = max(1, round(u * 3.5))
    for n, share in enumerate((0.40, 0.32, 0.37, 0.26)):
        y = u * (30 + n * 11)
        draw.rectangle((width * 0.07, y, width * 0.07 + thick, y + thick), fill=base)
        x = width * 0.07 + thick * 2.5
        draw.rectangle((x, y, x + width * share, y + thick), SLIDE_TEXT)
    chart_left, chart_right, floor = width * 0.62, width * 0.93, u * 74
    column = (chart_right - chart_left) / 4
    for n, share in enumerate((0.35, 0.55, 0.45, 0.7)):
        x = chart_left + n * column
        draw.rectangle((x + column * 0.15, floor - share * u * 42, x + column * 0.85, floor), base)
    line = max(1, round(u * 0.6))
    draw.line((chart_left, floor, chart_right, floor), fill=SLIDE_TEXT, width=line)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(150, 156, 170), width=line)
    return image


Box = tuple[int, int, int, int]


def draw_label(
    image: Image.Image,
    area: Box,
    texts: Sequence[str],
    size: int,
    *,
    color: RGB,
    room: float,
    title_bar: tuple[int, int, int] | None = None,
    avoid: Sequence[Box] = (),
) -> bool:
    """Write a participant's name on `image` inside `area` (left, top, right, bottom), the
    visible part of the picture, clear of the `avoid` boxes (regions painted over it).

    On a camera: white, outlined, centred low in the picture, moved up while something
    covers it. On a slide (`title_bar`: the top and bottom of its title bar and the
    slide's bottom): light at the right of the title bar, or, when the bar is too thin or
    covered, grey in the footer band at the right or the left.
    The first of `texts` that fits is used; nothing is drawn (False) when none fits, or
    when the area is under `room` times the text size high."""
    left, top, right, bottom = area
    if bottom - top < size * room:
        return False
    face = font(size)
    margin = max(2, size // 3)
    stroke = 0 if title_bar is not None else max(1, size // 10)
    for text in texts:
        ink = face.getbbox(text, stroke_width=stroke)
        w, h = math.ceil(ink[2] - ink[0]), math.ceil(ink[3])
        if w + 2 * margin > right - left:
            continue
        for x, y, fill in _label_spots(area, w, h, margin, title_bar):
            spot = (x, y, x + w, y + h)
            if any(_overlap(spot, other) for other in avoid):
                continue
            ImageDraw.Draw(image).text(
                (x, y),
                text,
                font=face,
                fill=fill,
                stroke_width=stroke,
                stroke_fill=shade(color, 0.35),
            )
            return True
    return False


def _label_spots(
    area: Box, w: int, h: int, margin: int, title_bar: tuple[int, int, int] | None
) -> list[tuple[int, int, RGB]]:
    """Where a label `w`×`h` may go, best first: (left, top, colour)."""
    left, top, right, bottom = area
    if title_bar is not None:  # a slide: the title bar's right, else the footer
        spots = []
        bar_top, bar_bottom = max(top, title_bar[0]), min(bottom, title_bar[1])
        if bar_bottom - bar_top >= h + 4:
            y = (bar_top + bar_bottom - h) // 2
            spots.append((right - margin - w, y, (214, 218, 228)))
        grey = (96, 102, 116)
        y = min(bottom, title_bar[2]) - margin - h
        spots += [(right - margin - w, y, grey), (left + margin, y, grey)]
        return spots
    x = (left + right - w) // 2
    lowest = bottom - margin - h - max(1, h // 8)
    step = max(2, h // 2)
    return [(x, y, WHITE) for y in range(lowest, top + margin - 1, -step)]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _convert(opened: Image.Image, name: str, mode: str, noun: str) -> Image.Image:
    w, h = opened.size
    if w * h > MAX_SOURCE_PIXELS:
        raise RenderError(
            f"{name}: the {noun} is {w}×{h}; {noun}s are limited to "
            f"{MAX_SOURCE_PIXELS // 1_000_000} megapixels"
        )
    return opened.convert(mode)


def open_image(
    path: Path, mode: str = "RGB", noun: str = "picture", a_noun: str = "a picture"
) -> Image.Image:
    """A local image converted to `mode`; RenderError names the file (and calls it
    `noun`) when it is missing, a folder, unreadable, not an image or over the pixel
    budget; a FIFO, a device or a socket is refused before it is opened (reading one
    could wait forever)."""
    try:
        kind = Path(path).stat().st_mode
    except FileNotFoundError:
        raise RenderError(f"{path}: no such {noun} file") from None
    except OSError as exc:
        raise RenderError(f"{path}: cannot use it ({exc.strerror or exc})") from None
    if stat.S_ISDIR(kind):
        raise RenderError(f"{path}: is a folder, not {a_noun}")
    if not stat.S_ISREG(kind):
        raise RenderError(f"{path}: is {kind_of(kind)}, not {a_noun}")
    try:
        with Image.open(path) as opened:
            return _convert(opened, str(path), mode, noun)
    except FileNotFoundError:
        raise RenderError(f"{path}: no such {noun} file") from None
    except IsADirectoryError:
        raise RenderError(f"{path}: is a folder, not {a_noun}") from None
    except PermissionError:
        raise RenderError(f"{path}: permission denied") from None
    except Image.DecompressionBombError as exc:
        raise RenderError(f"{path}: the {noun} is too large to open safely") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise RenderError(f"{path}: not {a_noun} Pillow can read (PNG, JPEG, BMP, ...)") from exc


def open_image_bytes(
    data: bytes, name: str, mode: str = "RGB", noun: str = "picture", a_noun: str = "a picture"
) -> Image.Image:
    """An encoded image (PNG, JPEG, BMP, ...) held in memory, converted to `mode`; the
    same limits and messages as `open_image`, naming the image `name` (its URL)."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            return _convert(opened, name, mode, noun)
    except Image.DecompressionBombError as exc:
        raise RenderError(f"{name}: the {noun} is too large to open safely") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise RenderError(f"{name}: not {a_noun} Pillow can read (PNG, JPEG, BMP, ...)") from exc


@functools.lru_cache(maxsize=32)
def load_picture(path: Path) -> Image.Image:
    """A local picture as RGB; RenderError names the file when it cannot be used."""
    return open_image(path)


BYTES_CACHE = PictureCache(max_bytes=32 << 20)
"""Pictures decoded from bytes, by the bytes' hash (a preview may draw one card often)."""


def load_picture_bytes(data: bytes, name: str) -> Image.Image:
    """An encoded picture held in memory as RGB (cached by a hash of the bytes: treat it
    as read-only); RenderError names it `name` (its URL) when it cannot be used."""
    digest = hashlib.blake2b(data, digest_size=20).digest()
    return BYTES_CACHE.get(("bytes", digest), lambda: open_image_bytes(data, name))


FONT_FIX = "give the path of a .ttf or .otf file"


@functools.lru_cache(maxsize=64)
def _truetype(path: str, mtime_ns: int, size: int) -> Font:
    del mtime_ns  # part of the key: a font file changed on disk is read again
    try:
        return ImageFont.truetype(path, size)
    except (OSError, ValueError) as exc:
        try:
            with Path(path).open("rb"):
                pass
        except PermissionError:
            raise RenderError(
                f"{path}: permission denied reading the font; make it readable or {FONT_FIX}"
            ) from None
        except OSError:
            pass
        raise RenderError(f"{path}: not a font Pillow can read; {FONT_FIX}") from exc


def font_stamp(path: str) -> int:
    """The modification time (ns) of the font file at `path`; RenderError naming it when
    it is missing, a folder or cannot be looked at."""
    try:
        info = Path(path).stat()
    except (FileNotFoundError, NotADirectoryError):
        raise RenderError(f"{path}: no such font file; {FONT_FIX}") from None
    except PermissionError:
        raise RenderError(f"{path}: permission denied; make it readable or {FONT_FIX}") from None
    except (OSError, ValueError) as exc:
        raise RenderError(f"{path}: the font file cannot be read ({exc}); {FONT_FIX}") from None
    if stat.S_ISDIR(info.st_mode):
        raise RenderError(f"{path}: is a folder, not a font; {FONT_FIX}")
    if not stat.S_ISREG(info.st_mode):
        raise RenderError(f"{path}: is not a regular file; {FONT_FIX}")
    return info.st_mtime_ns


def font_at(path: str, size: int, stamp: int | None = None) -> Font:
    """The TTF/OTF font file at `path` at `size` pixels (at least 6), cached by path,
    modification time and size; RenderError names the file when it is missing, a folder,
    unreadable or not a font. `stamp`: `font_stamp(path)`, when already known."""
    return _truetype(path, font_stamp(path) if stamp is None else stamp, max(6, size))


__all__ = [
    "BYTES_CACHE",
    "CAMERA_CACHE",
    "CAMERA_CACHE_BYTES",
    "FONT_FIX",
    "FOOTER_SHARE",
    "MAX_CAMERA_ASPECT",
    "MIN_TEXT_PX",
    "RGB",
    "SLIDE_PAGE",
    "TITLE_BAR_SHARE",
    "Box",
    "Font",
    "PictureCache",
    "check_camera_aspect",
    "draw_label",
    "font",
    "font_at",
    "font_stamp",
    "load_picture",
    "load_picture_bytes",
    "open_image",
    "open_image_bytes",
    "participant_color",
    "shade",
    "synthetic_camera",
]
