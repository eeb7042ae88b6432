"""Images under a budget (issue 20 point 9, issue 21 point 2): a picture file is measured
by its header before it is decoded and refused over the pixel cap with a located error;
it is decoded at the size it is drawn (a JPEG by its decoder, a PNG a strip of rows at a
time, any other format reduced right after decoding, only the part that shows when it is
cropped), so a huge logo drawn small is never held whole: `layoutkit preview` of a layout
with a 7000×7000 PNG logo, or with the largest PNG accepted as a full-canvas card, stays
under 150 MB."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from memory_helpers import preview_peak_kib
from PIL import Image
from style_helpers import write_png

from layoutkit.cli import cli
from layoutkit.errors import RenderError
from layoutkit.render import pictures
from layoutkit.render.pictures import PICTURES, drawn_size, load_picture, open_image
from layoutkit.render.style import clear_style_cache, load_image, paint_card
from layoutkit.styleplan import CardPlan

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


LOGO_LAYOUT = """canvas: 1280x720
decor:
  - {image: IMAGE, x: 10px, y: 10px, width: 300px, height: 100px}
regions:
  - {uid: 1, x: 0, y: 120px, width: 50%, height: 600px}
"""
CARD_LAYOUT = """canvas: 1920x1080
card: {image: IMAGE}
regions:
  - {uid: 1, x: 0, y: 0, width: 100%, height: 100%}
"""


@pytest.mark.parametrize(
    ("side", "layout_text", "args", "spot"),
    [
        (7000, LOGO_LAYOUT, (), (160, 60)),  # the logo fitted: 100×100, centred in its box
        (7071, CARD_LAYOUT, ("--video-off", "1"), (960, 100)),  # 50 MP, the most accepted
    ],
    ids=["logo-drawn-small", "largest-png-as-a-full-canvas-card"],
)
def test_a_preview_with_a_huge_png_stays_under_150_mb(
    tmp_path: Path, side: int, layout_text: str, args: tuple[str, ...], spot: tuple[int, int]
) -> None:
    logo = tmp_path / "logo.png"
    write_png(logo, side, side, bytes((200, 30, 30, 160)) * side)  # 196 MB or more as RGBA
    layout = tmp_path / "show.yaml"
    layout.write_text(layout_text.replace("IMAGE", str(logo)), encoding="utf-8")
    output = tmp_path / "show.png"
    peak_mib = preview_peak_kib(str(layout), *args, "-o", str(output)) / 1024
    assert peak_mib < 150, peak_mib  # 410 MB decoded and converted whole, 228 MB decoded whole
    with Image.open(output) as shown:
        drawn = shown.convert("RGB")
    red, green, blue = drawn.getpixel(spot)  # type: ignore[misc]
    assert red > 120 and green < 60 and blue < 60  # the picture, blended on what is below
    if layout_text is LOGO_LAYOUT:
        assert drawn.getpixel((40, 60)) != drawn.getpixel(spot)  # beside it: the background


def test_a_logo_is_decoded_at_the_size_it_is_drawn(tmp_path: Path) -> None:
    wide = tmp_path / "wide.png"
    write_png(wide, 2000, 1000, bytes((0, 0, 255, 255)) * 2000)
    fitted = load_image(str(wide), "l.yaml:3:5", (300, 100))
    assert fitted.size == (200, 100) == drawn_size((2000, 1000), (300, 100))
    assert fitted.mode == "RGBA" and fitted.getpixel((100, 50)) == (0, 0, 255, 255)
    covering = load_image(str(wide), "l.yaml:3:5", (300, 100), cover=True)
    assert covering.size == (300, 100)
    small = tmp_path / "small.png"
    Image.new("RGBA", (40, 20), (1, 2, 3, 255)).save(small)
    assert load_image(str(small), max_size=(300, 100)).size == (40, 20)  # never enlarged


def test_cover_keeps_the_centre_at_the_boxs_shape(tmp_path: Path) -> None:
    stripes = tmp_path / "stripes.png"
    picture = Image.new("RGB", (900, 300), RED)
    picture.paste(GREEN, (300, 0, 600, 300))
    picture.paste(BLUE, (600, 0, 900, 300))
    picture.save(stripes)
    middle = open_image(stripes, max_size=(100, 100), cover=True)
    assert middle.size == (100, 100)
    assert {middle.getpixel((x, y)) for x in (2, 50, 97) for y in (2, 97)} == {GREEN}
    whole = open_image(stripes, max_size=(90, 90))
    assert whole.size == (90, 30)
    assert whole.getpixel((10, 15)) == RED and whole.getpixel((80, 15)) == BLUE


def test_a_picture_far_from_the_boxs_shape_is_cut_before_it_is_enlarged(
    tmp_path: Path,
) -> None:
    sliver = tmp_path / "sliver.png"
    write_png(sliver, 20_000, 2, bytes((0, 200, 0, 255)) * 20_000)
    part = open_image(sliver, "RGBA", max_size=(1920, 1080), cover=True)
    assert part.size == (4, 2)  # what a 1920×1080 card shows, not 10.8 million px wide
    card = CardPlan("5", 1920, 1080, "#000000", "", "", "#FFFFFF", str(sliver))
    assert paint_card(card).getpixel((960, 540)) == (0, 200, 0)


def test_a_jpeg_drawn_small_is_decoded_small_and_looks_the_same(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    picture = Image.new("RGB", (4000, 3000), (250, 250, 250))
    picture.paste((20, 40, 200), (1000, 750, 3000, 2250))
    picture.save(photo, quality=90)
    for small, corner_at in (
        (open_image(photo, max_size=(400, 300)), (10, 10)),
        (open_image(photo, max_size=(100, 100), cover=True), (3, 3)),  # the middle square
    ):
        w, h = small.size
        assert (w, h) in ((400, 300), (100, 100))
        centre, corner = small.getpixel((w // 2, h // 2)), small.getpixel(corner_at)
        assert isinstance(centre, tuple) and isinstance(corner, tuple)
        assert all(abs(a - b) <= 8 for a, b in zip(centre, (20, 40, 200), strict=True))
        assert all(v >= 240 for v in corner)


def test_cached_pictures_are_the_drawn_size_and_reread_when_the_file_changes(
    tmp_path: Path,
) -> None:
    PICTURES.clear()
    path = tmp_path / "big.png"
    write_png(path, 3000, 3000, bytes((9, 9, 9, 255)) * 3000)
    first = load_picture(path, (300, 100))
    assert first.size == (100, 100) and first.mode == "RGB"
    assert load_picture(path, (300, 100)) is first
    assert PICTURES.bytes == 3 * 100 * 100
    write_png(path, 3000, 1500, bytes((9, 9, 9, 255)) * 3000)
    assert load_picture(path, (300, 100)).size == (200, 100)
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 600), (7, 7, 7)).save(buffer, format="PNG")
    as_bytes = load_picture(buffer.getvalue(), (120, 120), name="https://cdn.example/x.png")
    assert as_bytes.size == (120, 60)


# over the cap: refused from the header, located, with what to do


def test_a_logo_over_the_pixel_cap_is_refused_at_its_place_before_decoding(
    tmp_path: Path,
) -> None:
    logo = tmp_path / "huge.png"
    write_png(logo, 8000, 7000)  # a header only: decoding it would fail another way
    layout = tmp_path / "show.yaml"
    layout.write_text(LOGO_LAYOUT.replace("IMAGE", "huge.png"), encoding="utf-8")
    for command in (
        ["preview", str(layout), "-o", str(tmp_path / "x.png")],
        ["compile", str(layout), "--participants", "1"],
    ):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert f"{layout}:3:13: error: decor[0].image: " in result.output
        assert "huge.png: the image is 8000×7000 pixels, over the limit of 50 megapixels" in (
            result.output
        )
        assert "save a smaller copy (about the size it is drawn at, 300×100 px)" in result.output
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(("side", "words"), [(10_000, "10000×10000 pixels"), (100_000, "far")])
def test_pictures_past_pillows_own_limits_are_the_same_clear_error(
    tmp_path: Path, side: int, words: str
) -> None:
    path = tmp_path / "bomb.png"
    write_png(path, side, side)
    with pytest.raises(RenderError) as caught:
        open_image(path, max_size=(64, 64))
    message = str(caught.value)
    assert message.startswith(f"{path}: the picture is {words}")
    assert "over the limit of 50 megapixels" in message and "64×64 px" in message


def test_a_webp_has_a_smaller_budget_as_it_takes_more_memory_to_decode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pictures, "MAX_SOURCE_PIXELS", 4000)  # so WebP is allowed 1000 pixels
    encoded = {}
    for fmt in ("PNG", "WEBP"):
        buffer = io.BytesIO()
        Image.new("RGB", (50, 50), (9, 9, 9)).save(buffer, format=fmt)
        encoded[fmt] = buffer.getvalue()
    assert open_image(encoded["PNG"], name="https://x.example/a.png").size == (50, 50)
    with pytest.raises(RenderError) as caught:
        open_image(encoded["WEBP"], name="https://x.example/a.webp")
    assert str(caught.value).startswith(
        "https://x.example/a.webp: the picture is 50×50 pixels, over the limit of 0.001 "
        "megapixels for a WebP image, which takes 4 times the memory to decode"
    )


def test_a_picture_opened_on_another_thread_is_refused_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    write_png(path, 10_000, 10_000)  # in Pillow's warning band; warnings are errors here
    with ThreadPoolExecutor(1) as pool, pytest.raises(RenderError) as caught:
        pool.submit(open_image, path).result()
    assert "over the limit of 50 megapixels" in str(caught.value)


def test_formats_outside_the_list_are_refused_unread(tmp_path: Path) -> None:
    eps = tmp_path / "logo.eps"  # Pillow would hand an EPS to Ghostscript to decode
    eps.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(RenderError) as caught:
        load_image(str(eps), "l.yaml:3:13")
    assert str(caught.value) == (
        f"l.yaml:3:13: {eps}: not an image Pillow can read as PNG, JPEG, BMP, GIF, TIFF or WebP"
    )


@pytest.fixture(autouse=True)
def _fresh_style_cache() -> None:
    clear_style_cache()


def _noisy(mode: str, size: tuple[int, int]) -> Image.Image:
    """A picture in `mode` whose rows differ from each other and along themselves, so
    that its PNG uses every row filter."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.frombytes(
        "L", size, bytes((x * 7919 + x // 3) % 251 for x in range(width * height))
    )
    bands = [Image.blend(gradient, noise, 0.3 * (i + 1)) for i in range(len(mode))]
    if mode == "P":
        return Image.merge("RGB", bands * 3 if len(bands) == 1 else bands).quantize(64)
    return Image.merge(mode, bands)


@pytest.mark.parametrize(
    ("mode", "transparency"),
    [
        ("RGBA", None),
        ("RGB", None),
        ("RGB", (10, 20, 30)),
        ("L", None),
        ("L", 77),
        ("LA", None),
        ("P", 3),
    ],
)
@pytest.mark.parametrize(
    ("box", "cover"), [((97, 61), False), ((50, 90), True), ((900, 700), False)]
)
def test_a_png_decoded_by_strips_is_the_picture_decoded_whole(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    transparency: int | tuple[int, int, int] | None,
    box: tuple[int, int],
    cover: bool,
) -> None:
    path = tmp_path / "noisy.png"
    if transparency is None:
        _noisy(mode, (613, 457)).save(path)
    else:
        _noisy(mode, (613, 457)).save(path, transparency=transparency)
    monkeypatch.setattr(pictures, "STRIP_BYTES", 5000)  # a few rows a strip: many strips
    by_strips = open_image(path, "RGBA", max_size=box, cover=cover)
    monkeypatch.setattr(pictures, "read_header", lambda file: None)
    whole = open_image(path, "RGBA", max_size=box, cover=cover)
    assert by_strips.size == whole.size
    assert by_strips.tobytes() == whole.tobytes()


def test_a_16_bit_png_is_decoded_whole_and_drawn_the_same(tmp_path: Path) -> None:
    path = tmp_path / "deep.png"
    Image.linear_gradient("L").resize((600, 400)).convert("I;16").save(path)
    with path.open("rb") as file:
        assert pictures.read_header(file) is None  # 16 bits a sample: not by strips
    shown = open_image(path, "RGB", max_size=(60, 40))
    assert shown.size == (60, 40)


@pytest.mark.parametrize("damage", ["inflate", "truncate"])
def test_a_damaged_large_png_is_a_clear_error(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "damaged.png"
    _noisy("RGBA", (800, 600)).save(path, compress_level=1)
    data = path.read_bytes()
    idat = data.index(b"IDAT") + 4
    if damage == "inflate":
        data = data[:idat] + b"\xff" * 64 + data[idat + 64 :]
    else:
        data = data[: idat + 2000]
    path.write_bytes(data)
    with pytest.raises(RenderError, match=r"damaged\.png: not a picture Pillow can read"):
        open_image(path, max_size=(100, 100))
