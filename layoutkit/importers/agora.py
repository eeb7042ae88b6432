"""An Agora layout payload -> a layoutkit layout that compiles back to the same payload.

What is read: a start request (the whole body, or its `clientRequest`, with
`recordingConfig.transcodingConfig`), a `transcodingConfig`, an updateLayout request (the
whole body or its `clientRequest`), or a bare `layoutConfig` array. What it becomes:

- the same mode, background colour and images, focus (`maxResolutionUid`), fps, bitrate
  (Agora's default 500 Kbps written out when a start request leaves it out, since
  layoutkit's own default is Agora's recommendation for the canvas);
- the canvas of `width`/`height` (Agora's 360x640 when absent, with a note), or the one
  given (`canvas=`, `--canvas WxH`);
- each region with its `uid` (`uid: 1001`, so binding is explicit), or `fill: agora` for a
  region without one (Agora fills those in join order, and so will the layout); a
  region's `backgroundConfig` image as its `placeholder`;
- numbers in pixels where that is exact, fractions otherwise; regular grids as `grid:`
  entries (`agora_regions`).

The result is compiled for the payload's uids and compared with the payload; fields with
no place in a layout (storage, subscriptions, the token, ...) are named in the notes,
never with their values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from layoutkit.importers.agora_payload import MODES, Payload, PayloadReader
from layoutkit.importers.agora_regions import entries
from layoutkit.importers.output import Imported, header, scalar
from layoutkit.importers.source import read_source
from layoutkit.wire.profile import (
    DEFAULT_BITRATE,
    DEFAULT_FPS,
    MAX_AREA_PX,
    MAX_SIDE_PX,
    recommended_bitrate,
)

_CANVAS_RE = re.compile(r"^\s*([+-]?\d{1,5})\s*[xX×]\s*([+-]?\d{1,5})\s*$")
_CANVAS_RANGE = (
    f"each side 1..{MAX_SIDE_PX} pixels and at most 1920x1080 in area (e.g. 1280x720, 1080x1920)"
)


def parse_canvas(text: str) -> tuple[int, int]:
    """`"1280x720"` -> (1280, 720), within what Agora records; ValueError says why not."""
    match = _CANVAS_RE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 1280x720")
    return check_canvas(int(match.group(1)), int(match.group(2)))


def check_canvas(width: int, height: int) -> tuple[int, int]:
    """(width, height) if Agora records a canvas of that size; ValueError says the range."""
    if width < 1 or height < 1:
        raise ValueError(
            f"{width}x{height} is below the smallest canvas Agora records; give {_CANVAS_RANGE}"
        )
    if width > MAX_SIDE_PX or height > MAX_SIDE_PX or width * height > MAX_AREA_PX:
        raise ValueError(f"{width}x{height} is above what Agora records; give {_CANVAS_RANGE}")
    return width, height


def from_agora(
    data_or_path: object,
    *,
    canvas: tuple[int, int] | str | None = None,
    name: str | None = None,
) -> Imported:
    """An Agora start or updateLayout body (or its transcodingConfig, or a layoutConfig
    array) as a layoutkit layout: `data_or_path` is a path to a JSON file, JSON text, or
    the data. `canvas` (`(1280, 720)` or `"1280x720"`) is the recorded canvas when the
    payload does not say it (ValueError for a size Agora does not record). Raises a
    LayoutError for input Agora would refuse, every problem located (file, line, column)
    where the input is text."""
    size = parse_canvas(canvas) if isinstance(canvas, str) else canvas
    if size is not None:
        check_canvas(*size)
    source = read_source(data_or_path, name=name, what="payload file", last_wins=True)
    reader = PayloadReader(source)
    payload = reader.read()
    canvas_size = reader.canvas(size)
    label = Path(source.name).name if source.text is not None else source.name
    return _Importer(payload, reader.notes, label).run(canvas_size, source.name)


class _Importer:
    def __init__(self, payload: Payload, notes: list[str], label: str) -> None:
        self.payload = payload
        self.notes = notes
        self.label = label

    def run(self, canvas: tuple[int, int], source: str) -> Imported:
        text = self._layout(canvas, self.label, grids=True, pixels=True)
        problem = self._check(text)
        if problem is not None:  # the grids or the pixels did not give the numbers back
            text = self._layout(canvas, self.label, grids=False, pixels=False)
            if self._check(text) is not None:
                self.notes.append(f"the layout does not compile back exactly: {problem}")
                text = self._layout(canvas, self.label, grids=False, pixels=False)
        return Imported(text, tuple(self.notes), source, self.payload.kind, canvas)

    def _layout(self, canvas: tuple[int, int], label: str, *, grids: bool, pixels: bool) -> str:
        p = self.payload
        bitrate = p.bitrate
        if p.start and bitrate is None:  # Agora's default, not layoutkit's: written out
            bitrate = DEFAULT_BITRATE
            advised = recommended_bitrate(canvas[0], canvas[1], p.fps or DEFAULT_FPS)
            note = (
                f"bitrate: the start request has none, so Agora records at its default "
                f"{DEFAULT_BITRATE} Kbps; the layout keeps bitrate: {DEFAULT_BITRATE}, while "
                f"layoutkit would recommend {advised} Kbps for this canvas (leave bitrate "
                "out to use the recommendation)."
            )
            if note not in self.notes:
                self.notes.append(note)
        intro = [f"Imported by `layoutkit import agora` from {label}, {p.kind}."]
        lines = [*header(intro, self.notes)]
        lines.append(f"title: {scalar(f'Imported from Agora ({label})')}")
        lines.append(f"canvas: {canvas[0]}x{canvas[1]}")
        if p.fps is not None:
            lines.append(f"fps: {p.fps}")
        if bitrate is not None:
            lines.append(f"bitrate: {bitrate}")
        lines.append(f"background: {scalar(p.background)}")
        if p.background_image is not None:
            lines.append(f"background_image: {scalar(p.background_image)}")
        if p.placeholder_image is not None:
            lines.append(f"placeholder_image: {scalar(p.placeholder_image)}")
        if p.mode != 3:
            lines.append(f"mode: {MODES[p.mode]}")
            if p.focus is not None:
                lines.append(f"focus: {scalar(p.focus)}")
            return "\n".join(lines) + "\n"
        lines.append("regions:  # list order = paint order, later on top")
        lines.extend(
            f"  - {line}" for line in entries(p.regions, canvas, grids=grids, pixels=pixels)
        )
        return "\n".join(lines) + "\n"

    def _check(self, text: str) -> str | None:
        """None when `text` compiles, for the payload's uids, to the payload; else what
        differs."""
        from layoutkit.compile.compiler import compile_full
        from layoutkit.errors import LayoutkitError
        from layoutkit.layout.loader import parse_layout

        p = self.payload
        uids = [r.uid for r in p.regions if r.uid is not None]
        try:
            got = compile_full(parse_layout(text, source="<import>"), uids).payload_json
        except LayoutkitError as exc:
            return str(exc)
        want: dict[str, Any] = {"mixedVideoLayout": p.mode}
        if p.focus is not None:
            want["maxResolutionUid"] = p.focus
        want["backgroundColor"] = p.background
        if p.background_image is not None:
            want["backgroundImage"] = p.background_image
        if p.placeholder_image is not None:
            want["defaultUserBackgroundImage"] = p.placeholder_image
        if p.mode == 3:
            want["layoutConfig"] = [
                {
                    **({"uid": r.uid} if r.uid is not None else {}),
                    "x_axis": r.x,
                    "y_axis": r.y,
                    "width": r.width,
                    "height": r.height,
                    "alpha": r.alpha,
                    "render_mode": r.render_mode,
                }
                for r in p.regions
            ]
            images = [
                {"uid": r.uid, "image_url": r.placeholder, "render_mode": r.render_mode}
                for r in p.regions
                if r.placeholder is not None
            ]
            if images:
                want["backgroundConfig"] = images
        if got != want:
            return f"compiled {got!r}, wanted {want!r}"
        return None


__all__ = ["from_agora", "parse_canvas"]
