"""The participants a layout is compiled for: given in join order, or made up from a
count (the uids the layout and the roles name, then 1, 2, 3, ...); roles and hidden
people checked against them."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from layoutkit.errors import CompileError
from layoutkit.layout.model import GridEntry, LayoutDocument
from layoutkit.wire.rules import MAX_REGIONS, MixedVideoLayout, check_uid

if TYPE_CHECKING:
    from layoutkit.layout.loader import Layout

ALL_COUNTS = tuple(range(1, MAX_REGIONS + 1))
DEFAULT_COUNT = 4
MAX_COUNT = 64


def declared_counts(document: LayoutDocument) -> tuple[int, ...]:
    """The counts a layout says it is made for (within 1..17), else 1..17."""
    if document.counts is None:
        return ALL_COUNTS
    return tuple(n for n in ALL_COUNTS if n in document.counts)


def choose_participants(
    layout: Layout,
    participants: Sequence[str | int] | None,
    roles: Mapping[str, str],
    count: int | None,
) -> tuple[str, ...]:
    """The participants in join order: as given, or `count` of them made up from the uids
    the layout and the roles name, then 1, 2, 3, ... (the format's `--count` rule)."""
    if participants is not None:
        uids = tuple(_uid_arg(p, "participants") for p in participants)
        dupes = sorted({u for u in uids if uids.count(u) > 1})
        if dupes:
            raise CompileError(f"participants: uid {dupes[0]} is listed twice")
        return uids
    if count is None:
        count = default_count(layout.document)
    if not 0 <= count <= MAX_COUNT:
        raise CompileError(f"count {count} is outside 0..{MAX_COUNT}")
    named = list(dict.fromkeys([*roles.values(), *_named_uids(layout.document)]))
    chosen = named[:count]
    taken = set(chosen)
    n = 1
    while len(chosen) < count:
        if str(n) not in taken:
            chosen.append(str(n))
        n += 1
    return tuple(chosen)


def default_count(document: LayoutDocument) -> int:
    """The region count of a custom layout without variants, else 4; moved into the
    layout's declared `counts` when it falls outside them."""
    count = DEFAULT_COUNT
    if document.variants is None and document.effective_mode == MixedVideoLayout.CUSTOM:
        total = 0
        for entry in document.regions or []:
            if isinstance(entry, GridEntry):
                g = entry.grid
                total += g.rows * g.columns if g.cells is None else g.cells
            else:
                total += 1
        count = max(1, min(total, MAX_REGIONS))
    declared = document.counts
    if declared is not None and count not in declared:
        high = declared.high if declared.high is not None else MAX_REGIONS
        count = max(declared.low, 1) if count < declared.low else min(high, MAX_REGIONS)
    return count


def stand_in_uids(
    document: LayoutDocument, roles: Sequence[str], taken: Collection[str] = ()
) -> dict[str, str]:
    """Made-up uids for `roles` (1, 2, 3, ... skipping the uids the layout names and
    `taken`), for checking a layout with those roles bound: bound roles' uids go first
    among made-up participants (`choose_participants`), so with at least as many people
    as roles, everyone bound is there."""
    used = {*_named_uids(document), *taken}
    chosen: dict[str, str] = {}
    n = 1
    for role in roles:
        while str(n) in used:
            n += 1
        chosen[role] = str(n)
        used.add(str(n))
    return chosen


def _named_uids(document: LayoutDocument) -> list[str]:
    uids: list[str] = []
    for entries in [document.regions or [], *[v.regions or [] for v in document.variants or []]]:
        for entry in entries:
            if isinstance(entry, GridEntry):
                uids.extend(entry.grid.uids or [])
            elif entry.uid is not None:
                uids.append(entry.uid)
    return uids


def _uid_arg(value: object, what: str) -> str:
    try:
        return check_uid(value)
    except ValueError as exc:
        raise CompileError(f"{what}: {exc}") from None


def check_roles(roles: Mapping[str, str | int] | None) -> dict[str, str]:
    return {str(k): _uid_arg(v, f"role {k}") for k, v in (roles or {}).items()}


def check_hidden(hidden: Collection[str | int] | None, people: Sequence[str]) -> frozenset[str]:
    uids = frozenset(_uid_arg(h, "hidden") for h in hidden or ())
    strangers = sorted(uids - set(people), key=int)
    if strangers:
        raise CompileError(
            f"hidden: uid {strangers[0]} is not among the participants "
            f"({', '.join(people) or 'none'}); hide only people in the channel"
        )
    return uids


MAX_NAME_CHARS = 100
Names = Mapping[str, str] | Mapping[int, str] | Mapping[str | int, str]
"""uid -> the name to show for them (uids as text or as numbers)."""


def check_name(uid: str | int, name: object) -> tuple[str, str]:
    """A uid and the name to show for it (`--name UID=NAME`, `names=`), checked: the uid
    as in a layout, the name text of 1 to MAX_NAME_CHARS characters on one line."""
    key = _uid_arg(uid, "names")
    if not isinstance(name, str):
        raise CompileError(f"names: the name of uid {key} is text, not {type(name).__name__}")
    text = name.strip()
    if not text:
        raise CompileError(f"names: the name of uid {key} is empty; give a name, or leave it out")
    if len(text) > MAX_NAME_CHARS:
        raise CompileError(
            f"names: the name of uid {key} has {len(text)} characters; at most {MAX_NAME_CHARS}"
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        raise CompileError(
            f"names: the name of uid {key} has control characters or line breaks; "
            "give it on one line"
        )
    return key, text


def check_names(names: Names | None) -> dict[str, str]:
    """uid -> name, each checked (`check_name`)."""
    return dict(check_name(uid, name) for uid, name in (names or {}).items())


__all__ = [
    "ALL_COUNTS",
    "DEFAULT_COUNT",
    "MAX_NAME_CHARS",
    "Names",
    "check_hidden",
    "check_name",
    "check_names",
    "check_roles",
    "choose_participants",
    "declared_counts",
    "default_count",
    "stand_in_uids",
]
