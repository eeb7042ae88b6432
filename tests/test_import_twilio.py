"""`layoutkit import twilio` / `layoutkit.importers.from_twilio`: Twilio compositions
become layouts that draw what Twilio draws.

Where Twilio draws (the hand computations below). Twilio's Compositions reference says a
region is a grid of equal cells numbered row by row from 0, sized for the number of
sources shown at once, `max_rows`/`max_columns` capping it, `cells_excluded` leaving
cells empty, sources letterboxed in their cells. The arithmetic used for the grid of n
sources (as in Twilio's published examples):

- cells needed: n, plus each excluded cell that comes before the n-th free one;
- no limits: columns = ceil(sqrt(cells)), rows = ceil(cells / columns) (as square as can
  be, at most one column more than rows: 2 -> 1x2, 3-4 -> 2x2, 5-6 -> 2x3, 7-9 -> 3x3);
- only `max_rows` (or the smaller of the two): rows = min(cells, max_rows), columns =
  ceil(cells / max_rows); only `max_columns` likewise the other way round;
- cell = region width / columns by region height / rows, no gaps; sources take the free
  cells in order; regions paint in `z_pos` order, the larger on top.

The pixel numbers in the expected pictures are worked out by hand from that rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from import_helpers import assert_refused, run

from layoutkit import parse_layout, validate_layout
from layoutkit.compile.compiler import compile_full
from layoutkit.errors import LayoutError, LayoutValidationError
from layoutkit.importers import from_twilio
from layoutkit.importers.twilio import cells_needed, grid_shape
from layoutkit.wire.rules import MAX_REGIONS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "import"
Box = tuple[float, float, float, float]  # x, y, width, height in pixels

# Where Twilio draws each example (1280x720) at 1, 2, 4 and 9 sources, in paint order.
THIRD = 1280 / 3  # 426.67: a 3-column cell of the full width
EXPECTED: dict[str, dict[int, list[Box]]] = {
    # one region, `*`, the whole canvas
    "twilio-grid": {
        1: [(0, 0, 1280, 720)],
        2: [(0, 0, 640, 720), (640, 0, 640, 720)],
        4: [(0, 0, 640, 360), (640, 0, 640, 360), (0, 360, 640, 360), (640, 360, 640, 360)],
        9: [
            (0, 0, 426.67, 240),
            (426.67, 0, 426.67, 240),
            (853.33, 0, 426.67, 240),
            (0, 240, 426.67, 240),
            (426.67, 240, 426.67, 240),
            (853.33, 240, 426.67, 240),
            (0, 480, 426.67, 240),
            (426.67, 480, 426.67, 240),
            (853.33, 480, 426.67, 240),
        ],
    },
    # main (z 1): the teacher's screen on the whole canvas; row (z 2): 10,530 1260x160,
    # max_rows 1, everyone else: n - 1 cells of 1260 / (n - 1) across
    "twilio-presentation": {
        1: [(0, 0, 1280, 720)],
        2: [(0, 0, 1280, 720), (10, 530, 1260, 160)],
        4: [(0, 0, 1280, 720), (10, 530, 420, 160), (430, 530, 420, 160), (850, 530, 420, 160)],
        9: [
            (0, 0, 1280, 720),
            (10, 530, 157.5, 160),
            (167.5, 530, 157.5, 160),
            (325, 530, 157.5, 160),
            (482.5, 530, 157.5, 160),
            (640, 530, 157.5, 160),
            (797.5, 530, 157.5, 160),
            (955, 530, 157.5, 160),
            (1112.5, 530, 157.5, 160),
        ],
    },
    # main (z 1): the screen; pip (z 2): the presenter at 1000,30 240x180; two tracks only
    "twilio-pip": {
        1: [(0, 0, 1280, 720)],
        2: [(0, 0, 1280, 720), (1000, 30, 240, 180)],
        4: [(0, 0, 1280, 720), (1000, 30, 240, 180)],
        9: [(0, 0, 1280, 720), (1000, 30, 240, 180)],
    },
    # interviewers (z 1): 10,0 1260x720, at most 3x3, cell 4 excluded, interviewer-*;
    # interviewed (z 2): 400,180 480x360. n - 1 interviewers: 1 -> 1x1, 3 -> 1x3 (420
    # wide), 8 -> 9 cells needed (cell 4 comes before the 8th free one) -> 3x3 of 420x240
    "twilio-mosaic": {
        1: [(400, 180, 480, 360)],
        2: [(10, 0, 1260, 720), (400, 180, 480, 360)],
        4: [(10, 0, 420, 720), (430, 0, 420, 720), (850, 0, 420, 720), (400, 180, 480, 360)],
        9: [
            (10, 0, 420, 240),
            (430, 0, 420, 240),
            (850, 0, 420, 240),
            (10, 240, 420, 240),
            (850, 240, 420, 240),
            (10, 480, 420, 240),
            (430, 480, 420, 240),
            (850, 480, 420, 240),
            (400, 180, 480, 360),
        ],
    },
}


def drawn(yaml_text: str, count: int) -> list[Box]:
    compiled = compile_full(parse_layout(yaml_text), count=count)
    width, height = compiled.canvas
    return [
        (r.x * width, r.y * height, r.width * width, r.height * height) for r in compiled.regions
    ]


def flat(boxes: list[Box]) -> list[float]:
    return [number for box in boxes for number in box]


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("count", [1, 2, 4, 9])
def test_each_example_draws_where_twilio_draws(name: str, count: int) -> None:
    imported = from_twilio(EXAMPLES / f"{name}.json")
    got = drawn(imported.yaml, count)
    want = EXPECTED[name][count]
    assert len(got) == len(want), got
    for box, expected in zip(got, want, strict=True):
        assert box == pytest.approx(expected, abs=1.0), (box, expected)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_checked_in_layout_is_what_the_importer_writes(name: str) -> None:
    imported = from_twilio(EXAMPLES / f"{name}.json")
    assert (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8") == imported.yaml
    assert (EXAMPLES / "previews" / f"{name}.png").is_file()
    report = validate_layout(parse_layout(imported.yaml))
    assert report.ok, [i.format() for i in report.issues]


def test_the_grid_arithmetic() -> None:
    shapes = {n: grid_shape(None, None, n) for n in (1, 2, 3, 4, 5, 6, 7, 9, 10, 13, 17)}
    assert shapes == {
        1: (1, 1),
        2: (1, 2),
        3: (2, 2),
        4: (2, 2),
        5: (2, 3),
        6: (2, 3),
        7: (3, 3),
        9: (3, 3),
        10: (3, 4),
        13: (4, 4),
        17: (4, 5),
    }
    assert grid_shape(1, None, 6) == (1, 6)  # a row
    assert grid_shape(None, 1, 6) == (6, 1)  # a column
    assert grid_shape(None, 2, 5) == (3, 2)
    assert grid_shape(3, 3, 5) == (2, 3)
    assert grid_shape(2, 2, 7) == (2, 2)  # capped: reuse decides who is shown
    assert cells_needed(4, frozenset({4})) == 4
    assert cells_needed(5, frozenset({4})) == 6
    assert cells_needed(3, frozenset({1, 3, 5, 7})) == 5  # the chess board's 3 cells


# -- what each key becomes ------------------------------------------------------------------


def test_three_shapes_of_input_are_read() -> None:
    layout = {"speaker": {"video_sources": ["host"], "width": 320, "height": 240}}
    bare = from_twilio(layout)
    assert bare.canvas == (640, 480)  # Twilio's default resolution
    assert bare.kind == "a Twilio video_layout"
    pair = from_twilio({"video_layout": layout, "resolution": "1024x768"})
    assert pair.canvas == (1024, 768)
    rest = from_twilio({"sid": "CJ" + "0" * 32, "status": "completed", "video_layout": layout})
    assert rest.kind == "a Twilio composition"
    text = from_twilio({"video_layout": json.dumps(layout)})  # the create request's form
    assert "role: host" in text.yaml


def test_pixels_roles_and_fit() -> None:
    imported = from_twilio(
        {
            "resolution": "1280x720",
            "video_layout": {
                "host": {"x_pos": 120, "y_pos": 40, "width": 640, "video_sources": ["host-cam"]},
            },
        }
    )
    assert (
        "- {role: host-cam, x: 120px, y: 40px, width: 640px, height: 680px, fit: fit}  # host"
        in imported.yaml
    )
    assert "host-cam: " in imported.yaml.split("roles:")[1]
    compiled = compile_full(parse_layout(imported.yaml), ["7"], {"host-cam": "7"})
    (region,) = compiled.payload_json["layoutConfig"]
    assert region["uid"] == "7" and region["render_mode"] == 1


def test_wildcards_make_grids_of_whoever_is_left_and_names_make_roles() -> None:
    imported = from_twilio(
        {
            "video_layout": {
                "guests": {"video_sources": ["guest-*"], "max_columns": 2},
                "pair": {"video_sources": ["alice", "bob"], "y_pos": 240, "height": 240},
            }
        }
    )
    text = imported.yaml
    assert "roles: [alice, bob]" in text
    assert "role: guest" not in text
    compiled = compile_full(parse_layout(text), ["1", "2", "3", "4"], {"alice": "3", "bob": "4"})
    uids = [r.uid for r in compiled.regions]
    assert uids == ["1", "2", "3", "4"]  # the guests' grid first (paint order), then the pair


def test_z_pos_is_paint_order_ties_in_file_order_with_a_note() -> None:
    imported = from_twilio(
        {
            "video_layout": {
                "top": {"z_pos": 5, "video_sources": ["a"], "width": 100, "height": 100},
                "first": {"z_pos": 1, "video_sources": ["b"], "width": 200, "height": 200},
                "second": {"z_pos": 1, "video_sources": ["c"], "width": 300, "height": 300},
            }
        }
    )
    lines = [line for line in imported.yaml.splitlines() if line.startswith("  - {")]
    assert [line.rsplit("# ", 1)[1] for line in lines] == ["first", "second", "top"]
    assert any("first, second: the same z_pos (1) and they overlap" in n for n in imported.notes)
    assert "# - first, second: the same z_pos" in imported.yaml


def test_excluded_cells_before_the_last_used_become_regions_per_cell() -> None:
    chess = {
        "resolution": "1280x720",
        "video_layout": {
            "board": {
                "max_rows": 3,
                "max_columns": 3,
                "cells_excluded": [1, 3, 5, 7],
                "video_sources": ["*"],
            }
        },
    }
    text = from_twilio(chess).yaml
    assert "# board, cell 8" in text
    # three players: 5 cells needed -> 2x3, the free cells 0, 2, 4
    assert flat(drawn(text, 3)) == pytest.approx(
        flat([(0, 0, THIRD, 360), (2 * THIRD, 0, THIRD, 360), (THIRD, 360, THIRD, 360)]), abs=1.0
    )
    # one player: the first cell, with the excluded ones after it: a grid
    assert drawn(text, 1) == [(0, 0, 1280, 720)]


def test_regions_past_the_canvas_are_cut_or_left_out() -> None:
    imported = from_twilio(
        {
            "video_layout": {
                "wide": {"x_pos": 600, "width": 100, "height": 50, "video_sources": ["a"]},
                "away": {"x_pos": 700, "video_sources": ["b"]},
            }
        }
    )
    assert "width: 40px" in imported.yaml
    assert any("wide: it runs past the 640x480 canvas" in n for n in imported.notes)
    assert any("away: it starts outside" in n for n in imported.notes)
    assert "role: b" not in imported.yaml


def test_what_is_not_carried_over_is_reported() -> None:
    imported = from_twilio(
        {
            "trim": True,
            "video_layout": {
                "main": {"video_sources": ["MT" + "ab" * 16], "z_pos": 1},
                "rest": {
                    "video_sources": ["*"],
                    "video_sources_excluded": ["bot-*"],
                    "reuse": "show_newest",
                    "z_pos": 2,
                },
                "again": {"video_sources": ["MT" + "ab" * 16], "z_pos": 3},
            },
        }
    )
    notes = "\n".join(imported.notes)
    assert "trim: true" in notes
    assert "reuse show_newest" in notes
    assert "track SID" in notes and "--role MT" in notes
    assert "video_sources_excluded bot-*" in notes and "--hide UID" in notes
    assert "also matches MTabab" in notes  # `*` would draw the SID's track twice in Twilio
    assert "again: MTabab" in notes and "left out" in notes
    assert "Agora draws at most 17" in notes
    header = imported.yaml.split("title:")[0]
    assert header.count("\n# - ") == len(imported.notes)


def test_a_source_in_two_regions_is_shown_once() -> None:
    imported = from_twilio(
        {
            "video_layout": {
                "big": {"video_sources": ["host"]},
                "small": {"video_sources": ["host", "guest"], "x_pos": 320},
            }
        }
    )
    assert "small: host is also in big" in "\n".join(imported.notes)
    parse_layout(imported.yaml)  # one region per person: it loads
    assert compile_full(parse_layout(imported.yaml), count=2).regions


def test_names_that_look_like_jinja_stay_plain_yaml() -> None:
    """`{%`, `{{`, `{#` in a region or track name would make the file a template."""
    imported = from_twilio(
        {
            "video_layout": {
                "{%": {"video_sources": ["{{host}}"], "width": 320},
                "b{#": {"video_sources": ["*"], "x_pos": 320},
            }
        }
    )
    assert not any(marker in imported.yaml for marker in ("{{", "{%", "{#"))
    layout = parse_layout(imported.yaml)
    assert not layout.templated
    assert layout.document.roles == {"{{host}}": "the track {{host}} (Twilio region {%)"}
    assert validate_layout(layout).ok
    assert any("{{host}}" in note for note in imported.notes)


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"video_layout": {"a": {"video_sources": ["*"],}}}', ":1:48: error: not JSON"),
        ("[1, 2]", "expected a JSON object (a composition, or its video_layout), got an array"),
        ('{"video_layout": [1]}', ":1:18: error: video_layout: video_layout is an array"),
        ('{"video_layout": {"a": 3}}', ":1:24: error: video_layout.a: expected a region object"),
        (
            '{"video_layout": {\n  "a": {"width": "wide", "video_sources": ["*"]}}}',
            ":2:18: error: video_layout.a.width: expected an integer, got a string",
        ),
        (
            '{"video_layout": {"a": {"width": 0, "video_sources": ["*"]}}}',
            "video_layout.a.width: 0: a region needs a size of at least 1 pixel",
        ),
        (
            '{"video_layout": {"a": {"height": -5, "video_sources": ["*"]}}}',
            "video_layout.a.height: -5: a region needs a size of at least 1 pixel",
        ),
        (
            '{"video_layout": {"a": {"x_pos": -1, "video_sources": ["*"]}}}',
            "video_layout.a.x_pos: -1 is out of range; it takes 0 or more",
        ),
        (
            '{"resolution": "1920x1080", "video_layout": {"a": {"video_sources": ["*"]}}}',
            ":1:16: error: resolution: 1920x1080 is over Twilio's limits",
        ),
        (
            '{"resolution": "1280x800", "video_layout": {"a": {"video_sources": ["*"]}}}',
            "1280x800 is over Twilio's limits (each side 16..1280, at most 921,600 pixels",
        ),
        (
            '{"resolution": "HD", "video_layout": {"a": {"video_sources": ["*"]}}}',
            "resolution: 'HD' is not \"WIDTHxHEIGHT\"",
        ),
        (
            '{"video_layout": {"a": {"x_poss": 3, "video_sources": ["*"]}}}',
            ":1:25: error: video_layout.a.x_poss: unknown key 'x_poss'; did you mean 'x_pos'?",
        ),
        (
            '{"videolayout": {}, "resolution": "640x480"}',
            "unknown key 'videolayout'; did you mean 'video_layout'?",
        ),
        (
            '{"video_layout": {"a": {"video_sources": ["*"], "reuse": "newest"}}}',
            "video_layout.a.reuse: 'newest' is not one of none, show_oldest, show_newest",
        ),
        ('{"video_layout": {}}', "video_layout has no regions"),
        (
            '{"video_layout": {"a": {"video_sources": ["*"]}, "a": {}}}',
            "key 'a' is given twice in one object",
        ),
        (
            '{"video_layout": {"a": {"video_sources": ["*"]},\n  "a": {}, "a": {}}}',
            ":1:19: error: video_layout.a: key 'a' is given twice in one object",
        ),
        (
            '{"video_layout": {"a": {"x_pos": -Infinity, "video_sources": ["*"]}}}',
            ":1:34: error: not JSON: -Infinity is not a JSON number; write a number",
        ),
        ("[[[[" * 50_000, "error: not JSON a composition can be: nested too deeply"),
    ],
)
def test_bad_input_is_a_located_message_and_nothing_is_written(
    tmp_path: Path, text: str, message: str
) -> None:
    assert_refused(tmp_path, "twilio", "composition.json", text, message)


def test_the_broken_example_of_the_readme() -> None:
    result = run("twilio", str(EXAMPLES / "broken" / "twilio-resolution.json"))
    assert result.exit_code == 1
    assert ":2:17: error: resolution: 1920x1080 is over Twilio's limits" in result.stderr


def test_a_hundred_regions_are_refused(tmp_path: Path) -> None:
    layout = {f"r{i}": {"video_sources": [f"t{i}"], "x_pos": i} for i in range(100)}
    source = tmp_path / "many.json"
    source.write_text(json.dumps({"video_layout": layout}, indent=1), encoding="utf-8")
    result = run("twilio", str(source))
    assert result.exit_code == 1
    assert f"{source}:2:" in result.stderr
    assert "100 regions: Agora draws at most 17 people in a picture" in result.stderr
    with pytest.raises(LayoutValidationError):
        from_twilio({"video_layout": layout})


def test_python_errors_name_the_field_without_a_file() -> None:
    with pytest.raises(LayoutError) as caught:
        from_twilio({"video_layout": {"a": {"width": 0, "video_sources": ["*"]}}})
    assert str(caught.value).startswith("<data>: error: video_layout.a.width: 0:")


def test_a_missing_file_and_a_binary_file(tmp_path: Path) -> None:
    result = run("twilio", str(tmp_path / "nope.json"))
    assert result.exit_code == 1 and "no such file" in result.stderr
    binary = tmp_path / "bin.json"
    binary.write_bytes(b'{"a": "\xff"}')
    result = run("twilio", str(binary))
    assert result.exit_code == 1 and "not UTF-8" in result.stderr


# -- the command ---------------------------------------------------------------------------


def test_the_layout_goes_to_standard_output_and_the_report_to_standard_error() -> None:
    result = run("twilio", str(EXAMPLES / "twilio-mosaic.json"))
    assert result.exit_code == 0, result.output
    assert result.stdout == (EXAMPLES / "twilio-mosaic.yaml").read_text(encoding="utf-8")
    assert result.stderr.startswith(
        f"imported {EXAMPLES / 'twilio-mosaic.json'} (a Twilio composition), canvas 1280x720\n"
        "not carried over exactly:\n  - audio_sources"
    )


def test_an_existing_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "layout.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    result = run("twilio", str(EXAMPLES / "twilio-pip.json"), "-o", str(out))
    assert result.exit_code == 1
    assert "exists; pick another name or add --force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me\n"
    result = run("twilio", str(EXAMPLES / "twilio-pip.json"), "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"everything was carried over exactly\nwrote {out}\n")
    assert out.read_text(encoding="utf-8") == (EXAMPLES / "twilio-pip.yaml").read_text(
        encoding="utf-8"
    )
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left behind


def test_a_folder_is_refused_as_output_even_with_force(tmp_path: Path) -> None:
    result = run("twilio", str(EXAMPLES / "twilio-pip.json"), "-o", str(tmp_path), "--force")
    assert result.exit_code == 1
    assert "is a folder, not a regular file" in result.output


def test_names_from_the_file_cannot_break_the_yaml_or_the_terminal() -> None:
    name = "evil\n  - {uid: 1}\x1b[2J"
    track = 'x: "y"\n#'
    imported = from_twilio({"video_layout": {name: {"video_sources": [track]}}})
    layout = parse_layout(imported.yaml)
    compiled = compile_full(layout, ["5"], {track: "5"})
    assert [r.uid for r in compiled.regions] == ["5"]
    assert "\x1b" not in imported.yaml


def test_the_report_on_standard_error_escapes_names_that_would_forge_lines(
    tmp_path: Path,
) -> None:
    forged = "a\nimported fake.json (an Agora payload), canvas 1x1\n  - \x1b[2Jb\u2028c\rd"
    composition = {
        "video_layout": {"main": {"video_sources": ["*"]}, forged: {"video_sources": []}},
        "resolution": "1280x720",
    }
    source = tmp_path / "comp\nosition.json"
    source.write_text(json.dumps(composition), encoding="utf-8")
    out = tmp_path / "out\x1b.yaml"
    result = run("twilio", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("imported ") and "comp\\nosition.json" in lines[0]
    assert lines[1] == "not carried over exactly:"
    assert all(line.startswith("  - ") for line in lines[2:-1]), lines
    assert lines[-1] == f"wrote {tmp_path}/out\\x1b.yaml"
    shown = "a\\nimported fake.json (an Agora payload), canvas 1x1\\n  - \\x1b[2Jb\\u2028c\\x0dd"
    assert f"  - {shown}: no video_sources, so it shows nobody; left out." in lines
    for raw in ("\x1b", "\u2028", "\r"):
        assert raw not in result.stderr


# -- any composition: a clear error, or a layout that compiles at every count ---------------

TRACKS = st.sampled_from(
    ["*", "guest-*", "*-cam", "host", "guest-1", "screen", "MT" + "0f" * 16, "a*b", "9"]
)


def region_specs(*, hostile: bool) -> st.SearchStrategy[dict[str, object]]:
    """Twilio regions: within Twilio's rules, or (`hostile`) with values it refuses too."""

    def ints(low: int, high: int, bad: int) -> st.SearchStrategy[int]:
        return st.integers(min(low, bad), high) if hostile else st.integers(low, high)

    reuse = ["none", "show_oldest", "show_newest", *(["all"] if hostile else [])]
    return st.fixed_dictionaries(
        {},
        optional={
            "x_pos": ints(0, 1300, -5),
            "y_pos": ints(0, 800, -1),
            "width": ints(1, 1400, -1),
            "height": ints(1, 800, 0),
            "z_pos": ints(-99, 99, -100),
            "max_rows": ints(1, 6, 0),
            "max_columns": ints(1, 6, 0),
            "cells_excluded": st.lists(st.integers(0, 12), max_size=6),
            "reuse": st.sampled_from(reuse),
            "video_sources": st.lists(TRACKS, min_size=0 if hostile else 1, max_size=4),
            "video_sources_excluded": st.lists(TRACKS, max_size=2),
        },
    )


def compositions(*, hostile: bool) -> st.SearchStrategy[dict[str, object]]:
    sizes = ["1280x720", "640x480", "720x1280", *(["16x16", "1920x1080"] if hostile else [])]
    regions = st.dictionaries(
        st.text(min_size=1, max_size=8),
        region_specs(hostile=hostile),
        min_size=0 if hostile else 1,
        max_size=6,
    )
    return st.fixed_dictionaries(
        {"video_layout": regions}, optional={"resolution": st.sampled_from(sizes)}
    )


COMPOSITIONS = st.one_of(compositions(hostile=False), compositions(hostile=True))


@settings(max_examples=150, deadline=None)
@given(COMPOSITIONS)
def test_any_composition_gives_a_clear_error_or_a_layout_for_every_count(
    composition: dict[str, object],
) -> None:
    try:
        imported = from_twilio(composition)
    except LayoutError as exc:
        assert str(exc).startswith("<data>: error: ")
        return
    layout = parse_layout(imported.yaml)
    for count in range(1, MAX_REGIONS + 1):
        compiled = compile_full(layout, count=count)
        assert compiled.payload_json["layoutConfig"]
