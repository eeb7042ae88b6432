"""A path (`load_layout`) or text (`parse_layout`) -> Jinja2 (sandboxed, strict) -> YAML
with marks -> `extends` (presets, or files inside the including file's folder) -> Layout.

Every failure becomes a located LayoutError: LayoutSyntaxError for text that cannot be
read, rendered or parsed; LayoutValidationError (with every issue at once) for a document
of the wrong shape.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any, NoReturn

from layoutkit.errors import (
    Issue,
    LayoutSyntaxError,
    LayoutValidationError,
    PresetNotFoundError,
    did_you_mean,
)
from layoutkit.layout.model import LayoutDocument, Problem, read_layout
from layoutkit.layout.templating import (
    LineMap,
    TemplateContext,
    freeze_vars,
    is_template,
    merge_repeats,
    render_template_lines,
    template_lines,
)
from layoutkit.layout.yaml import SourceMap, parse_yaml
from layoutkit.safefiles import is_regular_file, read_limited

MAX_FILE_BYTES = 1 << 20
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # layoutkit/
MAX_EXTENDS_DEPTH = 8
DEFAULT_TEMPLATE_PARTICIPANTS = ("1", "2", "3", "4")


@dataclass(frozen=True)
class ParsedLayout:
    """A layout document for one template context, with the marks of its values."""

    document: LayoutDocument
    marks: SourceMap
    source: str


@dataclass(frozen=True)
class _Source:
    name: str
    text: str
    folder: Path | None


class Layout:
    """A loaded layout file. Templated files are rendered again for each participant set
    (`count`, `participants` and `roles` change); plain files are parsed once."""

    def __init__(self, source: _Source, vars: Mapping[str, Any] | None) -> None:
        self._source = source
        self.vars: dict[str, Any] = dict(vars or {})
        # the local files (logos, card images, fonts) it may draw: anywhere (None), only
        # inside this folder, or none at all (`files_allowed` False: a layout sent as text)
        self.files_root: Path | None = None
        self.files_allowed = True
        self.templated = is_template(source.text)
        self._cache: dict[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], ParsedLayout] = {}
        self._default = self.parse()
        self.templated = self.templated or self._default_templated

    @property
    def source(self) -> str:
        """The file's name as shown in messages (`<string>` for text)."""
        return self._source.name

    @property
    def document(self) -> LayoutDocument:
        """The document as read with the default context (4 participants, no roles)."""
        return self._default.document

    @property
    def marks(self) -> SourceMap:
        return self._default.marks

    def parse(
        self, participants: Sequence[str] | None = None, roles: Mapping[str, str] | None = None
    ) -> ParsedLayout:
        """The document for these participants and roles (they matter only to templates)."""
        if participants is None:
            participants = DEFAULT_TEMPLATE_PARTICIPANTS
        key = (tuple(participants), tuple(sorted((roles or {}).items())))
        if self._cache and not self.templated:
            return next(iter(self._cache.values()))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        context = TemplateContext(key[0], key[1], freeze_vars(self.vars))
        templated: list[bool] = []
        data, marks = _read_chain(self._source, context, [], templated)
        self._default_templated = any(templated)
        parsed = ParsedLayout(_validate(data, marks, self.source), marks, self.source)
        if len(self._cache) >= 64:
            self._cache.clear()
        self._cache[key] = parsed
        return parsed

    def __repr__(self) -> str:
        return f"Layout({self.source!r})"


def load_layout(path: str | Path, vars: Mapping[str, Any] | None = None) -> Layout:
    """Load a layout from the file at `path` (always a path, never YAML text: a missing
    file is "no such file"; for text use `parse_layout`). Raises LayoutError subclasses."""
    path = Path(path)
    return Layout(_Source(str(path), _read_file(path), path.resolve().parent), vars)


def parse_layout(
    text: str, vars: Mapping[str, Any] | None = None, *, source: str = "<string>"
) -> Layout:
    """Load a layout from YAML `text`; `source` names it in messages. Its `extends` may
    name only presets (there is no folder to find files in). Raises LayoutError subclasses."""
    return Layout(_Source(source, _check_text(text, source), None), vars)


def _read_file(path: Path) -> str:
    name = str(path)
    raw = read_limited(path, MAX_FILE_BYTES, what="layout file")
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        line = raw[:at].count(b"\n") + 1
        column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
        raise LayoutSyntaxError(
            "a NUL byte: this looks like a binary file, not a YAML layout",
            source=name,
            line=line,
            column=column,
            hint="remove it, or check that this is the layout file you meant",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LayoutSyntaxError(
            "the file is not UTF-8 text", source=name, line=line, hint="save it as UTF-8"
        ) from None
    return _check_text(text, name)


def _check_text(text: str, name: str) -> str:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise LayoutSyntaxError("the text is over 1 MiB; layouts are limited to 1 MiB", source=name)
    if "\x00" in text:
        raise LayoutSyntaxError(
            "the text holds NUL characters; it is not a YAML layout", source=name
        )
    return text


def _read_chain(
    source: _Source, context: TemplateContext, seen: list[str], templated: list[bool]
) -> tuple[dict[str, Any], SourceMap]:
    """Render and parse `source`, then merge it over what it `extends`."""
    data, marks = _read_one(source, context, templated)
    parent = data.get("extends")
    if parent is None:
        return data, marks
    if not isinstance(parent, str) or not parent.strip():
        _refuse_extends(marks, f"extends takes text; {_EXTENDS_RULE}")
    base_source = _resolve_extends(parent.strip(), source, marks, seen)
    base, base_marks = _read_chain(base_source, context, [*seen, source.name], templated)
    return _merge(base, base_marks, data, marks)


def _read_one(
    source: _Source, context: TemplateContext, templated: list[bool]
) -> tuple[dict[str, Any], SourceMap]:
    """Render `source` if it is a template and parse it into a mapping, its marks on the
    lines of the file as written."""
    text = source.text
    line_map = None
    if is_template(text):
        templated.append(True)
        text, origins = render_template_lines(text, context, source.name)
        line_map = LineMap(template_lines(source.text), origins, context.describe())
    try:
        data, marks = parse_yaml(text, source.name)
    except LayoutSyntaxError as exc:
        if line_map is None:
            raise
        raise line_map.relocate_error(exc) from None
    if line_map is not None:
        marks = line_map.relocate(marks)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        issue = marks.issue(
            "error", (), "a layout file is a YAML mapping (key: value lines)", source=source.name
        )
        raise LayoutValidationError([issue])
    return data, marks


def _merge(
    base: dict[str, Any], base_marks: SourceMap, data: dict[str, Any], marks: SourceMap
) -> tuple[dict[str, Any], SourceMap]:
    """`data` over the `base` it extends, each key's marks from the file that gave it."""
    merged = dict(base)
    merged.update(data)
    merged_marks = SourceMap()
    for key in base:
        if key not in data:
            merged_marks.graft(base_marks, (key,))
    merged_marks.values.update({p: m for p, m in marks.values.items() if p})
    merged_marks.keys.update(marks.keys)
    merged_marks.values[()] = marks.values.get((), next(iter(marks.values.values())))
    merged_marks.duplicates = marks.duplicates + base_marks.duplicates
    return merged, merged_marks


def presets_dir() -> Path:
    """The folder of the `NAME.yaml` presets: inside the wheel (`layoutkit/_presets`) or, in
    a source checkout, the top-level `presets/` folder."""
    installed = _PACKAGE_DIR / "_presets"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / "presets"


def preset_names() -> list[str]:
    """Every preset name, sorted."""
    folder = presets_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def find_preset_file(name: str) -> Path | None:
    """The file of preset `name`, or None."""
    candidate = presets_dir() / f"{name}.yaml"
    return candidate if candidate.is_file() else None


_EXTENDS_RULE = (
    "extends names a preset (a plain name such as grid-2x2) or a relative .yaml/.yml file "
    "inside this file's folder"
)
_PRESET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _refuse_extends(marks: SourceMap, message: str) -> NoReturn:
    """A located error on the `extends` line; it never quotes the file named there."""
    raise LayoutValidationError([marks.issue("error", ("extends",), message)])


def _resolve_extends(name: str, child: _Source, marks: SourceMap, seen: list[str]) -> _Source:
    if len(seen) >= MAX_EXTENDS_DEPTH:
        _refuse_extends(marks, f"extends goes deeper than {MAX_EXTENDS_DEPTH} files")
    if "/" in name or "\\" in name or name.startswith((".", "~")) or name.endswith(_SUFFIXES):
        path = _extends_file(name, child, marks)
    else:
        if not _PRESET_NAME.fullmatch(name):
            _refuse_extends(marks, f"{name!r} is not a preset name; {_EXTENDS_RULE}")
        found = find_preset_file(name)
        if found is None:
            close = did_you_mean(name, preset_names(), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "see `layoutkit presets list`"
            mark = marks.find(("extends",))
            raise PresetNotFoundError(
                f"extends: no preset named {name!r}",
                source=mark.source if mark else child.name,
                line=mark.line if mark else None,
                column=mark.column if mark else None,
                hint=hint,
            )
        path = found
    display = str(path)
    if display in seen or display == child.name:
        _refuse_extends(marks, f"extends loops back to {name!r}")
    return _Source(display, _read_file(path), path.parent)


_SUFFIXES = (".yaml", ".yml")


def _extends_file(name: str, child: _Source, marks: SourceMap) -> Path:
    """The file a path-like `extends` names, if the rule allows it (see `_EXTENDS_RULE`)."""
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\", "~")) or PureWindowsPath(name).is_absolute() or ":" in parts[0]:
        _refuse_extends(marks, f"extends cannot name an absolute path ({name!r}); {_EXTENDS_RULE}")
    if ".." in parts:
        _refuse_extends(marks, f"extends cannot leave this file's folder ('..'); {_EXTENDS_RULE}")
    if not name.endswith(_SUFFIXES):
        _refuse_extends(
            marks, f"{name!r} is neither a preset name nor a .yaml file; {_EXTENDS_RULE}"
        )
    if child.folder is None:
        _refuse_extends(
            marks,
            f"a layout given as text can extend only presets, not the file {name!r}; "
            "load the layout from a file to extend files next to it",
        )
    folder = child.folder.resolve()
    try:
        path = (folder / name).resolve()
    except (OSError, RuntimeError):
        _refuse_extends(marks, f"cannot follow {name!r} (a symlink loop?); {_EXTENDS_RULE}")
    if not path.is_relative_to(folder):
        _refuse_extends(
            marks, f"{name!r} leads outside this file's folder (a symlink); {_EXTENDS_RULE}"
        )
    if not is_regular_file(path):
        _refuse_extends(marks, f"no layout file {name!r} next to this file")
    return path


def _validate(data: dict[str, Any], marks: SourceMap, source: str) -> LayoutDocument:
    issues = [
        marks.issue("error", path, f"duplicate key {path[-1]!r}; the later one would win", key=True)
        for path, _ in marks.duplicates
    ]
    comments = _comment_values(data, marks)
    issues.extend(comments.values())
    document, problems = read_layout(data)
    for problem in problems:
        if problem.loc not in comments:
            issues.append(_issue(problem, marks))
    if issues or document is None:
        issues.sort(key=lambda i: (i.source, i.line or 0, i.column or 0))
        raise LayoutValidationError(merge_repeats(issues))
    return document


_COLOR_KEYS = frozenset({"background"})
_HEX_RE = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})(?![0-9A-Za-z_])")
_EXPRESSION_RE = re.compile(r"\{\{.*?\}\}")
_MISSING = object()


def _comment_values(data: Any, marks: SourceMap) -> dict[tuple[str | int, ...], Issue]:
    """Colours written without quotes (`background: #0d1117`): YAML reads a comment, so
    the value is empty. Found from the line YAML read (the rendered one for a template):
    an empty value of a colour key, or of any key when a colour follows the `#`."""
    found: dict[tuple[str | int, ...], Issue] = {}
    for path in marks.keys:
        mark = marks.values.get(path)
        if mark is None or _value_at(data, path) is not None:
            continue
        text, column = mark.parsed
        raw = text[column - 1 : column + 200].strip()
        name = str(path[-1])
        if not raw.startswith("#") or (name not in _COLOR_KEYS and not _HEX_RE.match(raw)):
            continue
        colour = raw.split()[0] if len(raw.split()[0]) > 1 else "#101820"
        written = mark.snippet[mark.column - 1 : mark.column + 200].strip()
        expression = _EXPRESSION_RE.match(written)
        if mark.rendered is not None and expression:
            colour = expression.group()
        issue = marks.issue(
            "error",
            path,
            f'`#` starts a YAML comment, so {name} is empty; quote the colour: {name}: "{colour}"',
        )
        if written and issue.column is not None:
            issue = dataclasses.replace(
                issue, column=mark.snippet.index(written[0], mark.column - 1) + 1
            )
        found[path] = issue
    return found


def _value_at(data: Any, path: Sequence[str | int]) -> Any:
    """The value at `path` in `data`, or `_MISSING` when there is none."""
    current = data
    for part in path:
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if not in_list and not (isinstance(current, dict) and part in current):
            return _MISSING
        current = current[part]
    return current


def _issue(problem: Problem, marks: SourceMap) -> Issue:
    """A problem located: at its key (an unknown key), at the mapping that lacks a
    required key, else at its value."""
    where = problem.loc[:-1] if problem.missing else problem.loc
    return marks.issue("error", where, problem.message, key=problem.key)
