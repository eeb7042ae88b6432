"""Region and grid entries -> rectangles in canvas fractions, with located issues.

Lengths become fractions against the canvas, `right`/`bottom` anchors and `aspect` are
applied (the aspect of the video: inside a `frame`, beside a `label`), grids are cut into
cells. Nothing here knows about participants: a region keeps its `uid` or `role` as
written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from layoutkit.errors import Issue
from layoutkit.geometry import Fit, Length, Rect
from layoutkit.layout.model import (
    Canvas,
    CardSpec,
    Entry,
    FrameSpec,
    GridEntry,
    GridSpec,
    LabelSpec,
    RegionSpec,
)
from layoutkit.layout.yaml import Path, SourceMap

_EPS = 1e-9


@dataclass(frozen=True)
class DraftRegion:
    """A region with its geometry in unrounded canvas fractions, before binding users."""

    path: Path
    x: float
    y: float
    width: float
    height: float
    uid: str | None
    role: str | None
    fit: Fit
    alpha: float
    placeholder: str | None = None
    x_field: str = "x"
    y_field: str = "y"
    agora_fill: bool = False  # `fill: agora`: sent without a uid, Agora fills it
    frame: FrameSpec | None = None  # drawn around the video (`compile.style`)
    label: LabelSpec | None = None
    card: CardSpec | None = None

    @property
    def rect(self) -> Rect:
        return Rect(self.x, self.y, self.width, self.height)


class Expander:
    """Turns the entries of one regions list into DraftRegions, collecting issues."""

    def __init__(self, canvas: Canvas, marks: SourceMap) -> None:
        self.canvas = canvas
        self.marks = marks
        self.issues: list[Issue] = []

    def error(self, path: Path, message: str) -> None:
        self.issues.append(self.marks.issue("error", path, message))

    def warn(self, path: Path, message: str) -> None:
        self.issues.append(self.marks.issue("warning", path, message))

    def expand(self, entries: Sequence[Entry], base: Path) -> list[DraftRegion]:
        drafts: list[DraftRegion] = []
        for index, entry in enumerate(entries):
            path = (*base, index)
            if isinstance(entry, GridEntry):
                drafts.extend(self.grid(entry.grid, (*path, "grid")))
            else:
                region = self.region(entry, path)
                if region is not None:
                    drafts.append(region)
        return drafts

    def _fraction(self, length: Length | None, axis_px: int) -> float | None:
        return None if length is None else length.to_fraction(axis_px)

    def region(self, spec: RegionSpec, path: Path) -> DraftRegion | None:
        cw, ch = self.canvas.width, self.canvas.height
        if spec.uid is not None and spec.role is not None:
            self.error((*path, "role"), "give either uid or role, not both")
        if spec.fill is not None and (spec.uid is not None or spec.role is not None):
            self.error(
                (*path, "fill"),
                "fill: agora leaves the region to Agora's join-order filling, so it takes "
                "no uid or role; remove one or the other",
            )
        width, height = self._size(spec, path)
        ok = True
        if width is None:
            self.error(path, "missing 'width' (or 'height' with 'aspect')")
            ok = False
        if height is None:
            self.error(path, "missing 'height' (or 'width' with 'aspect')")
            ok = False
        if not ok or width is None or height is None:
            return None
        x, x_field = self._anchor(spec.x, spec.right, width, cw, path, ("x", "right"))
        y, y_field = self._anchor(spec.y, spec.bottom, height, ch, path, ("y", "bottom"))
        size_fields = (
            "width" if spec.width is not None else "aspect",
            "height" if spec.height is not None else "aspect",
        )
        for value, name in (
            (x, x_field),
            (y, y_field),
            (width, size_fields[0]),
            (height, size_fields[1]),
        ):
            self._check_range(value, (*path, name), name)
        return DraftRegion(
            path,
            x,
            y,
            width,
            height,
            spec.uid,
            spec.role,
            spec.fit,
            spec.alpha,
            spec.placeholder,
            x_field,
            y_field,
            spec.fill == "agora",
            spec.frame,
            spec.label,
            spec.card,
        )

    def _size(self, spec: RegionSpec, path: Path) -> tuple[float | None, float | None]:
        """A region's width and height as fractions of the canvas, one of them from the
        other and the aspect when only one is given."""
        cw, ch = self.canvas.width, self.canvas.height
        width = self._fraction(spec.width, cw)
        height = self._fraction(spec.height, ch)
        if spec.aspect is not None:
            ex, ey = self._around(spec.frame, spec.label)  # the video's shape is the aspect
            if width is not None and height is not None:
                self.warn(
                    (*path, "aspect"), "aspect is ignored when width and height are both given"
                )
            elif width is not None:
                height = ((width * cw - ex) / spec.aspect + ey) / ch
            elif height is not None:
                width = ((height * ch - ey) * spec.aspect + ex) / cw
        return width, height

    def _around(self, frame: FrameSpec | None, label: LabelSpec | None) -> tuple[float, float]:
        """The pixels a frame and a label take from a region's width and height (its
        `aspect` is the video's, inside them)."""
        band = 2 * frame.width.to_pixels(self.canvas.width) if frame is not None else 0.0
        strip = label.height.to_pixels(self.canvas.height) if label is not None else 0.0
        return max(band, 0.0), max(band, 0.0) + max(strip, 0.0)

    def _anchor(
        self,
        start: Length | None,
        end: Length | None,
        size: float,
        axis_px: int,
        path: Path,
        names: tuple[str, str],
    ) -> tuple[float, str]:
        if start is not None and end is not None:
            self.error((*path, names[1]), f"give {names[0]} or {names[1]}, not both")
        if start is not None:
            return start.to_fraction(axis_px), names[0]
        if end is not None:
            return 1.0 - end.to_fraction(axis_px) - size, names[1]
        return 0.0, names[0]

    def _check_range(self, value: float, path: Path, name: str) -> bool:
        if -_EPS <= value <= 1 + _EPS:
            return True
        what = {
            "right": "x (from right)",
            "bottom": "y (from bottom)",
            "aspect": "a size from aspect",
        }
        label = what.get(name, name)
        self.error(
            path,
            f"{label} comes to {value:.6g} of the canvas, outside [0, 1]; "
            "positions and sizes must stay within the canvas",
        )
        return False

    def _grid_area(
        self, spec: GridSpec, path: Path
    ) -> tuple[tuple[float, float, float, float], bool]:
        """A grid's area in pixels (x, y, width, height), and whether it is within the
        canvas (errors where it is not)."""
        cw, ch = self.canvas.width, self.canvas.height
        ax = (spec.x or Length(0.0)).to_pixels(cw)
        ay = (spec.y or Length(0.0)).to_pixels(ch)
        aw = spec.width.to_pixels(cw) if spec.width is not None else cw - ax
        ah = spec.height.to_pixels(ch) if spec.height is not None else ch - ay
        area_ok = True
        for value, axis, name in (
            (ax, cw, "x"),
            (ay, ch, "y"),
            (aw, cw, "width"),
            (ah, ch, "height"),
        ):
            area_ok = self._check_range(value / axis, (*path, name), name) and area_ok
        if ax + aw > cw + 1e-6 or ay + ah > ch + 1e-6:
            self.error(path, "the grid's area runs past the canvas edge")
            area_ok = False
        return (ax, ay, aw, ah), area_ok

    def _grid_people(self, spec: GridSpec, path: Path, cells: int) -> list[str]:
        """The roles or uids a grid's cells name in order; errors where they clash with
        each other or with fill, or outnumber the cells."""
        if spec.roles is not None and spec.uids is not None:
            self.error((*path, "uids"), "give roles or uids, not both")
        if spec.fill is not None and (spec.roles is not None or spec.uids is not None):
            self.error(
                (*path, "fill"),
                "fill: agora leaves the cells to Agora's join-order filling, so it takes "
                "no roles or uids; remove one or the other",
            )
        people: list[str] = list(spec.roles or spec.uids or [])
        if len(people) > cells:
            key = "roles" if spec.roles is not None else "uids"
            self.error((*path, key), f"{len(people)} {key} for {cells} cells")
        return people

    def grid(self, spec: GridSpec, path: Path) -> list[DraftRegion]:
        cw, ch = self.canvas.width, self.canvas.height
        (ax, ay, aw, ah), area_ok = self._grid_area(spec, path)
        cells = spec.rows * spec.columns if spec.cells is None else spec.cells
        if cells > spec.rows * spec.columns:
            self.error((*path, "cells"), f"{cells} cells do not fit in {spec.rows}×{spec.columns}")
            return []
        people = self._grid_people(spec, path, cells)
        pad_x, pad_y = spec.padding.to_pixels(cw), spec.padding.to_pixels(ch)
        gap_x, gap_y = spec.gap.to_pixels(cw), spec.gap.to_pixels(ch)
        cell_w = (aw - 2 * pad_x - (spec.columns - 1) * gap_x) / spec.columns
        cell_h = (ah - 2 * pad_y - (spec.rows - 1) * gap_y) / spec.rows
        if cell_w <= 0 or cell_h <= 0:
            self.error(path, "gap and padding leave no room for the cells; make them smaller")
            return []
        if not area_ok:
            return []
        drafts: list[DraftRegion] = []
        ex, ey = self._around(spec.frame, spec.label)
        for index in range(cells):
            if spec.order == "row":
                row, col = divmod(index, spec.columns)
            else:
                col, row = divmod(index, spec.rows)
            left = ax + pad_x + col * (cell_w + gap_x)
            top = ay + pad_y + row * (cell_h + gap_y)
            w, h = cell_w, cell_h
            if spec.aspect is not None:  # of the video, inside a frame and beside a label
                if (w - ex) / max(h - ey, 1e-9) > spec.aspect:
                    w = (h - ey) * spec.aspect + ex
                else:
                    h = (w - ex) / spec.aspect + ey
                left += (cell_w - w) / 2
                top += (cell_h - h) / 2
            who = people[index] if index < len(people) else None
            drafts.append(
                DraftRegion(
                    path,
                    left / cw,
                    top / ch,
                    w / cw,
                    h / ch,
                    who if spec.uids is not None else None,
                    who if spec.roles is not None else None,
                    spec.fit,
                    spec.alpha,
                    agora_fill=spec.fill == "agora",
                    frame=spec.frame,
                    label=spec.label,
                    card=spec.card,
                )
            )
        return drafts


__all__ = ["DraftRegion", "Expander"]
