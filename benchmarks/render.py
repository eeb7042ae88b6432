"""A 1920×1080 preview with 17 regions next to the floor of Pillow alone doing the same
work (new canvas, paste 17 tiles already scaled, save PNG), the style images of the same
grid (frames, name strips, a title, a logo, 17 video-off cards; `render_style` cold and
remembered), and a full 17-count sheet.
Run: python benchmarks/render.py [--short]   (--short: 2 runs of each)"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from PIL import Image
from timing import arguments, median_time

from layoutkit import load_layout, parse_layout
from layoutkit.compile.compiler import InMemory, compile_full
from layoutkit.preview import PreviewOptions, draw_compilation, render_sheet_png
from layoutkit.render import COMPRESS_LEVEL, encode_png
from layoutkit.render.camera import CAMERA_CACHE
from layoutkit.render.compose import pixel_box
from layoutkit.render.style import clear_style_cache, render_style
from layoutkit.styleplan import (
    CardPlan,
    FillMark,
    FrameMark,
    ImageMark,
    Mark,
    PixelRect,
    StylePlan,
    TextMark,
)

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = """
canvas: 1920x1080
background: "#202830"
regions:
  - grid: {rows: 4, columns: 5, cells: 17, gap: 8px, padding: 8px}
"""

STYLED_LAYOUT = """
canvas: 1920x1080
background: "#202830"
card: {color: "#2E4A3A"}
decor:
  - {text: "The Evening Talk", x: 16px, y: 8px, width: 800px, height: 48px, align: left}
  - {image: LOGO, right: 16px, y: 8px, width: 128px, height: 48px}
regions:
  - grid:
      y: 64px
      rows: 4
      columns: 5
      cells: 17
      gap: 8px
      padding: 8px
      frame: {width: 4px, color: "#FFCC00"}
      label: {height: 32px, background: "#000000"}
"""


def styled_plan(logo: Path) -> StylePlan:
    """1920×1080: a title strip, then a 4×5 grid of 17 cells, each a video place in a
    6 px frame above a name strip; a logo, a fill; a video-off card per cell."""
    width, height, gap, top, strip = 1920, 1080, 8, 72, 30
    columns, rows = 5, 4
    cell_w = (width - gap * (columns + 1)) // columns
    cell_h = (height - top - gap * rows) // rows
    marks: list[Mark] = [
        FillMark(PixelRect(0, 0, width, top - gap), "#14181E"),
        TextMark(
            PixelRect(96, 8, 1200, 48),
            "Quarterly all-hands: 17 people",
            40,
            16,
            "#FFFFFF",
            align="left",
        ),
        ImageMark(PixelRect(16, 8, 64, 48), str(logo)),
    ]
    cards = []
    for n in range(17):
        x = gap + (n % columns) * (cell_w + gap)
        y = top + (n // columns) * (cell_h + gap)
        video = PixelRect(x, y, cell_w, cell_h - strip)
        marks.append(FrameMark(video, 6, "#3A7BD5"))
        name = f"Participant {n + 1}"
        marks.append(
            TextMark(PixelRect(x, video.bottom, cell_w, strip), name, 20, 10, "#FFFFFF", "#222A33")
        )
        cards.append(
            CardPlan(
                str(1000 + n), video.width, video.height, "#335577", name, f"P{n + 1}", "#FFFFFF"
            )
        )
    return StylePlan(width, height, "#202830", tuple(marks), tuple(cards))


def main() -> None:
    repeat = 2 if arguments(__doc__).parse_args().short else 21
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

    base = median_time(repeat, floor)
    ours_clean = median_time(repeat, lambda: encode_png(draw_compilation(compiled, clean)))

    def cold() -> bytes:
        CAMERA_CACHE.clear()
        return encode_png(draw_compilation(compiled, clean))

    ours_cold = median_time(repeat, cold)
    ours_notes = median_time(repeat, lambda: encode_png(draw_compilation(compiled, annotated)))
    with tempfile.TemporaryDirectory() as folder:
        logo = Path(folder) / "logo.png"
        picture = Image.new("RGBA", (256, 192), (0, 0, 0, 0))
        picture.paste((230, 80, 40, 255), (32, 32, 224, 160))
        picture.save(logo)
        plan = styled_plan(logo)
        sizes = {(card.width, card.height) for card in plan.cards}

        def styled_cold() -> object:
            clear_style_cache()
            return render_style(plan)

        style_cold = median_time(repeat, styled_cold)
        style_warm = median_time(repeat, lambda: render_style(plan))
        styled_layout = parse_layout(STYLED_LAYOUT.replace("LOGO", str(logo)))
        names = {str(uid): f"Participant {uid}" for uid in range(1, 18)}

        def styled_preview() -> bytes:
            clear_style_cache()
            CAMERA_CACHE.clear()
            shown = compile_full(styled_layout, count=17, names=names, assets=InMemory())
            return encode_png(draw_compilation(shown, clean))

        styled_whole = median_time(repeat, styled_preview)
    sheet_layout = load_layout(ROOT / "examples" / "grid-family.yaml")
    sheet = median_time(min(repeat, 5), lambda: render_sheet_png(sheet_layout))
    print(f"1920x1080, 17 regions (median of {repeat} runs)")
    rows = [
        ("floor: Pillow new + 17 pastes + PNG", base),
        ("layoutkit preview, clean", ours_clean),
        ("layoutkit preview, clean, cold cache", ours_cold),
        ("layoutkit preview, annotated", ours_notes),
        ("styled background 1920x1080 + 17 cards (render_style, cold)", style_cold),
        ("styled, same plan again (render_style, cached)", style_warm),
        ("layoutkit preview of the grid styled, clean, cold", styled_whole),
    ]
    (card_w, card_h), *_ = sorted(sizes)
    print(f"(styled: {len(plan.marks)} marks, {len(plan.cards)} cards of {card_w}x{card_h})")
    wide = max(40, max(len(label) for label, _ in rows) + 2)
    for label, seconds in rows:
        print(f"{label:{wide}}{seconds * 1e3:9.2f} ms  {seconds / base:6.3f}x")
    print(f"{'--sheet of examples/grid-family (17)':{wide}}{sheet * 1e3:9.2f} ms")


if __name__ == "__main__":
    main()
