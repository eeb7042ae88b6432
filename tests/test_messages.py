"""Errors point at what the author wrote (the template's own lines), and say what to fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from layoutkit import LayoutSyntaxError, LayoutValidationError, load_layout, parse_layout
from layoutkit.compile.compiler import compile_full
from layoutkit.errors import Issue

Write = Callable[..., Path]

LOOP = """\
# three columns, written with a loop
canvas: 1280x720
background: "#0d1117"
regions:
{% for i in range(3) %}
  - role: column-{{ i }}
    x: {{ i / 3 }}
    y: 0
    width: 960.0pz
    height: 1
{% endfor %}
"""


def issues_of(error: pytest.ExceptionInfo[LayoutValidationError]) -> list[Issue]:
    return error.value.issues


def test_a_typo_inside_a_loop_is_one_error_on_the_template_line(write_layout: Write) -> None:
    path = write_layout(LOOP)
    with pytest.raises(LayoutValidationError) as info:
        load_layout(path)
    (issue,) = issues_of(info)
    assert (issue.line, issue.column) == (9, 12)
    assert issue.snippet == "    width: 960.0pz"
    assert issue.fields == ("regions[0].width", "regions[1].width", "regions[2].width")
    assert issue.headline() == (
        f"{path}:9:12: error: regions[0-2].width: '960.0pz' is not a length; write a "
        'fraction (0.25), a percentage ("25%") or pixels ("320px") '
        "(from the template, 3 times at count 4)"
    )
    assert str(info.value).splitlines()[1:] == [" 9 |     width: 960.0pz", "   |            ^"]


def test_the_note_names_the_count_and_roles_the_template_was_rendered_for() -> None:
    text = (
        "{% if count == 3 %}\n"
        "regions:\n"
        "{% for p in participants %}\n"
        "  - {uid: {{ p }}, x: 0, y: 0, width: 1, height: 1, fit: cover}\n"
        "{% endfor %}\n"
        "{% else %}\n"
        "mode: adaptive\n"
        "{% endif %}\n"
    )
    layout = parse_layout(text)
    with pytest.raises(LayoutValidationError) as info:
        compile_full(layout, ["7", "8", "9"], {"host": "8"})
    (issue,) = issues_of(info)
    assert (issue.line, issue.column, issue.field) == (4, 58, "regions[0].fit")
    assert issue.snippet == "  - {uid: {{ p }}, x: 0, y: 0, width: 1, height: 1, fit: cover}"
    assert issue.note() == "(from the template, 3 times at count 3, roles host=8)"


def test_a_typo_outside_loops_points_at_its_template_line() -> None:
    text = LOOP.replace("960.0pz", "0.33") + "fit: cover\nfps: {{ 7 * 100 }}\n"
    with pytest.raises(LayoutValidationError) as info:
        parse_layout(text)
    fit, fps = issues_of(info)
    assert (fit.line, fit.column, fit.field) == (12, 1, "fit")
    assert fit.snippet == "fit: cover"
    assert fit.note() == ""  # the line reads as written: nothing to explain
    assert (fps.line, fps.column, fps.field) == (13, 6, "fps")
    assert fps.snippet == "fps: {{ 7 * 100 }}"
    assert fps.rendered == "fps: 700"
    assert fps.note() == "(from the template, at count 4)"


def test_a_yaml_error_in_a_template_is_on_the_template_line() -> None:
    text = (
        "{% set who = 'Speaker: guest' %}\n"
        "{% for i in range(2) %}\n{% endfor %}\n"
        "title: {{ who }}\n"
    )
    with pytest.raises(LayoutSyntaxError) as info:
        parse_layout(text)
    (issue,) = info.value.issues
    assert (issue.line, issue.column) == (4, 8)
    assert issue.snippet == "title: {{ who }}"
    assert "quote the value" in issue.message
    assert "the template renders this line as 'title: Speaker: guest' at count 4" in issue.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("mode: adaptive\nbackground: #0d1117\n", 2, 13),
        ("mode: adaptive\nbackground: #0d1117  # dark\n", 2, 13),
        ("mode: adaptive\nvariants:\n  - when: 1+\n    background: #0d1117\n", 4, 17),
    ],
    ids=["background", "with-a-comment", "variant-background"],
)
def test_an_unquoted_hash_colour_says_it_is_a_comment(text: str, line: int, column: int) -> None:
    with pytest.raises(LayoutValidationError) as info:
        parse_layout(text)
    (issue,) = issues_of(info)
    assert issue.message == (
        '`#` starts a YAML comment, so background is empty; quote the colour: background: "#0d1117"'
    )
    assert (issue.line, issue.column) == (line, column)


def test_an_unquoted_hash_colour_in_a_template_shows_the_template_quoted() -> None:
    text = "{% set bg = '#0d1117' %}\nmode: adaptive\nbackground: {{ bg }}\n"
    with pytest.raises(LayoutValidationError) as info:
        parse_layout(text)
    (issue,) = issues_of(info)
    assert issue.message.endswith('quote the colour: background: "{{ bg }}"')
    assert (issue.line, issue.column) == (3, 13)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        (
            "mode: custom\ntitle: Speaker: guest\n",
            "a ':' inside a value: quote the value, e.g. title: \"Speaker: guest\"",
            2,
            15,
        ),
        ("canvas: 1280x720\nregions\nmode: custom\n", "a key without ':'", 2, 1),
        ("canvas:\n\twidth: 1280\n", "a tab: indent with spaces", 2, 1),
        (
            "canvas:\n    width: 1280\n  height: 720\n",
            "the indentation does not line up with the lines above",
            3,
            3,
        ),
        ("mode: adaptive\ntitle: *studio\n", "`*studio` repeats a value marked `&studio`", 2, 8),
        ('mode: adaptive\ntitle: "Live\n', "a quoted value is not closed", 2, 8),
        ("mode: adaptive\ntitle: @studio\n", "a value cannot start with '@': quote it", 2, 8),
        ("mode: adaptive\n---\nmode: floating\n", "a second YAML document ('---')", 2, 1),
    ],
    ids=["colon", "no-colon", "tab", "indentation", "alias", "quote", "at-sign", "documents"],
)
def test_yaml_parser_jargon_is_translated(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(LayoutSyntaxError) as info:
        parse_layout(text)
    (issue,) = info.value.issues
    assert issue.message.startswith(message), issue.message
    assert (issue.line, issue.column) == (line, column)
    assert "mapping values" not in issue.message or "(YAML: mapping values" in issue.message
