"""What a payload gets wrong: which payload a JSON document is, what Agora's wire models
refuse in it (each pydantic error as a data path and words a user acts on), and the
mistakes Agora accepts without a word (a `Finding`: path, severity, what Agora does and
what to write instead). A `Claim` says a finding explains a wire error at the same place
better, which is then left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from layoutkit.cameras import DEFAULT_ASPECT
from layoutkit.errors import Severity, did_you_mean
from layoutkit.geometry import ROUNDING_UNIT
from layoutkit.jsonmarks import JsonPath as Path
from layoutkit.wire.api import REGIONS, StartClientRequest, StartRequest, StorageConfig
from layoutkit.wire.base import WireModel, json_context
from layoutkit.wire.layout import (
    BackgroundConfig,
    LayoutFields,
    LayoutRegion,
    TranscodingConfig,
    UpdateLayoutClientRequest,
    UpdateLayoutRequest,
)
from layoutkit.wire.rules import (
    DEFAULT_BITRATE,
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    LOW_BITRATE_SHARE,
    MAX_REGIONS,
    MAX_SIDE_PX,
    SUPPORTED_FPS,
    MixedVideoLayout,
    check_uid,
    check_url,
    image_url_problem,
    json_kind,
    recommended_bitrate,
)

if TYPE_CHECKING:  # the wire models hold pydantic; this module only reads their errors
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails


class Shape(StrEnum):
    """A payload shape, by what it is called in messages."""

    START_BODY = "a start request body"
    START_CLIENT = "a start clientRequest"
    UPDATE_BODY = "an updateLayout request body"
    UPDATE_CLIENT = "an updateLayout clientRequest"
    TRANSCODING = "a transcodingConfig"
    LAYOUT_CONFIG = "a layoutConfig array"


def _names(model: type[WireModel]) -> tuple[str, ...]:
    return tuple(f.alias or name for name, f in model.model_fields.items())


LAYOUT_KEYS = _names(LayoutFields)
"""The layout fields of updateLayout's clientRequest and of transcodingConfig."""
CANVAS_KEYS = tuple(k for k in _names(TranscodingConfig) if k not in LAYOUT_KEYS)
"""What only transcodingConfig has: width, height, fps, bitrate."""
REGION_KEYS = _names(LayoutRegion)
BACKGROUND_KEYS = _names(BackgroundConfig)
START_CLIENT_KEYS = (
    *_names(StartClientRequest),
    # start fields of other recording features, which the wire models pass through
    "snapshotConfig",
    "extensionServiceConfig",
    "appsCollection",
    "transcodeOptions",
)
BODY_KEYS = ("cname", "uid", "clientRequest")
TRANSCODING = "transcodingConfig"
RECORDING = "recordingConfig"
CLIENT = "clientRequest"

ACCEPTED = (
    "a start or updateLayout request body ({cname, uid, clientRequest}), its clientRequest, "
    "a transcodingConfig, or a layoutConfig array"
)


def detect_shape(data: Any) -> Shape | str:
    """The shape of a payload, or a message saying why it is none of them."""
    if isinstance(data, list):
        return Shape.LAYOUT_CONFIG
    if not isinstance(data, dict):
        return f"{json_kind(data)} is not a payload; lint takes {ACCEPTED}"
    keys = set(data)
    if keys & {"x_axis", "y_axis"}:
        return (
            "this is one region, not a payload: a layoutConfig array holds regions, so wrap "
            f"it in [ ]; lint takes {ACCEPTED}"
        )
    if keys & set(BODY_KEYS):
        client = data.get(CLIENT)
        inner = set(client) if isinstance(client, dict) else set()
        if (inner | keys) & {*START_CLIENT_KEYS, TRANSCODING}:
            return Shape.START_BODY
        if inner and not (inner | keys) & {*LAYOUT_KEYS, *CANVAS_KEYS}:
            named = _named(inner)
            return (
                f"a request body whose clientRequest holds no layout ({named}; an acquire or "
                f"stop body?); lint takes {ACCEPTED}"
            )
        return Shape.UPDATE_BODY
    if keys & {*START_CLIENT_KEYS, TRANSCODING}:
        return Shape.START_CLIENT
    if keys & set(CANVAS_KEYS):
        return Shape.TRANSCODING
    if keys & set(LAYOUT_KEYS):
        return Shape.UPDATE_CLIENT
    named = _named(keys) or "no keys"
    return f"an object with {named} is not a payload lint knows; it takes {ACCEPTED}"


def _named(keys: set[str]) -> str:
    """Some of an object's keys, for a message (each cut short)."""
    shown = [k if len(k) <= 30 else k[:27] + "..." for k in sorted(keys)[:5]]
    return ", ".join(shown) + (", ..." if len(keys) > 5 else "")


LAYOUT_AT: dict[Shape, tuple[Path, bool]] = {
    Shape.START_BODY: ((CLIENT, RECORDING, TRANSCODING), True),
    Shape.START_CLIENT: ((RECORDING, TRANSCODING), True),
    Shape.UPDATE_BODY: ((CLIENT,), False),
    Shape.UPDATE_CLIENT: ((), False),
    Shape.TRANSCODING: ((), True),
}
"""Where each shape's own layout object is, and whether it sets the canvas."""


def value_at(data: Any, path: Sequence[str | int]) -> Any:
    """The value at `path`, or None when there is none."""
    current = data
    for part in path:
        if isinstance(current, dict) and isinstance(part, str):
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            return None
    return current


@dataclass(frozen=True)
class WireProblem:
    """One error of the wire models: where (a data path) and what, readable."""

    path: Path
    message: str
    kind: str  # pydantic's error type: "missing", "too_long", "value_error", ...


def wire_problems(data: Any, shape: Shape, misplaced: Sequence[Path] = ()) -> list[WireProblem]:
    """What the wire models refuse in `data` of `shape`, and in the layout objects found
    at `misplaced` (a transcodingConfig Agora would ignore where it is)."""
    context = json_context(mode="mix")
    problems: list[WireProblem] = []
    if shape == Shape.LAYOUT_CONFIG:
        wrapped = {"mixedVideoLayout": int(MixedVideoLayout.CUSTOM), "layoutConfig": data}
        for problem in validate(UpdateLayoutClientRequest, wrapped, context, ()):
            path = problem.path[1:] if problem.path[:1] == ("layoutConfig",) else problem.path
            message = problem.message
            if data == [] and not path:
                message = "an empty layoutConfig: a custom layout needs at least one region"
            problems.append(WireProblem(path, message, problem.kind))
    else:
        problems.extend(validate(_MODELS[shape], data, context, ()))
    for path in misplaced:
        problems.extend(validate(TranscodingConfig, value_at(data, path), context, path))
    for problem in list(problems):
        regions = value_at(data, problem.path)
        if problem.kind == "too_long" and isinstance(regions, list):
            # past the limit pydantic checks no item: check each region on its own
            for index, region in enumerate(regions):
                problems.extend(validate(LayoutRegion, region, context, (*problem.path, index)))
    return problems


_MODELS: dict[Shape, type[WireModel]] = {
    Shape.START_BODY: StartRequest,
    Shape.START_CLIENT: StartClientRequest,
    Shape.UPDATE_BODY: UpdateLayoutRequest,
    Shape.UPDATE_CLIENT: UpdateLayoutClientRequest,
    Shape.TRANSCODING: TranscodingConfig,
}


def validate(
    model: type[WireModel], value: Any, context: dict[str, Any], prefix: Path
) -> list[WireProblem]:
    """What `model` refuses in `value`, each error at its data path under `prefix`."""
    try:
        model.model_validate(value, context=context)
    except ValueError as exc:  # the wire models' ValidationError, a ValueError
        if not callable(getattr(exc, "errors", None)):
            raise
        found = []
        for error in cast("ValidationError", exc).errors():
            path = _follow(error["loc"], value)
            found.append(
                WireProblem((*prefix, *path), _readable(error, value, path), error["type"])
            )
        return found
    return []


def _follow(loc: Sequence[str | int], data: Any) -> Path:
    """The data path of an error's `loc`, followed through the data as far as it goes
    (union tags and missing keys are left out: a missing key's error is on its object)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        if in_list or in_dict:
            path.append(part)
            current = current[part]
    return tuple(path)


_FRACTIONS = ("x_axis", "y_axis", "width", "height")


def _readable(error: ErrorDetails, data: Any, path: Path) -> str:
    """A pydantic error in words a payload's author acts on (never quoting the value of
    a field that may hold a secret: only numbers are shown)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    value = value_at(data, path)
    loc = error["loc"]
    name = str(loc[-1]) if loc else ""
    in_region = "layoutConfig" in loc
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "missing":
        return f'"{name}" is missing: Agora requires it (add it{_MISSING_HINTS.get(name, "")})'
    if kind == "too_long":
        return (
            f"{ctx.get('actual_length')} items, more than the {ctx.get('max_length')} "
            "Agora takes (remove some)"
        )
    if in_region and name in _FRACTIONS and number and kind == "less_than_equal":
        return (
            f"{value:g} is more than 1: positions and sizes are fractions of the canvas "
            "(0..1), not pixels (divide by the canvas width or height)"
        )
    if name == "alpha" and number and kind in ("less_than_equal", "greater_than_equal"):
        return f"{value:g} is not an opacity: alpha goes from 0 (transparent) to 1 (opaque)"
    if number and isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    if kind == "string_too_short" and value == "":
        what = _EMPTY_HINTS.get(name, "a value")
        return f'"{name}" is empty: Agora requires a value here (write {what})'
    if kind in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[kind]}, not {json_kind(value)}"
    return _plain(error["msg"], value if number else None)


def _plain(message: str, number: float | None) -> str:
    """Pydantic's message in the linter's words (the number given first, when there is one)."""
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
        message = message.replace("less than or equal to", "at most")
        message = message.replace("greater than or equal to", "at least")
        if number is not None:
            message = f"{number:g}: {message}"
    return message


_MISSING_HINTS = {
    "x_axis": ": the left edge, a fraction of the canvas width from 0 to 1",
    "y_axis": ": the top edge, a fraction of the canvas height from 0 to 1",
    "width": ": a fraction of the canvas width from 0 to 1",
    "height": ": a fraction of the canvas height from 0 to 1",
    "uid": ': a uid as a string of digits, e.g. "1001"',
    "cname": ": the channel name",
    "clientRequest": ": the object that holds the request's settings",
    "image_url": ": an https:// URL of a JPG or BMP picture",
}
_EMPTY_HINTS = {
    "bucket": "the name of the storage bucket",
    "accessKey": "the access key of the storage account",
    "secretKey": "the secret key of the storage account",
    "cname": "the channel name",
    "uid": "the recording's own uid, a string of digits",
    "token": "the token for the recording's uid, or leave token out",
}
_TYPE_WORDS = {
    "dict_type": "a JSON object",
    "model_type": "a JSON object",
    "model_attributes_type": "a JSON object",
    "list_type": "a JSON array",
    "string_type": "a JSON string",
    "int_type": "a JSON integer",
    "float_type": "a JSON number",
    "bool_type": "true or false",
}


STORAGE = "storageConfig"
PREFIX = "fileNamePrefix"
_PLACEHOLDERS = {"bucket": "b", "accessKey": "a", "secretKey": "s", "stsToken": "t"}
_MAX_ROUNDS = 4  # the whole-object rules: region, then endpoint (one at a time)


def locate_storage(data: Any, shape: Shape, problems: list[WireProblem]) -> list[WireProblem]:
    """`problems` with the storageConfig's whole-object and prefix errors replaced by the
    same errors, each at its value, and the ones they hid."""
    path = {Shape.START_BODY: (CLIENT, STORAGE), Shape.START_CLIENT: (STORAGE,)}.get(shape)
    storage = value_at(data, path) if path is not None else None
    if path is None or not isinstance(storage, Mapping):
        return problems
    prefix_path = (*path, PREFIX)
    kept = [p for p in problems if not (p.kind == "value_error" and p.path in (path, prefix_path))]
    return kept + storage_problems(storage, path)


def storage_problems(storage: Mapping[str, Any], path: Path) -> list[WireProblem]:
    """The whole-object and prefix errors of one storageConfig, each at its value."""
    context = json_context(mode="mix")
    base = _repaired(storage, context)
    if base is None:
        return []  # the vendor or region itself is wrong: its field error says so
    found: list[WireProblem] = []
    for _ in range(_MAX_ROUNDS):
        whole = [p for p in validate(StorageConfig, base, context, ()) if not p.path]
        if not whole:
            break
        problem = whole[0]
        where = _place(problem.message, storage)
        found.append(WireProblem((*path, *where), problem.message, problem.kind))
        regions = REGIONS.get(base["vendor"])
        if where == ("region",) and regions is not None:
            base["region"] = int(next(iter(regions)))  # put right, to check the rest
        else:
            break
    prefix = storage.get(PREFIX)
    if isinstance(prefix, list) and all(isinstance(entry, str) for entry in prefix):
        found.extend(_prefix_problems(prefix, base, (*path, PREFIX), context))
    return found


def _repaired(storage: Mapping[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    """A copy of `storage` whose fields the model takes (strings filled in, the prefix
    left out), or None when the vendor or region is what is wrong."""
    base = dict(storage)
    base.pop(PREFIX, None)
    for key, value in _PLACEHOLDERS.items():
        if key in base and (not isinstance(base[key], str) or not base[key]):
            base[key] = value
        if key != "stsToken" and key not in base:
            base[key] = value
    for problem in validate(StorageConfig, base, context, ()):
        if problem.kind == "missing" or problem.path[:1] in (("vendor",), ("region",)):
            return None
        if problem.path[:1] == ("extensionParams",) or not problem.path:
            continue
        base[str(problem.path[0])] = _PLACEHOLDERS.get(str(problem.path[0]), "x")
    if not isinstance(base.get("extensionParams"), dict | None):
        base.pop("extensionParams")
    return base


def _place(message: str, storage: Mapping[str, Any]) -> Path:
    """The value a whole-object error is about (as far as the object goes)."""
    if message.startswith("region "):
        return ("region",)
    if "extensionParams" in message:
        params = storage.get("extensionParams")
        if isinstance(params, Mapping) and "endpoint" in params:
            return ("extensionParams", "endpoint")
        if params is not None:
            return ("extensionParams",)
    return ()


def _prefix_problems(
    prefix: Sequence[str], base: Mapping[str, Any], path: Path, context: dict[str, Any]
) -> list[WireProblem]:
    """Each entry checked alone (its error at the entry), then the length of them all."""
    found: list[WireProblem] = []
    for index, entry in enumerate(prefix):
        for problem in validate(StorageConfig, {**base, PREFIX: [entry]}, context, ()):
            if problem.path[:1] == (PREFIX,):
                found.append(WireProblem((*path, index), problem.message, problem.kind))
    filler = ["a" * max(len(entry), 1) for entry in prefix]
    for problem in validate(StorageConfig, {**base, PREFIX: filler}, context, ()):
        if problem.path[:1] == (PREFIX,):
            found.append(WireProblem(path, problem.message, problem.kind))
    return found


TALL_LIMIT = 0.9 / DEFAULT_ASPECT
"""A region narrower than this (width / height in pixels) on the default portrait canvas
is narrower than a 9:16 phone picture by more than a tenth: made for a landscape canvas."""
LANDSCAPE_CANVAS = (1280, 720)
"""The landscape canvas the fix proposes (16:9, Agora's 720p profile)."""


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


def check_canvas(obj: Mapping[str, Any], path: Path, out: Findings, *, custom: bool) -> None:
    """The rules of a transcodingConfig's canvas, fps and bitrate; `custom`: mode 3, so its
    regions are the picture."""
    width, height = obj.get("width"), obj.get("height")
    size: tuple[int, int] | None = None
    if width is None and height is None:
        size = (DEFAULT_WIDTH, DEFAULT_HEIGHT)
        regions = obj.get("layoutConfig")
        if custom and isinstance(regions, list):
            _landscape(regions, path, out)
    elif width is None or height is None:
        given, missing = ("width", "height") if height is None else ("height", "width")
        side = _side(obj[given])
        if side is not None:
            default = DEFAULT_HEIGHT if missing == "height" else DEFAULT_WIDTH
            size = (side, default) if given == "width" else (default, side)
            out.warn(
                (*path, given),
                f"{given} is given without {missing}, so Agora takes its default "
                f"{missing} of {default}: the canvas is {size[0]}×{size[1]} (give both "
                "width and height)",
            )
    else:
        w, h = _side(width), _side(height)
        size = (w, h) if w is not None and h is not None else None
    fps = integer(obj.get("fps"))
    if fps is not None and fps >= 1 and fps not in SUPPORTED_FPS:
        rates = ", ".join(str(r) for r in SUPPORTED_FPS)
        out.warn(
            (*path, "fps"),
            f"Agora records at {rates} fps; {fps} falls back to {DEFAULT_FPS} (pick one of those)",
        )
        fps = DEFAULT_FPS
    if size is not None:
        _bitrate(obj, size, fps if fps is not None and fps >= 1 else DEFAULT_FPS, path, out)


def _bitrate(
    obj: Mapping[str, Any], size: tuple[int, int], fps: int, path: Path, out: Findings
) -> None:
    advised = recommended_bitrate(size[0], size[1], fps)
    advice = (
        f"Agora's recommendation for {size[0]}×{size[1]} at {fps} fps ({advised} Kbps), so "
        "the recording will look blocky"
    )
    bitrate = integer(obj.get("bitrate"))
    if "bitrate" not in obj and advised * LOW_BITRATE_SHARE > DEFAULT_BITRATE:
        out.warn(
            path,
            f"bitrate is left out, so Agora records at its default {DEFAULT_BITRATE} "
            f'Kbps, far below {advice} (add "bitrate": {advised})',
        )
    elif bitrate is not None and 1 <= bitrate < advised * LOW_BITRATE_SHARE:
        out.warn(
            (*path, "bitrate"),
            f"bitrate {bitrate} Kbps is far below {advice} (raise it to {advised})",
        )


def _landscape(regions: Sequence[Any], path: Path, out: Findings) -> None:
    """The warning of the landscape heuristic (`TALL_LIMIT`), or nothing."""
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
        return
    index, w, h = tall[0]
    wide_w, wide_h = LANDSCAPE_CANVAS
    more = len(tall) - 1
    others = f", and so {'is' if more == 1 else 'are'} {more} more" if more else ""
    out.warn(
        path,
        f"no width or height, so Agora records its default {DEFAULT_WIDTH}×"
        f"{DEFAULT_HEIGHT} canvas, which is portrait, but the regions are laid out for a "
        f"landscape one: layoutConfig[{index}] is {w * DEFAULT_WIDTH:.0f}×"
        f"{h * DEFAULT_HEIGHT:.0f} px there, narrower than a 9:16 phone picture{others} "
        f"(on {wide_w}×{wide_h} it would be {w * wide_w:.0f}×{h * wide_h:.0f} px) (add "
        f'"width": {wide_w}, "height": {wide_h}, or the canvas the layout was made for)',
    )


ALLSTREAM = "#allstream#"
EDGE_SLACK = float(ROUNDING_UNIT) + 1e-9
"""x_axis + width may pass 1 by 6-decimal rounding of thirds (0.666667 + 0.333334), and
by a float's rounding on top: Agora takes it, and so does the importer."""


@dataclass(frozen=True)
class Finding:
    """A problem at a data path (at its key when `key`)."""

    severity: Severity
    path: Path
    message: str
    key: bool = False


@dataclass(frozen=True)
class Claim:
    """Wire errors at `path` that a finding replaces: those whose type is in `kinds`
    or whose message holds `text` (every one when both are empty)."""

    path: Path
    kinds: tuple[str, ...] = ()
    text: str = ""


@dataclass
class Findings:
    """What the rules found in one payload."""

    found: list[Finding] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    misplaced: list[Path] = field(default_factory=list)

    def error(self, path: Path, message: str, *, key: bool = False) -> None:
        self.found.append(Finding("error", path, message, key))

    def warn(self, path: Path, message: str, *, key: bool = False) -> None:
        self.found.append(Finding("warning", path, message, key))

    def claim(self, path: Path, *, kinds: tuple[str, ...] = (), text: str = "") -> None:
        self.claims.append(Claim(path, kinds, text))


def check(data: Any, shape: Shape) -> Findings:
    """Every rule over a payload of a known shape."""
    out = Findings()
    _placement(data, shape, out)
    places = [(path, True) for path in out.misplaced]
    for path, canvas in [LAYOUT_AT[shape], *places] if shape in LAYOUT_AT else places:
        obj = value_at(data, path)
        if isinstance(obj, dict):
            _layout_object(obj, path, canvas, out)
    if shape == Shape.LAYOUT_CONFIG and isinstance(data, list):
        _regions(data, (), out)
    _non_finite(data, out)
    return out


def quote(value: str, limit: int = 40) -> str:
    """A value from the payload, quoted and cut short, for a message."""
    text = value if len(value) <= limit else value[: limit - 3] + "..."
    return '"' + text.replace('"', '\\"') + '"'


_DEFAULTS = (
    f"records with its defaults, a {DEFAULT_WIDTH}×{DEFAULT_HEIGHT} canvas in the floating mode"
)


def _placement(data: Any, shape: Shape, out: Findings) -> None:
    """Objects and fields where Agora never looks for them (the models pass unknown keys
    through, so nothing else says so)."""
    if shape == Shape.UPDATE_BODY and isinstance(data, dict):
        _stray(data, (), "clientRequest", out)
        return
    if shape not in (Shape.START_BODY, Shape.START_CLIENT):
        return
    base: Path = (CLIENT,) if shape == Shape.START_BODY else ()
    if shape == Shape.START_BODY and isinstance(data, dict):
        for key in (k for k in data if k in START_CLIENT_KEYS):
            out.error(
                (key,),
                f"{key} belongs inside clientRequest: Agora ignores it beside clientRequest "
                "(move it into clientRequest)",
                key=True,
            )
        if TRANSCODING in data:
            out.error(
                (TRANSCODING,),
                "transcodingConfig belongs inside clientRequest.recordingConfig: Agora "
                f"ignores it here and {_DEFAULTS} (move it there)",
                key=True,
            )
            out.misplaced.append((TRANSCODING,))
        _stray(data, (), "clientRequest.recordingConfig.transcodingConfig", out)
    client = value_at(data, base)
    if not isinstance(client, dict):
        return
    if TRANSCODING in client:
        out.error((*base, TRANSCODING), _beside_message(client), key=True)
        out.misplaced.append((*base, TRANSCODING))
    _stray(client, base, "recordingConfig.transcodingConfig", out)
    recording = client.get(RECORDING)
    if isinstance(recording, dict):
        _stray(recording, (*base, RECORDING), "transcodingConfig", out)


def _beside_message(client: Mapping[str, Any]) -> str:
    ignored = f"Agora ignores it there and {_DEFAULTS}"
    if RECORDING in client:
        return (
            f"transcodingConfig is beside recordingConfig instead of inside it: {ignored} "
            "(move it into recordingConfig)"
        )
    if set(client) & set(START_CLIENT_KEYS):
        return (
            f"transcodingConfig belongs inside recordingConfig: {ignored} (write "
            '"recordingConfig": {"transcodingConfig": {...}})'
        )
    return (
        f"transcodingConfig belongs inside recordingConfig: in a start request {ignored} "
        '(write "recordingConfig": {"transcodingConfig": {...}}; in an updateLayout '
        "request, put its layout fields directly in clientRequest)"
    )


def _stray(obj: Mapping[str, Any], path: Path, home: str, out: Findings) -> None:
    """Layout fields written where Agora does not read them: one error, at the first."""
    stray = [k for k in obj if k in LAYOUT_KEYS or k in CANVAS_KEYS]
    if not stray:
        return
    names = ", ".join(stray)
    verb, them = ("belongs", "it") if len(stray) == 1 else ("belong", "them")
    out.error(
        (*path, stray[0]),
        f"{names} {verb} in {home}: Agora ignores {them} here (move {them} there)",
        key=True,
    )


def _layout_object(obj: Mapping[str, Any], path: Path, canvas: bool, out: Findings) -> None:
    """The rules of one updateLayout clientRequest or transcodingConfig (`canvas`)."""
    regions = obj.get("layoutConfig")
    mode_value = obj.get("mixedVideoLayout")
    mode = integer(mode_value)
    builtin = mode_value is None or mode in (0, 1, 2)
    if isinstance(regions, list) and regions and builtin:
        _builtin_with_regions(mode, path, out)
    focus = obj.get("maxResolutionUid")
    if focus is not None:
        _uid_rule(focus, (*path, "maxResolutionUid"), "nobody is shown large", out)
        if builtin and mode != MixedVideoLayout.VERTICAL:
            name = MixedVideoLayout(mode or 0).name.lower()
            out.warn(
                (*path, "maxResolutionUid"),
                "maxResolutionUid picks who is large in the vertical mode (2) only; with "
                f"mode {mode or 0} ({name}) Agora ignores it (remove it, or send "
                '"mixedVideoLayout": 2)',
            )
    for key in ("backgroundImage", "defaultUserBackgroundImage"):
        _image(obj.get(key), (*path, key), out)
    backgrounds = obj.get("backgroundConfig")
    if isinstance(backgrounds, list):
        for index, entry in enumerate(backgrounds):
            if isinstance(entry, dict):
                _background(entry, (*path, "backgroundConfig", index), out)
    if isinstance(regions, list):
        _regions(regions, (*path, "layoutConfig"), out)
    known = (*LAYOUT_KEYS, *CANVAS_KEYS) if canvas else LAYOUT_KEYS
    _typos(obj, path, known, (), out)
    if canvas:
        check_canvas(obj, path, out, custom=mode == 3)
    else:
        _canvas_keys(obj, path, out)


def _canvas_keys(obj: Mapping[str, Any], path: Path, out: Findings) -> None:
    for key in (k for k in obj if k in CANVAS_KEYS):  # an updateLayout cannot change them
        out.warn(
            (*path, key),
            f"updateLayout cannot change the recording's canvas or quality: Agora "
            f"ignores {key} here (set it in the start request's transcodingConfig)",
            key=True,
        )


def _builtin_with_regions(mode: int | None, path: Path, out: Findings) -> None:
    if mode is None:
        message = (
            "layoutConfig is sent without mixedVideoLayout, which defaults to 0 (floating): "
            "Agora ignores the regions and lays everyone out itself (add "
            '"mixedVideoLayout": 3 to use these regions)'
        )
        out.error((*path, "layoutConfig"), message, key=True)
    else:
        name = MixedVideoLayout(mode).name.lower()
        message = (
            f"layoutConfig is sent with mixedVideoLayout {mode} ({name}), a built-in mode: "
            "Agora ignores the regions and lays everyone out itself (send "
            '"mixedVideoLayout": 3 to use these regions, or leave layoutConfig out)'
        )
        out.error((*path, "mixedVideoLayout"), message)
    out.claim(path, text="layoutConfig is only allowed")


def _uid_rule(uid: object, path: Path, effect: str, out: Findings) -> bool:
    """A uid that names no user: `#allstream#` or a string user account. True when
    one was found (its wire error is claimed)."""
    if uid == ALLSTREAM:
        out.error(
            path,
            f'"{ALLSTREAM}" is not a user: it stands for every stream in the subscribe '
            "lists (subscribeVideoUids, subscribeAudioUids), while Agora gives a uid here "
            f"to one user, so {effect} (name one user's uid, or leave uid out)",
        )
    elif isinstance(uid, str) and any(c.isalpha() for c in uid):
        out.error(
            path,
            f"{quote(uid)} is a string user account, not a numeric uid: Agora matches "
            f"layouts to numeric uids only, so {effect} (use the numeric uid the user "
            'joined with, written as a string of digits, e.g. "1001"; Cloud Recording '
            "does not support string user accounts)",
        )
    else:
        return False
    out.claim(path)
    return True


def _image(url: object, path: Path, out: Findings) -> None:
    if not isinstance(url, str):
        return
    try:
        check_url(url)
    except ValueError:
        return  # not a URL at all: the wire models say so
    problem = image_url_problem(url)
    if problem is not None:
        out.warn(
            path,
            f"{problem}, so Agora will not show this picture (serve it over https:// as a "
            ".jpg or .bmp file)",
        )


def _background(entry: Mapping[str, Any], path: Path, out: Findings) -> None:
    if "uid" in entry:
        _uid_rule(entry["uid"], (*path, "uid"), "this picture is never shown", out)
    _image(entry.get("image_url"), (*path, "image_url"), out)
    _typos(entry, path, BACKGROUND_KEYS, ("uid", "image_url"), out)


def _regions(regions: Sequence[Any], path: Path, out: Findings) -> None:
    """The rules of a layoutConfig array."""
    if len(regions) > MAX_REGIONS:
        extra = len(regions) - MAX_REGIONS
        out.error(
            (*path, MAX_REGIONS),
            f"layoutConfig has {len(regions)} regions, and Agora draws at most "
            f"{MAX_REGIONS}: this region and the {extra - 1} after it would never show "
            f"anyone, and Agora refuses the request (keep at most {MAX_REGIONS} regions)",
        )
        out.claim(path, kinds=("too_long",))
    first: dict[str, int] = {}
    bound: list[int] = []
    unbound: list[int] = []
    for index, region in enumerate(regions):
        if not isinstance(region, dict):
            continue
        here = (*path, index)
        uid = region.get("uid")
        if uid is None or uid == "":
            unbound.append(index)
        else:
            bound.append(index)
            if not _uid_rule(uid, (*here, "uid"), "this region shows nobody", out):
                _duplicate(uid, index, here, first, out)
        _edges(region, here, out)
        if number(region.get("alpha")) == 0:
            out.warn(
                (*here, "alpha"),
                "alpha 0 makes this region fully transparent: Agora draws nothing of it "
                "(send 1 for an opaque region; some clients send 0 when alpha is left unset)",
            )
        _typos(region, here, REGION_KEYS, ("x_axis", "y_axis", "width", "height"), out)
    if bound and unbound:
        out.warn(
            (*path, unbound[0]),
            f"layoutConfig mixes {len(bound)} region{'s' * (len(bound) != 1)} with a uid and "
            f"{len(unbound)} without: Agora gives the uid-less regions to the users that no "
            "region names, in the order they joined (docs/agora.md#who-goes-where), so who "
            "shows here depends on who joined first, and users report regions with a uid "
            "left empty in such layouts (give every region its uid)",
        )


def _duplicate(uid: object, index: int, path: Path, first: dict[str, int], out: Findings) -> None:
    try:
        name = check_uid(uid)
    except ValueError:
        return  # the wire models say what is wrong with it
    if name in first:
        out.warn(
            (*path, "uid"),
            f"uid {name} is already the uid of layoutConfig[{first[name]}]: Agora documents "
            "one region per user, and which of the two shows them is not documented (give "
            "each region its own uid)",
        )
    else:
        first[name] = index


def _edges(region: Mapping[str, Any], path: Path, out: Findings) -> None:
    """A region that runs past the right or bottom edge of the canvas: Agora's reference
    says to keep `x_axis + width <= 1` and `y_axis + height <= 1`, and not what it draws
    of a region that does not."""
    for start, size, edge in (("x_axis", "width", "right"), ("y_axis", "height", "bottom")):
        a, b = number(region.get(start)), number(region.get(size))
        if a is None or b is None or not (0 <= a <= 1 and 0 <= b <= 1):
            continue  # out of range: the wire models say so
        end = a + b
        if end <= 1 + EDGE_SLACK or b == 0:
            continue
        if a >= 1 - 1e-9:
            what = f"starts at the {edge} edge of the canvas, so Agora draws nothing of it"
        else:
            what = (
                f"runs {end - 1:.6g} past the {edge} edge of the canvas, and Agora's reference "
                f"requires {start} + {size} <= 1"
            )
        out.warn(
            (*path, size),
            f"{start} + {size} = {a:.6g} + {b:.6g} = {end:.6g}: the region {what} (keep "
            f"{start} + {size} within 1: {size} at most {1 - a:.6g}, or {start} at most "
            f"{1 - b:.6g})",
        )


_ALIASES = {
    "x": "x_axis",
    "y": "y_axis",
    "xpos": "x_axis",
    "ypos": "y_axis",
    "left": "x_axis",
    "top": "y_axis",
    "w": "width",
    "h": "height",
    "userid": "uid",
    "useraccount": "uid",
    "rtcstreamuid": "uid",
    "fillmode": "render_mode",
    "opacity": "alpha",
    "backgroundcolour": "backgroundColor",
    "layout": "mixedVideoLayout",
    "imageurl": "image_url",
    "url": "image_url",
}
_Z_ORDER = ("zorder", "zindex", "zpos")


def _squash(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _suggest(key: str, known: Sequence[str]) -> str | None:
    squashed = _squash(key)
    if _ALIASES.get(squashed) in known and all(_squash(k) != squashed for k in known):
        return _ALIASES[squashed]
    close = did_you_mean(key, known)
    return close[0] if close else None


def _typos(
    obj: Mapping[str, Any], path: Path, known: Sequence[str], required: Sequence[str], out: Findings
) -> None:
    """Keys Agora does not know that look like ones it does (Agora ignores unknown keys,
    so a misspelt `render_mode` silently crops)."""
    for key in obj:
        if key in known:
            continue
        if _squash(key) in _Z_ORDER and "x_axis" in known:
            out.warn(
                (*path, key),
                f"layoutConfig has no {key}: Agora paints the regions in list order, each "
                f"later one on top (remove {key} and order the regions instead)",
                key=True,
            )
            continue
        suggestion = _suggest(key, known)
        if suggestion is None or suggestion in obj:
            continue
        missing = suggestion in required
        text = f'Agora knows no key "{key}" here and ignores it; did you mean "{suggestion}"?'
        if missing:
            text += f' ("{suggestion}" is required and missing)'
            out.error((*path, key), text, key=True)
            out.claim(path, kinds=("missing",), text=f'"{suggestion}" is missing')
        else:
            out.warn((*path, key), text, key=True)


def _non_finite(data: Any, out: Findings) -> None:
    """NaN, Infinity and numbers too large for a double, which json.loads accepts."""
    stack: list[tuple[Path, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            out.error(
                path,
                "not a finite number (NaN, Infinity, or too large): JSON has finite numbers "
                "only, and Agora refuses the body (write a number)",
            )
            out.claim(path)
        elif isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
