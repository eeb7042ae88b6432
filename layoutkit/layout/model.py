"""The authoring model: what a person writes in a layout file (docs/format.md), as frozen
pydantic models. `read_layout` reads plain data into a LayoutDocument with every problem
at once, each in the loader's words. These models check shape and types only; what needs
the canvas or the participants (ranges after unit conversion, role binding, counts) is
checked by the compiler, which knows where each value came from. A label's and a card's
`text` is a Jinja expression, no braces, for the person shown (`name`, `role | upper`)."""

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import core_schema

from layoutkit.cameras import SHAPE_PATTERN, CameraShape, parse_camera_shape
from layoutkit.errors import did_you_mean
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
# JSON Schema fragments of the value types: the parsers' own patterns; `not` refuses the
# zero sizes the parsers refuse after matching.
_ZERO_ASPECT = r"^\s*0+(\.0+)?\s*[:/x]|[:/x]\s*0+(\.0+)?\s*$"
_ZERO_SHAPE = r"(^\s*|:\s*)0+(\.0+)?\s*[:/x]|[:/x]\s*0+(\.0+)?\s*$"  # "0:9", "screen:4:0"
_MODE_PATTERN = (
    r"^\s*("
    + "|".join("".join(f"[{c}{c.upper()}]" for c in name) for name in MODE_NAMES)
    + r")\s*$"
)
_COUNT_SCHEMAS: list[dict[str, Any]] = [
    {"minimum": 0, "type": "integer"},
    {"pattern": COUNT_PATTERN, "type": "string"},
]
LENGTH_LIMIT = 1_000_000.0
"""The largest number a length may hold, whatever its unit: far past any canvas, and small
enough that every sum and rounding done with it stays a finite float."""
MAX_FONT_PX = 1000


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


def _length(value: object) -> Length:
    """`geometry.parse_length`, refusing a number no canvas holds (a 400-digit "999...px"
    reads as infinity)."""
    length = parse_length(value)
    if not math.isfinite(length.value) or abs(length.value) > LENGTH_LIMIT:
        shown = (
            "a number of over 300 digits"
            if math.isinf(length.value)
            else f"{length.value:.6g}{'' if length.unit == 'frac' else length.unit}"
        )
        raise ValueError(
            f"{shown} is too large for a length (at most {LENGTH_LIMIT:.0f}); write a "
            'fraction of the canvas (0.25), a percentage ("25%") or pixels ("320px")'
        )
    return length


class _Parsed:
    """A value a parser reads (ValueError says what is wrong), with the JSON Schema of
    what it takes; `written`: dumped as a person writes it. One prebuilt core schema,
    cheaper to make the models with than a validator, a serializer and a schema each."""

    def __init__(self, parse: Any, schema: dict[str, Any], written: bool = False) -> None:
        serialize = core_schema.plain_serializer_function_ser_schema(_written) if written else None
        self.core = core_schema.no_info_plain_validator_function(parse, serialization=serialize)
        self.schema = schema

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return dict(self.core)

    def __get_pydantic_json_schema__(self, core: Any, handler: Any) -> dict[str, Any]:
        return dict(self.schema)  # a copy: pydantic adds the default to it


def _written(value: Any) -> Any:
    """A length or count as a person writes it: `0.25`, `"8px"`, `"0+"`."""
    return value.value if isinstance(value, Length) and value.unit == "frac" else str(value)


LengthValue = Annotated[
    Length,
    _Parsed(
        _length,
        {
            "anyOf": [{"type": "number"}, {"pattern": LENGTH_PATTERN, "type": "string"}],
            "description": 'a fraction of the canvas (0.25), a percentage ("25%") or pixels '
            '("320px")',
        },
        written=True,
    ),
]
Mode = Annotated[
    MixedVideoLayout,
    _Parsed(
        _mode,
        {
            "anyOf": [
                {"enum": list(MODE_NAMES)},
                {"pattern": _MODE_PATTERN, "type": "string"},
                {"maximum": 3, "minimum": 0, "type": "integer"},
            ],
            "description": "floating, adaptive, vertical or custom (any case), or 0..3",
        },
    ),
]
Aspect = Annotated[
    float,
    _Parsed(
        parse_aspect,
        {
            "anyOf": [
                {"exclusiveMinimum": 0, "type": "number"},
                {"not": {"pattern": _ZERO_ASPECT}, "pattern": ASPECT_PATTERN, "type": "string"},
            ],
            "description": 'width / height: "16:9", "16/9", "16x9" or a number (1.7778)',
        },
    ),
]
Color = Annotated[
    str,
    _Parsed(
        parse_color,
        {"description": '"#RRGGBB" or "#RGB"', "pattern": COLOR_PATTERN, "type": "string"},
    ),
]
Url = Annotated[str, _Parsed(check_url, {"pattern": URL_PATTERN, "type": "string"})]
"""An http(s) URL, checked as the payload checks it (`wire.rules.check_url`)."""
Uid = Annotated[
    str,
    _Parsed(
        check_uid,
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": UID_MAX},
                {"type": "string", "pattern": r"^\s*0*[1-9]\d{0,9}\s*$"},
            ],
            "description": f"an integer user id, 1..{UID_MAX} (as a number or as digits)",
        },
    ),
]
Shape = Annotated[
    CameraShape,
    _Parsed(
        parse_camera_shape,
        {
            "description": 'a camera shape ("16:9", "9:16"), or a shared screen drawn as a '
            'slide ("screen", "screen:4:3")',
            "not": {"pattern": _ZERO_SHAPE},
            "pattern": SHAPE_PATTERN,
            "type": "string",
        },
    ),
]
NonEmpty = Annotated[str, Field(min_length=1)]
"""Text that is not empty: a role name (a region's `role`, `--role NAME=UID`), a label's
expression, a file's path."""
RoleText = Annotated[
    str,
    BeforeValidator(lambda value: "" if value is None else value),  # `screen:` alone: ""
    WithJsonSchema({"type": ["string", "null"]}),
]
FontSize = Annotated[int, Field(ge=MIN_FONT_PX, le=MAX_FONT_PX)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Fit = Literal["crop", "fit"]
Align = Literal["left", "center", "right"]
Accept = list[Literal["crop", "hidden", "small"]]
"""The warnings about a region its author may accept (`accept: [crop]`): a heavy crop, a
region hidden under another, a small region (`compile.place`)."""
_W = AliasChoices("width", "w")
_H = AliasChoices("height", "h")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FrameSpec(_Model):
    """A band of `color` around the video, `width` wide: the video is inset by it."""

    width: LengthValue = Length(4.0, "px")
    color: Color = "#FFFFFF"


class LabelSpec(_Model):
    """A name strip `height` tall `below` (or `above`) the video, inside the region: the
    video is shortened by it. `size` is the text's pixel size (shrunk to `min_size` to fit,
    then cut with "..."); `background` None lets the canvas show behind the text."""

    text: NonEmpty = "name"
    position: Literal["below", "above"] = "below"
    height: LengthValue = Length(6.0, "%")
    size: FontSize | None = None
    min_size: FontSize | None = None
    color: Color = "#FFFFFF"
    background: Color | None = None
    align: Align = "center"


class CardSpec(_Model):
    """What Agora shows while the person's video is off: `color` (or the local `image`,
    cropped to cover), their initials large and `text` (their name) below, in
    `text_color`."""

    color: Color = "#2D3340"
    text_color: Color = "#FFFFFF"
    image: NonEmpty | None = None
    text: NonEmpty = "name"


class DecorSpec(_Model):
    """One thing drawn on the canvas background, under the video: an `image` (a local
    file, such as a logo), a line of `text` (a title) or a rectangle `fill`ed with a
    colour; placed like a region."""

    image: NonEmpty | None = None
    text: str | None = None
    fill: Color | None = None
    x: LengthValue | None = None
    y: LengthValue | None = None
    right: LengthValue | None = None
    bottom: LengthValue | None = None
    width: LengthValue = Field(validation_alias=_W)
    height: LengthValue = Field(validation_alias=_H)
    fit: Fit = "fit"
    size: FontSize | None = None
    min_size: FontSize | None = None
    color: Color = "#FFFFFF"
    background: Color | None = None
    align: Align = "center"


class Canvas(_Model):
    """The recorded picture's size in pixels."""

    width: int = Field(ge=1)
    height: int = Field(ge=1)


class RegionSpec(_Model):
    """One region as written: a user (uid or role) and a rectangle."""

    uid: Uid | None = None
    role: NonEmpty | None = None
    x: LengthValue | None = None
    y: LengthValue | None = None
    right: LengthValue | None = None
    bottom: LengthValue | None = None
    width: LengthValue | None = Field(None, validation_alias=_W)
    height: LengthValue | None = Field(None, validation_alias=_H)
    aspect: Aspect | None = None
    alpha: Fraction = 1.0
    fit: Fit = "crop"
    placeholder: Url | None = None
    fill: Literal["agora"] | None = None
    frame: FrameSpec | None = None
    label: LabelSpec | None = None
    card: CardSpec | None = None
    accept: Accept = []


class GridSpec(_Model):
    """A grid of cells filling an area of the canvas."""

    x: LengthValue | None = None
    y: LengthValue | None = None
    width: LengthValue | None = Field(None, validation_alias=_W)
    height: LengthValue | None = Field(None, validation_alias=_H)
    rows: int = Field(1, ge=1, le=MAX_REGIONS)
    columns: int = Field(1, ge=1, le=MAX_REGIONS)
    gap: LengthValue = Length(0.0)
    padding: LengthValue = Length(0.0)
    cells: int | None = Field(None, ge=0, le=MAX_REGIONS * MAX_REGIONS)
    order: Literal["row", "column"] = "row"
    aspect: Aspect | None = None
    fit: Fit = "crop"
    alpha: Fraction = 1.0
    roles: list[NonEmpty] | None = None
    uids: list[Uid] | None = None
    fill: Literal["agora"] | None = None
    frame: FrameSpec | None = None
    label: LabelSpec | None = None
    card: CardSpec | None = None
    accept: Accept = []


class GridEntry(_Model):
    """A `grid:` item in a regions list."""

    grid: GridSpec


def _entry_kind(value: Any) -> str:
    grid = isinstance(value, GridEntry) or (isinstance(value, dict) and "grid" in value)
    return "GridEntry" if grid else "RegionSpec"


Entry = Annotated[
    Annotated[RegionSpec, Tag("RegionSpec")] | Annotated[GridEntry, Tag("GridEntry")],
    Discriminator(_entry_kind),
]
"""An item of a regions list: a region, or a grid of them (a mapping with `grid`)."""


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


Count = Annotated[
    CountRange,
    _Parsed(
        parse_count,
        {"anyOf": _COUNT_SCHEMAS, "description": '3, a range "2-4" or an open range "5+"'},
        written=True,
    ),
]


class WhenSpec(_Model):
    """`when: {count: 2+, roles: [screen]}`: a count and roles that must be present."""

    count: Count = CountRange(0, None)
    roles: list[str] = []


def _when(value: object) -> object:
    return value if isinstance(value, dict | WhenSpec) else {"count": value}


When = Annotated[
    WhenSpec,
    BeforeValidator(_when),
    WithJsonSchema(
        {
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
        }
    ),
]
"""`when:` is a count, a range, or a WhenSpec mapping (described inline in the schema)."""


class Variant(_Model):
    """A variant of the layout for some participant counts (and roles)."""

    when: When
    mode: Mode | None = None
    focus: str | None = None
    background: Color | None = None
    regions: list[Entry] | None = None


class PreviewSpec(_Model):
    """How previews draw the participants (never sent to Agora): `cameras` maps a role or
    a uid to a camera shape, or to `screen` for a shared screen; `camera` is the shape of
    everyone else (the `screen` role excepted, always a screen). `names` (role or uid ->
    a sample name) and `video_off` (roles or uids) show a styled layout's labels and
    cards in previews given no names and nobody's camera off."""

    camera: Shape | None = None
    cameras: dict[NonEmpty, Shape] = {}
    names: dict[NonEmpty, NonEmpty] = {}
    video_off: list[NonEmpty] = []


class LayoutDocument(_Model):
    """A whole layout file, after templating and `extends`."""

    name: Annotated[str, Field(pattern=_NAME_RE)] | None = None
    title: str | None = None
    description: str | None = None
    tags: list[str] = []
    extends: str | None = None
    counts: Count | None = None
    variables: dict[str, str] = {}
    roles: dict[NonEmpty, RoleText] = {}  # also known: the roles used (`roles.known_roles`)
    canvas: Annotated[Canvas, BeforeValidator(_canvas)] = Canvas.model_construct(
        width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT
    )
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
    decor: list[DecorSpec] | None = None
    card: CardSpec | None = None
    font: NonEmpty | None = None

    @property
    def effective_mode(self) -> MixedVideoLayout:
        """`mode`, else custom when regions or variants are present, else floating."""
        if self.mode is not None:
            return self.mode
        if self.regions is not None or self.variants is not None:
            return MixedVideoLayout.CUSTOM
        return MixedVideoLayout.FLOATING


# --- reading plain data, with every problem in the loader's words ------------------------

Loc = tuple[str | int, ...]


class Problem(NamedTuple):
    """One thing wrong with a document, at `loc`, its path in the data (a value given in
    another form, such as `canvas: 1280x0`, keeps its problems on that value). `key`: the
    problem is the key itself; `missing`: a required key is absent (`loc` ends with it)."""

    loc: Loc
    message: str
    key: bool = False
    missing: bool = False


_NESTED: dict[str, type[BaseModel]] = {
    "canvas": Canvas,
    "grid": GridSpec,
    "when": WhenSpec,
    "preview": PreviewSpec,
    "frame": FrameSpec,
    "label": LabelSpec,
    "card": CardSpec,
    "decor": DecorSpec,
    "variants": Variant,
}
_TAGS: dict[str, type[BaseModel]] = {"RegionSpec": RegionSpec, "GridEntry": GridEntry}
_EXAMPLES = {
    "frame": '{width: 6px, color: "#FFCC00"}',
    "label": "{} (a strip with the name), or {height: 40px, ...}",
    "card": '{} (the default card), or {color: "#334455"}',
}
_BOUNDS = {"less_than_equal": ("le", "at most"), "greater_than_equal": ("ge", "at least")}
_PLAIN = {
    "int_parsing": "{value!r} is not a whole number{hint}",
    "int_type": "{value!r} is not a whole number{hint}",
    "int_from_float": "{value!r} is not a whole number{hint}",
    "float_parsing": "{value!r} is not a number",
    "float_type": "{value!r} is not a number",
    "string_type": "{value!r} is not text; quote it",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "{value!r} is not a kebab-case name; write lower-case words "
    "joined by '-'",
    "list_type": "expected a list (`- item` lines or [a, b]), got {kind}",
}


def read_layout(data: Any) -> tuple[LayoutDocument | None, list[Problem]]:
    """Plain data (a YAML mapping) -> the document, or None, and every problem found."""
    try:
        return LayoutDocument.model_validate(data), []
    except ValidationError as exc:
        return None, [_problem(error, data) for error in exc.errors(include_url=False)]


def _problem(error: Any, data: Any) -> Problem:
    path, model, mapping = _walk(error["loc"], data)
    kind = error["type"]
    if kind == "extra_forbidden":
        return Problem(path, _unknown(model, str(path[-1]), mapping), key=True)
    if kind == "missing":
        return Problem(path, f"missing required key {path[-1]!r}", missing=True)
    return Problem(path, _message(kind, error, path))


def _message(kind: str, error: Any, path: Loc) -> str:
    value = error.get("input")
    ctx = error.get("ctx", {})
    if kind == "value_error":
        return str(ctx["error"])
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return f"{value!r} is out of range: it must be {words} {ctx[name]}"
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", ctx["expected"])
        close = did_you_mean(value, options)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{value!r} is not allowed; expected {ctx['expected']}{hint}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        example = _EXAMPLES.get(str(path[-1])) if path else None
        if example is not None:
            return f"expected a mapping, got {_kind(value)}; write it as {example}"
        return f"expected a mapping (key: value lines), got {_kind(value)}"
    hint = "; a size in pixels is a number: 20" if path and path[-1] in ("size", "min_size") else ""
    return _PLAIN.get(kind, str(error["msg"])).format(value=value, kind=_kind(value), hint=hint)


def _kind(value: object) -> str:
    """What a value is, for "expected a list, got ..." messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing (null)" if value is None else repr(value)


def _walk(loc: Loc, data: Any) -> tuple[Loc, type[BaseModel], Any]:
    """A pydantic error location followed through the data as far as it goes there (a
    missing key keeps its name), the model of the last mapping on the way, and that
    mapping."""
    path: list[str | int] = []
    model: type[BaseModel] = LayoutDocument
    current, owner, mapping = data, model, data
    previous: object = None
    for part in loc:
        if isinstance(previous, int) and part in _TAGS:
            model = _TAGS[str(part)]  # the tag of a regions item: a region or a grid
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            path.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str):
            path.append(part)
            owner, mapping = model, current
            model = _NESTED.get(part, model)
            current = current.get(part)
        previous = part
    return tuple(path), owner, mapping


def _names(model: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """Every field of a model, with the names it is read under (its own first)."""
    found = {}
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        found[name] = tuple(alias.choices) if isinstance(alias, AliasChoices) else (name,)
    return found  # type: ignore[return-value]


def _unknown(model: type[BaseModel], name: str, mapping: Any) -> str:
    """Why a key is refused: the same key under two names; a key beside `grid`; else the
    key meant, when it looks like a typo, or every key known."""
    for names in _names(model).values():
        if name in names:
            given = next(n for n in names if n != name and n in mapping)
            return f"{given} and {name} are the same key; give one of them"
    if model is GridEntry:
        return (
            f"unknown key {name!r}; an item with grid takes nothing else: move {name} inside "
            "grid, or remove grid for a region"
        )
    known = sorted({n for names in _names(model).values() for n in names})
    if model is RegionSpec:
        known = sorted([*known, "grid"])  # a region with `grid` is a GridEntry
    close = did_you_mean(name, known)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    return f"unknown key {name!r}; {hint}"
