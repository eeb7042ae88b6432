"""Agora's video profile advice (develop/recording-video-profile of the current docs) and
its rule for background image URLs, as `wire.rules` gives them to the compiler."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from layoutkit import wire
from layoutkit.wire.rules import (
    DEFAULT_BITRATE,
    MAX_BITRATE_KBPS,
    SUPPORTED_FPS,
    VIDEO_PROFILES,
    image_url_problem,
    recommended_bitrate,
)

# The page's table as it reads: resolution, frame rate, base bitrate, live bitrate.
PAGE_TABLE = """
160*120 15 65 130 | 120*120 15 50 100 | 320*180 15 140 280 | 180*180 15 100 200
240*180 15 120 240 | 320*240 15 200 400 | 240*240 15 140 280 | 424*240 15 220 440
640*360 15 400 800 | 360*360 15 260 520 | 640*360 30 600 1200 | 360*360 30 400 800
480*360 15 320 640 | 480*360 30 490 980 | 640*480 15 500 1000 | 480*480 15 400 800
640*480 30 750 1500 | 480*480 30 600 1200 | 848*480 15 610 1220 | 848*480 30 930 1860
640*480 10 400 800 | 1280*720 15 1130 2260 | 1280*720 30 1710 3420 | 960*720 15 910 1820
960*720 30 1380 2760 | 1920*1080 15 2080 4160 | 1920*1080 30 3150 6300
1920*1080 60 4780 6500
"""


def page_rows() -> list[tuple[int, int, int, int, int]]:
    rows = []
    for cell in PAGE_TABLE.replace("\n", " | ").split("|"):
        if cell.strip():
            size, fps, base, live = cell.split()
            width, height = size.split("*")
            rows.append((int(width), int(height), int(fps), int(base), int(live)))
    return rows


def test_the_table_is_the_pages_row_for_row() -> None:
    rows = page_rows()
    assert len(rows) == 28
    assert tuple((w, h, fps, base) for w, h, fps, base, _ in rows) == VIDEO_PROFILES
    for *_, base, live in rows:  # the page: live-broadcast is twice the base, up to 6500
        assert live == min(2 * base, MAX_BITRATE_KBPS)


@pytest.mark.parametrize(("width", "height", "fps", "base", "live"), page_rows())
def test_each_row_of_the_table_is_recommended_as_it_is(
    width: int, height: int, fps: int, base: int, live: int
) -> None:
    assert recommended_bitrate(width, height, fps) == base
    assert recommended_bitrate(height, width, fps) == base  # portrait: the same canvas


def test_the_anchors() -> None:
    assert recommended_bitrate(1920, 1080, 15) == 2080
    # Agora's default 500 Kbps for its default 360×640 canvas lies between the table's
    # base (400) and live-broadcast (800) bitrates for 640×360 at 15 fps
    assert recommended_bitrate(360, 640, 15) == 400 < DEFAULT_BITRATE < 2 * 400


@pytest.mark.parametrize(
    ("width", "height", "fps", "expected"),
    [
        # halfway in area between 1280×720 (1130) and 1920×1080 (2080) at 15 fps
        (1560, 960, 15, 1605),
        # 24 fps: 9/15 of the way from 1280×720's 15 fps row (1130) to its 30 fps row (1710)
        (1280, 720, 24, 1478),
        # 7 fps: 2/5 of the way from 5 fps (half of 2080, the page's rule) to 10 fps
        # (1920×1080 × the 10 fps row's ratio to its 15 fps row, 400/500)
        (1920, 1080, 7, 1290),
        # 1 fps: a fifth of 5 fps
        (1920, 1080, 1, 208),
        # 60 fps off its only row: the 15 fps curve × that row's ratio (4780/2080)
        (1280, 720, 60, 2597),
        # below the smallest row: in proportion to the area
        (60, 120, 15, 25),
    ],
)
def test_between_the_rows(width: int, height: int, fps: int, expected: int) -> None:
    assert recommended_bitrate(width, height, fps) == expected


def test_the_pages_worked_example_is_close() -> None:
    # the page: 300×240 at 30 fps ≈ 320×240's 200 Kbps × 1.5 = 300 Kbps
    assert abs(recommended_bitrate(300, 240, 30) - 300) <= 30


@pytest.mark.parametrize("fps", [0, 5, 12, 20, 25, 50, 120])
def test_an_fps_agora_does_not_support_is_recorded_at_15(fps: int) -> None:
    assert recommended_bitrate(1280, 720, fps) == recommended_bitrate(1280, 720, 15) == 1130


@given(
    st.integers(16, 1920),
    st.integers(16, 1920),
    st.sampled_from(SUPPORTED_FPS),
)
def test_more_pixels_or_frames_never_recommend_less(width: int, height: int, fps: int) -> None:
    value = recommended_bitrate(width, height, fps)
    assert 1 <= value <= MAX_BITRATE_KBPS
    assert recommended_bitrate(width + 1, height, fps) >= value
    assert recommended_bitrate(width, height + 1, fps) >= value
    faster = [f for f in SUPPORTED_FPS if f > fps]
    if faster:
        assert recommended_bitrate(width, height, faster[0]) >= value


def test_each_supported_frame_rate_recommends_more_than_the_one_below() -> None:
    for width, height in [(360, 640), (1000, 600), (1920, 1080), (160, 120)]:
        rates = [recommended_bitrate(width, height, fps) for fps in SUPPORTED_FPS]
        assert rates == sorted(set(rates)), (width, height, rates)


def test_the_cap_and_a_canvas_without_pixels() -> None:
    assert recommended_bitrate(1920, 1920, 60) == MAX_BITRATE_KBPS
    assert recommended_bitrate(1, 1, 1) == 1
    with pytest.raises(ValueError, match="no pixels"):
        recommended_bitrate(0, 640, 15)


def test_supported_fps_is_defined_once() -> None:
    assert SUPPORTED_FPS == (1, 7, 10, 15, 24, 30, 60)
    assert wire.SUPPORTED_FPS is SUPPORTED_FPS


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/bg.jpg",
        "https://cdn.example.com/a/b/bg.JPEG",
        "HTTPS://cdn.example.com/bg.bmp",
        "https://cdn.example.com/bg.jpg?v=3&size=large",
        "https://cdn.example.com/bg.Jpg#top",
        "https://cdn.example.com:8443/bg.jpg",
    ],
)
def test_image_urls_agora_loads(url: str) -> None:
    assert image_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://cdn.example.com/bg.jpg", "not an https:// URL"),
        ("ftp://cdn.example.com/bg.jpg", "not an https:// URL"),
        ("https:///bg.jpg", "not an https:// URL"),
        ("cdn.example.com/bg.jpg", "not an https:// URL"),
        ("https://cdn.example.com/bg.png", "does not end in .jpg, .jpeg or .bmp"),
        ("https://cdn.example.com/bg.jpg.webp", "does not end in .jpg, .jpeg or .bmp"),
        ("https://cdn.example.com/image?name=bg.jpg", "does not end in .jpg, .jpeg or .bmp"),
        ("https://cdn.example.com/", "does not end in .jpg, .jpeg or .bmp"),
    ],
)
def test_image_urls_agora_does_not_load(url: str, why: str) -> None:
    problem = image_url_problem(url)
    assert problem is not None
    assert problem.startswith(
        "Agora loads background images only over HTTPS, as JPG or BMP, at most 6 MB"
    )
    assert why in problem
