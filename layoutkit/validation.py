"""Validating a layout across participant counts: every distinct issue, with the counts
it occurs at, and the counts that fail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from layoutkit.compiler import compile_full, declared_counts
from layoutkit.errors import Issue, LayoutError, LayoutValidationError
from layoutkit.loader import Layout


@dataclass(frozen=True)
class ValidationReport:
    """`validate_layout`'s answer: every distinct issue with the counts it occurs at."""

    source: str
    counts: tuple[int, ...]
    issues: list[Issue]
    failing: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return not self.failing


def validate_layout(
    layout: Layout,
    counts: Iterable[int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    strict: bool = False,
) -> ValidationReport:
    """Compile at every count and gather the distinct issues with the counts they hit.

    Without `counts`: the counts the layout declares (`counts: 2-6`), else 1..17.
    """
    seen: dict[tuple[object, ...], tuple[Issue, list[int]]] = {}
    failing: list[int] = []
    wanted = tuple(counts) if counts is not None else declared_counts(layout.document)
    for n in wanted:
        try:
            result = compile_full(layout, None, roles, count=n, strict=strict)
            found = result.issues
        except LayoutValidationError as exc:
            found = exc.issues
        except LayoutError as exc:
            found = getattr(exc, "issues", None) or [
                Issue(
                    "error",
                    exc.message,
                    source=exc.source or layout.source,
                    line=exc.line,
                    column=exc.column,
                )
            ]
        if any(i.severity == "error" for i in found):
            failing.append(n)
        for issue in found:
            key = (
                issue.severity,
                issue.source,
                issue.line,
                issue.column,
                issue.field,
                issue.message,
            )
            seen.setdefault(key, (issue, []))[1].append(n)
    issues = [
        Issue(i.severity, i.message, i.source, i.line, i.column, i.field, i.snippet, tuple(c))
        for i, c in seen.values()
    ]
    issues.sort(key=lambda i: (i.severity != "error", i.source, i.line or 0, i.column or 0))
    return ValidationReport(layout.source, wanted, issues, tuple(failing))


__all__ = ["ValidationReport", "validate_layout"]
