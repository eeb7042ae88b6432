"""Agora's advice on the recorded video, for warnings (never errors): the frame rates it
supports, the bitrate it recommends for a canvas and frame rate, and what it requires of
background image URLs.

Source: docs.agora.io/en/cloud-recording/develop/recording-video-profile ("Set the video
profile", AgoraIO/Docs-Source cloud-recording/develop/recording-video-profile.md) and the
start reference (backgroundConfig.image_url: HTTPS, JPG or BMP, at most 6 MB).
"""

from __future__ import annotations

from bisect import bisect_right
from urllib.parse import urlsplit

SUPPORTED_FPS = (1, 7, 10, 15, 24, 30, 60)
"""The frame rates Agora records at; any other fps falls back to the default, 15."""
# Agora's defaults for what transcodingConfig leaves out (start reference)
DEFAULT_WIDTH = 360
DEFAULT_HEIGHT = 640
MAX_REGIONS = 17
"""The most users Agora draws in one composite picture: regions of a custom layout,
users of a built-in mode (re-exported as `wire.layout.MAX_REGIONS`; the command line
reads it from here, which loads no pydantic)."""
MAX_SIDE_PX = 1920
MAX_AREA_PX = 1920 * 1080
"""The largest canvas Agora records: at most 1920 pixels on a side, 1080p in area
(re-exported by `wire.layout`, whose `TranscodingConfig` checks them)."""
DEFAULT_FPS = 15
DEFAULT_BITRATE = 500
MAX_BITRATE_KBPS = 6500  # "Exceeding the limit causes an error."

VIDEO_PROFILES: tuple[tuple[int, int, int, int], ...] = (
    # width, height, fps, base bitrate in Kbps (communication profile; live-broadcast
    # channels are advised twice the base bitrate)
    (160, 120, 15, 65),
    (120, 120, 15, 50),
    (320, 180, 15, 140),
    (180, 180, 15, 100),
    (240, 180, 15, 120),
    (320, 240, 15, 200),
    (240, 240, 15, 140),
    (424, 240, 15, 220),
    (640, 360, 15, 400),
    (360, 360, 15, 260),
    (640, 360, 30, 600),
    (360, 360, 30, 400),
    (480, 360, 15, 320),
    (480, 360, 30, 490),
    (640, 480, 15, 500),
    (480, 480, 15, 400),
    (640, 480, 30, 750),
    (480, 480, 30, 600),
    (848, 480, 15, 610),
    (848, 480, 30, 930),
    (640, 480, 10, 400),
    (1280, 720, 15, 1130),
    (1280, 720, 30, 1710),
    (960, 720, 15, 910),
    (960, 720, 30, 1380),
    (1920, 1080, 15, 2080),
    (1920, 1080, 30, 3150),
    (1920, 1080, 60, 4780),
)
"""Agora's video profile table, row for row (the "Video profile table" of the page)."""

FIVE_FPS_FACTOR = 0.5
"""The page's rule for frame rates without rows: 5 fps takes half the 15 fps bitrate."""

IMAGE_RULE = "Agora loads background images only over HTTPS, as JPG or BMP, at most 6 MB"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".bmp")
MAX_IMAGE_BYTES = 6_000_000
"""Agora's "at most 6 MB" for a background image, read as decimal megabytes: the smaller
reading, so an image within it is within Agora's limit whichever Agora means."""


def _curve(fps: int) -> list[tuple[int, int]]:
    """The table's (pixel area, bitrate) points at one frame rate, by area."""
    return sorted((w * h, kbps) for w, h, rate, kbps in VIDEO_PROFILES if rate == fps)


_BASE = _curve(DEFAULT_FPS)
_LEVELS = sorted({rate for _, _, rate, _ in VIDEO_PROFILES})


def _along(points: list[tuple[int, int]], area: float) -> float:
    """Piecewise-linear in area through `points`, proportional to area beyond its ends."""
    areas = [a for a, _ in points]
    if area <= areas[0]:
        return points[0][1] * area / areas[0]
    if area >= areas[-1]:
        return points[-1][1] * area / areas[-1]
    i = bisect_right(areas, area)
    (a0, b0), (a1, b1) = points[i - 1], points[i]
    return b0 + (b1 - b0) * (area - a0) / (a1 - a0)


def _at_level(fps: int, area: float) -> float:
    """The bitrate at a frame rate the table has rows for (or 5 fps, the page's rule).
    Within that frame rate's rows: linear in area between them. Beyond them: the 15 fps
    curve times the ratio of the nearest row to it."""
    if fps == 5:
        return FIVE_FPS_FACTOR * _along(_BASE, area)
    points = _curve(fps)
    if fps == DEFAULT_FPS or points[0][0] <= area <= points[-1][0]:
        return _along(points, area)
    nearest = points[0] if area < points[0][0] else points[-1]
    return _along(_BASE, area) * nearest[1] / _along(_BASE, nearest[0])


def recommended_bitrate(width: int, height: int, fps: int) -> int:
    """Agora's recommended bitrate in Kbps for a `width`×`height` canvas at `fps`.

    The rows of VIDEO_PROFILES are returned as they are (either orientation: 360×640 is
    640×360). Between rows, by pixel area: linear between the rows of the same frame
    rate; a frame rate without rows (1, 7 and 24 fps) is linear in fps between the
    frame rates around it, with 5 fps at half of 15 fps (the page's rule) and 1 fps at a
    fifth of 5 fps. An fps Agora does not support records at 15 fps, so 15 fps is used.
    At most 6500 Kbps, Agora's maximum; at least 1.
    """
    if width < 1 or height < 1:
        raise ValueError(f"the canvas {width}×{height} has no pixels")
    rate = fps if fps in SUPPORTED_FPS else DEFAULT_FPS
    area = float(width * height)
    levels = [5, *_LEVELS]
    if rate in levels:
        value = _at_level(rate, area)
    elif rate < levels[0]:
        value = _at_level(levels[0], area) * rate / levels[0]
    else:
        i = bisect_right(levels, rate)
        low, high = levels[i - 1], levels[i]
        share = (rate - low) / (high - low)
        value = _at_level(low, area) + (_at_level(high, area) - _at_level(low, area)) * share
    return max(1, min(MAX_BITRATE_KBPS, round(value)))


def image_url_problem(url: str) -> str | None:
    """None when Agora can load this background image URL (HTTPS, a path ending in
    .jpg, .jpeg or .bmp in any case; the query string and fragment are ignored); else
    what Agora requires. The 6 MB limit cannot be seen in a URL, so it is only named."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https" or not parts.netloc:
        return f"{IMAGE_RULE}; this URL is not an https:// URL"
    if not parts.path.lower().endswith(IMAGE_SUFFIXES):
        return f"{IMAGE_RULE}; this URL does not end in .jpg, .jpeg or .bmp"
    return None


LOW_BITRATE_SHARE = 0.5  # a bitrate under half of Agora's recommendation is "far below"
