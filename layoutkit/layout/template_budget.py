"""The work budget of one template render: time, sizes, widths, numbers.

Every render gets a `Budget` (in a context variable, so nothing in the template can reach
it). Loops, calls and output pieces tick it; filters, methods and operators that can make
large values check their sizes before doing the work. A list (tuple, dict) the template
builds, written out or made by an operator, a filter or a call, holds at most MAX_ITEMS
items counting those of the lists inside it (`items_in`), so `[a, a, a]` of a large `a`
is refused, not only `a * 3`; `sum` over lists joins them in one pass. Going over raises
`LimitError`, which the templating module turns into a located LayoutSyntaxError.
"""

from __future__ import annotations

import builtins
import contextvars
import itertools
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import nodes, pass_context, pass_environment
from jinja2.environment import Environment
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.runtime import Context
from jinja2.visitor import NodeTransformer

from layoutkit.layout.template_context import (
    COMMAND_TIME_LEFT,
    MAX_COMMAND_SECONDS,
    command_budget,
)

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
    """The time and size left to one render."""

    def __init__(self) -> None:
        now = time.monotonic()
        self.started = now
        left = COMMAND_TIME_LEFT.get()
        self.shared = left is not None and left[0] < MAX_SECONDS
        self.deadline = now + (MAX_SECONDS if left is None else max(0.0, min(MAX_SECONDS, left[0])))
        self.written = 0
        # Where the latest piece of output was written in the template: its line, and
        # whether it is literal text (whose newlines are the template's own) or a value.
        self.place: tuple[int, bool] = (0, False)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
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
        left[0] -= time.monotonic() - budget.started
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


__all__ = [
    "MAX_COMMAND_SECONDS",
    "MAX_INT_BITS",
    "MAX_ITEMS",
    "MAX_SECONDS",
    "MAX_TEMPLATE_CHARS",
    "MAX_VALUE_CHARS",
    "MAX_WIDTH",
    "Budget",
    "LimitError",
    "binop",
    "callable_for",
    "check_call",
    "check_result",
    "command_budget",
    "current",
    "finish",
    "guard_filters",
    "instrument",
    "items_in",
    "safe_range",
    "safe_sum",
    "size_of",
    "start",
]
