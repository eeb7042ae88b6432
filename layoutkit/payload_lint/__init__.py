"""Lint Agora layout payloads (JSON) as users send them: the mistakes Agora accepts
without a word, and every rule of the wire models, each located at its JSON value.

`lint_payload(text, source=...)` gives the issues of one JSON text; `check_payload` gives
them with the shape it found (`Shape`: a start or updateLayout body or clientRequest, a
transcodingConfig, a layoutConfig array). `layoutkit lint` is the command.

`layoutkit.jsonmarks` (shared with the importers) gives the line and column of every value
and key; `rules` what is wrong with the payload.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from layoutkit.errors import Issue, safe_text
from layoutkit.jsonmarks import JsonMap, decode_json, decode_text
from layoutkit.payload_lint.rules import (
    Claim,
    Findings,
    Shape,
    WireProblem,
    check,
    detect_shape,
    locate_storage,
    quote,
    wire_problems,
)

MAX_PAYLOAD_BYTES = 1 << 20
"""The largest payload file `layoutkit lint` reads (1 MiB, as layout files)."""
QUOTE_WIDTH = 100
"""Lines longer than this (minified JSON) are quoted around the column only."""


@dataclass(frozen=True)
class PayloadReport:
    """The issues of one payload, and its shape (None when it is not JSON or no
    payload lint knows)."""

    source: str
    shape: Shape | None
    issues: list[Issue]

    @property
    def errors(self) -> int:
        return sum(1 for issue in self.issues if issue.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.errors

    def ok(self, *, strict: bool = False) -> bool:
        """No errors (and with `strict`, no warnings either)."""
        return not self.errors and not (strict and self.warnings)

    def summary(self, *, strict: bool = False) -> str:
        """`FILE: ok, a start request body (2 warnings)` or `FILE: fails, ... (1 error)`."""
        tally = ", ".join(
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in ((self.errors, "error"), (self.warnings, "warning"))
            if n
        )
        verdict = "ok" if self.ok(strict=strict) else "fails"
        text = f"{self.source}: {verdict}"
        if self.shape is not None:
            text += f", {self.shape}"
        if tally:
            text += f" ({tally})"
        return safe_text(text)


def check_payload(text: str, source: str = "<string>") -> PayloadReport:
    """Lint one JSON text: its shape and its issues, in the order of the text."""
    decoded = decode_json(text, source, what="payload")
    if isinstance(decoded, Issue):
        return PayloadReport(source, None, [decoded])
    data, jmap = decoded
    shape = detect_shape(data)
    if not isinstance(shape, Shape):
        return PayloadReport(source, None, [jmap.issue("error", (), shape)])
    findings = check(data, shape)
    problems = locate_storage(data, shape, wire_problems(data, shape, findings.misplaced))
    return PayloadReport(source, shape, _issues(jmap, findings, problems))


def check_payload_bytes(raw: bytes, source: str) -> PayloadReport:
    """Lint the bytes of a file or of standard input (UTF-8, a BOM allowed)."""
    text = decode_text(raw, source)
    if isinstance(text, Issue):
        return PayloadReport(source, None, [text])
    return check_payload(text, source)


def lint_payload(text: str, source: str = "<string>") -> list[Issue]:
    """The issues of one JSON payload, located at the offending values."""
    return check_payload(text, source).issues


def _claimed(problem: WireProblem, claims: list[Claim]) -> bool:
    return any(
        claim.path == problem.path
        and (
            (not claim.kinds and not claim.text)
            or problem.kind in claim.kinds
            or (claim.text != "" and claim.text in problem.message)
        )
        for claim in claims
    )


def _issues(jmap: JsonMap, findings: Findings, problems: list[WireProblem]) -> list[Issue]:
    issues = [jmap.issue(f.severity, f.path, f.message, key=f.key) for f in findings.found]
    for path, _ in jmap.duplicates:
        issues.append(
            jmap.issue(
                "warning",
                path,
                f"{quote(str(path[-1]))} appears more than once in this object: JSON readers "
                "keep one of the values (usually the last) and drop the others (keep one)",
                key=True,
            )
        )
    issues.extend(
        jmap.issue("error", problem.path, problem.message)
        for problem in problems
        if not _claimed(problem, findings.claims)
    )
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda i: (i.line or 0, i.column or 0))


def format_issue(issue: Issue) -> str:
    """`issue.format()` (the headline, the line, a caret), with a long line (minified
    JSON) quoted around the column only."""
    snippet = issue.snippet
    if snippet is None or issue.line is None or len(snippet) <= QUOTE_WIDTH:
        return issue.format()
    column = issue.column or 1
    start = max(0, min(column - 1 - QUOTE_WIDTH // 3, len(snippet) - QUOTE_WIDTH))
    lead = "..." if start else ""
    tail = "..." if start + QUOTE_WIDTH < len(snippet) else ""
    window = lead + snippet[start : start + QUOTE_WIDTH] + tail
    shown = dataclasses.replace(issue, snippet=window, column=len(lead) + column - start)
    return issue.headline() + "\n" + shown.format().split("\n", 1)[1]


__all__ = [
    "MAX_PAYLOAD_BYTES",
    "QUOTE_WIDTH",
    "PayloadReport",
    "Shape",
    "check_payload",
    "check_payload_bytes",
    "format_issue",
    "lint_payload",
]
