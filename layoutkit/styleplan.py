"""What to draw into the images Agora shows around and instead of video, in canvas pixels.

Agora cannot draw text over video, but it draws a canvas background image under every
region and a per-user image while that user's video is off. A `StylePlan` says what those
images hold: marks painted in order on the background colour, and a `CardPlan` per user.
It is plain data (the standard library only), made by `compile.style` from checked values
and drawn by `render.style`; `where` is the place (`file:line:column`) of the layout value
a mark comes from, for messages about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "center", "right"]
Fit = Literal["fit", "crop"]


@dataclass(frozen=True)
class PixelRect:
    """A rectangle in canvas pixels: left, top, width, height (width and height ≥ 1)."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def overlaps(self, other: PixelRect) -> bool:
        """Whether the two rectangles share a pixel."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom), right and bottom exclusive."""
        return self.x, self.y, self.right, self.bottom


@dataclass(frozen=True)
class FrameMark:
    """A band `width` pixels wide just inside `rect` (the video is inset by as much)."""

    rect: PixelRect
    width: int
    color: str


@dataclass(frozen=True)
class TextMark:
    """One line of text in `rect`, drawn at `size` px, shrunk down to `min_size` to fit,
    then cut with an ellipsis; on `background` (None: on what is painted below)."""

    rect: PixelRect
    text: str
    size: int
    min_size: int
    color: str
    background: str | None = None
    align: Align = "center"
    where: str = ""


@dataclass(frozen=True)
class ImageMark:
    """A local image file (a logo) scaled into `rect`, centred: `fit` whole inside it,
    `crop` to cover it."""

    rect: PixelRect
    path: str
    fit: Fit = "fit"
    where: str = ""


@dataclass(frozen=True)
class FillMark:
    """`rect` filled with `color`."""

    rect: PixelRect
    color: str


Mark = FrameMark | TextMark | ImageMark | FillMark


@dataclass(frozen=True)
class CardPlan:
    """The picture shown for user `uid` while their video is off, `width`×`height` px:
    `color` (or the local `image`, cropped to cover), `initials` large in the middle, the
    name (`text`) below them, both in `text_color`."""

    uid: str
    width: int
    height: int
    color: str
    text: str
    initials: str
    text_color: str
    image: str | None = None
    where: str = ""


@dataclass(frozen=True)
class StylePlan:
    """The canvas background image (`width`×`height`, `background` colour, then `marks`)
    and the video-off cards, one per uid. Every text is drawn in `font`, a local TTF/OTF
    file (None: the built-in font); `font_where` is the place of the value it came from."""

    width: int
    height: int
    background: str
    marks: tuple[Mark, ...] = ()
    cards: tuple[CardPlan, ...] = ()
    font: str | None = None
    font_where: str = ""
