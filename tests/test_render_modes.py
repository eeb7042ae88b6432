"""Built-in modes drawn through the whole pipeline: for every count 1..17 the tiles sit
where docs/agora.md puts them, checked on the pixels of the PNG."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from layoutkit import parse_layout
from layoutkit.preview import PreviewOptions, render_preview
from layoutkit.render import participant_color

W, H = 1280, 720
BG = (0x20, 0x28, 0x30)
UIDS = [str(2000 + 7 * i) for i in range(17)]


def png(mode: str, people: list[str], focus: str = "", **options: object) -> Image.Image:
    text = f"canvas: {W}x{H}\nbackground: '#202830'\nmode: {mode}\n"
    if focus:
        text += f"focus: '{focus}'\n"
    data = render_preview(
        parse_layout(text),
        people,
        options=PreviewOptions(clean=True, **options),  # type: ignore[arg-type]
    )
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def color_of(uid: str) -> tuple[int, int, int]:
    """Colours go by join order: UIDS join in their order."""
    return participant_color(UIDS.index(uid))


def at(image: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    return image.getpixel((min(round(x * W), W - 1), min(round(y * H), H - 1)))  # type: ignore[return-value]


def centre(region: tuple[float, float, float, float]) -> tuple[float, float]:
    x, y, w, h = region
    return x + w / 2, y + h / 2


def close(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(p - q) <= 2 for p, q in zip(a, b, strict=True))


def floating_small(k: int) -> tuple[float, float, float, float]:
    # the reference's table: column k % 4 from the left, row k // 4 from the bottom
    xs = (0.012, 0.259, 0.506, 0.753)
    ys = (0.753, 0.506, 0.259, 0.012)
    return xs[k % 4], ys[k // 4], 0.235, 0.235


@pytest.mark.parametrize("n", range(1, 18))
def test_floating_tiles_on_the_pixels(n: int) -> None:
    people = UIDS[:n]
    image = png("floating", people)
    # the first user fills the canvas; (0.5, 0.5) falls between the small windows
    assert close(at(image, 0.5, 0.5), color_of(people[0]))
    for k, uid in enumerate(people[1:]):
        assert close(at(image, *centre(floating_small(k))), color_of(uid)), (k, uid)


def adaptive_cell(n: int, i: int) -> tuple[float, float, float, float]:
    if n == 1:
        return 0, 0, 1, 1
    if n == 2:
        return 0.5 * i, 0, 0.5, 1
    if n == 17:
        return (0.4, 0.8, 0.2, 0.2) if i == 16 else (0.1 + 0.2 * (i % 4), 0.2 * (i // 4), 0.2, 0.2)
    side = 2 if n <= 4 else 3 if n <= 9 else 4
    return (i % side) / side, (i // side) / side, 1 / side, 1 / side


@pytest.mark.parametrize("n", range(1, 18))
def test_adaptive_tiles_on_the_pixels(n: int) -> None:
    people = UIDS[:n]
    image = png("adaptive", people)
    for i, uid in enumerate(people):
        assert close(at(image, *centre(adaptive_cell(n, i))), color_of(uid)), (i, uid)
    if n == 3:  # the bottom-right cell stays empty
        assert at(image, 0.75, 0.75) == BG


def vertical_small(n: int, k: int) -> tuple[float, float, float, float]:
    smalls = n - 1
    if smalls <= 4:
        return 0.8, k / 4, 0.2, 0.25
    if smalls <= 6:
        return 6 / 7, k / 6, 1 / 7, 1 / 6
    if smalls <= 8:
        return 8 / 9, k / 8, 1 / 9, 1 / 8
    return (0.9 if k < 8 else 0.8), (k % 8) / 8, 0.1, 0.125


@pytest.mark.parametrize("n", range(1, 18))
def test_vertical_tiles_on_the_pixels(n: int) -> None:
    people = UIDS[:n]
    large = people[-1]
    image = png("vertical", people, focus=large)
    large_w = 6 / 7 if n in (6, 7) else 8 / 9 if n in (8, 9) else 0.8
    assert close(at(image, large_w / 2, 0.5), color_of(large))
    for k, uid in enumerate(people[:-1]):
        assert close(at(image, *centre(vertical_small(n, k))), color_of(uid)), (k, uid)


def test_vertical_large_region_letterboxes() -> None:
    image = png("vertical", UIDS[:2], focus=UIDS[0])
    # 1024×720 px large region, 16:9 camera fitted: 576 px high, black bands of 72 px
    assert at(image, 0.4, 0.02) == (0, 0, 0)
    assert close(at(image, 0.4, 0.5), color_of(UIDS[0]))


def test_vertical_without_the_focus_user_shows_background_in_the_large_area() -> None:
    image = png("vertical", UIDS[:3], focus="99")
    assert at(image, 0.4, 0.5) == BG


def test_floating_audio_only_small_window_is_transparent() -> None:
    people = UIDS[:3]
    image = png("floating", people, audio_only=frozenset({people[1]}))
    alone = png("floating", people[:1])
    # user 2's small window shows exactly what the full-canvas user shows there
    x, y = centre(floating_small(0))
    assert at(image, x, y) == at(alone, x, y)
    assert close(at(image, *centre(floating_small(1))), color_of(people[2]))
