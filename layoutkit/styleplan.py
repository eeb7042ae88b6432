"""What to draw into the images Agora shows around and instead of video, in canvas pixels.

Agora Cloud Recording cannot draw text over video, but it draws a canvas background image
(`backgroundImage`) under every region and a per-user image while that user's video is
off (`backgroundConfig`). A `StylePlan` says what those images hold: the canvas's
background colour, then marks painted in order (frames around regions, name strips,
images such as a logo, filled rectangles), and a `CardPlan` per user for video-off.

The plan is plain data (standard library only), checked as it is made: a rectangle
outside the canvas, a frame as wide as half its rectangle, a colour that is not
`#RRGGBB` raise `ValueError` saying what is wrong. `render.style` draws it (Pillow).
`where` is the place of the layout value a mark comes from (`file:line:column`), so
messages about it can name it. Text is drawn in the plan's `font` (a local TTF/OTF file;
None: the preview's built-in font), at each mark's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from layoutkit.geometry import MIN_FONT_PX

Align = Literal["left", "center", "right"]
Fit = Literal["fit", "crop"]

ALIGNS: tuple[Align, ...] = ("left", "center", "right")
FITS: tuple[Fit, ...] = ("fit", "crop")

_HEX_RE = re.compile(r"#[0-9A-F]{6}")


def _whole(value: object, name: str, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number of pixels, not {value!r}")
    if value < least:
        raise ValueError(f"{name} must be at least {least}, not {value}")
    return value


def _color(value: object, name: str) -> str:
    if not isinstance(value, str) or not _HEX_RE.fullmatch(value):
        raise ValueError(f'{name} must be a colour written "#RRGGBB" (upper case), not {value!r}')
    return value


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {value!r}")
    return value


@dataclass(frozen=True)
class PixelRect:
    """A rectangle in canvas pixels: left, top, width, height (width and height ≥ 1)."""

    x: int
    y: int
    width: int
    height: int

    def __post_init__(self) -> None:
        _whole(self.x, "x", least=0)
        _whole(self.y, "y", least=0)
        _whole(self.width, "width", least=1)
        _whole(self.height, "height", least=1)

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

    def __str__(self) -> str:
        return f"{self.width}×{self.height} at ({self.x}, {self.y})"


def _rect(value: object) -> PixelRect:
    if not isinstance(value, PixelRect):
        raise ValueError(f"rect must be a PixelRect, not {value!r}")
    return value


@dataclass(frozen=True)
class FrameMark:
    """A band `width` pixels wide just inside `rect` (a frame around the video, which is
    inset by as much); `width` is under half of `rect`'s smaller side."""

    rect: PixelRect
    width: int
    color: str

    def __post_init__(self) -> None:
        rect = _rect(self.rect)
        _whole(self.width, "frame width", least=1)
        _color(self.color, "frame colour")
        if 2 * self.width >= min(rect.width, rect.height):
            raise ValueError(
                f"a frame {self.width} px wide does not fit inside {rect}: it must be "
                f"under half the smaller side ({min(rect.width, rect.height)} px)"
            )


@dataclass(frozen=True)
class TextMark:
    """One line of text in `rect` (a name strip, a title): drawn at `size` px, shrunk down
    to `min_size` to fit, then cut with an ellipsis; on `background` (None: on what is
    painted below), aligned in the strip."""

    rect: PixelRect
    text: str
    size: int
    min_size: int
    color: str
    background: str | None = None
    align: Align = "center"
    where: str = ""

    def __post_init__(self) -> None:
        _rect(self.rect)
        _text(self.text, "text")
        _text(self.where, "where")
        _whole(self.min_size, "min_size", least=MIN_FONT_PX)
        _whole(self.size, "size", least=self.min_size)
        _color(self.color, "text colour")
        if self.background is not None:
            _color(self.background, "text background")
        if self.align not in ALIGNS:
            raise ValueError(f"align must be one of {', '.join(ALIGNS)}, not {self.align!r}")


@dataclass(frozen=True)
class ImageMark:
    """A local image file (a logo) scaled into `rect`: `fit` whole inside it (centred; what
    is below shows around it), `crop` to cover it (centred)."""

    rect: PixelRect
    path: str
    fit: Fit = "fit"
    where: str = ""

    def __post_init__(self) -> None:
        _rect(self.rect)
        if not _text(self.path, "image path"):
            raise ValueError("image path must not be empty")
        _text(self.where, "where")
        if self.fit not in FITS:
            raise ValueError(f"fit must be one of {', '.join(FITS)}, not {self.fit!r}")


@dataclass(frozen=True)
class FillMark:
    """`rect` filled with `color`."""

    rect: PixelRect
    color: str

    def __post_init__(self) -> None:
        _rect(self.rect)
        _color(self.color, "fill colour")


Mark = FrameMark | TextMark | ImageMark | FillMark
MARK_TYPES = (FrameMark, TextMark, ImageMark, FillMark)


@dataclass(frozen=True)
class CardPlan:
    """The picture Agora shows for user `uid` while their video is off, `width`×`height`
    px: `color` (or the local `image`, cropped to cover), `initials` large in the middle,
    the name (`text`) below them, both in `text_color`."""

    uid: str
    width: int
    height: int
    color: str
    text: str
    initials: str
    text_color: str
    image: str | None = None
    where: str = ""

    def __post_init__(self) -> None:
        if not _text(self.uid, "uid"):
            raise ValueError("a card's uid must not be empty")
        _whole(self.width, "card width", least=1)
        _whole(self.height, "card height", least=1)
        _color(self.color, "card colour")
        _text(self.text, "card text")
        _text(self.initials, "card initials")
        _color(self.text_color, "card text colour")
        if self.image is not None and not _text(self.image, "card image"):
            raise ValueError("a card's image path must not be empty")
        _text(self.where, "where")


@dataclass(frozen=True)
class StylePlan:
    """The canvas background image (`width`×`height`, `background` colour, then `marks`
    in order) and the video-off cards, one per uid. Every text (marks and cards) is drawn
    in `font`, a local TTF/OTF file (None: the preview's built-in font); `font_where` is
    the place of the layout value it came from."""

    width: int
    height: int
    background: str
    marks: tuple[Mark, ...] = ()
    cards: tuple[CardPlan, ...] = ()
    font: str | None = None
    font_where: str = ""

    def __post_init__(self) -> None:
        _whole(self.width, "canvas width", least=1)
        _whole(self.height, "canvas height", least=1)
        _color(self.background, "background colour")
        if self.font is not None and not _text(self.font, "font"):
            raise ValueError("the font path must not be empty")
        _text(self.font_where, "font_where")
        if not isinstance(self.marks, tuple) or not isinstance(self.cards, tuple):
            raise ValueError("marks and cards must be tuples")
        for index, mark in enumerate(self.marks):
            if not isinstance(mark, MARK_TYPES):
                raise ValueError(f"marks[{index}] is not a mark: {mark!r}")
            rect = mark.rect
            if rect.right > self.width or rect.bottom > self.height:
                raise ValueError(
                    f"marks[{index}] ({type(mark).__name__}) {rect} reaches past the "
                    f"{self.width}×{self.height} canvas"
                )
        seen: set[str] = set()
        for index, card in enumerate(self.cards):
            if not isinstance(card, CardPlan):
                raise ValueError(f"cards[{index}] is not a CardPlan: {card!r}")
            if card.uid in seen:
                raise ValueError(f"cards[{index}]: uid {card.uid!r} has a card already")
            seen.add(card.uid)

    @property
    def is_empty(self) -> bool:
        """Nothing to draw but the background colour: no marks and no cards."""
        return not self.marks and not self.cards


__all__ = [
    "ALIGNS",
    "FITS",
    "MARK_TYPES",
    "MIN_FONT_PX",
    "Align",
    "CardPlan",
    "FillMark",
    "Fit",
    "FrameMark",
    "ImageMark",
    "Mark",
    "PixelRect",
    "StylePlan",
    "TextMark",
]
