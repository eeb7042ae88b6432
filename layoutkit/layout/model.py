"""The authoring model: what a person writes in a layout file (docs/format.md).

Frozen dataclasses whose fields are declared with `layout.fields` (each with the kind of
value it takes, its default and its other names); `read_layout` reads plain data into a
LayoutDocument with every problem at once. These models check shape and types only;
everything that needs the canvas or the participants (ranges after unit conversion, role
binding, counts) is checked by the compiler, which knows where each value came from.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

from layoutkit.cameras import SHAPE_PATTERN, CameraShape, parse_camera_shape
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
from layoutkit.layout.fields import (
    Either,
    JsonSchema,
    Nested,
    Problem,
    field,
    optional,
    read_document,
)
from layoutkit.layout.kinds import Choice, Integer, ListOf, MapOf, Number, Parsed, Text
from layoutkit.wire.profile import (
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    MAX_BITRATE_KBPS,
    MAX_REGIONS,
)
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
        return {"width": int(match.group(1)), "height": int(match.group(2))}
    return value


def _not_kebab(value: str) -> str:
    return f"{value!r} is not a kebab-case name; write lower-case words joined by '-'"


LENGTH = Parsed(
    parse_length,
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


@_model
class Canvas(_Model):
    """The recorded picture's size in pixels."""

    width: int = field(Integer(ge=1))
    height: int = field(Integer(ge=1))


@_model
class RegionSpec(_Model):
    """One region as written: a user (uid or role) and a rectangle."""

    HINT_KEYS: ClassVar[tuple[str, ...]] = ("grid",)  # a region with `grid` is a GridEntry

    uid: str | None = optional(UID)
    role: str | None = optional(ROLE_NAME)
    x: Length | None = optional(LENGTH)
    y: Length | None = optional(LENGTH)
    right: Length | None = optional(LENGTH)
    bottom: Length | None = optional(LENGTH)
    width: Length | None = optional(LENGTH, aliases=("w",))
    height: Length | None = optional(LENGTH, aliases=("h",))
    aspect: float | None = optional(ASPECT)
    alpha: float = field(Number(ge=0.0, le=1.0), default=1.0)
    fit: FitName = field(FIT, default="crop")
    placeholder: str | None = optional(URL)
    fill: FillName | None = optional(FILL)


@_model
class GridSpec(_Model):
    """A grid of cells filling an area of the canvas."""

    x: Length | None = optional(LENGTH)
    y: Length | None = optional(LENGTH)
    width: Length | None = optional(LENGTH, aliases=("w",))
    height: Length | None = optional(LENGTH, aliases=("h",))
    rows: int = field(Integer(ge=1, le=MAX_REGIONS), default=1)
    columns: int = field(Integer(ge=1, le=MAX_REGIONS), default=1)
    gap: Length = field(LENGTH, default=Length(0.0))
    padding: Length = field(LENGTH, default=Length(0.0))
    cells: int | None = optional(Integer(ge=0, le=MAX_REGIONS * MAX_REGIONS))
    order: Literal["row", "column"] = field(Choice(("row", "column")), default="row")
    aspect: float | None = optional(ASPECT)
    fit: FitName = field(FIT, default="crop")
    alpha: float = field(Number(ge=0.0, le=1.0), default=1.0)
    roles: list[str] | None = optional(ListOf(ROLE_NAME))
    uids: list[str] | None = optional(ListOf(UID))
    fill: FillName | None = optional(FILL)


@_model
class GridEntry(_Model):
    """A `grid:` item in a regions list."""

    ONLY_KEYS_HINT: ClassVar[str] = (
        "an item with grid takes nothing else: move {name} inside grid, or remove grid for a region"
    )

    grid: GridSpec = field(Nested(GridSpec))


Entry = RegionSpec | GridEntry
"""An item of a regions list: a region, or a grid of them (a mapping with `grid`)."""
ENTRY = Either(Nested(RegionSpec), Nested(GridEntry), tag="grid")


@dataclass(frozen=True)
class CountRange:
    """An inclusive participant-count range; `high` None means open ("5+")."""

    low: int
    high: int | None

    def __contains__(self, count: object) -> bool:
        if not isinstance(count, int):
            return False
        return self.low <= count and (self.high is None or count <= self.high)

    def __str__(self) -> str:
        if self.high is None:
            return f"{self.low}+"
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


def parse_count(value: object) -> CountRange:
    """`3`, `"2-4"`, `"5+"` -> CountRange."""
    if isinstance(value, CountRange):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return CountRange(value, value)
    if isinstance(value, str):
        match = _COUNT_RE.match(value)
        if match:
            low = int(match.group(1))
            if match.group(4):
                return CountRange(low, None)
            high = int(match.group(3)) if match.group(2) else low
            if high >= low:
                return CountRange(low, high)
    raise ValueError(
        f'{value!r} is not a participant count; write 3, a range "2-4" or an open range "5+"'
    )


COUNT = Parsed(
    parse_count,
    {"anyOf": _COUNT_SCHEMAS, "description": '3, a range "2-4" or an open range "5+"'},
    titled=False,
)


@_model
class WhenSpec(_Model):
    """`when: {count: 2+, roles: [screen]}`: a count and roles that must be present."""

    count: CountRange = field(COUNT, default=CountRange(0, None))
    roles: list[str] = field(ListOf(TEXT), factory=list)


def _when(value: object) -> object:
    return value if isinstance(value, dict) else {"count": value}


WHEN = Nested(
    WhenSpec,
    before=_when,
    fragment={
        "anyOf": [
            *_COUNT_SCHEMAS,
            {
                "additionalProperties": False,
                "properties": {
                    "count": {"anyOf": _COUNT_SCHEMAS, "default": "0+"},
                    "roles": {"default": [], "items": {"type": "string"}, "type": "array"},
                },
                "title": "WhenSpec",
                "type": "object",
            },
        ],
        "description": 'a count (2), a range ("2-4", "5+") or {count: ..., roles: [...]}',
    },
)
"""`when:` is a count, a range, or a WhenSpec mapping (described inline in the schema)."""


@_model
class Variant(_Model):
    """A variant of the layout for some participant counts (and roles)."""

    when: WhenSpec = field(WHEN)
    mode: MixedVideoLayout | None = optional(MODE)
    focus: str | None = optional(TEXT)
    background: str | None = optional(COLOR)
    regions: list[Entry] | None = optional(ListOf(ENTRY))


@_model
class PreviewSpec(_Model):
    """How previews draw the participants (never sent to Agora): `cameras` maps a role or
    a uid to a camera shape, or to `screen` for a shared screen; `camera` is the shape of
    everyone else (the `screen` role excepted, always a screen)."""

    camera: CameraShape | None = optional(CAMERA_SHAPE)
    cameras: dict[str, CameraShape] = field(MapOf(ROLE_NAME, CAMERA_SHAPE), factory=dict)


@_model
class LayoutDocument(_Model):
    """A whole layout file, after templating and `extends`."""

    name: str | None = optional(Text(pattern=_NAME_RE, mismatch=_not_kebab))
    title: str | None = optional(TEXT)
    description: str | None = optional(TEXT)
    tags: list[str] = field(ListOf(TEXT), factory=list)
    extends: str | None = optional(TEXT)
    counts: CountRange | None = optional(COUNT)
    variables: dict[str, str] = field(MapOf(TEXT, TEXT), factory=dict)
    roles: dict[str, str] = field(
        MapOf(ROLE_NAME, Text(null_as="")),  # `screen:` with nothing after it: ""
        factory=dict,
        description="The roles the layout expects, name -> what it is for (e.g. screen: the "
        "shared screen). Roles its regions, grids, variants, focus and template use count as "
        "known too; --role refuses any other (see `layoutkit.layout.roles.known_roles`).",
    )
    canvas: Canvas = field(
        Nested(Canvas, before=_canvas), default=Canvas(width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT)
    )
    fps: int = field(Integer(ge=1, le=60), default=DEFAULT_FPS)
    bitrate: int | None = optional(Integer(ge=1, le=MAX_BITRATE_KBPS))  # None: Agora's advice
    background: str = field(COLOR, default="#000000")
    background_image: str | None = optional(URL)
    placeholder_image: str | None = optional(URL)
    mode: MixedVideoLayout | None = optional(MODE)
    focus: str | None = optional(TEXT)
    regions: list[Entry] | None = optional(ListOf(ENTRY))
    variants: list[Variant] | None = optional(ListOf(Nested(Variant)))
    preview: PreviewSpec | None = optional(Nested(PreviewSpec))

    @property
    def effective_mode(self) -> MixedVideoLayout:
        """`mode`, else custom when regions or variants are present, else floating."""
        if self.mode is not None:
            return self.mode
        if self.regions is not None or self.variants is not None:
            return MixedVideoLayout.CUSTOM
        return MixedVideoLayout.FLOATING


def read_layout(data: Any) -> tuple[LayoutDocument | None, list[Problem]]:
    """Plain data (a YAML mapping) -> the document, or None, and every problem found."""
    document, problems = read_document(LayoutDocument, data)
    return document, problems


def layout_json_schema() -> dict[str, Any]:
    """The JSON Schema of the layout format, for editors (built by `layoutkit.layout.schema`)."""
    from layoutkit.layout.schema import layout_json_schema as build

    return build()


__all__ = [
    "COUNT_PATTERN",
    "MODE_NAMES",
    "Canvas",
    "CountRange",
    "Entry",
    "GridEntry",
    "GridSpec",
    "LayoutDocument",
    "PreviewSpec",
    "RegionSpec",
    "Variant",
    "WhenSpec",
    "layout_json_schema",
    "parse_count",
    "read_layout",
]
