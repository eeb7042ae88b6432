"""Shared pieces of the wire models: the base model, uid, channel name, colour and URL
types, enums, and the JSON-type checks.

Two validation paths share these models. The Python path (a caller's dicts and values)
converts what it sensibly can: a uid given as an int is sent as a string. The JSON path
(`json_context()`, what the emulator uses on a raw request body) checks JSON types as
Agora does: uids are strings, axes numbers, modes integers; `true` is never a number.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

UID_MAX = 4_294_967_295
_HEX_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
CNAME_MAX_BYTES = 64
WEB_CNAME_MAX_BYTES = 1024  # web page recording: cname is a label, not a channel name
JSON_TYPES = "json"  # validation context key: the body is raw JSON, check its types
CNAME_PUNCTUATION = "!#$%&()+-:;<=.>?@[]^_{}|~, "
_CNAME_RE = re.compile(r"^[A-Za-z0-9" + re.escape(CNAME_PUNCTUATION) + r"]+$")
URL_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"
"""An http(s) URL: the scheme, a host, and no whitespace anywhere (`check_url`)."""
_URL_RE = re.compile(URL_PATTERN)


class WireModel(BaseModel):
    """Base of every Agora payload model.

    Field names are Agora's exact names (aliases where they are not valid Python); unset
    fields are left out on the wire: dump with `to_wire()` (or `model_dump(by_alias=True,
    exclude_none=True)`). Unknown keys are kept and passed through, as Agora decides
    what it ignores. Validation errors never quote the input, which may hold secrets.
    """

    model_config = ConfigDict(
        populate_by_name=True,
        extra="allow",
        use_enum_values=True,
        validate_default=False,
        hide_input_in_errors=True,
        defer_build=True,  # validators are built on first use (start-up time)
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict Agora expects: Agora's names, nothing unset."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


def json_context(**more: Any) -> dict[str, Any]:
    """The validation context of a body read from raw JSON (the emulator's path): JSON
    types are checked as Agora checks them. `more` adds keys, e.g. `mode="web"`."""
    return {JSON_TYPES: True, **more}


def _from_json(info: ValidationInfo) -> bool:
    return bool((info.context or {}).get(JSON_TYPES))


def _json_kind(value: object) -> str:
    """What a JSON value is, for messages (never the value, which may be a secret)."""
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


def _json_integer(value: object, info: ValidationInfo) -> object:
    """A JSON integer: never a boolean; on the JSON path not a string or a decimal either."""
    if isinstance(value, bool) or (_from_json(info) and not isinstance(value, int)):
        raise ValueError(f"send a JSON integer, e.g. 1, not {_json_kind(value)}")
    return value


def _json_number(value: object, info: ValidationInfo) -> object:
    """A JSON number (integer or decimal): never a boolean; on the JSON path not a string."""
    if isinstance(value, bool) or (_from_json(info) and not isinstance(value, int | float)):
        raise ValueError(f"send a JSON number, e.g. 0.5, not {_json_kind(value)}")
    return value


def _json_boolean(value: object, info: ValidationInfo) -> object:
    """On the JSON path only `true` or `false`."""
    if _from_json(info) and not isinstance(value, bool):
        raise ValueError(f"send a JSON boolean, true or false, not {_json_kind(value)}")
    return value


JSON_INTEGER = BeforeValidator(_json_integer)
JSON_NUMBER = BeforeValidator(_json_number)
JSON_BOOLEAN = BeforeValidator(_json_boolean)
JsonInt = Annotated[int, JSON_INTEGER]
"""An integer field (counts, modes, ids of enums): a JSON integer on the wire."""
JsonFloat = Annotated[float, JSON_NUMBER]
JsonBool = Annotated[bool, JSON_BOOLEAN]


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


def _wire_uid(value: object, info: ValidationInfo) -> str:
    if _from_json(info) and not isinstance(value, str):
        raise ValueError(
            f'a uid is a JSON string of digits, e.g. "527841", not {_json_kind(value)}'
        )
    return check_uid(value)


def _wire_optional_uid(value: object, info: ValidationInfo) -> str | None:
    if value is None or value == "":
        return None
    return _wire_uid(value, info)


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


def check_cname(value: object, *, web: bool = False) -> str:
    """A channel name (1..64 bytes of Agora's charset) or, with `web`, a web page
    recording label (1..1024 bytes of printable text). ValueError says what is wrong."""
    return _check_label(value) if web else _check_cname(value)


def _wire_cname(value: object, info: ValidationInfo) -> str:
    """A channel name, or a label in web page recording (`mode="web"` in the context)."""
    return check_cname(value, web=(info.context or {}).get("mode") == "web")


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


def _check_color(value: object) -> str:
    if isinstance(value, str) and _HEX_COLOR_RE.match(value):
        return value
    raise ValueError(f'{value!r} is not a colour; Agora takes "#RRGGBB", e.g. "#FF0000"')


def check_url(value: object) -> str:
    """An http(s) URL: `http://` or `https://`, a host, no spaces (URL_PATTERN).
    ValueError says what is wrong. The one check of a URL, for the wire models and the
    authoring model alike; what Agora needs of an image URL beyond this (HTTPS, JPG or
    BMP) is a warning (`profile.image_url_problem`)."""
    if isinstance(value, str) and _URL_RE.fullmatch(value):
        return value
    raise ValueError(f"{value!r} is not an http(s) URL; write http://HOST/... or https://HOST/...")


Uid = Annotated[str, BeforeValidator(_wire_uid), Field(json_schema_extra={"pattern": r"^\d+$"})]
"""A user id: an integer 1..UID_MAX, sent as a string. The Python path also takes an int
or a digit string with spaces; the JSON path takes only a JSON string."""

OptionalUid = Annotated[str | None, BeforeValidator(_wire_optional_uid)]
"""A uid that may be absent or `""` (as the Go client sends), which both mean none."""

Cname = Annotated[str, BeforeValidator(_wire_cname)]
"""A channel name: 1..64 bytes of letters, digits, space and Agora's punctuation; in web
page recording (`mode="web"` in the validation context) a label of 1..1024 bytes."""

HexColor = Annotated[str, BeforeValidator(_check_color)]
HttpUrl = Annotated[
    str, BeforeValidator(check_url), Field(json_schema_extra={"pattern": URL_PATTERN})
]
"""An http(s) URL (`check_url`), in payloads and in layout files."""
Fraction = Annotated[float, JSON_NUMBER, Field(ge=0.0, le=1.0)]
"""A relative position or size in [0, 1]: a JSON number (0 and 1 may be integers)."""
LayoutMode = Annotated[MixedVideoLayout, JSON_INTEGER]
RenderModeValue = Annotated[RenderMode, JSON_INTEGER]

__all__ = [
    "CNAME_MAX_BYTES",
    "CNAME_PUNCTUATION",
    "JSON_BOOLEAN",
    "JSON_INTEGER",
    "JSON_NUMBER",
    "JSON_TYPES",
    "UID_MAX",
    "URL_PATTERN",
    "WEB_CNAME_MAX_BYTES",
    "Cname",
    "Fraction",
    "HexColor",
    "HttpUrl",
    "JsonBool",
    "JsonFloat",
    "JsonInt",
    "LayoutMode",
    "MixedVideoLayout",
    "OptionalUid",
    "RenderMode",
    "RenderModeValue",
    "Uid",
    "WireModel",
    "check_cname",
    "check_uid",
    "check_url",
    "json_context",
]
