"""Which payload a JSON document is, where its layout objects are, and what Agora's
wire models say of it: each pydantic error as a path into the data and a readable message.

The shapes, as users send them: a start request body (`{cname, uid, clientRequest:
{recordingConfig: {transcodingConfig: ...}, storageConfig, ...}}`) or its clientRequest,
an updateLayout body or its clientRequest, a `transcodingConfig`, a bare `layoutConfig`
array. Start shapes are checked as mix-mode recordings (the only mode with a layout).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

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
from layoutkit.wire.rules import MixedVideoLayout, json_kind

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


@dataclass(frozen=True)
class LayoutPlace:
    """A layout object of a payload: where it is and whether it sets the canvas."""

    path: Path
    canvas: bool


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


def layout_places(shape: Shape) -> list[LayoutPlace]:
    """Where the shape's own layout object is (none for a bare layoutConfig array)."""
    return {
        Shape.START_BODY: [LayoutPlace((CLIENT, RECORDING, TRANSCODING), True)],
        Shape.START_CLIENT: [LayoutPlace((RECORDING, TRANSCODING), True)],
        Shape.UPDATE_BODY: [LayoutPlace((CLIENT,), False)],
        Shape.UPDATE_CLIENT: [LayoutPlace((), False)],
        Shape.TRANSCODING: [LayoutPlace((), True)],
        Shape.LAYOUT_CONFIG: [],
    }[shape]


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


def storage_path(shape: Shape) -> Path | None:
    """Where a shape's storageConfig is (None: the shape has none)."""
    return {Shape.START_BODY: (CLIENT, STORAGE), Shape.START_CLIENT: (STORAGE,)}.get(shape)


def locate_storage(data: Any, shape: Shape, problems: list[WireProblem]) -> list[WireProblem]:
    """`problems` with the storageConfig's whole-object and prefix errors replaced by the
    same errors, each at its value, and the ones they hid."""
    path = storage_path(shape)
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
