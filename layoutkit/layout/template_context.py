"""The side of templating that needs no Jinja2: whether a text is a template, its lines
as Jinja numbers them, the context a template sees, and `--var` values. Plain YAML
layouts are read without loading Jinja2 at all (`templating` renders the others)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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


__all__ = ["TemplateContext", "freeze_vars", "is_template", "parse_var", "template_lines"]
