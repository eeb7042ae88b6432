"""Shared pieces of the wire models: the base model, uid, colour and URL types, enums."""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

UID_MAX = 4_294_967_295
_HEX_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
CNAME_MAX_BYTES = 64
CNAME_PUNCTUATION = "!#$%&()+-:;<=.>?@[]^_{}|~, "
_CNAME_RE = re.compile(r"^[A-Za-z0-9" + re.escape(CNAME_PUNCTUATION) + r"]+$")


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
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict Agora expects: Agora's names, nothing unset."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


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


def _check_uid(value: object) -> str:
    if isinstance(value, bool):
        raise ValueError("a uid is an integer from 1 to 4294967295, not a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValueError(
            f"uid {value!r} is not an integer user id; Agora takes integer uids from 1 to "
            "4294967295 (string user accounts are not supported)"
        )
    if not 1 <= number <= UID_MAX:
        raise ValueError(f"uid {number} is outside 1..4294967295")
    return str(number)


def _check_optional_uid(value: object) -> str | None:
    if value is None or value == "":
        return None
    return _check_uid(value)


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


def _check_url(value: object) -> str:
    if isinstance(value, str) and value.startswith(("http://", "https://")) and len(value) > 8:
        return value
    raise ValueError(f"{value!r} is not an http(s) URL")


Uid = Annotated[str, BeforeValidator(_check_uid), Field(json_schema_extra={"pattern": r"^\d+$"})]
"""A user id: an integer 1..2^32-1, accepted as int or digit string, sent as a string."""

OptionalUid = Annotated[str | None, BeforeValidator(_check_optional_uid)]
"""A uid that may be absent or `""` (as the Go client sends), which both mean none."""

Cname = Annotated[str, BeforeValidator(_check_cname)]
"""A channel name: 1..64 bytes of letters, digits, space and Agora's punctuation."""

HexColor = Annotated[str, BeforeValidator(_check_color)]
HttpUrl = Annotated[str, BeforeValidator(_check_url)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]

__all__ = [
    "CNAME_MAX_BYTES",
    "CNAME_PUNCTUATION",
    "UID_MAX",
    "Cname",
    "Fraction",
    "HexColor",
    "HttpUrl",
    "MixedVideoLayout",
    "OptionalUid",
    "RenderMode",
    "Uid",
    "WireModel",
]
