"""A 1920×1080 preview with 17 regions next to the floor of Pillow alone doing the same
work (new canvas, paste 17 tiles already scaled, save PNG), and a full 17-count sheet.
Run: python benchmarks/render.py"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from timing import median_time

from layoutkit import load_layout, parse_layout
from layoutkit.compile.compiler import compile_full
from layoutkit.preview import PreviewOptions, draw_compilation, render_sheet_png
from layoutkit.render import encode_png
from layoutkit.render.camera import CAMERA_CACHE
from layoutkit.render.compose import pixel_box
from layoutkit.render.png import COMPRESS_LEVEL

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = """
canvas: 1920x1080
background: "#202830"
regions:
  - grid: {rows: 4, columns: 5, cells: 17, gap: 8px, padding: 8px}
"""


def main() -> None:
    compiled = compile_full(parse_layout(LAYOUT), count=17)
    clean, annotated = PreviewOptions(clean=True), PreviewOptions()
    first = draw_compilation(compiled, clean)
    boxes = [pixel_box(r, 1920, 1080) for r in compiled.regions]
    tiles = [first.crop(box) for box in boxes]

    def floor() -> bytes:
        canvas = Image.new("RGB", (1920, 1080), (32, 40, 48))
        for tile, box in zip(tiles, boxes, strict=True):
            canvas.paste(tile, box[:2])
        out = io.BytesIO()
        canvas.save(out, format="PNG", compress_level=COMPRESS_LEVEL)
        return out.getvalue()

    repeat = 21
    base = median_time(repeat, floor)
    ours_clean = median_time(repeat, lambda: encode_png(draw_compilation(compiled, clean)))

    def cold() -> bytes:
        CAMERA_CACHE.clear()
        return encode_png(draw_compilation(compiled, clean))

    ours_cold = median_time(repeat, cold)
    ours_notes = median_time(repeat, lambda: encode_png(draw_compilation(compiled, annotated)))
    sheet_layout = load_layout(ROOT / "examples" / "grid-family.yaml")
    sheet = median_time(5, lambda: render_sheet_png(sheet_layout))
    print("1920x1080, 17 regions (median of 21 runs)")
    rows = [
        ("floor: Pillow new + 17 pastes + PNG", base),
        ("layoutkit preview, clean", ours_clean),
        ("layoutkit preview, clean, cold cache", ours_cold),
        ("layoutkit preview, annotated", ours_notes),
    ]
    for label, seconds in rows:
        print(f"{label:40}{seconds * 1e3:9.1f} ms  {seconds / base:5.2f}x")
    print(f"{'--sheet of examples/grid-family (17)':40}{sheet * 1e3:9.1f} ms")


if __name__ == "__main__":
    main()
