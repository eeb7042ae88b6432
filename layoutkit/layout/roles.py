"""The roles a layout knows (declared, used, or tested by its template), the role cases
`validate` checks, and the choice of variant by participant count and roles, with its
words for people. The command line refuses `--role` for a role the layout does not know
(`check_role_names`); the Python API leaves such roles unused."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from itertools import combinations
from typing import TYPE_CHECKING

from layoutkit.errors import CompileError, did_you_mean
from layoutkit.layout.model import Entry, GridEntry, LayoutDocument, Variant, WhenSpec

if TYPE_CHECKING:
    from layoutkit.layout.loader import Layout

MAX_COMBINED_ROLES = 4
"""Up to this many branch roles, `role_cases` gives every combination (2^4 = 16 cases);
past it, each role alone and all of them together."""

_JINJA_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_TEMPLATE_ROLE_RES = (
    # roles.NAME (but not the dict methods)
    re.compile(r"\broles\s*\.\s*(?!(?:get|items|keys|values)\b)(?P<name>[A-Za-z_]\w*)"),
    # roles['NAME'], roles["NAME"], roles.get('NAME')
    re.compile(r"\broles\s*(?:\.\s*get\s*\(|\[)\s*(?P<q>['\"])(?P<name>[^'\"]+)(?P=q)"),
    # 'NAME' in roles, 'NAME' not in roles
    re.compile(r"(?P<q>['\"])(?P<name>[^'\"]+)(?P=q)\s+(?:not\s+)?in\s+roles\b"),
)


def template_roles(text: str) -> list[str]:
    """The role names a template tests (`roles.NAME`, `roles['NAME']`, `'NAME' in
    roles`), in order of appearance: its branches on roles, which the rendered document
    cannot show."""
    found: list[tuple[int, str]] = []
    for block in _JINJA_RE.finditer(text):
        for pattern in _TEMPLATE_ROLE_RES:
            found.extend(
                (block.start() + m.start(), m.group("name"))
                for m in pattern.finditer(block.group())
            )
    return list(dict.fromkeys(name for _, name in sorted(found)))


def document_roles(document: LayoutDocument) -> list[str]:
    """The roles a document uses: regions' `role`, grids' `roles`, variants' `when.roles`,
    and a `focus` that is not a uid, in order of appearance."""
    names: list[str] = []

    def entries(items: Sequence[Entry] | None) -> None:
        for entry in items or []:
            if isinstance(entry, GridEntry):
                names.extend(entry.grid.roles or [])
            elif entry.role is not None:
                names.append(entry.role)

    def focus(value: str | None) -> None:
        if value is not None and not value.strip().isdigit():
            names.append(value)

    focus(document.focus)
    entries(document.regions)
    for variant in document.variants or []:
        names.extend(variant.when.roles)
        focus(variant.focus)
        entries(variant.regions)
    return list(dict.fromkeys(names))


def known_roles(layout: Layout | LayoutDocument) -> dict[str, str]:
    """Every role a layout knows, name -> description: those declared under `roles:`
    first (with their descriptions), then those it uses and those its template tests
    (with ""). A bare document has no template to read."""
    if isinstance(layout, LayoutDocument):
        document, text = layout, ""
    else:
        document, text = layout.document, _template_text(layout)
    known = dict(document.roles)
    for name in [*document_roles(document), *template_roles(text)]:
        known.setdefault(name, "")
    return known


def branch_roles(layout: Layout) -> list[str]:
    """The roles that choose between branches: variants' `when.roles` and the roles the
    template tests, in order of appearance."""
    document = layout.document
    named = [r for v in document.variants or [] for r in v.when.roles]
    return list(dict.fromkeys([*named, *template_roles(_template_text(layout))]))


def _template_text(layout: Layout) -> str:
    """The layout's own source text (the loader keeps it; files it `extends` are not
    read again)."""
    return layout._source.text


def role_cases(roles: Sequence[str]) -> list[tuple[str, ...]]:
    """The sets of roles to bind when checking a layout: none first, then every
    combination of `roles` while there are at most MAX_COMBINED_ROLES of them (16 cases
    for 4), else each role alone and all of them together."""
    names = list(dict.fromkeys(roles))
    if len(names) <= MAX_COMBINED_ROLES:
        return [case for k in range(len(names) + 1) for case in combinations(names, k)]
    return [(), *((name,) for name in names), tuple(names)]


def unknown_role_message(layout: Layout | LayoutDocument, roles: Iterable[str]) -> str | None:
    """Why binding `roles` is refused (the first one the layout does not know, with a
    "did you mean"), or None when the layout knows them all."""
    known = known_roles(layout)
    for role in roles:
        if role in known:
            continue
        if not known:
            return (
                f"role {role!r}: this layout has no roles (it declares none under roles: and "
                "its regions, grids, variants, focus and template name none)"
            )
        close = did_you_mean(role, known)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        names = ", ".join(repr(name) for name in known)
        return (
            f"role {role!r} is not one this layout knows{hint} (it knows {names}; "
            "declare others under roles:)"
        )
    return None


def check_role_names(layout: Layout | LayoutDocument, roles: Iterable[str]) -> None:
    """Raise CompileError for a role the layout does not know (the command line's rule)."""
    message = unknown_role_message(layout, roles)
    if message is not None:
        raise CompileError(message)


# --- variants ---------------------------------------------------------------------------


def pick_variant(variants: Sequence[Variant], count: int, present: Collection[str]) -> int | None:
    """The index of the first variant whose `when` holds for `count` people with the
    roles `present`, or None."""
    for index, variant in enumerate(variants):
        if matches(variant.when, count, present):
            return index
    return None


def matches(when: WhenSpec, count: int, present: Collection[str]) -> bool:
    return count in when.count and all(role in present for role in when.roles)


NO_VARIANT = "no variant matches "


def no_variant_message(
    counts: Iterable[int], present: Collection[str], variants: Sequence[Variant]
) -> str:
    """`no variant matches 3 people with screen; the variants cover: 1 person; ...`."""
    tested = list(dict.fromkeys(r for v in variants for r in v.when.roles))
    with_roles = [r for r in tested if r in present]
    who = people_phrase(counts) + (f" with {join_words(with_roles)}" if with_roles else "")
    cover = "; ".join(describe_when(v.when) for v in variants)
    return (
        f"{NO_VARIANT}{who}; the variants cover: {cover} "
        "(add a variant, or top-level regions as a fallback)"
    )


def people_phrase(counts: Iterable[int]) -> str:
    """`1 person`, `3 people`, `2 to 4 people`, `1, 3 or 5 to 9 people`."""
    values = sorted(set(counts))
    parts = [str(a) if a == b else f"{a} to {b}" for a, b in runs(values)]
    return f"{join_words(parts, 'or')} {'person' if values == [1] else 'people'}"


def describe_when(when: WhenSpec) -> str:
    """A variant's condition in words: `2 or more people with screen`."""
    low, high = when.count.low, when.count.high
    if high is None:
        who = "any number of people" if low == 0 else f"{low} or more people"
    else:
        who = people_phrase(range(low, high + 1))
    return who + (f" with {join_words(when.roles)}" if when.roles else "")


def when_text(when: WhenSpec) -> str:
    """A variant's condition as written: `when: 1-9`, `when: {count: 2+, roles: [screen]}`."""
    if not when.roles:
        return f"when: {when.count}"
    roles = f"roles: [{', '.join(when.roles)}]"
    if when.count.low == 0 and when.count.high is None:
        return f"when: {{{roles}}}"
    return f"when: {{count: {when.count}, {roles}}}"


def runs(values: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted distinct ints -> (first, last) of each run of consecutive ones."""
    found: list[tuple[int, int]] = []
    for value in values:
        if found and value == found[-1][1] + 1:
            found[-1] = (found[-1][0], value)
        else:
            found.append((value, value))
    return found


def join_words(words: Sequence[str], last: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"
