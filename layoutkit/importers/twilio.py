"""Twilio compositions (`video_layout`) -> a layoutkit layout.

Read: a Composition resource, a create request (JSON or REST form names), `{video_layout,
resolution}` or a bare `video_layout`. The canvas is `resolution`; each region keeps its
pixels (cut at the canvas edge), `z_pos` is the list order, an exact track name becomes a
role, wildcards show whoever is left, a region that holds several sources becomes a grid
sized as Twilio sizes it for each count (`plan`), and every region is `fit: fit` (Twilio
letterboxes). What does not carry over exactly is reported in `Imported.notes`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from layoutkit.importers import (
    Imported,
    Problems,
    Source,
    Value,
    flow,
    header,
    px,
    read_source,
    scalar,
    trailing,
)
from layoutkit.jsonmarks import JsonPath
from layoutkit.wire.rules import MAX_REGIONS
from layoutkit.wire.rules import json_kind as kind_of


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
        """How many of the people left over a crowd region holds (None: as many as come)."""
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
    area = (region.x, region.y, region.width, region.height)
    if not region.crowd and len(region.roles) == 1:
        return [Box(region.name, *area, region.roles[0])]
    rows, columns, used = used_cells(region, sources)
    if used == list(range(len(used))):
        return [Grid(region.name, *area, rows, columns, len(used), region.roles[: len(used)])]
    w, h = region.width / columns, region.height / rows
    roles = [*region.roles, *[None] * len(used)]
    return [
        Box(region.name, region.x + i % columns * w, region.y + i // columns * h, w, h, role, i)
        for i, role in zip(used, roles, strict=False)
    ]


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


def plan(regions: Sequence[TwilioRegion]) -> list[Variant]:
    """The pictures for 1..17 people, counts with the same picture merged; the last
    variant is open-ended. One variant means the layout needs no variants."""
    variants: list[Variant] = []
    for count in range(1, MAX_REGIONS + 1):
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
    regions: Sequence[TwilioRegion], sources: Mapping[str, Sequence[str]]
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
    top = MAX_REGIONS
    if any(room is None for room in rooms) or roles + sum(r or 0 for r in rooms) > top:
        notes.append(
            f"Twilio's grids hold any number of sources; Agora draws at most {top} "
            f"people, so the layout goes up to {top} (people past them are not shown)."
        )
    return notes


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
    """One entry as a flow mapping, in pixels of the canvas, every one fit: fit (a grid
    leaves out what its defaults give)."""
    cw, ch = canvas
    pairs: list[tuple[str, Value]]
    if isinstance(entry, Box):
        pairs = [("role", entry.role), ("x", px(entry.x)), ("y", px(entry.y))]
        pairs += [("width", px(entry.width)), ("height", px(entry.height))]
    else:
        pairs = [
            ("x", px(entry.x) if entry.x else None),
            ("y", px(entry.y) if entry.y else None),
            ("width", px(entry.width) if abs(entry.x + entry.width - cw) > 1e-9 else None),
            ("height", px(entry.height) if abs(entry.y + entry.height - ch) > 1e-9 else None),
            ("rows", entry.rows),
            ("columns", entry.columns),
            ("cells", entry.cells if entry.cells != entry.rows * entry.columns else None),
            ("roles", list(entry.roles) or None),
        ]
    return flow([(key, value) for key, value in [*pairs, ("fit", "fit")] if value is not None])


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


DEFAULT_RESOLUTION = (640, 480)
MIN_SIDE, MAX_SIDE, MAX_PIXELS = 16, 1280, 921_600
Z_RANGE = (-99, 99)
REUSE = ("none", "show_oldest", "show_newest")
COMPOSITION_KEYS = (
    "account_sid",
    "audio_sources",
    "audio_sources_excluded",
    "bitrate",
    "date_completed",
    "date_created",
    "date_deleted",
    "duration",
    "encryption_key",
    "format",
    "links",
    "media_external_location",
    "resolution",
    "room_sid",
    "sid",
    "size",
    "status",
    "status_callback",
    "status_callback_method",
    "trim",
    "url",
    "video_layout",
)
REGION_KEYS = (
    "x_pos",
    "y_pos",
    "z_pos",
    "width",
    "height",
    "max_columns",
    "max_rows",
    "cells_excluded",
    "reuse",
    "video_sources",
    "video_sources_excluded",
)
_RESOLUTION_RE = re.compile(r"^\s*(\d{1,6})\s*x\s*(\d{1,6})\s*$")
_BIG_RESOLUTION_RE = re.compile(r"^\s*\d+\s*x\s*\d+\s*$")
_FORM_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
MAX_INTEGER = 2**31 - 1  # Twilio's integers are 32-bit
_SID_RE = re.compile(r"^(MT[0-9a-fA-F]{32}|MT[0-9A-Z]{4,32})$")


def from_twilio(data_or_path: object, *, name: str | None = None) -> Imported:
    """A Twilio composition as a layoutkit layout: `data_or_path` is a path to a JSON
    file, JSON text, or the data (a dict). Raises a LayoutError for input Twilio would not
    take, every problem located (file, line, column) where the input is text."""
    source = read_source(data_or_path, name=name, what="composition file")
    return _Importer(source).run()


class _Importer:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems = Problems(source)
        self.notes: list[str] = []
        self.canvas = DEFAULT_RESOLUTION
        self._sources: dict[str, list[str]] = {}
        self._excluded_sources: dict[str, list[str]] = {}
        self._keys: dict[str, str] = {}  # snake_case name -> the form name written
        self._left_out: list[tuple[JsonPath, str, str]] = []  # left out: where, why, the fix

    def run(self) -> Imported:
        layout, base, kind = self._shape()
        regions = self._regions(layout, base)
        self.problems.raise_if_any()
        regions = self._assign_sources(regions, base)
        self.problems.raise_if_any()
        variants = plan(regions)
        self.notes.extend(capacity_notes(regions, self._sources))
        label = self.source.label
        intro = [
            f"Imported by `layoutkit import twilio` from {label}, {kind}. Twilio letterboxes "
            "every source, so every region is fit: fit; z_pos is the list order."
        ]
        text = "\n".join(
            [*header(intro, self.notes), *layout_lines(regions, variants, label, self.canvas)]
        )
        return Imported(text + "\n", tuple(self.notes), self.source.name, kind, self.canvas)

    # -- the shape of the input --------------------------------------------------------

    def _shape(self) -> tuple[Mapping[str, object], JsonPath, str]:
        data = self.source.data
        if not isinstance(data, Mapping):
            self.problems.add(
                (),
                f"expected a JSON object (a composition, or its video_layout), got {kind_of(data)}",
            )
            self.problems.raise_if_any()
        assert isinstance(data, Mapping)
        forms = {_snake(k): k for k in data if _snake(k) != k and _snake(k) in COMPOSITION_KEYS}
        if forms:  # a create request in the REST API's form names (VideoLayout, Resolution)
            self._keys = forms
            data = {_snake(k) if _snake(k) in forms else k: v for k, v in data.items()}
        if not any(key in COMPOSITION_KEYS for key in data):
            self.canvas = DEFAULT_RESOLUTION
            return data, (), "a Twilio video_layout"
        unknown = {self._key(k): v for k, v in data.items() if k not in COMPOSITION_KEYS}
        self.problems.unknown_keys(unknown, (), COMPOSITION_KEYS, "a composition")
        self._resolution(data)
        self._composition_notes(data)
        layout = data.get("video_layout")
        key = self._key("video_layout")
        if isinstance(layout, str) and layout.lstrip().startswith("{"):
            inner = read_source(layout, name=f"{self.source.name} ({key})")
            layout = inner.data  # the create request's VideoLayout parameter is JSON text
        if not isinstance(layout, Mapping):
            what = "missing" if layout is None else f"{kind_of(layout)}, not an object"
            self.problems.add(
                (key,) if "video_layout" in data else (),
                f"video_layout is {what}; it maps region names to regions",
            )
            self.problems.raise_if_any()
        assert isinstance(layout, Mapping)
        kind = "a Twilio create request" if self._keys else "a Twilio composition"
        return layout, (key,), kind

    def _key(self, name: str) -> str:
        """The key as written: `video_layout`, or its form name (`VideoLayout`)."""
        return self._keys.get(name, name)

    def _resolution(self, data: Mapping[str, object]) -> None:
        value = data.get("resolution")
        if value is None:
            return
        path = (self._key("resolution"),)
        match = _RESOLUTION_RE.match(value) if isinstance(value, str) else None
        if isinstance(value, str) and match is None and _BIG_RESOLUTION_RE.match(value):
            self.problems.add(
                path,
                f"{value!r} is too big: Twilio takes each side {MIN_SIDE}..{MAX_SIDE}, at most "
                f'{MAX_PIXELS:,} pixels (write e.g. "1280x720")',
            )
            return
        if match is None:
            self.problems.add(
                path,
                f'expected "WIDTHxHEIGHT", e.g. "1280x720", got {kind_of(value)}'
                if not isinstance(value, str)
                else f'{value!r} is not "WIDTHxHEIGHT"; write e.g. "1280x720"',
            )
            return
        width, height = int(match.group(1)), int(match.group(2))
        if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE) or (
            width * height > MAX_PIXELS
        ):
            self.problems.add(
                path,
                f"{width}x{height} is over Twilio's limits (each side "
                f"{MIN_SIDE}..{MAX_SIDE}, at most {MAX_PIXELS:,} pixels, e.g. 1280x720 or "
                "1024x768); Twilio would refuse this composition",
            )
            return
        self.canvas = (width, height)

    def _composition_notes(self, data: Mapping[str, object]) -> None:
        if data.get("trim") not in (None, False):  # trim: false keeps every stretch, as live
            self.notes.append(
                f"trim: {json.dumps(data['trim'])}: Twilio cuts the silent stretches out of "
                "a finished composition; a live recording has no such setting."
            )
        audio = data.get("audio_sources")
        if audio not in (None, "*", ["*"]) or data.get("audio_sources_excluded") not in (
            None,
            [],
        ):
            self.notes.append(
                "audio_sources, audio_sources_excluded: Agora records everyone's audio in "
                "the mix; to leave someone's audio out, unsubscribe them in the start "
                "request (unsubscribeAudioUids)."
            )

    # -- the regions -------------------------------------------------------------------

    def _regions(self, layout: Mapping[str, object], base: JsonPath) -> list[TwilioRegion]:
        if not layout:
            self.problems.add(base, "video_layout has no regions; add at least one")
            return []
        if len(layout) > MAX_REGIONS:
            self.problems.add(
                base,
                f"{len(layout)} regions: Agora draws at most {MAX_REGIONS} people in a "
                f"picture, so a layout takes at most {MAX_REGIONS} regions; make a grid of "
                "several (one region with max_rows/max_columns) or leave some out",
            )
            return []
        regions: list[TwilioRegion] = []
        for key, spec in layout.items():
            name = str(key)
            path = (*base, name)
            if not isinstance(spec, Mapping):
                self.problems.add(
                    path,
                    f"expected a region object, got {kind_of(spec)}; e.g. "
                    '{"video_sources": ["*"]}',
                )
                continue
            self.problems.unknown_keys(spec, path, REGION_KEYS, "a region")
            region = self._region(name, spec, path)
            if region is not None:
                regions.append(region)
        # paint order: z_pos ascending, ties in file order (a stable sort)
        regions.sort(key=lambda r: r.z)
        self._note_ties(regions)
        return regions

    def _integer(
        self, spec: Mapping[str, object], path: JsonPath, key: str, low: int, high: int | None
    ) -> int | None:
        value = spec.get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add((*path, key), f"expected an integer, got {kind_of(value)}")
            return None
        if abs(value) > MAX_INTEGER:
            self.problems.add(
                (*path, key), f"{value:.6g} is too big: Twilio takes integers up to {MAX_INTEGER}"
            )
            return None
        if value < low or (high is not None and value > high):
            if key in ("width", "height"):
                text = f"{value}: a region needs a size of at least 1 pixel"
            else:
                span = f"{low}..{high}" if high is not None else f"{low} or more"
                text = f"{value} is out of range; it takes {span}"
            self.problems.add((*path, key), text)
            return None
        return value

    def _names(self, spec: Mapping[str, object], path: JsonPath, key: str) -> list[str]:
        value = spec.get(key)
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            self.problems.add(
                (*path, key), 'expected an array of track names (or SIDs), e.g. ["*"]'
            )
            return []
        return [v for v in items if isinstance(v, str)]

    def _region(self, name: str, spec: Mapping[str, object], path: JsonPath) -> TwilioRegion | None:
        cw, ch = self.canvas
        x = self._integer(spec, path, "x_pos", 0, None) or 0
        y = self._integer(spec, path, "y_pos", 0, None) or 0
        width = self._integer(spec, path, "width", 1, None)
        height = self._integer(spec, path, "height", 1, None)
        z = self._integer(spec, path, "z_pos", *Z_RANGE) or 0
        max_rows = self._integer(spec, path, "max_rows", 1, None)
        max_columns = self._integer(spec, path, "max_columns", 1, None)
        excluded = self._cells_excluded(spec, path)
        reuse = spec.get("reuse", "show_oldest")
        if reuse not in REUSE:
            self.problems.add((*path, "reuse"), f"{reuse!r} is not one of {', '.join(REUSE)}")
        elif reuse != "show_oldest":
            self.notes.append(
                f"{name}: reuse {reuse}: layoutkit keeps the people who joined first in the "
                "cells (Twilio's default, show_oldest); "
                + (
                    "showing the newest instead is not carried over."
                    if reuse == "show_newest"
                    else "a cell freed when someone leaves is filled again."
                )
            )
        sources = self._names(spec, path, "video_sources")
        excluded_sources = self._names(spec, path, "video_sources_excluded")
        if x >= cw or y >= ch:
            self.notes.append(f"{name}: it starts outside the {cw}x{ch} canvas; left out.")
            key, at, side = ("x_pos", x, cw) if x >= cw else ("y_pos", y, ch)
            self._left_out.append(
                (
                    (*path, key),
                    f"{at} starts outside the {cw}x{ch} canvas",
                    f"{key} at most {side - 1}",
                )
            )
            return None
        w = cw - x if width is None else width
        h = ch - y if height is None else height
        if x + w > cw or y + h > ch:
            self.notes.append(
                f"{name}: it runs past the {cw}x{ch} canvas; cut at the canvas edge "
                f"({min(w, cw - x)}x{min(h, ch - y)} instead of {w}x{h})."
            )
            w, h = min(w, cw - x), min(h, ch - y)
        if not sources:
            self.notes.append(f"{name}: no video_sources, so it shows nobody; left out.")
            self._left_out.append(
                (path, "no video_sources, so it shows nobody", 'add video_sources, e.g. ["*"]')
            )
            return None
        self._excluded_sources[name] = excluded_sources
        self._sources[name] = sources
        return TwilioRegion(name, x, y, w, h, z, max_rows, max_columns, excluded)

    def _cells_excluded(self, spec: Mapping[str, object], path: JsonPath) -> frozenset[int]:
        value = spec.get("cells_excluded")
        if value is None:
            return frozenset()
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
        ):
            self.problems.add(
                (*path, "cells_excluded"),
                "expected an array of cell numbers (0 is the top-left cell, counted row by row)",
            )
            return frozenset()
        return frozenset(v for v in value if isinstance(v, int))

    def _note_ties(self, regions: Sequence[TwilioRegion]) -> None:
        for i, a in enumerate(regions):
            for b in regions[i + 1 :]:
                overlap = min(a.x + a.width, b.x + b.width) > max(a.x, b.x) and min(
                    a.y + a.height, b.y + b.height
                ) > max(a.y, b.y)
                if a.z == b.z and overlap:
                    self.notes.append(
                        f"{a.name}, {b.name}: the same z_pos ({a.z}) and they overlap; "
                        f"Twilio leaves their order open, here {b.name} is painted over "
                        f"{a.name} (file order)."
                    )

    # -- who is shown where --------------------------------------------------------------

    def _tracks(self, region: TwilioRegion, taken: dict[str, str]) -> tuple[list[str], list[str]]:
        """The region's exact track names not `taken` by an earlier region (now taken by
        this one), and its wildcard patterns."""
        roles: list[str] = []
        patterns: list[str] = []
        for track in self._sources[region.name]:
            if "*" in track:
                patterns.append(track)
            elif track in taken:
                self.notes.append(
                    f"{region.name}: {track} is also in {taken[track]}; Twilio draws it "
                    f"in both, layoutkit shows a person once (in {taken[track]})."
                )
            elif track not in roles:
                roles.append(track)
                taken[track] = region.name
                if _SID_RE.match(track):
                    self.notes.append(
                        f"{region.name}: {track} is a track SID; it became the role "
                        f"{track}: bind it to the person's uid with --role {track}=UID. "
                        "Until it is bound, it counts as one of the people present and "
                        f"is filled first: with 1 person, that person is drawn in "
                        f"{region.name} ({region.width}x{region.height})."
                    )
        return roles, patterns

    def _within_room(
        self, region: TwilioRegion, roles: list[str], taken: dict[str, str]
    ) -> list[str]:
        """The roles the region's cells have room for (the others are free again)."""
        room = region.cells()
        if room is None or room >= len(roles):
            return roles
        shown, hidden = roles[:room], roles[room:]
        self.notes.append(
            f"{region.name}: {room} free cells for {len(roles)} tracks; "
            f"{', '.join(hidden)} not shown (nor by Twilio at once)."
        )
        for track in hidden:
            del taken[track]
        return shown

    def _assign_sources(self, regions: list[TwilioRegion], base: JsonPath) -> list[TwilioRegion]:
        """Each region's exact track names become roles (a track in two regions stays in
        the first, in paint order); a region with wildcards shows whoever is left."""
        taken: dict[str, str] = {}
        out: list[TwilioRegion] = []
        for region in regions:
            roles, patterns = self._tracks(region, taken)
            roles = self._within_room(region, roles, taken)
            if region.cells() == 0:
                self.notes.append(f"{region.name}: every cell is excluded; left out.")
                continue
            if not roles and not patterns:
                self.notes.append(f"{region.name}: its tracks all have a region already; left out.")
                continue
            named = [p for p in patterns if p != "*"]
            if named:
                self.notes.append(
                    f"{region.name}: video_sources {', '.join(named)}: layoutkit cannot pick "
                    "people by track name, so the pattern cannot be kept; the region shows "
                    "whoever is left (people without a role); bind people with roles instead."
                )
            out.append(replace(region, roles=tuple(roles), crowd=bool(patterns)))
        if not out and self._left_out:  # say why, where each region was left out
            for path, why, fix in self._left_out:
                self.problems.add(path, f"{why}, and no region is left to show anyone ({fix})")
        elif not out:
            self.problems.add(
                base,
                "no region shows anyone (each needs video_sources, inside the canvas); "
                'give one region video_sources, e.g. ["*"]',
            )
        if len(taken) > MAX_REGIONS:
            self.problems.add(
                base,
                f"the regions name {len(taken)} tracks: Agora draws at most {MAX_REGIONS} "
                "people in a picture; name fewer, or use a wildcard (*) for the rest",
            )
        self._note_patterns(out, taken)
        return out

    def _note_patterns(self, regions: Sequence[TwilioRegion], taken: Mapping[str, str]) -> None:
        for region in regions:
            excluded = self._excluded_sources.get(region.name, [])
            patterns = [t for t in self._sources[region.name] if "*" in t]
            doubled = [
                role
                for role, home in taken.items()
                if home != region.name
                and any(_matches(p, role) for p in patterns)
                and not any(_matches(e, role) for e in excluded)
            ]
            if doubled:
                self.notes.append(
                    f"{region.name}: {', '.join(patterns)} also matches {', '.join(doubled)}, "
                    "whom Twilio would draw here too; layoutkit shows a person once."
                )
            loose = [e for e in excluded if "*" in e or e not in taken]
            if loose:
                self.notes.append(
                    f"{region.name}: video_sources_excluded {', '.join(loose)}: layoutkit "
                    "cannot leave people out by track name; hide them when compiling "
                    "(--hide UID) instead."
                )


def _snake(key: str) -> str:
    """A REST form name as the JSON name: `VideoLayout` -> `video_layout`."""
    return _FORM_RE.sub("_", key).lower() if key[:1].isupper() else key


def _matches(pattern: str, name: str) -> bool:
    """Twilio's wildcard: `*` matches any run of characters (none included)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, name) is not None
