"""Annotations over a composed canvas: outlines, region numbers and names, the parts that
fall off the canvas, and a caption strip below listing what the picture cannot show.

Text is never smaller than `RenderOptions.min_text` (raised by sheets, whose cells shrink
the picture), tags step aside (down inside their region, or to a shorter form) rather
than cover one another, and a tag that finds no free place is left out: the caption
still lists what matters. All of it is written in the font chain of `render.fonts`, as
the style images' labels are (names in any script draw where a font has them)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from PIL import Image, ImageDraw

from layoutkit.geometry import ResolvedRegion
from layoutkit.render import fonts
from layoutkit.render.camera import Box
from layoutkit.render.compose import NOT_DRAWN, Appearance, Drawn

OUTLINE = (255, 255, 255)
EMPTY = (200, 200, 200)
OFF_CANVAS = (235, 64, 52)
CAPTION_BG = (24, 24, 28)
CAPTION_FG = (225, 225, 230)


def tag_size(width: int, height: int, min_text: int) -> int:
    """The size of tags and captions: about 2.8% of the picture's short side, 22 px at
    most, never under `min_text`."""
    return max(min_text, min(22, round(min(width, height) * 0.028)))


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
    size = tag_size(width, height, min_text)
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
            if not any(_overlap(spot, other) for other in taken):
                line.draw(draw, (x, y), fill=OUTLINE, stroke_width=stroke, stroke_fill=(0, 0, 0))
                taken.append(spot)
                return
            y += step


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


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
