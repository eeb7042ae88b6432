"""PNG bytes, and writing them so that no partial file is ever left behind."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image

from layoutkit.errors import RenderError

COMPRESS_LEVEL = 1
_NEW_FILE_MODE = 0o644  # what a plain `open(path, "wb")` gives under the usual umask 022


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
    """Write atomically: a temporary file in the same folder, then a rename over `path`
    (an existing file keeps its permissions). Nothing half-written is ever left."""
    folder = path.parent if str(path.parent) else Path()
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        mode = path.stat().st_mode & 0o777 if path.exists() else _NEW_FILE_MODE
        Path(temp).chmod(mode)
        Path(temp).replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        raise RenderError(f"{path}: cannot write the file ({exc.strerror or exc})") from None


__all__ = ["COMPRESS_LEVEL", "encode_png", "write_bytes", "write_png"]
