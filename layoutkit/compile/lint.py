"""Warnings about what Agora accepts but is probably a mistake: custom regions, and the
recording settings of a layout (fps, bitrate, image URLs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layoutkit.cameras import DEFAULT_ASPECT, CameraShape, declared_shape
from layoutkit.compile.place import DraftRegion
from layoutkit.errors import Issue
from layoutkit.geometry import Rect, crop_loss
from layoutkit.layout.model import Canvas, LayoutDocument
from layoutkit.layout.yaml import Path, SourceMap
from layoutkit.wire.layout import LayoutRegion
from layoutkit.wire.rules import (
    DEFAULT_FPS,
    LOW_BITRATE_SHARE,
    SUPPORTED_FPS,
    RenderMode,
    image_url_problem,
    recommended_bitrate,
)

MIN_SIDE_PX = 16
MAX_CROP_LOSS = 0.40
CAMERA_ASPECT = DEFAULT_ASPECT


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

    def warn(self, kind: str, draft: DraftRegion, path: Path, message: str) -> None:
        if (kind, draft.path) in self.seen:
            return
        self.seen.add((kind, draft.path))
        if kind not in accepted(self.document, draft.path):
            self.issues.append(self.marks.issue("warning", path, message))

    def region(self, index: int, draft: DraftRegion) -> None:
        rect, number = self.rects[index], index + 1
        w_px, h_px = rect.width * self.canvas.width, rect.height * self.canvas.height
        problem = image_url_problem(draft.placeholder) if draft.placeholder else None
        if problem is not None:
            self.warn("image", draft, (*draft.path, "placeholder"), problem)
        if not self.drawn(draft, rect, number, (w_px, h_px)):
            return
        self.edges(draft, rect, number)
        if min(w_px, h_px) < MIN_SIDE_PX:
            self.warn(
                "small",
                draft,
                draft.path,
                f"region {number} is {w_px:.0f}×{h_px:.0f} px, under {MIN_SIDE_PX} px on a side",
            )
        above = range(index + 1, len(self.config))
        cover = next(
            (j for j in above if _opaque(self.config[j]) and self.rects[j].contains(rect)), None
        )
        if cover is not None:
            self.warn(
                "hidden",
                draft,
                draft.path,
                f"region {number} is completely hidden under region {cover + 1}, which is "
                "opaque and painted later",
            )
        if self.config[index].render_mode != RenderMode.FIT:
            self.crop(draft, self.config[index].uid, number, (w_px, h_px))

    def drawn(self, draft: DraftRegion, rect: Rect, number: int, size: tuple[float, float]) -> bool:
        """Whether Agora draws anything of the region (a warning when not)."""
        edge = off_canvas_edge(rect, self.canvas)
        if edge is not None:
            field = draft.x_field if edge == "right" else draft.y_field
            self.warn(
                "off",
                draft,
                (*draft.path, field),
                f"region {number} is off the canvas (it starts at the {edge} edge): "
                "Agora draws nothing of it",
            )
            return False
        w_px, h_px = size
        if w_px <= 0 or h_px <= 0:
            self.warn(
                "small",
                draft,
                draft.path,
                f"region {number} is {w_px:.0f}×{h_px:.0f} px: it has no area, so Agora "
                "draws nothing of it",
            )
            return False
        return True

    def edges(self, draft: DraftRegion, rect: Rect, number: int) -> None:
        if rect.right > 1 + 1e-9:
            self.warn(
                "right",
                draft,
                (*draft.path, draft.x_field),
                f"region {number} crosses the right edge (x + width = {rect.right:.6g}); "
                "Agora requires x_axis + width <= 1",
            )
        if rect.bottom > 1 + 1e-9:
            self.warn(
                "bottom",
                draft,
                (*draft.path, draft.y_field),
                f"region {number} crosses the bottom edge (y + height = {rect.bottom:.6g}); "
                "Agora requires y_axis + height <= 1",
            )

    def crop(
        self, draft: DraftRegion, uid: str | None, number: int, size: tuple[float, float]
    ) -> None:
        """A warning when cropping the region's picture to it cuts most of it away."""
        w_px, h_px = size
        shape = self.shape(uid, draft.role)
        loss = crop_loss(w_px / h_px, shape.aspect or CAMERA_ASPECT)
        if loss > MAX_CROP_LOSS:
            what = "shared screen" if shape.screen else "camera picture"
            self.warn(
                "crop",
                draft,
                draft.path,
                f"region {number} ({w_px:.0f}×{h_px:.0f} px) crops away {loss:.0%} of a "
                f"{shape.ratio} {what}; use fit: fit or a shape closer to {shape.ratio}",
            )

    def shape(self, uid: str | None, role: str | None) -> CameraShape:
        """The picture the layout says the region shows (`preview: {camera, cameras}`)."""
        spec = self.document.preview
        if spec is None:
            return CameraShape()
        keys = [key for key in (uid, role) if key is not None]
        return declared_shape(keys, spec.cameras, spec.camera)


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


def lint_document(document: LayoutDocument, marks: SourceMap) -> list[Issue]:
    """Warnings about the recording settings: an fps Agora does not record at, a bitrate
    far below Agora's recommendation, image URLs Agora cannot load."""
    issues: list[Issue] = []
    fps, canvas = document.fps, document.canvas
    if fps not in SUPPORTED_FPS:
        rates = ", ".join(str(r) for r in SUPPORTED_FPS)
        issues.append(
            marks.issue(
                "warning",
                ("fps",),
                f"Agora records at {rates} fps; {fps} falls back to {DEFAULT_FPS}. "
                "Pick one of those",
            )
        )
    if document.bitrate is not None:
        advised = recommended_bitrate(canvas.width, canvas.height, fps)
        if document.bitrate < advised * LOW_BITRATE_SHARE:
            issues.append(
                marks.issue(
                    "warning",
                    ("bitrate",),
                    f"bitrate {document.bitrate} Kbps is far below Agora's recommendation "
                    f"for {canvas.width}×{canvas.height} at {fps} fps ({advised} Kbps), so "
                    "the recording will look blocky; raise it, or leave bitrate out to "
                    "use the recommendation",
                )
            )
    for key in ("background_image", "placeholder_image"):
        url = getattr(document, key)
        problem = image_url_problem(url) if url is not None else None
        if problem is not None:
            issues.append(marks.issue("warning", (key,), problem))
    return issues


def _opaque(entry: LayoutRegion) -> bool:
    return entry.alpha is None or entry.alpha >= 1.0


__all__ = [
    "CAMERA_ASPECT",
    "MAX_CROP_LOSS",
    "MIN_SIDE_PX",
    "accepted",
    "bitrate_for",
    "lint_document",
    "lint_regions",
    "off_canvas_edge",
]
