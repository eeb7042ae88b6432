"""The authoring model (`layout.model`): values are read as the loader always read them
(numbers written as text included), every problem at once, each on its key or value."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from layoutkit import LayoutValidationError, parse_layout
from layoutkit.errors import Issue
from layoutkit.layout import model


@pytest.mark.parametrize(
    ("written", "read"), [("30", 30), (" 30 ", 30), ("+30", 30), ("30.0", 30), (30.0, 30)]
)
def test_whole_numbers_are_read_as_people_write_them(written: object, read: int) -> None:
    assert parse_layout(yaml_of(fps=written)).document.fps == read


@pytest.mark.parametrize(("written", "read"), [("0.5", 0.5), (" .5 ", 0.5), (True, 1.0), (0, 0.0)])
def test_numbers_are_read_as_people_write_them(written: object, read: float) -> None:
    region = parse_layout(yaml_of(regions=[{"alpha": written}])).document.regions
    assert region is not None and isinstance(region[0], model.RegionSpec)
    assert region[0].alpha == read


@pytest.mark.parametrize("written", ["30.5", "1e1", "thirty", "", None, [30]])
def test_what_is_not_a_whole_number_is_refused(written: object) -> None:
    (issue,) = issues(yaml_of(fps=written))
    assert issue.message == f"{written!r} is not a whole number"


def yaml_of(**data: object) -> str:
    return json.dumps(data)


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


def test_the_keys_a_region_takes_are_its_fields_their_other_names_and_grid() -> None:
    (issue,) = issues("regions: [{bogus: 1}]")
    known = sorted([*model.RegionSpec.model_fields, "w", "h", "grid"])
    assert issue.message == f"unknown key 'bogus'; known keys: {', '.join(known)}"
    (issue,) = issues("canvas: {width: 1, height: 1, size: 2}")
    assert issue.message == "unknown key 'size'; known keys: height, width"


def test_read_layout_gives_the_model_or_the_problems() -> None:
    document, problems = model.read_layout({"canvas": "640x360", "fps": "30"})
    assert problems == [] and document == model.LayoutDocument(
        canvas=model.Canvas(width=640, height=360), fps=30
    )
    document, problems = model.read_layout({"fps": 0, "bogus": 1})
    assert document is None
    assert [(p.loc, p.key) for p in problems] == [(("fps",), False), (("bogus",), True)]


def test_the_models_are_frozen_and_compare_by_value() -> None:
    region = parse_layout("regions: [{x: 0, y: 0, w: 1, h: 1}]").document.regions
    assert region is not None
    again = parse_layout("regions: [{x: 0, y: 0, width: 1, height: 1}]").document.regions
    assert region == again and repr(region[0]).startswith("RegionSpec(uid=None, role=None")
    first = region[0]
    assert isinstance(first, model.RegionSpec)
    with pytest.raises(ValidationError):
        first.x = None  # type: ignore[misc]  # assigning to a frozen field is the point
    canvas = model.Canvas(width=1, height=2)
    assert hash(canvas) == hash(model.Canvas(width=1, height=2)) and canvas != model.Canvas(
        width=2, height=1
    )
