"""Layout -> PNG: compile for a participant set, then draw what would be sent.

The glue between the compiler and the renderer: `render` itself only sees the payload and
the resolved regions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from layoutkit.compiler import ALL_COUNTS, Compilation, compile_full
from layoutkit.errors import LayoutError
from layoutkit.loader import Layout
from layoutkit.wire.base import MixedVideoLayout
from layoutkit.wire.layout import UpdateLayoutClientRequest

if TYPE_CHECKING:
    from PIL.Image import Image

    from layoutkit.render import Participant


@dataclass(frozen=True)
class PreviewOptions:
    """How participants look and what is drawn besides the recording."""

    scale: float = 1.0
    clean: bool = False
    cameras: Mapping[str, float] = field(default_factory=dict)  # uid -> camera W/H
    images: Mapping[str, Path] = field(default_factory=dict)  # uid or URL -> local picture
    video_off: frozenset[str] = frozenset()
    audio_only: frozenset[str] = frozenset()


def render_preview(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    options: PreviewOptions | None = None,
) -> bytes:
    """PNG bytes of the recorded canvas for these participants."""
    from layoutkit.render import encode_png

    compiled = compile_full(layout, participants, roles, count=count)
    return encode_png(draw_compilation(compiled, options or PreviewOptions()))


def draw_compilation(compiled: Compilation, options: PreviewOptions) -> Image:
    """The picture of one compilation."""
    from layoutkit.render import RenderOptions, render_canvas

    width, height = compiled.canvas
    urls = {k: v for k, v in options.images.items() if not k.isdigit()}
    return render_canvas(
        compiled.payload,
        compiled.regions,
        width,
        height,
        participants_for(compiled, options),
        RenderOptions(scale=options.scale, clean=options.clean, images=urls),
    )


def participants_for(compiled: Compilation, options: PreviewOptions) -> list[Participant]:
    """The render's view of each participant: label (role), camera shape, picture, state."""
    from layoutkit.render import Participant

    labels = {uid: role for role, uid in compiled.roles.items()}
    return [
        Participant(
            uid=uid,
            label=labels.get(uid),
            camera_aspect=options.cameras.get(uid, 16 / 9),
            image=options.images.get(uid),
            video_off=uid in options.video_off,
            audio_only=uid in options.audio_only,
        )
        for uid in compiled.participants
    ]


def render_sheet_png(
    layout: Layout,
    roles: Mapping[str, str | int] | None = None,
    *,
    counts: Iterable[int] = ALL_COUNTS,
    options: PreviewOptions | None = None,
) -> bytes:
    """One PNG with the layout at each count, captioned; failing counts say why."""
    from layoutkit.render import encode_png, render_sheet

    opts = options or PreviewOptions()
    frames: list[tuple[str, Image]] = []
    for n in counts:
        try:
            compiled = compile_full(layout, None, roles, count=n)
        except LayoutError as exc:
            frames.append((f"{n}: {exc.message}", _blank(layout, opts)))
            continue
        frames.append((caption(compiled), draw_compilation(compiled, opts)))
    return encode_png(render_sheet(frames))


def caption(compiled: Compilation) -> str:
    """`3 people · custom · variant 2`."""
    n = len(compiled.participants)
    mode = MixedVideoLayout(compiled.payload.mixed_video_layout or 0).name.lower()
    text = f"{n} {'person' if n == 1 else 'people'} · {mode}"
    if compiled.variant is not None:
        text += f" · variant {compiled.variant + 1}"
    return text


def _blank(layout: Layout, options: PreviewOptions) -> Image:
    """An empty canvas in the layout's background colour, for a count that fails."""
    from layoutkit.render import RenderOptions, render_canvas

    document = layout.document
    payload = UpdateLayoutClientRequest(
        mixedVideoLayout=MixedVideoLayout.ADAPTIVE, backgroundColor=document.background
    )
    size = document.canvas
    return render_canvas(
        payload, [], size.width, size.height, [], RenderOptions(scale=options.scale, clean=True)
    )


__all__ = [
    "PreviewOptions",
    "caption",
    "draw_compilation",
    "participants_for",
    "render_preview",
    "render_sheet_png",
]
