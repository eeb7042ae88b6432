"""How a participant looks in a preview: a camera picture of some shape, or a shared
screen drawn as a slide. Written `W:H` (`16:9`, `9:16`), `screen` or `screen:W:H`
(`screen:4:3`), in `preview --camera KEY=SHAPE` and in a layout's
`preview: {cameras: {KEY: SHAPE}}`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from layoutkit.geometry import parse_aspect

MAX_CAMERA_ASPECT = 16.0  # camera shapes from 1:16 to 16:1; beyond that is a typo
DEFAULT_ASPECT = 16 / 9  # a camera nobody said anything about: previews draw it, lint crops it
SCREEN_ROLE = "screen"
_NUMBER = r"(\d+(?:\.\d+)?)"
_RATIO = _NUMBER + r"\s*[:/x]\s*" + _NUMBER
# what `parse_camera_shape` reads, for the JSON Schema
SHAPE_PATTERN = r"^\s*(" + _RATIO + r"|[sS][cC][rR][eE][eE][nN](\s*:\s*" + _RATIO + r")?)\s*$"


@dataclass(frozen=True)
class CameraShape:
    """A camera (`screen` False) or a shared screen, and its width/height (None: 16:9)."""

    aspect: float | None = None
    screen: bool = False

    def __str__(self) -> str:
        if self.screen:
            return "screen" if self.aspect is None else f"screen:{self.ratio}"
        return self.ratio

    @property
    def ratio(self) -> str:
        """The shape as W:H (16:9 when none was given)."""
        from fractions import Fraction  # only to write a shape out

        if self.aspect is None:
            return "16:9"
        ratio = Fraction(self.aspect).limit_denominator(100)
        return f"{ratio.numerator}:{ratio.denominator}"


def declared_shape(
    keys: Sequence[str], cameras: Mapping[str, CameraShape], camera: CameraShape | None
) -> CameraShape:
    """The shape a layout's `preview:` declares for a participant known by `keys` (their
    uid, then their roles): the first key `cameras` names; else `camera`, unless one of
    the keys is the screen role; else a 16:9 camera."""
    for key in keys:
        found = cameras.get(key)
        if found is not None:
            return found
    if camera is not None and SCREEN_ROLE not in keys:
        return camera
    return CameraShape()


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
