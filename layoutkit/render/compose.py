"""The canvas as Agora composes it: background, then each region in paint order, its
picture scaled to cover (crop) or to fit inside with black bars, blended by its alpha."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from layoutkit.errors import RenderError
from layoutkit.geometry import ResolvedRegion
from layoutkit.render.camera import RGB, check_camera_aspect, load_picture, synthetic_camera
from layoutkit.wire.base import MixedVideoLayout, RenderMode
from layoutkit.wire.layout import LayoutFields

MAX_SCALE = 4.0
MAX_SIDE = 8192
MAX_PIXELS = 40_000_000
BLACK: RGB = (0, 0, 0)


@dataclass(frozen=True)
class Participant:
    """How one participant appears in a preview."""

    uid: str
    label: str | None = None
    camera_aspect: float = 16 / 9
    image: Path | None = None
    video_off: bool = False
    audio_only: bool = False
    hidden: bool = False  # left out of the picture on purpose


@dataclass(frozen=True)
class RenderOptions:
    """`scale` shrinks or grows the output; `clean` leaves out every annotation; `images`
    maps image URLs (background, placeholders) to local files standing in for them."""

    scale: float = 1.0
    clean: bool = False
    images: Mapping[str, Path] = field(default_factory=dict)


@dataclass
class Drawn:
    """What composing did, for the annotations: which region showed what."""

    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # "video", "placeholder", "card", "empty", ...
    missing_images: list[str] = field(default_factory=list)


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
    left, top = round(region.x * width), round(region.y * height)
    right = round((region.x + region.width) * width)
    bottom = round((region.y + region.height) * height)
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


def camera_tile(person: Participant, size: tuple[int, int], fit: str) -> Image.Image:
    """The participant's picture for a region of `size` pixels."""
    w, h = size
    if person.image is not None:
        picture = load_picture(person.image)
        return contain(picture, size) if fit == "fit" else cover(picture, size)
    aspect = check_camera_aspect(person.camera_aspect)
    label = person.label or ""
    if fit == "fit":
        cw, ch = (
            (w, max(1, round(w / aspect))) if w / h < aspect else (max(1, round(h * aspect)), h)
        )
        tile = Image.new("RGB", size, BLACK)
        tile.paste(synthetic_camera(person.uid, label, cw, ch), ((w - cw) // 2, (h - ch) // 2))
        return tile
    cw, ch = (
        (max(w, math.ceil(h * aspect)), h) if w / h < aspect else (w, max(h, math.ceil(w / aspect)))
    )
    picture = synthetic_camera(person.uid, label, cw, ch)
    left, top = (cw - w) // 2, (ch - h) // 2
    return picture.crop((left, top, left + w, top + h))


def placeholder_url(payload: LayoutFields, uid: str) -> tuple[str | None, str]:
    """The image Agora shows for a user without video, and how it is scaled."""
    for entry in payload.background_config or []:
        if entry.uid == uid:
            return entry.image_url, "fit" if entry.render_mode == RenderMode.FIT else "crop"
    return payload.default_user_background_image, "crop"


def compose(
    payload: LayoutFields,
    regions: Sequence[ResolvedRegion],
    size: tuple[int, int],
    people: Mapping[str, Participant],
    options: RenderOptions,
) -> tuple[Image.Image, Drawn]:
    """The canvas at `size` pixels and a record of what each region shows."""
    canvas = Image.new("RGB", size, hex_rgb(payload.background_color))
    drawn = Drawn()
    if payload.background_image:
        local = options.images.get(payload.background_image)
        if local is not None:
            canvas.paste(cover(load_picture(local), size), (0, 0))
        else:
            drawn.missing_images.append(payload.background_image)
    floating = payload.mixed_video_layout in (None, MixedVideoLayout.FLOATING)
    for index, region in enumerate(regions):
        box = pixel_box(region, *size)
        drawn.boxes.append(box)
        tile_size = (box[2] - box[0], box[3] - box[1])
        person = people.get(region.uid) if region.uid is not None else None
        tile, what = _region_tile(payload, person, tile_size, region, options, drawn)
        if floating and index > 0 and person is not None and person.audio_only:
            tile, what = None, "transparent"
        drawn.shown.append(what)
        if tile is None:
            continue
        if region.alpha >= 1.0:
            canvas.paste(tile, box[:2])
        elif region.alpha > 0:
            mask = Image.new("L", tile_size, round(region.alpha * 255))
            canvas.paste(tile, box[:2], mask)
    return canvas, drawn


def _region_tile(
    payload: LayoutFields,
    person: Participant | None,
    size: tuple[int, int],
    region: ResolvedRegion,
    options: RenderOptions,
    drawn: Drawn,
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
            picture = load_picture(local)
            return (contain(picture, size) if fit == "fit" else cover(picture, size)), "placeholder"
        if person.audio_only:
            return None, "audio only"
        return camera_tile(person, size, region.fit), "last frame"
    return camera_tile(person, size, region.fit), "video"


__all__ = [
    "MAX_PIXELS",
    "MAX_SCALE",
    "MAX_SIDE",
    "Drawn",
    "Participant",
    "RenderOptions",
    "canvas_size",
    "compose",
    "contain",
    "cover",
    "hex_rgb",
    "pixel_box",
    "placeholder_url",
]
