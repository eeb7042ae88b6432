"""Reading an Agora layout payload: which of the accepted shapes it is (a start request,
a transcodingConfig, an updateLayout request or clientRequest, a layoutConfig array),
every field checked as Agora checks it (each problem located), and notes on the fields
that have no place in a layout (named, never with their values). It reads a payload as
`layoutkit lint` does: regions sent with a built-in mode are left out (Agora ignores
them), a key given twice keeps its last value, and a region may end past the edge by the
rounding of thirds to 6 decimals (`geometry.ROUNDING_UNIT`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NoReturn

from layoutkit.errors import LayoutValidationError, format_path
from layoutkit.geometry import ROUNDING_UNIT, parse_color, round6
from layoutkit.importers.agora_regions import AgoraRegion
from layoutkit.importers.source import JsonPath, Problems, Source, kind_of
from layoutkit.wire.profile import (
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    MAX_AREA_PX,
    MAX_BITRATE_KBPS,
    MAX_REGIONS,
    MAX_SIDE_PX,
    SUPPORTED_FPS,
)
from layoutkit.wire.rules import LAYOUT_KEYS, check_uid, check_url

"""How far past the edge a region may end by rounding thirds to 6 decimals (0.666667 +
0.333334): Agora takes it, and so do `layoutkit lint` and the importer."""
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

    def _fields(self, data: Mapping[str, Any] | list[Any], base: JsonPath) -> None:
        p = self.payload
        if isinstance(data, list):
            p.mode = 3
            self._regions(data, base, {})
            return
        self.problems.unknown_keys(data, base, TRANSCODING_KEYS, "a layout payload")
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
        mode = self._int(data, base, "mixedVideoLayout", 0, 3)
        p.mode = mode or 0
        p.background = self._color(data, base)
        p.background_image = self._url(data, base, "backgroundImage")
        p.placeholder_image = self._url(data, base, "defaultUserBackgroundImage")
        focus = data.get("maxResolutionUid")
        if focus is not None:
            uid = self._uid(focus, (*base, "maxResolutionUid"))
            if p.mode == 2:
                p.focus = uid
            elif uid is not None:
                self.notes.append(
                    f"maxResolutionUid {uid}: it only applies to the vertical mode "
                    f"(mixedVideoLayout 2), not {p.mode}; left out."
                )
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

    def _color(self, data: Mapping[str, Any], base: JsonPath) -> str:
        value = data.get("backgroundColor")
        if value is None:
            return "#000000"
        try:
            return parse_color(value)
        except ValueError as exc:
            self.problems.add((*base, "backgroundColor"), str(exc))
            return "#000000"

    def _url(self, data: Mapping[str, Any], base: JsonPath, key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return check_url(value)
        except ValueError as exc:
            self.problems.add((*base, key), str(exc))
            return None

    def _uid(self, value: object, path: JsonPath) -> str | None:
        if value == "":
            return None
        try:
            uid = check_uid(value)
        except ValueError as exc:
            self.problems.add(path, str(exc))
            return None
        if not isinstance(value, str):
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


__all__ = [
    "BACKGROUND_KEYS",
    "BODY_KEYS",
    "LAYOUT_KEYS",
    "MODES",
    "RECORDING_KEYS",
    "REGION_KEYS",
    "START_KEYS",
    "TRANSCODING_KEYS",
    "Payload",
    "PayloadReader",
]
