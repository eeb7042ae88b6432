"""Previews: the glue from a layout through compile to render (pictures, sheets across
counts, storyboards and GIFs of scenarios): compile for a participant set, then draw what
would be sent."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from layoutkit.cameras import DEFAULT_ASPECT, SCREEN_ROLE, CameraShape, declared_shape
from layoutkit.compile.compiler import Compilation, InMemory, Names, compile_full, declared_counts
from layoutkit.compile.style import preview_payload
from layoutkit.errors import LayoutError, RenderError
from layoutkit.layout.loader import Layout
from layoutkit.layout.model import PreviewSpec
from layoutkit.layout.templating import command_budget
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
    if names or spec is None or compiled.style is None or not compiled.placeholders:
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
    """The shape given for the uid or one of its roles on the command line, else the one
    the layout's `preview:` declares (`declared_shape`)."""
    for key in (uid, *roles):
        found = given.get(key)
        if found is not None:
            return found if isinstance(found, CameraShape) else CameraShape(float(found))
    if spec is None:
        return CameraShape()
    return declared_shape([uid, *roles], spec.cameras, spec.camera)


def role_uids(compiled: Compilation) -> dict[str, str]:
    """Who each role shows: the roles bound, and in a custom layout the participant each
    unbound role's region took (as the compiler bound it)."""
    return {**compiled.role_holders, **compiled.roles}


def text_px_for(drawn_width: int, shown_width: int | None = None) -> int:
    """The text size to draw a picture `drawn_width` pixels wide with, so that its text
    is at least the renderer's minimum once the picture is shown `shown_width` pixels
    wide (default: a sheet cell's width)."""
    from layoutkit.render import CELL_WIDTH
    from layoutkit.render.camera import MIN_TEXT_PX

    shown = shown_width or CELL_WIDTH
    return math.ceil(MIN_TEXT_PX * max(1.0, drawn_width / shown))


def _legible(options: PreviewOptions, canvas_width: int) -> PreviewOptions:
    """`options` with text large enough to stay legible once a picture of a canvas
    `canvas_width` pixels wide is shrunk into a sheet's cell."""
    drawn = text_px_for(round(canvas_width * options.scale))
    return replace(options, min_text=max(options.min_text, drawn))


def render_sheet_png(
    layout: Layout,
    roles: Mapping[str, str | int] | None = None,
    *,
    counts: Iterable[int] | None = None,
    options: PreviewOptions | None = None,
) -> bytes:
    """One PNG with the layout at each count (by default the counts it declares, else
    1..17), captioned; failing counts say why."""
    from layoutkit.render import encode_png, render_sheet, shrink_to_cell

    opts = options or PreviewOptions()
    # cells are CELL_WIDTH wide: drawing a frame larger than the canvas adds nothing but
    # memory, so the scale stops at 1 on a sheet
    opts = _legible(replace(opts, scale=min(opts.scale, 1.0)), layout.document.canvas.width)
    frames: list[tuple[str, Image]] = []
    wanted = declared_counts(layout.document) if counts is None else tuple(counts)
    if not wanted:
        raise RenderError(
            f"{layout.source}: the layout's counts hold no participant count from 1 to "
            f"{MAX_REGIONS}, so the sheet has nothing to draw; check `counts:`"
        )
    with command_budget():
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
    from layoutkit.render import MAX_FRAMES

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
        opts = _legible(opts, steps[0].compilation.canvas[0])
    frames = storyboard_images(steps, opts)
    font = _text_font(steps[0].compilation) if steps else None
    return encode_png(render_sheet(frames, columns=min(len(frames), 4), font=font))


def animation_gif(steps: Sequence[Step], options: PreviewOptions | None = None) -> bytes:
    """An animated GIF of a scenario: each picture for the time until the next one
    (between 0.8 and 3 seconds)."""
    from layoutkit.render import encode_gif

    frames = [image for _, image in storyboard_images(steps, options)]
    times = [step.at for step in steps]
    ends = [*times[1:], times[-1] + 2.0] if times else []
    durations = [
        round(min(max(end - at, 0.8), 3.0) * 1000) for at, end in zip(times, ends, strict=True)
    ]
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
