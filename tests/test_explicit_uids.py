"""Every region that shows someone names that person: binding, hiding in every mode,
`fill: agora`, people left without a region, and what the command line says about it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from layoutkit.cli import cli
from layoutkit.compile.compiler import compile_full, resolve_regions
from layoutkit.compile.modes import EMPTY_PICTURE, bind_regions
from layoutkit.compile.report import validate_layout
from layoutkit.errors import CompileError
from layoutkit.layout.loader import parse_layout

Write = Callable[..., Path]

SPEAKER_AND_THUMBNAILS = """
canvas: 1280x720
regions:
  - {role: speaker, x: 0, y: 0, width: 1, height: 75%}
  - grid: {y: 75%, height: 25%, rows: 1, columns: 4, gap: 8px}
"""


def _uids(payload: dict[str, object]) -> list[object]:
    regions = payload["layoutConfig"]
    assert isinstance(regions, list)
    return [region.get("uid") for region in regions]


def test_bind_regions_names_regions_then_fills_in_join_order() -> None:
    binding = bind_regions(["9", None, None, None], [False] * 4, ["4", "9", "5", "6", "7"])
    assert binding.uids == ("9", "4", "5", "6")
    assert binding.sent == (True, True, True, True)
    assert binding.not_shown == ("7",)


def test_bind_regions_leaves_out_regions_with_nobody_and_hidden_people() -> None:
    binding = bind_regions(["9", None, None], [False] * 3, ["4", "9"], hidden={"9"})
    assert binding.uids == ("9", "4", None)
    assert binding.sent == (False, True, False)
    assert binding.not_shown == ()


def test_bind_regions_leaves_fill_agora_regions_to_agora_unless_someone_is_hidden() -> None:
    people = ["1", "2", "3"]
    kept = bind_regions([None, None, None], [False, True, True], people)
    assert kept.uids == ("1", None, None) and not kept.agora_replaced
    replaced = bind_regions([None, None, None], [False, True, True], people, hidden={"2"})
    assert replaced.uids == ("1", "3", None) and replaced.agora_replaced
    assert replaced.sent == (True, True, False)


def test_speaker_and_uid_less_thumbnails_name_everyone() -> None:
    layout = parse_layout(SPEAKER_AND_THUMBNAILS)
    payload = compile_full(layout, ["5", "6", "7"], {"speaker": "6"}).payload.to_wire()
    assert _uids(payload) == ["6", "5", "7"]  # empty cells are left out


def test_hiding_in_a_custom_layout_never_leaves_a_uid_less_region() -> None:
    layout = parse_layout(SPEAKER_AND_THUMBNAILS)
    people = ["1", "2", "3", "4", "5"]
    compiled = compile_full(layout, people, {"speaker": "1"}, hidden=["3"])
    assert _uids(compiled.payload.to_wire()) == ["1", "2", "4", "5"]
    assert [r.uid for r in compiled.regions] == ["1", "2", "4", "5"]
    assert compiled.shown == ("1", "2", "4", "5") and compiled.not_shown == ()


@pytest.mark.parametrize(
    ("mode", "expected_boxes"),
    [
        ("floating", [(0.0, 0.0, 1.0, 1.0), (0.012, 0.753, 0.235, 0.235)]),
        ("adaptive", [(0.0, 0.0, 0.5, 1.0), (0.5, 0.0, 0.5, 1.0)]),
    ],
)
def test_a_built_in_mode_with_someone_hidden_is_sent_as_its_custom_equivalent(
    mode: str, expected_boxes: list[tuple[float, float, float, float]]
) -> None:
    layout = parse_layout(f"canvas: 1280x720\nmode: {mode}\n")
    plain = compile_full(layout, ["1", "2", "3"]).payload.to_wire()
    assert plain == {"mixedVideoLayout": {"floating": 0, "adaptive": 1}[mode],
                     "backgroundColor": "#000000"}  # fmt: skip
    hidden = compile_full(layout, ["1", "2", "3"], hidden={"2"})
    payload = hidden.payload.to_wire()
    assert payload["mixedVideoLayout"] == 3
    assert _uids(payload) == ["1", "3"]
    boxes = [(r["x_axis"], r["y_axis"], r["width"], r["height"]) for r in payload["layoutConfig"]]
    assert boxes == expected_boxes  # the built-in geometry for the two people shown


def test_vertical_with_a_hidden_focus_warns_and_shows_the_background_there() -> None:
    layout = parse_layout("canvas: 1280x720\nmode: vertical\nfocus: host\n")
    compiled = compile_full(layout, ["1", "2", "3"], {"host": "1"}, hidden=["1"])
    payload = compiled.payload.to_wire()
    assert payload["mixedVideoLayout"] == 3 and "maxResolutionUid" not in payload
    assert _uids(payload) == ["2", "3"]
    (warning,) = compiled.issues
    assert warning.field == "focus" and warning.line == 3
    assert "the focus, uid 1, is hidden" in warning.message


def test_everyone_hidden_sends_one_region_of_zero_size() -> None:
    layout = parse_layout(SPEAKER_AND_THUMBNAILS)
    compiled = compile_full(layout, ["1", "2"], {"speaker": "1"}, hidden=["1", "2"])
    assert compiled.payload_json["layoutConfig"] == [EMPTY_PICTURE.to_wire()]
    assert all(r.width * r.height == 0 for r in compiled.regions)
    assert compile_full(layout, []).payload_json["layoutConfig"] == [EMPTY_PICTURE.to_wire()]


def test_hiding_someone_not_in_the_channel_is_a_compile_error() -> None:
    with pytest.raises(CompileError, match="hidden: uid 9 is not among the participants"):
        compile_full(parse_layout(SPEAKER_AND_THUMBNAILS), ["1", "2"], hidden=["9"])


def test_fill_agora_stays_uid_less_and_agora_fills_it_in_join_order() -> None:
    layout = parse_layout("""
canvas: 1280x720
regions:
  - {role: host, x: 0, y: 0, width: 50%, height: 1}
  - grid: {x: 50%, width: 50%, rows: 2, columns: 1, fill: agora}
""")
    compiled = compile_full(layout, ["7", "8", "9"], {"host": "8"})
    assert _uids(compiled.payload.to_wire()) == ["8", None, None]
    assert [r.uid for r in compiled.regions] == ["8", "7", "9"]  # Agora's join order
    hidden = compile_full(layout, ["7", "8", "9"], {"host": "8"}, hidden=["7"])
    assert _uids(hidden.payload.to_wire()) == ["8", "9"]
    (warning,) = [i for i in hidden.issues if i.field == "regions[1].grid.fill"]
    assert warning.line == 5 and "while uid 7 is hidden" in warning.message


def test_fill_agora_with_a_role_is_an_error(write_layout: Write) -> None:
    path = write_layout("regions:\n  - {role: a, x: 0, y: 0, width: 1, height: 1, fill: agora}\n")
    result = CliRunner().invoke(cli, ["compile", str(path), "--participants", "1"])
    assert result.exit_code == 1
    assert f"{path}:2:" in result.output and "regions[0].fill" in result.output


def test_more_people_than_regions_names_who_is_not_shown() -> None:
    layout = parse_layout(SPEAKER_AND_THUMBNAILS)
    people = [str(n) for n in range(1, 8)]
    compiled = compile_full(layout, people, {"speaker": "1"})
    assert compiled.not_shown == ("6", "7")
    (warning,) = compiled.issues
    assert warning.severity == "warning" and warning.line == 4
    assert "uid 6 and uid 7 not shown" in warning.message


def test_validate_reports_the_counts_that_leave_people_out() -> None:
    report = validate_layout(parse_layout(SPEAKER_AND_THUMBNAILS))
    (warning,) = report.issues
    assert "more people than regions" in warning.message
    assert warning.counts == tuple(range(6, 18))


def test_a_role_bound_to_someone_absent_is_a_located_warning() -> None:
    compiled = compile_full(parse_layout(SPEAKER_AND_THUMBNAILS), ["1", "2"], {"speaker": "9"})
    assert _uids(compiled.payload.to_wire()) == ["1", "2"]
    (warning,) = compiled.issues
    assert warning.field == "regions[0].role" and warning.line == 4
    assert "bound to uid 9, who is not among the participants (1, 2)" in warning.message


def test_the_same_uid_for_two_roles_is_an_error() -> None:
    with pytest.raises(Exception, match="uid 1 has two regions"):
        compile_full(
            parse_layout("regions:\n  - {role: a, x: 0, y: 0, width: 0.5, height: 1}\n"
                        "  - {role: b, x: 0.5, y: 0, width: 0.5, height: 1}\n"),
            ["1"],
            {"a": "1", "b": "1"},
        )  # fmt: skip


def test_resolve_regions_takes_hidden_people_too() -> None:
    layout = parse_layout("mode: adaptive\n")
    assert [r.uid for r in resolve_regions(layout, ["1", "2", "3"], hidden=["1"])] == ["2", "3"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_count_says_on_stderr_that_the_uids_are_stand_ins(write_layout: Write) -> None:
    path = write_layout(SPEAKER_AND_THUMBNAILS)
    code, out, err = run("compile", str(path), "--count", "3", "--role", "speaker=1")
    assert code == 0
    assert _uids(json.loads(out)) == ["1", "2", "3"]
    assert "note: uids 1, 2, 3 stand in for the participants" in err
    code, _, err = run("compile", str(path), "--participants", "1,2,3", "--role", "speaker=1")
    assert code == 0 and "stand in" not in err


def test_hide_on_the_command_line(write_layout: Write) -> None:
    path = write_layout(SPEAKER_AND_THUMBNAILS)
    args = ("--participants", "1,2,3,4", "--role", "speaker=1", "--hide", "2,3")
    code, out, _ = run("regions", str(path), *args)
    assert code == 0 and [r["uid"] for r in json.loads(out)] == ["1", "4"]
    code, _, err = run("compile", str(path), "--participants", "1,2", "--hide", "7")
    assert code == 1 and "hidden: uid 7 is not among the participants" in err
    assert "Traceback" not in err
    code, _, err = run("compile", str(path), "--participants", "1,2", "--hide", "bob")
    assert code == 2 and "--hide" in err


def test_commands_that_push_need_the_real_participants(write_layout: Write) -> None:
    path = write_layout(SPEAKER_AND_THUMBNAILS)
    code, _, err = run(
        "apply", str(path), "--count", "3", "--resource-id", "r", "--sid", "s",
        "--cname", "c", "--uid", "9", "--app-id", "a", "--customer-id", "k",
        "--customer-secret", "x",
    )  # fmt: skip
    assert code == 2 and "a recording needs the real participants" in err


def test_the_directors_audit_log_says_who_is_left_out() -> None:
    import io

    from layoutkit.live.director import Director, DirectorOptions

    class Accepting:
        def update_layout(self, layout: object) -> object:
            return layout

    audit = io.StringIO()
    layout = parse_layout(SPEAKER_AND_THUMBNAILS)
    options = DirectorOptions(hide_camera_off=True)
    with Director(Accepting(), layout, {"speaker": "1"}, options=options, audit=audit) as director:
        for uid in range(1, 8):  # a state is made per push, not per event: one each
            director.join(uid)
            assert director.flush(timeout=5)
        director.camera_off(3)
        assert director.flush(timeout=5)
    lines = [json.loads(line) for line in audit.getvalue().splitlines()]
    left = [(line["event"], line["result"]) for line in lines if line["step"] == "left-out"]
    assert left == [
        ("join 6", "not shown, no region left: 6"),
        ("join 7", "not shown, no region left: 6, 7"),
        ("camera off 3", "hidden: 3; not shown, no region left: 7"),
    ]
    assert director.warnings[-1] == "camera off 3: not shown, no region left: 7"


def test_a_region_agora_draws_nothing_of_takes_nobody() -> None:
    layout = parse_layout("""canvas: 640x360
regions:
  - {x: 0, y: 0, width: 0.5, height: 1}
  - {x: 0, y: 1, width: 0.5, height: 0.25}
  - {uid: 3, x: 0, y: 0, width: 0, height: 0.5}
  - {x: 0.5, y: 0, width: 0.5, height: 1}
""")
    compiled = compile_full(layout, ["1", "2", "3"])
    assert _uids(compiled.payload.to_wire()) == ["1", "2"]  # the off-canvas region is skipped
    assert compiled.not_shown == ("3",)  # named in a region of no area
    warning = next(i for i in compiled.issues if "not shown" in i.message)
    assert "room for 2: uid 3 not shown" in warning.message
