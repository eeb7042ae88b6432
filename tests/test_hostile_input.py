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
from layoutkit.layout.template_budget import MAX_SECONDS

MARGIN_SECONDS = 1.5
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
    assert elapsed < MAX_SECONDS + MARGIN_SECONDS, elapsed
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
_CONTROLS = st.sampled_from(["", "\x1b[31m", "\x07", "\x9b", "\x7f", "\t", "\r"])
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
    assert time.monotonic() - start < MAX_SECONDS + MARGIN_SECONDS
    assert _maxrss() - before < MEMORY_MARGIN_KIB
