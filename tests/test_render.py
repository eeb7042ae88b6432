"""Pixel checks of the previews: colours where regions are, background elsewhere, crop
and fit, alpha, paint order, placeholders, limits and atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from layoutkit.errors import RenderError
from layoutkit.geometry import ResolvedRegion
from layoutkit.render import (
    Appearance,
    RenderOptions,
    encode_png,
    participant_color,
    render_canvas,
    render_sheet,
    write_png,
)
from layoutkit.render.compose import pixel_box
from layoutkit.wire import UpdateLayoutClientRequest

W, H = 1280, 720
BG = (16, 24, 32)
CLEAN = RenderOptions(clean=True)
PEOPLE = [Appearance("1001"), Appearance("1002"), Appearance("1003")]


def color_of(uid: str) -> tuple[int, int, int]:
    """A PEOPLE member's colour: colours go by join order."""
    return participant_color([p.uid for p in PEOPLE].index(uid))


def custom(*entries: dict[str, object], **fields: object) -> UpdateLayoutClientRequest:
    layout = {"mixedVideoLayout": 3, "layoutConfig": list(entries)} if entries else {}
    return UpdateLayoutClientRequest.model_validate(
        {"backgroundColor": "#101820", **layout, **fields}
    )


def entry(region: ResolvedRegion) -> dict[str, object]:
    return {
        "uid": region.uid,
        "x_axis": region.x,
        "y_axis": region.y,
        "width": region.width,
        "height": region.height,
        "alpha": region.alpha,
        "render_mode": 1 if region.fit == "fit" else 0,
    }


def draw(
    regions: list[ResolvedRegion],
    options: RenderOptions = CLEAN,
    people: list[Appearance] = PEOPLE,
    **fields: object,
) -> Image.Image:
    payload = custom(*(entry(r) for r in regions), **fields)
    return render_canvas(payload, regions, W, H, people, options)


def centre(image: Image.Image, region: ResolvedRegion) -> tuple[int, int, int]:
    left, top, right, bottom = pixel_box(region, W, H)
    return image.getpixel(((left + right) // 2, (top + bottom) // 2))  # type: ignore[return-value]


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 2) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_region_centres_have_the_participant_colour_and_the_rest_is_background() -> None:
    regions = [
        ResolvedRegion("1001", 0.0, 0.0, 0.5, 0.5),
        ResolvedRegion("1002", 0.5, 0.5, 0.25, 0.25),
        ResolvedRegion("1003", 0.05, 0.6, 0.3, 0.3, "fit"),
    ]
    for options in (CLEAN, RenderOptions()):
        image = draw(regions, options)
        for region in regions:
            assert close(centre(image, region), color_of(region.uid or ""))
        assert image.getpixel((W - 5, 5)) == BG
        assert image.getpixel((W // 2 + 10, H // 4)) == BG


def test_fit_shows_black_bars_and_crop_shows_none() -> None:
    square_fit = ResolvedRegion("1001", 0.0, 0.0, 0.5, 0.5 * W / H / 1, "fit")  # 640×640 px
    image = draw([square_fit])
    left, top, right, bottom = pixel_box(square_fit, W, H)
    # a 16:9 picture in a square: bars above and below
    assert image.getpixel(((left + right) // 2, top + 5)) == (0, 0, 0)
    assert image.getpixel(((left + right) // 2, bottom - 5)) == (0, 0, 0)
    assert close(centre(image, square_fit), color_of("1001"))
    square_crop = ResolvedRegion("1001", 0.0, 0.0, 0.5, 0.5 * W / H, "crop")
    image = draw([square_crop])
    for y in range(top, bottom, 7):
        assert image.getpixel(((left + right) // 2, y)) != (0, 0, 0)


def test_alpha_half_blends_with_what_is_below() -> None:
    below = ResolvedRegion("1001", 0.0, 0.0, 1.0, 1.0)
    above = ResolvedRegion("1002", 0.25, 0.25, 0.5, 0.5, alpha=0.5)
    image = draw([below, above])
    a, b = color_of("1002"), color_of("1001")
    expected = tuple((x + y) / 2 for x, y in zip(a, b, strict=True))
    assert close(centre(image, above), tuple(round(v) for v in expected))


def test_later_regions_paint_over_earlier_ones() -> None:
    first = ResolvedRegion("1001", 0.0, 0.0, 1.0, 1.0)
    second = ResolvedRegion("1002", 0.25, 0.25, 0.5, 0.5)
    image = draw([first, second])
    assert close(centre(image, second), color_of("1002"))
    image = draw([second, first])
    assert close(centre(image, second), color_of("1001"))


def test_empty_slots_and_absent_users_show_the_background() -> None:
    regions = [ResolvedRegion(None, 0.0, 0.0, 0.5, 0.5), ResolvedRegion("77", 0.5, 0.0, 0.5, 0.5)]
    image = draw(regions)
    assert centre(image, regions[0]) == BG and centre(image, regions[1]) == BG


def test_scale_clean_and_annotated_sizes() -> None:
    regions = [ResolvedRegion("1001", 0.0, 0.0, 0.5, 0.5)]
    assert draw(regions, RenderOptions(clean=True, scale=0.5)).size == (640, 360)
    assert draw(regions).size == (W, H)
    # annotated: people without a region are listed in a caption strip below
    annotated = draw(regions, RenderOptions())
    assert annotated.width == W and annotated.height > H


def test_background_image_from_a_local_file_is_cropped_to_fill(tmp_path: Path) -> None:
    picture = tmp_path / "studio.png"
    Image.new("RGB", (100, 100), (200, 10, 10)).save(picture)
    url = "https://cdn.example.com/studio.png"
    image = draw([], RenderOptions(clean=True, images={url: picture}), backgroundImage=url)
    assert image.getpixel((0, 0)) == (200, 10, 10)
    assert image.getpixel((W - 1, H - 1)) == (200, 10, 10)


def test_video_off_shows_the_placeholder_image(tmp_path: Path) -> None:
    card = tmp_path / "card.png"
    Image.new("RGB", (64, 36), (10, 200, 10)).save(card)
    url = "https://cdn.example.com/card.png"
    region = ResolvedRegion("1002", 0.0, 0.0, 0.5, 0.5)
    people = [Appearance("1002", video_off=True)]
    image = draw(
        [region],
        RenderOptions(clean=True, images={url: card}),
        people,
        defaultUserBackgroundImage=url,
    )
    assert close(centre(image, region), (10, 200, 10))
    per_user = [{"uid": "1002", "image_url": url}]
    image = draw(
        [region], RenderOptions(clean=True, images={url: card}), people, backgroundConfig=per_user
    )
    assert close(centre(image, region), (10, 200, 10))


def test_audio_only_without_placeholder_shows_the_background() -> None:
    region = ResolvedRegion("1002", 0.0, 0.0, 0.5, 0.5)
    image = draw([region], people=[Appearance("1002", audio_only=True)])
    assert centre(image, region) == BG


def test_real_picture_for_a_participant(tmp_path: Path) -> None:
    photo = tmp_path / "me.jpg"
    Image.new("RGB", (160, 90), (250, 250, 0)).save(photo)
    region = ResolvedRegion("1001", 0.1, 0.1, 0.3, 0.3)
    image = draw([region], people=[Appearance("1001", image=photo)])
    assert close(centre(image, region), (250, 250, 0), tolerance=4)


@pytest.mark.parametrize("scale", [0, -1, 4.5, float("nan")])
def test_bad_scale_is_refused(scale: float) -> None:
    with pytest.raises(RenderError, match="scale"):
        draw([], RenderOptions(scale=scale))


def test_missing_and_broken_pictures_are_named(tmp_path: Path) -> None:
    region = ResolvedRegion("1001", 0.0, 0.0, 0.5, 0.5)
    with pytest.raises(RenderError, match="no such picture file"):
        draw([region], people=[Appearance("1001", image=tmp_path / "gone.png")])
    broken = tmp_path / "broken.png"
    broken.write_text("not a picture")
    with pytest.raises(RenderError, match="not a picture Pillow can read"):
        draw([region], people=[Appearance("1001", image=broken)])


def test_sheet_places_every_frame_and_limits_the_count() -> None:
    frames = [(f"{n} people", Image.new("RGB", (160, 90), (n * 10, 0, 0))) for n in range(1, 18)]
    sheet = render_sheet(frames)
    assert sheet.width > 400 * 4 and sheet.height > 225 * 3
    assert sheet.getpixel((12 + 200, 12 + 112)) == (10, 0, 0)
    with pytest.raises(RenderError, match="at most 64"):
        render_sheet(frames * 4)


def test_write_png_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.png"
    image = Image.new("RGB", (8, 8), (1, 2, 3))
    write_png(target, image)
    with Image.open(target) as reread:
        assert reread.getpixel((0, 0)) == (1, 2, 3)

    def fail(self: Path, other: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(RenderError, match="No space left"):
        write_png(target, encode_png(Image.new("RGB", (8, 8), (9, 9, 9))))
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]
    with Image.open(target) as reread:
        assert reread.getpixel((0, 0)) == (1, 2, 3)
