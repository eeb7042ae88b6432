"""The mistakes Agora accepts without a word: each rule finds one in a payload's data
and says what Agora does with it and what to write instead.

A rule gives `Finding`s (a data path, a severity, a message) and `Claim`s: a claim
says that a finding explains a wire model's error at the same place better, which is
then left out (a user account as a uid is both a wire error and this module's finding).
Errors are what Agora refuses or certainly gets wrong; warnings are what it accepts
with a likely unintended result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from layoutkit.cameras import DEFAULT_ASPECT
from layoutkit.errors import Severity, did_you_mean
from layoutkit.geometry import ROUNDING_UNIT
from layoutkit.jsonmarks import JsonPath as Path
from layoutkit.payload_lint.shapes import (
    BACKGROUND_KEYS,
    CANVAS_KEYS,
    CLIENT,
    LAYOUT_KEYS,
    RECORDING,
    REGION_KEYS,
    START_CLIENT_KEYS,
    TRANSCODING,
    LayoutPlace,
    Shape,
    layout_places,
    value_at,
)
from layoutkit.wire.rules import (
    DEFAULT_BITRATE,
    DEFAULT_FPS,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    LOW_BITRATE_SHARE,
    MAX_BITRATE_KBPS,
    MAX_REGIONS,
    MAX_SIDE_PX,
    SUPPORTED_FPS,
    MixedVideoLayout,
    check_uid,
    check_url,
    image_url_problem,
    recommended_bitrate,
)

TALL_LIMIT = 0.9 / DEFAULT_ASPECT
"""A region narrower than this (width / height in pixels) on the default portrait canvas
is narrower than a 9:16 phone picture by more than a tenth: made for a landscape canvas."""
LANDSCAPE_CANVAS = (1280, 720)
"""The landscape canvas the fix proposes (16:9, Agora's 720p profile)."""

Found = tuple[Severity, Path, str]


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


def check_canvas(obj: Mapping[str, Any], *, custom: bool) -> list[Found]:
    """The findings on a transcodingConfig's canvas, fps and bitrate (paths relative to
    it); `custom`: mode 3, so its regions are the picture."""
    found: list[Found] = []
    width, height = obj.get("width"), obj.get("height")
    size: tuple[int, int] | None = None
    if width is None and height is None:
        size = (DEFAULT_WIDTH, DEFAULT_HEIGHT)
        regions = obj.get("layoutConfig")
        if custom and isinstance(regions, list):
            found.extend(_landscape(regions))
    elif width is None or height is None:
        given, missing = ("width", "height") if height is None else ("height", "width")
        side = _side(obj[given])
        if side is not None:
            default = DEFAULT_HEIGHT if missing == "height" else DEFAULT_WIDTH
            size = (side, default) if given == "width" else (default, side)
            found.append(
                (
                    "warning",
                    (given,),
                    f"{given} is given without {missing}, so Agora takes its default "
                    f"{missing} of {default}: the canvas is {size[0]}×{size[1]} (give both "
                    "width and height)",
                )
            )
    else:
        w, h = _side(width), _side(height)
        size = (w, h) if w is not None and h is not None else None
    fps = integer(obj.get("fps"))
    if fps is not None and fps >= 1 and fps not in SUPPORTED_FPS:
        rates = ", ".join(str(r) for r in SUPPORTED_FPS)
        found.append(
            (
                "warning",
                ("fps",),
                f"Agora records at {rates} fps; {fps} falls back to {DEFAULT_FPS} (pick one "
                "of those)",
            )
        )
        fps = DEFAULT_FPS
    if size is not None:
        found.extend(_bitrate(obj, size, fps if fps is not None and fps >= 1 else DEFAULT_FPS))
    return found


def _bitrate(obj: Mapping[str, Any], size: tuple[int, int], fps: int) -> list[Found]:
    advised = recommended_bitrate(size[0], size[1], fps)
    advice = (
        f"Agora's recommendation for {size[0]}×{size[1]} at {fps} fps ({advised} Kbps), so "
        "the recording will look blocky"
    )
    if "bitrate" not in obj:
        if advised * LOW_BITRATE_SHARE > DEFAULT_BITRATE:
            return [
                (
                    "warning",
                    (),
                    f"bitrate is left out, so Agora records at its default {DEFAULT_BITRATE} "
                    f'Kbps, far below {advice} (add "bitrate": {advised})',
                )
            ]
        return []
    bitrate = integer(obj["bitrate"])
    if bitrate is None or not 1 <= bitrate <= MAX_BITRATE_KBPS:
        return []
    if bitrate < advised * LOW_BITRATE_SHARE:
        return [
            (
                "warning",
                ("bitrate",),
                f"bitrate {bitrate} Kbps is far below {advice} (raise it to {advised})",
            )
        ]
    return []


def _landscape(regions: Sequence[Any]) -> list[Found]:
    """The warning of the landscape heuristic (the module's docstring), or nothing."""
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
        return []
    index, w, h = tall[0]
    wide_w, wide_h = LANDSCAPE_CANVAS
    more = len(tall) - 1
    others = f", and so {'is' if more == 1 else 'are'} {more} more" if more else ""
    return [
        (
            "warning",
            (),
            f"no width or height, so Agora records its default {DEFAULT_WIDTH}×"
            f"{DEFAULT_HEIGHT} canvas, which is portrait, but the regions are laid out for a "
            f"landscape one: layoutConfig[{index}] is {w * DEFAULT_WIDTH:.0f}×"
            f"{h * DEFAULT_HEIGHT:.0f} px there, narrower than a 9:16 phone picture{others} "
            f"(on {wide_w}×{wide_h} it would be {w * wide_w:.0f}×{h * wide_h:.0f} px) (add "
            f'"width": {wide_w}, "height": {wide_h}, or the canvas the layout was made for)',
        )
    ]


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
    places = [*layout_places(shape), *(LayoutPlace(p, True) for p in out.misplaced)]
    for place in places:
        obj = value_at(data, place.path)
        if isinstance(obj, dict):
            _layout_object(obj, place, out)
    if shape == Shape.LAYOUT_CONFIG and isinstance(data, list):
        _regions(data, (), out)
    _non_finite(data, out)
    return out


def quote(value: str, limit: int = 40) -> str:
    """A value from the payload, quoted and cut short, for a message."""
    text = value if len(value) <= limit else value[: limit - 3] + "..."
    return '"' + text.replace('"', '\\"') + '"'


def _defaults_text() -> str:
    return (
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
                f"ignores it here and {_defaults_text()} (move it there)",
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
    ignored = f"Agora ignores it there and {_defaults_text()}"
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


def _layout_object(obj: Mapping[str, Any], place: LayoutPlace, out: Findings) -> None:
    """The rules of one updateLayout clientRequest or transcodingConfig."""
    path = place.path
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
    known = (*LAYOUT_KEYS, *CANVAS_KEYS) if place.canvas else LAYOUT_KEYS
    _typos(obj, path, known, (), out)
    _canvas_keys(obj, place, mode, out)


def _canvas_keys(
    obj: Mapping[str, Any], place: LayoutPlace, mode: int | None, out: Findings
) -> None:
    """The canvas rules of a transcodingConfig; in an updateLayout, canvas keys ignored."""
    if place.canvas:
        for severity, where, message in check_canvas(obj, custom=mode == 3):
            out.found.append(Finding(severity, (*place.path, *where), message))
        return
    for key in (k for k in obj if k in CANVAS_KEYS):
        out.warn(
            (*place.path, key),
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
