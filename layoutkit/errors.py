"""Every exception layoutkit raises, in one tree.

```
LayoutkitError                 base; .source, .line, .column when a place is known
├── LayoutError                authoring problems in a layout file
│   ├── LayoutSyntaxError      the file cannot be read, rendered (Jinja2) or parsed (YAML)
│   │   └── FileReadError      missing, not permitted, not a regular file, over the limit
│   ├── LayoutValidationError  every problem found in a file at once: .issues
│   └── PresetNotFoundError    an unknown preset name, with "did you mean"
├── CompileError               valid layout, but not for these participants or roles
├── RenderError                a preview cannot be drawn (bad image, canvas too large)
│   └── OutputError            a file cannot be written there (a FIFO, a device, a folder)
└── ApiError                   talking to Agora (or the emulator)
    ├── TransportError         connection refused, timeout, dropped connection
    └── ApiStatusError         an HTTP error answer: .status_code, .code, .reason, .body
        ├── AuthenticationError  401
        ├── NotFoundError        404
        ├── RateLimitError       429
        ├── ServerError          5xx
        └── NotCompletedError    206 with code 65: not completed, repeat the request
```

The command line maps the families to exit codes: 1 for layout, compile and render
errors, 2 for usage errors, 3 for API errors (`exit_code` on each class).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(text: str) -> str:
    """`text` with control characters (C0 but tab and newline, DEL, C1, so ESC too)
    written as `\\xNN`, so a name from a file cannot drive the terminal."""
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True)
class Issue:
    """One problem found in a layout file, located in the source text.

    `line` and `column` are 1-based and point at the offending value (or key, for an
    unknown key). `snippet` is the source line at that place (for templated files, the
    rendered line), used to quote it under the message.
    """

    severity: Severity
    message: str
    source: str = "<string>"
    line: int | None = None
    column: int | None = None
    field: str = ""
    snippet: str | None = None
    counts: tuple[int, ...] = dataclasses.field(default=(), compare=False)

    def location(self) -> str:
        parts = [self.source]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def headline(self) -> str:
        """`FILE:LINE:COLUMN: error: MESSAGE`, the first line of `format()`."""
        where = f"{self.field}: " if self.field else ""
        text = f"{self.location()}: {self.severity}: {where}{self.message}"
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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        place = ""
        if self.source is not None:
            place = self.source
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            place += ": "
        text = f"{place}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return safe_text(text)


class LayoutError(LayoutkitError):
    """A problem in a layout file; carries the file, line and column."""


class LayoutSyntaxError(LayoutError):
    """The file could not be read, rendered as a template or parsed as YAML."""

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
        super().__init__(message, source=source, line=line, column=column, hint=hint)
        self.snippet = snippet

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


__all__ = [
    "ApiError",
    "ApiStatusError",
    "AuthenticationError",
    "CompileError",
    "FileReadError",
    "Issue",
    "LayoutError",
    "LayoutSyntaxError",
    "LayoutValidationError",
    "LayoutkitError",
    "NotCompletedError",
    "NotFoundError",
    "OutputError",
    "PresetNotFoundError",
    "RateLimitError",
    "RenderError",
    "ServerError",
    "Severity",
    "TransportError",
    "safe_text",
]
