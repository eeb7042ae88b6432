"""The compiler builds Agora's payloads once, as the wire models; the JSON sent is their
`to_wire()`. Every preset at every count (some people hidden) compiles to JSON the wire
models take back (on the emulator's strict JSON path too) and give back unchanged; what
Agora draws reads the same from the JSON and from the models; previews draw the same
picture from both."""

from __future__ import annotations

import json
from typing import Any

import pytest

from layoutkit import LayoutValidationError, parse_layout, presets
from layoutkit.compile.compiler import Compilation, compile_full
from layoutkit.compile.modes import EMPTY_PICTURE, as_custom, resolve_payload
from layoutkit.geometry import ResolvedRegion
from layoutkit.render import Appearance, RenderOptions, render_canvas
from layoutkit.wire import TranscodingConfig, UpdateLayoutClientRequest, json_context
from layoutkit.wire.layout import LayoutFields
from layoutkit.wire.rules import MAX_REGIONS, RenderMode, layout_json

COUNTS = (0, 1, 2, 3, 5, 8, 12, MAX_REGIONS)


def same_json(model: type[LayoutFields], wire: dict[str, Any]) -> None:
    """`wire` is JSON the model takes (on the strict JSON path too) and gives back
    from `to_wire()` as it is, key order included."""
    text = json.dumps(wire)
    for context in (None, json_context()):
        parsed = model.model_validate(json.loads(text), context=context)
        assert json.dumps(parsed.to_wire()) == text


def check(compiled: Compilation) -> None:
    same_json(UpdateLayoutClientRequest, compiled.payload_json)
    same_json(TranscodingConfig, compiled.transcoding_json)
    assert compiled.payload.to_wire() == compiled.payload_json
    assert compiled.transcoding.to_wire() == compiled.transcoding_json
    assert resolve_payload(compiled.payload, compiled.participants) == compiled.regions
    assert resolve_payload(compiled.payload_json, compiled.participants) == compiled.regions


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_at_many_counts_compiles_to_what_the_wire_models_give(name: str) -> None:
    layout = presets.load(name)
    checked = 0
    for count in sorted({*COUNTS, *presets.info(name).counts}):
        people = [str(1000 + n) for n in range(1, count + 1)]
        for hidden in ([], people[:1], people[1::2]):
            try:
                compiled = compile_full(layout, people, hidden=hidden)
            except LayoutValidationError:
                continue  # a count the preset does not cover: a located error
            check(compiled)
            checked += 1
    assert checked >= len(presets.info(name).counts)


def test_the_json_sent_is_the_wire_models_own_made_once() -> None:
    compiled = compile_full(parse_layout("mode: adaptive\n"), count=2)
    assert isinstance(compiled.payload, UpdateLayoutClientRequest)
    assert isinstance(compiled.transcoding, TranscodingConfig)
    assert compiled.payload_json is compiled.payload_json
    assert compiled.payload_json == {"mixedVideoLayout": 1, "backgroundColor": "#000000"}
    assert list(compiled.transcoding_json) == [
        "mixedVideoLayout",
        "backgroundColor",
        "width",
        "height",
        "fps",
        "bitrate",
    ]


def test_a_built_in_picture_as_custom_names_everyone_it_shows() -> None:
    empty = {"x_axis": 0.0, "y_axis": 0.0, "width": 0.0, "height": 0.0, "alpha": 1.0}
    assert EMPTY_PICTURE.to_wire() == {**empty, "render_mode": int(RenderMode.CROP)}
    drawn = [ResolvedRegion("3", 0.5, 0, 0.5, 1, "fit", 0.5), ResolvedRegion(None, 0, 0, 1, 1)]
    (region,) = as_custom(drawn)
    assert json.dumps(region.to_wire()) == json.dumps(
        {
            "uid": "3",
            "x_axis": 0.5,
            "y_axis": 0.0,
            "width": 0.5,
            "height": 1.0,
            "alpha": 0.5,
            "render_mode": int(RenderMode.FIT),
        }
    )


def test_resolve_payload_takes_the_json_or_a_wire_model() -> None:
    people = ["1", "2", "3"]
    payloads: list[dict[str, Any]] = [
        {"mixedVideoLayout": 0},
        {"mixedVideoLayout": 1, "backgroundColor": "#000000"},
        {"mixedVideoLayout": 2, "maxResolutionUid": "2"},
        {},  # nothing set: Agora's default, floating
        {
            "mixedVideoLayout": 3,
            "layoutConfig": [
                {"uid": "3", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1},
                {"x_axis": 0.5, "y_axis": 0.5, "width": 0.5, "height": 0.5, "render_mode": 1},
                {"uid": "", "x_axis": 0, "y_axis": 0.5, "width": 0.5, "height": 0.5, "alpha": 0.5},
            ],
        },
    ]
    for payload in payloads:
        model = UpdateLayoutClientRequest.model_validate(payload)
        assert layout_json(model) == model.to_wire()
        assert resolve_payload(payload, people) == resolve_payload(model, people)
    custom = resolve_payload(payloads[-1], people)
    assert [r.uid for r in custom] == ["3", "1", "2"]
    assert (custom[1].fit, custom[2].alpha) == ("fit", 0.5)


def test_a_preview_draws_the_same_from_the_json_and_from_the_model() -> None:
    text = (
        "canvas: 640x360\nbackground: '#203040'\n"
        "placeholder_image: https://cdn.example.com/card.jpg\n"
        "regions:\n  - {role: host, x: 0, y: 0, width: 1, height: 1}\n"
        "  - {right: 8px, bottom: 8px, width: 30%, aspect: '16:9', fit: fit,"
        " placeholder: 'https://cdn.example.com/guest.jpg'}\n"
    )
    compiled = compile_full(parse_layout(text), ["1", "2"], {"host": "1"})
    people = [Appearance("1"), Appearance("2", video_off=True)]
    for options in (RenderOptions(), RenderOptions(clean=True)):
        from_json = render_canvas(
            compiled.payload_json, compiled.regions, 640, 360, people, options
        )
        from_model = render_canvas(compiled.payload, compiled.regions, 640, 360, people, options)
        assert from_json.tobytes() == from_model.tobytes()


def test_regions_that_come_to_no_region_are_a_located_error() -> None:
    """Custom mode needs at least one region: a grid of 0 cells is refused where it is
    written (the runtime check of the payload used to find this only afterwards)."""
    text = "canvas: 640x360\nregions:\n  - grid: {rows: 2, columns: 2, cells: 0}\n"
    with pytest.raises(LayoutValidationError) as info:
        compile_full(parse_layout(text), count=2)
    (issue,) = info.value.issues
    assert (issue.line, issue.field) == (3, "regions")
    assert "no region once grids are expanded" in issue.message
