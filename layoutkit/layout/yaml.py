"""YAML text -> plain data plus a map from every value's path to its place in the text.

Paths are tuples of keys and list indexes, e.g. `("regions", 1, "width")`. The map keeps
the place of each value and of each mapping key, so an error can point at the offending
value (or at an unknown key). Alias bombs, deep nesting and duplicate keys are caught here.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from layoutkit.errors import Issue, LayoutSyntaxError, Severity, format_path

Path = tuple[str | int, ...]
MAX_NODES = 50_000
MAX_INT_DIGITS = 18
MAX_NUMBER_CHARS = 40
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SAFE_TAGS = ("str", "int", "float", "bool", "null", "timestamp", "merge", "value")
_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class Mark:
    """A place in a source text: 1-based line and column, and the line's text.

    In a templated file the place is on the template's line (`templating.LineMap`);
    `rendered` is then the line YAML read when it differs from the template's,
    `rendered_column` the column there, and `rendered_for` what the template was rendered
    for (`count 4`).
    """

    source: str
    line: int
    column: int
    snippet: str
    rendered: str | None = None
    rendered_column: int = 0
    rendered_for: str = ""

    @property
    def parsed(self) -> tuple[str, int]:
        """The line and column as YAML read them (the rendered ones for a template)."""
        if self.rendered is None:
            return self.snippet, self.rendered_column or self.column
        return self.rendered, self.rendered_column


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a document stands in its source."""

    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)
    duplicates: list[tuple[Path, Mark]] = field(default_factory=list)

    def find(self, path: Sequence[str | int], *, key: bool = False) -> Mark | None:
        """The mark of `path`, else of its nearest ancestor that has one."""
        probe: Path = tuple(path)
        if key and probe in self.keys:
            return self.keys[probe]
        while True:
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def issue(
        self,
        severity: Severity,
        path: Sequence[str | int],
        message: str,
        *,
        key: bool = False,
        source: str = "<string>",
    ) -> Issue:
        """An Issue located at `path` (at its key when `key`)."""
        mark = self.find(path, key=key)
        if mark is None:
            return Issue(severity, message, source=source, field=format_path(path))
        return Issue(
            severity,
            message,
            source=mark.source,
            line=mark.line,
            column=mark.column,
            field=format_path(path),
            snippet=mark.snippet,
            rendered_for=mark.rendered_for,
            rendered=mark.rendered,
        )

    def graft(self, other: SourceMap, prefix: Path) -> None:
        """Copy the marks of `other` under `prefix` (used when merging `extends`)."""
        for path, mark in other.values.items():
            if path[: len(prefix)] == prefix:
                self.values[path] = mark
        for path, mark in other.keys.items():
            if path[: len(prefix)] == prefix:
                self.keys[path] = mark


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, source: str, lines: list[str]) -> None:
        self.loader = loader
        self.source = source
        self.lines = lines
        self.map = SourceMap()
        self.nodes = 0
        self.path: Path = ()

    def mark(self, node: yaml.Node) -> Mark:
        start = node.start_mark
        snippet = self.lines[start.line] if start.line < len(self.lines) else ""
        return Mark(self.source, start.line + 1, start.column + 1, snippet)

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            mark = self.mark(node)
            raise LayoutSyntaxError(
                f"the document expands to more than {MAX_NODES} values",
                source=self.source,
                line=mark.line,
                column=mark.column,
                hint="YAML aliases that repeat each other (an alias bomb?); write it out plainly",
                snippet=mark.snippet,
            )
        self.map.values[path] = self.mark(node)
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def fail(self, node: yaml.Node, message: str, hint: str) -> LayoutSyntaxError:
        mark = self.mark(node)
        where = format_path(self.path)
        return LayoutSyntaxError(
            f"{where}: {message}" if where else message,
            source=self.source,
            line=mark.line,
            column=mark.column,
            hint=hint,
            snippet=mark.snippet,
        )

    def scalar(self, node: yaml.Node, path: Path) -> Any:
        """A scalar's value; numbers must be finite and of a layout's size."""
        self.path = path
        tag = str(node.tag)
        raw = str(node.value)
        short = tag.removeprefix(_TAG)
        if not tag.startswith(_TAG) or short not in _SAFE_TAGS:
            raise self.fail(
                node,
                f"the YAML tag {_show_tag(tag)} is not allowed in a layout",
                "remove the tag and write a plain value",
            )
        if short in ("int", "float") and len(raw) > MAX_NUMBER_CHARS:
            raise self.fail(
                node,
                f"the number is written with {len(raw)} characters; a layout needs no more "
                f"than {MAX_NUMBER_CHARS}",
                "write a short number such as 0.25 or 320",
            )
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError:
            raise
        except (ValueError, TypeError, AttributeError, LookupError, ArithmeticError):
            raise self.fail(
                node,
                f"this value cannot be read as {short}",
                f"write a valid {short} value, or remove the !!{short} tag",
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(
                node,
                "the number is not finite (.inf, .nan or too large)",
                "write a finite number such as 0.25",
            )
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and abs(value) >= 10**MAX_INT_DIGITS
        ):
            raise self.fail(
                node,
                f"the number has more than {MAX_INT_DIGITS} digits; a layout needs no more",
                "write a smaller number",
            )
        return value

    def build_mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        self.loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_mark = self.mark(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                raise LayoutSyntaxError(
                    "a mapping key must be a plain name",
                    source=self.source,
                    line=key_mark.line,
                    column=key_mark.column,
                    snippet=key_mark.snippet,
                )
            key = self.scalar(key_node, (*path, "<key>"))
            name = str(key) if not isinstance(key, str) else key
            child = (*path, name)
            if name in result:
                self.map.duplicates.append((child, key_mark))
            self.map.keys[child] = key_mark
            result[name] = self.build(value_node, child)
        return result


@functools.lru_cache(maxsize=128)
def parse_yaml(text: str, source: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data and its SourceMap (cached: callers must
    not change what it returns).

    Raises LayoutSyntaxError with the line and column of the problem.
    """
    lines = text.splitlines()
    _check_characters(text, source, lines)
    try:
        loader = yaml.SafeLoader(text)  # the reader checks every character of a str here
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, source, lines) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, SourceMap()
        builder = _Builder(loader, source, lines)
        data = builder.build(node, ())
        return data, builder.map
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, source, lines) from None
    except yaml.YAMLError:
        raise LayoutSyntaxError("YAML: the text cannot be read", source=source) from None
    except RecursionError:
        raise LayoutSyntaxError(
            "the document is nested too deeply", source=source, hint="flatten the structure"
        ) from None
    finally:
        loader.dispose()


def _reader_error(
    exc: yaml.reader.ReaderError, text: str, source: str, lines: list[str]
) -> LayoutSyntaxError:
    """A character YAML's reader refuses (U+FFFE, U+FFFF, a lone surrogate), located."""
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    return LayoutSyntaxError(
        f"the text holds the character U+{exc.character:04X}, which YAML does not allow",
        source=source,
        line=line,
        column=column,
        hint="remove it; a layout is plain text",
        snippet=lines[line - 1] if line <= len(lines) else None,
    )


def _check_characters(text: str, source: str, lines: list[str]) -> None:
    """Refuse raw control characters (other than tab, newline and CR), located."""
    found = _CONTROL_RE.search(text)
    if found is None:
        return
    start = text.rfind("\n", 0, found.start()) + 1
    line = text.count("\n", 0, found.start()) + 1
    raise LayoutSyntaxError(
        f"the text holds a control character (\\x{ord(found.group()):02x})",
        source=source,
        line=line,
        column=found.start() - start + 1,
        hint="remove it; a layout is plain text",
        snippet=lines[line - 1] if line <= len(lines) else None,
    )


def _show_tag(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    return shown if len(shown) <= 60 else shown[:57] + "..."


@dataclass(frozen=True)
class _Rule:
    """A PyYAML problem (matched on `context problem`) and what to tell the author."""

    pattern: str  # compiled on the first YAML error (re caches it), not at import
    message: str
    at_context: bool = False  # locate at the context mark (where the trouble started)
    keep: bool = False  # add PyYAML's words in parentheses (they help when searching)


_RULES = (
    _Rule(
        r"mapping values are not allowed here",
        "a ':' inside a value: quote the value, e.g. title: \"Speaker: guest\"; "
        "or, if this is a key, indent it like the keys above",
        keep=True,
    ),
    _Rule(
        r"could not find expected ':'",
        "a key without ':' (or a line indented wrongly): write `key: value`",
        at_context=True,
    ),
    _Rule(
        r"found character '\\t' that cannot start any token|tab character",
        "a tab: indent with spaces",
    ),
    _Rule(
        r"expected <block end>, but found '<scalar>'",
        "more text after a quoted value: quote the whole value "
        "(single quotes around text that holds double quotes)",
    ),
    _Rule(
        r"expected <block end>, but found|did not find expected key",
        "the indentation does not line up with the lines above: indent this line with "
        "spaces like the keys or `- ` items it belongs with",
    ),
    _Rule(
        r"did not find expected '-' indicator",
        "the list items do not line up: start each item with `- ` at the same indentation",
    ),
    _Rule(
        r"found undefined alias '(?P<name>[^']*)'",
        "`*{name}` repeats a value marked `&{name}`, and there is none before it; "
        "define the anchor first, or quote the value if the `*` is text",
    ),
    _Rule(
        r"found duplicate anchor '(?P<name>[^']*)'",
        "the anchor `&{name}` is defined twice; give each anchor its own name",
    ),
    _Rule(
        r"found character '(?P<char>[^']*)' that cannot start any token",
        "a value cannot start with {char!r}: quote it, e.g. {quoted}",
    ),
    _Rule(
        r"while scanning a quoted scalar found unexpected end of stream",
        "a quoted value is not closed: add the closing quote",
        at_context=True,
    ),
    _Rule(
        r"found unknown escape character '(?P<char>.*)'",
        "'\\{char}' is not an escape inside double quotes: use single quotes, or write "
        "'\\\\' for a backslash",
    ),
    _Rule(
        r"while scanning an? (anchor|alias) expected alphabetic or numeric",
        "'&' and '*' start YAML anchors and aliases and need a name: quote the value if it is text",
        at_context=True,
    ),
    _Rule(
        r"expected a single document",
        "a second YAML document ('---'): a layout file holds one document",
    ),
    _Rule(
        r"expected the node content, but found ','",
        "an empty item between commas: remove the extra ','",
    ),
)
_FLOW_HINT = "a {open} is not closed with {close}, or two of its items lack a ',' between them"


def _yaml_error(exc: yaml.MarkedYAMLError, source: str, lines: list[str]) -> LayoutSyntaxError:
    """A located LayoutSyntaxError that says what to fix, not what the parser expected."""
    problem = exc.problem or exc.context or "invalid YAML"
    both = f"{exc.context or ''} {exc.problem or ''}".strip()
    mark = exc.problem_mark or exc.context_mark
    message = f"YAML: {problem}"
    hint = None
    for rule in _RULES:
        found = re.search(rule.pattern, both)
        if found is None:
            continue
        if rule.at_context and exc.context_mark is not None:
            mark = exc.context_mark
        names = {k: v for k, v in found.groupdict().items() if v is not None}
        if "char" in names and mark is not None and mark.line < len(lines):
            names["quoted"] = _quoted(lines[mark.line][mark.column :].rstrip())
        message = rule.message.format(**names)
        if rule.keep:
            message += f" (YAML: {problem})"
        break
    else:
        flow = re.search(r"expected ',' or '([\]}])'", problem)
        if flow:
            close = flow.group(1)
            hint = _FLOW_HINT.format(open="[ list" if close == "]" else "{ mapping", close=close)
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    snippet = lines[mark.line] if mark and mark.line < len(lines) else None
    return LayoutSyntaxError(
        message, source=source, line=line, column=column, hint=hint, snippet=snippet
    )


def _quoted(text: str) -> str:
    """`text` as a quoted YAML scalar, for a message."""
    text = text if len(text) <= 40 else text[:37] + "..."
    if '"' not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"
