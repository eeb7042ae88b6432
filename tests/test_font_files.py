"""A layout's `font:` file (issue 20 point 9, issue 21 point 2): a regular file of at most
50 MB, looked at with `os.stat` before FreeType reads it (a 3 GB file is refused unread;
a FIFO, a device or a folder is refused without waiting); and a font whose glyph tables
are damaged (FreeType raises OSError when it measures or draws text, not only when it
opens the file) is a located error naming the file in `preview`, `compile` and wherever
text is drawn, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import ImageFont
from style_helpers import damaged_font

from layoutkit.cli import cli
from layoutkit.errors import RenderError
from layoutkit.render.fonts import MAX_FONT_BYTES, STYLE_FONT, font_at
from layoutkit.render.style import (
    can_draw,
    clear_style_cache,
    fit_text,
    render_style,
)
from layoutkit.styleplan import PixelRect, StylePlan, TextMark

LAYOUT = """canvas: 640x360
font: FONT
decor:
  - {text: "TEXT", x: 0, y: 0, width: 100%, height: 40px}
regions:
  - {uid: 7, x: 0, y: 40px, width: 50%, height: 320px, label: {height: 30px}}
"""
FIX = "give the path of a .ttf or .otf file"


def run(tmp_path: Path, font: Path, text: str = "The Show") -> tuple[Path, list[Result]]:
    """`preview` and `compile` of a layout naming `font`, with `text` as its title."""
    layout = tmp_path / "show.yaml"
    layout.write_text(LAYOUT.replace("FONT", str(font)).replace("TEXT", text), encoding="utf-8")
    results = [
        CliRunner().invoke(cli, ["preview", str(layout), "-o", str(tmp_path / "show.png")]),
        CliRunner().invoke(cli, ["compile", str(layout), "--participants", "7"]),
    ]
    return layout, results


def assert_font_error(layout: Path, results: list[Result], *words: str) -> None:
    for result in results:
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert f"{layout}:2:7: error: font: " in result.output
        for word in words:
            assert word in result.output, result.output


@pytest.fixture(autouse=True)
def _fresh_style_cache() -> None:
    clear_style_cache()


def test_a_damaged_font_is_a_located_error_in_preview_and_compile(tmp_path: Path) -> None:
    font = damaged_font(tmp_path / "broken.ttf")
    with pytest.raises(OSError):  # what FreeType does with it: opens it, cannot draw
        ImageFont.truetype(str(font), 24).getbbox("A")
    layout, results = run(tmp_path, font)
    assert_font_error(
        layout,
        results,
        f"{font}: the font is damaged: FreeType cannot draw its glyphs",
        "give the path of another .ttf or .otf file",
    )
    assert not (tmp_path / "show.png").exists()
    with pytest.raises(RenderError, match=r"^f:2:7: .*broken\.ttf: the font is damaged"):
        fit_text("Ada", 20, 8, 200, 30, font=str(font), font_where="f:2:7")


def test_a_font_damaged_past_its_latin_glyphs_is_an_error_when_the_text_is_drawn(
    tmp_path: Path,
) -> None:
    font = damaged_font(tmp_path / "half.ttf", first_glyph=400)  # Latin comes before 400
    face = ImageFont.truetype(str(font), 24)
    face.getbbox("Ag")  # opening and the probe pass
    with pytest.raises(OSError):
        face.getbbox("Ж")
    layout, results = run(tmp_path, font, "The Show")
    assert all(result.exit_code == 0 for result in results), results[0].output
    layout, results = run(tmp_path, font, "Жанна")
    assert_font_error(layout, results, f"{font}: the font is damaged")
    assert can_draw("A", str(font), "f:2:7")
    with pytest.raises(RenderError, match=r"^f:2:7: .*half\.ttf: the font is damaged"):
        can_draw("Ж", str(font), "f:2:7")


def test_a_3_gb_font_file_is_refused_without_being_read(tmp_path: Path) -> None:
    font = tmp_path / "huge.ttf"
    font.write_bytes(Path(STYLE_FONT).read_bytes())  # a good font FreeType would open...
    with font.open("r+b") as file:
        file.truncate(3 << 30)  # ...in a sparse file of 3 GB
    assert font.stat().st_size > MAX_FONT_BYTES
    layout, results = run(tmp_path, font)
    assert_font_error(
        layout,
        results,
        f"{font}: the font file is 3,221,225,472 bytes, over the limit of 50 MB",
        f"{FIX} of at most that size",
    )
    with pytest.raises(RenderError, match="over the limit of 50 MB"):
        font_at(str(font), 20)


def test_a_fifo_a_device_and_a_folder_are_refused_as_fonts_without_waiting(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "font.ttf"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    mark = TextMark(PixelRect(0, 0, 200, 30), "Name", 20, 8, "#FFFFFF")
    for path, kind in ((fifo, "a FIFO (named pipe)"), (Path("/dev/zero"), "a device")):
        plan = StylePlan(320, 180, "#101820", (mark,), font=str(path), font_where="l:2:7")
        with pytest.raises(RenderError) as caught:
            render_style(plan)
        assert str(caught.value) == f"l:2:7: {path}: is {kind}, not a font; {FIX}"
    layout, results = run(tmp_path, tmp_path)
    assert_font_error(layout, results, f"{tmp_path}: is a folder, not a font")
