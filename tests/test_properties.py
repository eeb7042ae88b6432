"""Property: any generated layout document either compiles to a payload the wire models
accept (numbers in [0,1], at most 6 decimals) or raises a located LayoutError."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layoutkit import LayoutError, parse_layout
from layoutkit.compile.compiler import compile_full
from layoutkit.wire import TranscodingConfig, UpdateLayoutClientRequest

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


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if draw(st.booleans()):
        doc["canvas"] = draw(
            st.sampled_from(
                ["1280x720", "640x360", "1080x1920", "2560x1440", {"width": 360, "height": 640}]
            )
        )
    if draw(st.booleans()):
        doc["background"] = draw(st.sampled_from(["#101820", "#abc", "red", "#12345"]))
    if draw(st.booleans()):
        doc["mode"] = draw(st.sampled_from(["custom", "adaptive", "floating", "vertical", 3, 7]))
    if draw(st.booleans()):
        doc["focus"] = draw(st.sampled_from(["host", "1001", "0"]))
    if draw(st.integers(0, 3)) > 0:
        doc["regions"] = draw(entries)
    if draw(st.booleans()):
        doc["variants"] = [
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
    return doc


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
)
def test_documents_compile_or_raise_a_located_error(
    document: dict[str, Any], count: int, roles: dict[str, str], strict: bool
) -> None:
    text = yaml.safe_dump(document, sort_keys=False)
    try:
        result = compile_full(parse_layout(text), None, roles, count=count, strict=strict)
    except LayoutError as exc:
        issues = getattr(exc, "issues", None)
        if issues is not None:
            assert issues and all(i.line is not None for i in issues), issues
        else:
            assert exc.line is not None, exc
        return
    payload = json.loads(json.dumps(result.payload.to_wire()))
    assert UpdateLayoutClientRequest.model_validate(payload).to_wire() == payload
    start = json.loads(json.dumps(result.transcoding.to_wire()))
    assert TranscodingConfig.model_validate(start).to_wire() == start
    assert_wire_numbers(payload)
    assert len(payload.get("layoutConfig", [])) <= 17
    for region in result.regions:
        assert region.uid is None or region.uid in result.participants
