"""Where Twilio draws a composition's sources, count by count, as layoutkit entries.

A Twilio region is a grid of equal cells, numbered row by row from 0 (`cells_excluded`
names cells left empty). The grid is sized for the number of sources shown at once and a
source keeps its cell; the rule used here for rows and columns (Twilio describes it only
in words; this is the arithmetic of its published examples):

- the cells needed for n sources are n plus every excluded cell that comes before the
  n-th free one (an excluded cell past the grid does not grow it);
- with neither `max_rows` nor `max_columns`, the grid is as square as it can be, with at
  most one column more than rows: columns = ceil(sqrt(cells)), rows = ceil(cells / columns);
- with only `max_columns` (or `max_columns <= max_rows`): columns = min(cells,
  max_columns), rows = ceil(cells / max_columns), at most `max_rows`;
- with only `max_rows` (or `max_rows < max_columns`): rows = min(cells, max_rows),
  columns = ceil(cells / max_rows), at most `max_columns`;
- a cell is the region's width / columns by its height / rows, with no gap; the sources
  take the free cells in order.

layoutkit picks a region by the number of people, so each count from 1 to 17 gets the
picture Twilio draws for that many people: the regions that name one track (a role) each
hold their person, and the people left over fill the wildcard regions in paint order, up to
what each can hold. Counts with the same picture share a variant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from layoutkit.wire.profile import MAX_REGIONS


@dataclass(frozen=True)
class TwilioRegion:
    """One region of a `video_layout`, checked and clipped to the canvas (pixels)."""

    name: str
    x: int
    y: int
    width: int
    height: int
    z: int = 0
    max_rows: int | None = None
    max_columns: int | None = None
    cells_excluded: frozenset[int] = frozenset()
    roles: tuple[str, ...] = ()  # the exact track names it shows, as roles
    crowd: bool = False  # it has wildcard sources: whoever is left

    def cells(self) -> int | None:
        """The cells its sources can use at most (None: no limit)."""
        if self.max_rows is None or self.max_columns is None:
            return None
        total = self.max_rows * self.max_columns
        return total - sum(1 for i in self.cells_excluded if i < total)

    def capacity(self) -> int | None:
        """How many of the people left over it can hold (None: as many as come)."""
        if not self.crowd:
            return 0
        room = self.cells()
        return None if room is None else max(room - len(self.roles), 0)


@dataclass(frozen=True)
class Box:
    """A region of the imported layout, in pixels of the canvas."""

    origin: str  # the Twilio region it comes from
    x: float
    y: float
    width: float
    height: float
    role: str | None = None
    cell: int | None = None  # the Twilio cell number, for a region made of one cell


@dataclass(frozen=True)
class Grid:
    """A grid entry of the imported layout: its area in pixels, the cells used."""

    origin: str
    x: float
    y: float
    width: float
    height: float
    rows: int
    columns: int
    cells: int
    roles: tuple[str, ...] = ()


Entry = Box | Grid


@dataclass(frozen=True)
class Variant:
    """The picture for counts `low` to `high` (None: and above)."""

    low: int
    high: int | None
    entries: tuple[Entry, ...]


def cells_needed(sources: int, excluded: frozenset[int]) -> int:
    """The cells a grid needs for `sources`, the excluded cells among them counted."""
    needed = sources
    for index in sorted(excluded):
        if index >= needed:
            break
        needed += 1
    return needed


def grid_shape(max_rows: int | None, max_columns: int | None, cells: int) -> tuple[int, int]:
    """(rows, columns) of a grid for `cells` cells under Twilio's limits (module doc)."""
    cells = max(cells, 1)
    if max_rows is None and max_columns is None:
        columns = math.isqrt(cells - 1) + 1  # ceil(sqrt(cells))
        return -(-cells // columns), columns
    rows_cap = max_rows if max_rows is not None else cells
    columns_cap = max_columns if max_columns is not None else cells
    if max_columns is not None and (max_rows is None or max_columns <= max_rows):
        return min(-(-cells // max_columns), rows_cap), min(cells, max_columns)
    assert max_rows is not None
    return min(cells, max_rows), min(-(-cells // max_rows), columns_cap)


def used_cells(region: TwilioRegion, sources: int) -> tuple[int, int, list[int]]:
    """(rows, columns, the cell numbers the sources take) for `sources` in `region`."""
    rows, columns = grid_shape(
        region.max_rows, region.max_columns, cells_needed(sources, region.cells_excluded)
    )
    free = [i for i in range(rows * columns) if i not in region.cells_excluded]
    return rows, columns, free[:sources]


def entries_for(region: TwilioRegion, sources: int) -> list[Entry]:
    """What `region` holding `sources` people becomes: a region for a single role, a grid
    when its cells are used from the first on, else a region per cell used."""
    if not region.crowd and len(region.roles) == 1:
        return [Box(region.name, region.x, region.y, region.width, region.height, region.roles[0])]
    rows, columns, used = used_cells(region, sources)
    if not used:
        return []
    if used == list(range(len(used))):
        return [
            Grid(
                region.name,
                region.x,
                region.y,
                region.width,
                region.height,
                rows,
                columns,
                len(used),
                region.roles[: len(used)],
            )
        ]
    cell_w, cell_h = region.width / columns, region.height / rows
    boxes: list[Entry] = []
    for order, index in enumerate(used):
        row, col = divmod(index, columns)
        role = region.roles[order] if order < len(region.roles) else None
        boxes.append(
            Box(
                region.name,
                region.x + col * cell_w,
                region.y + row * cell_h,
                cell_w,
                cell_h,
                role,
                index,
            )
        )
    return boxes


def picture(regions: Sequence[TwilioRegion], count: int) -> list[Entry]:
    """The entries for `count` people: every role region (the roles are assumed present
    first), then the people left over in the wildcard regions, in paint order."""
    roles = sum(len(r.roles) for r in regions)
    left = max(count - roles, 0)
    entries: list[Entry] = []
    for region in regions:
        share = 0
        if region.crowd:
            room = region.capacity()
            share = left if room is None else min(left, room)
            left -= share
        sources = len(region.roles) + share
        if sources:
            entries.extend(entries_for(region, sources))
    return entries


def _mergeable(earlier: Sequence[Entry], later: Sequence[Entry]) -> bool:
    """Whether `later` also draws `earlier`'s picture: the same entries, grids with at
    least as many cells (the extra cells have nobody at the smaller count and are left
    out of what is sent). No region with a role may come after a grid that grew: while
    roles are unbound, people fill the regions in paint order, and the grid's extra cells
    would take the person meant for that region."""
    if len(earlier) != len(later):
        return False
    grew = False
    for a, b in zip(earlier, later, strict=True):
        if isinstance(a, Grid) and isinstance(b, Grid):
            if replace(a, cells=b.cells) != b or b.cells < a.cells or (grew and b.roles):
                return False
            grew = grew or b.cells > a.cells
        elif a != b or (grew and isinstance(b, Box) and b.role is not None):
            return False
    return True


def plan(regions: Sequence[TwilioRegion], top: int = MAX_REGIONS) -> list[Variant]:
    """The pictures for 1..`top` people, counts with the same picture merged; the last
    variant is open-ended. One variant means the layout needs no variants."""
    variants: list[Variant] = []
    for count in range(1, top + 1):
        entries = tuple(picture(regions, count))
        if variants and _mergeable(variants[-1].entries, entries):
            variants[-1] = Variant(variants[-1].low, count, entries)
        else:
            variants.append(Variant(count, count, entries))
    if variants:
        last = variants[-1]
        variants[-1] = Variant(last.low, None, last.entries)
    return variants


def capacity_notes(
    regions: Sequence[TwilioRegion],
    sources: Mapping[str, Sequence[str]],
    top: int = MAX_REGIONS,
) -> list[str]:
    """What the wildcard regions (in paint order; `sources`: each region's video_sources)
    do not carry over: a grid reflows per count, a region after one that takes everyone is
    never filled, the people are not picked by name, and at most 17 are drawn."""
    notes: list[str] = []
    crowds = [r.name for r in regions if r.crowd]
    taker = next((r for r in regions if r.crowd and r.capacity() is None), None)
    later = [] if taker is None else [r for r in regions[regions.index(taker) + 1 :] if r.crowd]
    grids = [r.name for r in regions if (r.crowd or len(r.roles) > 1) and r not in later]
    if grids:
        notes.append(
            f"{', '.join(grids)}: Twilio sizes a grid for the largest number of sources "
            "shown at once and keeps each source in its cell; the layout has a picture "
            "per number of people instead, so its grid reflows (cells move and resize) "
            "when people leave."
        )
    for region in later:
        assert taker is not None
        patterns = ", ".join(t for t in sources.get(region.name, ()) if "*" in t)
        notes.append(
            f"{region.name}: never filled: {taker.name} comes before it in paint order "
            "and takes everyone left (it has no max_rows and max_columns to cap it), and "
            f"layoutkit cannot pick people by track name ({patterns}); bind people with "
            "roles instead."
        )
    if len(crowds) > 1:
        notes.append(
            f"{', '.join(crowds)}: Twilio picks their tracks by name; layoutkit has no "
            "track names, so it fills these wildcard regions in paint order with whoever "
            "has no role, each up to what it holds."
        )
    rooms = [r.capacity() for r in regions if r.crowd]
    roles = sum(len(r.roles) for r in regions)
    if any(room is None for room in rooms) or roles + sum(r or 0 for r in rooms) > top:
        notes.append(
            f"Twilio's grids hold any number of sources; Agora draws at most {top} "
            f"people, so the layout goes up to {top} (people past them are not shown)."
        )
    return notes


__all__ = [
    "Box",
    "Entry",
    "Grid",
    "TwilioRegion",
    "Variant",
    "capacity_notes",
    "cells_needed",
    "entries_for",
    "grid_shape",
    "picture",
    "plan",
    "used_cells",
]
