"""`layoutkit preview`: files written atomically, standard output, sheets, bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from layoutkit.cli import cli
from layoutkit.render import participant_color

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "speaker-pip.yaml")


def invoke(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def test_default_name_is_the_stem_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("preview", EXAMPLE, "--count", "2", "--clean")
    assert code == 0 and "wrote speaker-pip.png" in err
    with Image.open(tmp_path / "speaker-pip.png") as image:
        assert image.size == (1280, 720)
        # the bottom-right inset (uid 2: the second stand-in participant) is drawn there
        assert image.getpixel((1096, 607)) != image.getpixel((640, 360))


def test_dash_writes_png_to_standard_output() -> None:
    code, out, _ = invoke(
        "preview", EXAMPLE, "--participants", "1001,1002", "--clean", "--scale", "0.25", "-o", "-"
    )
    assert code == 0
    image = Image.open(io.BytesIO(out))
    assert image.size == (320, 180)
    assert image.getpixel((160, 90)) == participant_color(0)  # the first to join


def test_sheet(tmp_path: Path) -> None:
    target = tmp_path / "sheet.png"
    code, _, _ = invoke(
        "preview",
        str(ROOT / "examples" / "grid-family.yaml"),
        "--sheet",
        "--scale",
        "0.25",
        "-o",
        str(target),
    )
    assert code == 0
    with Image.open(target) as image:
        assert image.width > 1600 and image.height > 800


def test_real_image_and_camera_shape(tmp_path: Path) -> None:
    photo = tmp_path / "face.png"
    Image.new("RGB", (90, 160), (250, 200, 0)).save(photo)
    target = tmp_path / "out.png"
    code, _, _ = invoke(
        "preview",
        EXAMPLE,
        "--participants",
        "1001,1002",
        "--role",
        "guest=1002",
        "--image",
        f"1002={photo}",
        "--clean",
        "-o",
        str(target),
    )
    assert code == 0
    with Image.open(target) as image:
        # alpha 0.95 over the host: within a few levels of the picture's colour
        red, green, _ = image.convert("RGB").getpixel((1096, 607))  # type: ignore[misc]
        assert abs(red - 250) <= 12 and abs(green - 200) <= 12


def test_bad_image_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_text("nope")
    target = tmp_path / "out.png"
    code, _, err = invoke(
        "preview", EXAMPLE, "--count", "2", "--image", f"1={broken}", "-o", str(target)
    )
    assert code == 1
    assert "broken.png: not a picture" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.png"]


def test_huge_scale_exits_1(tmp_path: Path) -> None:
    code, _, err = invoke("preview", EXAMPLE, "--scale", "100", "-o", str(tmp_path / "x.png"))
    assert code == 1 and "scale 100 is outside" in err
    assert list(tmp_path.iterdir()) == []


def test_bad_camera_and_image_options_exit_2() -> None:
    code, _, err = invoke("preview", EXAMPLE, "--camera", "1002=tall")
    assert code == 2 and "aspect ratio" in err
    code, _, err = invoke("preview", EXAMPLE, "--image", "bob=x.png")
    assert code == 2 and "neither a uid nor an http(s) URL" in err
