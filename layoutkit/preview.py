"""Layout -> PNG: compile for a participant set, then draw what would be sent.

The glue between the compiler and the renderer: `render` itself only sees the payload and
the resolved regions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from layoutkit.compiler import ALL_COUNTS, Compilation, compile_full
from layoutkit.errors import LayoutError, RenderError
from layoutkit.loader import Layout
from layoutkit.wire.base import MixedVideoLayout
from layoutkit.wire.layout import UpdateLayoutClientRequest

if TYPE_CHECKING:
    from PIL.Image import Image

    from layoutkit.render import Participant
    from layoutkit.scenario import Step


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
    hidden: Collection[str | int] | None = None,
) -> bytes:
    """PNG bytes of the recorded canvas for these participants (`hidden` ones left out)."""
    from layoutkit.render import encode_png

    compiled = compile_full(layout, participants, roles, count=count, hidden=hidden)
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
            hidden=uid in compiled.hidden,
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
    from layoutkit.render.sheet import shrink_to_cell

    opts = options or PreviewOptions()
    # cells are CELL_WIDTH wide: drawing a frame larger than the canvas adds nothing but
    # memory, so the scale stops at 1 on a sheet
    opts = replace(opts, scale=min(opts.scale, 1.0))
    frames: list[tuple[str, Image]] = []
    for n in counts:
        try:
            compiled = compile_full(layout, None, roles, count=n)
        except LayoutError as exc:
            frames.append((f"{n}: {exc.message}", shrink_to_cell(_blank(layout, opts))))
            continue
        # shrunk to its cell at once: the sheet holds one full-size picture at a time
        frames.append((caption(compiled), shrink_to_cell(draw_compilation(compiled, opts))))
    return encode_png(render_sheet(frames))


def storyboard_images(
    steps: Sequence[Step], options: PreviewOptions | None = None
) -> list[tuple[str, Image]]:
    """Each step's picture (as the recording shows it) with its time and events."""
    from layoutkit.render.sheet import MAX_FRAMES
    from layoutkit.scenario import format_time

    if len(steps) > MAX_FRAMES:  # refused before drawing thousands of pictures
        raise RenderError(
            f"the scenario makes {len(steps)} distinct pictures; a storyboard or GIF holds "
            f"at most {MAX_FRAMES}: shorten the scenario, or pass --no-pictures"
        )
    base = options or PreviewOptions(clean=True)
    frames = []
    for step in steps:
        opts = replace(base, video_off=step.video_off, audio_only=step.audio_only)
        text = f"{format_time(step.at)}  {'; '.join(step.events)}"
        frames.append((text, draw_compilation(step.compilation, opts)))
    return frames


def storyboard_png(steps: Sequence[Step], options: PreviewOptions | None = None) -> bytes:
    """A strip of every distinct picture of a scenario, captioned with time and events."""
    from layoutkit.render import encode_png, render_sheet

    frames = storyboard_images(steps, options)
    return encode_png(render_sheet(frames, columns=min(len(frames), 4)))


def animation_gif(steps: Sequence[Step], options: PreviewOptions | None = None) -> bytes:
    """An animated GIF of a scenario: each picture for the time until the next one
    (between 0.8 and 3 seconds)."""
    from layoutkit.render import encode_gif

    frames = [image for _, image in storyboard_images(steps, options)]
    times = [step.at for step in steps]
    durations = (
        [
            round(min(max(later - now, 0.8), 3.0) * 1000)
            for now, later in zip(times, [*times[1:], times[-1] + 2.0], strict=True)
        ]
        if times
        else []
    )
    return encode_gif(frames, durations)


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
    "animation_gif",
    "caption",
    "draw_compilation",
    "participants_for",
    "render_preview",
    "render_sheet_png",
    "storyboard_images",
    "storyboard_png",
]
