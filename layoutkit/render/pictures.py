"""Picture files and encoded images, read under a budget: measured by their header before
anything is decoded (at most MAX_SOURCE_PIXELS, less for formats that take more memory,
only IMAGE_FORMATS), then decoded at the size they are drawn (a JPEG by its decoder, a PNG
a strip of rows at a time), so a large logo is never held whole for long; and the caches
of what was decoded or drawn, bounded by bytes."""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import stat
import struct
import threading
import warnings
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from PIL import Image, UnidentifiedImageError

from layoutkit.errors import RenderError
from layoutkit.safefiles import kind_of

Size = tuple[int, int]
Box = tuple[int, int, int, int]
Area = tuple[float, float, float, float]  # left, top, right, bottom
MAX_SOURCE_PIXELS = 50_000_000
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")  # Pillow's names; not EPS
DECODE_COST = {"WEBP": 4}  # times a PNG's memory to decode: the budget is divided by it
TILE_SIDE = 512  # decoded pixels are converted and reduced a TILE_SIDE² tile at a time
_FORMAT_NAMES = "PNG, JPEG, BMP, GIF, TIFF or WebP"
V = TypeVar("V")
_PILLOW_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,  # when warnings are errors; over the budget anyway
    OSError,
    ValueError,
    SyntaxError,
)


class PictureCache:
    """Recently made values by key, bounded by their `weight` in bytes (a picture's by
    default); a value heavier than the whole cache is not kept. Thread-safe."""

    def __init__(self, max_bytes: int, weight: Callable[[Any], int] | None = None) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._weight: Callable[[Any], int] = weight or _picture_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return cast(V, found[0])
        value = make()
        size = self._weight(value)
        if size > self.max_bytes:
            return value
        with self._lock:
            if key not in self._items:
                self._items[key] = value, size
                self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, old) = self._items.popitem(last=False)
                self.bytes -= old
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0


def _picture_bytes(image: Image.Image) -> int:
    return len(image.getbands()) * image.width * image.height


PICTURES = PictureCache(max_bytes=64 << 20)
"""Pictures decoded from files (by path, mtime and size) or bytes (by hash), and drawn size."""


def drawn_size(size: Size, box: Size, *, cover: bool = False) -> Size:
    """The size a picture of `size` is drawn at in `box`: fitted whole inside it, or with
    `cover` the smallest size at its shape that covers it (to be cropped)."""
    pw, ph = size
    bw, bh = box
    if cover:
        factor = max(bw / pw, bh / ph)
        return max(bw, round(pw * factor)), max(bh, round(ph * factor))
    factor = min(bw / pw, bh / ph)
    return max(1, round(pw * factor)), max(1, round(ph * factor))


def cover(picture: Image.Image, size: Size) -> Image.Image:
    """Scaled to cover `size`, the centre cropped (Agora's render_mode 0)."""
    w, h = size
    sw, sh = drawn_size(picture.size, size, cover=True)
    scaled = (
        picture if (sw, sh) == picture.size else picture.resize((sw, sh), Image.Resampling.BILINEAR)
    )
    left, top = (sw - w) // 2, (sh - h) // 2
    return scaled.crop((left, top, left + w, top + h))


def contain(picture: Image.Image, size: Size) -> Image.Image:
    """Scaled to fit inside `size`, centred on black (Agora's render_mode 1)."""
    sw, sh = drawn_size(picture.size, size)
    tile = Image.new("RGB", size, (0, 0, 0))
    at = ((size[0] - sw) // 2, (size[1] - sh) // 2)
    tile.paste(picture.resize((sw, sh), Image.Resampling.BILINEAR), at)
    return tile


def _drawn_part(size: Size, box: Size | None, cover: bool) -> tuple[Area, Size]:
    """The part of a picture of `size` that shows in `box` (all of it, or with `cover`
    the centre at the box's shape), and the size to decode it at (never larger)."""
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
    """RenderError when the opened picture (nothing decoded yet) is over its budget."""
    w, h = opened.size
    cost = DECODE_COST.get(opened.format or "", 1)
    limit = MAX_SOURCE_PIXELS // cost
    if w * h <= limit:
        return
    kind = {"WEBP": "WebP"}.get(opened.format or "", opened.format)
    why = f" for a {kind} image, which takes {cost} times the memory to decode" if cost > 1 else ""
    raise RenderError(
        f"{name}: the {noun} is {w}×{h} pixels, over the limit of "
        f"{limit / 1_000_000:g} megapixels{why}; {_shrink_hint(box)}"
    )


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
    """The whole factor `have` pixels are reduced by towards `want` (never under it)."""
    return max(1, min(have // want, TILE_SIDE))


def _reduce_part(image: Image.Image, area: Box, size: Size, mode: str) -> Image.Image:
    """The `area` of a decoded picture in `mode`, reduced by whole factors towards `size`,
    a tile at a time, so the only full-size picture held is the decoded one."""
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
    file: IO[bytes],
    name: str,
    mode: str,
    noun: str,
    box: Size | None,
    cover: bool,
) -> tuple[Image.Image, Size]:
    """The opened picture checked by its header, then decoded (a JPEG by `draft`, a PNG
    by strips, the part that shows reduced); it and the size to resample it to."""
    _check_pixels(opened, name, noun, box)
    whole = opened.size
    area, size = _drawn_part(whole, box, cover)
    if size != whole and opened.format == "JPEG":
        aw, ah = area[2] - area[0], area[3] - area[1]
        opened.draft(None, (math.ceil(whole[0] * size[0] / aw), math.ceil(whole[1] * size[1] / ah)))
        sx, sy = opened.size[0] / whole[0], opened.size[1] / whole[1]
        area = (area[0] * sx, area[1] * sy, area[2] * sx, area[3] * sy)
    elif opened.format == "PNG":
        part = _pixel_area(area, whole)
        factors = _factor(part[2] - part[0], size[0]), _factor(part[3] - part[1], size[1])
        by_strips = reduced(file, part, factors, mode)
        if by_strips is not None:
            return by_strips, size
    opened.load()
    part = _pixel_area(area, opened.size)
    if part == (0, 0, *opened.size) and opened.mode == mode and size == opened.size:
        return opened, size
    return _reduce_part(opened, part, size, mode), size


def _open_error(name: str, noun: str, a_noun: str, exc: Exception, box: Size | None) -> RenderError:
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return RenderError(
            f"{name}: the {noun} is far over the limit of "
            f"{MAX_SOURCE_PIXELS / 1_000_000:g} megapixels; {_shrink_hint(box)}"
        )
    return RenderError(f"{name}: not {a_noun} Pillow can read as {_FORMAT_NAMES}")


def _check_file(path: Path, noun: str, a_noun: str) -> None:
    """RenderError unless `path` is a regular file (a FIFO could block forever)."""
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
    source: Path | bytes,
    mode: str = "RGB",
    noun: str = "picture",
    a_noun: str = "a picture",
    *,
    name: str = "",
    max_size: Size | None = None,
    cover: bool = False,
) -> Image.Image:
    """A local image file, or encoded bytes named `name` (a URL), in `mode`; RenderError
    naming it when it cannot be used or is over the pixel budget. `max_size`: the box it
    is drawn in; it is decoded at the size drawn there (fitted, or with `cover` the part
    covering the box), never larger than it is."""
    if isinstance(source, bytes):
        return _load(io.BytesIO(source), name, mode, (noun, a_noun), max_size, cover)
    _check_file(source, noun, a_noun)
    try:  # from a file object: never mapped into memory (truncated while mapped: a crash)
        with Path(source).open("rb") as file:
            return _load(file, str(source), mode, (noun, a_noun), max_size, cover)
    except FileNotFoundError:
        raise RenderError(f"{source}: no such {noun} file") from None
    except IsADirectoryError:
        raise RenderError(f"{source}: is a folder, not {a_noun}") from None
    except PermissionError:
        raise RenderError(f"{source}: permission denied") from None
    except OSError as exc:
        raise _open_error(str(source), noun, a_noun, exc, max_size) from None


def _load(
    file: IO[bytes], name: str, mode: str, nouns: tuple[str, str], box: Size | None, cover: bool
) -> Image.Image:
    try:
        with _open(file) as opened:
            image, size = _decode(opened, file, name, mode, nouns[0], box, cover)
        return image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)
    except _PILLOW_ERRORS as exc:
        raise _open_error(name, *nouns, exc, box) from None


def _open(file: IO[bytes]) -> Image.Image:
    """`Image.open`, without the DecompressionBombWarning on the main thread (the picture
    is refused just after, more clearly); elsewhere catching warnings is not thread-safe."""
    if threading.current_thread() is not threading.main_thread():
        return Image.open(file, formats=IMAGE_FORMATS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(file, formats=IMAGE_FORMATS)


def load_picture(
    source: Path | bytes,
    max_size: Size | None = None,
    *,
    cover: bool = False,
    name: str = "",
    mode: str = "RGB",
    nouns: tuple[str, str] = ("picture", "a picture"),
) -> Image.Image:
    """`open_image`, cached (treat it as read-only): a file by its path, modification
    time and size, bytes by their hash; and how it is drawn."""
    if isinstance(source, bytes):
        key: tuple[object, ...] = ("bytes", hashlib.blake2b(source, digest_size=20).digest())
    else:
        try:
            info = Path(source).stat()
            key = ("file", str(Path(source).absolute()), info.st_mtime_ns, info.st_size)
        except (OSError, ValueError):
            key = ("file", str(Path(source).absolute()))  # opening it says what is wrong
    return PICTURES.get(
        (*key, max_size, cover, mode, nouns),
        lambda: open_image(source, mode, *nouns, name=name, max_size=max_size, cover=cover),
    )


def fitted(source: Path | bytes, size: Size, fit: str = "crop", name: str = "") -> Image.Image:
    """The picture at `size` as Agora draws it: covering it (`crop`) or inside it (`fit`)."""
    picture = load_picture(source, size, cover=fit != "fit", name=name)
    return contain(picture, size) if fit == "fit" else cover(picture, size)


SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples a pixel (8-bit depth)
KEPT = (b"PLTE", b"tRNS")  # chunks the strips need to decode as the whole would
READ_BYTES = 1 << 16  # compressed bytes read at a time
MAX_INFLATE = 1 << 22  # most bytes inflated from one read (a zlib bomb grows no further)
STRIP_BYTES = 2 << 20  # the rows decoded at a time, about


class _Header:
    """What a PNG's IHDR says, and the chunks each strip takes with it."""

    def __init__(self, ihdr: bytes) -> None:
        self.width, self.height, self.depth, self.colour, _, _, self.interlace = struct.unpack(
            ">IIBBBBB", ihdr
        )
        self.ihdr = ihdr
        self.kept: list[bytes] = []
        self.supported = self.depth == 8 and self.colour in CHANNELS and self.interlace == 0
        self.row_bytes = 1 + int(self.width) * CHANNELS.get(self.colour, 0)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _idat_pieces(file: IO[bytes], header: _Header) -> Iterator[bytes]:
    """The compressed pixel data, a piece at a time; the kept chunks read on the way."""
    while True:
        head = file.read(8)
        if len(head) < 8:
            return
        length, kind = struct.unpack(">I4s", head)
        start = file.tell()
        if kind in KEPT:
            header.kept.append(_chunk(kind, file.read(length)))
        elif kind == b"IDAT":
            left = length
            while left > 0:
                piece = file.read(min(READ_BYTES, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece
        elif kind == b"IEND":
            return
        file.seek(start + length + 4)


def _raw_rows(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The inflated pixel data, at most MAX_INFLATE bytes at a time; ValueError when
    damaged."""
    inflate = zlib.decompressobj()
    try:
        for piece in pieces:
            data = inflate.decompress(piece, MAX_INFLATE)
            while data:
                yield data
                data = inflate.decompress(inflate.unconsumed_tail, MAX_INFLATE)
    except zlib.error as exc:
        raise ValueError(f"the PNG's pixel data is damaged ({exc})") from None


def _strip(header: _Header, above: bytes | None, rows: bytes) -> Image.Image:
    """`rows` (filtered, as in the file) decoded by Pillow, led by the row `above` them."""
    lead = b"\x00" + above if above is not None else b""
    height = (len(lead) + len(rows)) // header.row_bytes
    ihdr = struct.pack(">II", header.width, height) + header.ihdr[8:]
    png = b"".join(
        (
            SIGNATURE,
            _chunk(b"IHDR", ihdr),
            *header.kept,
            _chunk(b"IDAT", zlib.compress(lead + rows, 0)),
            _chunk(b"IEND", b""),
        )
    )
    image = Image.open(io.BytesIO(png), formats=("PNG",))
    image.load()
    if above is None:
        return image
    return image.crop((0, 1, header.width, height))


def read_header(file: IO[bytes]) -> _Header | None:
    """The header of the PNG `file`, or None when it is not one decoded by strips; the
    file is left after IHDR."""
    file.seek(0)
    if file.read(8) != SIGNATURE:
        return None
    head = file.read(8)
    if len(head) < 8 or head[4:] != b"IHDR" or struct.unpack(">I", head[:4])[0] != 13:
        return None
    ihdr = file.read(13)
    if len(ihdr) < 13:
        return None
    header = _Header(ihdr)
    file.read(4)  # its CRC: Pillow checked it when it opened the file
    return header if header.supported else None


def strips(file: IO[bytes], header: _Header, heights: Iterable[int]) -> Iterator[Image.Image]:
    """The picture's rows from the top, a strip of each of `heights` rows at a time;
    ValueError when the data ends early or is damaged."""
    row = header.row_bytes
    raw = _raw_rows(_idat_pieces(file, header))
    buffered = bytearray()
    above: bytes | None = None
    for height in heights:
        while len(buffered) < height * row:
            more = next(raw, None)
            if more is None:
                raise ValueError("the PNG's pixel data ends early")
            buffered += more
        strip = _strip(header, above, bytes(buffered[: height * row]))
        del buffered[: height * row]
        above = strip.crop((0, height - 1, header.width, height)).tobytes()
        yield strip


def reduced(file: IO[bytes], part: Box, factors: tuple[int, int], mode: str) -> Image.Image | None:
    """The `part` of the PNG in `file`, in `mode`, each block of `factors` pixels reduced
    to its mean, decoded a strip at a time (Pillow decodes a PNG whole: a 7000×7000 logo
    is 196 MB); None for a PNG not decoded so."""
    header = read_header(file)
    if header is None:
        return None
    left, top, right, bottom = part
    kx, ky = factors
    rows = max(1, STRIP_BYTES // header.row_bytes)
    step = ky * max(1, rows // ky)
    skipped = [rows] * (top // rows) + ([top % rows] if top % rows else [])
    heights = skipped + [min(step, bottom - y) for y in range(top, bottom, step)]
    out = Image.new(mode, (-(-(right - left) // kx), -(-(bottom - top) // ky)))
    y = top
    for strip in itertools.islice(strips(file, header, heights), len(skipped), None):
        tile = strip.crop((left, 0, right, strip.height)).convert(mode)
        out.paste(tile.reduce(factors) if factors != (1, 1) else tile, (0, (y - top) // ky))
        y += strip.height
    return out
