"""What an importer gives (`Imported`) and the small YAML writer the importers share:
scalars quoted only when YAML would misread them, one-line flow mappings (a region per
line, as the examples and the README write them), lengths in pixels of the canvas, and
the report as `#` comments at the top of the file."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from layoutkit.errors import safe_text

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
    """`text` as one line of the report on standard error, as messages show text
    (`errors.safe_text`, and a newline as `\\n`): a name from the file can neither drive
    the terminal nor start a line of its own."""
    return safe_text(text).replace("\n", "\\n")


class Raw(str):
    """Text written into the YAML as it is (a length such as `320px`, a count range)."""

    __slots__ = ()


def scalar(value: Value) -> str:
    """A value as YAML reads it back: numbers as short as they are exact, strings plain
    when safe, else double-quoted (JSON escapes are valid YAML), lists in flow style."""
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str):
        if _PLAIN_RE.match(value) and value.lower() not in _YAML_WORDS:
            return value
        if _MARKER_RE.search(value):  # `{%` in a name: YAML reads `\u007b` back as `{`
            return _MARKER_RE.sub(r"\\u007b", json.dumps(value))
        return json.dumps(value)
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


def comment(text: str, width: int = COMMENT_WIDTH, indent: str = "") -> list[str]:
    """`text` as `#` comment lines (control characters escaped, wrapped)."""
    clean = _unmarked(safe_text(text).replace("\n", " "))
    lines = textwrap.wrap(clean, width - len(indent) - 2, break_on_hyphens=False) or [""]
    return [f"{indent}# {line}".rstrip() for line in lines]


def header(intro: Sequence[str], notes: Sequence[str]) -> list[str]:
    """The comment block at the top of an imported layout: what it came from, then each
    note as a bullet (or that everything was carried over)."""
    lines: list[str] = []
    for text in intro:
        lines.extend(comment(text))
    if notes:
        lines.append("# Not carried over exactly:")
        for note in notes:
            wrapped = comment(note, COMMENT_WIDTH - 2)
            lines.append("# - " + wrapped[0][2:])
            lines.extend("#   " + rest[2:] for rest in wrapped[1:])
    else:
        lines.append("# Everything was carried over exactly.")
    return lines


def trailing(text: str) -> str:
    """A short trailing comment (`  # main`), control characters and newlines escaped."""
    return "  # " + _unmarked(safe_text(text).replace("\n", " "))


def _unmarked(text: str) -> str:
    """Comment text that cannot start a Jinja2 tag (`{%` -> `{ %`): the loader would read
    the whole file as a template."""
    return _MARKER_RE.sub("{ ", text)
