"""The JSON a compilation sends: updateLayout's clientRequest and start's
transcodingConfig, keys in the order (and unset ones left out) as the wire models'
`to_wire()` gives them."""

from __future__ import annotations

import copy

from layoutkit.compile.lint import bitrate_for
from layoutkit.layout.model import LayoutDocument
from layoutkit.wire.rules import MixedVideoLayout, WireJson


def payload_json(
    doc: LayoutDocument,
    mode: MixedVideoLayout,
    background: str,
    config: list[WireJson],
    backgrounds: list[WireJson],
    focus_uid: str | None,
) -> tuple[WireJson, WireJson]:
    """The clientRequest and the transcodingConfig for a mode, the canvas colour, the
    layoutConfig (custom) and the backgroundConfig (placeholders)."""
    payload: WireJson = {"mixedVideoLayout": int(mode)}
    if mode == MixedVideoLayout.VERTICAL and focus_uid is not None:
        payload["maxResolutionUid"] = focus_uid
    payload["backgroundColor"] = background
    if doc.background_image is not None:
        payload["backgroundImage"] = doc.background_image
    if doc.placeholder_image is not None:
        payload["defaultUserBackgroundImage"] = doc.placeholder_image
    if mode == MixedVideoLayout.CUSTOM:
        payload["layoutConfig"] = config
    if backgrounds:
        payload["backgroundConfig"] = backgrounds
    canvas = doc.canvas
    transcoding: WireJson = {
        **copy.deepcopy(payload),
        "width": canvas.width,
        "height": canvas.height,
        "fps": doc.fps,
        "bitrate": bitrate_for(doc),
    }
    return payload, transcoding


__all__ = ["payload_json"]
