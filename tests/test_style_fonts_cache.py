"""The style images' font (a TTF/OTF file for every text, errors at its place), the
render cache (the same plan and files: the same images, not drawn again), and images
given as bytes to the composed preview (the style images, for instance)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont
from style_helpers import (
    BG,
    RED,
    WHITE,
    H,
    W,
    close,
    decode,
    make_images,
    pixel,
    plan,
)

from layoutkit.errors import RenderError
from layoutkit.geometry import ResolvedRegion
from layoutkit.render import Appearance, RenderOptions, render_canvas
from layoutkit.render.compose import hex_rgb
from layoutkit.render.fonts import STYLE_FONT, font_chain
from layoutkit.render.style import (
    RENDER_CACHE_SIZE,
    can_draw,
    fit_text,
    paint_card,
    render_style,
)
from layoutkit.styleplan import (
    CardPlan,
    FillMark,
    FrameMark,
    ImageMark,
    PixelRect,
    StylePlan,
    TextMark,
)


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_images(tmp_path_factory.mktemp("style-images"))


# the plan's font: a TTF/OTF file drawing every text, errors at the font's place

FONT = Path(__file__).parent / "data" / "fonts" / "DejaVuSansMono.ttf"  # licence beside it


def builtin_font_bytes() -> bytes:
    """The preview's built-in font (Aileron, embedded in Pillow) as a TTF file's bytes."""
    face = ImageFont.load_default(size=10)
    assert isinstance(face, ImageFont.FreeTypeFont) and isinstance(face.path, io.BytesIO)
    return face.path.getvalue()


def texts(font: str | None = None) -> StylePlan:
    name = TextMark(PixelRect(10, 10, 300, 40), "Alice Example", 24, 8, WHITE, "#334455")
    card = CardPlan("5", 160, 90, "#335577", "Alice Example", "AE", WHITE)
    return StylePlan(W, H, BG, (name,), (card,), font, "l.yaml:2:7")


def test_a_custom_font_draws_every_text_differently_from_the_built_in_one() -> None:
    plain, custom = render_style(texts()), render_style(texts(str(FONT)))
    a, b = decode(plain.background), decode(custom.background)
    inside = [(x, y) for x in range(10, 310) for y in range(10, 50)]
    assert sum(pixel(a, x, y) != pixel(b, x, y) for x, y in inside) > 100
    difference = ImageChops.difference(a, b).getbbox()
    assert difference is not None and PixelRect(10, 10, 300, 40).box()[0] <= difference[0]
    assert difference[2] <= 310 and difference[3] <= 50  # nothing changes outside the strip
    assert ImageChops.difference(decode(plain.cards["5"]), decode(custom.cards["5"])).getbbox()
    card = texts(str(FONT)).cards[0]
    assert paint_card(card, font=str(FONT)).tobytes() != paint_card(card).tobytes()


def test_text_is_fitted_with_the_plans_font() -> None:
    text, width, height = "Alexandra Longname", 160, 40
    shown, size = fit_text(text, 30, 8, width, height, font=str(FONT))
    assert shown == text
    pad = max(1, size // 4)
    assert ImageFont.truetype(str(FONT), size).getlength(text) + 2 * pad <= width
    wider = ImageFont.truetype(str(FONT), size + 1).getlength(text) + 2 * max(1, (size + 1) // 4)
    assert wider > width  # the largest size that fits
    thin = "i" * 18  # narrow in DejaVu Sans (the default), as wide as any in the mono font
    assert (
        fit_text(thin, 30, 8, width, height)[1]
        > fit_text(thin, 30, 8, width, height, font=str(FONT))[1]
    )


def test_can_draw_answers_for_the_plans_font_and_the_chain_falls_back_past_it() -> None:
    assert can_draw("Ж") and can_draw("Ж", str(FONT))  # Cyrillic: both
    assert can_draw("ℵ") and not can_draw("ℵ", str(FONT))  # U+2135: DejaVu Sans only
    assert not can_draw("\n", str(FONT))
    mark = TextMark(PixelRect(0, 0, 300, 40), "ℵ0", 20, 8, WHITE, where="l.yaml:5:1")
    assert render_style(plan(mark)).warnings == ()
    fonted = StylePlan(W, H, BG, (mark,), font=str(FONT))
    assert render_style(fonted).warnings == ()  # ℵ drawn in DejaVu Sans, 0 in the plan's
    runs = font_chain(str(FONT)).split("ℵ0").runs
    assert [(text, font.path) for text, (font, _) in runs] == [("ℵ", STYLE_FONT), ("0", str(FONT))]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda folder: folder / "absent.ttf", "absent.ttf: no such font file"),
        (lambda folder: folder, "is a folder, not a font"),
        (lambda folder: folder / "notes.ttf", "notes.ttf: not a font Pillow can read"),
    ],
)
def test_a_font_that_cannot_be_used_is_an_error_at_the_fonts_place(
    tmp_path: Path, make: Callable[[Path], Path], words: str
) -> None:
    (tmp_path / "notes.ttf").write_text("not a font", encoding="utf-8")
    path = str(make(tmp_path))
    fill = (FillMark(PixelRect(0, 0, 10, 10), RED),)  # no text at all: still refused
    for bad in (
        StylePlan(W, H, BG, fill, font=path, font_where="l.yaml:4:7"),
        texts(path),
    ):
        with pytest.raises(RenderError) as caught:
            render_style(bad)
        message = str(caught.value)
        assert message.startswith(f"{bad.font_where}: {path}")
        assert words in message and "give the path of a .ttf or .otf file" in message
        assert "\n" not in message
    with pytest.raises(RenderError, match=r"^f:1:2: .*\.ttf or \.otf"):
        can_draw("A", path, "f:1:2")
    with pytest.raises(RenderError, match=r"^f:1:2: "):
        paint_card(texts().cards[0], font=path, font_where="f:1:2")


# the cache: the same plan with the same files is not drawn again


def test_the_same_plan_gives_the_same_images_without_drawing_again(
    images: dict[str, Path],
) -> None:
    def build() -> StylePlan:
        mark = ImageMark(PixelRect(0, 0, 20, 20), str(images["logo"]))
        name = TextMark(PixelRect(0, 30, 200, 30), "Cached Name", 20, 8, WHITE)
        card = CardPlan("3", 60, 40, RED, "Cached", "C", WHITE)
        return StylePlan(W, H, BG, (mark, name), (card,), str(FONT))

    first = render_style(build())
    assert render_style(build()) is first  # an equal plan, built again
    with pytest.raises(TypeError):
        first.cards["3"] = b""  # type: ignore[index]
    assert isinstance(first.warnings, tuple)


def test_a_file_changed_on_disk_is_drawn_again(tmp_path: Path) -> None:
    logo, font = tmp_path / "logo.png", tmp_path / "face.ttf"
    Image.new("RGB", (20, 20), (255, 0, 0)).save(logo)
    font.write_bytes(FONT.read_bytes())
    name = TextMark(PixelRect(0, 30, 200, 30), "Changed Font", 20, 8, WHITE)
    styled = StylePlan(
        W, H, BG, (ImageMark(PixelRect(0, 0, 20, 20), str(logo)), name), (), str(font)
    )
    first = render_style(styled)
    assert close(pixel(decode(first.background), 10, 10), (255, 0, 0))

    def rewrite(path: Path, write: Callable[[], object]) -> None:
        before = path.stat().st_mtime_ns
        write()
        os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))

    rewrite(logo, lambda: Image.new("RGB", (20, 20), (0, 0, 255)).save(logo))
    second = render_style(styled)
    assert second is not first
    assert close(pixel(decode(second.background), 10, 10), (0, 0, 255))
    assert render_style(styled) is second
    rewrite(font, lambda: font.write_bytes(builtin_font_bytes()))
    third = render_style(styled)
    assert third is not second and third.background != second.background
    fresh = tmp_path / "fresh.ttf"  # the new font, under a name never read before
    fresh.write_bytes(builtin_font_bytes())
    assert third.background == render_style(replace(styled, font=str(fresh))).background


def test_the_cache_keeps_the_last_few_plans() -> None:
    plans_ = [
        plan(FillMark(PixelRect(0, 0, 10 + n, 10), RED)) for n in range(RENDER_CACHE_SIZE + 1)
    ]
    first = render_style(plans_[0])
    for other in plans_[1:]:
        render_style(other)
    assert render_style(plans_[-1]) is render_style(plans_[-1])
    again = render_style(plans_[0])  # pushed out by the others: drawn again, the same
    assert again is not first and again == first


# images as bytes in the composed preview (the style images themselves, for instance)

URL = "https://cdn.example.com/style/"


def test_a_background_given_as_jpeg_bytes_lands_pixel_exactly(images: dict[str, Path]) -> None:
    frame = PixelRect(40, 30, 120, 80)
    marks = (
        FrameMark(frame, 6, RED),
        TextMark(PixelRect(40, 112, 120, 24), "Alice", 16, 8, WHITE, "#222222"),
        ImageMark(PixelRect(250, 10, 60, 60), str(images["logo"])),
    )
    data = render_style(StylePlan(W, H, BG, marks)).background
    region = ResolvedRegion("1001", 46 / W, 36 / H, 108 / W, 68 / H)  # inside the frame
    payload = {"backgroundColor": "#000000", "backgroundImage": URL + "bg.jpg?sig=1"}
    options = RenderOptions(clean=True, images={URL + "bg.jpg?sig=1": data})
    canvas = render_canvas(payload, [region], W, H, [Appearance("1001")], options)
    expected = decode(data)
    inside = region_box(region)
    for y in range(H):
        for x in range(W):
            if not (inside[0] <= x < inside[2] and inside[1] <= y < inside[3]):
                assert pixel(canvas, x, y) == pixel(expected, x, y), (x, y)
    assert pixel(canvas, 100, 70) != pixel(expected, 100, 70)  # the video over it


def region_box(region: ResolvedRegion) -> tuple[int, int, int, int]:
    from layoutkit.render.compose import pixel_box

    return pixel_box(region, W, H)


@pytest.mark.parametrize("field", ["backgroundConfig", "defaultUserBackgroundImage"])
def test_a_card_given_as_bytes_shows_while_the_video_is_off(field: str) -> None:
    card = CardPlan("1002", 128, 72, "#335577", "Bob Builder", "BB", WHITE)
    data = render_style(plan(cards=(card,))).cards["1002"]
    url = URL + "card-1002.jpg"
    region = ResolvedRegion("1002", 0.5, 0.5, 128 / W, 72 / H)
    value: object = [{"uid": "1002", "image_url": url, "render_mode": 0}]
    payload = {"backgroundColor": "#101820", field: url if field.startswith("default") else value}
    people = [Appearance("1002", video_off=True)]
    options = RenderOptions(clean=True, images={url: data})
    canvas = render_canvas(payload, [region], W, H, people, options)
    box = region_box(region)
    assert box[2] - box[0] == 128 and box[3] - box[1] == 72
    shown = canvas.crop(box)
    assert ImageChops.difference(shown, decode(data)).getbbox() is None
    assert pixel(canvas, 0, 0) == hex_rgb("#101820")


def test_bytes_that_are_not_an_image_are_an_error_naming_the_url_without_its_query() -> None:
    url = "https://cdn.example.com/bg.jpg?X-Amz-Signature=SECRET123"
    payload = {"backgroundColor": "#000000", "backgroundImage": url}
    options = RenderOptions(clean=True, images={url: b"not an image"})
    with pytest.raises(RenderError) as caught:
        render_canvas(payload, [], W, H, [], options)
    message = str(caught.value)
    assert "https://cdn.example.com/bg.jpg?...: not a picture Pillow can read" in message
    assert "SECRET123" not in message


def test_bytes_over_the_pixel_budget_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from layoutkit.render import pictures

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (9, 9, 9)).save(buffer, format="BMP")
    monkeypatch.setattr(pictures, "MAX_SOURCE_PIXELS", 100)
    with pytest.raises(RenderError, match=r"^https://x\.example/a\.bmp: the picture is 40×20"):
        pictures.open_image(buffer.getvalue(), name="https://x.example/a.bmp")


def test_decoded_bytes_are_remembered_by_their_content() -> None:
    from layoutkit.render.pictures import load_picture

    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(buffer, format="PNG")
    data = buffer.getvalue()
    first = load_picture(data, name="https://a.example/x.png")
    assert load_picture(bytes(bytearray(data)), name="https://b.example/y.png") is first
    assert first.size == (30, 20) and first.getpixel((0, 0)) == (1, 2, 3)
