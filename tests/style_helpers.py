"""What the style image tests share: a small canvas, colours, pixel reads, plans."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

from layoutkit.render.fonts import STYLE_FONT
from layoutkit.styleplan import CardPlan, Mark, StylePlan

W, H = 320, 180
BG = "#101820"
RED, GREEN, BLUE, WHITE = "#FF0000", "#00FF00", "#0000FF", "#FFFFFF"
RGB = tuple[int, int, int]


def pixel(image: Image.Image, x: int, y: int) -> RGB:
    value = image.getpixel((x, y))
    assert isinstance(value, tuple)
    return value[0], value[1], value[2]


def close(a: RGB, b: RGB, tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def plan(*marks: Mark, cards: tuple[CardPlan, ...] = ()) -> StylePlan:
    return StylePlan(W, H, BG, marks, cards)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image.convert("RGB")


def make_images(folder: Path) -> dict[str, Path]:
    """A red 40×20 PNG, a logo with a transparent corner, a file that is not an image."""
    wide = folder / "wide.png"
    Image.new("RGB", (40, 20), (255, 0, 0)).save(wide)
    logo = folder / "logo.png"
    picture = Image.new("RGBA", (20, 20), (0, 0, 255, 255))
    picture.paste((0, 0, 0, 0), (0, 0, 10, 10))
    picture.save(logo)
    text = folder / "notes.png"
    text.write_text("not a picture", encoding="utf-8")
    return {"wide": wide, "logo": logo, "text": text}


def tables(font: bytes) -> dict[str, tuple[int, int]]:
    """The font's table directory: tag -> (offset, length)."""
    count = struct.unpack(">H", font[4:6])[0]
    found = {}
    for index in range(count):
        entry = font[12 + 16 * index : 28 + 16 * index]
        tag, _checksum, offset, length = struct.unpack(">4sIII", entry)
        found[tag.decode("latin-1")] = (offset, length)
    return found


def damaged_font(path: Path, first_glyph: int = 0) -> Path:
    """A copy of the shipped DejaVu Sans whose glyph data (the `glyf` table) is
    overwritten with 0xFF from glyph `first_glyph` on (its offset read from `loca`)."""
    font = bytearray(Path(STYLE_FONT).read_bytes())
    found = tables(bytes(font))
    head, _ = found["head"]
    long_offsets = struct.unpack(">h", font[head + 50 : head + 52])[0] == 1
    loca, _ = found["loca"]
    if long_offsets:
        start = struct.unpack(">I", font[loca + 4 * first_glyph : loca + 4 * first_glyph + 4])[0]
    else:
        start = (
            2 * struct.unpack(">H", font[loca + 2 * first_glyph : loca + 2 * first_glyph + 2])[0]
        )
    glyf, length = found["glyf"]
    font[glyf + start : glyf + length] = b"\xff" * (length - start)
    path.write_bytes(font)
    return path


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def write_png(path: Path, width: int, height: int, row: bytes | None = None) -> None:
    """An RGBA PNG written a row at a time (no full-size picture in the test's memory):
    every row `row` (width × 4 bytes), or, with no row, a header and no pixel data
    (what Pillow reads before decoding is all there is)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    packer = zlib.compressobj(1)
    data = b""
    if row is not None:
        assert len(row) == width * 4
        line = b"\0" + row
        data = b"".join(packer.compress(line) for _ in range(height)) + packer.flush()
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data or zlib.compress(b"\0"))
        + _chunk(b"IEND", b"")
    )
