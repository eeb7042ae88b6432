"""Rendering layout files as Jinja2 templates, in a sandbox, with strict undefined names.

The sandbox refuses Python internals (`''.__class__`), huge ranges, huge repetitions and
powers, and output past MAX_OUTPUT; every failure becomes a LayoutSyntaxError that names
the template line.
"""

from __future__ import annotations

import functools
import operator
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from layoutkit.errors import LayoutSyntaxError

MAX_OUTPUT = 1 << 20
_MAX_REPEAT = 100_000
_MAX_EXPONENT = 64
_TEMPLATE_NAME = "<layout template>"
_MARKERS = ("{{", "{%", "{#")
_UNDEFINED_RE = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined")


@dataclass(frozen=True)
class TemplateContext:
    """What a template sees: the participants in join order and the role bindings."""

    participants: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()
    vars: tuple[tuple[str, Any], ...] = field(default=())

    def names(self) -> dict[str, Any]:
        names = dict(self.vars)
        names.update(
            count=len(self.participants),
            participants=list(self.participants),
            roles=dict(self.roles),
        )
        return names


class _LimitError(SecurityError):
    """A template asked for too much work (a huge repetition or power)."""


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, op: str, left: Any, right: Any) -> Any:
        if op == "**":
            if isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
                raise _LimitError(f"the exponent {right} is too large for a layout")
            return operator.pow(left, right)
        for seq, times in ((left, right), (right, left)):
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(times, int)
                and len(seq) * times > _MAX_REPEAT
            ):
                raise _LimitError("repeating a value that many times is not allowed")
        return operator.mul(left, right)


_ENV = _Sandbox(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


def is_template(text: str) -> bool:
    """True when the text has Jinja2 syntax; plain YAML is read as it is."""
    return any(marker in text for marker in _MARKERS)


@functools.lru_cache(maxsize=64)
def _compile(text: str) -> Template:
    return _ENV.from_string(text)


def render_template(text: str, context: TemplateContext, source: str) -> str:
    """Render `text` with `context`; LayoutSyntaxError names the failing template line."""
    lines = text.splitlines()
    try:
        template = _compile(text)
    except TemplateSyntaxError as exc:
        raise _located(f"template: {exc.message}", exc.lineno, lines, source) from None
    chunks: list[str] = []
    size = 0
    try:
        for chunk in template.generate(context.names()):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise LayoutSyntaxError(
                    f"the template renders to more than {MAX_OUTPUT // 1024} KiB",
                    source=source,
                    hint="a loop runs too long",
                )
            chunks.append(chunk)
    except LayoutSyntaxError:
        raise
    except UndefinedError as exc:
        line = _template_line(exc)
        name_match = _UNDEFINED_RE.search(str(exc))
        name = name_match.group(1) if name_match else None
        hint = None
        if name:
            hint = (
                f"pass it with --var {name}=VALUE (vars= in Python) or give a default: "
                f"{{{{ {name} | default(...) }}}}"
            )
        raise _located(f"template: {exc}", line, lines, source, hint=hint, word=name) from None
    except _LimitError as exc:
        raise _located(
            f"template: {exc}", _template_line(exc), lines, source, hint="keep templates small"
        ) from None
    except SecurityError as exc:
        raise _located(
            f"template: {exc}",
            _template_line(exc),
            lines,
            source,
            hint="layout templates cannot reach Python internals",
        ) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        raise _located(f"template: {exc}", _template_line(exc), lines, source) from None
    except RecursionError:
        raise LayoutSyntaxError("template: recursion too deep", source=source) from None
    return "".join(chunks)


def _template_line(exc: BaseException) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == _TEMPLATE_NAME or frame.f_code.co_filename == "<template>":
            line = lineno
    return line


def _located(
    message: str,
    line: int | None,
    lines: list[str],
    source: str,
    *,
    hint: str | None = None,
    word: str | None = None,
) -> LayoutSyntaxError:
    snippet = lines[line - 1] if line is not None and 0 < line <= len(lines) else None
    column = None
    if snippet is not None:
        column = 1
        if word:
            found = re.search(rf"\b{re.escape(word)}\b", snippet)
            if found:
                column = found.start() + 1
        elif "{" in snippet:
            column = snippet.index("{") + 1
    return LayoutSyntaxError(
        message, source=source, line=line, column=column, hint=hint, snippet=snippet
    )


def parse_var(assignment: str) -> tuple[str, Any]:
    """`NAME=VALUE` from the command line; VALUE is read as a YAML scalar (8 -> int)."""
    import yaml

    name, sep, raw = assignment.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"{assignment!r}: write NAME=VALUE, e.g. --var gap=8")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    if not isinstance(value, str | int | float | bool) or value is None:
        value = raw
    return name, value


def freeze_vars(values: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((values or {}).items()))


__all__ = [
    "MAX_OUTPUT",
    "TemplateContext",
    "freeze_vars",
    "is_template",
    "parse_var",
    "render_template",
]
