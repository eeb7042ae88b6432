"""PNG bytes, and writing them so that no partial file is ever left behind; and a large
PNG decoded a strip of rows at a time (`reduced`), so that the whole picture is never held
(Pillow decodes a PNG whole: a 7000×7000 logo with alpha is 196 MB)."""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from PIL import Image

from layoutkit.safefiles import write_atomic

COMPRESS_LEVEL = 1


def encode_png(image: Image.Image) -> bytes:
    """The picture as PNG bytes (fast compression: previews are written often)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=COMPRESS_LEVEL)
    return buffer.getvalue()


def write_png(path: Path, image_or_bytes: Image.Image | bytes) -> None:
    """Write a PNG atomically (see `write_bytes`)."""
    data = image_or_bytes if isinstance(image_or_bytes, bytes) else encode_png(image_or_bytes)
    write_bytes(path, data)


def write_bytes(path: Path, data: bytes) -> None:
    """Write atomically (`layoutkit.safefiles.write_atomic`): a temporary file next to the
    final file, then a rename over it; an existing file keeps its permissions, a symlink
    is written through, a FIFO, device or folder is refused. Nothing half-written is left."""
    write_atomic(path, data)


SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples a pixel (8-bit depth)
KEPT = (b"PLTE", b"tRNS")  # chunks the strips need to decode as the whole would
READ_BYTES = 1 << 16  # compressed bytes read at a time
MAX_INFLATE = 1 << 22  # most bytes inflated from one read (a zlib bomb grows no further)
STRIP_BYTES = 2 << 20  # the rows decoded at a time, about
Box = tuple[int, int, int, int]


class _Header:
    """What IHDR says, and the chunks each strip takes with it."""

    def __init__(self, ihdr: bytes) -> None:
        self.width, self.height, self.depth, self.colour, _, _, self.interlace = struct.unpack(
            ">IIBBBBB", ihdr
        )
        self.ihdr = ihdr
        self.kept: list[bytes] = []

    @property
    def supported(self) -> bool:
        return self.depth == 8 and self.colour in CHANNELS and self.interlace == 0

    @property
    def row_bytes(self) -> int:
        return 1 + int(self.width) * CHANNELS[self.colour]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _chunks(file: IO[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each chunk's type and length, the file left at its data; the caller reads or
    skips the data (`_skip` reads past what it left, and the CRC)."""
    while True:
        head = file.read(8)
        if len(head) < 8:
            return
        length, kind = struct.unpack(">I4s", head)
        start = file.tell()
        yield kind, length
        file.seek(start + length + 4)


def _idat_pieces(file: IO[bytes], header: _Header) -> Iterator[bytes]:
    """The compressed pixel data, a piece at a time; the header's kept chunks read on
    the way (they come before the first IDAT)."""
    for kind, length in _chunks(file):
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


def _raw_rows(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The inflated pixel data, never more than MAX_INFLATE bytes at a time; ValueError
    when it is not a zlib stream."""
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
    """The header of the PNG at the start of `file`, or None when it is not a PNG this
    module decodes; the file is left after IHDR."""
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
    """The picture's rows from the top, decoded a strip of each of `heights` rows at a
    time (it stops when the heights do); the file is left after IHDR by `read_header`.
    Raises ValueError when the data ends early or is not a zlib stream."""
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
    to its mean (as `Image.reduce` does), decoded a strip at a time; None for a PNG this
    module does not decode (read it whole)."""
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
