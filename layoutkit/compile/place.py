"""Region and grid entries -> rectangles in canvas fractions (lengths against the canvas,
`right`/`bottom` anchors, `aspect` of the video inside a frame and beside a label, grids cut
into cells), and the warnings about what Agora accepts but is probably a mistake."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from layoutkit.cameras import DEFAULT_ASPECT, CameraShape, declared_shape
from layoutkit.errors import Issue
from layoutkit.geometry import Fit, Length, Rect, crop_loss
from layoutkit.layout.model import (
    Canvas,
    CardSpec,
    Entry,
    FrameSpec,
    GridEntry,
    GridSpec,
    LabelSpec,
    LayoutDocument,
    RegionSpec,
)
from layoutkit.layout.yaml import Path, SourceMap
from layoutkit.wire.layout import LayoutRegion
from layoutkit.wire.rules import (
    DEFAULT_FPS,
    LOW_BITRATE_SHARE,
    MAX_AREA_PX,
    MAX_SIDE_PX,
    SUPPORTED_FPS,
    RenderMode,
    image_url_problem,
    recommended_bitrate,
)

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


class Step:
    """A step through one layout on its canvas, gathering located issues."""

    def __init__(self, canvas: Canvas, marks: SourceMap) -> None:
        self.canvas, self.marks = canvas, marks
        self.issues: list[Issue] = []

    def error(self, path: Path, message: str) -> None:
        self.issues.append(self.marks.issue("error", path, message))

    def warn(self, path: Path, message: str) -> None:
        self.issues.append(self.marks.issue("warning", path, message))


class Expander(Step):
    """Turns the entries of one regions list into DraftRegions."""

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
        if width is None:
            self.error(path, "missing 'width' (or 'height' with 'aspect')")
        if height is None:
            self.error(path, "missing 'height' (or 'width' with 'aspect')")
        if width is None or height is None:
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


MIN_SIDE_PX = 16
MAX_CROP_LOSS = 0.40


def lint_regions(
    drafts: Sequence[DraftRegion],
    config: Sequence[LayoutRegion],
    document: LayoutDocument,
    marks: SourceMap,
) -> list[Issue]:
    """Regions off the canvas or with no area (Agora draws nothing of them), edge
    crossings, regions hidden under opaque ones, tiny regions, heavy crops (of the camera
    shape the layout's `preview:` declares for who is shown, else 16:9).

    `config` is the regions' `layoutConfig` entries, one per draft. The cells of
    one grid share a source place: each kind of warning is given once for it. A warning
    the region (or grid) accepts (`accept: [crop]`) is not given.
    """
    lint = _RegionLint(config, document, marks)
    for index, draft in enumerate(drafts):
        lint.region(index, draft)
    return lint.issues


class _RegionLint:
    """The warnings about a custom layout's regions, each kind once per source place."""

    def __init__(
        self, config: Sequence[LayoutRegion], document: LayoutDocument, marks: SourceMap
    ) -> None:
        self.config, self.document, self.marks = config, document, marks
        self.canvas = document.canvas
        self.rects = [Rect(c.x_axis, c.y_axis, c.width, c.height) for c in config]
        self.issues: list[Issue] = []
        self.seen: set[tuple[str, Path]] = set()
        self.draft: DraftRegion  # the region being linted, and its number
        self.number = 0

    def warn(self, kind: str, message: str, key: str | None = None) -> None:
        """A warning of this `kind` at the region (its `key`), unless given or accepted."""
        path = self.draft.path
        if (kind, path) in self.seen:
            return
        self.seen.add((kind, path))
        if kind not in accepted(self.document, path):
            where = path if key is None else (*path, key)
            self.issues.append(self.marks.issue("warning", where, message))

    def region(self, index: int, draft: DraftRegion) -> None:
        self.draft, self.number = draft, index + 1
        rect, number = self.rects[index], index + 1
        w_px, h_px = rect.width * self.canvas.width, rect.height * self.canvas.height
        problem = image_url_problem(draft.placeholder) if draft.placeholder else None
        if problem is not None:
            self.warn("image", problem, "placeholder")
        if not self.drawn(rect, w_px, h_px):
            return
        self.edges(rect)
        if min(w_px, h_px) < MIN_SIDE_PX:
            size = f"{w_px:.0f}×{h_px:.0f} px"
            self.warn("small", f"region {number} is {size}, under {MIN_SIDE_PX} px on a side")
        above = range(index + 1, len(self.config))
        cover = next(
            (j for j in above if _opaque(self.config[j]) and self.rects[j].contains(rect)), None
        )
        if cover is not None:
            self.warn(
                "hidden",
                f"region {number} is completely hidden under region {cover + 1}, which is "
                "opaque and painted later",
            )
        if self.config[index].render_mode != RenderMode.FIT:
            self.crop(self.config[index].uid, w_px, h_px)

    def drawn(self, rect: Rect, w_px: float, h_px: float) -> bool:
        """Whether Agora draws anything of the region (a warning when not)."""
        edge = off_canvas_edge(rect, self.canvas)
        if edge is not None:
            self.warn(
                "off",
                f"region {self.number} is off the canvas (it starts at the {edge} edge): "
                "Agora draws nothing of it",
                self.draft.x_field if edge == "right" else self.draft.y_field,
            )
            return False
        if w_px <= 0 or h_px <= 0:
            self.warn(
                "small",
                f"region {self.number} is {w_px:.0f}×{h_px:.0f} px: it has no area, so Agora "
                "draws nothing of it",
            )
            return False
        return True

    def edges(self, rect: Rect) -> None:
        if rect.right > 1 + 1e-9:
            self.warn(
                "right",
                f"region {self.number} crosses the right edge (x + width = {rect.right:.6g}); "
                "Agora requires x_axis + width <= 1",
                self.draft.x_field,
            )
        if rect.bottom > 1 + 1e-9:
            self.warn(
                "bottom",
                f"region {self.number} crosses the bottom edge (y + height = "
                f"{rect.bottom:.6g}); Agora requires y_axis + height <= 1",
                self.draft.y_field,
            )

    def crop(self, uid: str | None, w_px: float, h_px: float) -> None:
        """A warning when cropping the region's picture to it cuts most of it away: the
        picture the layout's `preview:` says the region shows, else a 16:9 camera."""
        spec = self.document.preview
        keys = [key for key in (uid, self.draft.role) if key is not None]
        shape = declared_shape(keys, spec.cameras, spec.camera) if spec else CameraShape()
        loss = crop_loss(w_px / h_px, shape.aspect or DEFAULT_ASPECT)
        if loss > MAX_CROP_LOSS:
            what = "shared screen" if shape.screen else "camera picture"
            self.warn(
                "crop",
                f"region {self.number} ({w_px:.0f}×{h_px:.0f} px) crops away {loss:.0%} of a "
                f"{shape.ratio} {what}; use fit: fit or a shape closer to {shape.ratio}",
            )


def accepted(document: LayoutDocument, path: Path) -> frozenset[str]:
    """The warnings the region or grid at `path` in `document` accepts (`accept:`)."""
    node: Any = document
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
        else:
            node = getattr(node, step, None)
        if node is None:
            return frozenset()
    return frozenset(getattr(node, "accept", ()))


def off_canvas_edge(rect: Rect, canvas: Canvas) -> str | None:
    """ "right" or "bottom" when a region lies wholly off the canvas (it starts at that
    edge, or so close that not a whole pixel of it is left), else None."""
    if rect.x * canvas.width > canvas.width - 0.5:
        return "right"
    if rect.y * canvas.height > canvas.height - 0.5:
        return "bottom"
    return None


def bitrate_for(document: LayoutDocument) -> int:
    """The layout's bitrate, or Agora's recommendation for its canvas and fps."""
    if document.bitrate is not None:
        return document.bitrate
    canvas = document.canvas
    return recommended_bitrate(canvas.width, canvas.height, document.fps)


def lint_settings(step: Step, document: LayoutDocument) -> None:
    """The recording settings: a canvas larger than Agora records (an error), an fps
    Agora does not record at, a bitrate far below Agora's advice, image URLs Agora
    cannot load."""
    fps, (w, h) = document.fps, (document.canvas.width, document.canvas.height)
    if w > MAX_SIDE_PX or h > MAX_SIDE_PX or w * h > MAX_AREA_PX:
        step.error(
            ("canvas",),
            f"canvas {w}×{h} is above what Agora records: at most 1920 "
            "on a side and 1920×1080 pixels in area (e.g. 1280x720, 1080x1920)",
        )
    if fps not in SUPPORTED_FPS:
        rates = ", ".join(str(r) for r in SUPPORTED_FPS)
        step.warn(
            ("fps",),
            f"Agora records at {rates} fps; {fps} falls back to {DEFAULT_FPS}. Pick one of those",
        )
    advised = recommended_bitrate(w, h, fps)
    if document.bitrate is not None and document.bitrate < advised * LOW_BITRATE_SHARE:
        step.warn(
            ("bitrate",),
            f"bitrate {document.bitrate} Kbps is far below Agora's recommendation "
            f"for {w}×{h} at {fps} fps ({advised} Kbps), so the recording will look "
            "blocky; raise it, or leave bitrate out to use the recommendation",
        )
    for key in ("background_image", "placeholder_image"):
        url = getattr(document, key)
        problem = image_url_problem(url) if url is not None else None
        if problem is not None:
            step.warn((key,), problem)


def _opaque(entry: LayoutRegion) -> bool:
    return entry.alpha is None or entry.alpha >= 1.0
