"""Previews: the glue from a layout through compile to render (pictures, sheets across
counts, storyboards and GIFs of scenarios). The drawing itself is `layoutkit.render`,
which never imports layout or compile; only this module joins them: compile for a
participant set, then draw what would be sent."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from layoutkit.cameras import DEFAULT_ASPECT, SCREEN_ROLE, CameraShape
from layoutkit.compile.compilation import InMemory
from layoutkit.compile.compiler import Compilation, compile_full, declared_counts
from layoutkit.compile.participants import Names
from layoutkit.errors import LayoutError, RenderError
from layoutkit.layout.loader import Layout
from layoutkit.layout.model import PreviewSpec
from layoutkit.wire.rules import MAX_REGIONS, MixedVideoLayout

if TYPE_CHECKING:
    from PIL.Image import Image

    from layoutkit.live.scenario import Step
    from layoutkit.render import Appearance
    from layoutkit.render.fonts import FontChain


@dataclass(frozen=True)
class PreviewOptions:
    """How participants look and what is drawn besides the recording.

    `cameras` maps a uid or a role to a camera shape (a `CameraShape`, or a width/height
    number); it wins over the layout's `preview: {cameras: ...}`. `screens` are uids
    sharing a screen (drawn as slides, as is whoever has the `screen` role). `colors`
    lists uids in the order their colours are given (the rest follow in join order), so
    a storyboard keeps each person's colour. `min_text` is the smallest text size in
    pixels of the picture drawn (0: the renderer's own minimum)."""

    scale: float = 1.0
    clean: bool = False
    cameras: Mapping[str, float | CameraShape] = field(default_factory=dict)
    images: Mapping[str, Path] = field(default_factory=dict)  # uid or URL -> local picture
    video_off: frozenset[str] = frozenset()
    audio_only: frozenset[str] = frozenset()
    screens: frozenset[str] = frozenset()
    colors: tuple[str, ...] = ()
    min_text: int = 0


def render_preview(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    options: PreviewOptions | None = None,
    hidden: Collection[str | int] | None = None,
    names: Names | None = None,
) -> bytes:
    """PNG bytes of the recorded canvas for these participants (`hidden` ones left out;
    `names`, uid -> name, for the names a styled layout draws)."""
    from layoutkit.render import encode_png

    compiled = compile_preview(layout, participants, roles, count=count, hidden=hidden, names=names)
    return encode_png(draw_compilation(compiled, options or PreviewOptions()))


def compile_preview(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    hidden: Collection[str | int] | None = None,
    names: Names | None = None,
) -> Compilation:
    """The compilation a preview draws: a styled layout's images drawn, not published;
    for stand-in participants (`count`) and no `names`, the layout's sample names
    (`preview: {names: ...}`) for the people holding those roles or uids. Real
    participants are drawn as their recording will show them: without sample names."""
    compiled = compile_full(
        layout, participants, roles, count=count, hidden=hidden, names=names, assets=InMemory()
    )
    spec = compiled.document.preview
    if names or spec is None or not spec.names or compiled.style is None:
        return compiled
    if not compiled.placeholders:  # real people: draw what their recording will show
        return compiled
    samples = _by_uid(compiled, spec.names.items())
    if not samples:
        return compiled
    return compile_full(
        layout, participants, roles, count=count, hidden=hidden, names=samples, assets=InMemory()
    )


def _by_uid(compiled: Compilation, items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """`preview:` keys (a role or a uid) as the uids they name in this compilation."""
    holders = role_uids(compiled)
    found: dict[str, str] = {}
    for key, value in items:
        uid = key if key.isdigit() else holders.get(key)
        if uid is not None and uid in compiled.participants:
            found.setdefault(uid, value)
    return found


def draw_compilation(compiled: Compilation, options: PreviewOptions) -> Image:
    """The picture of one compilation."""
    from layoutkit.render import RenderOptions, render_canvas

    width, height = compiled.canvas
    spec = compiled.document.preview
    if (
        spec is not None
        and spec.video_off
        and not options.video_off
        and compiled.style
        and compiled.placeholders
    ):
        sample = _by_uid(compiled, ((key, key) for key in spec.video_off))
        options = replace(options, video_off=frozenset(sample))
    payload, drawn = compiled.payload_json, dict[str, bytes]()
    if compiled.assets:  # a styled layout: its images, as Agora will have them
        from layoutkit.compile.assets import preview_payload

        payload, drawn = preview_payload(compiled)
    urls: dict[str, Path | bytes] = {k: v for k, v in options.images.items() if not k.isdigit()}
    urls.update(drawn)
    render_options = RenderOptions(
        scale=options.scale, clean=options.clean, images=urls, font=_text_font(compiled)
    )
    if options.min_text > render_options.min_text:
        render_options = replace(render_options, min_text=options.min_text)
    return render_canvas(
        payload,
        compiled.regions,
        width,
        height,
        participants_for(compiled, options),
        render_options,
    )


def participants_for(compiled: Compilation, options: PreviewOptions) -> list[Appearance]:
    """The render's view of each participant: label (role), camera shape or screen,
    colour, picture, state."""
    from layoutkit.render import Appearance

    roles = role_uids(compiled)
    labels = {uid: role for role, uid in reversed(roles.items())}
    spec = compiled.document.preview
    order = list(dict.fromkeys([*options.colors, *compiled.participants]))
    people = []
    for uid in compiled.participants:
        mine = [role for role, bound in roles.items() if bound == uid]
        shape = _camera_for(uid, mine, options.cameras, spec)
        people.append(
            Appearance(
                uid=uid,
                label=labels.get(uid),
                camera_aspect=shape.aspect or DEFAULT_ASPECT,
                image=options.images.get(uid),
                video_off=uid in options.video_off,
                audio_only=uid in options.audio_only,
                hidden=uid in compiled.hidden,
                screen=shape.screen or SCREEN_ROLE in mine or uid in options.screens,
                color_index=order.index(uid),
            )
        )
    return people


def _camera_for(
    uid: str,
    roles: Sequence[str],
    given: Mapping[str, float | CameraShape],
    spec: PreviewSpec | None,
) -> CameraShape:
    """The first shape named for the uid or one of its roles, on the command line, then
    in the layout's `preview: {cameras: ...}`; else the layout's `preview: {camera: ...}`
    (not for the `screen` role); else a 16:9 camera."""
    for table in (given, spec.cameras if spec else {}):
        for key in (uid, *roles):
            found = table.get(key)
            if found is not None:
                return found if isinstance(found, CameraShape) else CameraShape(float(found))
    if spec is not None and spec.camera is not None and SCREEN_ROLE not in roles:
        return spec.camera
    return CameraShape()


def role_uids(compiled: Compilation) -> dict[str, str]:
    """Who each role shows: the roles bound, and in a custom layout the participant each
    unbound role's region took (as the compiler bound it)."""
    return {**compiled.role_holders, **compiled.roles}


def text_px_for(drawn_width: int, shown_width: int | None = None) -> int:
    """The text size to draw a picture `drawn_width` pixels wide with, so that its text
    is at least the renderer's minimum once the picture is shown `shown_width` pixels
    wide (default: a sheet cell's width)."""
    from layoutkit.render.camera import MIN_TEXT_PX
    from layoutkit.render.sheet import CELL_WIDTH

    shown = shown_width or CELL_WIDTH
    return math.ceil(MIN_TEXT_PX * max(1.0, drawn_width / shown))


def render_sheet_png(
    layout: Layout,
    roles: Mapping[str, str | int] | None = None,
    *,
    counts: Iterable[int] | None = None,
    options: PreviewOptions | None = None,
) -> bytes:
    """One PNG with the layout at each count (by default the counts it declares, else
    1..17), captioned; failing counts say why."""
    from layoutkit.layout.template_context import command_budget

    with command_budget():
        return _render_sheet_png(layout, roles, counts=counts, options=options)


def _render_sheet_png(
    layout: Layout,
    roles: Mapping[str, str | int] | None = None,
    *,
    counts: Iterable[int] | None = None,
    options: PreviewOptions | None = None,
) -> bytes:
    from layoutkit.render import encode_png, render_sheet
    from layoutkit.render.sheet import shrink_to_cell

    opts = options or PreviewOptions()
    # cells are CELL_WIDTH wide: drawing a frame larger than the canvas adds nothing but
    # memory, so the scale stops at 1 on a sheet; text is drawn large enough to stay
    # legible once the frame is shrunk into its cell
    scale = min(opts.scale, 1.0)
    drawn_width = round(layout.document.canvas.width * scale)
    opts = replace(opts, scale=scale, min_text=max(opts.min_text, text_px_for(drawn_width)))
    frames: list[tuple[str, Image]] = []
    wanted = declared_counts(layout.document) if counts is None else tuple(counts)
    if not wanted:
        raise RenderError(
            f"{layout.source}: the layout's counts hold no participant count from 1 to "
            f"{MAX_REGIONS}, so the sheet has nothing to draw; check `counts:`"
        )
    for n in wanted:
        try:
            compiled = compile_preview(layout, None, roles, count=n)
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
    from layoutkit.live.scenario import format_time
    from layoutkit.render.sheet import MAX_FRAMES

    if len(steps) > MAX_FRAMES:  # refused before drawing thousands of pictures
        raise RenderError(
            f"the scenario makes {len(steps)} distinct pictures; a storyboard or GIF holds "
            f"at most {MAX_FRAMES}: shorten the scenario, or pass --no-pictures"
        )
    base = options or PreviewOptions(clean=True)
    # everyone keeps one colour through the story: colours go by first appearance
    seen = [uid for step in steps for uid in step.compilation.participants]
    base = replace(base, colors=tuple(dict.fromkeys([*base.colors, *seen])))
    frames = []
    for step in steps:
        opts = replace(
            base,
            video_off=step.video_off,
            audio_only=step.audio_only,
            screens=base.screens | step.screens,
        )
        text = f"{format_time(step.at)}  {'; '.join(step.events)}"
        frames.append((text, draw_compilation(step.compilation, opts)))
    return frames


def _text_font(compiled: Compilation) -> FontChain | None:
    """The chain a styled layout's text is drawn in (with its `font:`), for the tags and
    captions around it; None for a plain layout (the chain without a layout font)."""
    if compiled.style is None or compiled.style.font is None:
        return None
    from layoutkit.render.fonts import font_chain

    return font_chain(compiled.style.font, compiled.style.font_where)


def storyboard_png(steps: Sequence[Step], options: PreviewOptions | None = None) -> bytes:
    """A strip of every distinct picture of a scenario, captioned with time and events
    (text drawn large enough to stay legible in the strip's cells)."""
    from layoutkit.render import encode_png, render_sheet

    opts = options or PreviewOptions(clean=True)
    if steps:
        canvas_width = steps[0].compilation.canvas[0]
        drawn_width = round(canvas_width * opts.scale)
        opts = replace(opts, min_text=max(opts.min_text, text_px_for(drawn_width)))
    frames = storyboard_images(steps, opts)
    font = _text_font(steps[0].compilation) if steps else None
    return encode_png(render_sheet(frames, columns=min(len(frames), 4), font=font))


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
    mode = MixedVideoLayout(compiled.payload_json.get("mixedVideoLayout") or 0).name.lower()
    text = f"{n} {'person' if n == 1 else 'people'} · {mode}"
    if compiled.variant is not None:
        text += f" · variant {compiled.variant + 1}"
    return text


def _blank(layout: Layout, options: PreviewOptions) -> Image:
    """An empty canvas in the layout's background colour, for a count that fails."""
    from layoutkit.render import RenderOptions, render_canvas

    document = layout.document
    payload = {
        "mixedVideoLayout": int(MixedVideoLayout.ADAPTIVE),
        "backgroundColor": document.background,
    }
    size = document.canvas
    return render_canvas(
        payload, [], size.width, size.height, [], RenderOptions(scale=options.scale, clean=True)
    )


__all__ = [
    "PreviewOptions",
    "animation_gif",
    "caption",
    "compile_preview",
    "draw_compilation",
    "participants_for",
    "render_preview",
    "render_sheet_png",
    "role_uids",
    "storyboard_images",
    "storyboard_png",
    "text_px_for",
]
