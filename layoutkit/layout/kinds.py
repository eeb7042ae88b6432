"""The kinds of plain values a layout's fields take (`layout.fields`): whole numbers and
numbers within bounds, text, a choice of words, a value a parser reads, lists and
mappings. Each reads a value or records why not, and gives the JSON Schema fragment of
what it takes.

Numbers are read as people write them in YAML: a whole number may come as `30`, `30.0`
or `"30"`, a number as `0.5` or `"0.5"` (the conversions the loader always made).
Everything else has the type it declares: text is text, a list a list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from layoutkit.layout.fields import (
    BAD,
    JsonSchema,
    Kind,
    Loc,
    Problem,
    closest,
    fail,
    kind_name,
    mapping_expected,
)

_INT_RE = re.compile(r"([+-]?[0-9]+(?:_[0-9]+)*)(?:\.0+)?")


def _bounds(value: object, number: float, ge: float | None, le: float | None) -> str | None:
    """Why `number` (read from `value`) is out of range, if it is (NaN is above any bound)."""
    if le is not None and not number <= le:
        return f"{value!r} is out of range: it must be at most {le}"
    if ge is not None and not number >= ge:
        return f"{value!r} is out of range: it must be at least {ge}"
    return None


def _range_schema(ge: float | None, le: float | None, kind: str) -> JsonSchema:
    schema: JsonSchema = {}
    if le is not None:
        schema["maximum"] = le
    if ge is not None:
        schema["minimum"] = ge
    schema["type"] = kind
    return schema


# The spaces a number written as text may have around it: Unicode's White_Space (what the
# loader always trimmed), which unlike str.strip() keeps the controls U+001C..U+001F.
_SPACES = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def whole_number(value: object) -> int | None:
    """A whole number as YAML gives it: an int, a bool (0 or 1), a float without a
    fraction, or text of digits (`"30"`, `" 30 "`, `"+5"`, `"1_000"`, `"30.0"`)."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        match = _INT_RE.fullmatch(value.strip(_SPACES))
        if match:
            return int(match.group(1))
    return None


def number(value: object) -> float | None:
    """A number as YAML gives it: an int, a bool, a float, or text of one (`"0.5"`,
    `"1e3"`, `"inf"`)."""
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip(_SPACES)
    if not text.isascii() or text != text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        return None


class Integer(Kind):
    """A whole number within bounds."""

    __slots__ = ("ge", "hint", "le")

    def __init__(self, ge: int | None = None, le: int | None = None, hint: str = "") -> None:
        super().__init__()
        self.ge, self.le, self.hint = ge, le, hint

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        found = whole_number(value)
        if found is None:
            return fail(problems, loc, f"{value!r} is not a whole number{self.hint}")
        wrong = _bounds(value, found, self.ge, self.le)
        return found if wrong is None else fail(problems, loc, wrong)

    def schema(self) -> JsonSchema:
        return _range_schema(self.ge, self.le, "integer")


class Number(Kind):
    """A number within bounds."""

    __slots__ = ("ge", "le")

    def __init__(self, ge: float | None = None, le: float | None = None) -> None:
        super().__init__()
        self.ge, self.le = ge, le

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        found = number(value)
        if found is None:
            return fail(problems, loc, f"{value!r} is not a number")
        wrong = _bounds(value, found, self.ge, self.le)
        return found if wrong is None else fail(problems, loc, wrong)

    def schema(self) -> JsonSchema:
        return _range_schema(self.ge, self.le, "number")


class Text(Kind):
    """Text: not empty with `min_length`; matching `pattern` whole (else `mismatch`, a
    message made from the value); `null_as`: what an empty YAML value (null) reads as."""

    __slots__ = ("min_length", "mismatch", "null_as", "pattern")

    def __init__(
        self,
        min_length: int | None = None,
        pattern: str | None = None,
        mismatch: Callable[[str], str] | None = None,
        null_as: str | None = None,
    ) -> None:
        super().__init__()
        self.min_length, self.pattern, self.mismatch = min_length, pattern, mismatch
        self.null_as = null_as

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if value is None and self.null_as is not None:
            value = self.null_as
        if not isinstance(value, str):
            return fail(problems, loc, f"{value!r} is not text; quote it")
        if self.min_length is not None and len(value) < self.min_length:
            return fail(problems, loc, "must not be empty")
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            message = self.mismatch(value) if self.mismatch else f"{value!r} is not allowed"
            return fail(problems, loc, message)
        return value

    def schema(self) -> JsonSchema:
        schema: JsonSchema = {}
        if self.min_length is not None:
            schema["minLength"] = self.min_length
        if self.pattern is not None:
            schema["pattern"] = self.pattern
        schema["type"] = "string" if self.null_as is None else ["string", "null"]
        return schema


class Choice(Kind):
    """One of a few words (a word that looks like a typo of one is told which)."""

    __slots__ = ("options",)

    def __init__(self, options: tuple[str, ...]) -> None:
        super().__init__()
        self.options = options

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if isinstance(value, str) and value in self.options:
            return value
        quoted = [repr(option) for option in self.options]
        expected = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        close = closest(value, self.options)
        hint = f"; did you mean {close!r}?" if close is not None else ""
        return fail(problems, loc, f"{value!r} is not allowed; expected {expected}{hint}")

    def schema(self) -> JsonSchema:
        if len(self.options) == 1:
            return {"const": self.options[0], "type": "string"}
        return {"enum": list(self.options), "type": "string"}


class Parsed(Kind):
    """A value a parser reads (`geometry.parse_length`, `wire.rules.check_uid`, ...):
    its ValueError is the message. `fragment` is the schema of what the parser takes."""

    __slots__ = ("fragment", "parse")

    def __init__(
        self, parse: Callable[[Any], Any], fragment: JsonSchema, *, titled: bool = True
    ) -> None:
        super().__init__(titled=titled)
        self.parse, self.fragment = parse, fragment

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        try:
            return self.parse(value)
        except ValueError as exc:
            return fail(problems, loc, str(exc))

    def schema(self) -> JsonSchema:
        return self.fragment


class ListOf(Kind):
    """A list of values of one kind."""

    __slots__ = ("item",)

    def __init__(self, item: Kind) -> None:
        super().__init__()
        self.item = item

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(value, list):
            message = f"expected a list (`- item` lines or [a, b]), got {kind_name(value)}"
            return fail(problems, loc, message)
        items = [self.item.read(v, (*loc, i), problems) for i, v in enumerate(value)]
        return BAD if any(item is BAD for item in items) else items

    def schema(self) -> JsonSchema:
        return {"items": self.item.schema(), "type": "array"}

    def models(self) -> Iterator[type]:
        return self.item.models()


class MapOf(Kind):
    """A mapping of text keys (`key` checks them) to values of one kind."""

    __slots__ = ("key", "value")

    def __init__(self, key: Text, value: Kind) -> None:
        super().__init__()
        self.key, self.value = key, value

    def read(self, value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(value, dict):
            return mapping_expected(value, loc, problems)
        found: dict[str, Any] = {}
        for name, item in value.items():
            key = self.key.read(name, (*loc, name), problems)
            found[name] = self.value.read(item, (*loc, name), problems)
            if key is BAD:
                found[name] = BAD
        return BAD if any(item is BAD for item in found.values()) else found

    def schema(self) -> JsonSchema:
        schema: JsonSchema = {"additionalProperties": self.value.schema()}
        if self.key.min_length is not None:
            schema["propertyNames"] = {"minLength": self.key.min_length}
        schema["type"] = "object"
        return schema

    def models(self) -> Iterator[type]:
        return self.value.models()


__all__ = [
    "Choice",
    "Integer",
    "ListOf",
    "MapOf",
    "Number",
    "Parsed",
    "Text",
    "number",
    "whole_number",
]
