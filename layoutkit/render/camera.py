"""Pictures that stand for participants: a synthetic camera picture per uid (its own
colour, a framing pattern that makes cropping visible, its uid or role), or a real
picture loaded from a file; and the fonts used to label them."""

from __future__ import annotations

import colorsys
import functools
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from layoutkit.errors import RenderError

RGB = tuple[int, int, int]
MAX_SOURCE_PIXELS = 50_000_000
CAMERA_CACHE_BYTES = 64 << 20  # the drawn camera pictures kept for reuse
MAX_CAMERA_ASPECT = 16.0  # camera shapes from 1:16 to 16:1; beyond that is a typo


def check_camera_aspect(aspect: float) -> float:
    """A camera's width/height, or RenderError when it is not a plausible shape."""
    if not (1 / MAX_CAMERA_ASPECT <= aspect <= MAX_CAMERA_ASPECT):
        raise RenderError(
            f"a camera shape of {aspect:.4g}:1 is outside 1:{MAX_CAMERA_ASPECT:g} to "
            f"{MAX_CAMERA_ASPECT:g}:1; give W:H like 16:9 or 9:16"
        )
    return aspect


_GOLDEN = 0.618033988749895


def participant_color(uid: str) -> RGB:
    """A stable colour per uid: hues spread by the golden ratio (neighbouring uids
    differ), medium saturation, never dark."""
    seed = int(uid) if uid.isdigit() else zlib.crc32(uid.encode("utf-8"))
    hue = (seed * _GOLDEN) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.55, 0.88)
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


@functools.lru_cache(maxsize=32)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in font at `size` pixels (no font files needed)."""
    return ImageFont.load_default(size=max(6, size))


class PictureCache:
    """Recently drawn camera pictures, bounded by their bytes (not their number: one
    full-HD picture weighs as much as a thousand thumbnails). Thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[tuple[str, str, int, int], Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, int, int], make: Callable[[], Image.Image]) -> Image.Image:
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


def synthetic_camera(uid: str, label: str, width: int, height: int) -> Image.Image:
    """A camera picture of `width`×`height` for `uid` (cached: treat it as read-only)."""
    return CAMERA_CACHE.get((uid, label, width, height), lambda: _draw(uid, label, width, height))


def _draw(uid: str, label: str, width: int, height: int) -> Image.Image:
    """A camera picture of `width`×`height` for `uid`.

    The pattern: a darker band along every edge and white corner marks (cropping cuts
    them away), a lighter head-and-shoulders shape above and below the centre, short
    centre-cross arms that stop before the centre, the uid (and role) in the lower third.
    The exact centre keeps the participant's colour, so tests can find it.
    """
    base = participant_color(uid)
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
    draw.ellipse((cx - short * 0.38, cy + short * 0.16, cx + short * 0.38, cy + short * 0.9), light)
    arm, gap, line = short * 0.12, short * 0.06, max(1, round(short * 0.012))
    white = (255, 255, 255)
    for x0, y0, x1, y1 in (
        (cx - gap - arm, cy, cx - gap, cy),
        (cx + gap, cy, cx + gap + arm, cy),
        (cx, cy - gap - arm, cx, cy - gap),
        (cx, cy + gap, cx, cy + gap + arm),
    ):
        draw.line((x0, y0, x1, y1), fill=white, width=line)
    mark = short * 0.12
    inset = band + max(1, round(short * 0.02))
    for sx, sy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        x = inset if sx == 0 else width - 1 - inset
        y = inset if sy == 0 else height - 1 - inset
        dx = mark if sx == 0 else -mark
        dy = mark if sy == 0 else -mark
        draw.line((x, y, x + dx, y), fill=white, width=line * 2)
        draw.line((x, y, x, y + dy), fill=white, width=line * 2)
    text = uid if not label else f"{label} · {uid}"
    size = max(8, round(short * 0.09))
    draw.text(
        (cx, cy + short * 0.30),
        text,
        font=font(size),
        fill=white,
        anchor="mm",
        stroke_width=max(1, size // 10),
        stroke_fill=shade(base, 0.35),
    )
    return image


@functools.lru_cache(maxsize=32)
def load_picture(path: Path) -> Image.Image:
    """A local picture as RGB; RenderError names the file when it cannot be used."""
    try:
        with Image.open(path) as opened:
            w, h = opened.size
            if w * h > MAX_SOURCE_PIXELS:
                raise RenderError(
                    f"{path}: the picture is {w}×{h}; pictures are limited to "
                    f"{MAX_SOURCE_PIXELS // 1_000_000} megapixels"
                )
            return opened.convert("RGB")
    except FileNotFoundError:
        raise RenderError(f"{path}: no such picture file") from None
    except IsADirectoryError:
        raise RenderError(f"{path}: is a folder, not a picture") from None
    except PermissionError:
        raise RenderError(f"{path}: permission denied") from None
    except Image.DecompressionBombError as exc:
        raise RenderError(f"{path}: the picture is too large to open safely") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise RenderError(f"{path}: not a picture Pillow can read (PNG, JPEG, BMP, ...)") from exc


__all__ = [
    "CAMERA_CACHE",
    "CAMERA_CACHE_BYTES",
    "MAX_CAMERA_ASPECT",
    "RGB",
    "PictureCache",
    "check_camera_aspect",
    "font",
    "load_picture",
    "participant_color",
    "shade",
    "synthetic_camera",
]
