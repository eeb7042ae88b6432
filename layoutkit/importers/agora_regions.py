"""Agora `layoutConfig` regions -> layoutkit entries that compile back to the same numbers.

Each number is written in pixels of the canvas when that is exact (the pixels, divided by
the canvas and rounded to Agora's 6 decimals as the compiler rounds them, give the same
number back), else as the fraction itself. Runs of regions that form a regular grid (the
same size, alpha, fit and kind of user, regular steps, row-major order, every row full but
the last) become one `grid:` entry, when a grid's own arithmetic gives the same numbers
back; the importer compiles the result once more to be sure.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from layoutkit.geometry import Length, round6, round_span
from layoutkit.importers.output import Raw, Value, flow, number, px
from layoutkit.wire.profile import MAX_REGIONS

_STEP_TOLERANCE = 2.5e-6  # steps between 6-decimal positions differ by rounding only
MIN_GRID_CELLS = 3


@dataclass(frozen=True)
class AgoraRegion:
    """One checked `layoutConfig` entry (fractions of the canvas, 6 decimals)."""

    uid: str | None
    x: float
    y: float
    width: float
    height: float
    alpha: float = 1.0
    render_mode: int = 0
    placeholder: str | None = None


@dataclass(frozen=True)
class GridFit:
    """A grid entry that gives a run of regions back: its keys, in the order written."""

    pairs: tuple[tuple[str, Value], ...]
    cells: int


def lengths(start: float, size: float, axis: int, *, pixels: bool = True) -> tuple[Value, Value]:
    """`start` and `size` (fractions) as the lengths to write: pixels where exact (see the
    module doc), else the fractions; together, so the compiler's rounding that keeps
    `start + size` within the canvas gives the pair back."""
    wanted = (start, size)
    options: list[tuple[Value, Value]] = []
    if pixels:
        starts = [v for v in (_pixel(start, axis), start) if v is not None]
        sizes = [v for v in (_pixel(size, axis), size) if v is not None]
        options.extend(itertools.product(starts, sizes))
    options.append((start, size))
    for first, second in options:
        if round_span(_fraction(first, axis), _fraction(second, axis)) == wanted:
            return first, second
    return start, size


def _pixel(value: float, axis: int) -> Raw | None:
    """`value` as whole pixels of `axis` when that rounds back to it, else None."""
    pixels = round(value * axis)
    return px(pixels) if round6(pixels / axis) == value else None


def _fraction(value: Value, axis: int) -> float:
    if isinstance(value, Raw):
        text = str(value)
        return float(text[:-2]) / axis if text.endswith("px") else float(text)
    assert isinstance(value, int | float)
    return float(value)


def region_pairs(
    region: AgoraRegion, canvas: tuple[int, int], *, pixels: bool
) -> list[tuple[str, Value]]:
    """The keys of one region entry: its user, its rectangle, what is not a default."""
    cw, ch = canvas
    x, width = lengths(region.x, region.width, cw, pixels=pixels)
    y, height = lengths(region.y, region.height, ch, pixels=pixels)
    pairs: list[tuple[str, Value]] = (
        [("uid", int(region.uid))] if region.uid is not None else [("fill", "agora")]
    )
    pairs += [("x", x), ("y", y), ("width", width), ("height", height)]
    if region.alpha != 1.0:
        pairs.append(("alpha", Raw(number(region.alpha))))
    if region.render_mode == 1:
        pairs.append(("fit", "fit"))
    if region.placeholder is not None:
        pairs.append(("placeholder", region.placeholder))
    return pairs


def entries(
    regions: Sequence[AgoraRegion], canvas: tuple[int, int], *, grids: bool, pixels: bool
) -> list[str]:
    """Each entry of the regions list as one line (`{uid: ..., x: ...}` or `grid: {...}`)."""
    lines: list[str] = []
    index = 0
    while index < len(regions):
        found = _grid_at(regions, index, canvas, pixels) if grids else None
        if found is not None:
            lines.append("grid: " + flow(found.pairs))
            index += found.cells
            continue
        lines.append(flow(region_pairs(regions[index], canvas, pixels=pixels)))
        index += 1
    return lines


def _grid_at(
    regions: Sequence[AgoraRegion], start: int, canvas: tuple[int, int], pixels: bool
) -> GridFit | None:
    """The longest run of regions from `start` that a grid entry gives back exactly."""
    for stop in range(min(len(regions), start + MAX_REGIONS), start + MIN_GRID_CELLS - 1, -1):
        run = regions[start:stop]
        shape = _shape(run)
        if shape is None:
            continue
        fit = _fit_grid(run, *shape, canvas, pixels)
        if fit is not None:
            return fit
    return None


def _shape(run: Sequence[AgoraRegion]) -> tuple[int, int] | None:
    """(rows, columns) when `run` is laid out as a regular grid in row-major order."""
    first = run[0]
    same = all(
        (r.width, r.height, r.alpha, r.render_mode)
        == (first.width, first.height, first.alpha, first.render_mode)
        and r.placeholder is None
        and (r.uid is None) == (first.uid is None)
        for r in run
    )
    if not same:
        return None
    columns = next((i for i, r in enumerate(run) if r.y != first.y), len(run))
    rows = -(-len(run) // columns)
    xs = [r.x for r in run[:columns]]
    ys = [run[row * columns].y for row in range(rows)]
    for index, region in enumerate(run):
        row, col = divmod(index, columns)
        if region.x != xs[col] or region.y != ys[row]:
            return None
    if not (_regular(xs) and _regular(ys)) or rows > MAX_REGIONS or columns > MAX_REGIONS:
        return None
    return rows, columns


def _regular(values: Sequence[float]) -> bool:
    steps = [b - a for a, b in itertools.pairwise(values)]
    return all(s > 0 for s in steps) and (not steps or max(steps) - min(steps) <= _STEP_TOLERANCE)


def _fit_grid(
    run: Sequence[AgoraRegion], rows: int, columns: int, canvas: tuple[int, int], pixels: bool
) -> GridFit | None:
    """The grid entry (area, gap, padding) whose cells round to `run`'s numbers, trying the
    whole canvas with a padding first, then the cells' own area; None when none does."""
    cw, ch = canvas
    first = run[0]
    step_x = (run[columns - 1].x - first.x) / (columns - 1) if columns > 1 else 0.0
    step_y = (run[(rows - 1) * columns].y - first.y) / (rows - 1) if rows > 1 else 0.0
    gaps: list[Value] = [0]
    if columns > 1:
        gaps += _candidates(step_x - first.width, cw, pixels)
    if rows > 1:
        gaps += _candidates(step_y - first.height, ch, pixels)
    area_w = (columns - 1) * step_x + first.width
    area_h = (rows - 1) * step_y + first.height
    pads = [*_candidates(first.x, cw, pixels), *_candidates(first.y, ch, pixels)]
    tries: list[tuple[tuple[str, Value], ...]] = [(("padding", pad),) for pad in pads]
    for x, y in itertools.product(
        _candidates(first.x, cw, pixels), _candidates(first.y, ch, pixels)
    ):
        for w, h in itertools.product(
            _candidates(area_w, cw, pixels), _candidates(area_h, ch, pixels)
        ):
            tries.append((("x", x), ("y", y), ("width", w), ("height", h)))
    wanted = [(r.x, r.width, r.y, r.height) for r in run]
    for area, gap in itertools.product(tries, dict.fromkeys(gaps)):
        if _cells(dict(area), gap, rows, columns, len(run), canvas) != wanted:
            continue
        for key in ("x", "y", "width", "height"):  # leave out what the defaults give
            shorter = tuple(pair for pair in area if pair[0] != key)
            if (
                shorter != area
                and _cells(dict(shorter), gap, rows, columns, len(run), canvas) == wanted
            ):
                area = shorter
        return GridFit(_grid_pairs(area, gap, rows, columns, run), len(run))
    return None


def _candidates(value: float, axis: int, pixels: bool) -> list[Value]:
    """`value` (a fraction measured from rounded numbers, so a little off) as the lengths
    worth trying: the nearest whole pixels, then the fraction; the cells decide."""
    found: list[Value] = []
    if pixels:
        whole = round(value * axis)
        if abs(whole - value * axis) <= 0.05:
            found.append(px(whole))
        else:  # a half or a quarter pixel, as cells of an odd width give
            found.append(px(round(value * axis, 2)))
    rounded = round6(value)
    if 0 <= rounded <= 1:
        found.append(Raw(number(rounded)))
    return found


def _length(value: Value) -> Length:
    text = str(value)
    return Length(float(text[:-2]), "px") if text.endswith("px") else Length(float(text))


def _cells(
    keys: dict[str, Value], gap: Value, rows: int, columns: int, count: int, canvas: tuple[int, int]
) -> list[tuple[float, float, float, float]]:
    """The rounded cells a grid entry gives, by the format's grid arithmetic (cells of
    (area - 2 × padding - gaps) / n, placed after the padding, row by row)."""
    cw, ch = canvas
    ax = _length(keys["x"]).to_pixels(cw) if "x" in keys else 0.0
    ay = _length(keys["y"]).to_pixels(ch) if "y" in keys else 0.0
    aw = _length(keys["width"]).to_pixels(cw) if "width" in keys else cw - ax
    ah = _length(keys["height"]).to_pixels(ch) if "height" in keys else ch - ay
    pad = _length(keys.get("padding", 0))
    pad_x, pad_y = pad.to_pixels(cw), pad.to_pixels(ch)
    gap_x, gap_y = _length(gap).to_pixels(cw), _length(gap).to_pixels(ch)
    cell_w = (aw - 2 * pad_x - (columns - 1) * gap_x) / columns
    cell_h = (ah - 2 * pad_y - (rows - 1) * gap_y) / rows
    if cell_w <= 0 or cell_h <= 0 or ax + aw > cw + 1e-6 or ay + ah > ch + 1e-6:
        return []
    cells = []
    for index in range(count):
        row, col = divmod(index, columns)
        left = ax + pad_x + col * (cell_w + gap_x)
        top = ay + pad_y + row * (cell_h + gap_y)
        x, w = round_span(left / cw, cell_w / cw)
        y, h = round_span(top / ch, cell_h / ch)
        cells.append((x, w, y, h))
    return cells


def _grid_pairs(
    area: tuple[tuple[str, Value], ...],
    gap: Value,
    rows: int,
    columns: int,
    run: Sequence[AgoraRegion],
) -> tuple[tuple[str, Value], ...]:
    first = run[0]
    pairs: list[tuple[str, Value]] = [(key, value) for key, value in area if key != "padding"]
    pairs += [("rows", rows), ("columns", columns)]
    if str(gap) != "0":
        pairs.append(("gap", gap))
    pairs += [(k, v) for k, v in area if k == "padding" and str(v) != "0"]
    if len(run) != rows * columns:
        pairs.append(("cells", len(run)))
    if first.uid is not None:
        pairs.append(("uids", [int(r.uid) for r in run if r.uid is not None]))
    else:
        pairs.append(("fill", "agora"))
    if first.alpha != 1.0:
        pairs.append(("alpha", Raw(number(first.alpha))))
    if first.render_mode == 1:
        pairs.append(("fit", "fit"))
    return tuple(pairs)


__all__ = ["MIN_GRID_CELLS", "AgoraRegion", "GridFit", "entries", "lengths", "region_pairs"]
