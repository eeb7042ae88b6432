"""The value kinds of the authoring model (`layout.model`, `layout.style_model`): how a
length, a colour, a mode, a uid, a camera shape is read, with its JSON Schema fragment, and
`_Model`/`_model`, what every model is made with.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

from layoutkit.cameras import SHAPE_PATTERN, parse_camera_shape
from layoutkit.geometry import (
    ASPECT_PATTERN,
    CANVAS_PATTERN,
    COLOR_PATTERN,
    LENGTH_PATTERN,
    Length,
    parse_aspect,
    parse_color,
    parse_length,
)
from layoutkit.layout.fields import JsonSchema
from layoutkit.layout.kinds import Choice, Parsed, Text
from layoutkit.layout.yaml import MAX_INT_DIGITS
from layoutkit.wire.rules import UID_MAX, URL_PATTERN, MixedVideoLayout, check_uid, check_url

MODE_NAMES: dict[str, MixedVideoLayout] = {
    "floating": MixedVideoLayout.FLOATING,
    "adaptive": MixedVideoLayout.ADAPTIVE,
    "vertical": MixedVideoLayout.VERTICAL,
    "custom": MixedVideoLayout.CUSTOM,
}
COUNT_PATTERN = r"^\s*(\d+)\s*(?:(-)\s*(\d+)|(\+))?\s*$"
"""A participant count string: `3`, a range `2-4` or an open range `5+` (low <= high)."""
_CANVAS_RE = re.compile(CANVAS_PATTERN)
_COUNT_RE = re.compile(COUNT_PATTERN)
_NAME_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# JSON Schema fragments of the value kinds below: the same patterns as the parsers; `not`
# refuses the zero sizes the parsers refuse after matching. Keys in the order `layoutkit
# schema` has always printed them (sorted, but for the uid's and a camera shape's `not`).
_ZERO_ASPECT = r"^\s*0+(\.0+)?\s*[:/x]|[:/x]\s*0+(\.0+)?\s*$"
_ZERO_SHAPE = r"(^\s*|:\s*)0+(\.0+)?\s*[:/x]|[:/x]\s*0+(\.0+)?\s*$"  # "0:9", "screen:4:0"
_MODE_PATTERN = (
    r"^\s*("
    + "|".join("".join(f"[{c}{c.upper()}]" for c in name) for name in MODE_NAMES)
    + r")\s*$"
)
_COUNT_SCHEMAS: list[JsonSchema] = [
    {"minimum": 0, "type": "integer"},
    {"pattern": COUNT_PATTERN, "type": "string"},
]


_M = TypeVar("_M", bound="_Model")


class _Model:
    """What the models share, written once: the `__repr__`, `__eq__` and `__hash__` a
    dataclass would generate for each of them (generating them costs about as much as
    the rest of making a model, on every start of the command line)."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]  # set by _model

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, item.name) for item in dataclasses.fields(self))

    def __repr__(self) -> str:
        values = ", ".join(
            f"{item.name}={getattr(self, item.name)!r}" for item in dataclasses.fields(self)
        )
        return f"{type(self).__qualname__}({values})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Model) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())


@dataclass_transform(frozen_default=True, kw_only_default=True)
def _model(cls: type[_M]) -> type[_M]:
    """A model: a frozen dataclass, keyword arguments only, sharing `_Model`'s methods."""
    return dataclasses.dataclass(frozen=True, kw_only=True, repr=False, eq=False)(cls)


def _mode(value: object) -> MixedVideoLayout:
    if isinstance(value, str) and value.strip().lower() in MODE_NAMES:
        return MODE_NAMES[value.strip().lower()]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3:
        return MixedVideoLayout(value)
    raise ValueError(
        f"{value!r} is not a mode; write floating, adaptive, vertical or custom (or 0..3)"
    )


def _canvas(value: object) -> object:
    if isinstance(value, str):
        match = _CANVAS_RE.match(value)
        if not match:
            raise ValueError(f'{value!r} is not a canvas size; write "1280x720" or a mapping')
        if max(len(match.group(1)), len(match.group(2))) > MAX_INT_DIGITS:
            raise ValueError(
                f"a canvas side is written with more than {MAX_INT_DIGITS} digits; write the "
                'size in pixels, e.g. "1280x720"'
            )
        return {"width": int(match.group(1)), "height": int(match.group(2))}
    return value


LENGTH_LIMIT = 1_000_000.0
"""The largest number a length may hold, whatever its unit: far past any canvas, and small
enough that every sum and rounding done with it stays a finite float."""


def _length(value: object) -> Length:
    """`geometry.parse_length`, refusing a number no canvas holds (a 400-digit "999...px"
    reads as infinity): ValueError says what to write instead."""
    length = parse_length(value)
    if not math.isfinite(length.value) or abs(length.value) > LENGTH_LIMIT:
        raise ValueError(
            f"{_shown(length)} is too large for a length (at most {LENGTH_LIMIT:.0f}); write a "
            'fraction of the canvas (0.25), a percentage ("25%") or pixels ("320px")'
        )
    return length


def _shown(length: Length) -> str:
    if math.isinf(length.value):
        return "a number of over 300 digits"
    return f"{length.value:.6g}{'' if length.unit == 'frac' else length.unit}"


def _not_kebab(value: str) -> str:
    return f"{value!r} is not a kebab-case name; write lower-case words joined by '-'"


LENGTH = Parsed(
    _length,
    {
        "anyOf": [{"type": "number"}, {"pattern": LENGTH_PATTERN, "type": "string"}],
        "description": 'a fraction of the canvas (0.25), a percentage ("25%") or pixels ("320px")',
    },
    titled=False,
)
MODE = Parsed(
    _mode,
    {
        "anyOf": [
            {"enum": list(MODE_NAMES)},
            {"pattern": _MODE_PATTERN, "type": "string"},
            {"maximum": 3, "minimum": 0, "type": "integer"},
        ],
        "description": "floating, adaptive, vertical or custom (any case), or 0..3",
    },
    titled=False,
)
ASPECT = Parsed(
    parse_aspect,
    {
        "anyOf": [
            {"exclusiveMinimum": 0, "type": "number"},
            {"not": {"pattern": _ZERO_ASPECT}, "pattern": ASPECT_PATTERN, "type": "string"},
        ],
        "description": 'width / height: "16:9", "16/9", "16x9" or a number (1.7778)',
    },
)
COLOR = Parsed(
    parse_color,
    {"description": '"#RRGGBB" or "#RGB"', "pattern": COLOR_PATTERN, "type": "string"},
)
URL = Parsed(check_url, {"pattern": URL_PATTERN, "type": "string"})
"""An http(s) URL, checked as the payload checks it (`wire.rules.check_url`)."""
UID = Parsed(
    check_uid,
    {
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": UID_MAX},
            {"type": "string", "pattern": r"^\s*0*[1-9]\d{0,9}\s*$"},
        ],
        "description": f"an integer user id, 1..{UID_MAX} (as a number or as digits)",
    },
)
"""A uid: an integer 1..UID_MAX, as a number or as digits (`wire.rules.check_uid`)."""
CAMERA_SHAPE = Parsed(
    parse_camera_shape,
    {
        "description": 'a camera shape ("16:9", "9:16"), or a shared screen drawn as a '
        'slide ("screen", "screen:4:3")',
        "pattern": SHAPE_PATTERN,
        "type": "string",
        "not": {"pattern": _ZERO_SHAPE},
    },
    titled=False,
)
ROLE_NAME = Text(min_length=1)
"""A role name, as in a region's `role`, a grid's `roles` and `--role NAME=UID`: any
non-empty text."""
TEXT = Text()
FIT = Choice(("crop", "fit"))
FILL = Choice(("agora",))
FitName = Literal["crop", "fit"]
FillName = Literal["agora"]


__all__ = [
    "ASPECT",
    "CAMERA_SHAPE",
    "COLOR",
    "COUNT_PATTERN",
    "FILL",
    "FIT",
    "LENGTH",
    "LENGTH_LIMIT",
    "MODE",
    "MODE_NAMES",
    "ROLE_NAME",
    "TEXT",
    "UID",
    "URL",
    "FillName",
    "FitName",
]
