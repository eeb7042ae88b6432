"""The side of templating that needs no Jinja2: whether a text is a template, its lines
as Jinja numbers them, the context a template sees, `--var` values, and the template time
a whole command shares (`command_budget`). Plain YAML layouts are read, compiled, checked
and drawn without loading Jinja2 at all (`templating` renders the others)."""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

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
(`template_budget`) takes its time off it."""


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


__all__ = [
    "COMMAND_TIME_LEFT",
    "MAX_COMMAND_SECONDS",
    "TemplateContext",
    "command_budget",
    "freeze_vars",
    "is_template",
    "parse_var",
    "template_lines",
]
