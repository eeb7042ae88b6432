"""Names, frames and logos: the video rectangles a styled layout sends (inset by its frame,
shortened by its label), the pixels of the preview (the frame's band, the strip below the
video, a video-off card in the person's region), the payload's image URLs once published,
and the emulator's composite of a styled recording equal to `preview` of the same state."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import fast_client
from PIL import Image

from layoutkit import load_layout, parse_layout
from layoutkit.assets import CallablePublisher, FolderPublisher
from layoutkit.compile.compiler import Compilation, InMemory, compile_full
from layoutkit.emulator import EmulatorServer
from layoutkit.errors import AssetError, CompileError, LayoutValidationError
from layoutkit.live.scenario import load_scenario, play_scenario
from layoutkit.preview import PreviewOptions, draw_compilation, storyboard_images
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET
from layoutkit.render.compose import pixel_box
from layoutkit.render.style import clear_style_cache

BASE = "https://cdn.example.com/show"
FRAME = (255, 204, 0)
STRIP = (16, 16, 16)
CARD = (51, 68, 85)
CANVAS = (26, 29, 36)
TOLERANCE = 10  # JPEG rounding at quality 90, no chroma subsampling

ONE = """
canvas: 640x360
background: "#1A1D24"
regions:
  - uid: 7
    x: 100px
    y: 40px
    width: 400px
    height: 300px
    frame: {width: 8px, color: "#FFCC00"}
    label: {height: 40px, background: "#101010"}
    card: {color: "#334455"}
"""


def close(pixel: Any, color: tuple[int, int, int], tolerance: int = TOLERANCE) -> bool:
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def picture(compiled: Compilation, **options: Any) -> Image.Image:
    return draw_compilation(compiled, PreviewOptions(clean=True, **options))


def video_box(compiled: Compilation, uid: str) -> tuple[int, int, int, int]:
    region = next(r for r in compiled.regions if r.uid == uid)
    return pixel_box(region, *compiled.canvas)


# --- geometry ---------------------------------------------------------------------------


def test_the_video_is_inset_by_the_frame_and_shortened_by_the_label() -> None:
    compiled = compile_full(parse_layout(ONE), ["7"], assets=InMemory())
    # cell 100..500 × 40..340; strip 300..340; frame box 40..300; video inset by 8
    assert video_box(compiled, "7") == (108, 48, 492, 292)
    entry = compiled.payload_json["layoutConfig"][0]
    assert (entry["x_axis"], entry["y_axis"]) == (round(108 / 640, 6), round(48 / 360, 6))
    assert compiled.issues == []  # InMemory: no "not published" warning


def test_a_label_above_puts_the_strip_over_the_video() -> None:
    text = ONE.replace('background: "#101010"}', 'background: "#101010", position: above}')
    compiled = compile_full(parse_layout(text), ["7"], assets=InMemory())
    assert video_box(compiled, "7") == (108, 88, 492, 332)


# --- pixels ------------------------------------------------------------------------------


def test_the_frames_colour_is_on_exactly_the_inset_band() -> None:
    compiled = compile_full(parse_layout(ONE), ["7"], assets=InMemory())
    image = picture(compiled)
    left, top, right, bottom = 100, 40, 500, 300  # the frame's box: the cell above the strip
    band = 8
    for x in range(left, right):
        for y in range(top, bottom):
            in_video = left + band <= x < right - band and top + band <= y < bottom - band
            if in_video:
                continue
            assert close(image.getpixel((x, y)), FRAME), (x, y)
    # just outside the band: the canvas (left, right, top) or the strip (below)
    for x in (left - 1, right):
        assert close(image.getpixel((x, 150)), CANVAS), x
    assert close(image.getpixel((300, top - 1)), CANVAS)
    assert close(image.getpixel((300, bottom)), STRIP)
    # just inside the band: the video (no frame colour)
    for xy in ((left + band, 150), (right - band - 1, 150), (300, top + band)):
        assert not close(image.getpixel(xy), FRAME, 40), xy


def test_the_label_strip_is_below_the_video_and_not_over_it() -> None:
    compiled = compile_full(parse_layout(ONE), ["7"], names={7: "Ada"}, assets=InMemory())
    image = picture(compiled)
    _, _, _, video_bottom = video_box(compiled, "7")
    strip_top = 300
    assert video_bottom <= strip_top  # the video ends above the strip (the frame between)
    # the strip's rows hold its colour at its ends and the name's ink in the middle
    for y in range(strip_top, 340):
        assert close(image.getpixel((102, y)), STRIP), y
        assert close(image.getpixel((497, y)), STRIP), y
    ink = [image.getpixel((x, 320)) for x in range(260, 340)]
    assert any(not close(p, STRIP, 60) for p in ink)  # "Ada" is written there
    # the video's last row is not the strip
    assert not close(image.getpixel((300, video_bottom - 1)), STRIP, 20)


def test_a_video_off_person_shows_their_card_in_their_region() -> None:
    compiled = compile_full(parse_layout(ONE), ["7"], names={7: "Ada Lovelace"}, assets=InMemory())
    image = picture(compiled, video_off=frozenset({"7"}))
    left, top, right, bottom = video_box(compiled, "7")
    corners = [(left + 2, top + 2), (right - 3, top + 2), (left + 2, bottom - 3)]
    assert all(close(image.getpixel(xy), CARD) for xy in corners)
    middle = [image.getpixel((x, (top + bottom) // 2)) for x in range(left, right)]
    assert any(close(p, (255, 255, 255), 40) for p in middle)  # the initials "AL"
    assert close(image.getpixel((left - 4, top + 10)), FRAME)  # the frame stays around it
    # without video off, the region shows video, not the card
    live = picture(compiled)
    assert not all(close(live.getpixel(xy), CARD) for xy in corners)


# --- the payload and publishing ------------------------------------------------------------


def test_published_images_are_named_in_the_payload(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    publisher = FolderPublisher(folder, BASE)
    compiled = compile_full(parse_layout(ONE), ["7"], names={7: "Ada"}, assets=publisher)
    payload = compiled.payload_json
    files = sorted(p.name for p in folder.iterdir())
    assert payload["backgroundImage"] == f"{BASE}/{compiled.assets[0].name}"
    assert payload["backgroundConfig"] == [
        {"uid": "7", "image_url": f"{BASE}/{compiled.assets[1].name}", "render_mode": 0}
    ]
    assert files == sorted(a.name for a in compiled.assets)
    assert list(payload) == [
        "mixedVideoLayout",
        "backgroundColor",
        "backgroundImage",
        "layoutConfig",
        "backgroundConfig",
    ]
    assert compiled.transcoding_json["backgroundImage"] == payload["backgroundImage"]
    assert compiled.payload.to_wire() == payload  # what the wire model takes and gives
    # the background is a JPEG of exactly the canvas size
    with Image.open(folder / compiled.assets[0].name) as image:
        assert (image.format, image.size) == ("JPEG", (640, 360))


def test_without_a_publisher_the_payload_leaves_the_images_out_and_says_so() -> None:
    compiled = compile_full(parse_layout(ONE), ["7"])
    assert "backgroundImage" not in compiled.payload_json
    assert "backgroundConfig" not in compiled.payload_json
    (issue,) = compiled.issues
    assert issue.severity == "warning" and issue.line == 10  # at the first style value
    assert "--assets-dir DIR --assets-url" in issue.message
    with pytest.raises(LayoutValidationError):
        compile_full(parse_layout(ONE), ["7"], strict=True)


def test_a_renamed_person_gets_a_new_background_and_the_rest_is_reused() -> None:
    calls: list[str] = []

    def upload(asset: Any) -> str:
        calls.append(asset.name)
        return f"{BASE}/{asset.name}"

    publisher = CallablePublisher(upload)
    layout = parse_layout(ONE)
    first = compile_full(layout, ["7"], names={7: "Ada"}, assets=publisher)
    again = compile_full(layout, ["7"], names={7: "Ada"}, assets=publisher)
    assert again.payload_json == first.payload_json and len(calls) == 2
    renamed = compile_full(layout, ["7"], names={7: "Grace"}, assets=publisher)
    assert renamed.payload_json["backgroundImage"] != first.payload_json["backgroundImage"]
    assert len(calls) == 4  # a new background and a new card; nothing else


def test_a_failed_publish_names_no_url() -> None:
    def broken(asset: Any) -> str:
        raise OSError("the bucket is gone")

    with pytest.raises(AssetError, match="the bucket is gone"):
        compile_full(parse_layout(ONE), ["7"], assets=CallablePublisher(broken))


def test_a_non_https_assets_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AssetError, match="https"):
        FolderPublisher(tmp_path, "http://cdn.example.com/show")


# --- names and texts ---------------------------------------------------------------------------

GRID = """
canvas: 1280x720
decor:
  - {text: "The Show", x: 0, y: 0, width: 100%, height: 60px}
regions:
  - grid:
      y: 60px
      columns: 3
      roles: [host]
      label: {height: 40px, text: "{label}"}
"""


def texts(compiled: Compilation) -> list[str]:
    assert compiled.style is not None
    return [getattr(mark, "text", "") for mark in compiled.style.marks]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("name", ["The Show", "Ada Lovelace", "Guest one", "User 9"]),
        ("name | upper", ["The Show", "ADA LOVELACE", "GUEST ONE", "USER 9"]),
        ("\"role ~ ': ' ~ uid\"", ["The Show", "host: 7", ": 8", ": 9"]),
        ("\"'#' ~ index\"", ["The Show", "#1", "#2", "#3"]),
    ],
)
def test_label_texts_are_expressions_for_the_person_shown(
    expression: str, expected: list[str]
) -> None:
    layout = parse_layout(GRID.replace('"{label}"', expression))
    names: dict[str | int, str] = {7: "Ada Lovelace", "8": "Guest one"}
    compiled = compile_full(layout, [7, 8, 9], {"host": 7}, names=names, assets=InMemory())
    assert texts(compiled) == expected


def test_a_bound_role_names_a_person_without_a_name() -> None:
    layout = parse_layout(GRID.replace('"{label}"', "name"))
    compiled = compile_full(layout, [7], {"host": 7}, assets=InMemory())
    assert texts(compiled) == ["The Show", "Host"]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({7: ""}, "is empty"),
        ({7: "x" * 101}, "at most 100"),
        ({7: "Ada\nLovelace"}, "one line"),
        ({"seven": "Ada"}, "names"),
    ],
)
def test_bad_names_are_compile_errors(names: dict[Any, str], message: str) -> None:
    with pytest.raises(CompileError, match=message):
        compile_full(parse_layout(ONE), ["7"], names=names)


# --- bad input, located -------------------------------------------------------------------


def issues_of(text: str, **kwargs: Any) -> list[str]:
    try:
        compiled = compile_full(parse_layout(text), ["7"], assets=InMemory(), **kwargs)
    except LayoutValidationError as exc:
        return [issue.format() for issue in exc.issues]
    return [issue.format() for issue in compiled.issues]


def test_a_frame_wider_than_its_region_is_a_located_error() -> None:
    (message,) = issues_of(ONE.replace("width: 8px", "width: 150px"))
    assert "<string>:10:" in message and "frame 150 px wide does not fit" in message


def test_a_label_taller_than_its_region_is_a_located_error() -> None:
    (message,) = issues_of(ONE.replace("height: 40px", "height: 300px"))
    assert "<string>:11:" in message and "leaves no room for video" in message


def test_text_too_long_for_its_strip_is_shrunk_then_cut_with_a_warning() -> None:
    clear_style_cache()
    (message,) = issues_of(ONE, names={7: "Wolfeschlegelsteinhausenbergerdorff " * 2})
    assert "warning" in message and "cut to" in message and "<string>:11:" in message


def test_characters_the_font_cannot_draw_are_a_located_warning() -> None:
    clear_style_cache()
    label, card = issues_of(ONE, names={7: "Zoë \u0378"})  # unassigned: in no font
    assert "(U+0378)" in label and "<string>:11:" in label  # the name strip
    assert "(U+0378)" in card and "<string>:12:" in card  # the card
    assert "ë" not in label.split("draw:")[1]  # accents are drawn (DejaVu Sans)


def test_a_missing_logo_or_font_or_a_logo_that_is_not_an_image(tmp_path: Path) -> None:
    logo = """
decor:
  - {image: LOGO, x: 0, y: 0, width: 100px, height: 40px}
"""
    missing = issues_of(ONE + logo.replace("LOGO", str(tmp_path / "nope.png")))
    assert len(missing) == 1 and "no such image file" in missing[0]
    assert "<string>:15:" in missing[0]
    text_file = tmp_path / "logo.png"
    text_file.write_text("not a picture")
    (not_image,) = issues_of(ONE + logo.replace("LOGO", str(text_file)))
    assert "not an image" in not_image and "<string>:15:" in not_image
    (no_font,) = issues_of(ONE + f"font: {tmp_path / 'nope.ttf'}\n")
    assert "<string>:13:" in no_font and ".ttf or .otf" in no_font


def test_a_decor_item_is_one_thing_and_stays_on_the_canvas() -> None:
    both = issues_of(ONE + 'decor:\n  - {text: Hi, fill: "#FF0000", width: 10px, height: 10px}\n')
    assert any("give image, text or fill (this has text and fill)" in m for m in both)
    outside = issues_of(ONE + "decor:\n  - {text: Hi, x: 600px, width: 100px, height: 10px}\n")
    assert any("does not fit the canvas" in m for m in outside)


def test_a_bad_label_expression_is_a_located_error() -> None:
    (message,) = issues_of(ONE.replace("height: 40px,", "height: 40px, text: nickname,"))
    assert "'nickname' is undefined" in message and "the names it can use are" in message


def test_a_placeholder_and_a_card_on_one_region_is_an_error() -> None:
    text = ONE.replace("    card:", "    placeholder: https://cdn.example.com/p.jpg\n    card:")
    assert any("placeholder (an image URL) or card, not both" in m for m in issues_of(text))


def test_a_background_image_url_and_a_drawn_background_is_an_error() -> None:
    text = ONE + "background_image: https://cdn.example.com/bg.jpg\n"
    assert any("takes one background image" in m for m in issues_of(text))


def test_nothing_is_half_written_when_publishing_fails(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "blocker").mkdir()
    publisher = FolderPublisher(folder, BASE)
    compiled = compile_full(parse_layout(ONE), ["7"], assets=InMemory())
    # the card's name is taken by a folder: the background is published, the card is not
    (folder / "blocker").rename(folder / compiled.assets[1].name)
    with pytest.raises(AssetError):
        compile_full(parse_layout(ONE), ["7"], assets=publisher)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(a.name for a in compiled.assets)  # no temporary files left
    assert (folder / compiled.assets[0].name).is_file()


# --- built-in modes: decor and everyone's card ----------------------------------------------


def test_built_in_modes_draw_decor_and_cards_for_everyone() -> None:
    text = """
canvas: 640x360
mode: adaptive
card: {color: "#334455"}
decor:
  - {fill: "#FF0000", x: 0, y: 0, width: 20px, height: 20px}
"""
    compiled = compile_full(parse_layout(text), ["7", "8"], assets=InMemory())
    assert compiled.style is not None
    assert [card.uid for card in compiled.style.cards] == ["7", "8"]
    assert [(c.width, c.height) for c in compiled.style.cards] == [(320, 360), (320, 360)]
    image = picture(compiled, video_off=frozenset({"8"}))
    assert close(image.getpixel((5, 5)), (255, 0, 0)) is False  # 7's video covers the corner
    assert close(image.getpixel((322, 5)), CARD)  # 8's card


# --- the emulator's composite equals the preview ------------------------------------------------


def test_the_emulators_composite_of_a_styled_recording_equals_the_preview(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "site"
    text = """
canvas: 640x360
background: "#1A1D24"
decor:
  - {text: "The Show", x: 0, y: 0, width: 100%, height: 40px, color: "#FFCC00"}
card: {color: "#334455"}
regions:
  - grid:
      y: 40px
      columns: 2
      gap: 8px
      padding: 8px
      uids: [7, 8]
      frame: {width: 4px, color: "#FFCC00"}
      label: {height: 30px, background: "#101010"}
"""
    layout = parse_layout(text)
    names = {7: "Ada Lovelace", 8: "Grace Hopper"}
    publisher = FolderPublisher(folder, BASE)
    with EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        rate_limit=None,
        assets={BASE: folder},
    ) as server:
        server.join("room", 7)
        server.join("room", 8)
        server.set_media("room", 8, "video_off")
        client = fast_client(server)
        compiled = compile_full(layout, ["7", "8"], names=names, assets=publisher)
        start = {"recordingConfig": {"transcodingConfig": compiled.transcoding_json}}
        with client.record("room", 99, start) as recording:
            recording.update_layout(compiled.payload_json)
            answer = requests.get(
                f"{server.url}/_emulator/recordings/{recording.sid}/composite.png", timeout=20
            )
            summary = requests.get(f"{server.url}/_emulator/recordings/{recording.sid}", timeout=5)
    assert set(summary.json()["images"].values()) == {"resolved"}
    composite = Image.open(io.BytesIO(answer.content)).convert("RGB")
    preview = draw_compilation(compiled, PreviewOptions(video_off=frozenset({"8"})))
    assert composite.size == preview.size
    assert composite.tobytes() == preview.tobytes()
    # and the picture is the styled one: the title's strip, 8's card
    assert close(composite.getpixel((4, 4)), CANVAS)
    *_, right, bottom = video_box(compiled, "8")
    assert close(composite.getpixel((right - 3, bottom - 3)), CARD)
    assert json.loads(json.dumps(compiled.payload_json))["backgroundImage"].startswith(BASE)


# --- scenarios: the storyboard shows a card once it appears --------------------------------


def test_a_camera_going_off_shows_the_card_in_the_storyboard_without_sending(
    tmp_path: Path,
) -> None:
    (tmp_path / "one.yaml").write_text(ONE.replace("uid: 7", "uid: 7\n    fit: crop"))
    scenario = tmp_path / "show.yaml"
    scenario.write_text(
        "layout: one.yaml\n"
        'names: {"7": Ada Lovelace}\n'
        "events:\n"
        '  - {at: 0s, join: "7"}\n'
        '  - {at: 5s, camera_off: "7"}\n'
        '  - {at: 9s, camera_on: "7"}\n'
    )
    loaded = load_scenario(scenario)
    steps, warnings = play_scenario(loaded, load_layout(tmp_path / "one.yaml"))
    assert warnings == []
    assert [(step.at, step.sent) for step in steps] == [(0, True), (5, False), (9, False)]
    assert steps[1].payload == steps[0].payload  # nothing new is sent
    assert "sent" not in steps[0].to_json() and steps[1].to_json()["sent"] is False
    frames = storyboard_images(steps)
    on, off = frames[0][1], frames[1][1]
    compiled = steps[1].compilation
    left, top, *_ = video_box(compiled, "7")
    corner = (left + 2, top + 2)
    assert close(off.getpixel(corner), CARD) and not close(on.getpixel(corner), CARD)


def test_a_layout_may_be_kept_to_the_files_of_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "layouts"
    folder.mkdir()
    logo = Path(__file__).resolve().parent.parent / "presets" / "images" / "on-air.png"
    (folder / "logo.png").write_bytes(logo.read_bytes())
    inside = ONE + "decor:\n  - {image: logo.png, x: 0, y: 0, width: 90px, height: 30px}\n"
    (folder / "show.yaml").write_text(inside)
    layout = load_layout(folder / "show.yaml")
    layout.files_root = folder
    assert compile_full(layout, ["7"], assets=InMemory()).style is not None
    (folder / "out.yaml").write_text(inside.replace("logo.png", str(tmp_path / "x.png")))
    outside = load_layout(folder / "out.yaml")
    outside.files_root = folder
    with pytest.raises(LayoutValidationError, match="outside the layouts folder"):
        compile_full(outside, ["7"], assets=InMemory())
    text = parse_layout(inside.replace("logo.png", str(folder / "logo.png")))
    text.files_allowed = False
    with pytest.raises(LayoutValidationError, match="may name no local files"):
        compile_full(text, ["7"], assets=InMemory())
