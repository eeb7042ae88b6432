"""A JSON file (or data) to import, with the line and column of every value and key.

`read_source` reads the text with `layoutkit.jsonmarks` (the standard library's decoder,
then the place of every value and key, as `layoutkit lint` reads payloads) and refuses
what JSON leaves ambiguous: a key twice in one object, NaN and Infinity. A problem in a
well-formed file (a wrong type, an unknown key, a size of zero) can then point at the
value as written. `Problems` collects every such problem and raises them at once, as the
layout loader does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from layoutkit.errors import (
    Issue,
    LayoutSyntaxError,
    LayoutValidationError,
    did_you_mean,
    format_path,
)
from layoutkit.jsonmarks import JsonMap, JsonPath, decode_json, decode_text
from layoutkit.safefiles import read_limited
from layoutkit.wire.rules import json_kind as kind_of

MAX_SOURCE_BYTES = 1 << 20
"""The largest file an importer reads (1 MiB, as for layout files)."""
_CONSTANT_RE = re.compile(r"-?Infinity|NaN")


class SourceError(LayoutSyntaxError):
    """A file to import that cannot be read or parsed as JSON (a `LayoutSyntaxError`, so
    the command line gives exit status 1): `source`, `line` and `column` say where."""

    @classmethod
    def of(cls, issue: Issue, hint: str | None = None) -> SourceError:
        """The error of a located Issue (`layoutkit.jsonmarks`'s word on the text)."""
        return cls(
            issue.message,
            source=issue.source,
            line=issue.line,
            column=issue.column,
            hint=hint,
            snippet=issue.snippet,
        )


@dataclass(frozen=True)
class Source:
    """Parsed JSON and where its values stand in the text (`marks` is None for data given
    in Python, which has no places: messages then name the field only)."""

    name: str
    data: object
    marks: JsonMap | None = None

    @property
    def text(self) -> str | None:
        return None if self.marks is None else self.marks.text

    @property
    def duplicates(self) -> list[JsonPath]:
        """The path of each key given more than once in its object (its last value kept)."""
        found = [] if self.marks is None else self.marks.duplicates
        return list(dict.fromkeys(path for path, _ in found))

    @property
    def values(self) -> Mapping[JsonPath, int]:
        """The offset of every value in `text`, by path."""
        return {} if self.marks is None else self.marks.values

    @property
    def keys(self) -> Mapping[JsonPath, int]:
        """The offset of every object key in `text`, by the path of its value."""
        return {} if self.marks is None else self.marks.keys

    def issue(self, path: JsonPath, message: str, *, key: bool = False) -> Issue:
        """An error at `path`'s value (its key with `key`), else at its nearest ancestor."""
        if self.marks is None:
            return Issue("error", message, source=self.name, field=format_path(path))
        return self.marks.issue("error", path, message, key=key)


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
            close = did_you_mean(name, names)
            hint = f"; did you mean {close[0]!r}?" if close else f" ({what} takes {_listed(names)})"
            self.add((*path, name), f"unknown key {name!r}{hint}", key=True)


def _listed(names: Sequence[str]) -> str:
    shown = [repr(n) for n in names[:12]]
    return ", ".join(shown) + (", ..." if len(names) > 12 else "")


def read_source(
    data_or_path: object, *, name: str | None = None, what: str = "file", last_wins: bool = False
) -> Source:
    """The JSON to import: a path (str or os.PathLike) to a file of at most 1 MiB, JSON
    text (a str that starts with `{` or `[`), a file's bytes (standard input, read
    already), or data already parsed (a dict or list).
    Raises SourceError (with line and column) for text that is not UTF-8 or not JSON, a
    key given twice in one object, NaN or Infinity; FileReadError for a file that cannot
    be read. `what` names the file in messages (`composition file`). With `last_wins`, a
    key given twice keeps its last value, as `json.loads` does (listed in
    `Source.duplicates`), instead of being refused."""
    holds = what.removesuffix("file").strip() or "document"
    if isinstance(data_or_path, bytes):  # a file's bytes, read already (standard input)
        label = name or "<bytes>"
        if len(data_or_path) > MAX_SOURCE_BYTES:
            raise SourceError(
                f"over {MAX_SOURCE_BYTES >> 20} MiB; the {what} is limited to "
                f"{MAX_SOURCE_BYTES >> 20} MiB",
                source=label,
            )
        decoded = decode_text(data_or_path, label)
        if isinstance(decoded, Issue):
            raise SourceError.of(decoded)
        return parse_text(decoded, label, what=holds, last_wins=last_wins)
    if isinstance(data_or_path, Mapping | list):
        return Source(name or "<data>", data_or_path)
    if isinstance(data_or_path, str) and data_or_path.lstrip()[:1] in ("{", "["):
        return parse_text(data_or_path, name or "<text>", what=holds, last_wins=last_wins)
    if isinstance(data_or_path, str | os.PathLike):
        label = name or str(data_or_path)
        text = decode_text(read_limited(Path(data_or_path), MAX_SOURCE_BYTES, what=what), label)
        if isinstance(text, Issue):
            raise SourceError.of(text)
        return parse_text(text, label, what=holds, last_wins=last_wins)
    raise TypeError(
        f"expected a path, JSON text, a dict or a list, not {type(data_or_path).__name__}"
    )


def parse_text(text: str, name: str, *, what: str = "document", last_wins: bool = False) -> Source:
    """Parse JSON `text` (`what` it should hold: a `composition`, a `payload`), note where
    its values and keys stand, and refuse NaN, Infinity and keys given twice (with
    `last_wins`, a key given twice keeps its last value)."""
    # an empty file reads as `layoutkit lint` words it, whatever it should hold
    decoded = decode_json(text, name, what=what if text.strip() else "payload")
    if isinstance(decoded, Issue):
        raise SourceError.of(decoded)
    data, marks = decoded
    _refuse_constants(marks)
    source = Source(name, data, marks)
    if marks.duplicates and not last_wins:
        first: dict[JsonPath, int] = {}
        for path, offset in marks.duplicates:
            first.setdefault(path, offset)  # where the key was first given
        problems = Problems(source)
        problems.issues.extend(
            marks.issue_at(
                offset,
                "error",
                f"key {path[-1]!r} is given twice in one object; JSON readers disagree on "
                "which one counts, so keep one",
                name=format_path(path),
            )
            for path, offset in first.items()
        )
        problems.raise_if_any()
    return source


def _refuse_constants(marks: JsonMap) -> None:
    """NaN and Infinity, which `json.loads` reads but JSON has not: the first is refused."""
    if "NaN" not in marks.text and "Infinity" not in marks.text:
        return
    text = marks.text
    found = [(at, m.group()) for at in marks.values.values() if (m := _CONSTANT_RE.match(text, at))]
    if found:
        at, word = min(found)
        issue = marks.issue_at(at, "error", f"not JSON: {word} is not a JSON number")
        raise SourceError.of(issue, hint="write a number")


__all__ = [
    "MAX_SOURCE_BYTES",
    "JsonPath",
    "Problems",
    "Source",
    "SourceError",
    "kind_of",
    "parse_text",
    "read_source",
]
