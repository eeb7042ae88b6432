"""The canvas as Agora composes it: background, then each region in paint order, its
picture scaled to cover (crop) or to fit inside with black bars, blended by its alpha; a
region with no area or wholly off the canvas draws nothing. A user whose video is off
shows, in the steady state (after about 3.5 s), their background image, else the
canvas's `backgroundImage`, else the background colour. Then the annotations: outlines,
tags that step aside rather than cover one another, and a caption strip below listing
what the picture cannot show."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from PIL import Image, ImageDraw

from layoutkit.cameras import DEFAULT_ASPECT
from layoutkit.errors import RenderError
from layoutkit.geometry import ResolvedRegion
from layoutkit.render import fonts
from layoutkit.render.camera import (
    MIN_TEXT_PX,
    RGB,
    TITLE_BAR_SHARE,
    check_camera_aspect,
    draw_label,
    overlap,
    participant_color,
    synthetic_camera,
)
from layoutkit.render.pictures import Box, fitted
from layoutkit.wire.rules import MixedVideoLayout, RenderMode

MAX_SCALE = 4.0
MAX_SIDE = 8192
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Appearance:
    """How one participant appears in a preview; `screen`: a slide instead of a camera;
    `color_index`: the colour (None: their place in the list, the join order)."""

    uid: str
    label: str | None = None
    camera_aspect: float = DEFAULT_ASPECT
    image: Path | None = None
    video_off: bool = False
    audio_only: bool = False
    hidden: bool = False  # left out of the picture on purpose
    screen: bool = False
    color_index: int | None = None


@dataclass(frozen=True)
class RenderOptions:
    """`clean`: no annotations; `images`: image URLs -> a local file or encoded bytes
    standing in for them; `min_text`: the smallest text in pixels of this picture (raised
    when it is shown smaller); `font`: the chain of tags and captions."""

    scale: float = 1.0
    clean: bool = False
    images: Mapping[str, Path | bytes] = field(default_factory=dict)
    min_text: int = MIN_TEXT_PX
    font: fonts.FontChain | None = None


@dataclass
class Drawn:
    """What composing did, for the annotations: which region showed what."""

    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    # "video", "screen", "placeholder", "card", "background", "empty", "off canvas",
    # "no area", ...
    shown: list[str] = field(default_factory=list)
    missing_images: list[str] = field(default_factory=list)


def url_name(url: str) -> str:
    """`url` as messages show it: without user info, query or fragment (a signed URL's
    secrets)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port is not None:
            host += f":{parts.port}"
    except ValueError:  # a malformed host or port: say no more than that
        return "an image URL"
    shown = urlunsplit((parts.scheme, host, parts.path, "", ""))
    return shown + ("?..." if parts.query else "")


def hex_rgb(color: str | None) -> RGB:
    value = (color or "#000000").lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def canvas_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """The output size for a canvas and scale; RenderError past the limits."""
    if not (0 < scale <= MAX_SCALE) or math.isnan(scale):
        raise RenderError(f"scale {scale:g} is outside (0, {MAX_SCALE:g}]; e.g. --scale 0.5")
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    if w > MAX_SIDE or h > MAX_SIDE or w * h > MAX_PIXELS:
        raise RenderError(
            f"a {w}×{h} picture is too large (at most {MAX_SIDE} px on a side and "
            f"{MAX_PIXELS // 1_000_000} megapixels); use a smaller --scale"
        )
    return w, h


def pixel_box(region: ResolvedRegion, width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) in output pixels; the edge at fraction f is round(f·size)."""
    left, top, right, bottom = region.rect.to_pixels(width, height)
    return left, top, max(right, left + 1), max(bottom, top + 1)


NOT_DRAWN = ("off canvas", "no area")  # what a region Agora draws nothing of shows
BACKGROUND = "background"  # a user without video and without an image of their own


def camera_tile(
    person: Appearance,
    size: tuple[int, int],
    fit: str,
    color: RGB | None = None,
    options: RenderOptions | None = None,
    avoid: Sequence[Box] = (),
) -> Image.Image:
    """The participant's picture for a region of `size` pixels, named where the name fits,
    clear of the `avoid` boxes (the regions painted over it)."""
    w, h = size
    if person.image is not None:
        return fitted(person.image, size, fit)
    aspect = check_camera_aspect(person.camera_aspect)
    base = color or participant_color(0)
    if fit == "fit":
        cw, ch = (
            (w, max(1, round(w / aspect))) if w / h < aspect else (max(1, round(h * aspect)), h)
        )
        tile = Image.new("RGB", size, (0, 0, 0))
        left, top = (w - cw) // 2, (h - ch) // 2
        tile.paste(synthetic_camera(cw, ch, base, screen=person.screen), (left, top))
        area = (left, top, left + cw, top + ch)
        picture_top = top
    else:
        cw, ch = (
            (max(w, math.ceil(h * aspect)), h)
            if w / h < aspect
            else (w, max(h, math.ceil(w / aspect)))
        )
        picture = synthetic_camera(cw, ch, base, screen=person.screen)
        left, top = (cw - w) // 2, (ch - h) // 2
        tile = picture.crop((left, top, left + w, top + h))
        area = (0, 0, w, h)
        picture_top = -top
    opts = options or RenderOptions()
    short = min(area[2] - area[0], area[3] - area[1])
    label_px = max(opts.min_text, round(short * (0.05 if person.screen else 0.09)))
    bar = (
        (picture_top, picture_top + round(ch * TITLE_BAR_SHARE), picture_top + ch)
        if person.screen
        else None
    )
    names = [f"{person.label} · {person.uid}", person.uid] if person.label else [person.uid]
    # with the outlines and tags on, the picture must leave room for the tag above it
    room = 2.0 if opts.clean else 4.0
    draw_label(tile, area, names, label_px, color=base, room=room, title_bar=bar, avoid=avoid)
    return tile


def placeholder_url(payload: Mapping[str, Any], uid: str) -> tuple[str | None, str]:
    """The image Agora shows for a user without video, and how it is scaled (`payload`:
    the layout fields as JSON)."""
    for entry in payload.get("backgroundConfig") or []:
        if entry.get("uid") == uid:
            fit = "fit" if entry.get("render_mode") == RenderMode.FIT else "crop"
            return entry.get("image_url"), fit
    return payload.get("defaultUserBackgroundImage"), "crop"


def compose(
    payload: Mapping[str, Any],
    regions: Sequence[ResolvedRegion],
    size: tuple[int, int],
    people: Mapping[str, Appearance],
    options: RenderOptions,
) -> tuple[Image.Image, Drawn]:
    """The canvas at `size` pixels and a record of what each region shows (`payload`: the
    layout fields as JSON, Agora's names)."""
    canvas = Image.new("RGB", size, hex_rgb(payload.get("backgroundColor")))
    drawn = Drawn()
    _paint_background(canvas, payload.get("backgroundImage"), options, drawn)
    floating = payload.get("mixedVideoLayout") in (None, MixedVideoLayout.FLOATING)
    # what a region of a user without video and without an image of their own shows
    backdrop = canvas.copy() if any(p.video_off for p in people.values()) else None
    colors = {  # by `color_index`, else by place in join order
        uid: participant_color(p.color_index if p.color_index is not None else index)
        for index, (uid, p) in enumerate(people.items())
    }
    boxes = [pixel_box(region, *size) for region in regions]
    for index, region in enumerate(regions):
        box = boxes[index]
        drawn.boxes.append(box)
        if region.width <= 0 or region.height <= 0:
            drawn.shown.append("no area")
            continue
        if box[0] >= size[0] or box[1] >= size[1]:
            drawn.shown.append("off canvas")
            continue
        tile_size = (box[2] - box[0], box[3] - box[1])
        person = people.get(region.uid) if region.uid is not None else None
        color = colors.get(region.uid or "")
        above = [
            (b[0] - box[0], b[1] - box[1], b[2] - box[0], b[3] - box[1])
            for later, b in zip(regions[index + 1 :], boxes[index + 1 :], strict=True)
            if later.uid in people and later.alpha > 0 and later.width > 0 and later.height > 0
        ]
        tile, what = _region_tile(payload, person, tile_size, region, options, drawn, color, above)
        if what == BACKGROUND and backdrop is not None:
            tile = backdrop.crop(box)
        if floating and index > 0 and person is not None and person.audio_only:
            tile, what = None, "transparent"
        drawn.shown.append(what)
        if tile is not None and region.alpha > 0:
            alpha = round(region.alpha * 255)
            canvas.paste(tile, box[:2], Image.new("L", tile_size, alpha) if alpha < 255 else None)
    return canvas, drawn


def _paint_background(
    canvas: Image.Image, background: str | None, options: RenderOptions, drawn: Drawn
) -> None:
    """The payload's `backgroundImage` over the whole canvas, or noted as missing."""
    if not background:
        return
    local = options.images.get(background)
    if local is not None:
        canvas.paste(fitted(local, canvas.size, name=url_name(background)), (0, 0))
    else:
        drawn.missing_images.append(background)


def _region_tile(
    payload: Mapping[str, Any],
    person: Appearance | None,
    size: tuple[int, int],
    region: ResolvedRegion,
    options: RenderOptions,
    drawn: Drawn,
    color: RGB | None,
    above: Sequence[Box],
) -> tuple[Image.Image | None, str]:
    if person is None:
        return None, "empty"
    if person.audio_only or person.video_off:
        url, fit = placeholder_url(payload, person.uid)
        if url is not None:
            local = options.images.get(url)
            if local is None:
                drawn.missing_images.append(url)
                return Image.new("RGB", size, (96, 96, 104)), "card"
            return fitted(local, size, fit, url_name(url)), "placeholder"
        if person.audio_only:
            return None, "audio only"
        return None, BACKGROUND  # video off: the canvas's background image or colour
    return camera_tile(person, size, region.fit, color, options, above), (
        "screen" if person.screen and person.image is None else "video"
    )


OUTLINE = (255, 255, 255)
EMPTY = (200, 200, 200)
OFF_CANVAS = (235, 64, 52)
CAPTION_BG = (24, 24, 28)
CAPTION_FG = (225, 225, 230)


def annotate(
    canvas: Image.Image,
    regions: Sequence[ResolvedRegion],
    drawn: Drawn,
    people: Mapping[str, Appearance],
    min_text: int = 0,
    font: fonts.FontChain | None = None,
) -> Image.Image:
    """The canvas with outlines and tags, above a caption strip (a taller picture); the
    text in `font`, the chain the layout's own text is drawn in (`fonts.font_chain`)."""
    chain = font or fonts.font_chain()
    width, height = canvas.size
    draw = ImageDraw.Draw(canvas)
    size = max(min_text, min(22, round(min(width, height) * 0.028)))  # of tags and captions
    taken: list[Box] = []
    for box, what in zip(drawn.boxes, drawn.shown, strict=True):
        if what in NOT_DRAWN:
            continue
        left, top, right, bottom = box
        inner = (left, top, max(left, min(right, width) - 1), max(top, min(bottom, height) - 1))
        if what in ("empty", "transparent", "audio only"):
            _dashed(draw, inner, EMPTY)
        else:
            draw.rectangle(inner, outline=OUTLINE, width=1)
        if right > width:
            draw.line((width - 2, top, width - 2, min(bottom, height)), fill=OFF_CANVAS, width=3)
        if bottom > height:
            draw.line((left, height - 2, min(right, width), height - 2), fill=OFF_CANVAS, width=3)
    for index, (region, box, what) in enumerate(
        zip(regions, drawn.boxes, drawn.shown, strict=True)
    ):
        if what not in NOT_DRAWN:
            _tag(draw, index, region, box, what, people, (chain, size), taken, (width, height))
    lines = caption_lines(regions, drawn, people, width, height)
    return _with_caption(canvas, lines, chain, size)


def _tag(
    draw: ImageDraw.ImageDraw,
    index: int,
    region: ResolvedRegion,
    box: Box,
    what: str,
    people: Mapping[str, Appearance],
    lettering: tuple[fonts.FontChain, int],
    taken: list[Box],
    canvas: tuple[int, int],
) -> None:
    """`#n · name (state)` at the top left of the region; moved down inside it, or
    shortened to `#n · name` and then `#n`, while it would cover another tag; left out
    when no place is free."""
    chain, size = lettering
    stroke = max(1, size // 10)
    name = _name(region, people)
    state = "" if what in ("video", "empty", "screen") else f" ({what})"
    number = f"#{index + 1}"
    texts = list(dict.fromkeys([f"{number} · {name}{state}", f"{number} · {name}", number]))
    left, top, right, bottom = box
    width, height = canvas
    step = size + 2 * stroke + 2
    for text in texts:
        line = chain.line(text, size)
        ink = line.bbox(stroke)
        w, h = math.ceil(ink[2] - ink[0]), math.ceil(ink[3])
        x = max(0, min(left + 4, width - w - 2))
        if left + 4 + w > min(right, width) and text != number:
            continue  # wider than its region: try the shorter form first
        y = top + 3
        while y + h <= max(min(bottom, height) - 2, top + 3 + h):
            spot = (x, y, x + w, y + h)
            if not any(overlap(spot, other) for other in taken):
                line.draw(draw, (x, y), fill=OUTLINE, stroke_width=stroke, stroke_fill=(0, 0, 0))
                taken.append(spot)
                return
            y += step


def caption_lines(
    regions: Sequence[ResolvedRegion],
    drawn: Drawn,
    people: Mapping[str, Appearance],
    width: int,
    height: int,
) -> list[str]:
    """What the caption says: regions Agora draws nothing of, hidden regions, parts off
    the canvas, people not shown, images not loaded."""
    lines: list[str] = []
    boxes = drawn.boxes
    for i, box in enumerate(boxes):
        what = drawn.shown[i]
        who = _name(regions[i], people)
        who = f"uid {who}" if who.isdigit() else who
        if what == "off canvas":
            edge = "right" if box[0] >= width else "bottom"
            lines.append(
                f"off the canvas: region {i + 1} ({who}) starts at the {edge} edge; "
                "Agora draws nothing of it"
            )
            continue
        if what == "no area":
            if regions[i].uid is not None:
                lines.append(f"no area: region {i + 1} ({who}) is 0 px wide or high")
            continue
        over = next(
            (
                j
                for j in range(i + 1, len(boxes))
                if regions[j].alpha >= 1
                and drawn.shown[j] not in ("empty", "transparent", "audio only", *NOT_DRAWN)
                and _contains(boxes[j], box)
            ),
            None,
        )
        if over is not None:
            lines.append(f"hidden: region {i + 1} ({who}) is under region {over + 1}")
        if box[2] > width or box[3] > height:
            lines.append(
                f"off canvas: region {i + 1} runs past the "
                f"{'right' if box[2] > width else 'bottom'} edge (marked red)"
            )
    placed = {r.uid for r in regions if r.uid is not None}
    hidden = [p.uid for p in people.values() if p.hidden and p.uid not in placed]
    left_out = [p.uid for p in people.values() if not p.hidden and p.uid not in placed]
    if hidden:
        lines.append(f"hidden on purpose: {', '.join(hidden)}")
    if left_out:
        lines.append(f"not shown (no region): {', '.join(left_out)}")
    for url in dict.fromkeys(drawn.missing_images):
        lines.append(f"image not loaded: {url} (pass --image URL=PATH)")
    return lines


def _with_caption(
    canvas: Image.Image, lines: list[str], chain: fonts.FontChain, size: int
) -> Image.Image:
    """The canvas above a strip with `lines`, each wrapped to the picture's width."""
    if not lines:
        return canvas
    width, height = canvas.size
    room = max(width - 16, size * 30)  # a tiny picture's caption is cut, not a tower
    wrapped = [part for line in lines for part in _wrap(line, chain.line, size, room)]
    line_h = round(size * 1.4)
    strip = line_h * len(wrapped) + size
    out = Image.new("RGB", (width, height + strip), CAPTION_BG)
    out.paste(canvas, (0, 0))
    draw = ImageDraw.Draw(out)
    for n, line in enumerate(wrapped):
        chain.line(line, size).draw(draw, (8, height + size // 2 + n * line_h), fill=CAPTION_FG)
    return out


def _wrap(line: str, measure: Callable[[str, int], fonts.Line], size: int, room: int) -> list[str]:
    """`line` in pieces of whole words that fit `room` pixels at `size` (continuations
    indented; a single word wider than the room stands alone)."""
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        attempt = f"{current} {word}" if current else word
        if current and measure(attempt, size).length() > room:
            pieces.append(current)
            current = f"  {word}"
        else:
            current = attempt
    pieces.append(current)
    return pieces


def _name(region: ResolvedRegion, people: Mapping[str, Appearance]) -> str:
    if region.uid is None:
        return "empty"
    person = people.get(region.uid)
    if person is not None and person.label:
        return f"{person.label} {region.uid}"
    return region.uid


def _contains(outer: Box, inner: Box) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and outer[2] >= inner[2]
        and outer[3] >= inner[3]
    )


def _dashed(draw: ImageDraw.ImageDraw, box: Box, color: tuple[int, int, int]) -> None:
    left, top, right, bottom = box
    dash = 8
    for x in range(left, right, dash * 2):
        draw.line((x, top, min(x + dash, right), top), fill=color)
        draw.line((x, bottom, min(x + dash, right), bottom), fill=color)
    for y in range(top, bottom, dash * 2):
        draw.line((left, y, left, min(y + dash, bottom)), fill=color)
        draw.line((right, y, right, min(y + dash, bottom)), fill=color)
