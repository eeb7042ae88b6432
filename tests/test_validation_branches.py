"""`validate` checks every branch: variants gated by roles and template branches on
roles, with the case named in each message; unused variants; `roles:` and --role
checked against the roles a layout knows; variant mismatches in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from layoutkit import CompileError, LayoutValidationError, parse_layout
from layoutkit.cli import cli
from layoutkit.compile.compiler import compile_full
from layoutkit.compile.report import validate_layout
from layoutkit.layout.roles import (
    check_role_names,
    known_roles,
    role_cases,
    template_roles,
)

Write = Callable[..., Path]

SCREEN_SHARE = """\
canvas: 1280x720
roles:
  presenter: the person presenting
  screen: the shared screen
variants:
  - when: 1
    regions:
      - {role: presenter, x: 0, y: 0, width: 1, height: 1}
  - when: {count: 2+, roles: [screen]}
    regions:
      - {role: screen, x: 0, y: 0, width: 120%, height: 1, fit: fit}
      - grid: {x: 75%, width: 25%, rows: 4, columns: 1, gap: 4px}
  - when: 2+
    mode: adaptive
"""

TEMPLATE_BRANCH = """\
canvas: 1280x720
counts: 1-5
regions:
{% if 'screen' in roles %}
  - {role: screen, x: 0, y: 0, width: 75%, height: 1.5, fit: fit}
  - grid: {x: 75%, width: 25%, rows: 4, columns: 1}
{% else %}
  - grid: {rows: 2, columns: 3, cells: 5}
{% endif %}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_a_screen_share_variant_is_checked_with_screen_bound(write_layout: Write) -> None:
    path = write_layout(SCREEN_SHARE)
    code, out = run("validate", str(path))
    assert code == 1, out
    head = out.splitlines()[0]
    assert head.startswith(f"{path}:11:43: error: variants[1].regions[0].width: width comes to 1.2")
    assert head.endswith("[at counts 2-17 with screen]")
    assert out.splitlines()[-1] == f"{path}: fails at counts 2-17 with screen (1 error, 1 warning)"

    report = validate_layout(parse_layout(SCREEN_SHARE))
    assert report.cases == ((), ("screen",))
    finding = report.findings[0]
    assert finding.issue.severity == "error" and finding.at == ((("screen",), tuple(range(2, 18))),)
    assert report.failing == tuple(range(2, 18)) and not report.ok


def test_without_a_role_the_message_keeps_the_plain_counts(write_layout: Write) -> None:
    path = write_layout(
        "variants:\n  - when: 1-3\n    regions: [{x: 0, y: 0, width: 1, height: 1}]\n"
    )
    code, out = run("validate", str(path))
    assert code == 1
    assert out.splitlines()[0].endswith("[at counts 4-17]")
    assert out.splitlines()[-1] == f"{path}: fails at counts 4-17 (1 error, 2 warnings)"


def test_a_template_branch_on_roles_is_checked(write_layout: Write) -> None:
    path = write_layout(TEMPLATE_BRANCH)
    code, out = run("validate", str(path))
    assert code == 1, out
    head = out.splitlines()[0]
    assert "error: regions[0].height: height comes to 1.5 of the canvas" in head
    assert head.endswith("[at counts 1-5 with screen]")
    assert out.splitlines()[-1] == f"{path}: fails at counts 1-5 with screen (1 error)"


def test_a_variant_no_case_selects_is_reported(write_layout: Write) -> None:
    path = write_layout(
        "canvas: 1280x720\nvariants:\n"
        "  - when: 1\n    mode: floating\n"
        "  - when: 2+\n    mode: adaptive\n"
        "  - when: {count: 2+, roles: [screen]}\n"
        "    regions:\n      - {role: screen, x: 0, y: 0, width: 75%, height: 1}\n"
    )
    code, out = run("validate", str(path))
    assert code == 0, out
    assert out.splitlines()[0] == (
        f"{path}:7:11: warning: variants[2].when: variant 3 (when: {{count: 2+, roles: "
        "[screen]}) is never used: variant 2 (when: 2+) comes first and matches whenever it "
        "does; move it up, or narrow variant 2"
    )
    assert out.splitlines()[-1] == (
        f"{path}: ok at counts 1-17, with no role and with screen (1 warning)"
    )
    # checking one count says nothing about the others: no claim
    assert "never used" not in run("validate", str(path), "--count", "3")[1]


def test_a_mistyped_role_is_a_usage_error_with_a_suggestion(write_layout: Write) -> None:
    path = write_layout(SCREEN_SHARE.replace("120%", "75%"))
    for command in ("validate", "compile", "regions"):
        code, out = run(command, str(path), "--role", "presentr=2001")
        assert code == 2, out
        assert "role 'presentr' is not one this layout knows; did you mean 'presenter'?" in out
    code, out = run("preview", str(path), "--role", "presentr=2001", "-o", "-")
    assert code == 2 and "did you mean 'presenter'" in out
    assert run("compile", str(path), "--count", "2", "--role", "presenter=2001")[0] == 0


def test_a_role_for_a_layout_without_roles_is_a_usage_error(write_layout: Write) -> None:
    path = write_layout("mode: adaptive\n")
    code, out = run("compile", str(path), "--role", "host=1")
    assert code == 2 and "role 'host': this layout has no roles" in out


def test_a_variant_mismatch_names_the_count_and_roles_in_words() -> None:
    full = "[{x: 0, y: 0, width: 1, height: 1}]"
    text = (
        f"variants:\n  - when: 1\n    regions: {full}\n"
        f"  - when: 2-4\n    regions: {full}\n"
        f"  - when: {{count: 5+, roles: [screen]}}\n    regions: {full}\n"
    )
    layout = parse_layout(text)
    with pytest.raises(LayoutValidationError) as info:
        compile_full(layout, [str(n) for n in range(1, 6)], {"host": "1"})
    assert info.value.issues[0].message == (
        "no variant matches 5 people; the variants cover: 1 person; 2 to 4 people; 5 or more "
        "people with screen (add a variant, or top-level regions as a fallback)"
    )
    text = f"variants:\n  - when: 1\n    regions: {full}\n  - when: {{roles: [screen, host]}}\n"
    with pytest.raises(LayoutValidationError) as info:
        compile_full(parse_layout(text + "    mode: adaptive\n"), ["1", "2", "3"], {"screen": "2"})
    assert info.value.issues[0].message.startswith(
        "no variant matches 3 people with screen; the variants cover: 1 person; any number "
        "of people with screen and host ("
    )
    # validate names every count that fails, in one message
    report = validate_layout(layout)
    errors = [i for i in report.issues if i.severity == "error"]
    assert [i.message.split(";")[0] for i in errors] == ["no variant matches 5 to 17 people"]


def test_known_roles_are_declared_used_and_tested_by_the_template() -> None:
    layout = parse_layout(
        "roles: {guest: the visitor}\nfocus: speaker\nmode: vertical\n"
        "{% if roles.host is defined and 'cohost' not in roles %}{% endif %}"
        "{{ roles['panel'] | default('') }}\n"
    )
    assert known_roles(layout) == {
        "guest": "the visitor",
        "speaker": "",
        "host": "",
        "cohost": "",
        "panel": "",
    }
    assert template_roles("{{ roles.get('x') }} {% for r in roles.items() %}{% endfor %}") == ["x"]
    assert template_roles("roles.host outside a template block") == []


def test_declared_role_names_are_checked() -> None:
    with pytest.raises(LayoutValidationError) as info:
        parse_layout('roles: {"": nameless}\n')
    assert info.value.issues[0].message == "must not be empty"
    assert parse_layout("roles: {screen: }\n").document.roles == {"screen": ""}


def test_python_ignores_roles_a_layout_does_not_know() -> None:
    # the Director binds `screen` on every share, whatever the layout
    layout = parse_layout("mode: adaptive\n")
    assert compile_full(layout, ["1", "2"], {"screen": "2"}).payload.to_wire()
    with pytest.raises(CompileError, match="this layout has no roles"):
        check_role_names(layout, ["screen"])
    with pytest.raises(CompileError, match="did you mean 'presenter'"):
        check_role_names(parse_layout(SCREEN_SHARE), ["presentr"])


def test_role_cases_are_bounded() -> None:
    assert len(role_cases(["a", "b", "c", "d"])) == 16
    assert role_cases(list("abcde")) == [(), *((r,) for r in "abcde"), tuple("abcde")]
    tests = " ".join(f"{{% if '{r}' in roles %}}{{% endif %}}" for r in "abcde")
    report = validate_layout(parse_layout(f"mode: adaptive\n{tests}\n"))
    assert report.limited and len(report.cases) == 7
    assert "each role alone and all together" in report.scope()


def test_a_case_of_k_roles_starts_at_k_people() -> None:
    text = (
        "variants:\n  - when: {roles: [a, b]}\n    mode: adaptive\n"
        "  - when: 0+\n    mode: floating\n"
    )
    report = validate_layout(parse_layout(text))
    assert dict(report.checked)[("a", "b")] == tuple(range(2, 18))
    assert report.ok and report.issues == []
