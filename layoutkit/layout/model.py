"""The authoring model: what a person writes in a layout file (docs/format.md).

Frozen dataclasses whose fields are declared with `layout.fields` (each with the kind of
value it takes, its default and its other names); `read_layout` reads plain data into a
LayoutDocument with every problem at once. These models check shape and types only;
everything that needs the canvas or the participants (ranges after unit conversion, role
binding, counts) is checked by the compiler, which knows where each value came from.

First the value kinds (how a length, a colour, a mode, a uid, a camera shape is read, with
its JSON Schema fragment, and `_Model`/`_model`, what every model is made with), then what
a layout draws around and instead of video ("Names, frames and logos": a region's or
grid's `frame`, `label` and `card`, the canvas's `decor` items, everyone's `card` and the
`font`; Agora draws no text over video, so these become the canvas background image and
the video-off images, `compile.style`, `render.style`; a label's and a card's `text` is a
Jinja expression, no braces, evaluated for the person the region shows: `name`, the
default, `role | upper`, `"'Host: ' ~ name"`), then the layout itself.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

from layoutkit.cameras import SHAPE_PATTERN, CameraShape, parse_camera_shape
from layoutkit.geometry import (
    ASPECT_PATTERN,
    CANVAS_PATTERN,
    COLOR_PATTERN,
    LENGTH_PATTERN,
    MIN_FONT_PX,
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
from layoutkit.layout.yaml import MAX_INT_DIGITS
from layoutkit.wire.rules import (
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    MAX_BITRATE_KBPS,
    MAX_REGIONS,
    UID_MAX,
    URL_PATTERN,
    MixedVideoLayout,
    check_uid,
    check_url,
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


MAX_FONT_PX = 1000
Align = Literal["left", "center", "right"]
ALIGN = Choice(("left", "center", "right"))
EXPRESSION = Text(min_length=1)
PATH = Text(min_length=1)
FONT_SIZE = Integer(ge=MIN_FONT_PX, le=MAX_FONT_PX, hint="; a size in pixels is a number: 20")


@_model
class FrameSpec(_Model):
    """A band of `color` around the video, `width` wide: the video is inset by it."""

    width: Length = field(LENGTH, default=Length(4.0, "px"))
    color: str = field(COLOR, default="#FFFFFF")


@_model
class LabelSpec(_Model):
    """A name strip `height` tall `below` (or `above`) the video, inside the region: the
    video is shortened by it. `size` is the text's pixel size (shrunk to `min_size` to fit,
    then cut with "..."); `background` None lets the canvas show behind the text."""

    text: str = field(EXPRESSION, default="name")
    position: Literal["below", "above"] = field(Choice(("below", "above")), default="below")
    height: Length = field(LENGTH, default=Length(6.0, "%"))
    size: int | None = optional(FONT_SIZE)
    min_size: int | None = optional(FONT_SIZE)
    color: str = field(COLOR, default="#FFFFFF")
    background: str | None = optional(COLOR)
    align: Align = field(ALIGN, default="center")


@_model
class CardSpec(_Model):
    """What Agora shows while the person's video is off: `color` (or the local `image`,
    cropped to cover), their initials large and `text` (their name) below, in
    `text_color`."""

    color: str = field(COLOR, default="#2D3340")
    text_color: str = field(COLOR, default="#FFFFFF")
    image: str | None = optional(PATH)
    text: str = field(EXPRESSION, default="name")


@_model
class DecorSpec(_Model):
    """One thing drawn on the canvas background, under the video: an `image` (a local
    file, such as a logo), a line of `text` (a title) or a rectangle `fill`ed with a
    colour; placed like a region."""

    image: str | None = optional(PATH)
    text: str | None = optional(TEXT)
    fill: str | None = optional(COLOR)
    x: Length | None = optional(LENGTH)
    y: Length | None = optional(LENGTH)
    right: Length | None = optional(LENGTH)
    bottom: Length | None = optional(LENGTH)
    width: Length = field(LENGTH, aliases=("w",))
    height: Length = field(LENGTH, aliases=("h",))
    fit: FitName = field(FIT, default="fit")
    size: int | None = optional(FONT_SIZE)
    min_size: int | None = optional(FONT_SIZE)
    color: str = field(COLOR, default="#FFFFFF")
    background: str | None = optional(COLOR)
    align: Align = field(ALIGN, default="center")


FRAME = Nested(FrameSpec, example='{width: 6px, color: "#FFCC00"}')
LABEL = Nested(LabelSpec, example="{} (a strip with the name), or {height: 40px, ...}")
CARD = Nested(CardSpec, example='{} (the default card), or {color: "#334455"}')


ACCEPTABLE = ("crop", "hidden", "small")
"""The warnings about a region its author may accept (`accept: [crop]`): a heavy crop, a
region hidden under another, a small region (`compile.lint`)."""
ACCEPT = ListOf(Choice(ACCEPTABLE))


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
    frame: FrameSpec | None = optional(FRAME)
    label: LabelSpec | None = optional(LABEL)
    card: CardSpec | None = optional(CARD)
    accept: list[str] = field(ACCEPT, factory=list)


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
    frame: FrameSpec | None = optional(FRAME)
    label: LabelSpec | None = optional(LABEL)
    card: CardSpec | None = optional(CARD)
    accept: list[str] = field(ACCEPT, factory=list)


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
    everyone else (the `screen` role excepted, always a screen). `names` (role or uid ->
    a sample name) and `video_off` (roles or uids) show a styled layout's labels and
    cards in previews given no names and nobody's camera off."""

    camera: CameraShape | None = optional(CAMERA_SHAPE)
    cameras: dict[str, CameraShape] = field(MapOf(ROLE_NAME, CAMERA_SHAPE), factory=dict)
    names: dict[str, str] = field(MapOf(ROLE_NAME, Text(min_length=1)), factory=dict)
    video_off: list[str] = field(ListOf(ROLE_NAME), factory=list)


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
    decor: list[DecorSpec] | None = optional(ListOf(Nested(DecorSpec)))
    card: CardSpec | None = optional(CARD)
    font: str | None = optional(PATH)

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


__all__ = [
    "ACCEPTABLE",
    "CARD",
    "COUNT_PATTERN",
    "FRAME",
    "LABEL",
    "LENGTH_LIMIT",
    "MAX_FONT_PX",
    "MODE_NAMES",
    "Canvas",
    "CardSpec",
    "CountRange",
    "DecorSpec",
    "Entry",
    "FrameSpec",
    "GridEntry",
    "GridSpec",
    "LabelSpec",
    "LayoutDocument",
    "PreviewSpec",
    "RegionSpec",
    "Variant",
    "WhenSpec",
    "parse_count",
    "read_layout",
]
