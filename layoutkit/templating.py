"""Rendering layout files as Jinja2 templates, in a sandbox, with strict undefined names.

The sandbox refuses Python internals (`''.__class__`), huge ranges, huge repetitions and
powers, and output past MAX_OUTPUT; every failure becomes a LayoutSyntaxError that names
the template line.
"""

from __future__ import annotations

import functools
import math
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from layoutkit import template_budget
from layoutkit.errors import LayoutSyntaxError
from layoutkit.template_budget import LimitError as _LimitError

MAX_OUTPUT = 1 << 20
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


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        template_budget.guard_filters(self.filters)
        self.globals.pop("lipsum", None)
        self.globals["range"] = template_budget.safe_range

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return template_budget.instrument(super()._parse(source, name, filename))

    def call_binop(self, context: Context, op: str, left: Any, right: Any) -> Any:
        template_budget.current().tick()
        template_budget.binop(op, left, right)
        try:
            result = super().call_binop(context, op, left, right)
        except OverflowError:
            raise _LimitError("the number is too large for a layout") from None
        template_budget.check_result(result)
        return result

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        template_budget.current().tick()
        args = template_budget.check_call(obj, args, kwargs)
        result = super().call(context, obj, *args, **kwargs)
        template_budget.check_result(result)
        return result


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
    token = template_budget.start()
    try:
        for chunk in template.generate(context.names()):
            template_budget.current().tick()
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
        raise _located(f"template: {exc}", _template_line(exc), lines, source) from None
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
    except MemoryError:
        raise LayoutSyntaxError(
            "template: the template needs too much memory", source=source
        ) from None
    finally:
        template_budget.finish(token)
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
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, OverflowError):
        value = raw
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        raise ValueError(f"{name}: the number has more than 18 digits; layouts need no more")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name}: {raw.strip()!r} is not a finite number")
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
