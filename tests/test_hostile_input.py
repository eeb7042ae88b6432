"""Hostile layout files: every one ends in a located error, within time and memory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from memory_helpers import peak_from_now, status_kib

from layoutkit.cli import cli
from layoutkit.errors import Issue, LayoutError, safe_text
from layoutkit.layout.loader import load_layout
from layoutkit.layout.templating import MAX_SECONDS

# a template stops at its MAX_SECONDS budget; a hang or a blow-up takes far longer
BOUND_SECONDS = 10 * MAX_SECONDS
MEMORY_MARGIN_KIB = 300 * 1024
HEAD = "canvas: 1280x720\nregions:\n"


def _maxrss() -> int:
    return status_kib("VmHWM")


def _validate(tmp_path: Path, text: str) -> str:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    before, start = peak_from_now(), time.monotonic()
    result = CliRunner().invoke(cli, ["validate", str(path)])
    elapsed = time.monotonic() - start
    assert elapsed < BOUND_SECONDS, elapsed
    assert _maxrss() - before < MEMORY_MARGIN_KIB
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


TEMPLATES = {
    "center": "title: \"{{ 'x' | center(10**9) }}\"\n",
    "format": "title: \"{{ '%0999999999d' | format(1) }}\"\n",
    "percent_star": "title: \"{{ '%*d' % (999999999, 1) }}\"\n",
    "nested_range": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
    "{% endfor %}\n",
    "list_repeat_join": "title: \"{{ (['x' * 100000] * 100000) | join }}\"\n",
    "macro_fan_out": "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}x"
    "{% endmacro %}\ntitle: {{ f(40) }}\n",
    "power": "title: {{ 9**999999 }}\n",
    "lipsum": 'title: "{{ lipsum(10**6) }}"\n',
    "replace": "title: \"{{ ('x' * 1000000) | replace('x', 'y' * 1000) }}\"\n",
    "indent": "title: \"{{ 'x' | indent(10**9) }}\"\n",
    "pprint": 'title: "{{ [1] | pprint }}"\n',
    "zfill": "title: \"{{ 'x'.zfill(10**9) }}\"\n",
    "str_format": "title: \"{{ '{:>999999999}'.format(1) }}\"\n",
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}\ntitle: {{ ns.s | length }}\n",
    "captured": "{% set x %}{% for i in range(99999) %}{{ 'y' * 1000000 }}{% endfor %}"
    "{% endset %}\ntitle: {{ x | length }}\n",
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_budget_stops_hostile_templates(tmp_path: Path, name: str) -> None:
    out = _validate(tmp_path, TEMPLATES[name])
    assert "hostile.yaml:1" in out or "hostile.yaml:2" in out, out


_TOO_MANY = "would hold more than 100000 items"
LIST_TEMPLATES = {  # name: (template, what the message says)
    "in_a_list": ("{% set a = ['x'] * 100000 %}\ntitle: {{ [a, a, a] | length }}\n", _TOO_MANY),
    "in_a_dict": ("{% set a = ['x'] * 100000 %}\ntitle: {{ {'k': a, 'j': a} }}\n", _TOO_MANY),
    "in_a_tuple": ("{% set a = ['x'] * 100000 %}\ntitle: {{ (a, a) | length }}\n", _TOO_MANY),
    "mapped_repeat": ("title: \"{{ (range(1000) | map('string') | list) * 1000 }}\"\n", _TOO_MANY),
    "nested_repeat": ('title: "{{ [[1] * 1000] * 1000 }}"\n', _TOO_MANY),
    "sum": ('title: "{{ ([[1] * 1000] * 1000) | sum(start=[]) | length }}"\n', _TOO_MANY),
    "sum_as_written": ('title: "{{ [[1]*1000]*1000 | sum(start=[]) }}"\n', "not iterable"),
    "sum_of_big_lists": (
        "{% set a = ['x'] * 100000 %}\ntitle: {{ ([a] * 1000) | sum(start=[]) | length }}\n",
        _TOO_MANY,
    ),
    "sum_by_map": (
        "{% set a = ['x'] * 50000 %}\n"
        "title: {{ ([[a, a]] * 1000) | map('sum', start=[]) | list | length }}\n",
        _TOO_MANY,
    ),
    "joined": ("{% set a = ['x'] * 60000 %}\ntitle: {{ (a + a) | length }}\n", _TOO_MANY),
    "sorted_generator": (
        "title: \"{{ ([range(100000)] * 1000) | map('list') | sort | length }}\"\n",
        _TOO_MANY,
    ),
}


@pytest.mark.parametrize("name", sorted(LIST_TEMPLATES))
def test_template_budget_covers_building_big_lists(tmp_path: Path, name: str) -> None:
    template, message = LIST_TEMPLATES[name]
    out = _validate(tmp_path, HEAD + "  - {x: 0, y: 0, width: 1, height: 1}\n" + template)
    line = 4 + template.count("\n") - 1
    assert f"hostile.yaml:{line}:" in out and ": error: template: " in out, out
    assert message in out, out


def test_sum_joins_many_lists_in_one_pass(tmp_path: Path) -> None:
    # `sum` would copy the growing list once per list added: 1.25e9 copies for these
    template = 'title: "{{ ([[1]] * 50000) | sum(start=[]) | length }}"\n'
    path = tmp_path / "sum.yaml"
    path.write_text(HEAD + "  - {x: 0, y: 0, width: 1, height: 1}\n" + template)
    start = time.monotonic()
    layout = load_layout(path, vars={"total": sum})
    assert layout.document.title == "50000"
    path.write_text(
        HEAD
        + "  - {x: 0, y: 0, width: 1, height: 1}\n"
        + template.replace("([[1]] * 50000) | sum(start=[])", "total([[1]] * 50000, [])")
    )
    assert load_layout(path, vars={"total": sum}).document.title == "50000"  # as a global
    assert time.monotonic() - start < BOUND_SECONDS


VALUES = {
    "inf": ".inf",
    "nan": ".nan",
    "huge_int": "9" * 5000,
    "long_int": "1234567890123456789",
    "long_float": "0." + "1" * 500,
    "bad_float": "!!float abc",
    "bad_int": "!!int x",
    "bad_timestamp": "!!timestamp 99999-01-01",
    "binary": '!!binary "@@"',
    "python": "!!python/object:os.system x",
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_numbers_and_tags_are_checked_where_they_enter(tmp_path: Path, name: str) -> None:
    out = _validate(tmp_path, HEAD + f"  - {{x: {VALUES[name]}, y: 0, width: 1, height: 1}}\n")
    assert "hostile.yaml:3:9: error:" in out, out
    for word in ("set_int_max_str_digits", "ValueError", "NoneType", "groupdict"):
        assert word not in out


def test_raw_control_characters_are_located(tmp_path: Path) -> None:
    out = _validate(tmp_path, HEAD + "  - {x\x1b[31m: 0, y: 0, width: 1, height: 1}\n")
    assert "hostile.yaml:3:7: error: the text holds a control character (\\x1b)" in out
    assert "remove it" in out and "\x1b" not in out


def test_a_raw_u_fffe_is_located(tmp_path: Path) -> None:
    out = _validate(tmp_path, HEAD + '  - {role: "ho\ufffest", x: 0, y: 0, width: 1, height: 1}\n')
    assert "hostile.yaml:3:15: error: the text holds the character U+FFFE" in out, out
    assert "remove it" in out and "\ufffe" not in out and "ho\\ufffest" in out


def test_a_400_digit_pixel_length_is_located(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(HEAD + f"  - {{x: 0, y: 0, width: {'9' * 400}px, height: 1}}\n")
    for command in ("compile", "validate", "preview"):
        start = time.monotonic()
        result = CliRunner().invoke(cli, [command, str(path)])
        assert time.monotonic() - start < 50
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert f"{path}:3:25: error: regions[0].width: a number of over 300 digits is too " in (
            result.output
        )
        assert 'pixels ("320px")' in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.yaml"]


@pytest.mark.parametrize("written", ["1" + "0" * 305 + "%", "1.0e+300", "1000001px", "-2.0e+6"])
def test_lengths_no_canvas_holds_are_located(tmp_path: Path, written: str) -> None:
    out = _validate(tmp_path, HEAD + f"  - {{x: 0, y: 0, width: {written}, height: 1}}\n")
    assert "hostile.yaml:3:25: error: regions[0].width: " in out, out
    assert "is too large for a length (at most 1000000)" in out


def test_a_400_digit_canvas_side_is_located(tmp_path: Path) -> None:
    out = _validate(tmp_path, f"canvas: {'9' * 400}x720\nregions: [{{x: 0, y: 0, w: 1, h: 1}}]\n")
    assert "hostile.yaml:1:9: error: canvas: a canvas side is written with more than 18" in out


def test_control_characters_written_by_a_template_are_located(tmp_path: Path) -> None:
    out = _validate(tmp_path, "canvas: 1280x720\ntitle: \"{{ '\\x07' }}\"\n")
    assert "hostile.yaml:2:9: error:" in out and "\x07" not in out


def test_names_with_escape_sequences_are_shown_escaped(tmp_path: Path) -> None:
    out = _validate(tmp_path, HEAD + '  - {"x\\e[2J": 0, y: 0, width: 1, height: 1}\n')
    assert "\x1b" not in out and "x\\x1b[2J" in out
    assert safe_text("a\x1b[31m\x9b\x07\tb") == "a\\x1b[31m\\x9b\\x07\tb"
    issue = Issue("error", "bad \x1b]0;title\x07", source="f\x1b.yaml", line=1, snippet="\x1b")
    assert "\x1b" not in issue.format() and "\x07" not in issue.format()


_NUMBERS = st.sampled_from(
    [
        ".inf",
        "-.inf",
        ".nan",
        "1e999",
        "9" * 30,
        "9" * 4400,
        "0." + "3" * 300,
        "-0",
        "1_000",
        "0x" + "f" * 40,
        "0b101",
        "1:30:00",
        "3.5",
        "12px",
        "50%",
        "9" * 400 + "px",
    ]
)
_TAGS = st.sampled_from(
    [
        "",
        "!!float ",
        "!!int ",
        "!!timestamp ",
        "!!binary ",
        "!!str ",
        "!!python/name:os.system ",
        "!!bool ",
        "!!null ",
        "!!set ",
    ]
)
_CONTROLS = st.sampled_from(["", "\x1b[31m", "\x07", "\x9b", "\x7f", "\t", "\r", "\ufffe"])
_TEMPLATE_BITS = st.sampled_from(
    [
        "",
        "{{ 10**10**10 }}",
        "{{ 'x' * 10**9 }}",
        "{{ range(10**9) | list }}",
        "{{ 'a' | center(10**8) }}",
        "{{ '%.99999999f' % 1 }}",
        "{{ [1] | batch(10**9, 0) | list }}",
        "{{ ('x' * 100000) | list | join(',') }}",
        "{{ 1.5 ** 10**6 }}",
        "{% set a = ['x'] * 100000 %}{{ [a, a, a] | length }}",
        "{{ ([[1] * 1000] * 1000) | sum(start=[]) }}",
    ]
)


@settings(max_examples=100, deadline=None)
@given(number=_NUMBERS, tag=_TAGS, control=_CONTROLS, template=_TEMPLATE_BITS)
def test_hostile_inputs_end_in_a_result_or_a_located_error(
    tmp_path_factory: pytest.TempPathFactory, number: str, tag: str, control: str, template: str
) -> None:
    text = (
        HEAD + f"  - {{x: {tag}{number}, y: 0{control}, width: 1, height: 1}}\ntitle: a{template}\n"
    )
    path = tmp_path_factory.mktemp("h") / "h.yaml"
    path.write_text(text, encoding="utf-8")
    before, start = peak_from_now(), time.monotonic()
    try:
        load_layout(path)
    except LayoutError as exc:
        issues = getattr(exc, "issues", None) or []
        assert exc.line is not None or any(i.line is not None for i in issues), str(exc)
        assert "\x1b" not in str(exc)
    assert time.monotonic() - start < BOUND_SECONDS
    assert _maxrss() - before < MEMORY_MARGIN_KIB
