"""The YAML of a layout imported from Twilio: the roles, then the regions, or a variant
per range of counts (`twilio_grid.plan`); an entry drawn in several variants is written
once with a YAML anchor and named after that, each line ends with the Twilio region it
comes from."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from layoutkit.importers.output import Value, flow, px, scalar, trailing
from layoutkit.importers.twilio_grid import Box, Entry, Grid, TwilioRegion, Variant

_ANCHOR_RE = re.compile(r"[^A-Za-z0-9_-]+")


def layout_lines(
    regions: Sequence[TwilioRegion],
    variants: Sequence[Variant],
    label: str,
    canvas: tuple[int, int],
) -> list[str]:
    """The layout's YAML lines (after the header): title, canvas, the roles with what each
    stands for, then the regions, or a variant per range of counts."""
    cw, ch = canvas
    lines = [f"title: {scalar(f'Imported from Twilio ({label})')}", f"canvas: {cw}x{ch}"]
    roles = [(role, r.name) for r in regions for role in r.roles]
    if roles:
        lines.append("roles:")
        for role, region in roles:
            what = f"the track {role} (Twilio region {region})"
            lines.append(f"  {scalar(role)}: {scalar(what)}")
    screens = [role for role, _ in roles if "screen" in role.lower()]
    if screens:  # how previews draw them; never sent to Agora
        cameras = ", ".join(f"{scalar(role)}: screen" for role in screens)
        lines.append("preview:" + trailing("previews draw these tracks as shared screens"))
        lines.append(f"  cameras: {{{cameras}}}")
    if len(variants) == 1:
        lines.append("regions:" + trailing("list order = paint order, later on top"))
        lines.extend(_entries(variants[0].entries, "  ", {}, set(), canvas))
        return lines
    lines.append("variants:" + trailing("one per number of people, as Twilio sizes its grids"))
    anchors = _anchors(variants)
    defined: set[Entry] = set()
    for variant in variants:
        when = (
            f"{variant.low}+"
            if variant.high is None
            else str(variant.low)
            if variant.low == variant.high
            else f"{variant.low}-{variant.high}"
        )
        lines.append(f"  - when: {when}")
        lines.append("    regions:")
        lines.extend(_entries(variant.entries, "      ", anchors, defined, canvas))
    return lines


def _entries(
    entries: Sequence[Entry],
    indent: str,
    anchors: Mapping[Entry, str],
    defined: set[Entry],
    canvas: tuple[int, int],
) -> list[str]:
    """One line per entry; an entry drawn in several variants is written once with a
    YAML anchor (`&main`) and then named (`*main`); a grid's anchor is on its mapping."""
    lines: list[str] = []
    for entry in entries:
        anchor = anchors.get(entry)
        prefix = "grid: " if isinstance(entry, Grid) else ""
        if anchor is not None and entry in defined:
            text = f"{prefix}*{anchor}"
        else:
            body = _entry(entry, canvas)
            text = f"{prefix}&{anchor} {body}" if anchor is not None else f"{prefix}{body}"
            if anchor is not None:
                defined.add(entry)
        where = entry.origin
        if isinstance(entry, Box) and entry.cell is not None:
            where += f", cell {entry.cell}"
        lines.append(f"{indent}- {text}" + trailing(where))
    return lines


def _entry(entry: Entry, canvas: tuple[int, int]) -> str:
    """One entry as a flow mapping, in pixels of the canvas, every one fit: fit."""
    cw, ch = canvas
    if isinstance(entry, Box):
        pairs: list[tuple[str, Value]] = []
        if entry.role is not None:
            pairs.append(("role", entry.role))
        pairs += [
            ("x", px(entry.x)),
            ("y", px(entry.y)),
            ("width", px(entry.width)),
            ("height", px(entry.height)),
            ("fit", "fit"),
        ]
        return flow(pairs)
    grid: list[tuple[str, Value]] = []
    if entry.x:
        grid.append(("x", px(entry.x)))
    if entry.y:
        grid.append(("y", px(entry.y)))
    if abs(entry.x + entry.width - cw) > 1e-9:
        grid.append(("width", px(entry.width)))
    if abs(entry.y + entry.height - ch) > 1e-9:
        grid.append(("height", px(entry.height)))
    grid += [("rows", entry.rows), ("columns", entry.columns)]
    if entry.cells != entry.rows * entry.columns:
        grid.append(("cells", entry.cells))
    if entry.roles:
        grid.append(("roles", list(entry.roles)))
    grid.append(("fit", "fit"))
    return flow(grid)


def _anchors(variants: Sequence[Variant]) -> dict[Entry, str]:
    """A YAML anchor name for each grid, and each region with a role, drawn in more
    than one variant (the cells of a grid with gaps are written out each time)."""
    seen: dict[Entry, int] = {}  # in order of first appearance, so names are stable
    for variant in variants:
        for entry in dict.fromkeys(variant.entries):
            seen[entry] = seen.get(entry, 0) + 1
    names: dict[Entry, str] = {}
    used: set[str] = set()
    for entry, times in seen.items():
        if times < 2 or (isinstance(entry, Box) and entry.role is None):
            continue
        stem = _ANCHOR_RE.sub("-", entry.origin).strip("-") or "region"
        name, n = stem, 2
        while name in used:
            name, n = f"{stem}-{n}", n + 1
        used.add(name)
        names[entry] = name
    return names


__all__ = ["layout_lines"]
