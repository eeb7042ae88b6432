"""`layoutkit import`: honest notes where a Twilio or Agora description cannot be kept,
the same reading of a payload as `layoutkit lint`, and the command line's inputs and
outputs (standard input, a folder, the output file being the input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from import_helpers import run

from layoutkit import parse_layout
from layoutkit.cli import cli
from layoutkit.compile.compiler import compile_full
from layoutkit.errors import LayoutError, LayoutValidationError
from layoutkit.importers import from_agora, from_twilio
from layoutkit.payload_lint import lint_payload

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "import"
SID = "MT0123456789abcdef0123456789abcdef"

# two wildcard regions side by side, the first without a row or column limit, and a logo
# bound by a track SID (the reviewer's case)
TWO_CROWDS = {
    "room_sid": "RMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "trim": False,
    "video_layout": {
        "left": {"z_pos": 1, "width": 320, "height": 480, "video_sources": ["teacher-*"]},
        "right": {
            "z_pos": 1,
            "x_pos": 320,
            "video_sources": ["student-*"],
            "max_columns": 2,
        },
        "logo": {
            "z_pos": 5,
            "x_pos": 560,
            "y_pos": 400,
            "width": 80,
            "height": 80,
            "video_sources": [SID],
        },
    },
}


def notes_of(imported: object) -> str:
    return "\n".join(getattr(imported, "notes", ()))


# -- Twilio: what cannot be kept is said ---------------------------------------------------


def test_a_wildcard_region_after_one_that_takes_everyone_is_never_filled() -> None:
    imported = from_twilio(TWO_CROWDS)
    notes = notes_of(imported)
    assert (
        "right: never filled: left comes before it in paint order and takes everyone left "
        "(it has no max_rows and max_columns to cap it), and layoutkit cannot pick people by "
        "track name (student-*); bind people with roles instead."
    ) in imported.notes
    for pattern in ("teacher-*", "student-*"):
        assert f"video_sources {pattern}: layoutkit cannot pick people by track name" in notes
    # the SID's role is filled first: with 1 person, the logo box
    assert "with 1 person, that person is drawn in logo (80x80)" in notes
    layout = parse_layout(imported.yaml)
    for count in range(1, 18):  # right shows nobody at any count
        sent = compile_full(layout, count=count).payload_json["layoutConfig"]
        assert all(region["x_axis"] < 0.5 or region["width"] <= 0.125 for region in sent)


def test_a_pattern_turned_into_whoever_is_left_is_noted() -> None:
    mosaic = notes_of(from_twilio(EXAMPLES / "twilio-mosaic.json"))
    assert (
        "interviewers: video_sources interviewer-*: layoutkit cannot pick people by track "
        "name, so the pattern cannot be kept"
    ) in mosaic
    grid = notes_of(from_twilio(EXAMPLES / "twilio-grid.json"))
    assert "cannot pick people by track name" not in grid  # `*` is whoever is left
    assert "never filled" not in grid


def test_a_twilio_grid_says_it_reflows_when_people_leave() -> None:
    for name, region in (("twilio-grid", "grid"), ("twilio-presentation", "row")):
        imported = from_twilio(EXAMPLES / f"{name}.json")
        note = next(n for n in imported.notes if "reflows" in n)
        assert note.startswith(f"{region}: Twilio sizes a grid for the largest number")
        assert "keeps each source in its cell" in note
    pip = from_twilio(EXAMPLES / "twilio-pip.json")
    assert not any("reflows" in n for n in pip.notes)  # two single-track regions


def test_trim_false_is_not_a_note() -> None:
    assert not any(n.startswith("trim") for n in from_twilio(TWO_CROWDS).notes)
    assert any(n.startswith("trim: true") for n in from_twilio({**TWO_CROWDS, "trim": True}).notes)


# -- Twilio: the input as people have it -------------------------------------------------


def test_a_create_request_in_the_rest_api_form_names(tmp_path: Path) -> None:
    request = {
        "RoomSid": "RMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "Resolution": "1280x720",
        "VideoLayout": json.dumps({"grid": {"video_sources": ["*"]}}),
        "Format": "mp4",
    }
    imported = from_twilio(request)
    assert imported.canvas == (1280, 720)
    assert imported.kind == "a Twilio create request"
    plain = {"resolution": "1280x720", "video_layout": {"grid": {"video_sources": ["*"]}}}
    assert imported.yaml.split("title:")[1] == from_twilio(plain).yaml.split("title:")[1]
    path = tmp_path / "create.json"
    path.write_text(json.dumps({**request, "Resolution": "1280-720"}), encoding="utf-8")
    with pytest.raises(LayoutError) as caught:
        from_twilio(path)
    assert str(caught.value).startswith(
        f"{path}:1:65: error: Resolution: '1280-720' is not \"WIDTHxHEIGHT\""
    )


def test_a_region_key_given_twice_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text(
        '{"video_layout": {"g": {"video_sources": ["*"]}, "g": {"video_sources": ["a"]}}}',
        encoding="utf-8",
    )
    with pytest.raises(LayoutValidationError) as caught:
        from_twilio(path)
    assert [(i.line, i.column, i.field) for i in caught.value.issues] == [(1, 19, "video_layout.g")]


def test_numbers_too_big_say_so_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(
        '{"resolution": "99999999999999999999999999x720",\n'
        ' "video_layout": {"g": {"x_pos": 1e308, "video_sources": ["*"]}}}',
        encoding="utf-8",
    )
    with pytest.raises(LayoutValidationError) as caught:
        from_twilio(path)
    found = [(i.line, i.column, i.field, i.message) for i in caught.value.issues]
    assert [row[:3] for row in found] == [
        (1, 16, "resolution"),
        (2, 34, "video_layout.g.x_pos"),
    ]
    assert "is too big" in found[0][3] and 'not "WIDTHxHEIGHT"' not in found[0][3]
    assert found[1][3].startswith("1e+308 is too big")


def test_when_every_region_is_left_out_each_is_located(tmp_path: Path) -> None:
    path = tmp_path / "off.json"
    path.write_text(
        '{"resolution": "1280x720",\n'
        ' "video_layout": {"g": {"x_pos": 1300, "video_sources": ["*"]},\n'
        '                  "h": {"y_pos": 0}}}',
        encoding="utf-8",
    )
    with pytest.raises(LayoutValidationError) as caught:
        from_twilio(path)
    assert [(i.line, i.column, i.field, i.message) for i in caught.value.issues] == [
        (
            2,
            34,
            "video_layout.g.x_pos",
            "1300 starts outside the 1280x720 canvas, and no region is left to show anyone "
            "(x_pos at most 1279)",
        ),
        (
            3,
            24,
            "video_layout.h",
            "no video_sources, so it shows nobody, and no region is left to show anyone (add "
            'video_sources, e.g. ["*"])',
        ),
    ]


# -- Agora: the same reading as lint -----------------------------------------------------

REGION = {"uid": "1", "x_axis": 0, "y_axis": 0, "width": 1, "height": 1, "render_mode": 0}


@pytest.mark.parametrize("regions", [[REGION], []])
def test_regions_with_a_built_in_mode_are_left_out_as_agora_ignores_them(
    regions: list[object],
) -> None:
    body = {
        "cname": "chan",
        "uid": "123",
        "clientRequest": {"mixedVideoLayout": 0, "layoutConfig": regions},
    }
    imported = from_agora(body)
    assert "mode: floating" in imported.yaml and "regions:" not in imported.yaml
    note = next(n for n in imported.notes if n.startswith("layoutConfig:"))
    if regions:
        assert "Agora ignores the regions" in note and "send mixedVideoLayout 3" in note
        assert any("Agora ignores the regions" in i.message for i in lint_payload(json.dumps(body)))
    else:
        assert "empty" in note


def test_a_key_given_twice_takes_the_last_value_with_a_note(tmp_path: Path) -> None:
    text = (
        '{"width": 640, "height": 360, "bitrate": 300, "fps": 15,\n'
        ' "mixedVideoLayout": 1, "bitrate": 700}'
    )
    imported = from_agora(text)
    assert "bitrate: 700\n" in imported.yaml
    assert any(
        n.startswith("bitrate: given more than once; the last value is taken")
        for n in imported.notes
    )
    warned = [i for i in lint_payload(text) if "appears more than once" in i.message]
    assert [(i.line, i.severity) for i in warned] == [(2, "warning")]


def test_a_region_past_the_edge_by_rounding_is_imported() -> None:
    thirds = [
        {"uid": "1", "x_axis": 0.666667, "y_axis": 0, "width": 0.333334, "height": 1},
        {"uid": "2", "x_axis": 0, "y_axis": 0, "width": 0.666667, "height": 1},
    ]
    imported = from_agora(thirds, canvas=(1280, 720))
    sent = compile_full(parse_layout(imported.yaml), ["1", "2"]).payload_json["layoutConfig"]
    assert [(r["x_axis"], r["width"]) for r in sent] == [(0.666667, 0.333334), (0.0, 0.666667)]
    assert lint_payload(json.dumps(thirds)) == []
    over = [{**thirds[0], "width": 0.33334}]
    with pytest.raises(LayoutValidationError, match="runs past the right edge"):
        from_agora(over)


def test_agoras_default_bitrate_is_written_out_with_the_recommendation() -> None:
    body = {
        "cname": "c",
        "uid": "9",
        "clientRequest": {
            "recordingConfig": {
                "transcodingConfig": {"width": 1280, "height": 720, "mixedVideoLayout": 1}
            }
        },
    }
    imported = from_agora(body)
    assert "bitrate: 500\n" in imported.yaml
    assert (
        "bitrate: the start request has none, so Agora records at its default 500 Kbps; the "
        "layout keeps bitrate: 500, while layoutkit would recommend 1130 Kbps for this canvas "
        "(leave bitrate out to use the recommendation)."
    ) in imported.notes
    assert "fps:" not in imported.yaml  # Agora's default fps, 15, is layoutkit's too


@pytest.mark.parametrize("fps", [20, 90])
def test_a_frame_rate_agora_does_not_record_at_becomes_the_one_it_records(fps: int) -> None:
    config = {"width": 640, "height": 360, "fps": fps, "bitrate": 400, "mixedVideoLayout": 1}
    imported = from_agora(config)
    assert (
        f"fps {fps}: Agora records at 1, 7, 10, 15, 24, 30, 60 fps only and falls back to 15; "
        "so does the layout."
    ) in imported.notes
    layout = parse_layout(imported.yaml)
    assert compile_full(layout, ["1"]).transcoding_json["fps"] == 15


# -- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "example"),
    [("twilio", "twilio-pip.json"), ("agora", "agora-start-speaker.json")],
)
def test_standard_input(command: str, example: str) -> None:
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", command, "-"], input=text)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("imported <stdin> (")
    from_file = run(command, str(EXAMPLES / example)).stdout
    assert result.stdout.split("\ncanvas:")[1] == from_file.split("\ncanvas:")[1]
    bad = CliRunner().invoke(cli, ["import", command, "-"], input="[1,")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("<stdin>:1:4: error: not JSON")


@pytest.mark.parametrize("command", ["twilio", "agora"])
def test_a_folder_as_input_is_a_located_error(tmp_path: Path, command: str) -> None:
    result = run(command, str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path}: error: is a folder, not a")


@pytest.mark.parametrize("command", ["twilio", "agora"])
def test_an_empty_file_reads_as_in_lint(tmp_path: Path, command: str) -> None:
    path = tmp_path / "empty.json"
    path.write_text("", encoding="utf-8")
    result = run(command, str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{path}: error: the file is empty; it should hold one JSON payload"
    )


def test_the_output_cannot_be_the_input_even_with_force(tmp_path: Path) -> None:
    source = tmp_path / "pip.json"
    text = (EXAMPLES / "twilio-pip.json").read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(source)
    for output in (str(source), str(link)):
        result = run("twilio", str(source), "-o", output, "--force")
        assert result.exit_code == 1
        assert "is the file being imported" in result.stderr
    assert source.read_text(encoding="utf-8") == text
