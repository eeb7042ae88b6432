"""The style images (issue 15): a `StylePlan` drawn into the
JPEGs Agora shows, pixel by pixel: frames on exactly their band, name strips in exactly
their rectangle, images fitted or cropped, cards; text shrunk, then cut with a warning;
bad images as located errors; JPEGs of the canvas size within Agora's 6 MB."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from style_helpers import (
    BG,
    BLUE,
    GREEN,
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
from layoutkit.render.compose import hex_rgb
from layoutkit.render.style import (
    ELLIPSIS,
    can_draw,
    fit_text,
    paint_background,
    paint_card,
    render_style,
)
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
from layoutkit.wire.rules import MAX_IMAGE_BYTES


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_images(tmp_path_factory.mktemp("style-images"))


# marks, pixel by pixel (the painted picture; the JPEG within a tolerance)


def test_a_frame_is_exactly_the_band_inside_its_rectangle() -> None:
    rect, band = PixelRect(40, 30, 100, 60), 5
    image = paint_background(plan(FrameMark(rect, band, RED)))
    red, bg = hex_rgb(RED), hex_rgb(BG)
    for y in range(H):
        for x in range(W):
            inside_rect = rect.x <= x < rect.right and rect.y <= y < rect.bottom
            inside_video = (
                rect.x + band <= x < rect.right - band and rect.y + band <= y < rect.bottom - band
            )
            expected = red if inside_rect and not inside_video else bg
            assert pixel(image, x, y) == expected, (x, y)


def test_a_label_strip_is_exactly_its_rectangle_and_its_text_stays_inside() -> None:
    rect = PixelRect(30, 120, 200, 30)
    mark = TextMark(rect, "Alice Example", 20, 10, WHITE, "#334455", "left")
    image = paint_background(plan(mark))
    strip, bg, white = hex_rgb("#334455"), hex_rgb(BG), hex_rgb(WHITE)
    inked = 0
    for y in range(H):
        for x in range(W):
            value = pixel(image, x, y)
            if rect.x <= x < rect.right and rect.y <= y < rect.bottom:
                assert value != bg, (x, y)
                inked += value != strip
            else:
                assert value == bg, (x, y)
    assert inked > 100  # the name is written in the strip
    # left-aligned: the ink starts near the left and ends well before the right
    columns = [
        x
        for x in range(rect.x, rect.right)
        if any(close(pixel(image, x, y), white, 60) for y in range(rect.y, rect.bottom))
    ]
    assert columns[0] < rect.x + 15 and columns[-1] < rect.x + rect.width * 0.8


def test_text_without_a_background_is_written_on_what_is_below() -> None:
    fill = FillMark(PixelRect(0, 0, W, H), GREEN)
    text = TextMark(PixelRect(10, 10, 200, 40), "Title", 30, 10, WHITE)
    image = paint_background(plan(fill, text))
    assert pixel(image, 12, 12) == hex_rgb(GREEN)
    assert any(pixel(image, x, 30) == hex_rgb(WHITE) for x in range(10, 210))


def test_marks_are_painted_in_order() -> None:
    a = FillMark(PixelRect(0, 0, 100, 100), RED)
    b = FillMark(PixelRect(50, 50, 100, 100), BLUE)
    assert pixel(paint_background(plan(a, b)), 75, 75) == hex_rgb(BLUE)
    assert pixel(paint_background(plan(b, a)), 75, 75) == hex_rgb(RED)


def test_an_image_fitted_is_whole_and_centred_and_the_background_shows_around_it(
    images: dict[str, Path],
) -> None:
    rect = PixelRect(100, 40, 80, 80)  # a 2:1 picture fits as 80×40, centred: rows 60..99
    image = paint_background(plan(ImageMark(rect, str(images["wide"]), "fit")))
    assert pixel(image, 140, 80) == (255, 0, 0)
    assert pixel(image, 101, 61) == (255, 0, 0) and pixel(image, 178, 98) == (255, 0, 0)
    assert pixel(image, 140, 50) == hex_rgb(BG) and pixel(image, 140, 110) == hex_rgb(BG)
    assert pixel(image, 99, 80) == hex_rgb(BG) and pixel(image, 180, 80) == hex_rgb(BG)


def test_an_image_cropped_covers_its_rectangle_exactly(images: dict[str, Path]) -> None:
    rect = PixelRect(100, 40, 80, 80)
    image = paint_background(plan(ImageMark(rect, str(images["wide"]), "crop")))
    for x, y in ((100, 40), (179, 119), (140, 80), (100, 119), (179, 40)):
        assert pixel(image, x, y) == (255, 0, 0)
    for x, y in ((99, 80), (180, 80), (140, 39), (140, 120)):
        assert pixel(image, x, y) == hex_rgb(BG)


def test_a_logo_keeps_its_transparency(images: dict[str, Path]) -> None:
    image = paint_background(plan(ImageMark(PixelRect(0, 0, 20, 20), str(images["logo"]))))
    assert pixel(image, 2, 2) == hex_rgb(BG)  # the transparent corner
    assert pixel(image, 15, 15) == (0, 0, 255)


def test_a_card_is_its_size_and_colour_with_the_initials_and_the_name() -> None:
    card = CardPlan("1001", 240, 135, "#335577", "Alice Example", "AE", WHITE)
    image = paint_card(card)
    assert image.size == (240, 135)
    assert pixel(image, 2, 2) == hex_rgb("#335577")
    middle = [pixel(image, x, y) for x in range(60, 180) for y in range(30, 90)]
    assert any(close(p, hex_rgb(WHITE), 30) for p in middle)  # the initials
    below = [pixel(image, x, y) for x in range(240) for y in range(90, 130)]
    assert any(close(p, hex_rgb(WHITE), 60) for p in below)  # the name
    data = render_style(plan(cards=(card,))).cards["1001"]
    assert decode(data).size == (240, 135)
    assert close(pixel(decode(data), 2, 2), hex_rgb("#335577"))


def test_a_card_with_an_image_shows_it(images: dict[str, Path]) -> None:
    card = CardPlan("7", 60, 60, "#335577", "", "", WHITE, image=str(images["wide"]))
    assert pixel(paint_card(card), 1, 1) == (255, 0, 0)


# text that does not fit, characters the font cannot draw


def test_text_is_drawn_at_its_size_when_it_fits_and_shrunk_when_it_does_not() -> None:
    assert fit_text("Ann", 20, 8, 300, 40) == ("Ann", 20)
    shown, size = fit_text("Alexandra Longname", 30, 8, 160, 40)
    assert shown == "Alexandra Longname" and 8 <= size < 30
    assert fit_text("Ann", 40, 8, 300, 20)[1] < 20  # the strip's height caps the size too


def test_text_too_long_even_at_its_minimum_is_cut_with_a_warning_naming_it() -> None:
    long = "Bartholomew Maximilian Longname-Fitzgerald the Third"
    mark = TextMark(PixelRect(0, 0, 120, 24), long, 18, 10, WHITE, where="show.yaml:12:14")
    warnings: list[str] = []
    paint_background(plan(mark), warnings)
    assert len(warnings) == 1
    assert warnings[0].startswith("show.yaml:12:14: ")
    assert repr(long) in warnings[0] and "at 10 px" in warnings[0]
    shown, size = fit_text(long, 18, 10, 120, 24)
    assert size == 10 and shown.endswith(ELLIPSIS) and long.startswith(shown[: -len(ELLIPSIS)])
    assert shown in warnings[0]


def test_a_shrunk_text_that_fits_gives_no_warning() -> None:
    mark = TextMark(PixelRect(0, 0, 160, 40), "Alexandra Longname", 30, 8, WHITE)
    warnings: list[str] = []
    paint_background(plan(mark), warnings)
    assert warnings == []


def test_characters_the_font_cannot_draw_are_warned_about_and_drawn_as_boxes() -> None:
    assert can_draw("A") and can_draw(" ")
    assert not can_draw("\u674e") and not can_draw("\n")
    mark = TextMark(PixelRect(0, 0, 300, 40), "Ann \u0378\nB", 20, 8, WHITE, where="l.yaml:3:9")
    result = render_style(plan(mark))
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.startswith("l.yaml:3:9: ") and "U+0378" in warning and "U+000A" in warning
    assert "\n" not in warning


def test_a_card_name_too_long_is_cut_with_a_warning_at_the_card_place() -> None:
    card = CardPlan(
        "9", 80, 60, RED, "Bartholomew Maximilian Fitzgerald", "BM", WHITE, where="c.yaml:2:3"
    )
    result = render_style(plan(cards=(card,)))
    assert any(w.startswith("c.yaml:2:3: ") and "Bartholomew" in w for w in result.warnings)


# images that cannot be used: located errors


def test_a_missing_logo_is_a_located_error(tmp_path: Path) -> None:
    mark = ImageMark(PixelRect(0, 0, 20, 20), str(tmp_path / "logo.png"), where="l.yaml:7:11")
    with pytest.raises(RenderError) as caught:
        render_style(plan(mark))
    assert str(caught.value).startswith("l.yaml:7:11: ")
    assert "logo.png: no such image file" in str(caught.value)


def test_a_logo_that_is_not_an_image_is_a_located_error(images: dict[str, Path]) -> None:
    mark = ImageMark(PixelRect(0, 0, 20, 20), str(images["text"]), where="l.yaml:8:11")
    with pytest.raises(RenderError, match=r"^l\.yaml:8:11: .*notes\.png: not an image"):
        render_style(plan(mark))


def test_a_folder_and_a_missing_card_image_are_located_errors(tmp_path: Path) -> None:
    mark = ImageMark(PixelRect(0, 0, 20, 20), str(tmp_path), where="l.yaml:9:1")
    with pytest.raises(RenderError, match=r"^l\.yaml:9:1: .*is a folder"):
        render_style(plan(mark))
    card = CardPlan("1", 9, 9, RED, "", "", WHITE, image=str(tmp_path / "x.jpg"), where="c:1:2")
    with pytest.raises(RenderError, match=r"^c:1:2: .*no such image file"):
        render_style(plan(cards=(card,)))


def test_an_image_over_the_pixel_budget_is_refused(
    images: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from layoutkit.render import pictures, style

    monkeypatch.setattr(pictures, "MAX_SOURCE_PIXELS", 100)
    style.clear_style_cache()
    mark = ImageMark(PixelRect(0, 0, 20, 20), str(images["wide"]), where="l.yaml:1:1")
    try:
        with pytest.raises(RenderError, match=r"^l\.yaml:1:1: .*40×20.*megapixels"):
            render_style(plan(mark))
    finally:
        style.clear_style_cache()


# the output: JPEGs of exactly the size, within Agora's 6 MB


def test_the_background_is_a_jpeg_of_exactly_the_canvas_size(images: dict[str, Path]) -> None:
    marks = (
        FrameMark(PixelRect(10, 10, 150, 90), 4, RED),
        TextMark(PixelRect(10, 100, 150, 24), "Alice", 16, 8, WHITE, "#222222"),
        ImageMark(PixelRect(200, 10, 100, 50), str(images["logo"])),
    )
    result = render_style(StylePlan(W, H, BG, marks))
    assert result.background[:3] == b"\xff\xd8\xff"
    assert len(result.background) <= MAX_IMAGE_BYTES
    image = decode(result.background)
    assert image.size == (W, H)
    assert close(pixel(image, 12, 50), hex_rgb(RED))  # in the band
    assert close(pixel(image, 80, 50), hex_rgb(BG))  # the video's place
    assert dict(result.cards) == {} and result.warnings == ()


def test_a_jpeg_over_agoras_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from layoutkit.render import style

    monkeypatch.setattr(style, "MAX_IMAGE_BYTES", 200)
    style.clear_style_cache()  # a plan drawn before under the real limit is remembered
    with pytest.raises(RenderError, match=r"background image is .* bytes as JPEG.* 200 bytes"):
        render_style(plan(FrameMark(PixelRect(0, 0, W, H), 3, RED)))


def test_a_canvas_over_the_pixel_limits_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="too large"):
        render_style(StylePlan(9000, 10, BG))


# any valid plan renders


@st.composite
def rects(draw: st.DrawFn, width: int, height: int) -> PixelRect:
    x = draw(st.integers(0, width - 1))
    y = draw(st.integers(0, height - 1))
    return PixelRect(x, y, draw(st.integers(1, width - x)), draw(st.integers(1, height - y)))


COLORS = st.sampled_from([RED, GREEN, BLUE, WHITE, BG, "#000000"])


@st.composite
def plans(draw: st.DrawFn, paths: tuple[str, ...]) -> StylePlan:
    width, height = draw(st.integers(1, 160)), draw(st.integers(1, 120))
    marks: list[Mark] = []
    for _ in range(draw(st.integers(0, 5))):
        rect = draw(rects(width, height))
        kind = draw(st.sampled_from(["frame", "text", "image", "fill"]))
        if kind == "frame" and min(rect.width, rect.height) >= 3:
            band = draw(st.integers(1, (min(rect.width, rect.height) - 1) // 2))
            marks.append(FrameMark(rect, band, draw(COLORS)))
        elif kind == "text":
            low = draw(st.integers(6, 30))
            marks.append(
                TextMark(
                    rect,
                    draw(st.text(max_size=60)),
                    draw(st.integers(low, 60)),
                    low,
                    draw(COLORS),
                    draw(st.none() | COLORS),
                    draw(st.sampled_from(["left", "center", "right"])),
                    draw(st.sampled_from(["", "l.yaml:1:2"])),
                )
            )
        elif kind == "image":
            marks.append(
                ImageMark(
                    rect, draw(st.sampled_from(paths)), draw(st.sampled_from(["fit", "crop"]))
                )
            )
        else:
            marks.append(FillMark(rect, draw(COLORS)))
    uids = draw(st.lists(st.text("0123456789", min_size=1, max_size=4), max_size=3, unique=True))
    cards = tuple(
        CardPlan(
            uid,
            draw(st.integers(1, 120)),
            draw(st.integers(1, 90)),
            draw(COLORS),
            draw(st.text(max_size=30)),
            draw(st.text(max_size=3)),
            draw(COLORS),
            draw(st.none() | st.sampled_from(paths)),
        )
        for uid in uids
    )
    return StylePlan(width, height, draw(COLORS), tuple(marks), cards)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_plan_renders(data: st.DataObject, images: dict[str, Path]) -> None:
    plan_ = data.draw(plans((str(images["wide"]), str(images["logo"]))))
    result = render_style(plan_)
    assert decode(result.background).size == (plan_.width, plan_.height)
    assert set(result.cards) == {card.uid for card in plan_.cards}
    for card in plan_.cards:
        assert decode(result.cards[card.uid]).size == (card.width, card.height)
    assert all(isinstance(w, str) and "\n" not in w for w in result.warnings)


def test_the_plan_stands_on_the_standard_library() -> None:
    """`styleplan` is a low module: the standard library and nothing of layoutkit above
    `errors` and `geometry`, so every stage can build a plan without loading Pillow."""
    import ast
    import sys

    from layoutkit import styleplan

    tree = ast.parse(Path(styleplan.__file__).read_text(encoding="utf-8"))
    found = {alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    found |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    low = {"layoutkit.errors", "layoutkit.geometry"}  # geometry: stdlib only too
    outside = {m.split(".")[0] for m in found if m not in low} - {"__future__"}
    assert outside <= sys.stdlib_module_names, outside
