"""Compiling layouts into Agora's payloads, checked against hand computations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from layoutkit import (
    CompileError,
    compile_layout,
    compile_start,
    load_layout,
    parse_layout,
    resolve_regions,
)
from layoutkit.compile.compiler import choose_participants, compile_full, default_count
from layoutkit.geometry import ResolvedRegion
from layoutkit.wire import UpdateLayoutClientRequest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "speaker-pip.yaml"


def test_format_example_matches_the_hand_computation() -> None:
    layout = load_layout(EXAMPLE)
    request = compile_layout(layout, ["1001", "1002"], {"host": "1001", "guest": "1002"})
    wire = request.model_dump(by_alias=True, exclude_none=True, mode="json")
    # canvas 1280×720; guest: width 25% = 320 px, 16:9 -> 180 px = 0.25 of the height;
    # x = 1 - 24/1280 - 0.25 = 0.73125; y = 1 - 24/720 - 0.25 = 0.716666… -> 0.716667
    assert wire == {
        "mixedVideoLayout": 3,
        "backgroundColor": "#101820",
        "backgroundImage": "https://cdn.example.com/studio.jpg",
        "defaultUserBackgroundImage": "https://cdn.example.com/card.jpg",
        "layoutConfig": [
            {
                "uid": "1001",
                "x_axis": 0.0,
                "y_axis": 0.0,
                "width": 1.0,
                "height": 1.0,
                "alpha": 1.0,
                "render_mode": 0,
            },
            {
                "uid": "1002",
                "x_axis": 0.73125,
                "y_axis": 0.716667,
                "width": 0.25,
                "height": 0.25,
                "alpha": 0.95,
                "render_mode": 1,
            },
        ],
        "backgroundConfig": [
            {"uid": "1002", "image_url": "https://cdn.example.com/guest.jpg", "render_mode": 1}
        ],
    }


def test_start_config_carries_canvas_fps_and_bitrate() -> None:
    config = compile_start(load_layout(EXAMPLE), ["1001", "1002"], {"host": "1001"})
    wire = config.to_wire()
    assert (wire["width"], wire["height"], wire["fps"], wire["bitrate"]) == (1280, 720, 15, 1130)
    assert wire["mixedVideoLayout"] == 3
    assert wire["layoutConfig"][0]["uid"] == "1001"
    # the guest role is unbound: the next participant in join order, named explicitly
    assert wire["layoutConfig"][1]["uid"] == "1002"


def test_grid_with_pixel_gaps_and_padding() -> None:
    text = """
canvas: 1280x720
regions:
  - grid: {y: 75%, height: 25%, rows: 1, columns: 4, gap: 8px, padding: 8px}
"""
    config = compile_layout(parse_layout(text), count=4).to_wire()["layoutConfig"]
    # area: y 540 px, 1280×180 px. cells: (1280 - 2·8 - 3·8)/4 = 310 px wide,
    # 180 - 2·8 = 164 px high; lefts 8, 326, 644, 962 px; top 548 px.
    width, height, top = 310 / 1280, 164 / 720, 548 / 720
    assert [(c["x_axis"], c["y_axis"], c["width"], c["height"]) for c in config] == [
        (0.00625, 0.761111, 0.242188, 0.227778),
        (0.254688, 0.761111, 0.242188, 0.227778),
        (0.503125, 0.761111, 0.242188, 0.227778),
        (0.751562, 0.761111, 0.242188, 0.227778),
    ]
    assert (round(width, 6), round(height, 6), round(top, 6)) == (0.242188, 0.227778, 0.761111)
    # the made-up participants 1..4 take the cells in join order, each named
    assert [c["uid"] for c in config] == ["1", "2", "3", "4"]


def test_grid_column_order_aspect_and_roles() -> None:
    text = """
canvas: {width: 1000, height: 1000}
regions:
  - grid: {rows: 2, columns: 2, order: column, aspect: "2:1", roles: [a, b, c]}
"""
    compiled = compile_full(parse_layout(text), ["1", "2", "3"], {"a": "1", "b": "2", "c": "3"})
    config = compiled.payload.to_wire()["layoutConfig"]
    # cells 500×500 px, shrunk to 500×250 and centred: 125 px down; filled column first
    assert [(c.get("uid"), c["x_axis"], c["y_axis"], c["width"], c["height"]) for c in config] == [
        ("1", 0.0, 0.125, 0.5, 0.25),
        ("2", 0.0, 0.625, 0.5, 0.25),
        ("3", 0.5, 0.125, 0.5, 0.25),
    ]  # the fourth cell has nobody for it: left out, the background shows there
    assert compiled.regions[-1].uid == "3" and len(compiled.regions) == 3


def test_variants_pick_by_count_range_open_range_and_roles() -> None:
    text = """
canvas: 1280x720
variants:
  - when: 1
    regions: [{x: 0, y: 0, width: 1, height: 1}]
  - when: {count: 2+, roles: [screen]}
    mode: vertical
    focus: screen
  - when: 2-3
    mode: adaptive
  - when: 4+
    mode: floating
"""
    layout = parse_layout(text)
    assert compile_layout(layout, count=1).mixed_video_layout == 3
    assert compile_layout(layout, count=3).mixed_video_layout == 1
    assert compile_layout(layout, count=9).mixed_video_layout == 0
    shared = compile_layout(layout, ["5", "6", "7"], {"screen": "7"})
    assert shared.to_wire() == {
        "mixedVideoLayout": 2,
        "backgroundColor": "#000000",
        "maxResolutionUid": "7",
    }
    # a role bound to someone who is not in the channel does not count as present
    assert compile_layout(layout, ["5", "6"], {"screen": "7"}).mixed_video_layout == 1


def test_variant_without_a_match_falls_back_to_top_level_regions() -> None:
    text = """
regions: [{x: 0, y: 0, width: 1, height: 1}]
variants:
  - when: 2
    mode: adaptive
"""
    layout = parse_layout(text)
    assert compile_layout(layout, count=2).mixed_video_layout == 1
    assert compile_layout(layout, count=3).mixed_video_layout == 3


def test_count_uses_named_uids_then_small_numbers() -> None:
    layout = parse_layout("regions:\n  - {uid: 2, x: 0, y: 0, width: 1, height: 1}\n")
    assert choose_participants(layout, None, {}, 4) == ("2", "1", "3", "4")
    assert choose_participants(layout, None, {"host": "1001"}, 3) == ("1001", "2", "1")


def test_default_count_is_region_count_or_four() -> None:
    grid = parse_layout("regions:\n  - grid: {rows: 2, columns: 3, cells: 5}\n")
    assert default_count(grid.document) == 5
    assert default_count(parse_layout("mode: adaptive\n").document) == 4


def test_bad_participants_are_compile_errors() -> None:
    layout = parse_layout("mode: adaptive\n")
    with pytest.raises(CompileError, match="listed twice"):
        compile_layout(layout, ["1", "1"])
    with pytest.raises(CompileError, match="not an integer user id"):
        compile_layout(layout, ["bob"])
    with pytest.raises(CompileError, match="role host"):
        compile_layout(layout, ["1"], {"host": "0"})


def test_resolve_custom_binds_uids_then_join_order() -> None:
    text = """
regions:
  - {uid: 9, x: 0, y: 0, width: 0.5, height: 1}
  - {x: 0.5, y: 0, width: 0.5, height: 0.5}
  - {x: 0.5, y: 0.5, width: 0.5, height: 0.5, fit: fit, alpha: 0.5}
"""
    layout = parse_layout(text)
    assert resolve_regions(layout, ["4", "9", "5", "6"]) == [
        ResolvedRegion("9", 0.0, 0.0, 0.5, 1.0),
        ResolvedRegion("4", 0.5, 0.0, 0.5, 0.5),
        ResolvedRegion("5", 0.5, 0.5, 0.5, 0.5, "fit", 0.5),
    ]
    # uid 9 absent and nobody for the third region: both are left out of the payload
    assert resolve_regions(layout, ["4"]) == [ResolvedRegion("4", 0.5, 0.0, 0.5, 0.5)]


def test_resolve_builtin_modes_use_the_participants() -> None:
    regions = resolve_regions(parse_layout("mode: floating\n"), ["10", "20"])
    assert [(r.uid, r.width) for r in regions] == [("10", 1.0), ("20", 0.235)]


def test_templates_see_count_participants_and_roles() -> None:
    text = """
canvas: 1000x500
regions:
{% for uid in participants %}
  - {uid: {{ uid }}, x: {{ loop.index0 / count }}, y: 0, width: {{ 1 / count }}, height: 1}
{% endfor %}
title: "host is {{ roles.get('host', 'nobody') }}"
"""
    layout = parse_layout(text)
    compiled = compile_full(layout, ["7", "8", "9", "6"], {"host": "8"})
    config = compiled.payload.to_wire()["layoutConfig"]
    assert [(c["uid"], c["x_axis"], c["width"]) for c in config] == [
        ("7", 0.0, 0.25),
        ("8", 0.25, 0.25),
        ("9", 0.5, 0.25),
        ("6", 0.75, 0.25),
    ]
    assert compiled.document.title == "host is 8"
    assert len(compile_layout(layout, count=2).to_wire()["layoutConfig"]) == 2


def test_thirds_round_without_crossing_the_edge() -> None:
    text = "canvas: 1280x720\nregions:\n  - grid: {rows: 3, columns: 3}\n"
    config = compile_layout(parse_layout(text), count=9).to_wire()["layoutConfig"]
    for c in config:
        assert c["x_axis"] + c["width"] <= 1 and c["y_axis"] + c["height"] <= 1
    assert sorted({c["x_axis"] for c in config}) == [0.0, 0.333333, 0.666667]


def test_payload_is_exactly_what_the_wire_model_accepts() -> None:
    payload = compile_layout(load_layout(EXAMPLE), ["1001", "1002"]).to_wire()
    again = UpdateLayoutClientRequest.model_validate(json.loads(json.dumps(payload)))
    assert again.to_wire() == payload


def test_alpha_is_rounded_to_six_decimals_like_the_geometry() -> None:
    layout = parse_layout("regions: [{x: 0, y: 0, width: 1, height: 1, alpha: 0.8515625}]\n")
    assert compile_layout(layout, ["1"]).to_wire()["layoutConfig"][0]["alpha"] == 0.851562
