"""An Agora start or updateLayout payload (or its transcodingConfig, or a layoutConfig
array) -> a layoutkit layout that compiles back to the same payload: the same mode, colour,
images, focus, fps and bitrate, each region with its uid (or `fill: agora`), lengths in
pixels where exact, regular runs as `grid:` entries. The result is compiled for the
payload's uids and compared with it; fields with no place in a layout are named in the
notes, never with their values.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NoReturn

from layoutkit.errors import LayoutValidationError, format_path
from layoutkit.geometry import ROUNDING_UNIT, Length, parse_color, round6, round_span
from layoutkit.importers import (
    Imported,
    Problems,
    Raw,
    Source,
    Value,
    flow,
    header,
    number,
    px,
    read_source,
    scalar,
)
from layoutkit.jsonmarks import JsonPath
from layoutkit.wire.rules import (
    DEFAULT_BITRATE,
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    LAYOUT_KEYS,
    MAX_AREA_PX,
    MAX_BITRATE_KBPS,
    MAX_REGIONS,
    MAX_SIDE_PX,
    SUPPORTED_FPS,
    check_uid,
    check_url,
    recommended_bitrate,
)
from layoutkit.wire.rules import json_kind as kind_of

_STEP_TOLERANCE = 2.5e-6  # steps between 6-decimal positions differ by rounding only
MIN_GRID_CELLS = 3


@dataclass(frozen=True)
class AgoraRegion:
    """One checked `layoutConfig` entry (fractions of the canvas, 6 decimals)."""

    uid: str | None
    x: float
    y: float
    width: float
    height: float
    alpha: float = 1.0
    render_mode: int = 0
    placeholder: str | None = None


@dataclass(frozen=True)
class GridFit:
    """A grid entry that gives a run of regions back: its keys, in the order written."""

    pairs: tuple[tuple[str, Value], ...]
    cells: int


def lengths(start: float, size: float, axis: int, *, pixels: bool = True) -> tuple[Value, Value]:
    """`start` and `size` (fractions) as the lengths to write: pixels where exact (see the
    module doc), else the fractions; together, so the compiler's rounding that keeps
    `start + size` within the canvas gives the pair back."""
    wanted = (start, size)
    options: list[tuple[Value, Value]] = []
    if pixels:
        starts = [v for v in (_pixel(start, axis), start) if v is not None]
        sizes = [v for v in (_pixel(size, axis), size) if v is not None]
        options.extend(itertools.product(starts, sizes))
    options.append((start, size))
    for first, second in options:
        if round_span(_fraction(first, axis), _fraction(second, axis)) == wanted:
            return first, second
    return start, size


def _pixel(value: float, axis: int) -> Raw | None:
    """`value` as whole pixels of `axis` when that rounds back to it, else None."""
    pixels = round(value * axis)
    return px(pixels) if round6(pixels / axis) == value else None


def _fraction(value: Value, axis: int) -> float:
    if isinstance(value, Raw):
        text = str(value)
        return float(text[:-2]) / axis if text.endswith("px") else float(text)
    assert isinstance(value, int | float)
    return float(value)


def region_pairs(
    region: AgoraRegion, canvas: tuple[int, int], *, pixels: bool
) -> list[tuple[str, Value]]:
    """The keys of one region entry: its user, its rectangle, what is not a default."""
    cw, ch = canvas
    x, width = lengths(region.x, region.width, cw, pixels=pixels)
    y, height = lengths(region.y, region.height, ch, pixels=pixels)
    pairs: list[tuple[str, Value]] = (
        [("uid", int(region.uid))] if region.uid is not None else [("fill", "agora")]
    )
    pairs += [("x", x), ("y", y), ("width", width), ("height", height), *_looks(region)]
    if region.placeholder is not None:
        pairs.append(("placeholder", region.placeholder))
    return pairs


def _looks(region: AgoraRegion) -> list[tuple[str, Value]]:
    """`alpha` and `fit` where they are not the defaults."""
    alpha = [("alpha", Raw(number(region.alpha)))] if region.alpha != 1.0 else []
    return alpha + ([("fit", "fit")] if region.render_mode == 1 else [])


def entries(regions: Sequence[AgoraRegion], canvas: tuple[int, int], *, compact: bool) -> list[str]:
    """Each entry of the regions list as one line (`{uid: ..., x: ...}` or `grid: {...}`)."""
    lines: list[str] = []
    index = 0
    while index < len(regions):
        found = _grid_at(regions, index, canvas) if compact else None
        if found is not None:
            lines.append("grid: " + flow(found.pairs))
            index += found.cells
            continue
        lines.append(flow(region_pairs(regions[index], canvas, pixels=compact)))
        index += 1
    return lines


def _grid_at(regions: Sequence[AgoraRegion], start: int, canvas: tuple[int, int]) -> GridFit | None:
    """The longest run of regions from `start` that a grid entry gives back exactly."""
    for stop in range(min(len(regions), start + MAX_REGIONS), start + MIN_GRID_CELLS - 1, -1):
        run = regions[start:stop]
        shape = _shape(run)
        if shape is None:
            continue
        fit = _fit_grid(run, *shape, canvas)
        if fit is not None:
            return fit
    return None


def _shape(run: Sequence[AgoraRegion]) -> tuple[int, int] | None:
    """(rows, columns) when `run` is laid out as a regular grid in row-major order."""
    first = run[0]
    same = all(
        (r.width, r.height, r.alpha, r.render_mode)
        == (first.width, first.height, first.alpha, first.render_mode)
        and r.placeholder is None
        and (r.uid is None) == (first.uid is None)
        for r in run
    )
    if not same:
        return None
    columns = next((i for i, r in enumerate(run) if r.y != first.y), len(run))
    rows = -(-len(run) // columns)
    xs = [r.x for r in run[:columns]]
    ys = [run[row * columns].y for row in range(rows)]
    for index, region in enumerate(run):
        row, col = divmod(index, columns)
        if region.x != xs[col] or region.y != ys[row]:
            return None
    if not (_regular(xs) and _regular(ys)) or rows > MAX_REGIONS or columns > MAX_REGIONS:
        return None
    return rows, columns


def _regular(values: Sequence[float]) -> bool:
    steps = [b - a for a, b in itertools.pairwise(values)]
    return all(s > 0 for s in steps) and (not steps or max(steps) - min(steps) <= _STEP_TOLERANCE)


def _fit_grid(
    run: Sequence[AgoraRegion], rows: int, columns: int, canvas: tuple[int, int]
) -> GridFit | None:
    """The grid entry (area, gap, padding) whose cells round to `run`'s numbers, trying the
    whole canvas with a padding first, then the cells' own area; None when none does."""
    cw, ch = canvas
    first = run[0]
    step_x = (run[columns - 1].x - first.x) / (columns - 1) if columns > 1 else 0.0
    step_y = (run[(rows - 1) * columns].y - first.y) / (rows - 1) if rows > 1 else 0.0
    gaps: list[Value] = [0]
    if columns > 1:
        gaps += _candidates(step_x - first.width, cw)
    if rows > 1:
        gaps += _candidates(step_y - first.height, ch)
    area_w = (columns - 1) * step_x + first.width
    area_h = (rows - 1) * step_y + first.height
    pads = [*_candidates(first.x, cw), *_candidates(first.y, ch)]
    tries: list[tuple[tuple[str, Value], ...]] = [(("padding", pad),) for pad in pads]
    for x, y in itertools.product(_candidates(first.x, cw), _candidates(first.y, ch)):
        for w, h in itertools.product(_candidates(area_w, cw), _candidates(area_h, ch)):
            tries.append((("x", x), ("y", y), ("width", w), ("height", h)))
    wanted = [(r.x, r.width, r.y, r.height) for r in run]
    for area, gap in itertools.product(tries, dict.fromkeys(gaps)):
        if _cells(dict(area), gap, rows, columns, len(run), canvas) != wanted:
            continue
        for key in ("x", "y", "width", "height"):  # leave out what the defaults give
            shorter = tuple(pair for pair in area if pair[0] != key)
            if (
                shorter != area
                and _cells(dict(shorter), gap, rows, columns, len(run), canvas) == wanted
            ):
                area = shorter
        return GridFit(_grid_pairs(area, gap, rows, columns, run), len(run))
    return None


def _candidates(value: float, axis: int) -> list[Value]:
    """`value` (a fraction measured from rounded numbers, so a little off) as the lengths
    worth trying: the nearest whole pixels, then the fraction; the cells decide."""
    whole = round(value * axis)
    # else a half or a quarter pixel, as cells of an odd width give
    found: list[Value] = [
        px(whole if abs(whole - value * axis) <= 0.05 else round(value * axis, 2))
    ]
    rounded = round6(value)
    if 0 <= rounded <= 1:
        found.append(Raw(number(rounded)))
    return found


def _length(value: Value) -> Length:
    text = str(value)
    return Length(float(text[:-2]), "px") if text.endswith("px") else Length(float(text))


def _cells(
    keys: dict[str, Value], gap: Value, rows: int, columns: int, count: int, canvas: tuple[int, int]
) -> list[tuple[float, float, float, float]]:
    """The rounded cells a grid entry gives, by the format's grid arithmetic (cells of
    (area - 2 × padding - gaps) / n, placed after the padding, row by row)."""
    cw, ch = canvas
    ax = _length(keys["x"]).to_pixels(cw) if "x" in keys else 0.0
    ay = _length(keys["y"]).to_pixels(ch) if "y" in keys else 0.0
    aw = _length(keys["width"]).to_pixels(cw) if "width" in keys else cw - ax
    ah = _length(keys["height"]).to_pixels(ch) if "height" in keys else ch - ay
    pad = _length(keys.get("padding", 0))
    pad_x, pad_y = pad.to_pixels(cw), pad.to_pixels(ch)
    gap_x, gap_y = _length(gap).to_pixels(cw), _length(gap).to_pixels(ch)
    cell_w = (aw - 2 * pad_x - (columns - 1) * gap_x) / columns
    cell_h = (ah - 2 * pad_y - (rows - 1) * gap_y) / rows
    if cell_w <= 0 or cell_h <= 0 or ax + aw > cw + 1e-6 or ay + ah > ch + 1e-6:
        return []
    cells = []
    for index in range(count):
        row, col = divmod(index, columns)
        left = ax + pad_x + col * (cell_w + gap_x)
        top = ay + pad_y + row * (cell_h + gap_y)
        x, w = round_span(left / cw, cell_w / cw)
        y, h = round_span(top / ch, cell_h / ch)
        cells.append((x, w, y, h))
    return cells


def _grid_pairs(
    area: tuple[tuple[str, Value], ...],
    gap: Value,
    rows: int,
    columns: int,
    run: Sequence[AgoraRegion],
) -> tuple[tuple[str, Value], ...]:
    first = run[0]
    pairs: list[tuple[str, Value]] = [(key, value) for key, value in area if key != "padding"]
    pairs += [("rows", rows), ("columns", columns)]
    if str(gap) != "0":
        pairs.append(("gap", gap))
    pairs += [(k, v) for k, v in area if k == "padding" and str(v) != "0"]
    if len(run) != rows * columns:
        pairs.append(("cells", len(run)))
    if first.uid is not None:
        pairs.append(("uids", [int(r.uid) for r in run if r.uid is not None]))
    else:
        pairs.append(("fill", "agora"))
    return (*pairs, *_looks(first))


MODES = ("floating", "adaptive", "vertical", "custom")
BODY_KEYS = ("cname", "uid", "clientRequest")
START_KEYS = (
    "token",
    "recordingConfig",
    "recordingFileConfig",
    "snapshotConfig",
    "storageConfig",
    "extensionServiceConfig",
    "appsCollection",
    "transcodeOptions",
)
RECORDING_KEYS = (
    "channelType",
    "streamTypes",
    "decryptionMode",
    "secret",
    "salt",
    "audioProfile",
    "videoStreamType",
    "maxIdleTime",
    "transcodingConfig",
    "subscribeVideoUids",
    "subscribeAudioUids",
    "unsubscribeVideoUids",
    "unsubscribeAudioUids",
    "unSubscribeVideoUids",
    "unSubscribeAudioUids",
    "subscribeUidGroup",
    "streamMode",
)
TRANSCODING_KEYS = ("width", "height", "fps", "bitrate", *LAYOUT_KEYS)
REGION_KEYS = ("uid", "x_axis", "y_axis", "width", "height", "alpha", "render_mode")
BACKGROUND_KEYS = ("uid", "image_url", "render_mode")


@dataclass
class Payload:
    """What was read, normalised: the fields the layout carries."""

    kind: str = "an Agora layoutConfig"
    mode: int = 0
    width: int | None = None
    height: int | None = None
    fps: int | None = None
    bitrate: int | None = None
    start: bool = False  # from a start request (fps and bitrate are the recording's)
    focus: str | None = None
    background: str = "#000000"
    background_image: str | None = None
    placeholder_image: str | None = None
    regions: list[AgoraRegion] = field(default_factory=list)


class PayloadReader:
    """Reads and checks one payload (`read`), collecting problems (raised together) and
    notes on what has no place in a layout."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems = Problems(source)
        self.notes: list[str] = []
        self.payload = Payload()

    def read(self) -> Payload:
        """The payload's layout fields; raises LayoutValidationError for bad input."""
        for path in self.source.duplicates:
            self.notes.append(
                f"{format_path(path)}: given more than once; the last value is taken, as "
                "Agora and JSON readers take it (keep one)."
            )
        fields, base = self._shape()
        self._fields(fields, base)
        self.problems.raise_if_any()
        return self.payload

    # -- the shape of the input --------------------------------------------------------

    def _shape(self) -> tuple[Mapping[str, Any] | list[Any], JsonPath]:
        data = self.source.data
        if isinstance(data, list):
            return data, ()
        if not isinstance(data, Mapping):
            self._fail((), f"expected a JSON object or a layoutConfig array, got {kind_of(data)}")
        base: JsonPath = ()
        if "clientRequest" in data:
            self.problems.unknown_keys(data, (), BODY_KEYS, "a request body")
            data = self._object(data["clientRequest"], ("clientRequest",), "a clientRequest")
            base = ("clientRequest",)
            self.payload.kind = "an Agora updateLayout request"
        if "recordingConfig" in data:
            return self._start(data, base), (*base, "recordingConfig", "transcodingConfig")
        if not any(key in TRANSCODING_KEYS for key in data):
            known = (*BODY_KEYS, *START_KEYS, *TRANSCODING_KEYS)
            self.problems.unknown_keys(data, base, known, "an Agora layout payload")
            self._fail(
                base,
                "not an Agora layout: expected a start or updateLayout request, a "
                "transcodingConfig, an updateLayout clientRequest or a layoutConfig array",
            )
        if not base:
            sized = any(key in data for key in ("width", "height", "fps", "bitrate"))
            self.payload.kind = (
                "an Agora transcodingConfig" if sized else "an Agora updateLayout clientRequest"
            )
            self.payload.start = sized  # a start request's transcodingConfig
        return data, base

    def _start(self, client: Mapping[str, Any], base: JsonPath) -> Mapping[str, Any]:
        self.payload.kind = "an Agora start request"
        self.payload.start = True
        if "transcodingConfig" in client:
            self.problems.add(
                (*base, "transcodingConfig"),
                "transcodingConfig belongs inside recordingConfig; here Agora ignores it and "
                f"records its default {DEFAULT_WIDTH}x{DEFAULT_HEIGHT} floating layout",
                key=True,
            )
        self.problems.unknown_keys(
            {k: v for k, v in client.items() if k != "transcodingConfig"},
            base,
            START_KEYS,
            "a start clientRequest",
        )
        self._note_left_out(client, base, ("recordingConfig",), "the recording")
        path = (*base, "recordingConfig")
        recording = self._object(client["recordingConfig"], path, "a recordingConfig")
        self.problems.unknown_keys(recording, path, RECORDING_KEYS, "recordingConfig")
        self._note_left_out(recording, path, ("transcodingConfig",), "the recording")
        if "transcodingConfig" not in recording:
            self._fail(
                path,
                "recordingConfig has no transcodingConfig, so there is no layout to import "
                f"(Agora records its default {DEFAULT_WIDTH}x{DEFAULT_HEIGHT} floating layout)",
            )
        return self._object(
            recording["transcodingConfig"], (*path, "transcodingConfig"), "a transcodingConfig"
        )

    def _note_left_out(
        self, data: Mapping[str, Any], path: JsonPath, keep: Sequence[str], what: str
    ) -> None:
        others = [key for key in data if key not in keep]
        if others:
            where = ".".join(str(p) for p in path) or "the body"
            self.notes.append(
                f"{where}: {', '.join(others)}: settings of {what}, not of its layout; "
                "left out (keep them in your start request)."
            )

    def _object(self, value: object, path: JsonPath, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self._fail(path, f"expected {what} object, got {kind_of(value)}")
        return value

    def _fail(self, path: JsonPath, message: str) -> NoReturn:
        self.problems.add(path, message)
        raise LayoutValidationError(self.problems.issues)

    # -- the fields ----------------------------------------------------------------------

    def _canvas(self, data: Mapping[str, Any], base: JsonPath) -> None:
        """The canvas size, frame rate and bitrate."""
        p = self.payload
        p.width = self._int(data, base, "width", 1, MAX_SIDE_PX)
        p.height = self._int(data, base, "height", 1, MAX_SIDE_PX)
        if p.width and p.height and p.width * p.height > MAX_AREA_PX:
            self.problems.add(
                (*base, "width"),
                f"{p.width}x{p.height} is above 1080p (at most {MAX_AREA_PX} pixels); "
                "Agora refuses it",
            )
        p.fps = self._int(data, base, "fps", 1, None)
        if p.fps is not None and p.fps not in SUPPORTED_FPS:
            rates = ", ".join(str(rate) for rate in SUPPORTED_FPS)
            self.notes.append(
                f"fps {p.fps}: Agora records at {rates} fps only and falls back to "
                f"{DEFAULT_FPS}; so does the layout."
            )
            p.fps = None
        p.bitrate = self._int(data, base, "bitrate", 1, MAX_BITRATE_KBPS)

    def _focus(self, focus: object, base: JsonPath) -> None:
        """`maxResolutionUid`: who is large, in the vertical mode only."""
        if focus is None:
            return
        uid = self._uid(focus, (*base, "maxResolutionUid"))
        if self.payload.mode == 2:
            self.payload.focus = uid
        elif uid is not None:
            self.notes.append(
                f"maxResolutionUid {uid}: it only applies to the vertical mode "
                f"(mixedVideoLayout 2), not {self.payload.mode}; left out."
            )

    def _fields(self, data: Mapping[str, Any] | list[Any], base: JsonPath) -> None:
        p = self.payload
        if isinstance(data, list):
            p.mode = 3
            self._regions(data, base, {})
            return
        self.problems.unknown_keys(data, base, TRANSCODING_KEYS, "a layout payload")
        self._canvas(data, base)
        mode = self._int(data, base, "mixedVideoLayout", 0, 3)
        p.mode = mode or 0
        color = data.get("backgroundColor")
        if color is not None:
            path = (*base, "backgroundColor")
            p.background = self.problems.checked(path, parse_color, color) or "#000000"
        p.background_image = self._url(data, base, "backgroundImage")
        p.placeholder_image = self._url(data, base, "defaultUserBackgroundImage")
        self._focus(data.get("maxResolutionUid"), base)
        backgrounds = self._backgrounds(data.get("backgroundConfig"), (*base, "backgroundConfig"))
        config = data.get("layoutConfig")
        if config is None:
            if p.mode == 3:
                self.problems.add(base, "mixedVideoLayout 3 (custom) needs a layoutConfig")
            elif backgrounds:
                self.notes.append(
                    "backgroundConfig: layoutkit sets a placeholder per region, and a "
                    f"{MODES[p.mode]} layout has no regions; left out."
                )
            return
        if p.mode != 3:
            given = "" if mode is not None else " (mixedVideoLayout left out: 0)"
            if config == []:
                self.notes.append(
                    f"layoutConfig: empty, and the {MODES[p.mode]} mode has no regions; left out."
                )
                return
            self.notes.append(
                f"layoutConfig: sent with mixedVideoLayout {p.mode} ({MODES[p.mode]}){given}, "
                "a built-in mode, so Agora ignores the regions and lays everyone out itself; "
                f"the layout is the {MODES[p.mode]} mode and the regions are left out (send "
                "mixedVideoLayout 3 to use them)."
            )
            return
        if not isinstance(config, list):
            self.problems.add(
                (*base, "layoutConfig"), f"expected an array of regions, got {kind_of(config)}"
            )
            return
        self._regions(config, (*base, "layoutConfig"), backgrounds)

    def _int(
        self, data: Mapping[str, Any], base: JsonPath, key: str, low: int, high: int | None
    ) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add((*base, key), f"expected an integer, got {kind_of(value)}")
            return None
        if value < low or (high is not None and value > high):
            span = f"{low}..{high}" if high is not None else f"{low} or more"
            self.problems.add((*base, key), f"{value} is outside {span}; Agora refuses it")
            return None
        return value

    def _url(self, data: Mapping[str, Any], base: JsonPath, key: str) -> str | None:
        value = data.get(key)
        return None if value is None else self.problems.checked((*base, key), check_url, value)

    def _uid(self, value: object, path: JsonPath) -> str | None:
        uid = None if value == "" else self.problems.checked(path, check_uid, value)
        if uid is not None and not isinstance(value, str):
            self.notes.append(
                f"{'.'.join(str(p) for p in path)}: the uid {uid} was a JSON number; Agora "
                "takes uids as strings (and layoutkit sends them so)."
            )
        return uid

    def _backgrounds(self, value: object, path: JsonPath) -> dict[str, tuple[str, int, JsonPath]]:
        found: dict[str, tuple[str, int, JsonPath]] = {}
        if value is None:
            return found
        if not isinstance(value, list):
            self.problems.add(
                path, f"expected an array of {{uid, image_url}} objects, got {kind_of(value)}"
            )
            return found
        for index, entry in enumerate(value):
            where = (*path, index)
            if not isinstance(entry, Mapping):
                self.problems.add(
                    where, f"expected an object {{uid, image_url}}, got {kind_of(entry)}"
                )
                continue
            self.problems.unknown_keys(entry, where, BACKGROUND_KEYS, "a backgroundConfig entry")
            missing = [key for key in ("uid", "image_url") if entry.get(key) in (None, "")]
            if missing:
                self.problems.add(
                    where, f"missing {' and '.join(missing)}; each entry names a uid and its image"
                )
                continue
            uid = self._uid(entry["uid"], (*where, "uid"))
            url = self._url(entry, where, "image_url")
            mode = self._int(entry, where, "render_mode", 0, 1) or 0
            if uid is None or url is None:
                continue
            if uid in found:
                self.problems.add((*where, "uid"), f"uid {uid} has two backgroundConfig entries")
            found[uid] = (url, mode, where)
        return found

    def _regions(
        self,
        config: list[Any],
        path: JsonPath,
        backgrounds: Mapping[str, tuple[str, int, JsonPath]],
    ) -> None:
        if not config:
            self.problems.add(path, "layoutConfig is empty; mode 3 needs at least one region")
            return
        if len(config) > MAX_REGIONS:
            self.problems.add(
                path,
                f"{len(config)} regions: Agora draws at most {MAX_REGIONS} and refuses more; "
                f"keep {MAX_REGIONS} or fewer",
            )
            return
        seen: dict[str, int] = {}
        rounded = False
        for index, entry in enumerate(config):
            where = (*path, index)
            if not isinstance(entry, Mapping):
                self.problems.add(where, f"expected a region object, got {kind_of(entry)}")
                continue
            self.problems.unknown_keys(entry, where, REGION_KEYS, "a layoutConfig region")
            uid = self._uid(entry.get("uid"), (*where, "uid")) if "uid" in entry else None
            if uid is not None:
                if uid in seen:
                    self.problems.add(
                        (*where, "uid"), f"uid {uid} is also region {seen[uid]}; each user gets one"
                    )
                seen.setdefault(uid, index)
            numbers: list[float] = []
            for key in ("x_axis", "y_axis", "width", "height"):
                number = self._fraction(entry, where, key, required=True)
                rounded = rounded or (number is not None and round6(number) != number)
                numbers.append(round6(number) if number is not None else -1.0)
            alpha = self._fraction(entry, where, "alpha", required=False)
            render_mode = self._int(entry, where, "render_mode", 0, 1)
            if min(numbers) < 0:
                continue
            x, y, w, h = numbers
            self._check_box(where, x, y, w, h)
            self.payload.regions.append(
                AgoraRegion(
                    uid, x, y, w, h, round6(alpha if alpha is not None else 1.0), render_mode or 0
                )
            )
        if rounded:
            self.notes.append(
                "layoutConfig: numbers with more than 6 decimals were rounded to 6, as Agora "
                "reads them."
            )
        self._placeholders(backgrounds)

    def _check_box(self, where: JsonPath, x: float, y: float, w: float, h: float) -> None:
        """A region of zero size, or one running past the canvas, is an error."""
        for key, size in (("width", w), ("height", h)):
            if size == 0:
                self.problems.add(
                    (*where, key),
                    "a region of zero size draws nothing; give it a size or remove it",
                )
        for start, size, key, edge in ((x, w, "width", "right"), (y, h, "height", "bottom")):
            if Decimal(repr(start)) + Decimal(repr(size)) > 1 + ROUNDING_UNIT:
                self.problems.add(
                    (*where, key),
                    f"the region runs past the {edge} edge ({start} + {size} > 1); "
                    "Agora takes regions within the canvas",
                )

    def _fraction(
        self, entry: Mapping[str, Any], where: JsonPath, key: str, *, required: bool
    ) -> float | None:
        value = entry.get(key)
        if value is None:
            if required:
                self.problems.add(
                    where, f"missing {key!r}; every region needs x_axis, y_axis, width and height"
                )
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problems.add((*where, key), f"expected a number 0..1, got {kind_of(value)}")
            return None
        if not 0 <= value <= 1:
            self.problems.add((*where, key), f"{value} is outside 0..1 (fractions of the canvas)")
            return None
        return float(value)

    def _placeholders(self, backgrounds: Mapping[str, tuple[str, int, JsonPath]]) -> None:
        regions = self.payload.regions
        by_uid = {r.uid: i for i, r in enumerate(regions) if r.uid is not None}
        for uid, (url, mode, where) in backgrounds.items():
            index = by_uid.get(uid)
            label = ".".join(str(p) for p in where)
            if index is None:
                self.notes.append(f"{label}: no region shows uid {uid}; its image is left out.")
                continue
            region = regions[index]
            if mode != region.render_mode:
                fit = "fit" if region.render_mode else "crop"
                self.notes.append(
                    f"{label}: the image of uid {uid} is scaled as its region ({fit}); its own "
                    f"render_mode {mode} is not carried over."
                )
            regions[index] = replace(region, placeholder=url)

    def canvas(self, given: tuple[int, int] | None) -> tuple[int, int]:
        """The recorded canvas: `given`, else the payload's (Agora's default for what it
        leaves out), with a note when it is not the payload's own."""
        p = self.payload
        if given is not None:
            if (p.width, p.height) != (None, None) and (p.width, p.height) != given:
                self.notes.append(
                    f"canvas: {given[0]}x{given[1]} as given replaces the payload's "
                    f"{p.width or DEFAULT_WIDTH}x{p.height or DEFAULT_HEIGHT}."
                )
            return given
        if p.width is None or p.height is None:
            self.notes.append(
                f"canvas: the payload does not say it, so it is Agora's default "
                f"{p.width or DEFAULT_WIDTH}x{p.height or DEFAULT_HEIGHT}; give the "
                "recording's with --canvas WxH (canvas= in Python)."
            )
        return p.width or DEFAULT_WIDTH, p.height or DEFAULT_HEIGHT


_CANVAS_RE = re.compile(r"^\s*([+-]?\d{1,5})\s*[xX×]\s*([+-]?\d{1,5})\s*$")
_CANVAS_RANGE = (
    f"each side 1..{MAX_SIDE_PX} pixels and at most 1920x1080 in area (e.g. 1280x720, 1080x1920)"
)


def parse_canvas(text: str) -> tuple[int, int]:
    """`"1280x720"` -> (1280, 720), within what Agora records; ValueError says why not."""
    match = _CANVAS_RE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 1280x720")
    return check_canvas(int(match.group(1)), int(match.group(2)))


def check_canvas(width: int, height: int) -> tuple[int, int]:
    """(width, height) if Agora records a canvas of that size; ValueError says the range."""
    if width < 1 or height < 1:
        raise ValueError(
            f"{width}x{height} is below the smallest canvas Agora records; give {_CANVAS_RANGE}"
        )
    if width > MAX_SIDE_PX or height > MAX_SIDE_PX or width * height > MAX_AREA_PX:
        raise ValueError(f"{width}x{height} is above what Agora records; give {_CANVAS_RANGE}")
    return width, height


def from_agora(
    data_or_path: object,
    *,
    canvas: tuple[int, int] | str | None = None,
    name: str | None = None,
) -> Imported:
    """An Agora start or updateLayout body (or its transcodingConfig, or a layoutConfig
    array) as a layoutkit layout: `data_or_path` is a path to a JSON file, JSON text, or
    the data. `canvas` (`(1280, 720)` or `"1280x720"`) is the recorded canvas when the
    payload does not say it (ValueError for a size Agora does not record). Raises a
    LayoutError for input Agora would refuse, every problem located (file, line, column)
    where the input is text."""
    size = parse_canvas(canvas) if isinstance(canvas, str) else canvas
    if size is not None:
        check_canvas(*size)
    source = read_source(data_or_path, name=name, what="payload file", last_wins=True)
    reader = PayloadReader(source)
    p = reader.read()
    size = reader.canvas(size)
    notes = reader.notes
    if p.start and p.bitrate is None:  # Agora's default, not layoutkit's: written out
        p.bitrate = DEFAULT_BITRATE
        notes.append(
            f"bitrate: the start request has none, so Agora records at its default "
            f"{DEFAULT_BITRATE} Kbps; the layout keeps bitrate: {DEFAULT_BITRATE}, while "
            f"layoutkit would recommend {recommended_bitrate(*size, p.fps or DEFAULT_FPS)} "
            "Kbps for this canvas (leave bitrate out to use the recommendation)."
        )
    text = _layout(p, notes, source.label, size, compact=True)
    problem = _differs(p, text)
    if problem is not None:  # the grids or the pixels did not give the numbers back
        text = _layout(p, notes, source.label, size, compact=False)
        if _differs(p, text) is not None:
            notes.append(f"the layout does not compile back exactly: {problem}")
            text = _layout(p, notes, source.label, size, compact=False)
    return Imported(text, tuple(notes), source.name, p.kind, size)


def _layout(
    p: Payload, notes: list[str], label: str, canvas: tuple[int, int], *, compact: bool
) -> str:
    """The layout's YAML; `compact`: grid entries and pixels where they give it back."""
    intro = [f"Imported by `layoutkit import agora` from {label}, {p.kind}."]
    fields: list[tuple[str, Value]] = [
        ("title", f"Imported from Agora ({label})"),
        ("canvas", Raw(f"{canvas[0]}x{canvas[1]}")),
        ("fps", p.fps),
        ("bitrate", p.bitrate),
        ("background", p.background),
        ("background_image", p.background_image),
        ("placeholder_image", p.placeholder_image),
    ]
    if p.mode != 3:
        fields += [("mode", MODES[p.mode]), ("focus", p.focus)]
    lines = [*header(intro, notes), *(f"{k}: {scalar(v)}" for k, v in fields if v is not None)]
    if p.mode == 3:
        lines.append("regions:  # list order = paint order, later on top")
        lines.extend(f"  - {line}" for line in entries(p.regions, canvas, compact=compact))
    return "\n".join(lines) + "\n"


def _differs(p: Payload, text: str) -> str | None:
    """None when `text` compiles, for the payload's uids, to the payload; else what
    differs."""
    from layoutkit.compile.compiler import compile_full
    from layoutkit.errors import LayoutkitError
    from layoutkit.layout.loader import parse_layout

    uids = [r.uid for r in p.regions if r.uid is not None]
    try:
        got = compile_full(parse_layout(text, source="<import>"), uids).payload_json
    except LayoutkitError as exc:
        return str(exc)
    fields = {
        "mixedVideoLayout": p.mode,
        "maxResolutionUid": p.focus,
        "backgroundColor": p.background,
        "backgroundImage": p.background_image,
        "defaultUserBackgroundImage": p.placeholder_image,
    }
    want: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    if p.mode == 3:
        want["layoutConfig"] = [
            {
                **({"uid": r.uid} if r.uid is not None else {}),
                "x_axis": r.x,
                "y_axis": r.y,
                "width": r.width,
                "height": r.height,
                "alpha": r.alpha,
                "render_mode": r.render_mode,
            }
            for r in p.regions
        ]
        images = [
            {"uid": r.uid, "image_url": r.placeholder, "render_mode": r.render_mode}
            for r in p.regions
            if r.placeholder is not None
        ]
        if images:
            want["backgroundConfig"] = images
    return None if got == want else f"compiled {got!r}, wanted {want!r}"
