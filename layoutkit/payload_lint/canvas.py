"""The recording settings of a transcodingConfig: a canvas left to Agora's portrait
default under a layout made for landscape, half a canvas, frame rates Agora does not
record at, bitrates far below Agora's advice.

**The landscape heuristic.** With no `width` and `height`, Agora records its default
canvas, DEFAULT_WIDTH × DEFAULT_HEIGHT, which is portrait. Positions are fractions, so
the same `layoutConfig` fits a portrait or a landscape canvas equally well on paper: a
square fraction (0.5 × 0.5) is a 9:16 tile on the portrait canvas (a phone) and a 16:9
tile on a landscape one (a webcam), and nothing in the payload says which was meant.
What does say it is a region narrower than any camera on the portrait canvas: its
pixel aspect there, width × DEFAULT_WIDTH / (height × DEFAULT_HEIGHT), is under
TALL_LIMIT (a tenth narrower than a 9:16 phone picture), so it crops even a portrait
phone, while on a 16:9 canvas the same fractions give a tile about 3.2 times wider,
camera-shaped (two side-by-side halves: 180×640 px against 640×720 px on 1280×720). One
such region is enough for the warning; a 2×2 grid or a picture in picture, ambiguous,
gives none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from layoutkit.cameras import DEFAULT_ASPECT
from layoutkit.errors import Severity
from layoutkit.jsonmarks import JsonPath as Path
from layoutkit.wire.profile import (
    DEFAULT_BITRATE,
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    LOW_BITRATE_SHARE,
    MAX_BITRATE_KBPS,
    MAX_SIDE_PX,
    SUPPORTED_FPS,
    recommended_bitrate,
)

TALL_LIMIT = 0.9 / DEFAULT_ASPECT
"""A region narrower than this (width / height in pixels) on the default portrait canvas
is narrower than a 9:16 phone picture by more than a tenth: made for a landscape canvas."""
LANDSCAPE_CANVAS = (1280, 720)
"""The landscape canvas the fix proposes (16:9, Agora's 720p profile)."""

Found = tuple[Severity, Path, str]


def integer(value: object) -> int | None:
    """A JSON integer (never a boolean), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number(value: object) -> float | None:
    """A finite JSON number (never a boolean), else None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        result = float(value)
        return result if math.isfinite(result) else None
    return None


def _side(value: object) -> int | None:
    side = integer(value)
    return side if side is not None and 1 <= side <= MAX_SIDE_PX else None


def check_canvas(obj: Mapping[str, Any], *, custom: bool) -> list[Found]:
    """The findings on a transcodingConfig's canvas, fps and bitrate (paths relative to
    it); `custom`: mode 3, so its regions are the picture."""
    found: list[Found] = []
    width, height = obj.get("width"), obj.get("height")
    size: tuple[int, int] | None = None
    if width is None and height is None:
        size = (DEFAULT_WIDTH, DEFAULT_HEIGHT)
        regions = obj.get("layoutConfig")
        if custom and isinstance(regions, list):
            found.extend(_landscape(regions))
    elif width is None or height is None:
        given, missing = ("width", "height") if height is None else ("height", "width")
        side = _side(obj[given])
        if side is not None:
            default = DEFAULT_HEIGHT if missing == "height" else DEFAULT_WIDTH
            size = (side, default) if given == "width" else (default, side)
            found.append(
                (
                    "warning",
                    (given,),
                    f"{given} is given without {missing}, so Agora takes its default "
                    f"{missing} of {default}: the canvas is {size[0]}×{size[1]} (give both "
                    "width and height)",
                )
            )
    else:
        w, h = _side(width), _side(height)
        size = (w, h) if w is not None and h is not None else None
    fps = integer(obj.get("fps"))
    if fps is not None and fps >= 1 and fps not in SUPPORTED_FPS:
        rates = ", ".join(str(r) for r in SUPPORTED_FPS)
        found.append(
            (
                "warning",
                ("fps",),
                f"Agora records at {rates} fps; {fps} falls back to {DEFAULT_FPS} (pick one "
                "of those)",
            )
        )
        fps = DEFAULT_FPS
    if size is not None:
        found.extend(_bitrate(obj, size, fps if fps is not None and fps >= 1 else DEFAULT_FPS))
    return found


def _bitrate(obj: Mapping[str, Any], size: tuple[int, int], fps: int) -> list[Found]:
    advised = recommended_bitrate(size[0], size[1], fps)
    advice = (
        f"Agora's recommendation for {size[0]}×{size[1]} at {fps} fps ({advised} Kbps), so "
        "the recording will look blocky"
    )
    if "bitrate" not in obj:
        if advised * LOW_BITRATE_SHARE > DEFAULT_BITRATE:
            return [
                (
                    "warning",
                    (),
                    f"bitrate is left out, so Agora records at its default {DEFAULT_BITRATE} "
                    f'Kbps, far below {advice} (add "bitrate": {advised})',
                )
            ]
        return []
    bitrate = integer(obj["bitrate"])
    if bitrate is None or not 1 <= bitrate <= MAX_BITRATE_KBPS:
        return []
    if bitrate < advised * LOW_BITRATE_SHARE:
        return [
            (
                "warning",
                ("bitrate",),
                f"bitrate {bitrate} Kbps is far below {advice} (raise it to {advised})",
            )
        ]
    return []


def _landscape(regions: Sequence[Any]) -> list[Found]:
    """The warning of the landscape heuristic (the module's docstring), or nothing."""
    tall: list[tuple[int, float, float]] = []
    for index, region in enumerate(regions):
        if not isinstance(region, dict):
            continue
        w, h = number(region.get("width")), number(region.get("height"))
        if w is None or h is None or not (0 < w <= 1 and 0 < h <= 1):
            continue
        if (w * DEFAULT_WIDTH) / (h * DEFAULT_HEIGHT) < TALL_LIMIT:
            tall.append((index, w, h))
    if not tall:
        return []
    index, w, h = tall[0]
    wide_w, wide_h = LANDSCAPE_CANVAS
    more = len(tall) - 1
    others = f", and so {'is' if more == 1 else 'are'} {more} more" if more else ""
    return [
        (
            "warning",
            (),
            f"no width or height, so Agora records its default {DEFAULT_WIDTH}×"
            f"{DEFAULT_HEIGHT} canvas, which is portrait, but the regions are laid out for a "
            f"landscape one: layoutConfig[{index}] is {w * DEFAULT_WIDTH:.0f}×"
            f"{h * DEFAULT_HEIGHT:.0f} px there, narrower than a 9:16 phone picture{others} "
            f"(on {wide_w}×{wide_h} it would be {w * wide_w:.0f}×{h * wide_h:.0f} px) (add "
            f'"width": {wide_w}, "height": {wide_h}, or the canvas the layout was made for)',
        )
    ]


__all__ = [
    "LANDSCAPE_CANVAS",
    "TALL_LIMIT",
    "check_canvas",
    "integer",
    "number",
]
