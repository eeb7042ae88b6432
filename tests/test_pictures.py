"""Pictures that read at every size: regions off the canvas are named and never drawn
(nor crash the preview), sheets and the gallery draw the counts a layout declares, screen
shares look like slides, presets declare their preview cameras (phones are portraits),
tags stay legible on sheet cells and step aside, and neighbours in join order get
clearly different colours."""

from __future__ import annotations

import colorsys
import io
import itertools
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops

import layoutkit.render
from layoutkit import parse_layout, presets
from layoutkit.cameras import CameraShape, parse_camera_shape
from layoutkit.cli import cli
from layoutkit.compile.compiler import compile_full
from layoutkit.errors import LayoutError
from layoutkit.geometry import ResolvedRegion
from layoutkit.library.presets import SHOT_WIDTH, render_preset
from layoutkit.live.scenario import load_scenario, play_scenario, scenario_layout
from layoutkit.preview import (
    PreviewOptions,
    draw_compilation,
    participants_for,
    render_preview,
    render_sheet_png,
    role_uids,
    storyboard_images,
)
from layoutkit.render import CELL_WIDTH, Appearance, RenderOptions, participant_color, render_canvas
from layoutkit.render.camera import MIN_TEXT_PX
from layoutkit.wire import UpdateLayoutClientRequest

ROOT = Path(__file__).resolve().parent.parent
W, H = 1280, 720
BG = (0x10, 0x18, 0x20)
RGB = tuple[int, int, int]


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def pixel(image: Image.Image, x: float, y: float) -> RGB:
    return image.getpixel((round(x), round(y)))  # type: ignore[return-value]


def custom_payload() -> UpdateLayoutClientRequest:
    """A custom-layout payload; the renderer draws the regions it is given with it."""
    nothing = {"x_axis": 0, "y_axis": 0, "width": 0, "height": 0}
    return UpdateLayoutClientRequest.model_validate(
        {"mixedVideoLayout": 3, "backgroundColor": "#101820", "layoutConfig": [nothing]}
    )


def dark(color: RGB) -> bool:
    return max(color) < 110


def light(color: RGB) -> bool:
    return min(color) > 225


# -- 1. regions off the canvas -----------------------------------------------------------

OFF = {
    "starts at the bottom edge": ("{x: 0, y: 1, width: 0.5, height: 0.25}", "bottom"),
    "starts at the right edge": ("{x: 1, y: 0.6, width: 0.25, height: 0.25}", "right"),
    "starts just short of the right edge": (
        "{x: 0.9999, y: 0.6, width: 0.0001, height: 1}",
        "right",
    ),
}


def off_layout(region: str) -> str:
    return (
        f"canvas: {W}x{H}\nbackground: '#101820'\nregions:\n"
        f"  - {{x: 0, y: 0, width: 1, height: 0.5}}\n  - {region}\n"
    )


@pytest.mark.parametrize("case", sorted(OFF))
def test_a_region_off_the_canvas_is_named_and_draws_nothing(case: str) -> None:
    region, edge = OFF[case]
    layout = parse_layout(off_layout(region))
    compiled = compile_full(layout, count=2)
    messages = [issue.message for issue in compiled.issues]
    expected = (
        f"region 2 is off the canvas (it starts at the {edge} edge): Agora draws nothing of it"
    )
    assert expected in messages
    assert not any("crosses the" in m for m in messages)  # not "crosses the edge"
    clean = picture(render_preview(layout, count=2, options=PreviewOptions(clean=True)))
    annotated = picture(render_preview(layout, count=2))
    assert clean.size == (W, H)
    # the lower half is the background everywhere, in the clean and the annotated picture:
    # no tile, no outline, no red edge mark where the region would start
    for image in (clean, annotated):
        for x in (0, 5, W // 4, W // 2, W - 6, W - 1):
            for y in (H // 2 + 3, H * 3 // 4, H - 3, H - 1):
                assert pixel(image, x, y) == BG, (x, y)
    assert annotated.height > H  # the caption says what happened to region 2


def test_the_preview_command_survives_regions_with_no_area_or_at_the_edges(
    tmp_path: Path,
) -> None:
    file = tmp_path / "edges.yaml"
    file.write_text(
        off_layout("{x: 0, y: 1, width: 0.5, height: 0.25}")
        + "  - {x: 1, y: 1, width: 0, height: 0}\n"
        + "  - {x: 0.2, y: 0.6, width: 0, height: 0.2}\n"
        + "  - {x: 1, y: 0, width: 0.3, height: 0.3}\n",
        encoding="utf-8",
    )
    for extra in ([], ["--clean"], ["--sheet"], ["--scale", "0.1"]):
        out = tmp_path / "out.png"
        result = CliRunner().invoke(
            cli,
            ["preview", str(file), "--count", "5", *extra, "-o", str(out)]
            if "--sheet" not in extra
            else ["preview", str(file), *extra, "-o", str(out)],
        )
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert out.stat().st_size > 0
    result = CliRunner().invoke(cli, ["validate", str(file)])
    assert "region 2 is off the canvas (it starts at the bottom edge)" in result.output
    assert "region 5 is off the canvas (it starts at the right edge)" in result.output
    assert "region 4 is 0×144 px: it has no area, so Agora draws nothing of it" in result.output


def test_the_renderer_leaves_out_regions_without_area_or_off_the_canvas() -> None:
    payload = custom_payload()
    regions = [
        ResolvedRegion("1", 1.0, 0.0, 0.5, 0.5),
        ResolvedRegion("2", 0.0, 1.0, 0.5, 0.5),
        ResolvedRegion("3", 0.5, 0.5, 0.0, 0.0),
    ]
    people = [Appearance("1"), Appearance("2"), Appearance("3")]
    for options in (RenderOptions(clean=True), RenderOptions(), RenderOptions(scale=0.01)):
        image = render_canvas(payload, regions, W, H, people, options)
        top = image.crop((0, 0, round(W * options.scale), round(H * options.scale)))
        assert top.getcolors() == [(top.width * top.height, BG)]


# -- 2. counts -----------------------------------------------------------------------------

NINE = (
    "counts: 1-9\ncanvas: 1280x720\nbackground: '#101820'\n"
    "regions:\n  - grid: {rows: 3, columns: 3, gap: 4px}\n"
)


def test_a_sheet_draws_the_counts_the_layout_declares(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drawn: list[list[str]] = []
    original = layoutkit.render.render_sheet

    def spy(frames: list[tuple[str, Image.Image]], **kwargs: object) -> Image.Image:
        drawn.append([caption for caption, _ in frames])
        return original(frames, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(layoutkit.render, "render_sheet", spy)
    sheet = picture(render_sheet_png(parse_layout(NINE)))
    assert len(drawn[0]) == 9
    assert drawn[0][0].startswith("1 person") and drawn[0][-1].startswith("9 people")
    # 9 frames: 4 columns, 3 rows (17 would take 5 columns)
    assert sheet.width == 12 + 4 * (CELL_WIDTH + 12)
    # the command too
    file = tmp_path / "nine.yaml"
    file.write_text(NINE, encoding="utf-8")
    out = tmp_path / "sheet.png"
    result = CliRunner().invoke(cli, ["preview", str(file), "--sheet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.size == sheet.size
    assert len(drawn) == 2 and len(drawn[1]) == 9


def test_the_gallery_draws_the_counts_each_preset_declares() -> None:
    context, files = render_preset("grid-3x3")
    counts = sorted(int(f.split("count-")[1].split(".")[0]) for f in files if "count-" in f)
    assert counts == list(range(1, 10)) == list(presets.info("grid-3x3").counts)
    assert len(context["shots"]) == 9


# -- 3. screen shares ----------------------------------------------------------------------


def assert_slide(image: Image.Image, box: tuple[float, float, float, float]) -> None:
    """The slide look inside `box` (the slide's own rectangle): a dark title bar on top,
    a light page below it."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    assert dark(pixel(image, left + w * 0.55, top + h * 0.10)), "no dark title bar"
    assert dark(pixel(image, left + w * 0.30, top + h * 0.03))
    assert light(pixel(image, left + w * 0.55, top + h * 0.50)), "no light page"
    assert light(pixel(image, left + w * 0.30, top + h * 0.85))


def test_the_screen_role_draws_a_slide() -> None:
    layout = presets.load("screen-share-inset")
    compiled = compile_full(layout, count=2)
    assert role_uids(compiled) == {"screen": "1", "speaker": "2"}  # bound or not
    image = draw_compilation(compiled, PreviewOptions(clean=True))
    assert_slide(image, (0, 0, W, H))  # a 16:9 slide fitted into the whole canvas
    # the speaker is still a camera: its centre in its colour
    speaker = compiled.regions[1]
    cx, cy = (speaker.x + speaker.width / 2) * W, (speaker.y + speaker.height / 2) * H
    assert not light(pixel(image, cx, cy))


def test_camera_uid_screen_draws_a_slide_and_takes_a_shape(tmp_path: Path) -> None:
    solo = str(ROOT / "presets" / "solo.yaml")
    out = tmp_path / "out.png"
    args = ["preview", solo, "--participants", "1001", "--clean", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--camera", "1001=screen"])
    assert result.exit_code == 0, result.output
    with Image.open(out) as written:
        assert_slide(written.convert("RGB"), (0, 0, W, H))  # solo crops: 16:9 fills it
    # screen:4:3 in a fitted region: the region of a 16:9 canvas shows it pillarboxed
    layout = parse_layout(
        "canvas: 1280x720\nregions:\n  - {x: 0, y: 0, width: 1, height: 1, fit: fit}\n"
    )
    options = PreviewOptions(clean=True, cameras={"1001": parse_camera_shape("screen:4:3")})
    image = picture(render_preview(layout, ["1001"], options=options))
    slide_w = H * 4 / 3
    assert pixel(image, 20, H / 2) == (0, 0, 0)  # the bars of a 4:3 picture
    assert_slide(image, ((W - slide_w) / 2, 0, (W + slide_w) / 2, H))


def test_camera_shapes_are_parsed_and_refused_clearly() -> None:
    assert parse_camera_shape("9:16") == CameraShape(9 / 16, False)
    assert parse_camera_shape("screen") == CameraShape(None, True)
    assert parse_camera_shape(" Screen:4:3 ") == CameraShape(4 / 3, True)
    for bad, words in (("tall", "aspect ratio"), ("40:1", "outside 1:16"), (556, "quotes")):
        with pytest.raises(ValueError, match=words):
            parse_camera_shape(bad)
    result = CliRunner().invoke(
        cli, ["preview", str(ROOT / "presets" / "solo.yaml"), "--camera", "1=screen:x"]
    )
    assert result.exit_code == 2 and "--camera" in result.output


def test_a_scenarios_screen_share_is_a_slide_and_colours_stay_put() -> None:
    path = ROOT / "examples" / "scenarios" / "interview.yaml"
    scenario = load_scenario(path)
    steps, _ = play_scenario(scenario, scenario_layout(scenario, None))
    share = next(i for i, s in enumerate(steps) if any("share 1003" in e for e in s.events))
    assert steps[share].screens == frozenset({"1003"})
    frames = storyboard_images(steps)
    # 1003 shares as the speaker: the speaker region (fitted, 1280×540) shows a slide
    assert_slide(frames[share][1], (160, 0, 1120, 540))
    assert not steps[0].screens
    # 1004 keeps its colour while people come and go
    options = PreviewOptions(colors=("1001", "1002", "1004", "1003"))
    indexes = {
        p.color_index
        for step in steps
        for p in participants_for(step.compilation, options)
        if p.uid == "1004"
    }
    assert indexes == {2}


# -- 4. preview cameras declared by a layout ------------------------------------------------


def test_podcast_phones_previews_portrait_phones_in_the_gallery() -> None:
    layout = presets.load("podcast-phones")
    spec = layout.document.preview
    assert spec is not None and spec.camera == CameraShape(9 / 16, False)
    _, files = render_preset("podcast-phones")
    shot = picture(files["podcast-phones/count-2.png"])
    compiled = compile_full(layout, count=2)
    scale = SHOT_WIDTH / W
    for region in compiled.regions:
        left, top = region.x * W * scale, region.y * H * scale
        right, bottom = left + region.width * W * scale, top + region.height * H * scale
        assert (bottom - top) > 1.5 * (right - left)  # a portrait region, fitted
        cx = (left + right) / 2
        # a 9:16 camera fills its 9:16 region: no black bars above or below it (a 16:9
        # camera, fitted, would leave 3/4 of the height black)
        for y in (top + 3, top + (bottom - top) * 0.15, bottom - (bottom - top) * 0.15):
            assert pixel(shot, cx, y) != (0, 0, 0), (region.uid, y)
    # the command line wins: a 16:9 camera shows black bars in the same region
    wide = PreviewOptions(clean=True, cameras={"1": 16 / 9})
    image = draw_compilation(compiled, wide)
    first = compiled.regions[0]
    cx = (first.x + first.width / 2) * W
    assert pixel(image, cx, (first.y + first.height * 0.1) * H) == (0, 0, 0)


def test_the_preview_block_is_validated_like_the_rest() -> None:
    ok = parse_layout(
        "canvas: 1280x720\npreview: {cameras: {guest: '9:16', '1003': screen}}\n"
        "regions:\n  - {role: guest, x: 0, y: 0, width: 0.5, height: 1, fit: fit}\n"
        "  - {x: 0.5, y: 0, width: 0.5, height: 1, fit: fit}\n"
    )
    compiled = compile_full(ok, ["1002", "1003"], {"guest": "1002"})
    people = {p.uid: p for p in participants_for(compiled, PreviewOptions())}
    assert people["1002"].camera_aspect == 9 / 16 and not people["1002"].screen
    assert people["1003"].screen
    with pytest.raises(LayoutError) as caught:
        parse_layout("canvas: 1280x720\npreview: {cameras: {guest: 9:16}}\nmode: adaptive\n")
    assert "preview.cameras.guest" in str(caught.value) and "quotes" in str(caught.value)
    with pytest.raises(LayoutError, match="unknown key"):
        parse_layout("canvas: 1280x720\npreview: {shape: '9:16'}\nmode: adaptive\n")


# -- 5. legible tags that step aside --------------------------------------------------------


def tag_rows(
    annotated: Image.Image, clean: Image.Image, box: tuple[int, int, int, int]
) -> list[int]:
    """The rows inside `box` where the annotated picture differs from the clean one."""
    diff = ImageChops.difference(annotated.crop(box), clean.crop(box)).convert("L")
    width, height = diff.size
    return [
        y
        for y in range(height)
        if any(diff.getpixel((x, y)) > 60 for x in range(width))  # type: ignore[operator]
    ]


def bands(rows: list[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for y in rows:
        if found and y <= found[-1][1] + 1:
            found[-1] = (found[-1][0], y)
        else:
            found.append((y, y))
    return found


def test_tags_on_a_sheet_cell_are_at_least_the_minimum_size() -> None:
    layout = parse_layout(
        "counts: 1\ncanvas: 1280x720\nbackground: '#101820'\nregions:\n"
        "  - {x: 0.1, y: 0.1, width: 0.8, height: 0.8}\n"
    )
    annotated = picture(render_sheet_png(layout))
    clean = picture(render_sheet_png(layout, options=PreviewOptions(clean=True)))
    # the region's top-left corner in the cell: 12 px of padding, then 0.1 of 400×225
    x0, y0 = 12 + 40, 12 + 22
    rows = tag_rows(annotated, clean, (x0 + 2, y0 + 2, x0 + 120, y0 + 40))
    (first, last), *_ = bands(rows)
    assert last - first + 1 >= MIN_TEXT_PX - 3  # the tag's ink, outline included
    assert MIN_TEXT_PX >= 11


def test_tags_that_would_overlap_step_aside() -> None:
    payload = custom_payload()
    regions = [
        ResolvedRegion("1", 0.0, 0.0, 0.5, 0.5),
        ResolvedRegion("2", 0.002, 0.002, 0.3, 0.3),  # its tag would sit on the first's
    ]
    people = [Appearance("1"), Appearance("2")]
    annotated = render_canvas(payload, regions, W, H, people, RenderOptions())
    clean = render_canvas(payload, regions, W, H, people, RenderOptions(clean=True))
    rows = tag_rows(annotated, clean, (8, 6, 120, 100))
    assert len(bands(rows)) >= 2  # two tags, one below the other


def test_gallery_labels_are_legible_as_the_pages_show_them() -> None:
    from layoutkit.library.presets import CARD_SHOWN, CARD_WIDTH, SHOT_SHOWN

    assert math.ceil(MIN_TEXT_PX * CARD_WIDTH / CARD_SHOWN) >= MIN_TEXT_PX
    css = (ROOT / "layoutkit" / "library" / "gallery_templates" / "style.css").read_text()
    assert f"minmax(min({CARD_SHOWN}px, 100%), 1fr)" in css
    assert f"minmax(min({SHOT_SHOWN}px, 100%), 1fr)" in css


# -- 6. colours ----------------------------------------------------------------------------


def hue(color: RGB) -> float:
    return colorsys.rgb_to_hsv(*(c / 255 for c in color))[0]


def test_neighbours_in_join_order_get_clearly_different_colours() -> None:
    colors = [participant_color(i) for i in range(17)]
    for a, b in itertools.pairwise(colors):
        assert math.dist(a, b) >= 120, (a, b)
        turn = abs(hue(a) - hue(b))
        assert min(turn, 1 - turn) >= 0.3, (a, b)
    assert len(set(colors)) == 17
    assert min(math.dist(a, b) for i, a in enumerate(colors) for b in colors[i + 1 :]) >= 30
    assert all(max(c) >= 190 for c in colors)  # never dark: white labels stay on colour
    assert participant_color(3) == participant_color(3)  # deterministic


def test_uids_that_used_to_share_a_colour_now_differ() -> None:
    # with colours from uids, 1001, 2001 and 3001 came out nearly the same blue
    layout = parse_layout("canvas: 1280x720\nmode: adaptive\n")
    image = picture(
        render_preview(layout, ["1001", "2001", "3001"], options=PreviewOptions(clean=True))
    )
    centres = [
        pixel(image, W * 0.25, H * 0.25),
        pixel(image, W * 0.75, H * 0.25),
        pixel(image, W * 0.25, H * 0.75),
    ]
    for a, b in itertools.pairwise(centres):
        assert math.dist(a, b) >= 120
