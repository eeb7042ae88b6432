"""Pure geometry in canvas fractions (0..1, origin top-left, y down) unless a name
says pixels: lengths, rectangles, rounding to Agora's 6 decimals, colours, aspects."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

Unit = Literal["frac", "%", "px"]
Fit = Literal["crop", "fit"]

DECIMALS = 6
_QUANTUM = Decimal(1).scaleb(-DECIMALS)
ROUNDING_UNIT = _QUANTUM
"""One unit of the last decimal payloads are written in: how far `x_axis + width` may pass
1 when both were rounded (0.666667 + 0.333334). Agora takes it; import and lint do too."""

# The strings the parsers accept. Each pattern is written once, here, and used both by the
# parser below (or in `model`) and by the JSON Schema (`layoutkit.layout.schema`); they use only
# syntax that both Python's `re` and ECMA-262 (JSON Schema `pattern`) understand.
LENGTH_PATTERN = r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(%|px)?\s*$"
"""A length string: a number, optionally followed by `%` or `px` ("25%", "320px", "0.5")."""
COLOR_PATTERN = r"^\s*#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\s*$"
"""A colour: `#RGB` or `#RRGGBB` (surrounding spaces are ignored)."""
ASPECT_PATTERN = r"^\s*(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)\s*$"
"""An aspect ratio string: `W:H`, `W/H` or `WxH` ("16:9"); both parts must be above 0."""
CANVAS_PATTERN = r"^\s*(\d+)\s*[x×X]\s*(\d+)\s*$"
"""A canvas size string: `WIDTHxHEIGHT` in pixels ("1280x720"); both must be at least 1."""
_LENGTH_RE = re.compile(LENGTH_PATTERN)
_COLOR_RE = re.compile(COLOR_PATTERN)
_ASPECT_RE = re.compile(ASPECT_PATTERN)


MIN_FONT_PX = 6
"""The smallest text size a layout may ask for and the style images draw (pixels)."""


@dataclass(frozen=True)
class Length:
    """A length as written: a fraction of the canvas, a percentage or pixels."""

    value: float
    unit: Unit = "frac"

    def to_fraction(self, axis_px: int) -> float:
        """The length as a fraction of an axis that is `axis_px` pixels long."""
        if self.unit == "%":
            return self.value / 100.0
        if self.unit == "px":
            return self.value / axis_px
        return self.value

    def to_pixels(self, axis_px: int) -> float:
        return self.to_fraction(axis_px) * axis_px

    def __str__(self) -> str:
        number = f"{self.value:g}"
        return number if self.unit == "frac" else f"{number}{self.unit}"


def parse_length(value: object) -> Length:
    """`0.25`, `"25%"`, `"320px"` (or a Length) -> Length; ValueError says what is accepted."""
    if isinstance(value, Length):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a length; give a finite number")
        return Length(float(value), "frac")
    if isinstance(value, str):
        match = _LENGTH_RE.match(value)
        if match:
            number, unit = match.groups()
            return Length(float(number), unit or "frac")  # type: ignore[arg-type]
    raise ValueError(
        f'{value!r} is not a length; write a fraction (0.25), a percentage ("25%") '
        f'or pixels ("320px")'
    )


def parse_color(value: object) -> str:
    """`#RGB` or `#RRGGBB` -> upper-case `#RRGGBB`; ValueError otherwise."""
    if isinstance(value, str):
        match = _COLOR_RE.match(value)
        if match:
            digits = match.group(1)
            if len(digits) == 3:
                digits = "".join(c * 2 for c in digits)
            return "#" + digits.upper()
    why = ""
    if isinstance(value, str) and value.strip().isalpha():
        why = " (colour names are not read)"
    elif isinstance(value, str) and len(value.strip()) == 9 and value.strip().startswith("#"):
        why = " (Agora draws no transparency: give the colour without its alpha)"
    raise ValueError(f'{value!r} is not a colour{why}; write "#RRGGBB" or "#RGB", e.g. "#101820"')


def parse_aspect(value: object) -> float:
    """`"16:9"` (also `16/9`, `16x9`) or a positive number -> width / height."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    if isinstance(value, str):
        match = _ASPECT_RE.match(value)
        if match:
            w, h = float(match.group(1)), float(match.group(2))
            if w > 0 and h > 0:
                return w / h
    raise ValueError(f'{value!r} is not an aspect ratio; write "W:H", e.g. "16:9" or "9:16"')


def round6(value: float) -> float:
    """Round half-even to 6 decimals as the decimal number reads (0.2515625 -> 0.251562),
    so 0.7312499999 style noise goes and the repr has at most 6 decimals. Only values
    within float noise of a half go through Decimal; the others round as floats."""
    scaled = value * 1_000_000
    if abs(scaled - math.floor(scaled) - 0.5) > 1e-6:
        return round(value, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return float(Decimal(repr(value)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN))


def round_span(start: float, size: float) -> tuple[float, float]:
    """Round a position and size to 6 decimals without pushing `start + size` past 1.

    When the unrounded span ends inside the canvas (within float noise) but the rounded
    one would end past 1, the position moves left (up) by the excess.
    """
    s, z = round6(start), round6(size)
    if start + size <= 1.0 + 1e-9:
        excess = Decimal(repr(s)) + Decimal(repr(z)) - 1
        if excess > 0:
            s = float(max(Decimal(repr(s)) - excess, Decimal(0)))
            if Decimal(repr(s)) + Decimal(repr(z)) > 1:
                z = float(Decimal(1) - Decimal(repr(s)))
    return s, z


@dataclass(frozen=True)
class Rect:
    """A rectangle in canvas fractions."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, other: Rect, eps: float = 1e-9) -> bool:
        return (
            self.x <= other.x + eps
            and self.y <= other.y + eps
            and self.right >= other.right - eps
            and self.bottom >= other.bottom - eps
        )

    def to_pixels(self, canvas_w: int, canvas_h: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in whole pixels, rounded to the nearest edge."""
        return (
            round(self.x * canvas_w),
            round(self.y * canvas_h),
            round(self.right * canvas_w),
            round(self.bottom * canvas_h),
        )

    def rounded(self) -> Rect:
        x, w = round_span(self.x, self.width)
        y, h = round_span(self.y, self.height)
        return Rect(x, y, w, h)


@dataclass(frozen=True)
class ResolvedRegion:
    """A rectangle Agora will draw: which user (None = an empty slot showing the
    background), where, how the video is scaled (`crop` covers, `fit` letterboxes in
    black) and its opacity. Lists of these are in paint order, later on top."""

    uid: str | None
    x: float
    y: float
    width: float
    height: float
    fit: Fit = "crop"
    alpha: float = 1.0

    @property
    def rect(self) -> Rect:
        return Rect(self.x, self.y, self.width, self.height)

    def to_json(self) -> dict[str, object]:
        return {
            "uid": self.uid,
            "x": self.x,
            "y": self.y,
            "width": self.width,
            "height": self.height,
            "fit": self.fit,
            "alpha": self.alpha,
        }


def crop_loss(region_aspect: float, source_aspect: float) -> float:
    """The fraction of a source picture that cover-scaling into a region cuts away."""
    if region_aspect <= 0 or source_aspect <= 0:
        return 0.0
    return 1.0 - min(region_aspect / source_aspect, source_aspect / region_aspect)
