"""Annotations over a composed canvas: outlines, region numbers and names, the parts that
fall off the canvas, and a caption strip below listing what the picture cannot show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PIL import Image, ImageDraw

from layoutkit.geometry import ResolvedRegion
from layoutkit.render.camera import font
from layoutkit.render.compose import Drawn, Participant

OUTLINE = (255, 255, 255)
EMPTY = (200, 200, 200)
OFF_CANVAS = (235, 64, 52)
CAPTION_BG = (24, 24, 28)
CAPTION_FG = (225, 225, 230)


def annotate(
    canvas: Image.Image,
    regions: Sequence[ResolvedRegion],
    drawn: Drawn,
    people: Mapping[str, Participant],
) -> Image.Image:
    """The canvas with outlines and tags, above a caption strip (a taller picture)."""
    width, height = canvas.size
    draw = ImageDraw.Draw(canvas)
    tag_size = max(10, min(22, round(min(width, height) * 0.028)))
    for index, (region, box, what) in enumerate(
        zip(regions, drawn.boxes, drawn.shown, strict=True)
    ):
        left, top, right, bottom = box
        inner = (left, top, min(right, width) - 1, min(bottom, height) - 1)
        if what in ("empty", "transparent", "audio only"):
            _dashed(draw, inner, EMPTY)
        else:
            draw.rectangle(inner, outline=OUTLINE, width=1)
        name = _name(region, people)
        text = f"#{index + 1} · {name}" + ("" if what in ("video", "empty") else f" ({what})")
        draw.text(
            (left + 4, top + 3),
            text,
            font=font(tag_size),
            fill=OUTLINE,
            stroke_width=2,
            stroke_fill=(0, 0, 0),
        )
        if right > width:
            draw.line((width - 2, top, width - 2, min(bottom, height)), fill=OFF_CANVAS, width=3)
        if bottom > height:
            draw.line((left, height - 2, min(right, width), height - 2), fill=OFF_CANVAS, width=3)
    lines = caption_lines(regions, drawn, people, width, height)
    return _with_caption(canvas, lines, tag_size)


def caption_lines(
    regions: Sequence[ResolvedRegion],
    drawn: Drawn,
    people: Mapping[str, Participant],
    width: int,
    height: int,
) -> list[str]:
    """What the caption says: hidden regions, parts off the canvas, people not shown,
    images not loaded."""
    lines: list[str] = []
    boxes = drawn.boxes
    for i, box in enumerate(boxes):
        over = next(
            (
                j
                for j in range(i + 1, len(boxes))
                if regions[j].alpha >= 1
                and drawn.shown[j] not in ("empty", "transparent", "audio only")
                and _contains(boxes[j], box)
            ),
            None,
        )
        if over is not None:
            lines.append(
                f"hidden: region {i + 1} ({_name(regions[i], people)}) is under region {over + 1}"
            )
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


def _with_caption(canvas: Image.Image, lines: list[str], size: int) -> Image.Image:
    if not lines:
        return canvas
    width, height = canvas.size
    line_h = round(size * 1.4)
    strip = line_h * len(lines) + size
    out = Image.new("RGB", (width, height + strip), CAPTION_BG)
    out.paste(canvas, (0, 0))
    draw = ImageDraw.Draw(out)
    for n, line in enumerate(lines):
        draw.text((8, height + size // 2 + n * line_h), line, font=font(size), fill=CAPTION_FG)
    return out


def _name(region: ResolvedRegion, people: Mapping[str, Participant]) -> str:
    if region.uid is None:
        return "empty"
    person = people.get(region.uid)
    if person is not None and person.label:
        return f"{person.label} {region.uid}"
    return region.uid


def _contains(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int]) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and outer[2] >= inner[2]
        and outer[3] >= inner[3]
    )


def _dashed(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], color: tuple[int, int, int]
) -> None:
    left, top, right, bottom = box
    dash = 8
    for x in range(left, right, dash * 2):
        draw.line((x, top, min(x + dash, right), top), fill=color)
        draw.line((x, bottom, min(x + dash, right), bottom), fill=color)
    for y in range(top, bottom, dash * 2):
        draw.line((left, y, left, min(y + dash, bottom)), fill=color)
        draw.line((right, y, right, min(y + dash, bottom)), fill=color)


__all__ = ["annotate", "caption_lines"]
