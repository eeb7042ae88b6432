"""Text that every machine can draw (issue 21, points 7 and 8): one font chain for every
text layoutkit draws, glyph by glyph from the layout's `font:` to DejaVu Sans to the
`cjk` extra's Noto Sans CJK to the machine's fonts (fontconfig); a warning saying how to
get a font when none has a glyph; the published images drawn as the preview draws them.

The fontconfig tests run whenever `fc-match` is on the PATH and are skipped, with the
reason, otherwise; with LAYOUTKIT_REQUIRE_FONTCONFIG=1 (CI sets it) a missing fontconfig
is a failure instead. The `cjk` extra is part of the dev extra: its tests always run."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageDraw, ImageFont
from style_helpers import WHITE, decode, plan
from tool_helpers import find_tool

from layoutkit import load_layout
from layoutkit.assets import FolderPublisher
from layoutkit.cli import cli
from layoutkit.compile.compiler import compile_full
from layoutkit.preview import compile_preview
from layoutkit.render import fonts, render_sheet
from layoutkit.render.fonts import (
    ABSENT,
    CJK_EXTRA,
    MAX_FONT_BYTES,
    STYLE_FONT,
    FontChain,
    FontFile,
    cjk_font,
    font_chain,
)
from layoutkit.render.style import ELLIPSIS, clear_style_cache, fit_text, render_style
from layoutkit.styleplan import PixelRect, StylePlan, TextMark

ROOT = Path(__file__).resolve().parent.parent
MONO = Path(__file__).parent / "data" / "fonts" / "DejaVuSansMono.ttf"  # licence beside it
APL = "\u2338"  # APL FUNCTIONAL SYMBOL QUAD EQUAL: in DejaVu Sans Mono, not Sans, not Noto CJK
UNASSIGNED = "\u0378"  # no font has a glyph for a code point Unicode has not assigned
NO_FONTCONFIG = "fontconfig not installed: install Debian's fontconfig to run this test"
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    clear_style_cache()
    yield
    clear_style_cache()  # fontconfig's answers for this test's fonts.conf are forgotten


def find_fc_match() -> str:
    """fc-match; skips the test when there is none, or fails it when
    LAYOUTKIT_REQUIRE_FONTCONFIG=1 says the fontconfig tests must run."""
    return find_tool(("fc-match",), NO_FONTCONFIG, "LAYOUTKIT_REQUIRE_FONTCONFIG")


def test_a_missing_fontconfig_skips_its_tests_unless_they_are_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", {}.get)
    monkeypatch.delenv("LAYOUTKIT_REQUIRE_FONTCONFIG", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^fontconfig not installed"):
        find_fc_match()
    monkeypatch.setenv("LAYOUTKIT_REQUIRE_FONTCONFIG", "1")
    with pytest.raises(pytest.fail.Exception, match=r"LAYOUTKIT_REQUIRE_FONTCONFIG=1: it must"):
        find_fc_match()


MachineFonts = Callable[..., Path]


@pytest.fixture
def machine_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MachineFonts:
    """Makes the machine's fonts (as fontconfig finds them) exactly the files given."""
    find_fc_match()

    def use(*files: Path) -> Path:
        folder = tmp_path / "machine-fonts"
        folder.mkdir()
        for file in files:
            (folder / file.name).symlink_to(file)
        conf = tmp_path / "fonts.conf"
        conf.write_text(FONTS_CONF.format(fonts=folder, cache=tmp_path / "fc-cache"))
        monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
        clear_style_cache()
        return folder

    return use


def strip(text: str) -> tuple[Image.Image, tuple[str, ...]]:
    """`text` drawn as a 24 px name strip of a style image, and the drawing's warnings."""
    mark = TextMark(PixelRect(0, 0, 300, 40), text, 24, 8, WHITE, "#000000", where="l:3:9")
    drawn = render_style(plan(mark))
    return decode(drawn.background).crop((0, 0, 300, 40)), drawn.warnings


def fonts_of(chain: FontChain, text: str) -> list[tuple[str, str]]:
    """Each run of `text` and the name of the file it is drawn in."""
    return [(run, Path(font.path).name) for run, (font, _) in chain.split(text).runs]


# glyphs and runs


def test_glyphs_are_told_from_the_missing_glyph_box_in_each_font() -> None:
    sans, mono = FontFile(STYLE_FONT), FontFile(str(MONO))
    cjk = cjk_font()
    assert cjk is not None, f"the cjk extra is part of the dev extra: {CJK_EXTRA}"
    stamps = {font: font.stamp() for font in (sans, mono, cjk)}
    assert sans.has("A", stamps[sans]) and sans.has(" ", stamps[sans])
    assert sans.has("ë", stamps[sans]) and sans.has("Ж", stamps[sans])
    assert not sans.has("李", stamps[sans]) and not sans.has(APL, stamps[sans])
    assert mono.has(APL, stamps[mono]) and not mono.has("ℵ", stamps[mono])
    assert cjk.has("李", stamps[cjk]) and cjk.has("雷", stamps[cjk]) and cjk.has("한", stamps[cjk])
    for font in (sans, mono, cjk):
        assert not font.has("\n", stamps[font]) and not font.has(UNASSIGNED, stamps[font])


def test_the_cjk_extra_is_its_collections_simplified_chinese_face() -> None:
    cjk = cjk_font()
    assert cjk is not None
    assert cjk.at(20).getname() == ("Noto Sans CJK SC", "Regular")
    assert [font.path for font in font_chain().fonts] == [STYLE_FONT, cjk.path]
    layout_font = font_chain(str(MONO), "l:2:7").fonts
    assert [(f.path, f.where) for f in layout_font][:2] == [(str(MONO), "l:2:7"), (STYLE_FONT, "")]


def test_a_text_is_split_into_runs_by_the_first_font_with_each_glyph() -> None:
    chain, cjk = font_chain(str(MONO)), cjk_font()
    assert cjk is not None
    noto = Path(cjk.path).name
    assert fonts_of(chain, "Zoë ℵ 李雷!") == [
        ("Zoë ", MONO.name),
        ("ℵ", "DejaVuSans.ttf"),
        (" ", MONO.name),
        ("李雷", noto),
        ("!", MONO.name),
    ]
    # a combining mark stays with its letter when that letter's font has it
    assert fonts_of(font_chain(), "Lé\u0301i") == [("Lé\u0301i", "DejaVuSans.ttf")]
    split = font_chain().split(f"a\n{UNASSIGNED}")
    assert split.missing == ("\n", UNASSIGNED)
    assert [run for run, _ in split.runs] == [f"a{ABSENT}{UNASSIGNED}"]  # drawn as boxes


# the cjk extra: 李雷 drawn, not boxes


def test_li_lei_is_drawn_by_the_cjk_extra_as_glyphs_not_boxes() -> None:
    drawn, warnings = strip("李雷")
    boxes, box_warnings = strip(ABSENT * 2)
    assert warnings == () and box_warnings  # the boxes are warned about, 李雷 is not
    assert ImageChops.difference(drawn, boxes).getbbox() is not None
    cjk = cjk_font()
    assert cjk is not None
    face = cjk.at(24)
    box = face.getmask(ABSENT)
    for char in "李雷":
        mask = face.getmask(char)
        assert (mask.size, bytes(mask)) != (box.size, bytes(box))
    ink = drawn.convert("L").point(lambda v: 255 if v > 128 else 0).getbbox()
    assert ink is not None and ink[2] - ink[0] > 30  # two wide glyphs, not nothing


def test_preview_draws_a_chinese_name_without_a_warning(tmp_path: Path) -> None:
    def preview(name: str) -> tuple[Image.Image, str]:
        out = tmp_path / "show.png"
        result = CliRunner().invoke(
            cli,
            [
                "preview",
                str(ROOT / "examples" / "talk-show.yaml"),
                "--participants",
                "9,10",
                "--role",
                "host=9",
                "--name",
                f"9={name}",
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        with Image.open(out) as picture:
            return picture.convert("RGB"), result.stderr

    drawn, said = preview("李雷")
    boxes, box_said = preview(ABSENT * 2)
    assert "cannot draw" not in said and "cannot draw" in box_said
    changed = ImageChops.difference(drawn, boxes).getbbox()
    assert changed is not None and changed[3] - changed[1] < 60  # the name strip alone


# the machine's fonts, through fontconfig


def test_fontconfig_gives_the_machines_font_for_what_the_chain_lacks(
    machine_fonts: MachineFonts,
) -> None:
    folder = machine_fonts(MONO)
    assert fonts_of(font_chain(), f"A {APL}") == [("A ", "DejaVuSans.ttf"), (APL, MONO.name)]
    drawn, warnings = strip(f"A {APL}")
    assert warnings == ()
    offered = fonts.machine_fonts(APL)
    assert offered[0] == FontFile(str(folder / MONO.name))
    conf = folder.parent / "fonts.conf"  # now a machine without that font
    conf.write_text(FONTS_CONF.format(fonts=folder.parent / "none", cache=folder.parent / "fc"))
    clear_style_cache()
    boxed, warnings = strip(f"A {APL}")
    assert len(warnings) == 1 and "(U+2338)" in warnings[0]
    assert ImageChops.difference(drawn, boxed).getbbox() is not None


def test_fontconfig_finds_a_cjk_collection_for_a_chain_without_the_extra(
    machine_fonts: MachineFonts,
) -> None:
    cjk = cjk_font()
    assert cjk is not None
    folder = machine_fonts(Path(cjk.path))  # the collection, as a machine would have it
    chain = FontChain((FontFile(STYLE_FONT),))  # no extra: fontconfig's turn
    assert fonts_of(chain, "Lǐ 李雷") == [("Lǐ ", "DejaVuSans.ttf"), ("李雷", Path(cjk.path).name)]
    (_, (font, _)) = chain.split("Lǐ 李雷").runs[1]
    assert Path(font.path).parent == folder and chain.split("李雷").missing == ()


def test_a_font_fontconfig_offers_that_fails_the_font_checks_is_left_out_with_a_note(
    machine_fonts: MachineFonts, tmp_path: Path
) -> None:
    huge = tmp_path / "HugeMono.ttf"
    huge.write_bytes(MONO.read_bytes())  # a font fontconfig reads from its first bytes...
    with huge.open("r+b") as file:
        file.truncate(MAX_FONT_BYTES + 1)  # ...in a sparse file over the limit
    machine_fonts(huge)
    split = font_chain().split(APL)
    assert split.missing == (APL,)
    assert len(split.notes) == 1 and "over the limit of 50 MB" in split.notes[0]
    assert "a font fontconfig offered; left out" in split.notes[0]
    _, warnings = strip(APL)
    assert any("HugeMono.ttf" in w and w.startswith("l:3:9: ") for w in warnings)
    assert any("(U+2338)" in w for w in warnings)


def test_without_fontconfig_text_is_drawn_with_the_other_fonts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match on it
    clear_style_cache()
    assert fonts.machine_fonts(APL) == ()
    _, warnings = strip(f"Zoë 李 {APL}")
    assert len(warnings) == 1 and "(U+2338)" in warnings[0] and "U+674E" not in warnings[0]


# the warning: how to get a font


def test_the_warning_says_how_to_get_a_font_once_per_drawing() -> None:
    marks = [
        TextMark(
            PixelRect(0, 40 * n, 300, 40), f"Name {UNASSIGNED}", 20, 8, WHITE, where=f"l:{n}:1"
        )
        for n in (1, 2)
    ]
    warnings = render_style(plan(*marks)).warnings
    assert len(warnings) == 2
    assert all("cannot draw: '\\u0378' (U+0378); they show as boxes" in w for w in warnings)
    hint = "name a font that has them with `font:` in the layout"
    assert hint in warnings[0] and hint not in warnings[1]
    assert CJK_EXTRA not in warnings[0]  # not Chinese, Japanese or Korean; the extra is here


def test_without_the_extra_a_chinese_name_is_warned_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "noto_cjk", None)  # as if not installed: import fails
    monkeypatch.setenv("PATH", str(tmp_path))  # and no machine fonts
    clear_style_cache()
    assert cjk_font() is None
    assert [font.path for font in font_chain().fonts] == [STYLE_FONT]
    _, warnings = strip("Zoë 李雷")
    assert len(warnings) == 1
    assert "'李' (U+674E), '雷' (U+96F7); they show as boxes; to draw them, " in warnings[0]
    hint = f"to draw them, for Chinese, Japanese and Korean, {CJK_EXTRA}, or name a font"
    assert hint in warnings[0]


# fitting and cutting mixed runs


def test_a_mixed_text_is_fitted_and_cut_measured_in_all_its_fonts() -> None:
    chain = font_chain()
    text = "李雷 Zoë Müller-Lüdenscheidt 韩梅梅"
    shown, size = fit_text(text, 30, 10, 400, 40)
    assert shown == text
    assert chain.line(text, size).length() + 2 * max(2, size // 3) <= 400
    assert chain.line(text, size + 1).length() + 2 * max(2, (size + 1) // 3) > 400
    # far too long at the minimum size: cut with an ellipsis, and said so
    shown, size = fit_text(text * 3, 30, 10, 160, 40)
    assert size == 10 and shown.endswith(ELLIPSIS) and (text * 3).startswith(shown[:-3])
    pad = max(2, 10 // 3)
    assert chain.line(shown, 10).length() + 2 * pad <= 160
    longer = (text * 3)[: len(shown) - len(ELLIPSIS) + 1].rstrip() + ELLIPSIS
    assert chain.line(longer, 10).length() + 2 * pad > 160  # the most that fits
    mark = TextMark(PixelRect(0, 0, 160, 40), text * 3, 30, 10, WHITE, where="l:4:2")
    (warning,) = render_style(plan(mark)).warnings
    assert warning.startswith("l:4:2: ") and f"cut to {shown!r}" in warning


def test_a_text_of_twenty_thousand_distinct_characters_is_cut_within_seconds() -> None:
    text = "".join(chr(0x4E00 + n) for n in range(20_000))  # each looked up in each font
    mark = TextMark(PixelRect(0, 0, 1280, 60), text, 40, 6, WHITE, where="l:9:3")
    started = time.monotonic()
    (warning,) = render_style(StylePlan(1280, 720, "#101820", (mark,))).warnings
    assert time.monotonic() - started < 10  # about 0.6 s here
    assert warning.startswith(f"l:9:3: {text[:100]!r}... is too long for its 1280×60 strip")
    assert len(warning) < 1000 and warning.endswith(ELLIPSIS + "'")


# captions, tags and labels: the same chain


def test_storyboard_captions_draw_accents_in_the_font_of_the_labels() -> None:
    frame = Image.new("RGB", (400, 100), (40, 40, 40))
    dejavu = ImageFont.truetype(STYLE_FONT, 16)  # the labels' font
    expected = render_sheet([("", frame)])
    caption = (12, 12 + 100 + 4)  # the sheet's padding, the cell, the gap
    ImageDraw.Draw(expected).text(caption, "Zoë Müller", font=dejavu, fill=(230, 230, 230))
    assert ImageChops.difference(render_sheet([("Zoë Müller", frame)]), expected).getbbox() is None
    mixed = render_sheet([("Zoë Müller 李雷", frame)])
    boxes = render_sheet([(f"Zoë Müller {ABSENT * 2}", frame)])
    assert ImageChops.difference(mixed, boxes).getbbox() is not None
    runs = fonts.line("Zoë Müller 李雷", 16).runs
    assert [(text, font.getname()[0]) for text, font, _ in runs] == [
        ("Zoë Müller ", "DejaVu Sans"),
        ("李雷", "Noto Sans CJK SC"),
    ]


# the published images are drawn as the preview draws them


def test_published_images_are_the_images_the_preview_draws(tmp_path: Path) -> None:
    layout = load_layout(ROOT / "examples" / "talk-show.yaml")  # cards for everyone
    names = {"9": "李雷", "10": "Zoë Müller"}
    preview = compile_preview(layout, ["9", "10"], {"host": "9"}, names=names)
    clear_style_cache()  # drawn again, not remembered
    publisher = FolderPublisher(tmp_path / "cdn", "https://cdn.example.com/show")
    published = compile_full(layout, ["9", "10"], {"host": "9"}, names=names, assets=publisher)
    assert not [i for i in published.issues if "cannot draw" in i.message]
    files = {p.read_bytes() for p in (tmp_path / "cdn").iterdir()}
    assert files == {asset.data for asset in preview.assets} and len(files) == 3


def test_tags_and_captions_of_a_styled_layout_are_drawn_in_its_font(tmp_path: Path) -> None:
    from layoutkit.layout.loader import parse_layout
    from layoutkit.preview import PreviewOptions, draw_compilation

    def tag_area(font: Path) -> Image.Image:
        text = (
            f"canvas: 640x360\nfont: {font}\nregions:\n"
            "  - {uid: 7, x: 0, y: 0, width: 100%, height: 100%, label: {height: 40px}}\n"
        )
        compiled = compile_preview(parse_layout(text, source="show.yaml"), ["7"])
        picture = draw_compilation(compiled, PreviewOptions())
        return picture.crop((0, 0, 200, 40))  # the tag `#1 · 7`, over the video

    in_mono, in_sans = tag_area(MONO), tag_area(Path(STYLE_FONT))
    assert ImageChops.difference(in_mono, tag_area(MONO)).getbbox() is None
    assert ImageChops.difference(in_mono, in_sans).getbbox() is not None
