"""How a participant looks in a preview: a camera picture of some shape, or a shared
screen drawn as a slide. Written `W:H` (`16:9`, `9:16`), `screen` or `screen:W:H`
(`screen:4:3`), in `preview --camera KEY=SHAPE` and in a layout's
`preview: {cameras: {KEY: SHAPE}}`."""

from __future__ import annotations

from dataclasses import dataclass

from layoutkit.geometry import parse_aspect

MAX_CAMERA_ASPECT = 16.0  # camera shapes from 1:16 to 16:1; beyond that is a typo
DEFAULT_ASPECT = 16 / 9
"""The shape of a camera picture nobody said anything about (16:9): previews draw it, and
lint measures how much a region crops of it. The one home of this number."""
SCREEN_ROLE = "screen"
_NUMBER = r"(\d+(?:\.\d+)?)"
_RATIO = _NUMBER + r"\s*[:/x]\s*" + _NUMBER
SHAPE_PATTERN = r"^\s*(" + _RATIO + r"|[sS][cC][rR][eE][eE][nN](\s*:\s*" + _RATIO + r")?)\s*$"
"""The strings `parse_camera_shape` reads (for the JSON Schema; zero parts and shapes
beyond 1:16..16:1 are refused after matching)."""


@dataclass(frozen=True)
class CameraShape:
    """A camera (`screen` False) or a shared screen, and its width/height (None: 16:9)."""

    aspect: float | None = None
    screen: bool = False

    def __str__(self) -> str:
        from fractions import Fraction  # only to write a shape out

        ratio = Fraction(self.aspect or 1).limit_denominator(100)
        shape = "" if self.aspect is None else f"{ratio.numerator}:{ratio.denominator}"
        if self.screen:
            return f"screen:{shape}" if shape else "screen"
        return shape or "16:9"


def check_camera_aspect(aspect: float) -> float:
    """A camera's width/height, or ValueError when it is not a plausible shape."""
    if not (1 / MAX_CAMERA_ASPECT <= aspect <= MAX_CAMERA_ASPECT):
        raise ValueError(
            f"a camera shape of {aspect:.4g}:1 is outside 1:{MAX_CAMERA_ASPECT:g} to "
            f"{MAX_CAMERA_ASPECT:g}:1; give W:H like 16:9 or 9:16"
        )
    return aspect


def parse_camera_shape(value: object) -> CameraShape:
    """`"16:9"`, `"9:16"`, `"screen"`, `"screen:4:3"` -> CameraShape; ValueError otherwise."""
    if isinstance(value, CameraShape):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            f'{value!r} is a number, not a camera shape; write it in quotes, e.g. "9:16" '
            "(unquoted, YAML reads 9:16 as the number 556)"
        )
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a camera shape; write W:H, screen or screen:W:H")
    text = value.strip()
    head, sep, rest = text.partition(":")
    screen = head.strip().lower() == SCREEN_ROLE
    if screen and not sep:
        return CameraShape(None, True)
    shape = rest if screen else text
    try:
        aspect = parse_aspect(shape.strip())
    except ValueError:
        raise ValueError(
            f"{value!r} is not a camera shape; write an aspect ratio W:H (16:9, 9:16), "
            "screen or screen:W:H (screen:4:3)"
        ) from None
    return CameraShape(check_camera_aspect(aspect), screen)


__all__ = [
    "DEFAULT_ASPECT",
    "MAX_CAMERA_ASPECT",
    "SCREEN_ROLE",
    "SHAPE_PATTERN",
    "CameraShape",
    "check_camera_aspect",
    "parse_camera_shape",
]
