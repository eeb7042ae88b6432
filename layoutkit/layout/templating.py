"""Rendering layout files as Jinja2 templates, in a sandbox, with strict undefined names.

The sandbox refuses Python internals (`''.__class__`), huge ranges, huge repetitions and
powers, and output past MAX_OUTPUT; every failure becomes a LayoutSyntaxError that names
the template line.

**The line map.** `render_template_lines` also says which template line each rendered line
came from, so errors found in the rendered YAML point at what the author wrote. Every piece
of output already passes through the budget's `_layout_out` filter; `template_budget.instrument`
gives it the piece's template line (the Jinja node's `lineno`) and whether it is literal
text, and the filter leaves both in `Budget.place`. Each piece is yielded right after it
passes the filter, so as the render loop receives a chunk it knows where it came from. The
newlines of literal text are the template's own (Jinja only normalises them), so the lines
inside a literal chunk are its line + 0, 1, 2, ...; every line of a value's output (`{{ x }}`,
a macro call) belongs to the line that wrote it. A rendered line takes the template line of
its first non-empty piece (so `{%- if %}` blocks that join lines still point at the text),
or of the piece that started it when it is empty. Line breaks are counted as YAML counts
them (CR LF, CR, LF, NEL, LS and PS). The output is never changed; a chunk that did
not pass the filter (the result of `{% filter %}`) is attributed to the last piece that did.
"""

from __future__ import annotations

import functools
import re
import traceback
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

from layoutkit.errors import LayoutSyntaxError
from layoutkit.layout import template_budget
from layoutkit.layout.template_budget import LimitError as _LimitError
from layoutkit.layout.template_context import (
    TemplateContext,
    freeze_vars,
    is_template,
    parse_var,
    template_lines,
)

MAX_OUTPUT = 1 << 20
_TEMPLATE_NAME = "<layout template>"
_UNDEFINED_RE = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined")
_YAML_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


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
        obj = template_budget.callable_for(obj)
        args = template_budget.check_call(obj, args, kwargs)
        result = super().call(context, obj, *args, **kwargs)
        template_budget.check_result(result)
        return result


_ENV = _Sandbox(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


@functools.lru_cache(maxsize=64)
def _compile(text: str) -> Template:
    return _ENV.from_string(text)


class _LineTracker:
    """Builds the map from rendered lines to template lines (see the module docstring)."""

    def __init__(self) -> None:
        self.origins: list[int] = []
        self.first: int | None = None
        self.start = 1

    def add(self, chunk: str, line: int, literal: bool) -> None:
        if _YAML_BREAK_RE.search(chunk) is None:
            if chunk and self.first is None:
                self.first = line
            return
        pos = 0
        at = line
        for brk in _YAML_BREAK_RE.finditer(chunk):
            if self.first is None and brk.start() > pos:
                self.first = at
            self.origins.append(self.first if self.first is not None else self.start)
            if literal and brk.group() in ("\n", "\r\n"):
                at += 1
            self.first = None
            self.start = at
            pos = brk.end()
        if self.first is None and pos < len(chunk):
            self.first = at

    def finish(self) -> tuple[int, ...]:
        self.origins.append(self.first if self.first is not None else self.start)
        return tuple(self.origins)


def render_template(text: str, context: TemplateContext, source: str) -> str:
    """Render `text` with `context`; LayoutSyntaxError names the failing template line."""
    return render_template_lines(text, context, source)[0]


def render_template_lines(
    text: str, context: TemplateContext, source: str
) -> tuple[str, tuple[int, ...]]:
    """Render `text` with `context`, and say which template line (1-based) each rendered
    line came from: `origins[i]` for rendered line i + 1, lines counted as YAML counts them.

    LayoutSyntaxError names the failing template line.
    """
    lines = template_lines(text)
    tracker = _LineTracker()
    try:
        template = _compile(text)
    except TemplateSyntaxError as exc:
        raise _located(f"template: {exc.message}", exc.lineno, lines, source) from None
    token = template_budget.start()
    try:
        chunks = _generate(template, context, source, tracker)
    except LayoutSyntaxError:
        raise
    except UndefinedError as exc:
        raise _undefined(exc, lines, source) from None
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
    except (
        TemplateError,
        ArithmeticError,
        TypeError,
        ValueError,
        LookupError,
        NameError,
        AssertionError,
    ) as exc:
        raise _located(f"template: {exc}", _template_line(exc), lines, source) from None
    except RecursionError:
        raise LayoutSyntaxError("template: recursion too deep", source=source) from None
    except MemoryError:
        raise LayoutSyntaxError(
            "template: the template needs too much memory", source=source
        ) from None
    finally:
        template_budget.finish(token)
    return "".join(chunks), tracker.finish()


def _generate(
    template: Template, context: TemplateContext, source: str, tracker: _LineTracker
) -> list[str]:
    """The rendered chunks, each counted against the budget and the output limit, and
    told to `tracker` with the template line it came from."""
    chunks: list[str] = []
    size = 0
    budget = template_budget.current()
    for chunk in template.generate(context.names()):
        budget.tick()
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise LayoutSyntaxError(
                f"the template renders to more than {MAX_OUTPUT // 1024} KiB",
                source=source,
                hint="a loop runs too long",
            )
        chunks.append(chunk)
        tracker.add(chunk, *budget.place)
    return chunks


def _undefined(exc: UndefinedError, lines: list[str], source: str) -> LayoutSyntaxError:
    """The located error for an undefined name, with a hint for how to give it."""
    line = _template_line(exc)
    name_match = _UNDEFINED_RE.search(str(exc))
    name = name_match.group(1) if name_match else None
    hint = None
    if name in EXPRESSION_NAMES:
        hint = (
            f"a label's or card's text is an expression without braces, evaluated for "
            f"each person: write text: {name}"
        )
    elif name:
        hint = (
            f"pass it with --var {name}=VALUE (vars= in Python) or give a default: "
            f"{{{{ {name} | default(...) }}}}"
        )
    return _located(f"template: {exc}", line, lines, source, hint=hint, word=name)


EXPRESSION_NAMES = ("name", "role", "uid", "index")
"""What a label's or card's text expression knows of the person it is for."""
MAX_EXPRESSION_TEXT = 1000
"""The longest text a label's or card's expression may give (characters)."""


@functools.lru_cache(maxsize=256)
def _compile_expression(source: str) -> Any:
    return _ENV.compile_expression(source, undefined_to_none=False)


def evaluate_expression(source: str, names: dict[str, Any]) -> str:
    """A label's or card's text: the Jinja expression `source` (no braces: `name | upper`)
    evaluated with `names`, in the template sandbox, as text (nothing for None).
    ValueError says what is wrong, in words for the person who wrote it."""
    try:
        expression = _compile_expression(source)
    except TemplateSyntaxError as exc:
        raise ValueError(
            f"{source!r} is not a Jinja expression ({exc.message}); write a name such as "
            "name or role, a filter (name | upper), or text in quotes ('Host')"
        ) from None
    token = template_budget.start()
    try:
        value = expression(**names)
        text = "" if value is None else str(value)
    except UndefinedError as exc:
        known = ", ".join(sorted(k for k in names if not k.startswith("_")))
        raise ValueError(
            f"{exc} in {source!r}; the names it can use are {known}; for fixed text, "
            f"quote it: text: \"'{source}'\""
        ) from None
    except (_LimitError, SecurityError) as exc:
        raise ValueError(f"{source!r}: {exc}") from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        raise ValueError(f"{source!r} failed: {exc}") from None
    except RecursionError:
        raise ValueError(f"{source!r}: recursion too deep") from None
    finally:
        template_budget.finish(token)
    if not (value is None or isinstance(value, str | int | float)):
        raise ValueError(
            f"{source!r} gives {type(value).__name__}, not text; call a method with () "
            "(name.upper()) or use a filter (name | upper)"
        )
    if len(text) > MAX_EXPRESSION_TEXT:
        raise ValueError(
            f"{source!r} gives {len(text):,} characters; a label holds at most "
            f"{MAX_EXPRESSION_TEXT:,}"
        )
    return text


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


__all__ = [
    "MAX_EXPRESSION_TEXT",
    "MAX_OUTPUT",
    "TemplateContext",
    "evaluate_expression",
    "freeze_vars",
    "is_template",
    "parse_var",
    "render_template",
    "render_template_lines",
    "template_lines",
]
