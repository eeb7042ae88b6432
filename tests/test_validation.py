"""Every error and warning of docs/format.md#validation: message, line and column."""

from __future__ import annotations

import pytest

from layoutkit import LayoutValidationError, parse_layout
from layoutkit.compile.compiler import compile_full
from layoutkit.compile.report import validate_layout
from layoutkit.errors import Issue

FULL = "{x: 0, y: 0, width: 1, height: 1}"


def compile_issues(
    text: str, *, strict: bool = False, count: int = 2, roles: dict[str, str] | None = None
) -> list[Issue]:
    layout = parse_layout(text)
    try:
        return compile_full(layout, count=count, roles=roles, strict=strict).issues
    except LayoutValidationError as exc:
        return exc.issues


def load_issues(text: str) -> list[Issue]:
    with pytest.raises(LayoutValidationError) as info:
        parse_layout(text)
    return info.value.issues


def the(issues: list[Issue], severity: str = "error") -> Issue:
    matching = [i for i in issues if i.severity == severity]
    assert len(matching) == 1, issues
    return matching[0]


# --- errors -----------------------------------------------------------------------------


def test_more_than_17_regions_after_expanding_grids() -> None:
    text = "canvas: 1280x720\nregions:\n  - " + FULL + "\n  - grid: {rows: 5, columns: 4}\n"
    issue = the(compile_issues(text))
    assert issue.message == "21 regions after expanding grids; Agora draws at most 17"
    assert (issue.line, issue.column, issue.field) == (3, 3, "regions")


def test_position_outside_the_canvas() -> None:
    text = "canvas: 1280x720\nregions:\n  - {x: 1.2, y: 0, width: 0.1, height: 0.1}\n"
    issue = the(compile_issues(text))
    assert issue.field == "regions[0].x"
    assert issue.message.startswith("x comes to 1.2 of the canvas, outside [0, 1]")
    assert (issue.line, issue.column) == (3, 9)


def test_size_outside_the_canvas_from_pixels() -> None:
    text = "canvas: 1280x720\nregions:\n  - {x: 0, y: 0, width: 1400px, height: 1}\n"
    issue = the(compile_issues(text))
    assert issue.field == "regions[0].width"
    assert issue.message.startswith("width comes to 1.09375 of the canvas")
    assert (issue.line, issue.column) == (3, 25)


def test_anchor_that_pushes_a_region_off_the_left() -> None:
    text = "canvas: 1280x720\nregions:\n  - {right: 50%, y: 0, width: 60%, height: 1}\n"
    issue = the(compile_issues(text))
    assert issue.field == "regions[0].right"
    assert issue.message.startswith("x (from right) comes to -0.1 of the canvas")
    assert (issue.line, issue.column) == (3, 13)


def test_alpha_outside_zero_one() -> None:
    issue = the(load_issues("regions:\n  - {x: 0, y: 0, width: 1, height: 1, alpha: -0.5}\n"))
    assert issue.field == "regions[0].alpha"
    assert issue.message == "-0.5 is out of range: it must be at least 0.0"
    assert (issue.line, issue.column) == (2, 46)


@pytest.mark.parametrize(
    ("uid", "message"),
    [
        ("0", "uid 0 is outside 1..4294967295"),
        ("4294967296", "uid 4294967296 is outside 1..4294967295"),
        ("alice", "uid 'alice' is not an integer user id"),
    ],
)
def test_uid_must_be_an_integer_in_range(uid: str, message: str) -> None:
    issue = the(load_issues(f"regions:\n  - {{uid: {uid}, x: 0, y: 0, width: 1, height: 1}}\n"))
    assert issue.field == "regions[0].uid"
    assert issue.message.startswith(message)
    assert (issue.line, issue.column) == (2, 11)


def test_same_uid_twice() -> None:
    text = (
        "canvas: 1280x720\nregions:\n"
        "  - {uid: 7, x: 0, y: 0, width: 0.5, height: 1}\n"
        "  - {uid: 7, x: 0.5, y: 0, width: 0.5, height: 1}\n"
    )
    issue = the(compile_issues(text))
    assert issue.message == "uid 7 has two regions; each user gets one"
    assert (issue.line, issue.column, issue.field) == (4, 5, "regions[1]")


def test_custom_mode_without_regions_for_the_count() -> None:
    text = "mode: custom\nvariants:\n  - when: 1\n    regions: []\n"
    issue = the(compile_issues(text, count=1))
    assert issue.message == "mode custom has no regions for this participant count"
    assert (issue.line, issue.column, issue.field) == (4, 14, "variants[0].regions")


def test_regions_with_a_built_in_mode() -> None:
    text = "mode: adaptive\nregions:\n  - " + FULL + "\n"
    issue = the(compile_issues(text))
    assert issue.message.startswith("regions are only for mode custom, not adaptive")
    assert (issue.line, issue.column, issue.field) == (3, 3, "regions")


def test_bad_colour() -> None:
    issue = the(load_issues("mode: floating\nbackground: red\n"))
    assert issue.message == (
        "'red' is not a colour (colour names are not read); "
        'write "#RRGGBB" or "#RGB", e.g. "#101820"'
    )
    assert (issue.line, issue.column, issue.field) == (2, 13, "background")


@pytest.mark.parametrize("canvas", ["1920x1200", "2000x500", "{width: 1080, height: 2000}"])
def test_canvas_above_1080p(canvas: str) -> None:
    issue = the(compile_issues(f"mode: adaptive\ncanvas: {canvas}\n"))
    assert "is above what Agora records" in issue.message
    assert (issue.line, issue.column, issue.field) == (2, 9, "canvas")


def test_unknown_key_with_a_suggestion() -> None:
    issue = the(load_issues("mode: adaptive\nbackround: '#000000'\n"))
    assert issue.message == "unknown key 'backround'; did you mean 'background'?"
    assert (issue.line, issue.column, issue.field) == (2, 1, "backround")


def test_unbound_role_is_an_error_when_strict() -> None:
    text = "canvas: 1280x720\nregions:\n  - {role: host, x: 0, y: 0, width: 1, height: 1}\n"
    assert compile_issues(text, count=1) == []
    issue = the(compile_issues(text, count=1, strict=True))
    assert issue.message == (
        "role 'host' is used but never bound; bind it with --role host=UID (roles= in Python)"
    )
    assert (issue.line, issue.column, issue.field) == (3, 12, "regions[0].role")


def test_no_variant_matches() -> None:
    text = (
        "variants:\n  - when: 1\n    regions: [" + FULL + "]\n  - when: 2-3\n    mode: adaptive\n"
    )
    issue = the(compile_issues(text, count=5))
    assert issue.message == (
        "no variant matches 5 people; the variants cover: 1 person; 2 to 3 people (add a "
        "variant, or top-level regions as a fallback)"
    )
    assert (issue.line, issue.column, issue.field) == (2, 3, "variants")


# --- warnings ---------------------------------------------------------------------------


def test_region_crossing_the_edge() -> None:
    text = "canvas: 1280x720\nregions:\n  - {x: 0.6, y: 0, width: 0.5, height: 0.5}\n"
    issue = the(compile_issues(text, count=1), "warning")
    assert issue.message == (
        "region 1 crosses the right edge (x + width = 1.1); Agora requires x_axis + width <= 1"
    )
    assert (issue.line, issue.column, issue.field) == (3, 9, "regions[0].x")


def test_region_hidden_under_an_opaque_region() -> None:
    text = (
        "canvas: 1280x720\nregions:\n"
        "  - {x: 0.1, y: 0.1, width: 0.2, height: 0.2}\n"
        "  - " + FULL + "\n"
    )
    issue = the(compile_issues(text), "warning")
    assert issue.message == (
        "region 1 is completely hidden under region 2, which is opaque and painted later"
    )
    assert (issue.line, issue.column, issue.field) == (3, 5, "regions[0]")


def test_translucent_region_above_hides_nothing() -> None:
    text = (
        "canvas: 1280x720\nregions:\n"
        "  - {x: 0.1, y: 0.1, width: 0.2, height: 0.2}\n"
        "  - {x: 0, y: 0, width: 1, height: 1, alpha: 0.5}\n"
    )
    assert compile_issues(text) == []


def test_region_under_16_pixels() -> None:
    text = "canvas: 1280x720\nregions:\n  - {x: 0, y: 0, width: 10px, height: 10px, fit: fit}\n"
    issue = the(compile_issues(text, count=1), "warning")
    assert issue.message == "region 1 is 10×10 px, under 16 px on a side"
    assert (issue.line, issue.column, issue.field) == (3, 5, "regions[0]")


def test_focus_outside_vertical_mode() -> None:
    issue = the(compile_issues("mode: adaptive\nfocus: '1001'\n"), "warning")
    assert issue.message == "focus only applies to mode vertical (this is adaptive)"
    assert (issue.line, issue.column, issue.field) == (2, 8, "focus")


def test_crop_cutting_away_more_than_40_percent() -> None:
    text = "canvas: 1280x720\nregions:\n  - {x: 0, y: 0, width: 360px, height: 640px}\n"
    issue = the(compile_issues(text, count=1), "warning")
    assert issue.message == (
        "region 1 (360×640 px) crops away 68% of a 16:9 camera picture; use fit: fit or a "
        "shape closer to 16:9"
    )
    assert (issue.line, issue.column, issue.field) == (3, 5, "regions[0]")


TALL = "{x: 0, y: 0, width: 360px, height: 640px}"  # 9:16 on a 1280x720 canvas
WIDE = "{x: 0, y: 0, width: 1280px, height: 720px}"  # 16:9


def test_crop_judges_a_region_by_the_camera_the_layout_declares() -> None:
    text = f"canvas: 1280x720\npreview: {{camera: '9:16'}}\nregions:\n  - {TALL}\n"
    assert compile_issues(text, count=1) == []
    wide = f"canvas: 1280x720\npreview: {{camera: '9:16'}}\nregions:\n  - {WIDE}\n"
    issue = the(compile_issues(wide, count=1), "warning")
    assert issue.message == (
        "region 1 (1280×720 px) crops away 68% of a 9:16 camera picture; use fit: fit or a "
        "shape closer to 9:16"
    )


def test_crop_judges_a_role_or_uid_by_its_own_declared_camera() -> None:
    text = (
        "canvas: 1280x720\n"
        "preview: {camera: '9:16', cameras: {host: '16:9', '7': 'screen:4:3'}}\n"
        "regions:\n"
        "  - {role: host, x: 0, y: 0, width: 360px, height: 640px}\n"
        "  - {uid: 7, x: 400px, y: 0, width: 360px, height: 640px}\n"
        "  - {x: 800px, y: 0, width: 360px, height: 640px}\n"
    )
    issues = compile_issues(text, count=1, roles={"host": "5"})
    assert [(i.line, i.message.split(";")[0]) for i in issues] == [
        (4, "region 1 (360×640 px) crops away 68% of a 16:9 camera picture"),
        (5, "region 2 (360×640 px) crops away 58% of a 4:3 shared screen"),
    ]


def test_accept_crop_silences_only_that_regions_crop_warning() -> None:
    accepting = "{x: 0, y: 0, width: 360px, height: 640px, accept: [crop]}"
    other = "{x: 400px, y: 0, width: 360px, height: 640px}"
    text = f"canvas: 1280x720\nregions:\n  - {accepting}\n  - {other}\n"
    issue = the(compile_issues(text, count=2), "warning")
    assert issue.message.startswith("region 2 (360×640 px) crops away 68%")
    assert (issue.line, issue.field) == (4, "regions[1]")


def test_a_grid_accepts_for_every_cell() -> None:
    grid = "{grid: {width: 720px, columns: 2, accept: [crop]}}"
    assert compile_issues(f"canvas: 1280x720\nregions:\n  - {grid}\n", count=2) == []


def test_accept_hidden_and_small_silence_those_warnings() -> None:
    under = "{x: 0.1, y: 0.1, width: 10px, height: 10px, fit: fit, accept: [hidden, small]}"
    text = f"canvas: 1280x720\nregions:\n  - {under}\n  - {FULL}\n"
    assert compile_issues(text, count=2) == []


def test_an_unknown_accept_value_is_a_located_error_with_did_you_mean() -> None:
    text = "regions:\n  - {x: 0, y: 0, width: 1, height: 1, accept: [crop, hiden]}\n"
    issue = the(load_issues(text))
    assert issue.message == (
        "'hiden' is not allowed; expected 'crop', 'hidden' or 'small'; did you mean 'hidden'?"
    )
    assert (issue.line, issue.column, issue.field) == (2, 54, "regions[0].accept[1]")


def test_a_misspelt_choice_is_told_the_word_it_looks_like() -> None:
    issue = the(load_issues("regions:\n  - {x: 0, y: 0, width: 1, height: 1, fit: fitt}\n"))
    assert issue.message == "'fitt' is not allowed; expected 'crop' or 'fit'; did you mean 'fit'?"


def test_strict_turns_warnings_into_errors() -> None:
    text = "canvas: 1280x720\nregions:\n  - {x: 0.6, y: 0, width: 0.5, height: 0.5}\n"
    issue = the(compile_issues(text, count=1, strict=True))
    assert issue.message.endswith("(--strict)")


# --- validate across counts ------------------------------------------------------------


def test_validate_names_the_failing_counts() -> None:
    text = "variants:\n  - when: 1-3\n    regions: [" + FULL + "]\n"
    report = validate_layout(parse_layout(text))
    assert report.failing == tuple(range(4, 18))
    issue = the(report.issues)
    assert issue.counts == tuple(range(4, 18))
    assert not report.ok


def test_validate_ok_at_every_count() -> None:
    report = validate_layout(parse_layout("mode: floating\n"))
    assert report.ok and report.issues == [] and report.counts == tuple(range(1, 18))
