"""Agora's rules that need no model, each in one home: uids, URLs, channel names,
the layout and render modes, the layout payload as JSON, and Agora's advice on the recorded
video. No pydantic, so compiling and drawing a layout can use them without it."""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_right
from collections.abc import Mapping
from enum import IntEnum
from typing import Any, Protocol
from urllib.parse import SplitResult, urlsplit

UID_MAX = 4_294_967_295
CNAME_MAX_BYTES = 64
WEB_CNAME_MAX_BYTES = 1024  # web page recording: cname is a label, not a channel name
CNAME_PUNCTUATION = "!#$%&()+-:;<=.>?@[]^_{}|~, "
_CNAME_RE = re.compile(r"^[A-Za-z0-9" + re.escape(CNAME_PUNCTUATION) + r"]+$")
URL_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"
"""An http(s) URL: the scheme, a host, and no whitespace anywhere (`check_url`)."""
_URL_RE = re.compile(URL_PATTERN)


class MixedVideoLayout(IntEnum):
    """`mixedVideoLayout`: Agora's built-in modes and the custom layout."""

    FLOATING = 0
    ADAPTIVE = 1
    VERTICAL = 2
    CUSTOM = 3


class RenderMode(IntEnum):
    """`render_mode`: 0 crops to cover the region, 1 fits inside it with black bars."""

    CROP = 0
    FIT = 1


def check_uid(value: object) -> str:
    """A uid as Agora takes it, an integer 1..UID_MAX written as digits: from an int or
    a digit string (spaces around it dropped, `"007"` -> `"7"`). ValueError says what is
    wrong. The one check of a uid: the wire models, the authoring model, the compiler,
    the command line, scenarios, the director and the emulator all call it."""
    if isinstance(value, bool):
        raise ValueError(f"a uid is an integer from 1 to {UID_MAX}, not a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValueError(
            f"uid {value!r} is not an integer user id; Agora takes integer uids from 1 to "
            f"{UID_MAX} (string user accounts are not supported)"
        )
    if not 1 <= number <= UID_MAX:
        raise ValueError(f"uid {number} is outside 1..{UID_MAX}")
    return str(number)


def check_url(value: object) -> str:
    """An http(s) URL: `http://` or `https://`, a host, no spaces (URL_PATTERN).
    ValueError says what is wrong. The one check of a URL, for the wire models and the
    authoring model alike; what Agora needs of an image URL beyond this (HTTPS, JPG or
    BMP) is a warning (`image_url_problem`)."""
    if isinstance(value, str) and _URL_RE.fullmatch(value):
        return value
    raise ValueError(f"{value!r} is not an http(s) URL; write http://HOST/... or https://HOST/...")


def split_base_url(url: str) -> SplitResult:
    """`url` split, when files can be served under it (each name appended after a `/`):
    `SCHEME://HOST[:PORT][/PATH]` with a host (letters, digits, `-`, `_`, `.`; or an IPv6
    address in closed brackets), a port from 1 to 65535 when one is written, no user
    name or password, no query string or fragment (not even an empty `?` or `#`), no
    whitespace or control character. ValueError says what is wrong and how to fix it
    (the caller names the URL). The one check of a base URL: the publishers and the
    emulator's image folders call it; the scheme is theirs to check."""
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ValueError("it holds a space or a control character: remove it (%20 for a space)")
    if "?" in url or "#" in url:
        raise ValueError(
            "a base URL has no query string or fragment ('?' or '#', even with nothing "
            "after it): remove it, since each file's name is appended after a '/'"
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError(
            f"its host cannot be read ({exc}): write SCHEME://HOST/PATH, an IPv6 address "
            "in closed brackets ([::1])"
        ) from None
    if "@" in parts.netloc:
        raise ValueError("it holds a user name or password ('@'): remove it")
    name = _host_of(parts.netloc)
    if not name:
        raise ValueError("it has no host: write SCHEME://HOST/PATH")
    if not _good_host(name):
        raise ValueError(f"{name!r} is not a host name: write SCHEME://HOST/PATH")
    return parts


def _host_of(netloc: str) -> str:
    """The host of `netloc`; ValueError for a port that is not 1..65535."""
    if netloc.endswith("]"):  # an IPv6 address and no port
        return netloc
    name, colon, port = netloc.rpartition(":")
    if not colon:
        return netloc
    if not port:
        raise ValueError("a ':' with no port after it: write the port or remove the ':'")
    if not (len(port) <= 5 and port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        shown = port if len(port) <= 12 else port[:12] + "…"
        raise ValueError(f"the port {shown!r} is not a number from 1 to 65535: fix or remove it")
    return name


def _good_host(name: str) -> bool:
    if name.startswith("[") and name.endswith("]"):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return False
        return True
    return all(c.isalnum() or c in "-._" for c in name)


def check_cname(value: object, *, web: bool = False) -> str:
    """A channel name (1..64 bytes of Agora's charset) or, with `web`, a web page
    recording label (1..1024 bytes of printable text). ValueError says what is wrong."""
    return _check_label(value) if web else _check_cname(value)


def _check_label(value: object) -> str:
    """cname in web page recording: a label of printable text, 1..1024 bytes."""
    if not isinstance(value, str) or not value:
        raise ValueError("cname must be a non-empty label (a JSON string)")
    if len(value.encode("utf-8")) > WEB_CNAME_MAX_BYTES:
        raise ValueError(
            f"cname is longer than {WEB_CNAME_MAX_BYTES} bytes; in web page recording it is "
            f"a label of at most {WEB_CNAME_MAX_BYTES} bytes (UTF-8)"
        )
    if not value.isprintable():
        raise ValueError(
            "cname holds a control character (tab, newline, ...); a web page recording "
            "label takes printable text only"
        )
    return value


def _check_cname(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("cname must be a non-empty channel name")
    if len(value.encode("utf-8")) > CNAME_MAX_BYTES:
        raise ValueError(f"cname is longer than {CNAME_MAX_BYTES} bytes (Agora error 1013)")
    if not _CNAME_RE.match(value):
        bad = sorted({c for c in value if not _CNAME_RE.match(c)})
        raise ValueError(
            f"cname holds {''.join(bad)!r}; channel names take a-z, A-Z, 0-9, space and "
            f"{CNAME_PUNCTUATION.strip()} (Agora error 1013)"
        )
    return value


WireJson = dict[str, Any]
"""A payload as Agora takes it, a JSON object: what `WireModel.to_wire()` gives."""


class ToWire(Protocol):
    """A wire model (`wire.base.WireModel`), known here by its `to_wire()` alone."""

    def to_wire(self) -> dict[str, Any]: ...


def layout_json(payload: Mapping[str, Any] | ToWire) -> Mapping[str, Any]:
    """The layout fields of updateLayout's clientRequest or start's transcodingConfig as
    JSON (Agora's names: `mixedVideoLayout`, `layoutConfig` with `x_axis`, ...), from that
    JSON itself or from a wire model (`UpdateLayoutClientRequest`, `TranscodingConfig`)."""
    return payload if isinstance(payload, Mapping) else payload.to_wire()


LAYOUT_KEYS = (
    "mixedVideoLayout",
    "maxResolutionUid",
    "backgroundColor",
    "backgroundImage",
    "defaultUserBackgroundImage",
    "layoutConfig",
    "backgroundConfig",
)
"""The layout fields of updateLayout's clientRequest (and of a transcodingConfig), in the
order the wire models write them."""


def json_kind(value: object) -> str:
    """What a JSON value is, for messages ("an integer", "a string", ...), never the value
    itself, which may be a secret."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    kinds: tuple[tuple[type, str], ...] = (
        (int, "an integer"),
        (float, "a decimal number"),
        (str, "a string"),
        (list, "an array"),
        (dict, "an object"),
    )
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


# --- Agora's advice on the recorded video, for warnings (never errors): the frame rates
# it supports, the bitrate it recommends, what it requires of background image URLs.
# Source: docs.agora.io/en/cloud-recording/develop/recording-video-profile ("Set the video
# profile") and the start reference (backgroundConfig.image_url: HTTPS, JPG or BMP, 6 MB).

SUPPORTED_FPS = (1, 7, 10, 15, 24, 30, 60)
"""The frame rates Agora records at; any other fps falls back to the default, 15."""
# Agora's defaults for what transcodingConfig leaves out (start reference)
DEFAULT_WIDTH = 360
DEFAULT_HEIGHT = 640
MAX_REGIONS = 17
"""The most users Agora draws in one composite picture: regions of a custom layout,
users of a built-in mode."""
MAX_SIDE_PX = 1920
MAX_AREA_PX = 1920 * 1080
"""The largest canvas Agora records: at most 1920 pixels on a side, 1080p in area."""
DEFAULT_FPS = 15
DEFAULT_BITRATE = 500
MAX_BITRATE_KBPS = 6500  # "Exceeding the limit causes an error."

VIDEO_PROFILES: tuple[tuple[int, int, int, int], ...] = (
    # width, height, fps, base bitrate in Kbps (communication profile; live-broadcast
    # channels are advised twice the base bitrate)
    (160, 120, 15, 65),
    (120, 120, 15, 50),
    (320, 180, 15, 140),
    (180, 180, 15, 100),
    (240, 180, 15, 120),
    (320, 240, 15, 200),
    (240, 240, 15, 140),
    (424, 240, 15, 220),
    (640, 360, 15, 400),
    (360, 360, 15, 260),
    (640, 360, 30, 600),
    (360, 360, 30, 400),
    (480, 360, 15, 320),
    (480, 360, 30, 490),
    (640, 480, 15, 500),
    (480, 480, 15, 400),
    (640, 480, 30, 750),
    (480, 480, 30, 600),
    (848, 480, 15, 610),
    (848, 480, 30, 930),
    (640, 480, 10, 400),
    (1280, 720, 15, 1130),
    (1280, 720, 30, 1710),
    (960, 720, 15, 910),
    (960, 720, 30, 1380),
    (1920, 1080, 15, 2080),
    (1920, 1080, 30, 3150),
    (1920, 1080, 60, 4780),
)
"""Agora's video profile table, row for row (the "Video profile table" of the page)."""

FIVE_FPS_FACTOR = 0.5
"""The page's rule for frame rates without rows: 5 fps takes half the 15 fps bitrate."""

IMAGE_RULE = "Agora loads background images only over HTTPS, as JPG or BMP, at most 6 MB"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".bmp")
MAX_IMAGE_BYTES = 6_000_000
"""Agora's "at most 6 MB" for a background image, read as decimal megabytes: the smaller
reading, so an image within it is within Agora's limit whichever Agora means."""


def _curve(fps: int) -> list[tuple[int, int]]:
    """The table's (pixel area, bitrate) points at one frame rate, by area."""
    return sorted((w * h, kbps) for w, h, rate, kbps in VIDEO_PROFILES if rate == fps)


_BASE = _curve(DEFAULT_FPS)
_LEVELS = sorted({rate for _, _, rate, _ in VIDEO_PROFILES})


def _along(points: list[tuple[int, int]], area: float) -> float:
    """Piecewise-linear in area through `points`, proportional to area beyond its ends."""
    areas = [a for a, _ in points]
    if area <= areas[0]:
        return points[0][1] * area / areas[0]
    if area >= areas[-1]:
        return points[-1][1] * area / areas[-1]
    i = bisect_right(areas, area)
    (a0, b0), (a1, b1) = points[i - 1], points[i]
    return b0 + (b1 - b0) * (area - a0) / (a1 - a0)


def _at_level(fps: int, area: float) -> float:
    """The bitrate at a frame rate the table has rows for (or 5 fps, the page's rule).
    Within that frame rate's rows: linear in area between them. Beyond them: the 15 fps
    curve times the ratio of the nearest row to it."""
    if fps == 5:
        return FIVE_FPS_FACTOR * _along(_BASE, area)
    points = _curve(fps)
    if fps == DEFAULT_FPS or points[0][0] <= area <= points[-1][0]:
        return _along(points, area)
    nearest = points[0] if area < points[0][0] else points[-1]
    return _along(_BASE, area) * nearest[1] / _along(_BASE, nearest[0])


def recommended_bitrate(width: int, height: int, fps: int) -> int:
    """Agora's recommended bitrate in Kbps for a `width`×`height` canvas at `fps`.

    The rows of VIDEO_PROFILES are returned as they are (either orientation: 360×640 is
    640×360). Between rows, by pixel area: linear between the rows of the same frame
    rate; a frame rate without rows (1, 7 and 24 fps) is linear in fps between the
    frame rates around it, with 5 fps at half of 15 fps (the page's rule) and 1 fps at a
    fifth of 5 fps. An fps Agora does not support records at 15 fps, so 15 fps is used.
    At most 6500 Kbps, Agora's maximum; at least 1.
    """
    if width < 1 or height < 1:
        raise ValueError(f"the canvas {width}×{height} has no pixels")
    rate = fps if fps in SUPPORTED_FPS else DEFAULT_FPS
    area = float(width * height)
    levels = [5, *_LEVELS]
    if rate in levels:
        value = _at_level(rate, area)
    elif rate < levels[0]:
        value = _at_level(levels[0], area) * rate / levels[0]
    else:
        i = bisect_right(levels, rate)
        low, high = levels[i - 1], levels[i]
        share = (rate - low) / (high - low)
        value = _at_level(low, area) + (_at_level(high, area) - _at_level(low, area)) * share
    return max(1, min(MAX_BITRATE_KBPS, round(value)))


def image_url_problem(url: str) -> str | None:
    """None when Agora can load this background image URL (HTTPS, a path ending in
    .jpg, .jpeg or .bmp in any case; the query string and fragment are ignored); else
    what Agora requires. The 6 MB limit cannot be seen in a URL, so it is only named."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https" or not parts.netloc:
        return f"{IMAGE_RULE}; this URL is not an https:// URL"
    if not parts.path.lower().endswith(IMAGE_SUFFIXES):
        return f"{IMAGE_RULE}; this URL does not end in .jpg, .jpeg or .bmp"
    return None


LOW_BITRATE_SHARE = 0.5  # a bitrate under half of Agora's recommendation is "far below"
