"""What a region shows for a user whose video is off, in the steady state Agora reaches
after about 3.5 s: the user's background image (backgroundConfig, else
defaultUserBackgroundImage), else the canvas's backgroundImage, else the background
colour; never the frozen last frame. The same drawing in the renderer, `layoutkit
preview --video-off` and the emulator's composite."""

from __future__ import annotations

import io
from pathlib import Path

import requests
from click.testing import CliRunner
from emulator_helpers import with_storage
from PIL import Image

from layoutkit.cli import cli
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.geometry import ResolvedRegion
from layoutkit.render import Appearance, RenderOptions, render_canvas
from layoutkit.render.compose import pixel_box

W, H = 640, 360
BG = "#204060"
BG_RGB = (0x20, 0x40, 0x60)
LEFT = ResolvedRegion("1001", 0.0, 0.0, 0.5, 1.0)
RIGHT = ResolvedRegion("1002", 0.5, 0.0, 0.5, 1.0)
REGIONS = [
    {"uid": "1001", "x_axis": 0, "y_axis": 0, "width": 0.5, "height": 1},
    {"uid": "1002", "x_axis": 0.5, "y_axis": 0, "width": 0.5, "height": 1},
]
CAMERA_OFF = [Appearance("1001"), Appearance("1002", video_off=True)]


def centre(image: Image.Image, region: ResolvedRegion) -> tuple[int, ...]:
    left, top, right, bottom = pixel_box(region, *image.size)
    return tuple(image.getpixel(((left + right) // 2, (top + bottom) // 2)))  # type: ignore[arg-type]


def solid(path: Path, color: tuple[int, int, int]) -> Path:
    Image.new("RGB", (64, 64), color).save(path)
    return path


def draw(images: dict[str, Path] | None = None, **fields: object) -> Image.Image:
    payload = {"mixedVideoLayout": 3, "backgroundColor": BG, "layoutConfig": REGIONS, **fields}
    options = RenderOptions(clean=True, images=images or {})
    return render_canvas(payload, [LEFT, RIGHT], W, H, CAMERA_OFF, options)


def test_without_images_the_background_colour_shows_not_the_last_frame() -> None:
    image = draw()
    assert centre(image, RIGHT) == BG_RGB
    assert centre(image, LEFT) != BG_RGB  # 1001 sends video


def test_the_canvas_background_image_comes_before_the_colour(tmp_path: Path) -> None:
    url = "https://cdn.example.com/studio.jpg"
    image = draw({url: solid(tmp_path / "studio.png", (200, 10, 10))}, backgroundImage=url)
    assert centre(image, RIGHT) == (200, 10, 10)


def test_the_users_own_image_comes_first(tmp_path: Path) -> None:
    canvas, default, own = (
        "https://cdn.example.com/studio.jpg",
        "https://cdn.example.com/default.jpg",
        "https://cdn.example.com/1002.jpg",
    )
    images = {
        canvas: solid(tmp_path / "c.png", (200, 10, 10)),
        default: solid(tmp_path / "d.png", (10, 200, 10)),
        own: solid(tmp_path / "o.png", (10, 10, 200)),
    }
    fields: dict[str, object] = {"backgroundImage": canvas, "defaultUserBackgroundImage": default}
    assert centre(draw(images, **fields), RIGHT) == (10, 200, 10)
    fields["backgroundConfig"] = [{"uid": "1002", "image_url": own}]
    assert centre(draw(images, **fields), RIGHT) == (10, 10, 200)


def test_a_floating_window_without_video_covers_the_large_picture() -> None:
    big = ResolvedRegion("1001", 0.0, 0.0, 1.0, 1.0)
    small = ResolvedRegion("1002", 0.012, 0.753, 0.235, 0.235)
    payload = {"mixedVideoLayout": 0, "backgroundColor": BG}
    image = render_canvas(payload, [big, small], W, H, CAMERA_OFF, RenderOptions(clean=True))
    assert centre(image, small) == BG_RGB
    assert centre(image, big) != BG_RGB


def test_preview_with_video_off_shows_the_background(tmp_path: Path) -> None:
    layout = tmp_path / "layout.yaml"
    layout.write_text(
        "canvas: 640x360\nbackground: '#204060'\nregions:\n"
        "  - {x: 0, y: 0, width: 50%, height: 100%}\n"
        "  - {x: 50%, y: 0, width: 50%, height: 100%}\n",
        encoding="utf-8",
    )
    out = tmp_path / "preview.png"
    args = ["preview", str(layout), "--participants", "1001,1002", "--clean", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--video-off", "1002"])
    assert result.exit_code == 0, result.output
    image = Image.open(out).convert("RGB")
    assert centre(image, RIGHT) == BG_RGB
    assert centre(image, LEFT) != BG_RGB


def test_the_emulators_composite_shows_the_background_for_a_camera_off(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    agora_emulator.join("room", 1001)
    agora_emulator.join("room", 1002, media="video_off")
    layout = {"mixedVideoLayout": 3, "backgroundColor": BG, "layoutConfig": REGIONS}
    canvas = {**layout, "width": W, "height": H}
    start = with_storage({"recordingConfig": {"transcodingConfig": canvas}})
    with agora_client.record("room", 99, start) as recording:
        url = f"{agora_emulator.url}/_emulator/recordings/{recording.sid}/composite.png"
        image = Image.open(io.BytesIO(requests.get(url, timeout=10).content)).convert("RGB")
    assert centre(image, RIGHT) == BG_RGB
    assert centre(image, LEFT) != BG_RGB
