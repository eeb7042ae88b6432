"""How a compilation's issues are ordered and made strict."""

from __future__ import annotations

from dataclasses import replace

from layoutkit.errors import Issue
from layoutkit.layout.linemap import merge_repeats


def strict_issue(issue: Issue) -> Issue:
    """A warning made an error by --strict."""
    if issue.severity != "warning":
        return issue
    return replace(issue, severity="error", message=issue.message + " (--strict)")


def sorted_issues(issues: list[Issue]) -> list[Issue]:
    """Errors first, in file order; one issue for what a template loop repeated."""
    return sorted(
        merge_repeats(issues),
        key=lambda i: (i.severity != "error", i.source, i.line or 0, i.column or 0),
    )


__all__ = ["sorted_issues", "strict_issue"]
