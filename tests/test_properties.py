"""Property: any generated layout document either compiles to a payload the wire models
accept (numbers in [0,1], at most 6 decimals) or raises a located LayoutError.

The compiler builds the payload as JSON without pydantic (`Compilation.payload_json`,
`transcoding_json`); here every compilation's JSON is validated with the wire models
and must come back from their `to_wire()` unchanged, key order included."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layoutkit import LayoutError, parse_layout
from layoutkit.compile.compiler import compile_full
from layoutkit.compile.modes import resolve_payload
from layoutkit.wire import TranscodingConfig, UpdateLayoutClientRequest, json_context
from layoutkit.wire.layout import LayoutFields

fractions = st.floats(min_value=-0.2, max_value=1.2, allow_nan=False).map(lambda v: round(v, 4))
lengths = st.one_of(
    fractions,
    st.integers(min_value=-5, max_value=120).map(lambda v: f"{v}%"),
    st.integers(min_value=-20, max_value=2000).map(lambda v: f"{v}px"),
    st.sampled_from(["wide", "12pt", None, [1]]),
)
uids = st.one_of(st.integers(min_value=0, max_value=2**32), st.sampled_from(["x1", "", "42"]))
region_keys = st.sampled_from(["x", "y", "right", "bottom", "width", "height", "w", "h"])


@st.composite
def regions(draw: st.DrawFn) -> dict[str, Any]:
    region: dict[str, Any] = {}
    for key in draw(st.lists(region_keys, max_size=6, unique=True)):
        region[key] = draw(lengths)
    if draw(st.booleans()):
        region["aspect"] = draw(st.sampled_from(["16:9", "9:16", "1:1", "4:3", "0:0", 2]))
    if draw(st.booleans()):
        region["alpha"] = draw(st.floats(min_value=-0.5, max_value=1.5, allow_nan=False))
    if draw(st.booleans()):
        region["fit"] = draw(st.sampled_from(["crop", "fit", "cover"]))
    who = draw(st.sampled_from(["none", "uid", "role", "both"]))
    if who in ("uid", "both"):
        region["uid"] = draw(uids)
    if who in ("role", "both"):
        region["role"] = draw(st.sampled_from(["host", "guest", "screen"]))
    if draw(st.integers(0, 3)) == 0:
        region["placeholder"] = draw(
            st.sampled_from(["https://cdn.example.com/guest.jpg", "http://a/b.bmp"])
        )
    if draw(st.integers(0, 4)) == 0:
        region["fill"] = "agora"
    if draw(st.integers(0, 9)) == 0:
        region[draw(st.sampled_from(["widht", "colour", "z"]))] = 1
    return region


@st.composite
def grids(draw: st.DrawFn) -> dict[str, Any]:
    grid: dict[str, Any] = {
        "rows": draw(st.integers(0, 5)),
        "columns": draw(st.integers(1, 5)),
    }
    for key in draw(
        st.lists(
            st.sampled_from(["x", "y", "width", "height", "gap", "padding"]),
            max_size=3,
            unique=True,
        )
    ):
        grid[key] = draw(lengths)
    if draw(st.booleans()):
        grid["cells"] = draw(st.integers(0, 30))
    if draw(st.booleans()):
        grid["aspect"] = draw(st.sampled_from(["16:9", "1:1"]))
    if draw(st.booleans()):
        grid["order"] = draw(st.sampled_from(["row", "column", "spiral"]))
    return {"grid": grid}


entries = st.lists(st.one_of(regions(), grids()), max_size=6)


# keys a generated document may have, with the values each may take
_CHOICES: dict[str, list[Any]] = {
    "canvas": ["1280x720", "640x360", "1080x1920", "2560x1440", {"width": 360, "height": 640}],
    "background": ["#101820", "#abc", "red", "#12345"],
    "mode": ["custom", "adaptive", "floating", "vertical", 3, 7],
    "focus": ["host", "1001", "0"],
}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key, choices in _CHOICES.items():
        if draw(st.booleans()):
            doc[key] = draw(st.sampled_from(choices))
    if draw(st.integers(0, 3)) == 0:
        doc["background_image"] = "https://cdn.example.com/studio.jpg"
    if draw(st.integers(0, 3)) == 0:
        doc["placeholder_image"] = "https://cdn.example.com/card.jpg"
    if draw(st.booleans()):
        doc["fps"] = draw(st.sampled_from([15, 24, 30]))
    if draw(st.booleans()):
        doc["bitrate"] = draw(st.sampled_from([500, 1710, 6500]))
    if draw(st.integers(0, 3)) > 0:
        doc["regions"] = draw(entries)
    if draw(st.booleans()):
        doc["variants"] = _variants(draw)
    return doc


def _variants(draw: st.DrawFn) -> list[dict[str, Any]]:
    return [
        {
            "when": draw(
                st.sampled_from([1, "2-4", "5+", "3-1", {"count": "2+", "roles": ["screen"]}])
            ),
            **({"regions": draw(entries)} if draw(st.booleans()) else {}),
            **(
                {"mode": draw(st.sampled_from(["adaptive", "custom"]))}
                if draw(st.booleans())
                else {}
            ),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]


def assert_round_trip(model: type[LayoutFields], wire: dict[str, Any]) -> None:
    """`wire` is JSON the model accepts (on the emulator's strict JSON path too) and
    gives back unchanged from `to_wire()`, key order included."""
    text = json.dumps(wire)
    assert json.loads(text) == wire  # JSON-ready: no tuples, enums or other objects
    assert json.dumps(model.model_validate(json.loads(text)).to_wire()) == text
    strict = model.model_validate(json.loads(text), context=json_context())
    assert json.dumps(strict.to_wire()) == text


def assert_wire_numbers(payload: dict[str, Any]) -> None:
    for entry in payload.get("layoutConfig", []):
        for key in ("x_axis", "y_axis", "width", "height", "alpha"):
            value = entry[key]
            assert 0 <= value <= 1, (key, value)
            assert Decimal(repr(value)).as_tuple().exponent >= -6, (key, value)  # type: ignore[operator]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents(),
    st.integers(min_value=0, max_value=17),
    st.dictionaries(
        st.sampled_from(["host", "guest", "screen"]),
        st.sampled_from(["1001", "1002", "1"]),
        max_size=2,
    ),
    st.booleans(),
    st.lists(st.sampled_from(["1", "2", "1001", "1002"]), max_size=2, unique=True),
)
def test_documents_compile_or_raise_a_located_error(
    document: dict[str, Any], count: int, roles: dict[str, str], strict: bool, hide: list[str]
) -> None:
    text = yaml.safe_dump(document, sort_keys=False)
    people = [str(n) for n in range(1, count + 1)] + ["1001", "1002"][: count // 8]
    hidden = [uid for uid in hide if uid in people]
    try:
        layout = parse_layout(text)
        if hidden:
            result = compile_full(layout, people, roles, strict=strict, hidden=hidden)
        else:
            result = compile_full(layout, None, roles, count=count, strict=strict)
    except LayoutError as exc:
        issues = getattr(exc, "issues", None)
        if issues is not None:
            assert issues and all(i.line is not None for i in issues), issues
        else:
            assert exc.line is not None, exc
        return
    payload, start = result.payload_json, result.transcoding_json
    assert_round_trip(UpdateLayoutClientRequest, payload)
    assert_round_trip(TranscodingConfig, start)
    assert result.payload.to_wire() == payload and result.transcoding.to_wire() == start
    assert_wire_numbers(payload)
    assert len(payload.get("layoutConfig", [])) <= 17
    for region in result.regions:
        assert region.uid is None or region.uid in result.participants


# Layouts that compile: regions inside the canvas, grids that fit, any mode, roles, uids,
# placeholders, `fill: agora`; compiled for made-up or given participants, some hidden.
spans = st.integers(min_value=1, max_value=50).map(lambda v: v / 100)
ok_lengths = st.one_of(spans, spans.map(lambda v: f"{v * 100:g}%"))


@st.composite
def ok_regions(draw: st.DrawFn) -> dict[str, Any]:
    region: dict[str, Any] = {"x": draw(ok_lengths), "y": draw(ok_lengths)}
    region["w" if draw(st.booleans()) else "width"] = draw(ok_lengths)
    if draw(st.booleans()):
        region["aspect"] = draw(st.sampled_from(["16:9", "1:1", "4:3"]))
    else:
        region["height"] = draw(ok_lengths)
    who = draw(st.sampled_from(["none", "uid", "role", "agora"]))
    if who == "uid":
        region["uid"] = draw(st.sampled_from([1, 2, 1001, "3"]))
    elif who == "role":
        region["role"] = draw(st.sampled_from(["host", "guest"]))
    elif who == "agora":
        region["fill"] = "agora"
    if draw(st.booleans()):
        region["alpha"] = draw(st.sampled_from([0, 0.5, 0.95, 1]))
    if draw(st.booleans()):
        region["fit"] = draw(st.sampled_from(["crop", "fit"]))
    if draw(st.booleans()) and who in ("uid", "role", "none"):
        region["placeholder"] = "https://cdn.example.com/guest.jpg"
    return region


@st.composite
def ok_grids(draw: st.DrawFn) -> dict[str, Any]:
    rows, columns = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    grid: dict[str, Any] = {"rows": rows, "columns": columns}
    if draw(st.booleans()):
        grid["cells"] = draw(st.integers(1, rows * columns))
    if draw(st.booleans()):
        grid.update(y="50%", height="50%", gap="8px", padding=0.01)
    if draw(st.booleans()):
        grid["order"] = "column"
    if draw(st.booleans()):
        grid["fit"] = "fit"
    return {"grid": grid}


ok_entries = st.lists(st.one_of(ok_regions(), ok_grids()), min_size=1, max_size=4)


@st.composite
def ok_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "canvas": draw(st.sampled_from(["1280x720", "640x360", "1080x1920"])),
        "background": draw(st.sampled_from(["#101820", "#abc"])),
    }
    mode = draw(st.sampled_from(["custom", "custom", "floating", "adaptive", "vertical"]))
    if mode == "custom":
        doc["regions"] = draw(ok_entries)
    else:
        doc["mode"] = mode
        if mode == "vertical" and draw(st.booleans()):
            doc["focus"] = draw(st.sampled_from(["host", "2"]))
    if draw(st.booleans()):
        doc["variants"] = [{"when": "1-2", "regions": draw(ok_entries)}, {"when": "3+"}]
    if draw(st.booleans()):
        doc["placeholder_image"] = "https://cdn.example.com/card.jpg"
    if draw(st.booleans()):
        doc["background_image"] = "https://cdn.example.com/studio.jpg"
    return doc


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ok_documents(),
    st.integers(min_value=0, max_value=17),
    st.booleans(),
    st.lists(st.integers(1, 6).map(str), max_size=2, unique=True),
)
def test_compiled_json_is_what_the_wire_models_give(
    document: dict[str, Any], count: int, bind: bool, hide: list[str]
) -> None:
    layout = parse_layout(yaml.safe_dump(document, sort_keys=False))
    people = [str(n) for n in range(1, count + 1)]
    roles = {"host": "1", "guest": "2"} if bind and count >= 2 else {}
    hidden = [uid for uid in hide if uid in people]
    try:
        result = compile_full(layout, people, roles, hidden=hidden)
    except LayoutError:
        return  # e.g. a region's uid or role twice: located, and checked elsewhere
    assert_round_trip(UpdateLayoutClientRequest, result.payload_json)
    assert_round_trip(TranscodingConfig, result.transcoding_json)
    assert result.payload.to_wire() == result.payload_json
    assert result.transcoding.to_wire() == result.transcoding_json
    # what is drawn is the same read from the JSON or from the model
    assert resolve_payload(result.payload, result.participants) == result.regions
    assert_wire_numbers(result.payload_json)
