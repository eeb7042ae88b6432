"""Warnings about custom regions that Agora accepts but that are probably mistakes."""

from __future__ import annotations

from collections.abc import Sequence

from layoutkit.errors import Issue
from layoutkit.expand import DraftRegion
from layoutkit.geometry import Rect, crop_loss
from layoutkit.model import Canvas
from layoutkit.sourcemap import Path, SourceMap
from layoutkit.wire.base import RenderMode
from layoutkit.wire.layout import LayoutRegion

MIN_SIDE_PX = 16
MAX_CROP_LOSS = 0.40
CAMERA_ASPECT = 16 / 9


def lint_regions(
    drafts: Sequence[DraftRegion],
    config: Sequence[LayoutRegion],
    canvas: Canvas,
    marks: SourceMap,
) -> list[Issue]:
    """Edge crossings, regions hidden under opaque ones, tiny regions, heavy crops.

    The cells of one grid share a source place: each kind of warning is given once for it.
    """
    issues: list[Issue] = []
    seen: set[tuple[str, Path]] = set()

    def warn(kind: str, draft: DraftRegion, path: Path, message: str) -> None:
        if (kind, draft.path) not in seen:
            seen.add((kind, draft.path))
            issues.append(marks.issue("warning", path, message))

    rects = [Rect(c.x_axis, c.y_axis, c.width, c.height) for c in config]
    for index, (draft, entry, rect) in enumerate(zip(drafts, config, rects, strict=True)):
        number = index + 1
        if rect.right > 1 + 1e-9:
            warn(
                "right",
                draft,
                (*draft.path, draft.x_field),
                f"region {number} crosses the right edge (x + width = {rect.right:.6g}); "
                "Agora cuts it off",
            )
        if rect.bottom > 1 + 1e-9:
            warn(
                "bottom",
                draft,
                (*draft.path, draft.y_field),
                f"region {number} crosses the bottom edge (y + height = {rect.bottom:.6g}); "
                "Agora cuts it off",
            )
        w_px, h_px = rect.width * canvas.width, rect.height * canvas.height
        if min(w_px, h_px) < MIN_SIDE_PX:
            warn(
                "small",
                draft,
                draft.path,
                f"region {number} is {w_px:.0f}×{h_px:.0f} px, under {MIN_SIDE_PX} px on a side",
            )
        above = range(index + 1, len(config))
        cover = next((j for j in above if _opaque(config[j]) and rects[j].contains(rect)), None)
        if cover is not None:
            warn(
                "hidden",
                draft,
                draft.path,
                f"region {number} is completely hidden under region {cover + 1}, which is "
                "opaque and painted later",
            )
        if entry.render_mode != RenderMode.FIT and h_px > 0:
            loss = crop_loss(w_px / h_px, CAMERA_ASPECT)
            if loss > MAX_CROP_LOSS:
                warn(
                    "crop",
                    draft,
                    draft.path,
                    f"region {number} ({w_px:.0f}×{h_px:.0f} px) crops away {loss:.0%} of a "
                    "16:9 camera picture; use fit: fit or a shape closer to 16:9",
                )
    return issues


def _opaque(entry: LayoutRegion) -> bool:
    return entry.alpha is None or entry.alpha >= 1.0


__all__ = ["CAMERA_ASPECT", "MAX_CROP_LOSS", "MIN_SIDE_PX", "lint_regions"]
