"""Pictures that stand for participants: a synthetic camera picture (its own colour and a
framing pattern that makes cropping visible), a shared screen drawn as a slide, or a real
picture loaded from a file or from bytes; and their name labels (in the font chain of
`render.fonts`).

Picture files are held to a budget: measured by their header before anything is decoded
(at most MAX_SOURCE_PIXELS, less for formats that take more memory to decode, only the
IMAGE_FORMATS), and decoded at the size they are drawn (`open_image(max_size=...)`), so a
large logo is held at full size only while it is decoded and every cached copy is small."""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
import stat
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import IO

from PIL import Image, ImageDraw, UnidentifiedImageError

from layoutkit.cameras import MAX_CAMERA_ASPECT
from layoutkit.cameras import check_camera_aspect as _check_shape
from layoutkit.errors import RenderError
from layoutkit.render import fonts, png
from layoutkit.safefiles import kind_of

RGB = tuple[int, int, int]
Size = tuple[int, int]
MAX_SOURCE_PIXELS = 50_000_000
"""The most pixels an image file may have, read from its header before it is decoded."""
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")
"""The formats pictures are read in (Pillow's names; JPEG takes in a camera's MPO). Others are
not even tried: the memory they take to decode is not known here (and Pillow reads EPS
with Ghostscript)."""
DECODE_COST = {"WEBP": 4}
"""Formats that take more memory to decode than a PNG (4 bytes a pixel), how many times;
their pixel budget is MAX_SOURCE_PIXELS divided by it."""
TILE_SIDE = 512  # decoded pixels are converted and reduced a TILE_SIDE² tile at a time
CAMERA_CACHE_BYTES = 64 << 20  # the drawn camera pictures kept for reuse
PICTURE_CACHE_BYTES = 64 << 20  # the decoded picture files kept for reuse
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
    margin = max(2, size // 3)
    stroke = 0 if title_bar is not None else max(1, size // 10)
    for text in texts:
        written = fonts.line(text, size)
        ink = written.bbox(stroke)
        w, h = math.ceil(ink[2] - ink[0]), math.ceil(ink[3])
        if w + 2 * margin > right - left:
            continue
        for x, y, fill in _label_spots(area, w, h, margin, title_bar):
            spot = (x, y, x + w, y + h)
            if any(_overlap(spot, other) for other in avoid):
                continue
            written.draw(
                ImageDraw.Draw(image),
                (x, y),
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


def drawn_size(size: Size, box: Size, *, cover: bool = False) -> Size:
    """The size a picture of `size` is drawn at in a `box`: whole inside it at its own
    shape (`compose.contain`, a logo fitted), or with `cover` the smallest size at its
    shape that covers the box, to be cropped (`compose.cover`); rounded as they round."""
    pw, ph = size
    bw, bh = box
    if cover:
        factor = max(bw / pw, bh / ph)
        return max(bw, round(pw * factor)), max(bh, round(ph * factor))
    factor = min(bw / pw, bh / ph)
    return max(1, round(pw * factor)), max(1, round(ph * factor))


Area = tuple[float, float, float, float]  # left, top, right, bottom


def _drawn_part(size: Size, box: Size | None, cover: bool) -> tuple[Area, Size]:
    """The part of a picture of `size` that shows in `box` (all of it; with `cover`, the
    centre at the box's shape, what `compose.cover` keeps), in its pixels, and the size
    to decode that part at: the size it is drawn at, but never larger than it is."""
    pw, ph = size
    whole: Area = (0.0, 0.0, float(pw), float(ph))
    if box is None:
        return whole, size
    box = max(1, box[0]), max(1, box[1])
    if not cover:
        drawn = drawn_size(size, box)
        return whole, size if drawn[0] >= pw or drawn[1] >= ph else drawn
    bw, bh = box
    factor = max(bw / pw, bh / ph)
    vw, vh = min(pw, bw / factor), min(ph, bh / factor)
    area = ((pw - vw) / 2, (ph - vh) / 2, (pw + vw) / 2, (ph + vh) / 2)
    return area, box if factor < 1 else (max(1, round(vw)), max(1, round(vh)))


def _check_pixels(opened: Image.Image, name: str, noun: str, box: Size | None) -> None:
    """RenderError when the opened picture (its size read from the header, nothing
    decoded yet) is over the budget of its format."""
    w, h = opened.size
    cost = DECODE_COST.get(opened.format or "", 1)
    limit = MAX_SOURCE_PIXELS // cost
    if w * h <= limit:
        return
    kind = _FORMAT_TITLES.get(opened.format or "", opened.format)
    why = f" for a {kind} image, which takes {cost} times the memory to decode" if cost > 1 else ""
    raise RenderError(
        f"{name}: the {noun} is {w}×{h} pixels, over the limit of "
        f"{limit / 1_000_000:g} megapixels{why}; {_shrink_hint(box)}"
    )


_FORMAT_TITLES = {"WEBP": "WebP"}


def _shrink_hint(box: Size | None) -> str:
    drawn = f", {box[0]}×{box[1]} px" if box is not None else ""
    return f"save a smaller copy (about the size it is drawn at{drawn}) and use that"


def _pixel_area(area: Area, size: Size) -> Box:
    """`area` in whole pixels of a picture of `size`, inside it and at least 1×1."""
    w, h = size
    left, top = min(max(0, round(area[0])), w - 1), min(max(0, round(area[1])), h - 1)
    right, bottom = max(left + 1, min(w, round(area[2]))), max(top + 1, min(h, round(area[3])))
    return left, top, right, bottom


def _factor(have: int, want: int) -> int:
    """The whole factor a side of `have` pixels is reduced by towards `want` (never
    under it), at most TILE_SIDE."""
    return max(1, min(have // want, TILE_SIDE))


def _reduce_part(image: Image.Image, area: Box, size: Size, mode: str) -> Image.Image:
    """The `area` of a decoded picture in `mode`, reduced by whole factors towards `size`
    (each pixel the mean of a block; never under `size`): a tile of at most TILE_SIDE²
    pixels at a time is cut, converted and reduced, so the only full-size picture held
    is the decoded one."""
    left, top, right, bottom = area
    kx, ky = _factor(right - left, size[0]), _factor(bottom - top, size[1])
    cols, rows = kx * max(1, TILE_SIDE // kx), ky * max(1, TILE_SIDE // ky)
    out = Image.new(mode, (-(-(right - left) // kx), -(-(bottom - top) // ky)))
    for y in range(top, bottom, rows):
        for x in range(left, right, cols):
            tile = image.crop((x, y, min(right, x + cols), min(bottom, y + rows))).convert(mode)
            if (kx, ky) != (1, 1):
                tile = tile.reduce((kx, ky))
            out.paste(tile, ((x - left) // kx, (y - top) // ky))
    return out


def _decode(
    opened: Image.Image,
    name: str,
    mode: str,
    noun: str,
    box: Size | None,
    cover: bool,
    file: IO[bytes] | None = None,
) -> tuple[Image.Image, Size]:
    """An opened (not yet decoded) picture checked against the budget by its header,
    then decoded: a JPEG by its decoder at a half, quarter or eighth of its size when
    that is still as large as it is drawn (`draft`), a PNG a strip of rows at a time
    (`png.reduced`), then what shows in `box` reduced (`_reduce_part`). Returns it
    and the size to resample it to, once the full-size picture is let go."""
    _check_pixels(opened, name, noun, box)
    whole = opened.size
    area, size = _drawn_part(whole, box, cover)
    if size != whole and opened.format == "JPEG":
        aw, ah = area[2] - area[0], area[3] - area[1]
        opened.draft(None, (math.ceil(whole[0] * size[0] / aw), math.ceil(whole[1] * size[1] / ah)))
        sx, sy = opened.size[0] / whole[0], opened.size[1] / whole[1]
        area = (area[0] * sx, area[1] * sy, area[2] * sx, area[3] * sy)
    elif opened.format == "PNG" and file is not None:
        part = _pixel_area(area, whole)
        factors = _factor(part[2] - part[0], size[0]), _factor(part[3] - part[1], size[1])
        by_strips = png.reduced(file, part, factors, mode)
        if by_strips is not None:
            return by_strips, size
    opened.load()
    part = _pixel_area(area, opened.size)
    if part == (0, 0, *opened.size) and opened.mode == mode and size == opened.size:
        return opened, size
    return _reduce_part(opened, part, size, mode), size


def _resampled(image: Image.Image, size: Size) -> Image.Image:
    return image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)


def _open_errors(
    name: str, noun: str, a_noun: str, exc: Exception, box: Size | None
) -> RenderError:
    """The RenderError for what Pillow raised opening or decoding a picture."""
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return RenderError(
            f"{name}: the {noun} is far over the limit of "
            f"{MAX_SOURCE_PIXELS / 1_000_000:g} megapixels; {_shrink_hint(box)}"
        )
    return RenderError(f"{name}: not {a_noun} Pillow can read as {_FORMAT_NAMES}")


_FORMAT_NAMES = "PNG, JPEG, BMP, GIF, TIFF or WebP"
_PILLOW_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,  # when warnings are errors; over the budget anyway
    OSError,
    ValueError,
    SyntaxError,
)


def _check_file(path: Path, noun: str, a_noun: str) -> None:
    """RenderError unless `path` is a regular file (a FIFO, a device or a socket is
    refused before it is opened: reading one could wait forever)."""
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


def open_image(
    path: Path,
    mode: str = "RGB",
    noun: str = "picture",
    a_noun: str = "a picture",
    *,
    max_size: Size | None = None,
    cover: bool = False,
) -> Image.Image:
    """A local image converted to `mode`; RenderError names the file (and calls it
    `noun`) when it is missing, a folder, unreadable, not an image in one of
    IMAGE_FORMATS or over the pixel budget (read from its header, before decoding); a
    FIFO, a device or a socket is refused before it is opened.

    `max_size`: the box it is drawn in. It is then decoded at the size it is drawn
    (`drawn_size`), never larger than it is: all of it fitted inside the box, or with
    `cover` the part that covers the box, at the box's size; so a 7000×7000 logo drawn
    at 300×100 is held at full size only while it is decoded."""
    _check_file(path, noun, a_noun)
    try:
        # from a file object, so Pillow never maps the file into memory (a file truncated
        # while mapped would crash the process)
        with Path(path).open("rb") as file:
            return _load(file, str(path), mode, noun, a_noun, max_size, cover)
    except FileNotFoundError:
        raise RenderError(f"{path}: no such {noun} file") from None
    except IsADirectoryError:
        raise RenderError(f"{path}: is a folder, not {a_noun}") from None
    except PermissionError:
        raise RenderError(f"{path}: permission denied") from None
    except OSError as exc:  # opening it failed otherwise
        raise _open_errors(str(path), noun, a_noun, exc, max_size) from None


def open_image_bytes(
    data: bytes,
    name: str,
    mode: str = "RGB",
    noun: str = "picture",
    a_noun: str = "a picture",
    *,
    max_size: Size | None = None,
    cover: bool = False,
) -> Image.Image:
    """An encoded image (PNG, JPEG, BMP, ...) held in memory, converted to `mode`; the
    same limits, messages and `max_size` as `open_image`, naming the image `name` (its
    URL)."""
    return _load(io.BytesIO(data), name, mode, noun, a_noun, max_size, cover)


def _load(
    file: IO[bytes], name: str, mode: str, noun: str, a_noun: str, box: Size | None, cover: bool
) -> Image.Image:
    """What `open_image` and `open_image_bytes` do once they hold the encoded picture:
    open, check and decode it (`_decode`) and resample it to the size it is drawn at;
    RenderError naming it `name` for what Pillow raises."""
    try:
        with _open(file) as opened:
            image, size = _decode(opened, name, mode, noun, box, cover, file)
        return _resampled(image, size)
    except _PILLOW_ERRORS as exc:
        raise _open_errors(name, noun, a_noun, exc, box) from None


def _open(file: IO[bytes]) -> Image.Image:
    """`Image.open` in IMAGE_FORMATS, without Pillow's DecompressionBombWarning on the
    main thread (the command line): a picture that large is over MAX_SOURCE_PIXELS,
    refused just after with a clearer message. Not on other threads: catching warnings
    is not thread-safe."""
    if threading.current_thread() is not threading.main_thread():
        return Image.open(file, formats=IMAGE_FORMATS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(file, formats=IMAGE_FORMATS)


PICTURES = PictureCache(max_bytes=PICTURE_CACHE_BYTES)
"""Pictures decoded from files, by path, modification time, size and drawn size."""


def load_picture(path: Path, max_size: Size | None = None, *, cover: bool = False) -> Image.Image:
    """A local picture as RGB, decoded at the size it is drawn in `max_size` (see
    `open_image`); cached by its path, modification time and byte size (a file changed
    on disk is read again) and the drawn size: treat it as read-only. RenderError names
    the file when it cannot be used."""
    try:
        info = Path(path).stat()
        stamp = info.st_mtime_ns, info.st_size
    except (OSError, ValueError):
        stamp = -1, -1  # opening it says what is wrong
    key = ("file", str(Path(path).absolute()), *stamp, max_size, cover)
    return PICTURES.get(key, lambda: open_image(path, max_size=max_size, cover=cover))


BYTES_CACHE = PictureCache(max_bytes=32 << 20)
"""Pictures decoded from bytes, by the bytes' hash (a preview may draw one card often)."""


def load_picture_bytes(
    data: bytes, name: str, max_size: Size | None = None, *, cover: bool = False
) -> Image.Image:
    """An encoded picture held in memory as RGB, decoded at the size it is drawn in
    `max_size` (see `open_image`; cached by a hash of the bytes and the drawn size:
    treat it as read-only); RenderError names it `name` (its URL) when it cannot be
    used."""
    digest = hashlib.blake2b(data, digest_size=20).digest()
    key = ("bytes", digest, max_size, cover)
    return BYTES_CACHE.get(
        key, lambda: open_image_bytes(data, name, max_size=max_size, cover=cover)
    )


__all__ = [
    "BYTES_CACHE",
    "CAMERA_CACHE",
    "CAMERA_CACHE_BYTES",
    "DECODE_COST",
    "FOOTER_SHARE",
    "IMAGE_FORMATS",
    "MAX_CAMERA_ASPECT",
    "MAX_SOURCE_PIXELS",
    "MIN_TEXT_PX",
    "PICTURES",
    "PICTURE_CACHE_BYTES",
    "RGB",
    "SLIDE_PAGE",
    "TILE_SIDE",
    "TITLE_BAR_SHARE",
    "Box",
    "PictureCache",
    "Size",
    "check_camera_aspect",
    "draw_label",
    "drawn_size",
    "load_picture",
    "load_picture_bytes",
    "open_image",
    "open_image_bytes",
    "participant_color",
    "shade",
    "synthetic_camera",
]
