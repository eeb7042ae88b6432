"""Hostile input through the command line: generated layouts, scenarios and options for
`validate`, `compile`, `regions`, `preview` (also `--sheet`) and `play` each end in a result
or a clear error (exit 0, 1 or 2, no traceback, the file named), in bounded time and memory."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from memory_helpers import peak_from_now, status_kib

from layoutkit.cli import cli

# a command's template time is capped at MAX_COMMAND_SECONDS in all, and the rest of its
# work (compiling, drawing) is bounded too; the slowest command here takes about 5 s of CPU
# on its own (300 joins, each compiling a templated layout again). A hang or a blow-up is
# caught with ten times that: its own CPU time (this thread's, whatever else the machine
# does), and its wall time (a command blocked on a FIFO or a lock) within twice that
SECONDS_PER_COMMAND = 10 * 5.0
WALL_SECONDS_PER_COMMAND = 2 * SECONDS_PER_COMMAND
MEMORY_BUDGET_KIB = 500 * 1024  # growth of the peak resident size during one command


def _budget(examples: int) -> settings:
    """Bounded for CI (the whole file takes well under a minute on two cores);
    LAYOUTKIT_HOSTILE_EXAMPLES=3000 runs a longer hunt."""
    return settings(
        max_examples=int(os.environ.get("LAYOUTKIT_HOSTILE_EXAMPLES", examples)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        # no explain phase: after a first failure it traces every later run, which makes
        # each command many times slower and turns one failure into a cascade of timeouts
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    )


# exit 1 without a file name is right only for a problem with the command's options
OPTION_ERROR = re.compile(
    r"^(participants: |hidden: |role \S+: |count -?\d+ is outside |scale \S+ is outside "
    r"|a \d+×\d+ picture is too large)",
    re.MULTILINE,
)


BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def check_command(args: Sequence[str], cwd: Path, files: Sequence[Path]) -> Result:
    """Invoke `layoutkit ARGS` in `cwd` and check what every outcome must satisfy."""
    runner = CliRunner()
    before_kib = peak_from_now()
    start, cpu_start = time.monotonic(), time.thread_time()
    with contextlib.chdir(cwd):  # a default output lands in the test's folder
        result = runner.invoke(cli, list(args))
    elapsed, cpu = time.monotonic() - start, time.thread_time() - cpu_start
    output = result.output if len(result.output) < 3000 else f"...{result.output[-2000:]}"
    shown = f"layoutkit {' '.join(map(repr, args))}\nexit {result.exit_code}\n{output}"
    assert cpu < SECONDS_PER_COMMAND, f"took {cpu:.1f} s of CPU: {shown}"
    assert elapsed < WALL_SECONDS_PER_COMMAND, f"took {elapsed:.1f} s: {shown}"
    grown = status_kib("VmHWM") - before_kib
    assert grown < MEMORY_BUDGET_KIB, f"peak memory grew by {grown // 1024} MiB: {shown}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{shown}"
    )
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in result.output, shown
    # names from files never drive the terminal, nor turn the text around (bidi controls)
    assert "\x1b" not in result.output, shown
    assert not BIDI_CONTROLS.search(result.output), shown
    if result.exit_code == 1:
        names = [str(f) for f in files] + [f.name for f in files]
        assert any(name in result.output for name in names) or OPTION_ERROR.search(result.output), (
            f"no file named: {shown}"
        )
    if result.exit_code == 2:
        assert "Error" in result.output or "error" in result.output, shown
    event(f"{args[0]} exit {result.exit_code}")
    return result


def _check_json(result: Result) -> None:
    """A successful compile/regions prints JSON with finite numbers only."""
    if result.exit_code != 0:
        return

    def finite(value: object) -> None:
        if isinstance(value, float):
            assert math.isfinite(value), value
        elif isinstance(value, dict):
            for item in value.values():
                finite(item)
        elif isinstance(value, list):
            for item in value:
                finite(item)

    finite(json.loads(result.stdout))


# ---------------------------------------------------------------- building blocks

# Each value is usually sane and now and then hostile, so that most files get past the
# first problem and the hostile part reaches the stage it is meant for.
HOSTILE_NUMBERS = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-320",
    "1e999",
    "1000000000000000000000000000000",
    "0.333333333333333333333333333333333333",
    "0.1234567890123456789",
    ".inf",
    "-.inf",
    ".nan",
    "-0",
    "0x1F",
    "1_000",
    "1:30",
    "9" * 60,
    "null",
    "[1]",
    "{a: 1}",
    "''",
]
HOSTILE_LENGTHS = [
    "1.5",
    "-0.5",
    "'150%'",
    "'-10%'",
    "'0%'",
    "'1e308%'",
    "'nan%'",
    "'inf%'",
    "'0px'",
    "'-24px'",
    "'99999999999999999999px'",
    "'1e-320px'",
    "'1e308px'",
    "'12pt'",
    "'%'",
    "'px'",
    "'25 %'",
]
TAGS = ["!!float ", "!!int ", "!!binary ", "!!timestamp ", "!!str ", "!!bool ", "!!null "]
CONTROLS = ["\x1b[31m", "\x00", "\x07", "\x7f", "\x85", "\x9b", "\u2028", "\ufeff", "\t", "\u202e"]


@st.composite
def _value(
    draw: st.DrawFn, sane: Sequence[str], hostile: Sequence[str] = (), level: int = 30
) -> str:
    """One of `sane`, or with `level` percent odds a hostile number, a tagged value or one
    of `hostile`."""
    if draw(st.integers(0, 99)) >= level:
        return draw(st.sampled_from(list(sane)))
    roll = draw(st.integers(0, 3))
    if roll < 2:
        return draw(st.sampled_from([*HOSTILE_NUMBERS, *hostile]))
    if roll == 2:
        return draw(
            st.one_of(
                st.floats().map(repr),
                st.floats(min_value=-2, max_value=2).map(repr),
                st.integers(min_value=-(10**40), max_value=10**40).map(str),
            )
        )
    return draw(st.sampled_from(TAGS)) + draw(st.sampled_from([*sane, *HOSTILE_NUMBERS]))


def _quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar (JSON escapes are YAML escapes)."""
    return json.dumps(text)


def _rarely(draw: st.DrawFn, one_in: int = 8) -> bool:
    return draw(st.integers(1, one_in)) == 1


# ---------------------------------------------------------------- generated layouts

FRACTIONS = ["0", "0.25", "0.5", "0.75", "1", "'25%'", "'50%'", "'320px'", "'24px'"]
SIZES = ["0.25", "0.5", "1", "'50%'", "'100%'", "'640px'", "0.3333"]
OTHER_KEYS: dict[str, tuple[list[str], list[str]]] = {
    "alpha": (["1", "0.5", "0.95"], ["-0.1", "1.2", "2"]),
    "aspect": (["'16:9'", "'9:16'", "'1:1'"], ["'0:0'", "'1:0'", "'1e308:1'", "'-1:1'", "2"]),
    "fit": (["crop", "fit"], ["cover", "''"]),
    "uid": (["1001", "1002", "'7'"], ["0", "-1", "1099511627776", "abc", "4294967296"]),
    "role": (["host", "guest", "screen", "speaker"], ["''", "'\\e[2Jx'", "1", "[a]"]),
    "fill": (["agora"], ["none", "x"]),
    "placeholder": (["https://e.x/a.png"], ["ftp://x", "'http://'", "'https://a b'"]),
}
GRID_COUNTS = (["1", "2", "3", "4"], ["0", "17", "18", "289", "290", "1.5", "'2'"])
WHENS = (
    ["1", "2", "'2-4'", "'3+'", "'5+'", "{count: '2+', roles: [screen]}"],
    [
        "0",
        "-1",
        "'3-1'",
        "'1-999999999999'",
        "'+'",
        "'1--2'",
        "[1, 2]",
        "{count: .nan}",
        "{count: '1-17', roles: [host, host]}",
        "{count: 2, roles: 7}",
        "{roles: []}",
    ],
)
TEMPLATE_BITS = [
    "{{ count }}",
    "{{ participants | length }}",
    "{{ roles | length }}",
    "{{ range(10**9) | list }}",
    "{{ 'x' * 10**9 }}",
    "{{ 10**10**10 }}",
    "{{ 1 / 0 }}",
    "{{ 5 % 0 }}",
    "{{ 2.0 ** 5000 }}",
    "{{ (-8) ** 0.5 }}",
    "{{ 1e308 * 10 }}",
    "{{ '%c' % 10**9 }}",
    "{{ '%s %s' | format(1) }}",
    "{{ 'abc'[::0] }}",
    "{{ 'a'.split('') }}",
    "{{ [1, 'a'] | sort }}",
    "{{ [[]] | unique | list }}",
    "{{ [1, 2] | slice(0) | list }}",
    "{{ 'x' | wordwrap(0) }}",
    "{{ 'x' | truncate(-1) }}",
    "{{ 'x' | indent(-5) }}",
    "{{ -1 | filesizeformat }}",
    "{{ 1e308 | filesizeformat }}",
    "{{ 3 | round(-400) }}",
    "{{ 1 is divisibleby 0 }}",
    "{{ 'nan' | float }}",
    "{{ '1e999' | float }}",
    "{{ 'x' | attr('__class__') }}",
    "{{ ''.__class__.__mro__ }}",
    "{% include 'x' %}",
    "{% import 'x' as y %}",
    "{{ undefined_name }}",
    "{{ participants[99] }}",
    "{{ lipsum(3) }}",
    "{% for i in range(3) %}{% endfor %",
    "{{ '\\x1b[2J' }}",
    "{{ [1] | batch(0) | list }}",
    "{{ 'a' | center(-3) }}",
    "{{ range(count) | sum }}",
    "{{ participants | join(',') }}",
    "{{ (roles | list)[0] }}",
    "{{ 'x' | replace('', 'y') }}",
    "{{ [1,2,3] | map('int') | sum }}",
]


@st.composite
def _key_value(
    draw: st.DrawFn, key: str, sane: Sequence[str], hostile: Sequence[str], level: int
) -> str:
    """`key: value`; with `level` / 10 percent odds the key carries a control character."""
    if draw(st.integers(0, 999)) < level:
        control = draw(st.sampled_from(CONTROLS))
        key = _quoted(f"{key}{control}") if draw(st.booleans()) else f"{key}{control}"
    return f"{key}: {draw(_value(sane, hostile, level))}"


@st.composite
def _region(draw: st.DrawFn, level: int) -> str:
    place = draw(st.sampled_from([("x", "y"), ("right", "bottom"), ("x", "bottom")]))
    parts = [draw(_key_value(key, FRACTIONS, HOSTILE_LENGTHS, level)) for key in place]
    size = draw(st.sampled_from([("width", "height"), ("w", "h"), ("width", "aspect")]))
    for key in size:
        if key == "aspect":
            parts.append(draw(_key_value(key, *OTHER_KEYS["aspect"], level)))
        else:
            parts.append(draw(_key_value(key, SIZES, HOSTILE_LENGTHS, level)))
    for key in draw(st.lists(st.sampled_from(sorted(OTHER_KEYS)), max_size=3, unique=True)):
        parts.append(draw(_key_value(key, *OTHER_KEYS[key], level)))
    if _rarely(draw, 12):
        parts.append(f"{draw(st.sampled_from(['widht', 'z', 'grid', 'x', 'variants']))}: 1")
    parts = draw(st.permutations(parts))
    return "{" + ", ".join(parts) + "}"


@st.composite
def _grid(draw: st.DrawFn, level: int) -> str:
    parts = [draw(_key_value(key, *GRID_COUNTS, level)) for key in ("rows", "columns")]
    keys = ["gap", "padding", "gap", "padding", "x", "y", "width", "height"]
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        sane = ["'4px'", "'8px'", "0", "0.01"] if key in ("gap", "padding") else FRACTIONS
        parts.append(draw(_key_value(key, sane, [*HOSTILE_LENGTHS, "'49%'", "'50%'", "1"], level)))
    if draw(st.booleans()):
        parts.append(draw(_key_value("cells", *GRID_COUNTS, level)))
    if _rarely(draw, 3):
        parts.append(draw(_key_value("order", ["row", "column"], ["spiral", "1"], level)))
    if _rarely(draw, 3):
        parts.append(draw(_key_value("aspect", *OTHER_KEYS["aspect"], level)))
    if _rarely(draw, 4):
        names = ["host", "guest", "x"] if draw(st.integers(0, 99)) >= level else ["''", "1"]
        roles = draw(st.lists(st.sampled_from(names), max_size=4))
        parts.append(f"roles: [{', '.join(roles)}]")
    if _rarely(draw, 4):
        uids = draw(st.lists(st.sampled_from([*OTHER_KEYS["uid"][0], *OTHER_KEYS["uid"][1]])))
        parts.append(f"uids: [{', '.join(uids)}]")
    if _rarely(draw, 4):
        parts.append(draw(_key_value("fill", *OTHER_KEYS["fill"], level)))
    return "{grid: {" + ", ".join(parts) + "}}"


@st.composite
def _template_loop(draw: st.DrawFn, indent: str, level: int) -> str:
    bound = draw(_value(["count", "1", "3", "17"], ["0", "100", "1000", "10**5"], level))
    step = draw(_value(["1 / n", "(1 / n) | round(3)"], ["0", "-1", "n", "1e308"], level))
    return (
        f"{{% set n = {bound} %}}{{% for i in range(n) %}}\n"
        f"{indent}- {{x: {{{{ i * ({step}) }}}}, y: 0, width: {{{{ {step} }}}}, height: 1}}\n"
        "{% endfor %}\n"
    )


@st.composite
def _entries(draw: st.DrawFn, indent: str, level: int) -> str:
    count = draw(st.integers(0, 5))
    lines = [f"{indent}- {draw(st.one_of(_region(level), _grid(level)))}\n" for _ in range(count)]
    if _rarely(draw, 6):
        lines.insert(0, draw(_template_loop(indent, level)))
    if draw(st.integers(0, 999)) < 10 * level:  # wide: many regions
        many = draw(st.integers(18, 400))
        lines.append(f"{indent}- {{x: 0, y: 0, width: 0.01, height: 0.01}}\n" * many)
    return "".join(lines) or f"{indent}[]\n"


CANVASES = (
    ["1280x720", "640x360", "{width: 1920, height: 1080}", "360x640"],
    [
        "0x0",
        "-1x720",
        "99999999x99999999",
        "1x1",
        "{width: 1e308, height: 1}",
        "{width: .inf, height: .nan}",
        "{width: 0, height: 720}",
        "'1280 x 720'",
        "1280X720",
    ],
)


@st.composite
def layout_texts(draw: st.DrawFn) -> str:
    """A layout file's text: usually valid, with a hostile value here and there."""
    level = draw(st.sampled_from([0, 0, 1, 3, 10, 30]))  # percent odds of a hostile value
    text = _naming_keys(draw, level)
    builtin = _rarely(draw, 5)
    text += _mode_keys(draw, level, builtin)
    text += _setting_keys(draw, level)
    if level and _rarely(draw, 10):  # deep
        depth = draw(st.integers(1, 300))
        text += "tags: " + "[" * depth + "a" + "]" * depth + "\n"
    if not builtin:  # Agora's own modes take no regions
        text += _region_keys(draw, level)
    if level and _rarely(draw, 3):
        text += f"description: a{draw(st.sampled_from(TEMPLATE_BITS))}\n"
    return text


def _naming_keys(draw: st.DrawFn, level: int) -> str:
    """A layout's canvas, title and name lines, each there or not."""
    text = ""
    if draw(st.integers(0, 3)):
        text += draw(_key_value("canvas", *CANVASES, level)) + "\n"
    if _rarely(draw, 4):
        control = draw(st.sampled_from(CONTROLS)) if level and _rarely(draw, 3) else ""
        title = "t" + control + draw(st.text(st.characters(categories=["L", "N"]), max_size=8))
        text += f"title: {_quoted(title)}\n"
    if _rarely(draw, 6):
        text += f"name: {draw(_value(['ok', 'my-layout'], ['a b', 'x' * 300, 'A'], level))}\n"
    return text


def _mode_keys(draw: st.DrawFn, level: int, builtin: bool) -> str:
    """A layout's mode line (one of Agora's own when `builtin`) and its focus."""
    text = ""
    if builtin:
        modes = ["adaptive", "floating", "vertical"]
        text += draw(_key_value("mode", modes, ["3", "7", "x", "custom"], level)) + "\n"
        if _rarely(draw, 2):
            text += draw(_key_value("focus", ["host", "'1001'"], ["1001", "0", ".inf"], level))
            text += "\n"
    elif _rarely(draw, 5):
        text += draw(_key_value("mode", ["custom"], ["adaptive", "7"], level)) + "\n"
    return text


def _setting_keys(draw: st.DrawFn, level: int) -> str:
    """A layout's fps, bitrate, counts and background lines, each there or not."""
    text = ""
    if _rarely(draw, 6):
        text += draw(_key_value("fps", ["15", "30"], ["0", "61"], level)) + "\n"
    if _rarely(draw, 6):
        text += draw(_key_value("bitrate", ["1000"], ["0", "100000000"], level)) + "\n"
    if _rarely(draw, 4):
        text += draw(_key_value("counts", *WHENS, level)) + "\n"
    if _rarely(draw, 6):
        text += draw(_key_value("background", ["'#101820'", "'#abc'"], ["red", "'#12345'"], level))
        text += "\n"
    return text


def _region_keys(draw: st.DrawFn, level: int) -> str:
    """A custom layout's regions and variants, each there or not."""
    text = ""
    if draw(st.integers(0, 3)):
        text += "regions:\n" + draw(_entries("  ", level))
    if _rarely(draw, 3):
        text += "variants:\n"
        for _ in range(draw(st.integers(1, 4))):
            text += f"  - {draw(_key_value('when', *WHENS, level))}\n"
            if draw(st.integers(0, 3)):
                text += "    regions:\n" + draw(_entries("      ", level))
            if _rarely(draw, 4):
                text += f"    mode: {draw(st.sampled_from(['adaptive', 'custom', 'x']))}\n"
    return text


LAYOUT_COMMANDS = st.sampled_from(["validate", "compile", "regions", "preview", "sheet"])
# about 0.9 s a render here, under the 2 s budget of one render: every count renders again
SLOW_TEMPLATE = (
    "canvas: 1280x720\n{% for i in range(99999) %}{% for j in range(40) %}{% endfor %}"
    "{% endfor %}\nregions:\n  - {x: 0, y: 0, width: 1, height: 1}\n"
)
NASTY_LAYOUTS = {
    "inf_width": "regions:\n  - {x: 0, y: 0, width: .inf, height: 1}\n",
    "nan_width": "regions:\n  - {x: 0, y: 0, width: .nan, height: 1e-320}\n",
    "huge_range": "title: {{ range(10**9) | list }}\n",
    "past_the_edge": "regions:\n  - {x: 0.9, y: 0, width: 0.5, height: 0}\n",
    "at_the_edge": "canvas: 1280x720\nregions:\n  - {x: 0.9999, y: 0, width: 0.0001, height: 1}\n",
    "full_gaps": "regions:\n  - grid: {rows: 17, columns: 17, gap: 49%}\n",
    "alias_bomb": "a: &a [x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: [*b, *b, *b, *b, *b, *b, *b, *b]\n",
    "huge_canvas": "canvas: {width: 1e308, height: 1}\n",
    "nan_filter": "description: a{{ 'nan' | float }}\n",
    "truncate": "description: a{{ 'x' | truncate(-1) }}\n",
    "slow_template": SLOW_TEMPLATE,
    "bidi_key": 'canvas: 1280x720\nregions:\n  - {"x\\u202e": 0, y: 0, width: 1, height: 1}\n',
}


@_budget(150)
@given(
    text=layout_texts(),
    command=LAYOUT_COMMANDS,
    raw_prefix=st.sampled_from([b""] * 15 + [b"\xff\xfe", b"\xef\xbb\xbf", b"\x00"]),
)
@example(text=NASTY_LAYOUTS["inf_width"], command="preview", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["nan_width"], command="sheet", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["huge_range"], command="validate", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["past_the_edge"], command="regions", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["at_the_edge"], command="preview", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["full_gaps"], command="sheet", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["alias_bomb"], command="compile", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["huge_canvas"], command="preview", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["nan_filter"], command="validate", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["truncate"], command="validate", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["bidi_key"], command="validate", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["slow_template"], command="validate", raw_prefix=b"")
@example(text=NASTY_LAYOUTS["slow_template"], command="sheet", raw_prefix=b"")
def test_generated_layouts_through_the_layout_commands(
    tmp_path_factory: pytest.TempPathFactory, text: str, command: str, raw_prefix: bytes
) -> None:
    folder = tmp_path_factory.mktemp("layout")
    path = folder / "hostile.yaml"
    path.write_bytes(raw_prefix + text.encode("utf-8", "surrogatepass"))
    out = folder / "out.png"
    args = {
        "validate": ["validate", str(path)],
        "compile": ["compile", str(path), "--as", "start"],
        "regions": ["regions", str(path), "--count", "3"],
        "preview": ["preview", str(path), "--scale", "0.2", "-o", str(out)],
        "sheet": ["preview", str(path), "--sheet", "--scale", "0.1", "-o", str(out)],
    }[command]
    result = check_command(args, folder, [path])
    if command in ("compile", "regions"):
        _check_json(result)
    if command == "validate" and result.exit_code == 1:
        assert f"{path}:" in result.output, result.output
    if command in ("preview", "sheet") and result.exit_code == 0:
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- generated scenarios

TIMES = [
    "-1",
    "-0",
    ".inf",
    "-.inf",
    ".nan",
    "1e308",
    "1e-320",
    "86401",
    "'99999999999999999999m'",
    "'1h'",
    "'1:30'",
    "1:30",
    "'m'",
    "'s'",
    "''",
    "!!timestamp 2024-01-01",
    "!!binary AAAA",
    "null",
    "[1]",
    "true",
]
UIDS = (
    ["'1001'", "1001", "1002", "'1003'", "7"],
    [
        "0",
        "-1",
        "1099511627776",
        "4294967295",
        "4294967296",
        "abc",
        "''",
        "'\\e[31m7'",
        "'\\x007'",
        "'１２'",
        "0x10",
        "1e3",
        ".inf",
        "null",
        "[1]",
        "{a: 1}",
        "001002",
    ],
)
KINDS = ["join", "join", "leave", "share", "unshare", "camera_off", "camera_on", "audio_only"]
ODD_KINDS = ["set_role", "explode", "share_stop", "'jo\\x07in'", "Join"]
ROLES = (["host", "guest", "speaker", "screen"], ["''", "'\\e]0;x\\x07'", "1", "null", "[a]"])


@st.composite
def _time(draw: st.DrawFn, at: float, level: int) -> str:
    if draw(st.integers(0, 99)) < level:
        return draw(st.sampled_from(TIMES))
    roll = draw(st.integers(0, 2))
    if roll == 0:
        return f"{at:g}"
    return f"{at:g}s" if roll == 1 else f"'{int(at // 60)}m{at % 60:g}s'"


@st.composite
def scenario_texts(draw: st.DrawFn) -> str:
    """A scenario's text: usually valid, with a hostile time, uid, kind or role here and
    there."""
    level = draw(st.sampled_from([0, 0, 1, 3, 10, 30]))  # percent odds of a hostile value
    text = ""
    if _rarely(draw, 4):
        pairs = draw(st.lists(st.tuples(_value(*ROLES, level), _value(*UIDS, level)), max_size=3))
        text += "roles: {" + ", ".join(f"{r}: {u}" for r, u in pairs) + "}\n"
    if level and _rarely(draw, 8):
        where = ["../x.yaml", "missing.yaml", "/etc/passwd", ".", "1"]
        text += f"layout: {draw(st.sampled_from(where))}\n"
    if level and _rarely(draw, 8):
        text += f"extra{draw(st.sampled_from(CONTROLS))}: 1\n"
    text += "events:\n"
    events = draw(st.integers(0, 14))
    if events == 0 and draw(st.booleans()):
        return text + "  []\n"
    at = 0.0
    for _ in range(events):
        at += draw(st.sampled_from([0, 0, 0.5, 1, 5, 90]))
        text += "  - {" + ", ".join(draw(st.permutations(_event_parts(draw, at, level)))) + "}\n"
    if _rarely(draw, 12):  # many events
        many = draw(st.integers(20, 300))
        text += "".join(f"  - {{at: {at + i}, join: {1000 + i}}}\n" for i in range(many))
    return text


def _event_parts(draw: st.DrawFn, at: float, level: int) -> list[str]:
    """The keys of one scenario event at `at` seconds: usually a time and a kind, else
    hostile ones (no time, no kind, an odd kind, two kinds)."""
    parts = [f"at: {draw(_time(at, level))}"] if draw(st.integers(0, 99)) >= level else []
    kind = draw(st.sampled_from(KINDS)) if draw(st.integers(0, 99)) >= level else None
    if kind is None:
        if draw(st.booleans()):
            role, uid = draw(_value(*ROLES, level)), draw(_value(*UIDS, level))
            parts.append(f"role: {role}, uid: {uid}")
        else:
            parts.append(f"{draw(st.sampled_from(ODD_KINDS))}: {draw(_value(*UIDS, level))}")
    else:
        parts.append(f"{kind}: {draw(_value(*UIDS, level))}")
        if _rarely(draw, 4):
            parts.append(f"role: {draw(_value(*ROLES, level))}")
    if level and _rarely(draw, 15):
        parts.append(f"{draw(st.sampled_from(KINDS))}: 1002")
    return parts


PLAY_LAYOUTS = [
    "regions:\n  - {role: speaker, x: 0, y: 0, width: 1, height: 0.75}\n"
    "  - grid: {y: 75%, height: 25%, rows: 1, columns: 6, gap: 8px}\n",
    "mode: floating\n",
    "mode: vertical\nfocus: speaker\n",
    "variants:\n  - when: 1\n    regions: [{x: 0, y: 0, width: 1, height: 1}]\n"
    "  - when: 2+\n    mode: adaptive\n",
    "regions:\n  - {x: 0, y: 0, width: .inf, height: 1}\n",
    "title: {{ range(10**9) | list }}\n",
    "regions:\n{% for i in range(count) %}  - {x: {{ i / 17 }}, y: 0, width: 0.05, height: 1}\n"
    "{% endfor %}",
]


def _joins_and_leaves(rounds: int) -> str:
    """17 people join and leave, `rounds` times: each step a distinct picture."""
    lines, at = ["events:\n"], 0
    for round_ in range(rounds):
        for verb in ("join", "leave"):
            for i in range(17):
                lines.append(f"  - {{at: {at}, {verb}: {round_ * 100 + i + 1}}}\n")
                at += 1
    return "".join(lines)


@_budget(100)
@given(
    scenario=scenario_texts(),
    layout=st.one_of(st.sampled_from(PLAY_LAYOUTS), layout_texts()),
    pictures=st.integers(0, 4),
    flags=st.lists(st.sampled_from(["--hide-camera-off", "--hide-audio-only"]), unique=True),
    scale=st.sampled_from(["0.1", "0.3", "0.5"]),
)
@example(
    scenario="events:\n  - {at: .inf, join: 1001}\n",
    layout=PLAY_LAYOUTS[0],
    pictures=1,
    flags=[],
    scale="0.1",
)
@example(
    scenario="events:\n  - {at: 1m30s, join: 1001}\n  - {at: 0, leave: 1001}\n",
    layout=PLAY_LAYOUTS[0],
    pictures=1,
    flags=[],
    scale="0.1",
)
@example(  # more distinct pictures than a storyboard holds: the error names the scenario
    scenario=_joins_and_leaves(2), layout=PLAY_LAYOUTS[6], pictures=0, flags=[], scale="0.1"
)
@example(  # a templated layout is rendered and parsed again for every step, with everyone
    scenario="events:\n" + "".join(f"  - {{at: {i}, join: {i + 1}}}\n" for i in range(300)),
    layout=PLAY_LAYOUTS[6],
    pictures=1,
    flags=[],
    scale="0.1",
)
@example(  # every step renders the template again: the budget is per render, not per command
    scenario="events:\n" + "".join(f"  - {{at: {i}, join: {i + 1}}}\n" for i in range(17)),
    layout=SLOW_TEMPLATE + "  - {x: 0, y: 0, width: {{ count / 17 }}, height: 1}\n",
    pictures=1,
    flags=[],
    scale="0.1",
)
def test_generated_scenarios_play(
    tmp_path_factory: pytest.TempPathFactory,
    scenario: str,
    layout: str,
    pictures: int,
    flags: list[str],
    scale: str,
) -> None:
    folder = tmp_path_factory.mktemp("play")
    scenario_path = folder / "scene.yaml"
    scenario_path.write_text(scenario, encoding="utf-8")
    layout_path = folder / "layout.yaml"
    layout_path.write_text(layout, encoding="utf-8")
    args = ["play", str(scenario_path), "--layout", str(layout_path), *flags]
    if pictures == 0:  # now and then the storyboard and the GIF too
        args += ["--storyboard", str(folder / "board.png"), "--gif", str(folder / "a.gif")]
        args += ["--scale", scale]
    else:
        args += ["--json", "--no-pictures"]
    result = check_command(args, folder, [scenario_path, layout_path])
    if result.exit_code == 0 and "--json" in args:
        steps = json.loads(result.stdout)
        assert isinstance(steps, list)
        assert all(0 <= step["at"] <= 86400 for step in steps), steps
    if result.exit_code == 0 and pictures == 0 and "wrote" in result.output:
        assert (folder / "board.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (folder / "a.gif").read_bytes()[:4] == b"GIF8"


# ---------------------------------------------------------------- generated options

OPTION_LAYOUT = (
    "canvas: 1280x720\n"
    "regions:\n"
    "  - {role: host, x: 0, y: 0, width: 1, height: 0.7}\n"
    "  - {role: guest, right: 24px, bottom: 24px, width: 25%, aspect: '16:9'}\n"
    "  - grid: {y: 70%, height: 30%, rows: 1, columns: {{ gap | default(3) }}, gap: 4px}\n"
)
OPTION_UIDS = (
    ["1001", "1002", "1003", "1", "2", "42"],
    ["0", "-1", "1099511627776", "abc", "1\x1b[31m", " 7 ", "", "0x10", "१२", "1e3"],
)


@st.composite
def _option_uid(draw: st.DrawFn) -> str:
    sane, hostile = OPTION_UIDS
    return draw(st.sampled_from(sane if draw(st.integers(0, 5)) else hostile))


@st.composite
def option_lists(draw: st.DrawFn) -> list[str]:
    """The people and template options, usually valid."""
    args: list[str] = []
    people = draw(st.sampled_from(["count", "participants", "participants", "none", "both"]))
    if people in ("count", "both"):
        counts = ["1", "2", "3", "17"] if draw(st.integers(0, 4)) else ["0", "18", "-1", "x"]
        args += ["--count", draw(st.sampled_from(counts))]
    if people in ("participants", "both"):
        uids = draw(st.lists(_option_uid(), max_size=20))
        args += ["--participants", draw(st.sampled_from([",", ", ", ",,"])).join(uids)]
    for _ in range(draw(st.integers(0, 3))):
        role = draw(st.sampled_from(["host", "guest", "screen", "", "=", "x y", "h\x07"]))
        sep = draw(st.sampled_from(["="] * 6 + ["==", ":", ""]))
        args += ["--role", f"{role}{sep}{draw(_option_uid())}"]
    for _ in range(draw(st.integers(0, 2))):
        hidden = draw(st.one_of(_option_uid(), st.sampled_from(["1001,1002", "1001,abc"])))
        args += ["--hide", hidden]
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(["gap"] * 4 + ["count", "_x", "1x", "", "a-b"]))
        values = ["3", "1", "2", "17", "0", "-1", "1.5", "1e308", ".inf", ".nan", "9" * 30]
        values += ["[1, 2]", "{a: 1}", "!!binary AAAA", "&a x", "*a", "'", "\x1b[2J", ""]
        args += ["--var", f"{name}={draw(st.sampled_from(values))}"]
    return args


CAMERA_SHAPES = (
    ["16:9", "9:16", "4:3", "1:1"],
    [
        *("10000:1", "1:10000", "0:1", "1:0", "-1:1", "nan:1", "inf:1", "1e308:1e-308"),
        *("1", "", "a:b", "3:4:5", "1e400:1", "16:1", "17:1"),
    ],
)
SCALES = (["0.1", "0.25", "0.5"], ["0", "-1", "nan", "inf", "1e9", "1e-9", "x", "4", "4.01"])


@st.composite
def preview_options(draw: st.DrawFn) -> list[str]:
    """`preview`'s own options: camera shapes, scale, sheet, clean, video states."""
    args: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        shape = draw(_value(*CAMERA_SHAPES))
        args += ["--camera", f"{draw(_option_uid())}={shape}"]
    args += ["--scale", draw(_value(*SCALES))]
    args += draw(st.lists(st.sampled_from(["--clean", "--sheet"]), unique=True))
    for option in draw(st.lists(st.sampled_from(["--video-off", "--audio-only"]), max_size=3)):
        args += [option, draw(_option_uid())]
    return args


def _validate_options(options: list[str]) -> list[str]:
    """The options `validate` takes, out of a generated list."""
    kept: list[str] = []
    for flag, value in zip(options[::2], options[1::2], strict=False):
        if flag in ("--count", "--role", "--var"):
            kept += [flag, value]
    return kept


@_budget(150)
@given(
    command=st.sampled_from(["validate", "compile", "regions", "preview"]),
    options=option_lists(),
    picture=preview_options(),
)
@example(command="preview", options=["--count", "2"], picture=["--camera", "1=10000:1"])
@example(command="preview", options=["--count", "2"], picture=["--scale", "1e9"])
@example(command="preview", options=["--count", "2"], picture=["--scale", "nan"])
@example(command="preview", options=["--count", "2"], picture=["--scale", "0"])
@example(command="preview", options=["--count", "2"], picture=["--scale", "1e-9", "--sheet"])
@example(command="preview", options=["--count", "2"], picture=["--scale", "0.001"])
@example(command="compile", options=["--participants", "1,1,1", "--role", "host=1"], picture=[])
@example(command="compile", options=["--var", "gap=0"], picture=[])
@example(command="compile", options=["--var", "gap=99999999999"], picture=[])
@example(command="regions", options=["--count", "17", "--hide", "1,2,3"], picture=[])
def test_generated_options(
    tmp_path_factory: pytest.TempPathFactory, command: str, options: list[str], picture: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("options")
    path = folder / "layout.yaml"
    path.write_text(OPTION_LAYOUT, encoding="utf-8")
    args = [command, str(path)]
    if command == "validate":  # validate takes --count 1..17, --role, --var and --strict
        args += _validate_options(options)
    else:
        args += options
    if command == "preview":
        args += [*picture, "-o", str(folder / "out.png")]
    elif command == "compile":
        args += ["--as", "layout-config"]
    result = check_command(args, folder, [path])
    if command in ("compile", "regions"):
        _check_json(result)
