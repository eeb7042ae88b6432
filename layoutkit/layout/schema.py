"""The JSON Schema (Draft 2020-12) of a layout file, for editors (`layoutkit schema`): the
model's own schema (`layout.model`) with the other names of fields (`w`/`h`, never both),
the `"WIDTHxHEIGHT"` canvas, the `extends` rule and a description and examples for every
property. It is looser than the loader where a rule needs more than one value (`"4-2"`, a
uid above 4294967295, an `extends` that names no file) or the canvas and the participants
(checked by `validate`), and checks a templated file's text only once rendered."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from layoutkit.geometry import CANVAS_PATTERN, Length
from layoutkit.layout.loader import preset_names
from layoutkit.layout.model import _NESTED, _TAGS, LayoutDocument, _names, _written
from layoutkit.wire.rules import DEFAULT_HEIGHT, DEFAULT_WIDTH, MAX_REGIONS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "layoutkit layout"
_ZERO_CANVAS = r"^\s*0+\s*[x×X]|[x×X]\s*0+\s*$"
# extends: a preset name, or a relative .yaml/.yml path that starts with no '/', '\' or
# '~', has no drive (':' in its first part) and no '..' part (loader._resolve_extends)
EXTENDS_PATTERN = (
    r"^\s*(?:[A-Za-z0-9][A-Za-z0-9_-]*"
    r"|(?![/\\~\s])(?![^/\\]*:)(?!(?:.*[/\\])?\.\.[/\\]).*\.ya?ml)\s*$"
)
"""What `extends` accepts: a preset name or a relative `.yaml`/`.yml` file in this folder."""

# the description and examples of every style property (frames, labels, cards, decor,
# font), by model
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
        "fit": ("An image: fit (whole, the default) or crop (to cover).", ["fit", "crop"]),
        "size": ("Text: its size in pixels (default 60% of the height).", [36]),
        "min_size": ("Text: the smallest size before it is cut with ...", [18]),
        "color": ("Text: its colour (default white).", ["#FFCC00"]),
        "background": ("Text: the colour behind it (default: none).", ["#000000"]),
        "align": ("Text: left, center (the default) or right.", ["center"]),
    },
}
_LENGTH_EXAMPLES: list[Any] = [0, 0.25, "25%", "320px"]
_UID_EXAMPLE = 1001
_URL = "https://cdn.example.com/"
# description and examples of every property, by model (the root is LayoutDocument)
_DOCS: dict[str, dict[str, tuple[str, list[Any]]]] = {
    "LayoutDocument": {
        "name": (
            "The layout's id: lower-case words joined by '-' (a preset's name is its file "
            "stem). `layoutkit new` sets it from the new file's name.",
            ["speaker-pip"],
        ),
        "title": ("A title for people, shown by `presets list` and the gallery.", ["Interview"]),
        "description": (
            "What the layout is for, in a sentence.",
            ["One person full screen, a guest in the bottom-right corner."],
        ),
        "tags": ("Words to find the layout by (`presets list --tag`).", [["interview", "pip"]]),
        "extends": (
            "Start from a preset (a plain name such as grid-2x2) or from a relative .yaml/.yml "
            "file in this file's folder (no absolute path, no '..'); the keys of this file "
            "replace the base's whole (regions and variants are never merged).",
            ["grid-2x2", "base.yaml"],
        ),
        "counts": (
            'The participant counts the layout is made for: 3, a range "2-4" or an open '
            'range "5+". `validate` checks these counts; `--count` defaults into them.',
            ["1-7", 2, "5+"],
        ),
        "variables": (
            "The template variables the layout reads, set with `--var NAME=VALUE` (or "
            "`vars=` in Python): each name with what it does and its default.",
            [{"side": "where the strip goes, bottom or right (default bottom)"}],
        ),
        "roles": (
            "The roles the layout expects, name -> what it is for (e.g. screen: the shared "
            "screen). Roles its regions, grids, variants, focus and template use count as known "
            "too; --role refuses any other (see `layoutkit.layout.roles.known_roles`).",
            [{"host": "the person who runs the show", "guest": "the person interviewed"}],
        ),
        "preview": (
            "How `preview` and the gallery picture the participants (not sent to Agora).",
            [{"cameras": {"guest": "9:16"}}],
        ),
        "canvas": (
            'The recorded picture\'s size in pixels: "WIDTHxHEIGHT" or {width, height}. '
            f"Agora's default is {DEFAULT_WIDTH}x{DEFAULT_HEIGHT}; at most 1920 on a side and "
            "1920x1080 in area.",
            ["1280x720", {"width": 1280, "height": 720}],
        ),
        "fps": ("Frames per second of the recording, 1..60 (default 15).", [15, 30]),
        "bitrate": (
            "The video bitrate in Kbps (1..6500); leave it out for Agora's recommendation "
            "for the canvas and fps.",
            [1130],
        ),
        "background": (
            'The canvas colour where no video covers it: "#RRGGBB" or "#RGB".',
            ["#101820", "#000"],
        ),
        "background_image": (
            "An http(s) URL of a picture for the canvas background (cropped to fill).",
            [_URL + "studio.jpg"],
        ),
        "placeholder_image": (
            "An http(s) URL of the picture shown in a region after its user's video stops "
            "(Agora's defaultUserBackgroundImage).",
            [_URL + "card.jpg"],
        ),
        "mode": (
            "custom (your regions and variants) or one of Agora's built-in layouts: "
            "floating, adaptive, vertical (0..3 as Agora numbers them). Default: custom "
            "when regions or variants are given, else floating.",
            ["custom", "vertical"],
        ),
        "focus": (
            "Vertical mode only: the role or uid shown in the large region.",
            ["speaker", "1001"],
        ),
        "regions": (
            "The regions in paint order (later ones on top): each a region (who and where) "
            "or a `grid:` of cells.",
            [[{"role": "host", "x": 0, "y": 0, "width": 1, "height": 1}]],
        ),
        "variants": (
            "Layouts by participant count (and roles present): the first variant whose "
            "`when` matches is used (else the top-level regions); it may replace mode, "
            "focus, background and regions.",
            [[{"when": 1, "regions": [{"x": 0, "y": 0, "width": 1, "height": 1}]}]],
        ),
        **STYLE_DOCUMENT_DOCS,
    },
    "Canvas": {
        "width": ("The canvas width in pixels.", [1280]),
        "height": ("The canvas height in pixels.", [720]),
    },
    "RegionSpec": {
        "uid": ("The user shown here: an integer uid (or its digits as text).", [_UID_EXAMPLE]),
        "role": (
            "The role shown here, bound with `--role NAME=UID`; an unbound role takes the "
            "next participant in join order.",
            ["host"],
        ),
        "x": ("The left edge: a fraction of the canvas, a percentage or pixels.", _LENGTH_EXAMPLES),
        "y": ("The top edge: a fraction of the canvas, a percentage or pixels.", _LENGTH_EXAMPLES),
        "right": ("The distance from the right edge, instead of x.", ["24px", 0.02]),
        "bottom": ("The distance from the bottom edge, instead of y.", ["24px", 0.02]),
        "width": ("The width (or `w`); with `aspect`, height may be left out.", [1, "25%"]),
        "height": ("The height (or `h`); with `aspect`, width may be left out.", [1, "25%"]),
        "aspect": (
            "Width / height: the missing one of width and height follows from the other in "
            'canvas pixels. "16:9", "16/9", "16x9" or a number.',
            ["16:9", "9:16", 1.7778],
        ),
        "alpha": ("Opacity, 0 (transparent) to 1 (opaque, the default).", [1, 0.95]),
        "fit": (
            "How the video fills the region: crop (cover and centre-crop, the default) or "
            "fit (whole, letterboxed in black).",
            ["crop", "fit"],
        ),
        "placeholder": (
            "An http(s) URL of a picture shown here while this region's user sends no video.",
            [_URL + "guest.jpg"],
        ),
        "fill": (
            "agora: send this region without a uid, for Agora to fill with the channel's "
            "users in join order (not while someone is hidden).",
            ["agora"],
        ),
        "accept": (
            "Warnings about this region you accept, no longer printed: crop (it cuts away "
            "much of the camera picture), hidden (under an opaque region), small (under "
            "16 px on a side, or no area).",
            [["crop"], ["crop", "hidden"]],
        ),
        **STYLE_REGION_DOCS,
    },
    "GridSpec": {
        "x": ("The left edge of the grid's area (default 0).", _LENGTH_EXAMPLES),
        "y": ("The top edge of the grid's area (default 0).", [0, "75%"]),
        "width": ("The width of the grid's area (or `w`; default: to the right edge).", ["25%"]),
        "height": ("The height of the grid's area (or `h`; default: to the bottom).", ["25%"]),
        "rows": (f"Rows of cells, 1..{MAX_REGIONS}.", [1, 2]),
        "columns": (f"Columns of cells, 1..{MAX_REGIONS}.", [2, 4]),
        "gap": ("The space between cells.", ["8px", 0.01]),
        "padding": ("The space inside the area's edges, around the cells.", ["8px", 0.01]),
        "cells": ("How many cells to use (default rows × columns).", [17]),
        "order": ("The order cells are filled in: row (the default) or column.", ["row"]),
        "aspect": (
            'Shrink each cell to this width / height, centred: "16:9", "16/9", "16x9" or a number.',
            ["16:9", "9:16"],
        ),
        "fit": ("crop (the default) or fit, for every cell.", ["crop", "fit"]),
        "alpha": ("The opacity of every cell, 0..1.", [1]),
        "roles": ("The roles shown in the cells, in order (or `uids`).", [["a", "b", "c"]]),
        "uids": ("The users shown in the cells, in order (or `roles`).", [[1001, 1002]]),
        "fill": ("agora: leave every cell to Agora's join-order filling.", ["agora"]),
        "accept": (
            "Warnings about the cells you accept, no longer printed: crop, hidden, small "
            "(as for a region).",
            [["crop"]],
        ),
        **STYLE_REGION_DOCS,
    },
    **STYLE_DOCS,
    "GridEntry": {
        "grid": (
            "A grid of equal cells filling an area; the cells become regions.",
            [{"rows": 2, "columns": 2, "gap": "8px", "padding": "8px", "aspect": "16:9"}],
        ),
    },
    "Variant": {
        "when": (
            'When this variant is used: a count (2), a range ("2-4", "5+"), or '
            "{count: ..., roles: [...]} to also need those roles present.",
            [1, "2-4", "5+", {"count": "2+", "roles": ["screen"]}],
        ),
        "mode": ("The mode for these counts (as the layout's `mode`).", ["custom"]),
        "focus": ("Vertical mode: the role or uid shown large.", ["speaker"]),
        "background": ('The canvas colour for these counts: "#RRGGBB" or "#RGB".', ["#202830"]),
        "regions": (
            "The regions for these counts, replacing the layout's.",
            [[{"grid": {"rows": 1, "columns": 2}}]],
        ),
    },
    "PreviewSpec": {
        "camera": (
            'How previews draw everyone `cameras` does not name: a camera shape "W:H" '
            '(16:9, 9:16) or "screen"; the screen role is always drawn as a screen. Crop '
            "warnings judge a region by this shape too.",
            ["9:16", "4:3"],
        ),
        "cameras": (
            'The picture previews draw for a role or uid: a camera shape "W:H" (16:9, '
            '9:16), or "screen" / "screen:W:H" for a shared screen drawn as a slide. Crop '
            "warnings judge the region showing it by this shape too.",
            [{"guest": "9:16", "screen": "screen:4:3"}],
        ),
        "names": (
            "Sample names previews give a role or uid when no names are given (--name), "
            "for a styled layout's labels and cards.",
            [{"host": "Ada Lovelace", "1002": "Grace Hopper"}],
        ),
        "video_off": (
            "Roles or uids previews draw with the camera off when nobody's is "
            "(--video-off), to show their video-off cards.",
            [["guest"]],
        ),
    },
    "WhenSpec": {
        "count": ('3, a range "2-4" or an open range "5+" (default: any).', ["2+"]),
        "roles": ("Roles that must be bound to someone shown.", [["screen"]]),
    },
}


def layout_json_schema() -> dict[str, Any]:
    """The JSON Schema of the layout format (Draft 2020-12), for editors."""
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT, **LayoutDocument.model_json_schema()}
    schema["title"] = TITLE  # the root is the layout file, not the class
    for node in _walk(schema):
        default = node.get("default")
        if isinstance(default, dict) and set(default) == {"value", "unit"}:
            node["default"] = _written(Length(default["value"], default["unit"]))
    _complete_document(schema)
    models: dict[str, type[BaseModel]] = {LayoutDocument.__name__: LayoutDocument}
    models.update((model.__name__, model) for model in [*_NESTED.values(), *_TAGS.values()])
    for name, node in _objects(schema).items():
        _document(node, _DOCS.get(name, {}))
        if name in models:
            _aliases(node, models[name])
    return schema


def _aliases(node: dict[str, Any], model: type[BaseModel]) -> None:
    """The other names of a field (`w`, `h`) as properties of their own, never given
    together with the field's own name."""
    exclusive: dict[str, Any] = {}
    for names in _names(model).values():
        for other in names[1:]:
            prop = copy.deepcopy(node["properties"][names[0]])
            node["properties"][other] = {**prop, "description": f"Short for {names[0]}."}
            exclusive[other] = {"not": {"anyOf": [{"required": [n]} for n in names if n != other]}}
    if exclusive:
        node["dependentSchemas"] = exclusive


def _document(node: dict[str, Any], docs: dict[str, tuple[str, list[Any]]]) -> None:
    """Give the properties of an object schema their description and examples."""
    for name, prop in node.get("properties", {}).items():
        description, examples = docs.get(name, (None, None))
        if description is not None:
            prop["description"] = description
        if examples is not None and "examples" not in prop:
            prop["examples"] = copy.deepcopy(examples)
        if "$ref" in prop and len(prop) > 1:  # editors reading draft 7 skip $ref siblings
            prop["allOf"] = [{"$ref": prop.pop("$ref")}]


def _complete_document(schema: dict[str, Any]) -> None:
    props = schema["properties"]
    canvas = props["canvas"]
    canvas_ref = {"$ref": canvas.pop("$ref")}
    canvas["anyOf"] = [
        canvas_ref,
        {"type": "string", "pattern": CANVAS_PATTERN, "not": {"pattern": _ZERO_CANVAS}},
    ]
    for branch in props["extends"]["anyOf"]:
        if branch.get("type") == "string":
            branch["pattern"] = EXTENDS_PATTERN
            branch["examples"] = preset_names()
    schema["description"] = (
        "A layoutkit layout file: the composite picture of an Agora Cloud Recording. "
        "Write it by hand, or start with `layoutkit new FILE --from PRESET`."
    )


def _objects(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The object schemas by model name: the root, `$defs`, and titled inline objects."""
    found: dict[str, dict[str, Any]] = {"LayoutDocument": schema}
    found.update(schema.get("$defs", {}))
    for node in _walk(schema):
        title = node.get("title")
        if node is not schema and "properties" in node and isinstance(title, str):
            found.setdefault(title, node)
    return found


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON value, depth first."""
    if isinstance(node, dict):
        yield node
        for value in list(node.values()):
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
