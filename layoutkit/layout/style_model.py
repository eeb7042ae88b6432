"""What a layout draws around and instead of video (docs/format.md, "Names, frames and
logos"): a region's or grid's `frame`, `label` and `card`, the canvas's `decor` items,
everyone's `card` and the `font`. Agora draws no text over video; these become the canvas
background image and the video-off images (`compile.style`, `render.style`).

A label's and a card's `text` is a Jinja expression (no braces) evaluated for the person
the region shows: `name` (the default), `role | upper`, `"'Host: ' ~ name"`.
"""

from __future__ import annotations

from typing import Literal

from layoutkit.geometry import MIN_FONT_PX, Length
from layoutkit.layout.fields import Nested, field, optional
from layoutkit.layout.kinds import Choice, Integer, Text
from layoutkit.layout.values import COLOR, FIT, LENGTH, TEXT, FitName, _Model, _model

MAX_FONT_PX = 1000
Align = Literal["left", "center", "right"]
ALIGN = Choice(("left", "center", "right"))
EXPRESSION = Text(min_length=1)
PATH = Text(min_length=1)
FONT_SIZE = Integer(ge=MIN_FONT_PX, le=MAX_FONT_PX, hint="; a size in pixels is a number: 20")


@_model
class FrameSpec(_Model):
    """A band of `color` around the video, `width` wide: the video is inset by it."""

    width: Length = field(LENGTH, default=Length(4.0, "px"))
    color: str = field(COLOR, default="#FFFFFF")


@_model
class LabelSpec(_Model):
    """A name strip `height` tall `below` (or `above`) the video, inside the region: the
    video is shortened by it. `size` is the text's pixel size (shrunk to `min_size` to fit,
    then cut with "..."); `background` None lets the canvas show behind the text."""

    text: str = field(EXPRESSION, default="name")
    position: Literal["below", "above"] = field(Choice(("below", "above")), default="below")
    height: Length = field(LENGTH, default=Length(6.0, "%"))
    size: int | None = optional(FONT_SIZE)
    min_size: int | None = optional(FONT_SIZE)
    color: str = field(COLOR, default="#FFFFFF")
    background: str | None = optional(COLOR)
    align: Align = field(ALIGN, default="center")


@_model
class CardSpec(_Model):
    """What Agora shows while the person's video is off: `color` (or the local `image`,
    cropped to cover), their initials large and `text` (their name) below, in
    `text_color`."""

    color: str = field(COLOR, default="#2D3340")
    text_color: str = field(COLOR, default="#FFFFFF")
    image: str | None = optional(PATH)
    text: str = field(EXPRESSION, default="name")


@_model
class DecorSpec(_Model):
    """One thing drawn on the canvas background, under the video: an `image` (a local
    file, such as a logo), a line of `text` (a title) or a rectangle `fill`ed with a
    colour; placed like a region."""

    image: str | None = optional(PATH)
    text: str | None = optional(TEXT)
    fill: str | None = optional(COLOR)
    x: Length | None = optional(LENGTH)
    y: Length | None = optional(LENGTH)
    right: Length | None = optional(LENGTH)
    bottom: Length | None = optional(LENGTH)
    width: Length = field(LENGTH, aliases=("w",))
    height: Length = field(LENGTH, aliases=("h",))
    fit: FitName = field(FIT, default="fit")
    size: int | None = optional(FONT_SIZE)
    min_size: int | None = optional(FONT_SIZE)
    color: str = field(COLOR, default="#FFFFFF")
    background: str | None = optional(COLOR)
    align: Align = field(ALIGN, default="center")


FRAME = Nested(FrameSpec, example='{width: 6px, color: "#FFCC00"}')
LABEL = Nested(LabelSpec, example="{} (a strip with the name), or {height: 40px, ...}")
CARD = Nested(CardSpec, example='{} (the default card), or {color: "#334455"}')

__all__ = [
    "CARD",
    "FRAME",
    "LABEL",
    "MAX_FONT_PX",
    "CardSpec",
    "DecorSpec",
    "FrameSpec",
    "LabelSpec",
]
