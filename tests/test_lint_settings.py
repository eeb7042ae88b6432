"""Warnings about the recording settings: unsupported fps, a bitrate far below Agora's
advice, image URLs Agora cannot load; and the recommended bitrate when none is set."""

from __future__ import annotations

from layoutkit.compile.compiler import compile_full
from layoutkit.layout.loader import parse_layout
from layoutkit.wire.rules import recommended_bitrate

REGION = "regions: [{x: 0, y: 0, width: 1, height: 1}]\n"


def test_without_a_bitrate_the_start_config_takes_agoras_recommendation() -> None:
    compiled = compile_full(parse_layout("canvas: 1920x1080\n" + REGION), ["1"])
    assert compiled.transcoding.to_wire()["bitrate"] == 2080 == recommended_bitrate(1920, 1080, 15)
    assert compiled.issues == []
    chosen = compile_full(parse_layout("canvas: 1920x1080\nbitrate: 3000\n" + REGION), ["1"])
    assert chosen.transcoding.to_wire()["bitrate"] == 3000


def test_an_fps_agora_does_not_record_at_is_a_located_warning() -> None:
    compiled = compile_full(parse_layout("canvas: 640x360\nfps: 12\n" + REGION), ["1"])
    (warning,) = compiled.issues
    assert (warning.severity, warning.field, warning.line) == ("warning", "fps", 2)
    assert "12 falls back to 15" in warning.message


def test_a_bitrate_far_below_the_recommendation_is_a_warning() -> None:
    compiled = compile_full(parse_layout("canvas: 1920x1080\nbitrate: 500\n" + REGION), ["1"])
    (warning,) = compiled.issues
    assert warning.field == "bitrate" and warning.line == 2
    assert "far below Agora's recommendation for 1920×1080 at 15 fps (2080 Kbps)" in warning.message
    fine = compile_full(parse_layout("canvas: 1920x1080\nbitrate: 1500\n" + REGION), ["1"])
    assert fine.issues == []


def test_image_urls_that_are_not_https_jpg_or_bmp_are_warnings() -> None:
    text = """canvas: 640x360
background_image: http://cdn.example.com/studio.jpg
placeholder_image: https://cdn.example.com/card.png
regions:
  - {x: 0, y: 0, width: 1, height: 1, placeholder: "https://cdn.example.com/guest.BMP?v=2"}
  - {x: 0, y: 0, width: 0.5, height: 0.5, placeholder: "https://cdn.example.com/g.gif"}
"""
    compiled = compile_full(parse_layout(text), ["1", "2"])
    found = {(i.field, i.line): i.message for i in compiled.issues}
    assert set(found) == {
        ("background_image", 2),
        ("placeholder_image", 3),
        ("regions[1].placeholder", 6),
    }
    assert "not an https:// URL" in found[("background_image", 2)]
    assert "does not end in .jpg, .jpeg or .bmp" in found[("placeholder_image", 3)]
