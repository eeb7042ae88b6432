"""Loading layout files: every failure is a located LayoutError."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from layoutkit import (
    LayoutError,
    LayoutSyntaxError,
    LayoutValidationError,
    PresetNotFoundError,
    load_layout,
    parse_layout,
)
from layoutkit.errors import Issue
from layoutkit.geometry import Length

Write = Callable[..., Path]


def only_issue(exc: LayoutError) -> Issue:
    issues: list[Issue] = exc.issues  # type: ignore[attr-defined]
    assert len(issues) == 1, issues
    return issues[0]


def test_plain_yaml_loads_into_the_model(write_layout: Write) -> None:
    path = write_layout("canvas: 1280x720\nregions:\n  - {x: 0, y: 0, width: 50%, height: 1}\n")
    layout = load_layout(path)
    assert layout.document.canvas.width == 1280
    assert layout.document.regions is not None
    region = layout.document.regions[0]
    assert region.width == Length(50.0, "%")  # type: ignore[union-attr]
    assert layout.source == str(path)
    assert not layout.templated


def test_text_is_accepted_instead_of_a_path() -> None:
    layout = parse_layout("mode: adaptive\n")
    assert layout.source == "<string>"
    assert layout.document.mode == 1


def test_malformed_yaml_is_located() -> None:
    with pytest.raises(LayoutSyntaxError) as info:
        parse_layout("canvas: 1280x720\nregions: [1, 2\n")
    issue = only_issue(info.value)
    assert issue.message.startswith("YAML: expected ',' or ']'")
    assert (issue.line, issue.column) == (3, 1)


def test_unknown_key_points_at_the_key_and_suggests(write_layout: Write) -> None:
    path = write_layout("regions:\n  - x: 0\n    y: 0\n    widht: 1\n    height: 1\n")
    with pytest.raises(LayoutValidationError) as info:
        load_layout(path)
    issue = only_issue(info.value)
    assert issue.message == "unknown key 'widht'; did you mean 'width'?"
    assert (issue.source, issue.line, issue.column) == (str(path), 4, 5)
    assert issue.field == "regions[0].widht"
    assert issue.headline() == (
        f"{path}:4:5: error: regions[0].widht: unknown key 'widht'; did you mean 'width'?"
    )


def test_every_shape_problem_is_reported_at_once() -> None:
    text = "fit: x\nregions:\n  - {x: 0, y: 0, width: 1, height: 1, alpha: 1.5, fit: cover}\n"
    with pytest.raises(LayoutValidationError) as info:
        parse_layout(text)
    found = {(i.line, i.column, i.field) for i in info.value.issues}
    assert found == {(1, 1, "fit"), (3, 46, "regions[0].alpha"), (3, 56, "regions[0].fit")}
    messages = {i.field: i.message for i in info.value.issues}
    assert messages["regions[0].alpha"] == "1.5 is out of range: it must be at most 1.0"
    assert messages["regions[0].fit"] == "'cover' is not allowed; expected 'crop' or 'fit'"


def test_wrong_type_is_named() -> None:
    with pytest.raises(LayoutValidationError) as info:
        parse_layout("canvas: {width: wide, height: 720}\n")
    issue = only_issue(info.value)
    assert issue.field == "canvas.width"
    assert issue.message == "'wide' is not a whole number"
    assert (issue.line, issue.column) == (1, 17)


def test_bad_colour_is_located() -> None:
    with pytest.raises(LayoutValidationError) as info:
        parse_layout('mode: adaptive\nbackground: "#12"\n')
    issue = only_issue(info.value)
    assert issue.field == "background"
    assert "is not a colour" in issue.message and "#RRGGBB" in issue.message
    assert (issue.line, issue.column) == (2, 13)


def test_duplicate_keys_are_errors() -> None:
    with pytest.raises(LayoutValidationError) as info:
        parse_layout("mode: adaptive\nmode: floating\n")
    issue = only_issue(info.value)
    assert issue.message == "duplicate key 'mode'; the later one would win"
    assert (issue.line, issue.column) == (2, 1)


def test_not_a_mapping() -> None:
    with pytest.raises(LayoutValidationError, match="is a YAML mapping"):
        parse_layout("- 1\n- 2\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LayoutSyntaxError) as info:
        load_layout(tmp_path / "nope.yaml")
    assert info.value.source == str(tmp_path / "nope.yaml")
    assert "no such file" in str(info.value)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "pic.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(LayoutSyntaxError, match="binary file"):
        load_layout(path)


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"mode: adaptive\ntitle: caf\xe9\n")
    with pytest.raises(LayoutSyntaxError) as info:
        load_layout(path)
    assert info.value.line == 2
    assert "not UTF-8" in str(info.value)


def test_file_over_one_mebibyte(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * (1 << 20) + "\n")
    with pytest.raises(LayoutSyntaxError, match="1 MiB"):
        load_layout(path)


def test_alias_bomb_is_refused_in_small_memory() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    tracemalloc.start()
    try:
        with pytest.raises(LayoutSyntaxError, match="alias bomb"):
            parse_layout("\n".join(lines) + "\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(LayoutSyntaxError, match="nested too deeply"):
        parse_layout("a: " + "[" * 5000 + "]" * 5000 + "\n")


def test_undefined_template_name_is_located_with_a_hint() -> None:
    text = "mode: custom\nregions:\n  - {x: 0, y: 0, width: {{ size }}, height: 1}\n"
    with pytest.raises(LayoutSyntaxError) as info:
        parse_layout(text)
    issue = only_issue(info.value)
    assert (issue.line, issue.column) == (3, 28)
    assert issue.message.startswith("template: 'size' is undefined")
    assert "--var size=VALUE" in issue.message


def test_template_vars_fill_the_text() -> None:
    text = "regions:\n  - {x: 0, y: 0, width: {{ size }}, height: 1}\n"
    layout = parse_layout(text, vars={"size": 0.5})
    assert layout.templated
    assert layout.document.regions is not None
    assert layout.document.regions[0].width == Length(0.5)  # type: ignore[union-attr]


def test_template_cannot_reach_python_internals() -> None:
    with pytest.raises(LayoutSyntaxError) as info:
        parse_layout("title: {{ ''.__class__.__mro__ }}\n")
    issue = only_issue(info.value)
    assert issue.line == 1
    assert "unsafe" in issue.message and "Python internals" in issue.message


def test_template_cannot_build_huge_output() -> None:
    with pytest.raises(LayoutSyntaxError, match="keep templates small"):
        parse_layout('title: {{ "a" * 10**8 }}\n')
    with pytest.raises(LayoutSyntaxError, match="more than 1024 KiB"):
        parse_layout(
            # 1 KB a turn: past the cap in a thousand turns, long before the time budget
            "{% for i in range(99999) %}" + "x" * 1000 + "{% endfor %}"
        )


def test_errors_in_a_templated_file_quote_the_template_line() -> None:
    text = "{% set w = 2 %}\nregions:\n  - {x: 0, y: 0, width: 1, height: 1, alpha: {{ w }}}\n"
    with pytest.raises(LayoutValidationError) as info:
        parse_layout(text)
    issue = only_issue(info.value)
    assert issue.snippet == "  - {x: 0, y: 0, width: 1, height: 1, alpha: {{ w }}}"
    assert issue.rendered == "  - {x: 0, y: 0, width: 1, height: 1, alpha: 2}"
    assert (issue.line, issue.column) == (3, 46)
    assert "|   - {x: 0, y: 0, width: 1, height: 1, alpha: {{ w }}}" in str(info.value)


def test_extends_a_relative_file_and_overrides_top_level_keys(write_layout: Write) -> None:
    write_layout("canvas: 1280x720\nbackground: '#112233'\nmode: adaptive\n", "base.yaml")
    child = write_layout("extends: base.yaml\nbackground: '#445566'\n", "child.yaml")
    document = load_layout(child).document
    assert document.canvas.width == 1280
    assert document.background == "#445566"
    assert document.mode == 1


def test_errors_in_the_base_point_into_the_base(write_layout: Write) -> None:
    base = write_layout("canvas: 1280x720\nfps: fast\n", "base.yaml")
    child = write_layout("extends: base.yaml\nmode: adaptive\n", "child.yaml")
    with pytest.raises(LayoutValidationError) as info:
        load_layout(child)
    issue = only_issue(info.value)
    assert issue.source == str(base.resolve())
    assert (issue.line, issue.column) == (2, 6)


def test_extends_loop_is_refused(write_layout: Write) -> None:
    write_layout("extends: b.yaml\n", "a.yaml")
    b = write_layout("extends: a.yaml\n", "b.yaml")
    with pytest.raises(LayoutValidationError, match="loops back"):
        load_layout(b)


def test_extends_unknown_preset_suggests() -> None:
    with pytest.raises(PresetNotFoundError) as info:
        parse_layout("extends: no-such-preset-anywhere\n")
    assert info.value.line == 1 and info.value.column == 10
    assert "no preset named 'no-such-preset-anywhere'" in str(info.value)
