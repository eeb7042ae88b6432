"""Every exception layoutkit raises, in one tree (exit codes: 1 for layout,
compile, render, notification and asset errors, 2 for usage, 3 for API errors).

```
LayoutkitError                 base; .source, .line, .column when a place is known
├── LayoutError                authoring problems in a layout file
│   ├── LayoutSyntaxError      the file cannot be read, rendered (Jinja2) or parsed (YAML)
│   │   └── FileReadError      missing, not permitted, not a regular file, over the limit
│   ├── LayoutValidationError  every problem found in a file at once: .issues
│   └── PresetNotFoundError    an unknown preset name, with "did you mean"
├── CompileError               valid layout, but not for these participants or roles
├── RenderError                a preview cannot be drawn; OutputError: cannot write there
├── NotificationError          an Agora Notifications callback that cannot be used: .field
├── AssetError                 an image that cannot be published (layoutkit.assets)
└── ApiError                   talking to Agora (or the emulator)
    ├── TransportError         connection refused, timeout, dropped connection
    └── ApiStatusError         an HTTP error answer: .status_code, .code, .reason, .body
        (AuthenticationError 401, NotFoundError 404, RateLimitError 429, ServerError 5xx,
        NotCompletedError 206 with code 65)
```
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1 (ESC too)
    "\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufffe\uffff]"  # invisible, bidi, non-chars
)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """`text` with control characters (C0 but tab and newline, DEL, C1, so ESC too) and
    invisible or bidi controls (zero-width, line/paragraph separators, embeddings,
    overrides, isolates, BOM) and the non-characters U+FFFE, U+FFFF written as `\\xNN` /
    `\\uNNNN`, so a name from a file can neither drive the terminal nor reorder what is
    shown."""
    return _CONTROL_RE.sub(lambda m: _escape(m.group()), text)


_URL_USER_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@")
_URL_QUERY_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s?#'\"]*)\?[^\s#'\"]*")


def mask_urls(text: str) -> str:
    """`text` with the credentials of every URL in it (`https://user:pass@host`) and
    its query (`?X-Amz-Signature=...`) shown as `***`: what may sign or open a URL never
    appears in a message."""
    return _URL_QUERY_RE.sub(r"\1?***", _URL_USER_RE.sub(r"\1***@", text))


@dataclass(frozen=True)
class Issue:
    """One problem found in a layout file, at a 1-based `line` and `column` (of the value,
    or of the key for an unknown key), with the source line as `snippet` (a template's line
    as written). From a template, `rendered_for` names the render (`count 4`) and
    `rendered` the line YAML read when it differs; the same problem from every turn of a
    loop is one Issue whose `fields` holds them all (`regions[0-2].width`).
    """

    severity: Severity
    message: str
    source: str = "<string>"
    line: int | None = None
    column: int | None = None
    field: str = ""
    snippet: str | None = None
    counts: tuple[int, ...] = dataclasses.field(default=(), compare=False)
    rendered_for: str = dataclasses.field(default="", compare=False)
    rendered: str | None = dataclasses.field(default=None, compare=False)
    fields: tuple[str, ...] = dataclasses.field(default=(), compare=False)

    def note(self) -> str:
        """`(from the template, 3 times at count 4)`, or "" when the line was not rendered
        differently from what the template says."""
        if not self.rendered_for:
            return ""
        if len(self.fields) > 1:
            return f"(from the template, {len(self.fields)} times at {self.rendered_for})"
        if self.rendered is not None:
            return f"(from the template, at {self.rendered_for})"
        return ""

    def location(self) -> str:
        return _place(self.source, self.line, self.column)

    def headline(self) -> str:
        """`FILE:LINE:COLUMN: error: MESSAGE`, the first line of `format()`."""
        name = join_fields(self.fields) if len(self.fields) > 1 else self.field
        where = f"{name}: " if name else ""
        text = f"{self.location()}: {self.severity}: {where}{self.message}"
        note = self.note()
        if note:
            text += f" {note}"
        return safe_text(text).replace("\n", "\\n")

    def format(self, *, quote: bool = True) -> str:
        """The headline, then (when known) the source line with a caret under the column."""
        text = self.headline()
        if quote and self.snippet is not None and self.line is not None:
            gutter = str(self.line)
            pad = " " * len(gutter)
            caret_at = max((self.column or 1) - 1, 0)
            snippet = safe_text(self.snippet.replace("\n", " "))
            text += f"\n {gutter} | {snippet}\n {pad} | {' ' * caret_at}^"
        return text


def _place(source: str, line: int | None, column: int | None) -> str:
    """`SOURCE:LINE:COLUMN`, as far as it is known."""
    known = itertools.takewhile(lambda part: part is not None, (line, column))
    return ":".join([source, *map(str, known)])


def format_path(path: Sequence[str | int]) -> str:
    """A path in the data as an Issue's `field` names it: `("regions", 1, "width")` ->
    `regions[1].width`; `()` -> ``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


_INDEX_RE = re.compile(r"\[(\d+)\]")


def join_fields(fields: tuple[str, ...]) -> str:
    """Fields that differ only in their list indexes, as one: `regions[0-2].width`."""
    unique = list(dict.fromkeys(fields))
    shapes = {_INDEX_RE.sub("[]", f) for f in unique}
    if len(unique) <= 1 or len(shapes) != 1:
        return ", ".join(unique)
    columns = list(zip(*(_INDEX_RE.findall(f) for f in unique), strict=True))
    parts = _INDEX_RE.split(unique[0])[::2]
    text = parts[0]
    for index, part in zip(columns, parts[1:], strict=True):
        text += f"[{_ranges(sorted({int(i) for i in index}))}]{part}"
    return text


def _ranges(values: list[int]) -> str:
    spans: list[str] = []
    start = prev = values[0]
    for n in [*values[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        spans.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ",".join(spans)


def did_you_mean(word: object, known: Iterable[str], n: int = 1) -> list[str]:
    """The names in `known` that `word` looks like a typo of, best first, at most `n`:
    the same name but for case, `_` and `-`, then the close ones (difflib's ratio of 0.6 or
    more), then the one name that starts with `word`."""
    if not isinstance(word, str):
        return []
    names = list(known)
    same = [name for name in names if _squash(name) == _squash(word)]
    close = difflib.get_close_matches(word, names, n=n, cutoff=0.6)
    starting = [name for name in names if name.lower().startswith(word.lower())]
    return list(dict.fromkeys([*same, *close, *starting[: len(starting) == 1]]))[:n]


def _squash(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


class LayoutkitError(Exception):
    """Base of every layoutkit error."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        snippet: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.hint = hint
        self.snippet = snippet

    def __str__(self) -> str:
        place = "" if self.source is None else f"{_place(self.source, self.line, self.column)}: "
        text = f"{place}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return safe_text(text)


class LayoutError(LayoutkitError):
    """A problem in a layout file; carries the file, line and column."""


class LayoutSyntaxError(LayoutError):
    """The file could not be read, rendered as a template or parsed as YAML; `snippet` is
    the source line quoted under the message."""

    @property
    def issues(self) -> list[Issue]:
        text = self.message.rstrip(".") + (f"; {self.hint}" if self.hint else "")
        return [
            Issue(
                "error",
                text,
                source=self.source or "<string>",
                line=self.line,
                column=self.column,
                snippet=self.snippet,
            )
        ]

    def __str__(self) -> str:
        return self.issues[0].format()


class FileReadError(LayoutSyntaxError):
    """A file cannot be read: missing, not permitted, not a regular file, over the limit."""


class LayoutValidationError(LayoutError):
    """Every problem found in a layout file; `issues` holds them all, errors first."""

    def __init__(self, issues: list[Issue]) -> None:
        errors = [i for i in issues if i.severity == "error"]
        first = (errors or issues)[0]
        super().__init__(first.message, source=first.source, line=first.line, column=first.column)
        self.issues = issues

    def __str__(self) -> str:
        return "\n".join(issue.format() for issue in self.issues)


class PresetNotFoundError(LayoutError):
    """No preset has that name."""


class CompileError(LayoutkitError):
    """The layout is valid, but cannot be compiled for these participants or roles."""


class RenderError(LayoutkitError):
    """A preview cannot be drawn: a missing or unreadable image, a canvas too large."""


class OutputError(RenderError):
    """A file cannot be written: the place is not a regular file, or the write failed.
    (A RenderError, as write failures always were; exit code 1.)"""


class NotificationError(LayoutkitError):
    """An Agora Notifications callback that cannot be used: a body that is not JSON, an
    unknown event type, a missing or mistyped field (`field` names it, `payload.uid`), or
    a signature that does not match. Exit code 1."""

    def __init__(self, message: str, *, field: str = "", hint: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message, hint=hint)
        self.field = field


class AssetError(LayoutkitError):
    """An image that cannot be published (`layoutkit.assets`): over Agora's 6 MB, not
    the JPG or BMP its name says, a base URL or a returned URL Agora cannot load (not
    HTTPS), a folder that is a file, a publisher command that failed or timed out.
    Exit code 1."""


class ApiError(LayoutkitError):
    """A failure talking to the Cloud Recording service or the emulator."""

    exit_code = 3


class TransportError(ApiError):
    """The request did not get an HTTP answer: connection refused, timeout, dropped."""


class ApiStatusError(ApiError):
    """The service answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | None = None,
        reason: str | None = None,
        body: Any = None,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status_code = status_code
        self.code = code
        self.reason = reason
        self.body = body
        self.request_id = request_id


class AuthenticationError(ApiStatusError):
    """401: missing or wrong customer id and secret."""


class NotFoundError(ApiStatusError):
    """404: no such route, or the recording has ended ("failed to find worker")."""


class RateLimitError(ApiStatusError):
    """429: more than 10 requests per second for this App ID."""


class ServerError(ApiStatusError):
    """5xx: the service failed or timed out."""


class NotCompletedError(ApiStatusError):
    """206 with code 65: the request was not completed (the network between Agora's
    services failed); Agora's advice is to repeat it. Transient, like a 5xx."""
