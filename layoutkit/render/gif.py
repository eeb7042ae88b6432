"""Animated GIFs of a sequence of pictures."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image

from layoutkit.errors import RenderError

MAX_FRAMES = 200


def encode_gif(frames: Sequence[Image.Image], durations_ms: Sequence[int]) -> bytes:
    """A looping GIF showing each frame for its duration."""
    if not frames:
        raise RenderError("an animation needs at least one picture")
    if len(frames) > MAX_FRAMES:
        raise RenderError(f"{len(frames)} pictures in one animation; at most {MAX_FRAMES}")
    if len(durations_ms) != len(frames):
        raise RenderError("give one duration per picture")
    palette = [
        frame.convert("RGB").quantize(colors=255, method=Image.Quantize.MEDIANCUT)
        for frame in frames
    ]
    out = io.BytesIO()
    palette[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=palette[1:],
        duration=[max(20, int(d)) for d in durations_ms],
        loop=0,
        optimize=False,
    )
    return out.getvalue()
