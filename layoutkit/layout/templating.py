"""Layout files as Jinja2 templates: the context a template sees and `--var` values; the
render, in a sandbox with strict undefined names and a work budget; the map from rendered
lines back to the template's; a label's or card's text expression."""

from __future__ import annotations

import builtins
import contextlib
import contextvars
import dataclasses
import functools
import itertools
import math
import re
import string
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
    pass_context,
    pass_environment,
)
from jinja2.environment import Environment
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from layoutkit.errors import Issue, LayoutSyntaxError
from layoutkit.layout.yaml import Mark, SourceMap

_MARKERS = ("{{", "{%", "{#")
_JINJA_BREAK_RE = re.compile(r"\r\n|\r|\n")


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

    def describe(self) -> str:
        """`count 3` or `count 3, roles host=1, guest=2`: what a template was rendered for."""
        text = f"count {len(self.participants)}"
        if self.roles:
            text += ", roles " + ", ".join(f"{role}={uid}" for role, uid in self.roles)
        return text


def is_template(text: str) -> bool:
    """True when the text has Jinja2 syntax; plain YAML is read as it is."""
    return any(marker in text for marker in _MARKERS)


def template_lines(text: str) -> list[str]:
    """The lines of a template as Jinja numbers them (from 1: `template_lines(t)[n - 1]`)."""
    return _JINJA_BREAK_RE.split(text)


def parse_var(assignment: str) -> tuple[str, Any]:
    """`NAME=VALUE` from the command line; VALUE is read as a YAML scalar (8 -> int)."""
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


MAX_COMMAND_SECONDS = 4.0
"""The template time of one command that renders a layout many times (validate: every
count and role case; a sheet; a scenario), added up over its renders."""

COMMAND_TIME_LEFT: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "layoutkit_command_budget", default=None
)
"""The template time left to the running command (`command_budget`); every render
(`Budget`) takes its time off it."""


@contextlib.contextmanager
def command_budget(seconds: float = MAX_COMMAND_SECONDS) -> Iterator[None]:
    """Within this block, all renders share `seconds` of template time (on top of each
    render's own MAX_SECONDS). Nested blocks keep the outer, tighter budget. Needs no
    Jinja2: a command over a plain YAML file never loads it."""
    outer = COMMAND_TIME_LEFT.get()
    token = COMMAND_TIME_LEFT.set([seconds if outer is None else min(seconds, outer[0])])
    try:
        yield
    finally:
        COMMAND_TIME_LEFT.reset(token)


MAX_SECONDS = 2.0
MAX_TEMPLATE_CHARS = 16 << 20
MAX_VALUE_CHARS = 2 << 20
MAX_ITEMS = 100_000
MAX_WIDTH = 10_000
MAX_INT_BITS = 4096
_MAX_INT_TEXT = 40
_PERCENT_RE = re.compile(
    r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?[diouxXeEfFgGcrsa%]"
)


class LimitError(SecurityError):
    """A template asked for more work than a layout may take."""


class Budget:
    """The time (CPU time of the rendering thread, so a busy machine does not shorten it)
    and size left to one render (in a context variable, so nothing in the
    template can reach it). Loops, calls and output pieces tick it; filters, methods and
    operators that can make large values check their sizes before doing the work. A list
    the template builds holds at most MAX_ITEMS items counting those of the lists inside it
    (`items_in`), so `[a, a, a]` of a large `a` is refused, not only `a * 3`. Going over
    raises `LimitError`, which becomes a located LayoutSyntaxError."""

    def __init__(self) -> None:
        now = time.thread_time()
        self.started = now
        left = COMMAND_TIME_LEFT.get()
        self.shared = left is not None and left[0] < MAX_SECONDS
        self.deadline = now + (MAX_SECONDS if left is None else max(0.0, min(MAX_SECONDS, left[0])))
        self.written = 0
        # Where the latest piece of output was written in the template: its line, and
        # whether it is literal text (whose newlines are the template's own) or a value.
        self.place: tuple[int, bool] = (0, False)

    def tick(self) -> None:
        if time.thread_time() > self.deadline:
            if self.shared:
                raise LimitError(
                    f"the template's renders ran past their {MAX_COMMAND_SECONDS:g} s budget "
                    "for this command (a layout is rendered once per participant count and "
                    "role case); make the template faster"
                )
            raise LimitError(
                f"the template ran past its {MAX_SECONDS:g} s budget (loops, large ranges); "
                "simplify it"
            )

    def write(self, size: int) -> None:
        self.tick()
        self.written += size
        if self.written > MAX_TEMPLATE_CHARS:
            raise LimitError(
                f"the template writes more than {MAX_TEMPLATE_CHARS >> 20} MiB of text "
                "(counting blocks and macros); simplify it"
            )


_BUDGET: contextvars.ContextVar[Budget] = contextvars.ContextVar("layoutkit_budget")


def current() -> Budget:
    """The budget of the render under way (a fresh one outside a render)."""
    budget = _BUDGET.get(None)
    return budget if budget is not None else Budget()


def start() -> contextvars.Token[Budget]:
    return _BUDGET.set(Budget())


def finish(token: contextvars.Token[Budget]) -> None:
    """End a render: its time comes off the command's budget, if one is running."""
    budget = _BUDGET.get(None)
    left = COMMAND_TIME_LEFT.get()
    if budget is not None and left is not None:
        left[0] -= time.thread_time() - budget.started
    _BUDGET.reset(token)


def size_of(value: Any, limit: int = MAX_VALUE_CHARS, depth: int = 0) -> int:
    """About how many characters `str(value)` has (stops counting past `limit`)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return value.bit_length() * 31 // 100 + 2
    if isinstance(value, float):
        return 25
    if depth > 40:
        return limit + 1
    if isinstance(value, dict):
        value = [item for pair in value.items() for item in pair]
    if isinstance(value, list | tuple | set | frozenset):
        total = 2
        for item in value:
            total += size_of(item, limit, depth + 1) + 2
            if total > limit:
                break
        return total
    return 80


def check_chars(size: int, what: str) -> None:
    if size > MAX_VALUE_CHARS:
        raise LimitError(
            f"{what} would be longer than {MAX_VALUE_CHARS >> 20} MiB of text; keep templates small"
        )


def check_items(count: Any, what: str) -> None:
    if isinstance(count, int) and count > MAX_ITEMS:
        raise LimitError(f"{what} would hold more than {MAX_ITEMS} items; keep templates small")


_CONTAINERS = (list, tuple, dict, set, frozenset)


def items_in(value: Any, limit: int = MAX_ITEMS) -> int:
    """How many items `value` holds, counting those of the lists, tuples, dicts and sets
    inside it, each time it appears (`[a, a]` holds 2 + twice what `a` holds); stops
    counting past `limit`. 0 for anything else (a text's length is checked as text)."""
    total, stack = 0, [value] if isinstance(value, _CONTAINERS) else []
    while stack and total <= limit:
        container = stack.pop()
        total += len(container)
        if total <= limit:
            inside = container.values() if isinstance(container, dict) else container
            stack += [item for item in inside if isinstance(item, _CONTAINERS)]
    return total


def check_width(width: Any, what: str = "a width") -> None:
    if isinstance(width, int) and abs(width) > MAX_WIDTH:
        raise LimitError(f"{what} over {MAX_WIDTH} is not allowed; keep templates small")
    if isinstance(width, str):
        check_chars(len(width), what)


def check_percent(fmt: str, args: Any) -> None:
    """`fmt % args`: widths and precisions must be small numbers, written in the text."""
    for match in _PERCENT_RE.finditer(fmt):
        for part in match.groups():
            if part == "*":
                raise LimitError("a `*` width in % formatting is not allowed; write the number")
            if part:
                check_width(int(part[:6]), "a % formatting width or precision")
    check_chars(len(fmt) + size_of(args), "the formatted text")


def check_format(fmt: str, args: Iterable[Any]) -> None:
    """`fmt.format(...)`: no nested fields in specs, small widths."""
    for _, _, spec, _ in string.Formatter().parse(fmt):
        if not spec:
            continue
        if "{" in spec:
            raise LimitError("a nested {...} in a format spec is not allowed; write the number")
        for number in re.findall(r"\d+", spec):
            check_width(int(number[:6]), "a format width or precision")
    check_chars(len(fmt) + sum(size_of(a) for a in args), "the formatted text")


def check_replace(text: str, old: str, new: str, count: Any = None) -> None:
    hits = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    check_chars(len(text) + hits * (len(new) - len(old)), "the replaced text")


def bounded_list(values: Iterable[Any], what: str) -> list[Any]:
    """`list(values)`, refused as soon as it would hold more than MAX_ITEMS items counting
    those inside its items (`items_in`), before the rest of a generator is made."""
    if isinstance(values, str):
        check_items(len(values), what)
    items: list[Any] = []
    total = 0
    for item in itertools.islice(values, MAX_ITEMS + 1):
        total += 1 + items_in(item, MAX_ITEMS - total)
        check_items(total, what)
        items.append(item)
    return items


def check_join(sep: str, items: list[Any]) -> None:
    total = len(sep) * max(len(items) - 1, 0)
    for item in items:
        total += size_of(item)
        check_chars(total, "the joined text")


def binop(op: str, left: Any, right: Any) -> None:
    """Refuse `*`, `**`, `%`, `+` that would make a value too large."""
    check = _BINOP_CHECKS.get(op)
    if check is not None:
        check(left, right)


def _check_power(left: Any, right: Any) -> None:
    if not (isinstance(left, int) and isinstance(right, int)):
        return
    if right > 0 and abs(left) > 1 and right * left.bit_length() > MAX_INT_BITS:
        raise LimitError(f"the power is larger than {MAX_INT_BITS} bits; keep numbers small")


def _check_product(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitError(f"the product is larger than {MAX_INT_BITS} bits")
        return
    for seq, times in ((left, right), (right, left)):
        if isinstance(times, int) and times > 0:
            if isinstance(seq, str):
                check_chars(len(seq) * times, "the repeated text")
            elif isinstance(seq, list | tuple):
                check_items(items_in(seq) * times, "the repeated list")


def _check_format(left: Any, right: Any) -> None:
    if isinstance(left, str):
        check_percent(left, right)


def _check_sum(left: Any, right: Any) -> None:
    if isinstance(left, str) and isinstance(right, str):
        check_chars(len(left) + len(right), "the joined text")
    elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
        check_items(items_in(left) + items_in(right), "the joined list")


_BINOP_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "**": _check_power,
    "*": _check_product,
    "%": _check_format,
    "+": _check_sum,
}


_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})
_SPLIT_METHODS = frozenset({"split", "rsplit", "splitlines"})


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Check a method call on a string before it runs; returns the arguments to use."""
    inner = getattr(obj, "__wrapped__", obj)
    text = getattr(inner, "__self__", None)
    if not isinstance(text, str):
        return args
    name = getattr(inner, "__name__", "")
    first = args[0] if args else None
    if name in _WIDTH_METHODS:
        check_width(first if args else kwargs.get("width"))
    elif name == "expandtabs":
        tabsize = first if args else kwargs.get("tabsize", 8)
        check_width(tabsize, "a tab size")
        check_chars(len(text) + text.count("\t") * int(tabsize or 0), "the expanded text")
    elif name == "join" and isinstance(first, Iterable):
        items = bounded_list(first, "the joined list")
        check_join(text, items)
        return (items, *args[1:])
    elif name == "replace" and len(args) >= 2:
        check_replace(text, str(args[0]), str(args[1]), args[2] if len(args) > 2 else None)
    elif name in _SPLIT_METHODS and len(text) > MAX_ITEMS:
        sep = first if isinstance(first, str) else kwargs.get("sep")
        pieces = text.count(sep) if isinstance(sep, str) and sep else len(text) // 2
        check_items(pieces, "the split text")
    elif name in {"translate", "maketrans"}:
        raise LimitError(f"str.{name} is not available in layout templates")
    elif name == "format":
        check_format(text, [*args, *kwargs.values()])
    elif name == "format_map" and args and isinstance(first, dict):
        check_format(text, first.values())
    return args


def check_result(value: Any) -> None:
    if isinstance(value, str):
        check_chars(len(value), "a value")
    elif isinstance(value, _CONTAINERS):
        check_items(items_in(value), "a list (counting the items of the lists inside it)")


def safe_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    """`sum` within the budget: numbers as `sum` adds them; lists (tuples) joined in one
    pass, at most MAX_ITEMS items in all, where `sum` would copy the growing list once
    per list added. What a template reaches as `sum`, as a filter or any other way."""
    current().tick()
    items = bounded_list(iterable, "the summed list")
    if not isinstance(start, list | tuple):
        result = builtins.sum(items, start)
    else:
        kind = list if isinstance(start, list) else tuple
        for item in items:
            if not isinstance(item, kind):
                raise TypeError(
                    f'can only concatenate {kind.__name__} (not "{type(item).__name__}") '
                    f"to {kind.__name__}"
                )
        check_items(items_in(start) + builtins.sum(map(items_in, items)), "the summed list")
        result = kind(itertools.chain(start, *items))
    check_result(result)
    return result


@pass_environment
def _sum(environment: Environment, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    """Jinja's `sum` filter, adding with `safe_sum`."""
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    return safe_sum(iterable, start)


def callable_for(obj: Any) -> Any:
    """What a template's call of `obj` runs: `safe_sum` for Python's `sum` (handed in
    through `vars`, say), else `obj` itself."""
    return safe_sum if obj is builtins.sum else obj


def _guard(original: Callable[..., Any], check: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter: `check(value, *args, **kwargs)` runs first and may return the value."""
    pass_arg = getattr(original, "jinja_pass_arg", None)
    skip = 1 if pass_arg is not None else 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        head, rest = args[:skip], args[skip:]
        current().tick()
        value = check(*rest, **kwargs)
        if value is not None:
            rest = (value, *rest[1:])
        result = original(*head, *rest, **kwargs)
        check_result(result)
        return result

    if pass_arg is not None:
        wrapper.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    return wrapper


def _widths(*names: str) -> Callable[..., None]:
    def check(value: Any = "", *args: Any, **kwargs: Any) -> None:
        check_chars(size_of(value), "the text")
        for arg in (*args, *(kwargs.get(n) for n in names)):
            check_width(arg)

    return check


def _format(value: Any, *args: Any, **kwargs: Any) -> None:
    check_percent(str(value), [*args, *kwargs.values()])


def _replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    check_replace(str(text), str(old), str(new), count)


def _join(value: Any, d: Any = "", attribute: Any = None) -> list[Any]:
    items = bounded_list(value, "the joined list")
    check_join(str(d), items)
    return items


def _counted(name: str) -> Callable[..., None]:
    def check(value: Any, count: Any = 0, *args: Any, **kwargs: Any) -> None:
        check_items(count, f"{name}()")

    return check


def _as_list(value: Any) -> list[Any]:
    return bounded_list(value, "the list")


def _collected(value: Any, *args: Any, **kwargs: Any) -> list[Any] | None:
    """For a filter that collects what it is given (`sort`, `reverse`): a generator
    (`map`, `select`) is collected within the budget first; a text, list or dict as is."""
    if isinstance(value, str | list | tuple | dict):
        return None
    return bounded_list(value, "the list")


def _tojson(value: Any, indent: Any = None) -> None:
    check_width(indent, "an indent")
    check_chars(size_of(value), "the JSON text")


def _int(value: Any, *args: Any, **kwargs: Any) -> None:
    if isinstance(value, str) and len(value.strip()) > _MAX_INT_TEXT:
        raise LimitError(f"int() of a text over {_MAX_INT_TEXT} characters; keep numbers small")


def _string(value: Any) -> None:
    check_chars(size_of(value), "the text")


FILTER_CHECKS: dict[str, Callable[..., Any]] = {
    "center": _widths("width"),
    "indent": _widths("width"),
    "wordwrap": _widths("width"),
    "truncate": _widths("length", "leeway"),
    "format": _format,
    "replace": _replace,
    "join": _join,
    "batch": _counted("batch"),
    "slice": _counted("slice"),
    "list": _as_list,
    "sort": _collected,
    "reverse": _collected,
    "unique": _collected,
    "groupby": _collected,
    "tojson": _tojson,
    "int": _int,
    "string": _string,
}


def guard_filters(filters: dict[str, Any]) -> None:
    """Wrap the filters that can make large values; drop `pprint`."""
    filters.pop("pprint", None)
    for name, check in FILTER_CHECKS.items():
        filters[name] = _guard(filters[name], check)
    filters["sum"] = _sum
    filters["_layout_loop"] = _loop
    filters["_layout_built"] = _built
    filters["_layout_out"] = _out
    filters["_layout_concat"] = _concat


def safe_range(*args: Any) -> range:
    numbers = range(*args)
    try:
        length = len(numbers)
    except OverflowError:
        length = MAX_ITEMS + 1
    check_items(length, "range()")
    return numbers


@pass_context
def _loop(context: Context, values: Any) -> Iterator[Any]:
    budget = current()
    for value in values:
        budget.tick()
        yield value


@pass_context
def _built(context: Context, value: Any) -> Any:
    """A list, tuple or dict written in the template, checked as it is made."""
    current().tick()
    check_result(value)
    return value


@pass_context
def _out(context: Context, value: Any, line: int = 0, literal: bool = False) -> Any:
    budget = current()
    budget.write(size_of(value, MAX_TEMPLATE_CHARS))
    budget.place = (line, literal)
    return value


@pass_context
def _concat(context: Context, values: list[Any]) -> str:
    check_chars(sum(size_of(v) for v in values), "the joined text")
    return "".join(str(v) for v in values)


class _Literals(NodeTransformer):
    """Pass every list, tuple and dict the template writes out (`[a, a]`, `(a, b)`,
    `{'k': a}`) through `_layout_built`; a tuple assigned to (`{% for k, v in ... %}`)
    is left alone."""

    def generic_visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        node = super().generic_visit(node, *args, **kwargs)
        if isinstance(node, nodes.List | nodes.Dict) or (
            isinstance(node, nodes.Tuple) and node.ctx == "load"
        ):
            return nodes.Filter(node, "_layout_built", [], [], None, None, lineno=node.lineno)
        return node


def instrument(tree: nodes.Template) -> nodes.Template:
    """Make loops tick the budget and count every piece of output and concatenation; each
    piece of output also records its template line in `Budget.place` (the line map); the
    lists the template writes are checked as they are made."""
    tree = _Literals().visit(tree)
    for loop in list(tree.find_all(nodes.For)):
        loop.iter = nodes.Filter(loop.iter, "_layout_loop", [], [], None, None, lineno=loop.lineno)
    for output in list(tree.find_all(nodes.Output)):
        output.nodes = [
            nodes.Filter(
                child,
                "_layout_out",
                [
                    nodes.Const(child.lineno, lineno=child.lineno),
                    nodes.Const(isinstance(child, nodes.TemplateData), lineno=child.lineno),
                ],
                [],
                None,
                None,
                lineno=child.lineno,
            )
            for child in output.nodes
        ]
    for concat in list(tree.find_all(nodes.Concat)):
        joined = nodes.List(concat.nodes, lineno=concat.lineno)
        concat.nodes = [
            nodes.Filter(joined, "_layout_concat", [], [], None, None, lineno=concat.lineno)
        ]
    return tree


MAX_OUTPUT = 1 << 20
_TEMPLATE_NAME = "<layout template>"
_UNDEFINED_RE = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined")
_YAML_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        guard_filters(self.filters)
        self.globals.pop("lipsum", None)
        self.globals["range"] = safe_range

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return instrument(super()._parse(source, name, filename))

    def call_binop(self, context: Context, op: str, left: Any, right: Any) -> Any:
        current().tick()
        binop(op, left, right)
        try:
            result = super().call_binop(context, op, left, right)
        except OverflowError:
            raise LimitError("the number is too large for a layout") from None
        check_result(result)
        return result

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        current().tick()
        obj = callable_for(obj)
        args = check_call(obj, args, kwargs)
        result = super().call(context, obj, *args, **kwargs)
        check_result(result)
        return result


_ENV = _Sandbox(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


@functools.lru_cache(maxsize=64)
def _compile(text: str) -> Template:
    return _ENV.from_string(text)


class _LineTracker:
    """Builds the map from rendered lines to template lines. Every piece of output passes
    through `_layout_out`, which leaves its template line and whether it is literal text in
    `Budget.place` (`instrument`). The newlines of literal text are the template's own, so
    the lines inside a literal chunk are its line + 0, 1, 2, ...; every line of a value's
    output belongs to the line that wrote it. A rendered line takes the template line of its
    first non-empty piece, or of the piece that started it; breaks are counted as YAML
    counts them."""

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
    token = start()
    try:
        chunks = _generate(template, context, source, tracker)
    except LayoutSyntaxError:
        raise
    except UndefinedError as exc:
        raise _undefined(exc, lines, source) from None
    except LimitError as exc:
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
        finish(token)
    return "".join(chunks), tracker.finish()


def _generate(
    template: Template, context: TemplateContext, source: str, tracker: _LineTracker
) -> list[str]:
    """The rendered chunks, each counted against the budget and the output limit, and
    told to `tracker` with the template line it came from."""
    chunks: list[str] = []
    size = 0
    budget = current()
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
    token = start()
    try:
        value = expression(**names)
        text = "" if value is None else str(value)
    except UndefinedError as exc:
        known = ", ".join(sorted(k for k in names if not k.startswith("_")))
        raise ValueError(
            f"{exc} in {source!r}; the names it can use are {known}; for fixed text, "
            f"quote it: text: \"'{source}'\""
        ) from None
    except (LimitError, SecurityError) as exc:
        raise ValueError(f"{source!r}: {exc}") from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        raise ValueError(f"{source!r} failed: {exc}") from None
    except RecursionError:
        raise ValueError(f"{source!r}: recursion too deep") from None
    finally:
        finish(token)
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


# --- the line map ----------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\s,\[\]{}:]+")
_MAX_SEARCH = 2000


class LineMap:
    """Rendered lines (1-based, as YAML counts them) -> template lines: moves every mark of
    the rendered YAML, and every syntax error in it, onto the template line as written (the
    same column while the two lines agree up to it, else counted from the end while they
    agree from it, else where the rendered word is found, else where they first differ)."""

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
