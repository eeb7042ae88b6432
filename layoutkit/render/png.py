"""PNG bytes, and writing them so that no partial file is ever left behind."""

from __future__ import annotations

import io
from pathlib import Path

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


__all__ = ["COMPRESS_LEVEL", "encode_png", "write_bytes", "write_png"]
