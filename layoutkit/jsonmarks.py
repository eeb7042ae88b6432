"""JSON as layoutkit prints it (`format_json`: a region per line) and reads it
(`decode_json`: the data as `json.loads` gives it, plus the place of every value and key by
its path, the duplicated keys, and a located `Issue` with what to fix for text that is not
JSON), for `payload_lint` and `importers`.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from layoutkit.errors import Issue, Severity, format_path

JsonPath = tuple[str | int, ...]

_WHITESPACE = " \t\n\r"
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR_RE = re.compile(
    r"-?Infinity|NaN|true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?"
)
_LONG_INT_RE = re.compile(r"\d{4000,}")


@dataclass
class JsonMap:
    """Where the values and keys of one JSON document stand in its text: character
    offsets by path (a key given twice: its last place); `duplicates` holds the path of
    each key given again and the offset where it was given before."""

    text: str
    source: str = "<string>"
    values: dict[JsonPath, int] = field(default_factory=dict)
    keys: dict[JsonPath, int] = field(default_factory=dict)
    duplicates: list[tuple[JsonPath, int]] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [0, *(m.end() for m in re.finditer("\n", self.text))]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a character offset."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def line_text(self, line: int) -> str:
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def find(self, path: Sequence[str | int], *, key: bool = False) -> int | None:
        """The offset of `path` (of its key when `key`), else of its nearest ancestor."""
        whole = tuple(path)
        if key and whole in self.keys:
            return self.keys[whole]
        for end in range(len(whole), -1, -1):
            if whole[:end] in self.values:
                return self.values[whole[:end]]
        return None

    def issue(
        self, severity: Severity, path: Sequence[str | int], message: str, *, key: bool = False
    ) -> Issue:
        """An Issue at `path` (its key when `key`), naming the path as its field."""
        return self.issue_at(self.find(path, key=key), severity, message, name=format_path(path))

    def issue_at(
        self, offset: int | None, severity: Severity, message: str, *, name: str = ""
    ) -> Issue:
        """An Issue at a character offset (None: the document as a whole), quoting its
        line; `name` is the field it names."""
        if offset is None:
            return Issue(severity, message, source=self.source, field=name)
        line, column = self.position(offset)
        snippet = self.line_text(line)
        return Issue(severity, message, self.source, line, column, name, snippet)


@dataclass
class _Frame:
    path: JsonPath
    is_object: bool
    key: str | None = None
    index: int = 0
    seen: set[str] = field(default_factory=set)


def _scan(jmap: JsonMap) -> None:
    """Record the offset of every value and key of `jmap.text`, which `json.loads`
    has read already (so it is valid JSON, NaN and Infinity included)."""
    text, size = jmap.text, len(jmap.text)
    stack: list[_Frame] = []
    pos = 0

    def here() -> JsonPath:
        return _path_at(stack)

    while pos < size:
        char = text[pos]
        if char in _WHITESPACE or char == ":":
            pos += 1
        elif char in "{[":
            path = here()
            jmap.values[path] = pos
            stack.append(_Frame(path, is_object=char == "{"))
            pos += 1
        elif char in "}]":
            stack.pop()
            pos += 1
        elif char == ",":
            top = stack[-1]
            if top.is_object:
                top.key = None
            else:
                top.index += 1
            pos += 1
        elif char == '"':
            pos = _scan_string(jmap, stack, pos)
        else:
            found = _SCALAR_RE.match(text, pos)
            jmap.values[here()] = pos
            pos = found.end() if found and found.end() > pos else pos + 1
    if jmap.duplicates:
        _forget_replaced(jmap)


def _path_at(stack: list[_Frame]) -> JsonPath:
    """The path of the value the scan is at, inside the open containers of `stack`."""
    if not stack:
        return ()
    top = stack[-1]
    return (*top.path, top.key if top.is_object and top.key is not None else top.index)


def _scan_string(jmap: JsonMap, stack: list[_Frame], pos: int) -> int:
    """Record the string at `pos`, a key or a value, and return where it ends."""
    text = jmap.text
    found = _STRING_RE.match(text, pos)
    end = found.end() if found else len(text)
    frame = stack[-1] if stack else None
    if frame is not None and frame.is_object and frame.key is None:
        name = str(json.loads(text[pos:end]))
        path = (*frame.path, name)
        if name in frame.seen:
            jmap.duplicates.append((path, jmap.keys[path]))
        frame.seen.add(name)
        frame.key = name
        jmap.keys[path] = pos
    else:
        jmap.values[_path_at(stack)] = pos
    return end


def _forget_replaced(jmap: JsonMap) -> None:
    """Forget what was recorded under the earlier value of a key given twice (the later
    value wins, as in `json.loads`): a value or key stands only after its parent's value,
    so whatever lies before it was under a value the later one replaced."""
    kept: set[JsonPath] = set()
    for path in sorted(jmap.values, key=len):
        if not path or (path[:-1] in kept and jmap.values[path] > jmap.values[path[:-1]]):
            kept.add(path)
        else:
            del jmap.values[path]
    for path in list(jmap.keys):
        if path[:-1] not in kept or jmap.keys[path] < jmap.values[path[:-1]]:
            del jmap.keys[path]


def decode_text(raw: bytes, source: str) -> str | Issue:
    """Bytes read from a file or standard input as text (UTF-8, a BOM allowed), or the
    located Issue saying why they are not."""
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        return _byte_issue(raw, at, source, "a NUL byte: this is a binary file, not JSON")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _byte_issue(raw, exc.start, source, "the text is not UTF-8 (save it as UTF-8)")


def _byte_issue(raw: bytes, at: int, source: str, message: str) -> Issue:
    line = raw[:at].count(b"\n") + 1
    column = len(raw[raw.rfind(b"\n", 0, at) + 1 : at].decode("utf-8", "replace")) + 1
    return Issue("error", message, source=source, line=line, column=column)


def decode_json(
    text: str, source: str = "<string>", *, what: str = "document"
) -> tuple[Any, JsonMap] | Issue:
    """The data of a JSON text and where its values stand, or the located Issue saying
    why it is not JSON. `what` names what the text should hold, after "a" (`payload`)."""
    text = text.removeprefix("\ufeff")
    jmap = JsonMap(text, source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _not_json(jmap, exc, what)
    except RecursionError:
        return Issue("error", f"not JSON a {what} can be: nested too deeply", source=source)
    except ValueError:  # an integer of thousands of digits, past Python's limit
        found = _LONG_INT_RE.search(text)
        return jmap.issue_at(
            found.start() if found else 0,
            "error",
            f"not JSON a {what} can be: a number of thousands of digits (write a number of "
            "a sensible size)",
        )
    _scan(jmap)
    return data, jmap


def _not_json(jmap: JsonMap, exc: json.JSONDecodeError, what: str) -> Issue:
    """A decoder error, located where the decoder stopped, with what to fix."""
    text, pos = jmap.text, exc.pos
    if not text.strip():
        return Issue(
            "error", f"the file is empty; it should hold one JSON {what}", source=jmap.source
        )
    ahead = text[pos:].lstrip(_WHITESPACE)
    char = ahead[:1]
    behind = text[:pos].rstrip(_WHITESPACE)[-1:]
    if not ahead:
        advice = "the text ends before the JSON is complete (a closing ] or } is missing)"
    else:
        advice = _advice(exc.msg, char, behind, ahead, what)
    return jmap.issue_at(pos, "error", f"not JSON: {advice} (the JSON decoder says: {exc.msg})")


def _advice(msg: str, char: str, behind: str, ahead: str, what: str) -> str:
    """What to fix for a JSON decoder message, from the characters around the place."""
    if char == "'":
        return 'JSON quotes strings and keys with double quotes ("), not single quotes'
    if char == "/" or char == "#":
        return "JSON has no comments; remove them"
    if msg.startswith("Expecting property name") and char == "}" and behind == ",":
        return "a comma before }: JSON allows no trailing comma; remove it"
    if msg.startswith("Expecting property name"):
        return 'a key must be a string in double quotes, e.g. "width"'
    if msg.startswith("Expecting value") and char == "]" and behind == ",":
        return "a comma before ]: JSON allows no trailing comma; remove it"
    if msg.startswith("Expecting value"):
        word = re.match(r"[A-Za-z_]\w*", ahead)
        if word is not None and word.group() in ("True", "False", "None", "undefined"):
            return "JSON writes true, false and null (lower case, no undefined)"
        return "a value is missing here, or is not written as JSON"
    if msg.startswith("Extra data"):
        return f"more text after the JSON value: a file holds one {what}"
    return next(
        (advice for start, advice in _ADVICE.items() if msg.startswith(start)),
        "the text cannot be read as JSON here",
    )


# What to fix for the rest of the JSON decoder's messages, by how the message starts.
_ADVICE = {
    "Expecting ',' delimiter": "a comma is missing between two items (or a string is not closed)",
    "Expecting ':' delimiter": 'a key must be followed by ":" and its value',
    "Unterminated string": "a string is not closed with a double quote",
    "Invalid control character": r"a string holds a raw line break or tab; write \n or \t",
    "Invalid \\escape": r"a backslash that is not an escape; write \\ for a backslash",
}


def format_json(data: object, indent: int = 0) -> str:
    """Indented JSON that keeps flat objects and lists on one line."""
    if isinstance(data, dict):
        values: list[object] = list(data.values())
    elif isinstance(data, list):
        values = list(data)
    else:
        values = []
    flat = all(not isinstance(v, dict | list) for v in values)
    if flat:
        return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    pad = "  " * (indent + 1)
    if isinstance(data, dict):
        items = [f"{pad}{json.dumps(k)}: {format_json(v, indent + 1)}" for k, v in data.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    assert isinstance(data, list)
    items = [f"{pad}{format_json(v, indent + 1)}" for v in data]
    return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
