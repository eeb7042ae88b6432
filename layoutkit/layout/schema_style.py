"""The description and examples of every style property in the JSON Schema (frames,
labels, cards, decor, font: `layout.style_model`), by model; `layout.schema` adds them."""

from __future__ import annotations

from typing import Any

_TEXT = "A Jinja expression (no braces) for the person shown: name (the default), role, uid, index."
_FRAME = {"width": "6px", "color": "#FFCC00"}
_LABEL = {"height": "48px", "background": "#000000"}
_CARD = {"color": "#334455"}

STYLE_REGION_DOCS: dict[str, tuple[str, list[Any]]] = {
    "frame": (
        "A band of colour around the video: the video is inset by its width on every side.",
        [_FRAME],
    ),
    "label": (
        "A name strip below (or above) the video, inside the region: the video is "
        "shortened by its height.",
        [_LABEL, {"text": "name | upper", "position": "above"}],
    ),
    "card": (
        "The picture Agora shows while this person's video is off: their initials and "
        "name on a colour or an image.",
        [_CARD],
    ),
}
STYLE_DOCUMENT_DOCS: dict[str, tuple[str, list[Any]]] = {
    "decor": (
        "Things drawn on the canvas background, under the video, in order: an image (a "
        "local file, such as a logo), a line of text (a title) or a filled rectangle.",
        [
            [
                {
                    "image": "logo.png",
                    "right": "24px",
                    "y": "24px",
                    "width": "160px",
                    "height": "60px",
                },
                {"text": "The Show", "x": 0, "y": 0, "width": "100%", "height": "60px"},
            ]
        ],
    ),
    "card": (
        "The video-off card of everyone shown whose region gives none (in any mode).",
        [_CARD],
    ),
    "font": (
        "A TrueType or OpenType font file for every text drawn (labels, cards, decor), "
        "relative to this file; default: the built-in font.",
        ["fonts/Inter-Regular.ttf"],
    ),
}
STYLE_DOCS: dict[str, dict[str, tuple[str, list[Any]]]] = {
    "FrameSpec": {
        "width": ("The frame's width: pixels, or a fraction of the canvas width.", ["6px"]),
        "color": ('The frame\'s colour, "#RRGGBB" or "#RGB" (default white).', ["#FFCC00"]),
    },
    "LabelSpec": {
        "text": (_TEXT, ["name", "name | upper", "'Host: ' ~ name"]),
        "position": ("below (the default) or above the video.", ["below", "above"]),
        "height": ("The strip's height (default 6% of the canvas height).", ["48px", "6%"]),
        "size": ("The text's size in pixels (default 60% of the strip).", [28]),
        "min_size": (
            "The smallest size long text is shrunk to before it is cut with ... "
            "(default half of size, at least 9).",
            [14],
        ),
        "color": ("The text's colour (default white).", ["#FFFFFF"]),
        "background": ("The strip's colour (default: none, the canvas shows).", ["#000000"]),
        "align": ("left, center (the default) or right.", ["center", "left"]),
    },
    "CardSpec": {
        "color": ("The card's colour (default #2D3340).", ["#334455"]),
        "text_color": ("The colour of the initials and the name (default white).", ["#FFFFFF"]),
        "image": (
            "A local picture under the initials and name, cropped to cover, relative to this file.",
            ["cards/backdrop.jpg"],
        ),
        "text": (_TEXT, ["name"]),
    },
    "DecorSpec": {
        "image": ("A local image file (PNG, JPEG, ...) relative to this file.", ["logo.png"]),
        "text": ("A line of text, such as the show's title.", ["The Late Show"]),
        "fill": ('A rectangle of this colour, "#RRGGBB" or "#RGB".', ["#101820"]),
        "x": ("The left edge: a fraction of the canvas, a percentage or pixels.", ["24px"]),
        "y": ("The top edge: a fraction of the canvas, a percentage or pixels.", ["24px"]),
        "right": ("The distance from the right edge, instead of x.", ["24px"]),
        "bottom": ("The distance from the bottom edge, instead of y.", ["24px"]),
        "width": ("The width (or `w`).", ["160px", "100%"]),
        "height": ("The height (or `h`).", ["60px"]),
        "w": ("Short for width.", ["160px"]),
        "h": ("Short for height.", ["60px"]),
        "fit": ("An image: fit (whole, the default) or crop (to cover).", ["fit", "crop"]),
        "size": ("Text: its size in pixels (default 60% of the height).", [36]),
        "min_size": ("Text: the smallest size before it is cut with ...", [18]),
        "color": ("Text: its colour (default white).", ["#FFCC00"]),
        "background": ("Text: the colour behind it (default: none).", ["#000000"]),
        "align": ("Text: left, center (the default) or right.", ["center"]),
    },
}

__all__ = ["STYLE_DOCS", "STYLE_DOCUMENT_DOCS", "STYLE_REGION_DOCS"]
