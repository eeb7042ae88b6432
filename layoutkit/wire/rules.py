"""Agora's rules that need no model: the uid range and its check, the URL rule, channel
names, the layout modes and render modes, and the layout payload as the JSON it is sent as.

The one home of each rule: the pydantic models (`wire.base`, `wire.layout`) and the
authoring model, the compiler, the command line, scenarios, the director and the
emulator all import it from here. This module imports no pydantic, so what only needs
the rules (compiling and drawing a layout) starts without it.
"""

from __future__ import annotations

import ipaddress
import re
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
    BMP) is a warning (`profile.image_url_problem`)."""
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


def region_json(
    uid: str | None,
    x: float,
    y: float,
    width: float,
    height: float,
    alpha: float,
    render_mode: RenderMode,
) -> WireJson:
    """One `layoutConfig` entry as `LayoutRegion.to_wire()` gives it: no `uid` when
    Agora fills the region, the other keys always, in Agora's order."""
    entry: WireJson = {} if uid is None else {"uid": uid}
    entry.update(
        x_axis=float(x),
        y_axis=float(y),
        width=float(width),
        height=float(height),
        alpha=float(alpha),
        render_mode=int(render_mode),
    )
    return entry


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


__all__ = [
    "CNAME_MAX_BYTES",
    "CNAME_PUNCTUATION",
    "LAYOUT_KEYS",
    "UID_MAX",
    "URL_PATTERN",
    "WEB_CNAME_MAX_BYTES",
    "MixedVideoLayout",
    "RenderMode",
    "ToWire",
    "WireJson",
    "check_cname",
    "check_uid",
    "check_url",
    "json_kind",
    "layout_json",
    "region_json",
    "split_base_url",
]
