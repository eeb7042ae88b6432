"""The authoring model's own validator (`layout.fields`, `layout.kinds`): values are read
as the loader always read them (numbers written as text included), every problem at
once, each on its key or value, and the keys a model takes are declared once."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from layoutkit import LayoutValidationError, parse_layout
from layoutkit.errors import Issue
from layoutkit.layout import model
from layoutkit.layout.fields import declared, known_keys, read_document
from layoutkit.layout.kinds import number, whole_number

INT = TypeAdapter(int)
FLOAT = TypeAdapter(float)


def lax(adapter: TypeAdapter[int] | TypeAdapter[float], value: object) -> object:
    """What the loader read before it had its own validator (pydantic's lax mode)."""
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


@given(
    st.one_of(
        st.integers(-(10**12), 10**12),
        st.booleans(),
        # beyond 2**63 the old reading said "not a whole number", now "out of range"
        st.floats(min_value=-(2.0**62), max_value=2.0**62),
        st.from_regex(r"\A\s{0,2}[+-]?[0-9]{1,4}(_[0-9]{1,3})?(\.0{0,2}|\.[0-9]{1,2})?\s{0,2}\Z"),
        st.sampled_from(["", " ", "1e3", "0x10", "nan", "inf", "1__0", "_1", "1_", "١٢"]),
        st.none(),
        st.lists(st.integers(), max_size=1),
    )
)
def test_whole_numbers_are_read_as_the_loader_always_read_them(value: object) -> None:
    assert whole_number(value) == lax(INT, value)


@given(
    st.one_of(
        st.integers(-(10**12), 10**12),
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.from_regex(r"\A\s{0,2}[+-]?[0-9]{0,4}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,2})?\s{0,2}\Z"),
        st.sampled_from(["", " ", "0x10", "1__0", "1,5", "½", "٣"]),
        st.none(),
    )
)
def test_numbers_are_read_as_the_loader_always_read_them(value: object) -> None:
    assert number(value) == lax(FLOAT, value)


def issues(text: str) -> list[Issue]:
    with pytest.raises(LayoutValidationError) as info:
        parse_layout(text)
    return info.value.issues


def test_a_field_given_under_both_its_names_is_one_error_on_the_other_name() -> None:
    w, h = issues("regions: [{x: 0, y: 0, width: 1, w: 1, height: 1, h: 0.5}]")
    assert (w.field, h.field) == ("regions[0].w", "regions[0].h")
    assert w.message == "width and w are the same key; give one of them"
    assert h.message == "height and h are the same key; give one of them"
    (issue,) = issues("regions:\n  - grid: {h: 1, height: 1}\n")
    assert issue.field == "regions[0].grid.h" and (issue.line, issue.column) == (2, 12)
    assert issue.message == "height and h are the same key; give one of them"


def test_a_key_beside_grid_says_where_it_belongs() -> None:
    (issue,) = issues("regions: [{grid: {rows: 2}, x: 0}]")
    assert issue.field == "regions[0].x"
    assert issue.message == (
        "unknown key 'x'; an item with grid takes nothing else: move x inside grid, "
        "or remove grid for a region"
    )


def test_unknown_keys_are_matched_against_the_keys_of_their_own_mapping() -> None:
    cams, shape = issues("preview: {cams: {guest: '9:16'}, shape: '9:16'}")
    assert cams.message == "unknown key 'cams'; did you mean 'cameras'?"
    assert shape.message == "unknown key 'shape'; known keys: camera, cameras, names, video_off"
    (gird,) = issues("regions: [{gird: {rows: 2}}]")
    assert gird.message == "unknown key 'gird'; did you mean 'grid'?"
    (when,) = issues("variants: [{when: {count: 2, role: [a]}}]")
    assert when.message == "unknown key 'role'; did you mean 'roles'?"


def test_every_problem_of_a_document_at_once_in_file_order() -> None:
    found = issues(
        "fps: fast\ncanvas: {width: 0}\nregions:\n  - {x: 10pt, widht: 1}\n"
        "  - grid: {rows: 0}\nvariants: [{mode: grid}]\ntags: [1]\n"
    )
    assert [(i.line, i.field) for i in found] == [
        (1, "fps"),
        (2, "canvas"),
        (2, "canvas.width"),
        (4, "regions[0].x"),
        (4, "regions[0].widht"),
        (5, "regions[1].grid.rows"),
        (6, "variants[0]"),
        (6, "variants[0].mode"),
        (7, "tags[0]"),
    ]
    assert found[1].message == "missing required key 'height'"
    assert found[6].message == "missing required key 'when'"


def test_a_value_given_in_another_form_is_checked_on_that_value() -> None:
    """`canvas: 0 x 720` is read as {width: 0, height: 720}; its problem is on the text."""
    (issue,) = issues("canvas: '0 x 720'")
    assert (issue.field, issue.message) == ("canvas", "0 is out of range: it must be at least 1")
    (issue,) = issues("variants: [{when: two}]")
    assert issue.field == "variants[0].when" and "'two' is not a participant count" in issue.message


def test_the_keys_a_model_takes_are_its_declared_fields_and_their_other_names() -> None:
    for cls in (model.LayoutDocument, model.RegionSpec, model.GridSpec, model.Variant):
        names = [item.name for item in dataclasses.fields(cls)]
        assert [item.name for item in declared(cls)] == names
    assert set(known_keys(model.RegionSpec)) == {
        *(item.name for item in dataclasses.fields(model.RegionSpec)),
        "w",
        "h",
        "grid",
    }
    assert known_keys(model.Canvas) == ["height", "width"]


def test_read_document_gives_the_model_or_the_problems() -> None:
    document, problems = read_document(model.LayoutDocument, {"canvas": "640x360", "fps": "30"})
    assert problems == [] and document == model.LayoutDocument(
        canvas=model.Canvas(width=640, height=360), fps=30
    )
    document, problems = read_document(model.LayoutDocument, {"fps": 0, "bogus": 1})
    assert document is None
    assert [(p.loc, p.key) for p in problems] == [(("fps",), False), (("bogus",), True)]


def test_the_models_are_frozen_and_compare_by_value() -> None:
    region = parse_layout("regions: [{x: 0, y: 0, w: 1, h: 1}]").document.regions
    assert region is not None
    again = parse_layout("regions: [{x: 0, y: 0, width: 1, height: 1}]").document.regions
    assert region == again and repr(region[0]).startswith("RegionSpec(uid=None, role=None")
    first = region[0]
    assert isinstance(first, model.RegionSpec)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.x = None  # type: ignore[misc]  # assigning to a frozen field is the point
    canvas = model.Canvas(width=1, height=2)
    assert hash(canvas) == hash(model.Canvas(width=1, height=2)) and canvas != "1x2"
