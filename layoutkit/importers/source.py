"""A JSON file (or data) to import, with the line and column of every value and key.

`read_source` parses the text with the standard library's strict JSON parser (its syntax
errors carry a line and column), refuses what JSON leaves ambiguous (a key twice in one
object, NaN and Infinity), then walks the text once more to note where each value and key
starts, so a problem in a well-formed file (a wrong type, an unknown key, a size of zero)
can point at the value as written. `Problems` collects every such problem and raises them
at once, as the layout loader does.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from layoutkit.errors import Issue, LayoutSyntaxError, LayoutValidationError
from layoutkit.safefiles import read_limited

JsonPath = tuple[str | int, ...]
MAX_SOURCE_BYTES = 1 << 20
"""The largest file an importer reads (1 MiB, as for layout files)."""
_LOCATE_DEPTH = 8  # deeper values are skipped whole: no importer looks that far down
_WS_RE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class SourceError(LayoutSyntaxError):
    """A file to import that cannot be read or parsed as JSON (a `LayoutSyntaxError`, so
    the command line gives exit status 1): `source`, `line` and `column` say where."""


def format_path(path: Sequence[str | int]) -> str:
    """`("video_layout", "main", "width")` -> `video_layout.main.width`; `[3]` for indexes."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Source:
    """Parsed JSON and where its values stand in the text (`text` is None for data given
    in Python, which has no places: messages then name the field only)."""

    name: str
    data: object
    text: str | None = None
    values: dict[JsonPath, int] = field(default_factory=dict)
    keys: dict[JsonPath, int] = field(default_factory=dict)

    def place(self, path: JsonPath, *, key: bool = False) -> tuple[int, int, str] | None:
        """(line, column, the line's text) of `path`'s value (its key with `key`), else of
        its nearest ancestor that has one; None without a text."""
        if self.text is None:
            return None
        probe = path
        offset = self.keys.get(probe) if key else None
        while offset is None:
            offset = self.values.get(probe)
            if offset is None:
                if not probe:
                    return None
                probe = probe[:-1]
        line = self.text.count("\n", 0, offset) + 1
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        snippet = self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")
        return line, offset - start + 1, snippet

    def issue(self, path: JsonPath, message: str, *, key: bool = False) -> Issue:
        place = self.place(path, key=key)
        if place is None:
            return Issue("error", message, source=self.name, field=format_path(path))
        line, column, snippet = place
        return Issue(
            "error",
            message,
            source=self.name,
            line=line,
            column=column,
            field=format_path(path),
            snippet=snippet,
        )


class Problems:
    """The problems found in one source, raised together (`LayoutValidationError`)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.issues: list[Issue] = []

    def add(self, path: JsonPath, message: str, *, key: bool = False) -> None:
        self.issues.append(self.source.issue(path, message, key=key))

    def raise_if_any(self) -> None:
        """Raise every problem found, in the order of the file."""
        if self.issues:
            raise LayoutValidationError(
                sorted(self.issues, key=lambda i: (i.line or 0, i.column or 0))
            )

    def unknown_keys(
        self, data: Mapping[str, object], path: JsonPath, known: Iterable[str], what: str
    ) -> None:
        """An error for each key of `data` not in `known`, with a "did you mean"."""
        names = list(known)
        for key in data:
            if key in names:
                continue
            name = str(key)
            lowered = {n.lower().replace("_", ""): n for n in names}
            starting = [n for n in names if n.lower().startswith(name.lower())]
            close = (
                lowered.get(name.lower().replace("_", ""))
                or next(iter(difflib.get_close_matches(name, names, n=1, cutoff=0.6)), None)
                or (starting[0] if len(starting) == 1 else None)
            )
            hint = f"; did you mean {close!r}?" if close else f" ({what} takes {_listed(names)})"
            self.add((*path, name), f"unknown key {name!r}{hint}", key=True)


def _listed(names: Sequence[str]) -> str:
    shown = [repr(n) for n in names[:12]]
    return ", ".join(shown) + (", ..." if len(names) > 12 else "")


def read_source(data_or_path: object, *, name: str | None = None, what: str = "file") -> Source:
    """The JSON to import: a path (str or os.PathLike) to a file of at most 1 MiB, JSON
    text (a str that starts with `{` or `[`), or data already parsed (a dict or list).
    Raises SourceError (with line and column) for text that is not JSON, a key given twice
    in one object, NaN or Infinity; FileReadError for a file that cannot be read."""
    if isinstance(data_or_path, Mapping | list):
        return Source(name or "<data>", data_or_path)
    if isinstance(data_or_path, str) and data_or_path.lstrip()[:1] in ("{", "["):
        return parse_text(data_or_path, name or "<text>")
    if isinstance(data_or_path, str | os.PathLike):
        path = Path(data_or_path)
        label = name or str(data_or_path)
        raw = read_limited(path, MAX_SOURCE_BYTES, what=what)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise SourceError(
                f"the {what} is not UTF-8 text (byte {exc.start + 1})",
                source=label,
                line=line,
                hint="JSON files are UTF-8; save it as UTF-8",
            ) from None
        return parse_text(text, label)
    raise TypeError(
        f"expected a path, JSON text, a dict or a list, not {type(data_or_path).__name__}"
    )


def parse_text(text: str, name: str) -> Source:
    """Parse JSON `text` strictly and note where its values and keys stand."""

    def no_constant(word: str) -> object:
        raise ValueError(word)

    try:
        data = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        lines = text.splitlines()
        snippet = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else None
        raise SourceError(
            f"not JSON: {exc.msg}",
            source=name,
            line=exc.lineno,
            column=exc.colno,
            hint=_syntax_hint(exc.msg),
            snippet=snippet,
        ) from None
    except ValueError as exc:  # NaN, Infinity
        raise SourceError(
            f"not JSON: {exc} is not a JSON number", source=name, hint="write a number"
        ) from None
    except RecursionError:
        raise SourceError("not usable: the JSON is nested too deeply", source=name) from None
    source = Source(name, data, text)
    duplicates = _Locator(text, source.values, source.keys).run()
    if duplicates:
        problems = Problems(source)
        for path in duplicates:
            problems.add(
                path,
                f"key {path[-1]!r} is given twice in one object; JSON readers disagree on "
                "which one counts, so keep one",
                key=True,
            )
        problems.raise_if_any()
    return source


def _syntax_hint(message: str) -> str | None:
    if "property name" in message:
        return "keys are double-quoted strings, and a comma may not follow the last item"
    if "delimiter" in message:
        return "a comma or a closing bracket is missing before this place"
    if "Extra data" in message:
        return "the file holds more than one JSON value; keep one object or array"
    if "Expecting value" in message:
        return "a value is missing here, or it is not JSON (strings take double quotes)"
    return None


class _Locator:
    """Walks well-formed JSON text noting the offset of each value and key (to a depth of
    `_LOCATE_DEPTH`; deeper values are skipped whole) and the keys given twice."""

    def __init__(self, text: str, values: dict[JsonPath, int], keys: dict[JsonPath, int]) -> None:
        self.text = text
        self.values = values
        self.keys = keys
        self.duplicates: list[JsonPath] = []

    def run(self) -> list[JsonPath]:
        self.value(self._ws(0), ())
        return self.duplicates

    def _ws(self, index: int) -> int:
        match = _WS_RE.match(self.text, index)
        return match.end() if match else index

    def value(self, index: int, path: JsonPath) -> int:
        self.values[path] = index
        char = self.text[index]
        if len(path) >= _LOCATE_DEPTH or char not in "{[":
            return int(_DECODER.raw_decode(self.text, index)[1])
        closing = "}" if char == "{" else "]"
        index = self._ws(index + 1)
        if self.text[index] == closing:
            return index + 1
        position = 0
        while True:
            if char == "{":
                key, after = _DECODER.raw_decode(self.text, index)
                child: JsonPath = (*path, str(key))
                if child in self.keys:
                    self.duplicates.append(child)
                else:
                    self.keys[child] = index
                index = self._ws(self._ws(after) + 1)  # past the colon
            else:
                child = (*path, position)
                position += 1
            index = self._ws(self.value(index, child))
            if self.text[index] == ",":
                index = self._ws(index + 1)
                continue
            return index + 1


def kind_of(value: Any) -> str:
    """What a JSON value is, in words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


__all__ = [
    "MAX_SOURCE_BYTES",
    "JsonPath",
    "Problems",
    "Source",
    "SourceError",
    "format_path",
    "kind_of",
    "parse_text",
    "read_source",
]
