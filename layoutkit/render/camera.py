"""Pictures that stand for participants: a synthetic camera picture (its own colour and a
framing pattern that makes cropping visible) or a shared screen drawn as a slide, and
their name labels."""

from __future__ import annotations

import colorsys
import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from layoutkit.cameras import check_camera_aspect as _check_shape
from layoutkit.errors import RenderError
from layoutkit.render import fonts
from layoutkit.render.pictures import Box, PictureCache

RGB = tuple[int, int, int]
CAMERA_CACHE_BYTES = 64 << 20  # the drawn camera pictures kept for reuse
MIN_TEXT_PX = 14  # the smallest text drawn, in pixels of the picture as finally shown
WHITE: RGB = (255, 255, 255)


def check_camera_aspect(aspect: float) -> float:
    """A camera's width/height, or RenderError when it is not a plausible shape."""
    try:
        return _check_shape(aspect)
    except ValueError as exc:
        raise RenderError(str(exc)) from None


_GOLDEN_ANGLE = 0.3819660112501051  # of a turn: 137.5°
_SATURATION = (0.55, 0.68, 0.45)  # cycled, so hues that come back close differ in tone
_VALUE = (0.90, 0.80, 0.95)


def participant_color(index: int) -> RGB:
    """The colour of the participant who joined `index`-th: hues step by the golden
    angle, saturation and brightness cycle in threes, so neighbours differ. Never dark."""
    hue = (0.62 + index * _GOLDEN_ANGLE) % 1.0
    tone = index % 3
    r, g, b = colorsys.hsv_to_rgb(hue, _SATURATION[tone], _VALUE[tone])
    return round(r * 255), round(g * 255), round(b * 255)


def shade(color: RGB, factor: float) -> RGB:
    """Darker (factor < 1) or lighter (factor > 1, towards white) version of a colour."""
    if factor <= 1:
        return (round(color[0] * factor), round(color[1] * factor), round(color[2] * factor))
    t = min(factor - 1, 1.0)
    return (
        round(color[0] + (255 - color[0]) * t),
        round(color[1] + (255 - color[1]) * t),
        round(color[2] + (255 - color[2]) * t),
    )


CAMERA_CACHE = PictureCache(max_bytes=CAMERA_CACHE_BYTES)


def synthetic_camera(width: int, height: int, color: RGB, *, screen: bool = False) -> Image.Image:
    """A camera picture (or a slide) in a participant's colour; cached: read-only."""
    key = ("screen" if screen else "camera", color, width, height)
    draw = _draw_screen if screen else _draw_camera
    return CAMERA_CACHE.get(key, lambda: draw(width, height, color))


def _draw_camera(width: int, height: int, base: RGB) -> Image.Image:
    """Edge bands and corner marks (cropping cuts them away), a head and shoulders, a
    centre cross whose exact centre keeps the participant's colour (tests find it)."""
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    band = max(1, round(short * 0.04))
    dark = shade(base, 0.55)
    for box in (
        (0, 0, width - 1, band - 1),
        (0, height - band, width - 1, height - 1),
        (0, 0, band - 1, height - 1),
        (width - band, 0, width - 1, height - 1),
    ):
        draw.rectangle(box, fill=dark)
    light = shade(base, 1.35)
    cx, cy = width / 2, height / 2
    head = short * 0.13
    draw.ellipse((cx - head, cy - short * 0.40, cx + head, cy - short * 0.40 + 2 * head), light)
    # the shoulders run off the bottom edge whatever the shape (a portrait too)
    shoulders = max(cy + short * 0.9, height + short * 0.1)
    draw.ellipse((cx - short * 0.38, cy + short * 0.16, cx + short * 0.38, shoulders), light)
    arm, gap, line = short * 0.12, short * 0.06, max(1, round(short * 0.012))
    for x0, y0, x1, y1 in (
        (cx - gap - arm, cy, cx - gap, cy),
        (cx + gap, cy, cx + gap + arm, cy),
        (cx, cy - gap - arm, cx, cy - gap),
        (cx, cy + gap, cx, cy + gap + arm),
    ):
        draw.line((x0, y0, x1, y1), fill=WHITE, width=line)
    mark = short * 0.12
    inset = band + max(1, round(short * 0.02))
    for sx, sy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        x = inset if sx == 0 else width - 1 - inset
        y = inset if sy == 0 else height - 1 - inset
        dx = mark if sx == 0 else -mark
        dy = mark if sy == 0 else -mark
        draw.line((x, y, x + dx, y), fill=WHITE, width=line * 2)
        draw.line((x, y, x, y + dy), fill=WHITE, width=line * 2)
    return image


SLIDE_PAGE: RGB = (246, 247, 250)
SLIDE_TEXT: RGB = (178, 184, 196)
TITLE_BAR_SHARE = 0.20  # of the slide's height


def _draw_screen(width: int, height: int, base: RGB) -> Image.Image:
    """A slide: a title bar, bulleted lines, a bar chart in the participant's colour and
    an empty footer band."""
    image = Image.new("RGB", (width, height), SLIDE_PAGE)
    draw = ImageDraw.Draw(image)
    u = height / 100  # one hundredth of the height: the slide is laid out top to bottom
    bar = max(2, round(height * TITLE_BAR_SHARE))
    draw.rectangle((0, 0, width - 1, bar - 1), fill=shade(base, 0.28))
    draw.rectangle((width * 0.05, u * 7.5, width * 0.47, u * 12.5), fill=(232, 234, 240))
    thick = max(1, round(u * 3.5))
    for n, share in enumerate((0.40, 0.32, 0.37, 0.26)):
        y = u * (30 + n * 11)
        draw.rectangle((width * 0.07, y, width * 0.07 + thick, y + thick), fill=base)
        x = width * 0.07 + thick * 2.5
        draw.rectangle((x, y, x + width * share, y + thick), SLIDE_TEXT)
    chart_left, chart_right, floor = width * 0.62, width * 0.93, u * 74
    column = (chart_right - chart_left) / 4
    for n, share in enumerate((0.35, 0.55, 0.45, 0.7)):
        x = chart_left + n * column
        draw.rectangle((x + column * 0.15, floor - share * u * 42, x + column * 0.85, floor), base)
    line = max(1, round(u * 0.6))
    draw.line((chart_left, floor, chart_right, floor), fill=SLIDE_TEXT, width=line)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(150, 156, 170), width=line)
    return image


def draw_label(
    image: Image.Image,
    area: Box,
    texts: Sequence[str],
    size: int,
    *,
    color: RGB,
    room: float,
    title_bar: tuple[int, int, int] | None = None,
    avoid: Sequence[Box] = (),
) -> bool:
    """Write the first of `texts` that fits inside `area` (the visible part of the
    picture), clear of the `avoid` boxes: on a camera white, low, moved up while covered;
    on a slide (`title_bar`: its bar's top and bottom, the slide's bottom) in the bar or
    the footer. False when nothing fits or the area is under `room` text sizes high."""
    left, top, right, bottom = area
    if bottom - top < size * room:
        return False
    margin = max(2, size // 3)
    stroke = 0 if title_bar is not None else max(1, size // 10)
    for text in texts:
        written = fonts.line(text, size)
        ink = written.bbox(stroke)
        w, h = math.ceil(ink[2] - ink[0]), math.ceil(ink[3])
        if w + 2 * margin > right - left:
            continue
        for x, y, fill in _label_spots(area, w, h, margin, title_bar):
            spot = (x, y, x + w, y + h)
            if any(overlap(spot, other) for other in avoid):
                continue
            written.draw(
                ImageDraw.Draw(image),
                (x, y),
                fill=fill,
                stroke_width=stroke,
                stroke_fill=shade(color, 0.35),
            )
            return True
    return False


def _label_spots(
    area: Box, w: int, h: int, margin: int, title_bar: tuple[int, int, int] | None
) -> list[tuple[int, int, RGB]]:
    """Where a label `w`×`h` may go, best first: (left, top, colour)."""
    left, top, right, bottom = area
    if title_bar is not None:  # a slide: the title bar's right, else the footer
        spots = []
        bar_top, bar_bottom = max(top, title_bar[0]), min(bottom, title_bar[1])
        if bar_bottom - bar_top >= h + 4:
            y = (bar_top + bar_bottom - h) // 2
            spots.append((right - margin - w, y, (214, 218, 228)))
        grey = (96, 102, 116)
        y = min(bottom, title_bar[2]) - margin - h
        spots += [(right - margin - w, y, grey), (left + margin, y, grey)]
        return spots
    x = (left + right - w) // 2
    lowest = bottom - margin - h - max(1, h // 8)
    step = max(2, h // 2)
    return [(x, y, WHITE) for y in range(lowest, top + margin - 1, -step)]


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
