"""The authoring model: what a person writes in a layout file (docs/format.md).

Frozen dataclasses whose fields are declared with `layout.fields` (each with the kind of
value it takes, its default and its other names); `read_layout` reads plain data into a
LayoutDocument with every problem at once. These models check shape and types only;
everything that needs the canvas or the participants (ranges after unit conversion, role
binding, counts) is checked by the compiler, which knows where each value came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from layoutkit.cameras import CameraShape
from layoutkit.geometry import (
    Length,
)
from layoutkit.layout.fields import (
    Either,
    Nested,
    Problem,
    field,
    optional,
    read_document,
)
from layoutkit.layout.kinds import Choice, Integer, ListOf, MapOf, Number, Parsed, Text
from layoutkit.layout.style_model import (
    CARD,
    FRAME,
    LABEL,
    PATH,
    CardSpec,
    DecorSpec,
    FrameSpec,
    LabelSpec,
)
from layoutkit.layout.values import (
    _COUNT_RE,
    _COUNT_SCHEMAS,
    _NAME_RE,
    ASPECT,
    CAMERA_SHAPE,
    COLOR,
    COUNT_PATTERN,
    FILL,
    FIT,
    LENGTH,
    MODE,
    MODE_NAMES,
    ROLE_NAME,
    TEXT,
    UID,
    URL,
    FillName,
    FitName,
    _canvas,
    _Model,
    _model,
    _not_kebab,
)
from layoutkit.wire.profile import (
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    MAX_BITRATE_KBPS,
    MAX_REGIONS,
)
from layoutkit.wire.rules import MixedVideoLayout

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
    "parse_count",
    "read_layout",
]
