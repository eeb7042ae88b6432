"""Shared pieces of the wire models: the base model, uid, channel name, colour and URL
types, and the JSON-type checks. The rules they apply live in `wire.rules`.

Two validation paths share these models. The Python path (a caller's dicts and values)
converts what it sensibly can: a uid given as an int is sent as a string. The JSON path
(`json_context()`, what the emulator uses on a raw request body) checks JSON types as
Agora does: uids are strings, axes numbers, modes integers; `true` is never a number.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from layoutkit.wire.rules import (
    URL_PATTERN,
    MixedVideoLayout,
    RenderMode,
    check_cname,
    check_uid,
    check_url,
    json_kind,
)

_HEX_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
JSON_TYPES = "json"  # validation context key: the body is raw JSON, check its types


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


def _json_integer(value: object, info: ValidationInfo) -> object:
    """A JSON integer: never a boolean; on the JSON path not a string or a decimal either."""
    if isinstance(value, bool) or (_from_json(info) and not isinstance(value, int)):
        raise ValueError(f"send a JSON integer, e.g. 1, not {json_kind(value)}")
    return value


def _json_number(value: object, info: ValidationInfo) -> object:
    """A JSON number (integer or decimal): never a boolean; on the JSON path not a string."""
    if isinstance(value, bool) or (_from_json(info) and not isinstance(value, int | float)):
        raise ValueError(f"send a JSON number, e.g. 0.5, not {json_kind(value)}")
    return value


def _json_boolean(value: object, info: ValidationInfo) -> object:
    """On the JSON path only `true` or `false`."""
    if _from_json(info) and not isinstance(value, bool):
        raise ValueError(f"send a JSON boolean, true or false, not {json_kind(value)}")
    return value


JSON_INTEGER = BeforeValidator(_json_integer)
JSON_NUMBER = BeforeValidator(_json_number)
JSON_BOOLEAN = BeforeValidator(_json_boolean)
JsonInt = Annotated[int, JSON_INTEGER]
"""An integer field (counts, modes, ids of enums): a JSON integer on the wire."""
JsonBool = Annotated[bool, JSON_BOOLEAN]


def _wire_uid(value: object, info: ValidationInfo) -> str:
    if _from_json(info) and not isinstance(value, str):
        raise ValueError(f'a uid is a JSON string of digits, e.g. "527841", not {json_kind(value)}')
    return check_uid(value)


def _wire_optional_uid(value: object, info: ValidationInfo) -> str | None:
    if value is None or value == "":
        return None
    return _wire_uid(value, info)


def _wire_cname(value: object, info: ValidationInfo) -> str:
    """A channel name, or a label in web page recording (`mode="web"` in the context)."""
    return check_cname(value, web=(info.context or {}).get("mode") == "web")


def _check_color(value: object) -> str:
    if isinstance(value, str) and _HEX_COLOR_RE.match(value):
        return value
    raise ValueError(f'{value!r} is not a colour; Agora takes "#RRGGBB", e.g. "#FF0000"')


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
