"""Errors in a templated file, moved from the rendered text to what the author wrote.

`templating.render_template_lines` says which template line each rendered line came from
(see its module docstring for how). A `LineMap` moves every mark of the rendered YAML, and
every syntax error in it, onto the template's line: the snippet becomes the template line
as written, the column the place in it that produced the rendered text (the same column
while the two lines agree up to it, else counted from the end while they agree from it,
else where the rendered word is found in the template line, else where the two first
differ: usually the `{{`). `merge_repeats` then folds the issues that one template line
gave at each of its renderings (a loop) into one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from layoutkit.errors import Issue, LayoutSyntaxError
from layoutkit.layout.yaml import Mark, SourceMap

_WORD_RE = re.compile(r"[^\s,\[\]{}:]+")
_MAX_SEARCH = 2000


class LineMap:
    """Rendered lines (1-based, as YAML counts them) -> template lines."""

    def __init__(self, template: Sequence[str], origins: Sequence[int], rendered_for: str) -> None:
        self.template = list(template)
        self.origins = tuple(origins)
        self.rendered_for = rendered_for
        self._agree: dict[tuple[int, str], tuple[bool, int, int]] = {}

    def line(self, rendered_line: int) -> int:
        """The template line that wrote `rendered_line`."""
        if not self.origins:
            return rendered_line
        index = min(max(rendered_line, 1), len(self.origins)) - 1
        return self.origins[index]

    def text(self, template_line: int) -> str:
        if 0 < template_line <= len(self.template):
            return self.template[template_line - 1]
        return ""

    def place(self, rendered_line: int, column: int, rendered: str) -> tuple[int, int]:
        """The template line and column of `column` in `rendered_line` (whose text is
        `rendered`)."""
        line = self.line(rendered_line)
        template = self.text(line)
        same, head, tail = self._agreement(line, rendered)
        if same:
            return line, column
        at = column - 1
        if at <= head:
            return line, column
        after = len(rendered) - at
        if after <= tail:
            return line, len(template) - after + 1
        if len(template) <= _MAX_SEARCH:
            word = _WORD_RE.match(rendered, at)
            if word is not None:
                found = template.find(word.group(), head)
                if found >= 0:
                    return line, found + 1
        return line, min(head, len(template)) + 1

    def _agreement(self, line: int, rendered: str) -> tuple[bool, int, int]:
        """Whether `rendered` is template line `line` as written, and how many characters
        they share at the start and at the end (cached: a line can hold many marks)."""
        key = (line, rendered)
        if key not in self._agree:
            template = self.text(line)
            self._agree[key] = (rendered == template, *_agreement(rendered, template))
        return self._agree[key]

    def mark(self, mark: Mark) -> Mark:
        line, column = self.place(mark.line, mark.column, mark.snippet)
        same = self._agreement(line, mark.snippet)[0]
        return Mark(
            mark.source,
            line,
            column,
            self.text(line),
            rendered=None if same else mark.snippet,
            rendered_column=mark.column,
            rendered_for=self.rendered_for,
        )

    def relocate(self, marks: SourceMap) -> SourceMap:
        """`marks` of the rendered text, moved onto the template's lines."""
        moved: dict[Mark, Mark] = {}

        def move(mark: Mark) -> Mark:
            if mark not in moved:
                moved[mark] = self.mark(mark)
            return moved[mark]

        return SourceMap(
            values={path: move(mark) for path, mark in marks.values.items()},
            keys={path: move(mark) for path, mark in marks.keys.items()},
            duplicates=[(path, move(mark)) for path, mark in marks.duplicates],
        )

    def relocate_error(self, exc: LayoutSyntaxError) -> LayoutSyntaxError:
        """A syntax error in the rendered text, on the template's line; the hint quotes
        the rendered line when it differs."""
        if exc.line is None:
            return exc
        rendered = exc.snippet or ""
        line, column = self.place(exc.line, exc.column or 1, rendered)
        snippet = self.text(line)
        hint = exc.hint
        if exc.snippet is not None and not self._agreement(line, rendered)[0]:
            shown = rendered if len(rendered) <= 120 else rendered[:117] + "..."
            said = f"the template renders this line as {shown!r} at {self.rendered_for}"
            hint = f"{hint}; {said}" if hint else said
        return type(exc)(
            exc.message,
            source=exc.source,
            line=line,
            column=column if exc.column is not None else None,
            hint=hint,
            snippet=snippet,
        )


def _agreement(rendered: str, template: str) -> tuple[int, int]:
    """How many characters the two lines share at the start, and at the end (not
    overlapping the start)."""
    limit = min(len(rendered), len(template))
    head = 0
    while head < limit and rendered[head] == template[head]:
        head += 1
    tail = 0
    while tail < limit - head and rendered[-1 - tail] == template[-1 - tail]:
        tail += 1
    return head, tail


def merge_repeats(issues: list[Issue]) -> list[Issue]:
    """Fold the issues that one template line gave at several of its renderings (the same
    place, severity and message, fields that differ only in list indexes) into one, which
    names every field (`Issue.fields`). Other issues pass through, in order."""
    groups: dict[tuple[object, ...], list[Issue]] = {}
    order: list[tuple[object, ...] | Issue] = []
    for issue in issues:
        if not issue.rendered_for or issue.line is None:
            order.append(issue)
            continue
        key = (
            issue.severity,
            issue.source,
            issue.line,
            issue.column,
            issue.message,
            re.sub(r"\[\d+\]", "[]", issue.field),
        )
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(issue)
    merged: list[Issue] = []
    for item in order:
        if isinstance(item, Issue):
            merged.append(item)
            continue
        group = groups[item]
        if len(group) == 1:
            merged.append(group[0])
        else:
            fields = tuple(f for i in group for f in (i.fields or (i.field,)))
            merged.append(dataclasses.replace(group[0], fields=fields))
    return merged


__all__ = ["LineMap", "merge_repeats"]
