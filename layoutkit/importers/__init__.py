"""Layouts from what people already have: a Twilio composition's `video_layout`
(`from_twilio`) or an Agora start or updateLayout payload (`from_agora`), each as an
`Imported` (the YAML, with what was not carried over exactly in `.notes` and as comments at
its top). Here: reading the JSON with the place of every value, so that bad input raises a
`LayoutError` naming the file, line and column, and the small YAML writer both share.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from layoutkit.errors import (
    Issue,
    LayoutSyntaxError,
    LayoutValidationError,
    did_you_mean,
    format_path,
    safe_text,
)
from layoutkit.jsonmarks import JsonMap, JsonPath, decode_json, decode_text
from layoutkit.safefiles import read_limited

if TYPE_CHECKING:
    from layoutkit.importers.agora import from_agora
    from layoutkit.importers.twilio import from_twilio

__all__ = ["Imported", "SourceError", "from_agora", "from_twilio"]


def __getattr__(name: str) -> Any:
    if name not in ("from_agora", "from_twilio"):
        raise AttributeError(f"module 'layoutkit.importers' has no attribute {name!r}")
    return getattr(importlib.import_module(f"layoutkit.importers.{name[5:]}"), name)


T = TypeVar("T")
MAX_SOURCE_BYTES = 1 << 20
"""The largest file an importer reads (1 MiB, as for layout files)."""
_CONSTANT_RE = re.compile(r"-?Infinity|NaN")


class SourceError(LayoutSyntaxError):
    """A file to import that cannot be read or parsed as JSON (a `LayoutSyntaxError`, so
    the command line gives exit status 1): `source`, `line` and `column` say where."""

    @classmethod
    def of(cls, issue: Issue, hint: str | None = None) -> SourceError:
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
    def label(self) -> str:
        """The name for a title: a file's name without its folders, or the name given."""
        return self.name if self.marks is None else Path(self.name).name

    @property
    def duplicates(self) -> list[JsonPath]:
        """The path of each key given more than once in its object (its last value kept)."""
        found = [] if self.marks is None else self.marks.duplicates
        return list(dict.fromkeys(path for path, _ in found))

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

    def checked(self, path: JsonPath, check: Callable[[Any], T], value: object) -> T | None:
        """`check(value)`, or None with its ValueError as a problem at `path`."""
        try:
            return check(value)
        except ValueError as exc:
            self.add(path, str(exc))
            return None

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
        listed = ", ".join(repr(n) for n in names[:12]) + (", ..." if len(names) > 12 else "")
        for key in data:
            if key in names:
                continue
            close = did_you_mean(str(key), names)
            hint = f"; did you mean {close[0]!r}?" if close else f" ({what} takes {listed})"
            self.add((*path, str(key)), f"unknown key {str(key)!r}{hint}", key=True)


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
    if isinstance(data_or_path, Mapping | list):
        return Source(name or "<data>", data_or_path)
    if isinstance(data_or_path, str) and data_or_path.lstrip()[:1] in ("{", "["):
        return parse_text(data_or_path, name or "<text>", what=holds, last_wins=last_wins)
    label = name or "<bytes>"
    if isinstance(data_or_path, str | os.PathLike):
        label = name or str(data_or_path)
        data_or_path = read_limited(Path(data_or_path), MAX_SOURCE_BYTES, what=what)
    if not isinstance(data_or_path, bytes):
        raise TypeError(
            f"expected a path, JSON text, a dict or a list, not {type(data_or_path).__name__}"
        )
    if len(data_or_path) > MAX_SOURCE_BYTES:  # a file's bytes, read already (standard input)
        limit = f"{MAX_SOURCE_BYTES >> 20} MiB"
        raise SourceError(f"over {limit}; the {what} is limited to {limit}", source=label)
    decoded = decode_text(data_or_path, label)
    if isinstance(decoded, Issue):
        raise SourceError.of(decoded)
    return parse_text(decoded, label, what=holds, last_wins=last_wins)


def parse_text(text: str, name: str, *, what: str = "document", last_wins: bool = False) -> Source:
    """Parse JSON `text` (`what` it should hold: a `composition`, a `payload`), note where
    its values and keys stand, and refuse NaN, Infinity and keys given twice (with
    `last_wins`, a key given twice keeps its last value)."""
    # an empty file reads as `layoutkit lint` words it, whatever it should hold
    decoded = decode_json(text, name, what=what if text.strip() else "payload")
    if isinstance(decoded, Issue):
        raise SourceError.of(decoded)
    data, marks = decoded
    constants = [
        (at, m.group()) for at in marks.values.values() if (m := _CONSTANT_RE.match(text, at))
    ]
    if constants:  # NaN and Infinity, which `json.loads` reads but JSON has not
        at, word = min(constants)
        issue = marks.issue_at(at, "error", f"not JSON: {word} is not a JSON number")
        raise SourceError.of(issue, hint="write a number")
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


_PLAIN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_YAML_WORDS = frozenset(  # YAML 1.1 booleans and null
    ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
)
COMMENT_WIDTH = 92
_MARKER_RE = re.compile(r"\{(?=[{%#])")  # `{{`, `{%`, `{#` would make the file a template

Scalar = str | int | float | bool | None
Value = Scalar | Sequence[Scalar]


@dataclass(frozen=True)
class Imported:
    """A layout made from another system's description.

    `yaml` is the layout file (the report of what was not carried over exactly as `#`
    comments at its top); `notes` are those report lines; `source` names what was read
    and `kind` what it was ("a Twilio composition", "an Agora start request", ...);
    `canvas` is the layout's canvas (width, height) in pixels."""

    yaml: str
    notes: tuple[str, ...]
    source: str
    kind: str
    canvas: tuple[int, int]

    def summary(self) -> str:
        """One line: what was imported, from where."""
        width, height = self.canvas
        return f"imported {one_line(self.source)} ({self.kind}), canvas {width}x{height}"


def one_line(text: str) -> str:
    """`text` as one line of a message (`errors.safe_text`, a newline as `\\n`): a name
    from the file can neither drive the terminal nor start a line of its own."""
    return safe_text(text).replace("\n", "\\n")


class Raw(str):
    """Text written into the YAML as it is (a length such as `320px`, a count range)."""

    __slots__ = ()


def scalar(value: Value) -> str:
    """A value as YAML reads it back: numbers as short as they are exact, strings plain
    when safe, else double-quoted (JSON escapes are valid YAML), lists in flow style."""
    if isinstance(value, Raw):
        return str(value)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str):
        if _PLAIN_RE.match(value) and value.lower() not in _YAML_WORDS:
            return value
        # `{%` in a name: YAML reads `\u007b` back as `{`
        return _MARKER_RE.sub(r"\\u007b", json.dumps(value))
    return "[" + ", ".join(scalar(item) for item in value) + "]"


def number(value: float) -> str:
    """`0`, `1`, `0.25`, `0.333333`: a float without a needless `.0`."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:  # YAML 1.1 reads 1e-06 as text: write 0.000001
        text = f"{value:.17f}".rstrip("0").rstrip(".")
    return text


def px(value: float) -> Raw:
    """A length in pixels of the canvas (`320px`, `426.666667px`; `0` for zero)."""
    if abs(value) < 1e-9:
        return Raw("0")
    if abs(value - round(value)) < 1e-9:
        return Raw(f"{round(value)}px")
    return Raw(f"{value:.6f}".rstrip("0").rstrip(".") + "px")


def flow(pairs: Sequence[tuple[str, Value]]) -> str:
    """`{key: value, ...}` on one line, in the order given."""
    return "{" + ", ".join(f"{key}: {scalar(value)}" for key, value in pairs) + "}"


def comment(text: str, width: int = COMMENT_WIDTH) -> list[str]:
    """`text` as `#` comment lines (control characters escaped, wrapped)."""
    clean = _unmarked(safe_text(text).replace("\n", " "))
    lines = textwrap.wrap(clean, width - 2, break_on_hyphens=False) or [""]
    return [f"# {line}".rstrip() for line in lines]


def header(intro: Sequence[str], notes: Sequence[str]) -> list[str]:
    """The comment block at the top of an imported layout: what it came from, then each
    note as a bullet (or that everything was carried over)."""
    lines = [line for text in intro for line in comment(text)]
    if not notes:
        return [*lines, "# Everything was carried over exactly."]
    lines.append("# Not carried over exactly:")
    for note in notes:
        wrapped = comment(note, COMMENT_WIDTH - 2)
        lines.append("# - " + wrapped[0][2:])
        lines.extend("#   " + rest[2:] for rest in wrapped[1:])
    return lines


def trailing(text: str) -> str:
    """A short trailing comment (`  # main`), control characters and newlines escaped."""
    return "  # " + _unmarked(safe_text(text).replace("\n", " "))


def _unmarked(text: str) -> str:
    """Comment text that cannot start a Jinja2 tag (`{%` -> `{ %`): the loader would read
    the whole file as a template."""
    return _MARKER_RE.sub("{ ", text)
