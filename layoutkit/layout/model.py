"""The authoring model: what a person writes in a layout file (docs/format.md).

These models check shape and types only; everything that needs the canvas or the
participants (ranges after unit conversion, role binding, counts) is checked by the
compiler, which knows where each value came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
)

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
from layoutkit.wire.base import HttpUrl, MixedVideoLayout, Uid
from layoutkit.wire.profile import (
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    MAX_BITRATE_KBPS,
    MAX_REGIONS,
)

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
# JSON Schema fragments of the value types below (`WithJsonSchema`): the same patterns as
# the parsers; `not` refuses the zero sizes the parsers refuse after matching.
_ZERO_ASPECT = r"^\s*0+(\.0+)?\s*[:/x]|[:/x]\s*0+(\.0+)?\s*$"
_MODE_PATTERN = (
    r"^\s*("
    + "|".join("".join(f"[{c}{c.upper()}]" for c in name) for name in MODE_NAMES)
    + r")\s*$"
)
_COUNT_SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer", "minimum": 0},
    {"type": "string", "pattern": COUNT_PATTERN},
]


def _length(value: object) -> Length:
    return parse_length(value)


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


def _aspect(value: object) -> float:
    return parse_aspect(value)


def _color(value: object) -> str:
    return parse_color(value)


LengthValue = Annotated[
    Length,
    BeforeValidator(_length),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": LENGTH_PATTERN},
            ],
            "description": 'a fraction of the canvas (0.25), a percentage ("25%") or '
            'pixels ("320px")',
        }
    ),
]
Mode = Annotated[
    MixedVideoLayout,
    BeforeValidator(_mode),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": list(MODE_NAMES)},
                {"type": "string", "pattern": _MODE_PATTERN},
                {"type": "integer", "minimum": 0, "maximum": 3},
            ],
            "description": "floating, adaptive, vertical or custom (any case), or 0..3",
        }
    ),
]
Aspect = Annotated[
    float,
    BeforeValidator(_aspect),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": ASPECT_PATTERN, "not": {"pattern": _ZERO_ASPECT}},
            ],
            "description": 'width / height: "16:9", "16/9", "16x9" or a number (1.7778)',
        }
    ),
]
Color = Annotated[
    str,
    BeforeValidator(_color),
    WithJsonSchema(
        {"type": "string", "pattern": COLOR_PATTERN, "description": '"#RRGGBB" or "#RGB"'}
    ),
]
FitName = Literal["crop", "fit"]
FillName = Literal["agora"]
Url = HttpUrl
"""An http(s) URL, checked as the payload checks it (`wire.base.check_url`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, defer_build=True)


class Canvas(_Strict):
    """The recorded picture's size in pixels."""

    width: int = Field(ge=1)
    height: int = Field(ge=1)


CanvasValue = Annotated[Canvas, BeforeValidator(_canvas)]


class RegionSpec(_Strict):
    """One region as written: a user (uid or role) and a rectangle."""

    uid: Uid | None = None
    role: str | None = Field(None, min_length=1)
    x: LengthValue | None = None
    y: LengthValue | None = None
    right: LengthValue | None = None
    bottom: LengthValue | None = None
    width: LengthValue | None = Field(None, validation_alias=AliasChoices("width", "w"))
    height: LengthValue | None = Field(None, validation_alias=AliasChoices("height", "h"))
    aspect: Aspect | None = None
    alpha: float = Field(1.0, ge=0.0, le=1.0)
    fit: FitName = "crop"
    placeholder: Url | None = None
    fill: FillName | None = None


class GridSpec(_Strict):
    """A grid of cells filling an area of the canvas."""

    x: LengthValue | None = None
    y: LengthValue | None = None
    width: LengthValue | None = Field(None, validation_alias=AliasChoices("width", "w"))
    height: LengthValue | None = Field(None, validation_alias=AliasChoices("height", "h"))
    rows: int = Field(1, ge=1, le=MAX_REGIONS)
    columns: int = Field(1, ge=1, le=MAX_REGIONS)
    gap: LengthValue = Length(0.0)
    padding: LengthValue = Length(0.0)
    cells: int | None = Field(None, ge=0, le=MAX_REGIONS * MAX_REGIONS)
    order: Literal["row", "column"] = "row"
    aspect: Aspect | None = None
    fit: FitName = "crop"
    alpha: float = Field(1.0, ge=0.0, le=1.0)
    roles: list[Annotated[str, Field(min_length=1)]] | None = None
    uids: list[Uid] | None = None
    fill: FillName | None = None


class GridEntry(_Strict):
    """A `grid:` item in a regions list."""

    grid: GridSpec


def _entry_kind(value: Any) -> str:
    if isinstance(value, dict) and "grid" in value:
        return "grid-entry"
    if isinstance(value, GridEntry):
        return "grid-entry"
    return "region-entry"


Entry = Annotated[
    Annotated[RegionSpec, Tag("region-entry")] | Annotated[GridEntry, Tag("grid-entry")],
    Discriminator(_entry_kind),
]


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


CountValue = Annotated[
    CountRange,
    BeforeValidator(parse_count),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {"anyOf": _COUNT_SCHEMAS, "description": '3, a range "2-4" or an open range "5+"'}
    ),
]


class WhenSpec(_Strict):
    """`when: {count: 2+, roles: [screen]}`: a count and roles that must be present."""

    count: CountValue = CountRange(0, None)
    roles: list[str] = Field(default_factory=list)


def _when(value: object) -> object:
    if isinstance(value, dict | WhenSpec):
        return value
    return {"count": value}


WhenValue = Annotated[
    WhenSpec,
    BeforeValidator(_when),
    WithJsonSchema(
        {
            "anyOf": [
                *_COUNT_SCHEMAS,
                {
                    "title": "WhenSpec",
                    "type": "object",
                    "properties": {
                        "count": {"anyOf": _COUNT_SCHEMAS, "default": "0+"},
                        "roles": {"type": "array", "items": {"type": "string"}, "default": []},
                    },
                    "additionalProperties": False,
                },
            ],
            "description": 'a count (2), a range ("2-4", "5+") or {count: ..., roles: [...]}',
        }
    ),
]


class Variant(_Strict):
    """A variant of the layout for some participant counts (and roles)."""

    when: WhenValue
    mode: Mode | None = None
    focus: str | None = None
    background: Color | None = None
    regions: list[Entry] | None = None


CameraShapeValue = Annotated[
    CameraShape,
    BeforeValidator(parse_camera_shape),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": SHAPE_PATTERN,
            "description": 'a camera shape ("16:9", "9:16"), or a shared screen drawn as a '
            'slide ("screen", "screen:4:3")',
        }
    ),
]


class PreviewSpec(_Strict):
    """How previews draw the participants (never sent to Agora): `cameras` maps a role or
    a uid to a camera shape, or to `screen` for a shared screen; `camera` is the shape of
    everyone else (the `screen` role excepted, always a screen)."""

    camera: CameraShapeValue | None = None
    cameras: dict[Annotated[str, Field(min_length=1)], CameraShapeValue] = Field(
        default_factory=dict
    )


RoleName = Annotated[str, Field(min_length=1)]
"""A role name, as in a region's `role`, a grid's `roles` and `--role NAME=UID`: any
non-empty text."""
_RoleDescription = Annotated[str, BeforeValidator(lambda value: "" if value is None else value)]


class LayoutDocument(_Strict):
    """A whole layout file, after templating and `extends`."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        frozen=True,
        defer_build=True,
        title="layoutkit layout",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    name: Annotated[str, Field(pattern=_NAME_RE)] | None = None
    title: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    extends: str | None = None
    counts: CountValue | None = None
    variables: dict[str, str] = Field(default_factory=dict)
    roles: dict[RoleName, _RoleDescription] = Field(
        default_factory=dict,
        description="The roles the layout expects, name -> what it is for (e.g. screen: the "
        "shared screen). Roles its regions, grids, variants, focus and template use count as "
        "known too; --role refuses any other (see `layoutkit.layout.roles.known_roles`).",
    )
    canvas: CanvasValue = Canvas(width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT)
    fps: int = Field(DEFAULT_FPS, ge=1, le=60)
    bitrate: int | None = Field(None, ge=1, le=MAX_BITRATE_KBPS)  # None: Agora's advice
    background: Color = "#000000"
    background_image: Url | None = None
    placeholder_image: Url | None = None
    mode: Mode | None = None
    focus: str | None = None
    regions: list[Entry] | None = None
    variants: list[Variant] | None = None
    preview: PreviewSpec | None = None

    @property
    def effective_mode(self) -> MixedVideoLayout:
        """`mode`, else custom when regions or variants are present, else floating."""
        if self.mode is not None:
            return self.mode
        if self.regions is not None or self.variants is not None:
            return MixedVideoLayout.CUSTOM
        return MixedVideoLayout.FLOATING


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
]
