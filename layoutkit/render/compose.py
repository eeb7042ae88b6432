"""The canvas as Agora composes it: background, then each region in paint order, its
picture scaled to cover (crop) or to fit inside with black bars, blended by its alpha.
A region with no area, or wholly off the canvas (starting at its right or bottom edge),
draws nothing.

A user whose video is off shows, in the steady state Agora reaches after about 3.5 s
(it keeps the last frame only that long): their background image (`backgroundConfig`,
else `defaultUserBackgroundImage`), else the canvas's `backgroundImage`, else the
background colour (develop/composite-mode of Agora's current docs)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from PIL import Image

from layoutkit.cameras import DEFAULT_ASPECT
from layoutkit.errors import RenderError
from layoutkit.geometry import ResolvedRegion
from layoutkit.render.camera import (
    MIN_TEXT_PX,
    RGB,
    TITLE_BAR_SHARE,
    Box,
    check_camera_aspect,
    draw_label,
    load_picture,
    load_picture_bytes,
    participant_color,
    synthetic_camera,
)
from layoutkit.render.fonts import FontChain
from layoutkit.wire.rules import MixedVideoLayout, RenderMode

MAX_SCALE = 4.0
MAX_SIDE = 8192
MAX_PIXELS = 40_000_000
BLACK: RGB = (0, 0, 0)


@dataclass(frozen=True)
class Appearance:
    """How one participant appears in a preview: `camera_aspect` is the shape of the
    picture, `screen` draws a shared screen (a slide) instead of a camera, `color_index`
    picks the colour (None: the participant's place in the list given to the renderer,
    which is the join order)."""

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
    """`scale` shrinks or grows the output; `clean` leaves out every annotation; `images`
    maps image URLs (background, placeholders) to what stands in for them: a local file,
    or the encoded image itself (JPEG, BMP, PNG bytes, e.g. the style images just drawn);
    `min_text` is the smallest text size in pixels of this picture (raise it when the
    picture is shown smaller, e.g. shrunk into a sheet cell), at least MIN_TEXT_PX;
    `font` the chain tags and captions are drawn in (a styled layout's, with its
    `font:`; None: the chain without one)."""

    scale: float = 1.0
    clean: bool = False
    images: Mapping[str, Path | bytes] = field(default_factory=dict)
    min_text: int = MIN_TEXT_PX
    font: FontChain | None = None


@dataclass
class Drawn:
    """What composing did, for the annotations: which region showed what."""

    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    # "video", "screen", "placeholder", "card", "background", "empty", "off canvas",
    # "no area", ...
    shown: list[str] = field(default_factory=list)
    missing_images: list[str] = field(default_factory=list)


def stand_in(
    url: str, local: Path | bytes, size: tuple[int, int], *, fill: bool = True
) -> Image.Image:
    """The picture standing in for the image at `url`: a local file, or encoded bytes
    (named by `url` in errors, without its query, which may hold a signature), decoded
    at about the `size` it is drawn (`fill`: covering it, else fitting in it); RGB,
    cached (treat it as read-only)."""
    if isinstance(local, bytes):
        return load_picture_bytes(local, url_name(url), size, cover=fill)
    return load_picture(local, size, cover=fill)


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


def cover(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale to cover `size` and crop the centre (Agora's render_mode 0)."""
    w, h = size
    pw, ph = picture.size
    factor = max(w / pw, h / ph)
    sw, sh = max(w, round(pw * factor)), max(h, round(ph * factor))
    scaled = (
        picture if (sw, sh) == (pw, ph) else picture.resize((sw, sh), Image.Resampling.BILINEAR)
    )
    left, top = (sw - w) // 2, (sh - h) // 2
    return scaled.crop((left, top, left + w, top + h))


def contain(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale to fit inside `size`, centred on black (Agora's render_mode 1)."""
    w, h = size
    pw, ph = picture.size
    factor = min(w / pw, h / ph)
    sw, sh = max(1, round(pw * factor)), max(1, round(ph * factor))
    tile = Image.new("RGB", size, BLACK)
    tile.paste(picture.resize((sw, sh), Image.Resampling.BILINEAR), ((w - sw) // 2, (h - sh) // 2))
    return tile


NOT_DRAWN = ("off canvas", "no area")  # what a region Agora draws nothing of shows
BACKGROUND = "background"  # a user without video and without an image of their own


def colors_of(people: Mapping[str, Appearance]) -> dict[str, RGB]:
    """Each participant's colour: by `color_index`, else by place in join order."""
    return {
        uid: participant_color(p.color_index if p.color_index is not None else index)
        for index, (uid, p) in enumerate(people.items())
    }


def camera_tile(
    person: Appearance,
    size: tuple[int, int],
    fit: str,
    color: RGB | None = None,
    options: RenderOptions | None = None,
    avoid: Sequence[Box] = (),
) -> Image.Image:
    """The participant's picture for a region of `size` pixels, named (unless it is a
    real picture) where the name fits legibly, clear of the `avoid` boxes (in the tile's
    pixels: the regions painted over it)."""
    w, h = size
    if person.image is not None:
        picture = load_picture(person.image, size, cover=fit != "fit")
        return contain(picture, size) if fit == "fit" else cover(picture, size)
    aspect = check_camera_aspect(person.camera_aspect)
    base = color or participant_color(0)
    if fit == "fit":
        cw, ch = (
            (w, max(1, round(w / aspect))) if w / h < aspect else (max(1, round(h * aspect)), h)
        )
        tile = Image.new("RGB", size, BLACK)
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
    colors = colors_of(people)
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
        canvas.paste(cover(stand_in(background, local, canvas.size), canvas.size), (0, 0))
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
            picture = stand_in(url, local, size, fill=fit != "fit")
            return (contain(picture, size) if fit == "fit" else cover(picture, size)), "placeholder"
        if person.audio_only:
            return None, "audio only"
        return None, BACKGROUND  # video off: the canvas's background image or colour
    return camera_tile(person, size, region.fit, color, options, above), (
        "screen" if person.screen and person.image is None else "video"
    )
