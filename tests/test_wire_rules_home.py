"""One home per rule (ARCHITECTURE.md: a rule both sides enforce is written once).

The code of layoutkit/ (docstrings and comments are documentation, and left alone) is
searched for the values that used to be written out in several places; each may appear
only where it is defined, and everything else imports it:

- the uid range: `wire.rules.UID_MAX`, checked only by `wire.rules.check_uid`;
- the URL rule: `wire.rules.URL_PATTERN`, checked only by `wire.rules.check_url`
  (`wire.rules` loads no pydantic; `wire.base` re-exports both for the wire models);
- the most regions or users Agora draws, 17: `wire.rules.MAX_REGIONS` (re-exported as
  `wire.layout.MAX_REGIONS`; the command line reads it without loading pydantic);
- the default canvas 360×640: `wire.rules.DEFAULT_WIDTH` / `DEFAULT_HEIGHT`;
- the default camera aspect 16:9: `cameras.DEFAULT_ASPECT`.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from layoutkit.client import error_fields
from layoutkit.wire.rules import UID_MAX, check_uid, check_url

PACKAGE = Path(__file__).resolve().parent.parent / "layoutkit"
HOME = "wire/rules.py"  # the home of the uid and URL rules (no pydantic)

Finding = tuple[str, int, str]  # file, line, what


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of string constants that are statements of their own (docstrings, and
    the strings written under a constant to document it)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _assigned_to(node: ast.AST, parents: dict[int, ast.AST]) -> str | None:
    """The name a module- or class-level constant assignment gives the value `node` is
    part of, if any."""
    current: ast.AST | None = node
    while current is not None:
        if isinstance(current, ast.Assign) and len(current.targets) == 1:
            target = current.targets[0]
            return target.id if isinstance(target, ast.Name) else None
        if isinstance(current, ast.AnnAssign) and isinstance(current.target, ast.Name):
            return current.target.id
        current = parents.get(id(current))
    return None


def _int(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _call_name(node: ast.AST | None) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return ""


_UID_TEXT = re.compile(r"4_?294_?967_?295")
_LIMIT_TEXT = re.compile(r"\b(?:[01]\s*(?:\.\.|-|–|to)\s*17|at most 17|up to 17)\b")
_CANVAS_TEXT = re.compile(r"\b360\s*(?:x|×|, ?)\s*640\b")
_URL_PATTERN_TEXT = re.compile(r"https\?://")
_LIMIT_KEYWORDS = {"le", "lt", "ge", "gt", "max_length", "min_length", "max", "min"}
_LIMIT_CALLS = {"IntRange", "range", "min", "max", "FloatRange"}
_LIMIT_NAMES = re.compile(r"^[A-Z0-9_]*(MAX|LIMIT|MOST|REGIONS|USERS|PEOPLE|COUNTS)[A-Z0-9_]*$")


class _Spot(NamedTuple):
    """One node of a module's tree, with what the checks ask of it."""

    name: str  # the module, relative to the package
    node: ast.AST
    owner: str | None  # the name it is assigned to
    value: int | None  # the int it is, if it is one
    parent: ast.AST | None
    in_docstring: bool


def findings(name: str, source: str) -> Iterator[Finding]:
    """Every place in one module's code that writes out a value with a home elsewhere."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    parents = _parents(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        spot = _Spot(
            name,
            node,
            _assigned_to(node, parents),
            _int(node),
            parents.get(id(node)),
            id(node) in docs,
        )
        for check in _CHECKS:
            for what in check(spot):
                yield name, line, what


def _uid_range(spot: _Spot) -> Iterator[str]:
    """The uid range: the number itself, 2**32 (minus one), and range checks."""
    name, node = spot.name, spot.node
    if spot.value == UID_MAX and (name, spot.owner) != (HOME, "UID_MAX"):
        yield "the uid maximum written out (use wire.rules.UID_MAX)"
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Pow)
        and (_int(node.left), _int(node.right)) == (2, 32)
    ):
        yield "2**32 written out (use wire.rules.UID_MAX)"
    if (
        isinstance(node, ast.Compare)
        and name != HOME
        and any(isinstance(n, ast.Name) and n.id == "UID_MAX" for n in ast.walk(node))
    ):
        yield "a uid range check of its own (call wire.rules.check_uid)"


def _region_limit(spot: _Spot) -> Iterator[str]:
    """17: as a bound, a limit constant or a range end (18 in range(1, 18), 17 * 17)."""
    owner, parent = spot.owner, spot.parent
    if spot.value == 17 and (spot.name, owner) != (HOME, "MAX_REGIONS"):
        as_limit = (
            isinstance(parent, ast.Compare | ast.Slice)
            or (isinstance(parent, ast.keyword) and parent.arg in _LIMIT_KEYWORDS)
            or _call_name(parent) in _LIMIT_CALLS
            or (owner is not None and _LIMIT_NAMES.match(owner) is not None)
        )
        if as_limit:
            yield "17 as a limit (use wire.layout.MAX_REGIONS)"
    if spot.value == 18 and _call_name(parent) == "range":
        yield "range(..., 18) (use MAX_REGIONS + 1)"
    if spot.value == 289:
        yield "17 × 17 written out (use MAX_REGIONS)"


def _default_canvas(spot: _Spot) -> Iterator[str]:
    """The default canvas: 360 and 640 side by side (a call, tuple, list or set); the
    default camera aspect: 16 / 9."""
    node = spot.node
    if isinstance(node, ast.Call | ast.Tuple | ast.List | ast.Set) and spot.owner != (
        "VIDEO_PROFILES"
    ):
        parts = (
            [*node.args, *(k.value for k in node.keywords)]
            if isinstance(node, ast.Call)
            else node.elts
        )
        if {360, 640} <= {_int(p) for p in parts}:
            yield "the default canvas written out (use wire.rules.DEFAULT_*)"
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Div)
        and (_int(node.left), _int(node.right)) == (16, 9)
        and (spot.name, spot.owner) != ("cameras.py", "DEFAULT_ASPECT")
    ):
        yield "16 / 9 written out (use cameras.DEFAULT_ASPECT)"


def _message_text(spot: _Spot) -> Iterator[str]:
    """Text: messages and help quote the values through their names, never by heart."""
    node = spot.node
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return
    if spot.in_docstring:
        return
    text = node.value
    if _UID_TEXT.search(text):
        yield "the uid maximum in a message (format UID_MAX into it)"
    if _LIMIT_TEXT.search(text):
        yield "17 in a message (format MAX_REGIONS into it)"
    if _CANVAS_TEXT.search(text):
        yield "the default canvas in a message (format DEFAULT_*)"
    if _URL_PATTERN_TEXT.search(text) and spot.name != HOME:
        yield "a URL pattern of its own (call wire.rules.check_url)"


def _url_prefix(spot: _Spot) -> Iterator[str]:
    """A URL test by prefix: x.startswith(("http://", "https://"))."""
    if _call_name(spot.node) == "startswith" and spot.name != HOME:
        prefixes = {
            c.value
            for arg in getattr(spot.node, "args", ())
            for c in ast.walk(arg)
            if isinstance(c, ast.Constant) and isinstance(c.value, str)
        }
        if {"http://", "https://"} & prefixes:
            yield "a URL rule of its own (call wire.rules.check_url)"


_CHECKS: tuple[Callable[[_Spot], Iterator[str]], ...] = (
    _uid_range,
    _region_limit,
    _default_canvas,
    _message_text,
    _url_prefix,
)


def _tree(root: Path) -> list[Finding]:
    found: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        found.extend(findings(name, path.read_text(encoding="utf-8")))
    return found


def test_values_with_a_home_are_written_only_there() -> None:
    assert _tree(PACKAGE) == []


SAMPLE = '''
"""A docstring may say 1..4294967295, 360x640 and at most 17."""
UID_LIMIT = 4_294_967_295
MAX_USERS = 17
WIDE = 16 / 9

def f(uid: int, users: list[str]) -> object:
    if not 1 <= uid <= UID_MAX:
        raise ValueError("uid is outside 1..4294967295")
    if uid > 2**32 - 1 or len(users) > 17:
        raise ValueError("Agora draws at most 17")
    return users[:17], range(1, 18), Canvas(width=360, height=640), (360, 640), 289

def g(url: str) -> bool:
    return url.startswith(("http://", "https://")) or re.match(r"^https?://", url)

class Region(IntEnum):
    EU_WEST_1 = 17  # an enum value, not a limit
GROUPS = {3: (13, 17)}  # a table row, not a limit
'''


def test_the_search_finds_each_kind_of_copy() -> None:
    """The search is not blind: each way of writing a value out is found, and
    documentation, enum values and table rows are not."""
    found = [(line, what.split(" (")[0]) for _, line, what in findings("sample.py", SAMPLE)]
    assert found.count((3, "the uid maximum written out")) == 1
    assert (4, "17 as a limit") in found
    assert (5, "16 / 9 written out") in found
    assert (8, "a uid range check of its own") in found
    assert (9, "the uid maximum in a message") in found
    assert (10, "2**32 written out") in found and (10, "17 as a limit") in found
    assert (11, "17 in a message") in found
    assert sorted(what for line, what in found if line == 12) == [
        "17 as a limit",
        "17 × 17 written out",
        "range(..., 18)",
        "the default canvas written out",
        "the default canvas written out",
    ]
    assert [what for line, what in found if line == 15] == [
        "a URL rule of its own",
        "a URL pattern of its own",
    ]
    assert not [f for f in found if f[0] in (2, 18, 19)]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://a", True),
        ("https://cdn.example.com/bg.jpg?x=1#y", True),
        ("https://", False),
        ("http:///path", False),
        ("ftp://cdn.example.com/bg.jpg", False),
        ("https://cdn.example.com/a b.jpg", False),
        ("https://cdn.example.com/bg.jpg\n", False),
        ("cdn.example.com/bg.jpg", False),
    ],
)
def test_one_url_rule_for_the_layout_file_and_the_payload(url: str, ok: bool) -> None:
    """The authoring model and the wire take the same URLs (`check_url`): what loads,
    compiles, and what does not load says why, on its line."""
    from layoutkit import parse_layout
    from layoutkit.compile.compiler import compile_full
    from layoutkit.errors import LayoutValidationError
    from layoutkit.wire.layout import BackgroundConfig, UpdateLayoutClientRequest

    quoted = json.dumps(url)  # YAML reads a JSON string as it is, escapes and all
    text = (
        f"background_image: {quoted}\n"
        f"regions:\n  - {{x: 0, y: 0, width: 1, height: 1, placeholder: {quoted}}}\n"
    )
    wire_ok = True
    for validate in (
        lambda: UpdateLayoutClientRequest.model_validate({"backgroundImage": url}),
        lambda: BackgroundConfig.model_validate({"uid": "1", "image_url": url}),
    ):
        try:
            validate()
        except ValueError:
            wire_ok = False
    assert wire_ok is ok
    if ok:
        assert check_url(url) == url
        payload = compile_full(parse_layout(text), count=1).payload.to_wire()
        assert payload["backgroundImage"] == url
        assert payload["backgroundConfig"][0]["image_url"] == url
        return
    with pytest.raises(LayoutValidationError) as info:
        parse_layout(text)
    lines = sorted(issue.line or 0 for issue in info.value.issues)
    assert lines == [1, 3]
    assert all("is not an http(s) URL" in issue.message for issue in info.value.issues)
    assert not any("validation error" in issue.message for issue in info.value.issues)


def test_the_wire_models_use_the_rules_of_wire_rules() -> None:
    """`wire.base` (pydantic) uses the rules of `wire.rules`; it defines none of its own."""
    source = (PACKAGE / "wire" / "base.py").read_text(encoding="utf-8")
    assert not re.search(
        r"^(def check_|class (MixedVideoLayout|RenderMode)|UID_MAX =)", source, re.M
    )


def test_one_uid_check() -> None:
    assert check_uid(UID_MAX) == str(UID_MAX) and check_uid(" 07 ") == "7"
    for bad in (0, UID_MAX + 1, True, "x", None):
        with pytest.raises(ValueError, match=str(UID_MAX)):
            check_uid(bad)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"code": 2, "reason": "invalid parameter"}, (2, "invalid parameter")),
        ({"code": "65", "reason": "request not completed"}, (65, "request not completed")),
        ({"code": 404, "serverResponse": {"payload": {"message": "nested"}}}, (404, "nested")),
        (
            {"message": "Invalid authentication credentials"},
            (None, "Invalid authentication credentials"),
        ),
        ({"code": 2, "reason": ""}, (2, None)),
        ({"code": True, "reason": "x"}, (None, None)),
        (None, (None, None)),
        (["not", "an", "object"], (None, None)),
    ],
)
def test_the_client_reads_error_bodies_with_the_wire_models(
    body: object, fields: tuple[int | None, str | None]
) -> None:
    assert error_fields(body) == fields


def test_the_client_parses_no_error_body_by_hand() -> None:
    source = (PACKAGE / "client.py").read_text(encoding="utf-8")
    assert not re.search(r"""\.get\(\s*["'](code|reason|message|serverResponse)["']""", source)
