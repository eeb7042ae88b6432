"""`layoutkit import agora` / `layoutkit.importers.from_agora`: an Agora layout payload
becomes a layout that compiles back to the same payload (the same mode, colours, images,
uids in the same order, the same numbers), with regular grids as `grid:` entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from import_helpers import assert_refused, run

from layoutkit import parse_layout, validate_layout
from layoutkit.compile.compiler import compile_full
from layoutkit.errors import LayoutError
from layoutkit.importers import from_agora

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "import"
MILLION = 1_000_000


def compiled_back(payload: object, **options: Any) -> tuple[str, dict[str, Any]]:
    """The imported YAML and what it compiles to for the payload's uids."""
    imported = from_agora(payload, **options)
    assert not any("does not compile back" in note for note in imported.notes), imported.notes
    regions = _layout_config(payload)
    uids = [r["uid"] for r in regions if r.get("uid")]
    result = compile_full(parse_layout(imported.yaml), participants=uids)
    return imported.yaml, result.payload_json


def _layout_config(payload: object) -> list[dict[str, Any]]:
    if isinstance(payload, list):
        return payload
    assert isinstance(payload, dict)
    if "clientRequest" in payload:
        return _layout_config(payload["clientRequest"])
    if "recordingConfig" in payload:
        return _layout_config(payload["recordingConfig"]["transcodingConfig"])
    config: list[dict[str, Any]] = payload.get("layoutConfig", [])
    return config


def assert_same_regions(sent: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
    assert [r.get("uid") or None for r in sent] == [r.get("uid") for r in got]
    for want, have in zip(sent, got, strict=True):
        for key in ("x_axis", "y_axis", "width", "height"):
            assert abs(have[key] - want[key]) <= 1e-6, (key, want, have)
        assert abs(have["alpha"] - want.get("alpha", 1.0)) <= 1e-6
        assert have["render_mode"] == want.get("render_mode", 0)


# -- the round trip, for any payload Agora takes -------------------------------------------


@st.composite
def canvases(draw: st.DrawFn) -> tuple[int, int]:
    width = draw(st.integers(16, 1920))
    height = draw(st.integers(16, min(1920, 1920 * 1080 // width)))
    return width, height


@st.composite
def regions(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 17))
    uids = draw(
        st.lists(st.integers(1, 4_294_967_295), min_size=count, max_size=count, unique=True)
    )
    found: list[dict[str, Any]] = []
    for uid in uids:
        x = draw(st.integers(0, MILLION - 1))
        y = draw(st.integers(0, MILLION - 1))
        w = draw(st.integers(1, MILLION - x))
        h = draw(st.integers(1, MILLION - y))
        region: dict[str, Any] = {}
        if draw(st.booleans()) or draw(st.booleans()):  # most regions name their user
            region["uid"] = str(uid)
        region.update(x_axis=x / MILLION, y_axis=y / MILLION, width=w / MILLION, height=h / MILLION)
        if draw(st.booleans()):
            region["alpha"] = draw(st.integers(0, MILLION)) / MILLION
        if draw(st.booleans()):
            region["render_mode"] = draw(st.sampled_from([0, 1]))
        found.append(region)
    return found


@st.composite
def payloads(draw: st.DrawFn) -> tuple[object, tuple[int, int] | None]:
    """A payload in one of the accepted shapes, and the canvas to give (None when the
    payload says it)."""
    config = draw(regions())
    width, height = draw(canvases())
    fields = {"mixedVideoLayout": 3, "backgroundColor": "#102030", "layoutConfig": config}
    shape = draw(st.sampled_from(["array", "client", "update", "transcoding", "start"]))
    if shape == "array":
        return config, (width, height)
    if shape == "client":
        return fields, (width, height)
    if shape == "update":
        return {"cname": "show", "uid": "9", "clientRequest": fields}, (width, height)
    transcoding = {"width": width, "height": height, "fps": 15, "bitrate": 900, **fields}
    if shape == "transcoding":
        return transcoding, None
    body = {"recordingConfig": {"maxIdleTime": 30, "transcodingConfig": transcoding}}
    return {"cname": "show", "uid": "9", "clientRequest": body}, None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads())
def test_any_payload_compiles_back_to_itself(case: tuple[object, tuple[int, int] | None]) -> None:
    payload, canvas = case
    _, got = compiled_back(payload, canvas=canvas)
    assert got["mixedVideoLayout"] == 3
    assert got["backgroundColor"] == ("#000000" if isinstance(payload, list) else "#102030")
    assert_same_regions(_layout_config(payload), got["layoutConfig"])


@st.composite
def grid_layouts(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A layout of one grid (pixels: gaps, padding, area) and the participants it shows."""
    width, height = draw(st.sampled_from([(1280, 720), (640, 360), (360, 640), (1920, 1080)]))
    rows = draw(st.integers(1, 4))
    columns = draw(st.integers(1, 4))
    assume(rows * columns >= 3)
    cells = draw(st.integers(max(3, (rows - 1) * columns + 1), rows * columns))
    gap = draw(st.integers(0, 16))
    padding = draw(st.integers(0, 16))
    assume((width - 2 * padding - (columns - 1) * gap) / columns >= 8)
    assume((height - 2 * padding - (rows - 1) * gap) / rows >= 8)
    keys = [f"rows: {rows}", f"columns: {columns}", f"cells: {cells}"]
    keys += [f"gap: {gap}px", f"padding: {padding}px"]
    if draw(st.booleans()):
        x, y = draw(st.integers(0, width // 4)), draw(st.integers(0, height // 4))
        keys += [f"x: {x}px", f"y: {y}px", f"width: {width - x}px", f"height: {height - y}px"]
    uids = [str(1000 + i) for i in range(cells)]
    if draw(st.booleans()):
        keys.append(f"uids: [{', '.join(uids)}]")
    else:
        keys.append("fill: agora")
    if draw(st.booleans()):
        keys.append("fit: fit")
    text = f"canvas: {width}x{height}\nregions:\n  - grid: {{{', '.join(keys)}}}\n"
    return text, uids


@settings(max_examples=80, deadline=None)
@given(grid_layouts())
def test_grids_are_found_again(case: tuple[str, list[str]]) -> None:
    text, uids = case
    sent = compile_full(parse_layout(text), participants=uids).transcoding_json
    yaml_text, got = compiled_back(sent)
    assert yaml_text.count("grid:") == 1, yaml_text
    assert_same_regions(sent["layoutConfig"], got["layoutConfig"])


# -- the examples ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["agora-start-speaker", "agora-start-grid"])
def test_the_examples_compile_back_and_are_checked_in(name: str) -> None:
    body = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    imported = from_agora(EXAMPLES / f"{name}.json")
    assert (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8") == imported.yaml
    assert (EXAMPLES / "previews" / f"{name}.png").is_file()
    assert validate_layout(parse_layout(imported.yaml)).ok
    sent = body["clientRequest"]["recordingConfig"]["transcodingConfig"]
    uids = [r["uid"] for r in sent["layoutConfig"] if "uid" in r]
    got = compile_full(parse_layout(imported.yaml), participants=uids).transcoding_json
    for key in ("width", "height", "fps", "bitrate", "mixedVideoLayout", "backgroundColor"):
        assert got[key] == sent[key], key
    assert got.get("defaultUserBackgroundImage") == sent.get("defaultUserBackgroundImage")
    assert got.get("backgroundConfig") == sent.get("backgroundConfig")
    assert_same_regions(sent["layoutConfig"], got["layoutConfig"])


def test_the_speaker_example_in_pixels_with_its_uids() -> None:
    text = (EXAMPLES / "agora-start-speaker.yaml").read_text(encoding="utf-8")
    assert (
        '  - {uid: 1001, x: 0, y: 0, width: 960px, height: 720px, placeholder: "https://cdn.'
        in text
    )
    assert "  - {uid: 1002, x: 960px, y: 0, width: 320px, height: 360px, fit: fit}" in text
    assert "  - {fill: agora, x: 20px, y: 520px, width: 240px, height: 180px, alpha: 0.9}" in text


def test_the_grid_example_is_one_grid() -> None:
    text = (EXAMPLES / "agora-start-grid.yaml").read_text(encoding="utf-8")
    assert (
        "  - grid: {rows: 3, columns: 3, gap: 8px, padding: 8px, uids: [2001, 2002, 2003, "
        "2004, 2005, 2006, 2007, 2008, 2009], fit: fit}" in text
    )


def test_settings_of_the_recording_are_named_never_their_values() -> None:
    imported = from_agora(EXAMPLES / "agora-start-speaker.json")
    notes = "\n".join(imported.notes)
    assert "storageConfig" in notes and "token" in notes and "maxIdleTime" in notes
    for secret in ("xxxxxxxxxxxxxxxx", "AKIA", "007eJ"):
        assert secret not in imported.yaml and secret not in notes


# -- what each field becomes ---------------------------------------------------------------


def test_a_regular_strip_inside_a_hand_made_layout() -> None:
    config: list[dict[str, Any]] = [
        {"uid": "1", "x_axis": 0.0, "y_axis": 0.0, "width": 1.0, "height": 0.75},
        {"uid": "2", "x_axis": 0.0, "y_axis": 0.75, "width": 0.333333, "height": 0.25},
        {"uid": "3", "x_axis": 0.333333, "y_axis": 0.75, "width": 0.333333, "height": 0.25},
        {"uid": "4", "x_axis": 0.666667, "y_axis": 0.75, "width": 0.333333, "height": 0.25},
    ]
    text, got = compiled_back(config, canvas=(1280, 720))
    assert "  - {uid: 1, x: 0, y: 0, width: 1280px, height: 540px}" in text
    assert "  - grid: {y: 540px, rows: 1, columns: 3, uids: [2, 3, 4]}" in text
    assert_same_regions(config, got["layoutConfig"])


def test_fractions_where_pixels_are_not_exact() -> None:
    config = [{"uid": "5", "x_axis": 0.123457, "y_axis": 0.5, "width": 0.3, "height": 0.5}]
    text, got = compiled_back(config, canvas=(1280, 720))
    assert "{uid: 5, x: 0.123457, y: 360px, width: 384px, height: 360px}" in text
    assert_same_regions(config, got["layoutConfig"])


def test_built_in_modes_and_the_focus() -> None:
    text, got = compiled_back({"mixedVideoLayout": 2, "maxResolutionUid": "1001"})
    assert "mode: vertical" in text and 'focus: "1001"' in text
    assert got == {"mixedVideoLayout": 2, "maxResolutionUid": "1001", "backgroundColor": "#000000"}
    imported = from_agora({"mixedVideoLayout": 1, "maxResolutionUid": "7"})
    assert any(
        "maxResolutionUid 7: it only applies to the vertical mode" in n for n in imported.notes
    )


def test_colours_and_images() -> None:
    payload = {
        "mixedVideoLayout": 0,
        "backgroundColor": "#abcdef",
        "backgroundImage": "https://cdn.example.com/bg.jpg",
        "defaultUserBackgroundImage": "https://cdn.example.com/off.jpg",
    }
    text, got = compiled_back(payload)
    assert 'background: "#ABCDEF"' in text
    assert got["backgroundImage"] == payload["backgroundImage"]
    assert got["defaultUserBackgroundImage"] == payload["defaultUserBackgroundImage"]


def test_the_canvas() -> None:
    config = [{"uid": "1", "x_axis": 0, "y_axis": 0, "width": 0.5, "height": 0.5}]
    default = from_agora(config)
    assert default.canvas == (360, 640)
    assert any("Agora's default 360x640" in n and "--canvas" in n for n in default.notes)
    assert from_agora(config, canvas="1280x720").canvas == (1280, 720)
    sized = {"width": 640, "height": 360, "mixedVideoLayout": 3, "layoutConfig": config}
    assert from_agora(sized).canvas == (640, 360)
    overridden = from_agora(sized, canvas=(1280, 720))
    assert overridden.canvas == (1280, 720)
    assert any("replaces the payload's 640x360" in n for n in overridden.notes)


def test_a_start_request_without_bitrate_says_what_agora_used() -> None:
    body = {
        "recordingConfig": {
            "transcodingConfig": {"width": 640, "height": 360, "mixedVideoLayout": 1}
        }
    }
    imported = from_agora(body)
    note = next(n for n in imported.notes if n.startswith("bitrate:"))
    assert "Agora records at its default 500 Kbps" in note
    assert "layoutkit would recommend 400 Kbps" in note and "leave bitrate out" in note
    layout = parse_layout(imported.yaml)
    assert "bitrate: 500\n" in imported.yaml.split("title:")[1]
    assert compile_full(layout, ["1"]).transcoding_json["bitrate"] == 500
    # a transcodingConfig on its own is a start request's: the same
    alone = from_agora(body["recordingConfig"]["transcodingConfig"])
    assert "bitrate: 500\n" in alone.yaml
    # an updateLayout request sets no bitrate: nothing to keep
    update = from_agora({"mixedVideoLayout": 1})
    assert "bitrate:" not in update.yaml.split("title:")[1]
    assert not any(n.startswith("bitrate:") for n in update.notes)


def test_placeholders_per_region() -> None:
    payload = {
        "mixedVideoLayout": 3,
        "layoutConfig": [
            {"uid": "1", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1, "render_mode": 1}
        ],
        "backgroundConfig": [
            {"uid": "1", "image_url": "https://cdn.example.com/1.jpg", "render_mode": 0},
            {"uid": "2", "image_url": "https://cdn.example.com/2.jpg"},
        ],
    }
    text, got = compiled_back(payload)
    assert 'placeholder: "https://cdn.example.com/1.jpg"' in text
    assert got["backgroundConfig"] == [
        {"uid": "1", "image_url": "https://cdn.example.com/1.jpg", "render_mode": 1}
    ]
    notes = "\n".join(from_agora(payload).notes)
    assert "no region shows uid 2" in notes and "render_mode 0 is not carried over" in notes


def test_number_uids_and_long_decimals_are_noted() -> None:
    payload = [{"uid": 12, "x_axis": 0.1234567, "y_axis": 0, "width": 0.5, "height": 0.5}]
    imported = from_agora(payload)
    notes = "\n".join(imported.notes)
    assert "the uid 12 was a JSON number" in notes
    assert "rounded to 6" in notes
    assert "x: 0.123457" in imported.yaml


# -- bad input ---------------------------------------------------------------------------


REGION = '{"uid": "1", "x_axis": 0, "y_axis": 0, "width": 0.5, "height": 0.5}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{'mixedVideoLayout': 3}", ":1:2: error: not JSON"),
        ('"layout"', "expected a JSON object or a layoutConfig array, got a string"),
        ('{"cname": "x"}', "not an Agora layout: expected a start or updateLayout request"),
        ('{"clientRequest": []}', "clientRequest: expected a clientRequest object, got an array"),
        (
            '{"mixedVideoLayout": 3, "layoutConfig": {"uid": "1"}}',
            ":1:41: error: layoutConfig: expected an array of regions, got an object",
        ),
        (
            '[{"uid": "1", "x_axis": 0, "y_axis": 0, "width": 0, "height": 0.5}]',
            "[0].width: a region of zero size draws nothing",
        ),
        (
            '[{"uid": "1", "x_axis": -0.1, "y_axis": 0, "width": 0.5, "height": 0.5}]',
            ":1:25: error: [0].x_axis: -0.1 is outside 0..1",
        ),
        (
            '[{"uid": "1", "x_axis": 0.7, "y_axis": 0, "width": 0.5, "height": 0.5}]',
            "the region runs past the right edge (0.7 + 0.5 > 1)",
        ),
        (
            '[{"uid": "1", "x": 0, "y_axis": 0, "width": 0.5, "height": 0.5}]',
            "[0].x: unknown key 'x'; did you mean 'x_axis'?",
        ),
        (
            '{"mixedVideoLayout": 3, "backgroundColour": "#000000", "layoutConfig": ['
            + REGION
            + "]}",
            "unknown key 'backgroundColour'; did you mean 'backgroundColor'?",
        ),
        ('{"mixedVideoLayout": 3}', "mixedVideoLayout 3 (custom) needs a layoutConfig"),
        ('{"mixedVideoLayout": "3"}', "mixedVideoLayout: expected an integer, got a string"),
        (
            '{"width": 1920, "height": 1920, "mixedVideoLayout": 1}',
            "1920x1920 is above 1080p",
        ),
        (
            '[{"uid": "abc", "x_axis": 0, "y_axis": 0, "width": 0.5, "height": 0.5}]',
            "[0].uid: uid 'abc' is not an integer user id",
        ),
        ("[" + REGION + ", " + REGION + "]", "[1].uid: uid 1 is also region 0"),
        (
            '{"clientRequest": {"recordingConfig": {}, "transcodingConfig": {}}}',
            "transcodingConfig belongs inside recordingConfig",
        ),
        (
            '{"clientRequest": {"recordingConfig": {"maxIdleTime": 30}}}',
            "recordingConfig has no transcodingConfig",
        ),
        (
            '{"mixedVideoLayout": 3, "layoutConfig": [' + REGION + '], "backgroundConfig": '
            '[{"uid": "1"}]}',
            "backgroundConfig[0]: missing image_url; each entry names a uid and its image",
        ),
        (
            '{"mixedVideoLayout": 1, "backgroundImage": "ftp://x/y.jpg"}',
            "backgroundImage: 'ftp://x/y.jpg' is not an http(s) URL",
        ),
    ],
)
def test_bad_input_is_a_located_message_and_nothing_is_written(
    tmp_path: Path, text: str, message: str
) -> None:
    assert_refused(tmp_path, "agora", "payload.json", text, message)


def test_a_hundred_regions_are_refused(tmp_path: Path) -> None:
    config = [
        {"uid": str(i + 1), "x_axis": 0, "y_axis": 0, "width": 0.01, "height": 0.01}
        for i in range(100)
    ]
    source = tmp_path / "many.json"
    source.write_text(json.dumps({"mixedVideoLayout": 3, "layoutConfig": config}), encoding="utf-8")
    result = run("agora", str(source))
    assert result.exit_code == 1
    assert (
        f"{source}:1:41: error: layoutConfig: 100 regions: Agora draws at most 17" in result.stderr
    )
    with pytest.raises(LayoutError):
        from_agora(config)


def test_a_bad_canvas_option_is_a_usage_error() -> None:
    result = run("agora", str(EXAMPLES / "agora-start-grid.json"), "--canvas", "4000x10")
    assert result.exit_code == 2
    assert "Invalid value for --canvas: 4000x10 is above what Agora records" in result.output


@pytest.mark.parametrize("size", ["0x0", "0x720", "1280x0", "-5x100"])
def test_a_canvas_below_the_smallest_is_called_so_with_the_range(size: str) -> None:
    result = run("agora", str(EXAMPLES / "agora-start-grid.json"), "--canvas", size)
    assert result.exit_code == 2
    assert (
        f"Invalid value for --canvas: {size} is below the smallest canvas Agora records; "
        "give each side 1..1920 pixels and at most 1920x1080 in area" in result.output
    )
    assert "above" not in result.output
    with pytest.raises(ValueError, match="below the smallest canvas"):
        from_agora(str(EXAMPLES / "agora-start-grid.json"), canvas=(0, 0))


def test_an_existing_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "layout.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    source = str(EXAMPLES / "agora-start-grid.json")
    result = run("agora", source, "-o", str(out))
    assert result.exit_code == 1 and "exists; pick another name or add --force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me\n"
    result = run("agora", source, "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (EXAMPLES / "agora-start-grid.yaml").read_text(
        encoding="utf-8"
    )
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"imported {source} (an Agora start request), canvas 1280x720"
    )
    assert result.stderr.splitlines()[-1] == f"wrote {out}"


def test_json_text_and_data_are_read_too() -> None:
    text = '[{"uid": "3", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1}]'
    assert from_agora(text).source == "<text>"
    assert from_agora(json.loads(text), canvas="640x360").source == "<data>"
    with pytest.raises(TypeError):
        from_agora(42)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2) | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "clientRequest",
        "recordingConfig",
        "transcodingConfig",
        "layoutConfig",
        "mixedVideoLayout",
        "backgroundConfig",
        "uid",
        "x_axis",
        "width",
        "video_layout",
        "resolution",
        "video_sources",
    ]
)
SHAPED = st.recursive(
    JSON,
    lambda inner: st.dictionaries(KEYS, inner, max_size=5) | st.lists(inner, max_size=3),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(SHAPED)
def test_any_json_is_imported_or_refused_with_a_clear_error(data: object) -> None:
    from layoutkit.importers import from_twilio

    for importer in (from_agora, from_twilio):
        try:
            importer(json.loads(json.dumps(data)) if isinstance(data, dict | list) else [data])
        except LayoutError as exc:
            assert str(exc).startswith("<data>: error: "), str(exc)


@settings(max_examples=200, deadline=None)
@given(JSON, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_the_json_reader_finds_every_value_where_it_is_written(
    data: object, indent: int | str | None, ascii_only: bool
) -> None:
    from layoutkit.importers import parse_text

    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    source = parse_text(text, "x.json")
    assert source.data == data and source.marks is not None
    decoder = json.JSONDecoder()
    for path, offset in source.marks.values.items():
        value: Any = data
        for part in path:
            value = value[part]
        assert decoder.raw_decode(text, offset)[0] == value
    for path, offset in source.marks.keys.items():
        assert decoder.raw_decode(text, offset)[0] == path[-1]
