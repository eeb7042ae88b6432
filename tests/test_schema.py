"""`layoutkit schema`: a JSON Schema (Draft 2020-12) that accepts what the loader accepts.

Every preset and example validates; documents the loader refuses fail where the schema can
say the rule; every property is described, with examples that validate; `layoutkit new`
points the new file at the schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from layoutkit import geometry
from layoutkit.cli import cli
from layoutkit.errors import LayoutError
from layoutkit.layout import model
from layoutkit.layout.loader import DEFAULT_TEMPLATE_PARTICIPANTS, load_layout, parse_layout
from layoutkit.layout.schema import layout_json_schema
from layoutkit.layout.templating import TemplateContext, is_template, render_template
from layoutkit.layout.yaml import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = layout_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
LAYOUT_FILES = sorted((ROOT / "presets").glob("*.yaml")) + sorted(
    (ROOT / "examples").glob("*.yaml")
)


def schema_errors(data: Any) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(data)]


def rendered(path: Path, count: int | None = None) -> Any:
    """The YAML data of a layout file as the loader reads it: a templated file is first
    rendered by the loader's own templating (`render_template`, sandboxed), with the
    context `load_layout` uses (participants "1".."4", no roles, no vars) or with
    `count` participants, then parsed by the loader's YAML reader (`parse_yaml`)."""
    text = path.read_text(encoding="utf-8")
    if is_template(text):
        people = (
            DEFAULT_TEMPLATE_PARTICIPANTS
            if count is None
            else tuple(str(n) for n in range(1, count + 1))
        )
        text = render_template(text, TemplateContext(people), str(path))
    data, _ = parse_yaml(text, str(path))
    return data


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_command_prints_it() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA


@pytest.mark.parametrize("path", LAYOUT_FILES, ids=[p.name for p in LAYOUT_FILES])
def test_every_preset_and_example_validates(path: Path) -> None:
    load_layout(path)  # the loader accepts it
    assert schema_errors(rendered(path)) == []
    if is_template(path.read_text(encoding="utf-8")):
        for count in range(1, 18):  # templates change with the count: every one validates
            assert schema_errors(rendered(path, count)) == [], count


def test_the_parsers_and_the_schema_share_their_patterns() -> None:
    text = json.dumps(SCHEMA)
    shared = {
        geometry.LENGTH_PATTERN: geometry._LENGTH_RE.pattern,
        geometry.COLOR_PATTERN: geometry._COLOR_RE.pattern,
        geometry.ASPECT_PATTERN: geometry._ASPECT_RE.pattern,
        geometry.CANVAS_PATTERN: model._CANVAS_RE.pattern,
        model.COUNT_PATTERN: model._COUNT_RE.pattern,
    }
    for constant, parser in shared.items():
        assert constant == parser
        assert json.dumps(constant) in text, constant


# (YAML, why): both the loader and the schema refuse it
REFUSED = [
    ("canvsa: 1280x720", "an unknown top-level key"),
    ("regions: [{x: 0, y: 0, widht: 1, height: 1}]", "an unknown region key"),
    ("regions: [{grid: {rows: 2, colums: 2}}]", "an unknown grid key"),
    ("regions: [{grid: {rows: 2}, x: 0}]", "a key beside grid"),
    ("variants: [{when: 1, regoins: []}]", "an unknown variant key"),
    ("variants: [{when: {count: 2, role: [a]}}]", "an unknown when key"),
    ("regions: [{x: 10pt, y: 0, width: 1, height: 1}]", "a length in points"),
    ("regions: [{x: '25 %%', y: 0, width: 1, height: 1}]", "a doubled percent sign"),
    ("regions: [{x: 0, y: 0, width: 1px2, height: 1}]", "a length with junk"),
    ("regions: [{grid: {gap: true}}]", "a boolean length"),
    ("background: '#12345'", "a five-digit colour"),
    ("background: red", "a colour name"),
    ("background: '#GGGGGG'", "a colour with non-hex digits"),
    ("variants: [{when: 1, background: '#1234'}]", "a four-digit variant colour"),
    ("regions: [{x: 0, y: 0, width: 1, height: 1, alpha: 1.5}]", "alpha above 1"),
    ("regions: [{x: 0, y: 0, width: 1, height: 1, alpha: -0.1}]", "alpha below 0"),
    ("regions: [{grid: {rows: 0}}]", "rows 0"),
    ("regions: [{grid: {rows: 18}}]", "rows 18"),
    ("regions: [{grid: {columns: 0}}]", "columns 0"),
    ("regions: [{grid: {rows: 2.5}}]", "rows not whole"),
    ("regions: [{grid: {cells: 290}}]", "too many cells"),
    ("regions: [{grid: {order: diagonal}}]", "an unknown order"),
    ("canvas: 1280*720", "a canvas with *"),
    ("canvas: 1280x", "a canvas without height"),
    ("canvas: ' 0 x 720'", "a canvas 0 wide"),
    ("canvas: 1280x000", "a canvas 0 high"),
    ("canvas: {width: 0, height: 720}", "a canvas mapping 0 wide"),
    ("canvas: {w: 1280, height: 720}", "w in a canvas"),
    ("canvas: null", "no canvas"),
    ("variants: [{when: '2-'}]", "a range without its end"),
    ("variants: [{when: 'two'}]", "a count in words"),
    ("variants: [{when: -1}]", "a negative count"),
    ("variants: [{when: null}]", "an empty when"),
    ("variants: [{when: {count: x}}]", "a bad count inside when"),
    ("variants: [{mode: custom}]", "a variant without when"),
    ("counts: '1..3'", "counts with dots"),
    ("regions: [{x: 0, y: 0, width: 1, aspect: '0:9'}]", "an aspect 0 wide"),
    ("regions: [{x: 0, y: 0, width: 1, aspect: '16:0.0'}]", "an aspect 0 high"),
    ("regions: [{x: 0, y: 0, width: 1, aspect: '16-9'}]", "an aspect with a dash"),
    ("regions: [{x: 0, y: 0, width: 1, aspect: 0}]", "an aspect 0"),
    ("regions: [{x: 0, y: 0, width: 1, aspect: -1.5}]", "a negative aspect"),
    ("regions: [{grid: {aspect: wide}}]", "a grid aspect in words"),
    ("mode: grid", "an unknown mode"),
    ("mode: 4", "mode 4"),
    ("fps: 0", "fps 0"),
    ("fps: 61", "fps 61"),
    ("fps: 30.5", "fps not whole"),
    ("bitrate: 0", "bitrate 0"),
    ("bitrate: 6501", "bitrate above Agora's maximum"),
    ("name: My Show", "a name that is not kebab-case"),
    ("regions: [{uid: 0, x: 0, y: 0, width: 1, height: 1}]", "uid 0"),
    ("regions: [{uid: 4294967296, x: 0, y: 0, width: 1, height: 1}]", "a uid above 2^32-1"),
    ("regions: [{uid: abc, x: 0, y: 0, width: 1, height: 1}]", "a user account, not a uid"),
    ("regions: [{uid: '-5', x: 0, y: 0, width: 1, height: 1}]", "a negative uid string"),
    ("regions: [{x: 0, y: 0, width: 1, w: 1, height: 1}]", "width and w together"),
    ("regions: [{grid: {height: 1, h: 1}}]", "height and h together in a grid"),
    ("regions: [{x: 0, y: 0, width: 1, height: 1, fill: auto}]", "fill other than agora"),
    ("regions: [{x: 0, y: 0, width: 1, height: 1, fit: stretch}]", "an unknown fit"),
    ("regions: [{x: 0, y: 0, width: 1, height: 1, placeholder: 'ftp://a/b.jpg'}]", "ftp"),
    ("background_image: cdn.example.com/a.jpg", "a URL without its scheme"),
    ("regions: [{role: '', x: 0, y: 0, width: 1, height: 1}]", "an empty role"),
    ("regions: {x: 0}", "regions as a mapping"),
    ("regions: [null]", "an empty region"),
    ("tags: [1]", "a tag that is a number"),
    ("variables: {side: 1}", "a variable described by a number"),
    ("focus: 3", "a focus that is a number"),
    ("extends: ''", "extends with nothing"),
    ("extends: '../base.yaml'", "extends leaving the folder"),
    ("extends: 'a/../../base.yaml'", "extends leaving the folder further down"),
    ("extends: '/etc/base.yaml'", "extends an absolute path"),
    ("extends: '~/base.yaml'", "extends a home path"),
    ("extends: 'C:base.yaml'", "extends a drive"),
    ("extends: 'grid 2x2'", "extends neither a preset name nor a .yaml file"),
    ("extends: base.json", "extends a file that is not YAML"),
    ("extends: [grid-2x2]", "extends a list"),
    ("- 1\n- 2", "a list, not a mapping"),
    ("roles: {'': a role with no name}", "a role without a name"),
    ("roles: {host: 1}", "a role described by a number"),
    ("roles: [host, guest]", "roles as a list"),
    ("preview: {cameras: {guest: '0:9'}}", "a camera 0 wide"),
    ("preview: {cameras: {screen: 'screen:4:0'}}", "a screen 0 high"),
    ("preview: {cameras: {guest: 1.5}}", "a camera shape as a number"),
    ("preview: {cameras: {guest: 'portrait'}}", "a camera shape in words"),
    ("preview: {cams: {guest: '9:16'}}", "an unknown preview key"),
    ("preview: {camera: '16:0'}", "everyone's camera 0 high"),
    ("preview: {camera: {guest: '9:16'}}", "everyone's camera as a mapping"),
    ("regions: [{x: 0, y: 0, width: 1, height: 1, accept: [crops]}]", "an unknown accept"),
    ("regions: [{x: 0, y: 0, width: 1, height: 1, accept: crop}]", "accept not a list"),
    ("regions: [{grid: {rows: 2, accept: [fit]}}]", "a grid accepting no such warning"),
]


@pytest.mark.parametrize(("text", "why"), REFUSED, ids=[why for _, why in REFUSED])
def test_the_loader_and_the_schema_refuse(text: str, why: str) -> None:
    with pytest.raises(LayoutError):
        parse_layout(text)
    assert schema_errors(yaml.safe_load(text)), why


def test_a_broken_example_fails_both() -> None:
    path = ROOT / "examples" / "broken" / "typo.yaml"
    with pytest.raises(LayoutError):
        load_layout(path)
    found: list[str] = []
    pending = list(VALIDATOR.iter_errors(rendered(path)))
    while pending:  # the reasons inside the oneOf of a region
        error = pending.pop()
        found.append(error.message)
        pending.extend(error.context or [])
    assert any("'widht' was unexpected" in message for message in found), found
    assert any("1.2 is greater than the maximum" in message for message in found), found


# every form the loader accepts, which the schema must accept too
ACCEPTED = [
    "{}",
    "canvas: 1280x720",
    "canvas: ' 1080 × 1920 '",
    "canvas: 1280X720",
    "canvas: {width: 1280, height: 720}",
    "regions: [{x: 0, y: 0, w: 1, h: 1}]",
    "regions: [{x: 0.25, y: '25%', width: '320px', height: ' .5 '}]",
    "regions: [{right: 24px, bottom: '-1.5%', width: 25%, aspect: '16:9'}]",
    "regions: [{x: 0, y: 0, width: 1, aspect: '16/9'}]",
    "regions: [{x: 0, y: 0, width: 1, aspect: '16x9'}]",
    "regions: [{x: 0, y: 0, width: 1, aspect: ' 4 : 3 '}]",
    "regions: [{x: 0, y: 0, width: 1, aspect: '1.85:1'}]",
    "regions: [{x: 0, y: 0, width: 1, aspect: 1.7778}]",
    "regions: [{grid: {x: 0, w: 50%, h: 1, rows: 2, columns: 2, gap: 8px, padding: 0.01}}]",
    "regions: [{grid: {rows: 1, columns: 3, aspect: '9:16', fit: fit, roles: [a, b]}}]",
    "regions: [{grid: {rows: 2, columns: 2, uids: [1001, '1002'], order: column, cells: 3}}]",
    "regions: [{grid: {rows: 2, columns: 2, fill: agora}}]",
    "regions: [{uid: 1001, x: 0, y: 0, width: 1, height: 1}]",
    "regions: [{uid: ' 1002 ', x: 0, y: 0, width: 1, height: 1, fill: agora}]",
    "regions: [{uid: 4294967295, x: 0, y: 0, width: 1, height: 1}]",
    "regions: [{role: host, x: 0, y: 0, width: 1, height: 1, alpha: 0, fit: fit}]",
    "regions: [{x: 0, y: 0, width: 1, height: 1, placeholder: 'https://a.example/b.jpg'}]",
    "regions: [{}]",
    "regions: []",
    "regions: null",
    "background: '#abc'",
    "background: ' #A1B2C3 '",
    "background_image: http://cdn.example.com/a.jpg",
    "mode: vertical\nfocus: host",
    "mode: ' Floating '",
    "mode: ADAPTIVE",
    "mode: 2",
    "mode: null",
    "counts: 2",
    "counts: '1-7'",
    "counts: ' 3 - 4 '",
    "counts: 5+",
    "variants: [{when: 1, regions: [{x: 0, y: 0, width: 1, height: 1}]}]",
    "variants: [{when: 2-4, mode: custom}, {when: 5+, mode: floating}]",
    "variants: [{when: {count: 2+, roles: [screen]}, background: '#fff'}]",
    "variants: [{when: {roles: [screen]}}]",
    "variants: [{when: {}}]",
    "variants: [{when: 0}]",
    "variables: {side: where the strip goes (default bottom)}",
    "extends: grid-2x2",
    "extends: ' grid-2x2 '",
    "extends: null",
    "name: my-show-2\ntitle: My show\ndescription: A show.\ntags: [a, b]",
    "fps: 60\nbitrate: 6500",
    "fps: 30.0",
    "placeholder_image: https://cdn.example.com/card.jpg",
    "roles: {host: the person who runs the show, guest: a guest}",
    "roles: {screen: , host: null}",  # roles without a description
    "preview: {cameras: {guest: '9:16', screen: screen, '1001': '16:9'}}",
    "preview: {cameras: {slides: ' Screen : 4:3 ', tall: '10/16'}}",
    "preview: null",
    "preview: {camera: '9:16', cameras: {screen: 'screen:16:10'}}",
    "regions: [{x: 0, y: 0, width: 1, height: 1, accept: [crop, hidden, small]}]",
    "regions: [{grid: {rows: 2, columns: 2, accept: [crop]}}]",
    "regions: [{x: 0, y: 0, width: 1, height: 1, accept: []}]",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_loader_and_the_schema_accept(text: str) -> None:
    parse_layout(text)
    assert schema_errors(yaml.safe_load(text)) == []


@pytest.mark.parametrize(
    "name", ["base.yaml", "./base.yml", "parts/base.yaml", "a..b.yaml", "..base.yaml"]
)
def test_extends_files_the_loader_follows_validate(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("canvas: 640x360\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: '{name}'\n", encoding="utf-8")
    assert load_layout(child).document.canvas.width == 640
    assert schema_errors({"extends": name}) == []


def objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every object schema (a node with `properties`) in the schema."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects(value)


def subschema(prop: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator of one property's schema, with the root's $defs to resolve its refs."""
    return jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], **prop})


def test_every_property_has_a_description_and_examples_that_validate() -> None:
    seen = 0
    for node in objects(SCHEMA):
        for name, prop in node["properties"].items():
            seen += 1
            assert isinstance(prop.get("description"), str) and prop["description"], name
            assert isinstance(prop.get("examples"), list) and prop["examples"], name
            validator = subschema(prop)
            for example in prop["examples"]:
                assert list(validator.iter_errors(example)) == [], (name, example)
            if "default" in prop:
                assert list(validator.iter_errors(prop["default"])) == [], (name, "default")
    assert seen >= 60


def test_every_field_of_the_model_is_in_the_schema() -> None:
    def names(model_class: type[BaseModel]) -> set[str]:
        return set(model_class.model_fields)

    assert set(SCHEMA["properties"]) == names(model.LayoutDocument)
    defs = SCHEMA["$defs"]
    assert set(defs["RegionSpec"]["properties"]) == names(model.RegionSpec) | {"w", "h"}
    assert set(defs["GridSpec"]["properties"]) == names(model.GridSpec) | {"w", "h"}
    assert set(defs["Variant"]["properties"]) == names(model.Variant)
    assert set(defs["Canvas"]["properties"]) == {"width", "height"}
    assert not re.search(r'"pattern": "\^\\\\d\+\$"', json.dumps(SCHEMA))  # no wire uid left


def test_new_writes_the_schema_line_and_the_schema_file(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "shows" / "My Show.yaml"
    target.parent.mkdir()
    made = runner.invoke(cli, ["new", str(target), "--from", "speaker-pip"])
    assert made.exit_code == 0, made.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=./layoutkit.schema.json"
    schema_file = tmp_path / "shows" / "layoutkit.schema.json"
    assert json.loads(schema_file.read_text(encoding="utf-8")) == SCHEMA
    assert f"wrote {schema_file}" in made.stderr
    assert load_layout(target).document.name == "my-show"
    assert schema_errors(rendered(target)) == []
    # a second file next to it keeps the schema file as it is
    schema_file.write_text("{}", encoding="utf-8")
    again = runner.invoke(cli, ["new", str(target.parent / "b.yaml"), "--from", "solo"])
    assert again.exit_code == 0 and "layoutkit.schema.json" not in again.stderr
    assert schema_file.read_text(encoding="utf-8") == "{}"


def test_new_takes_another_schema_path_a_url_or_none(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "sub").mkdir()
    one = tmp_path / "sub" / "one.yaml"
    done = runner.invoke(cli, ["new", str(one), "--from", "solo", "--schema", "../up.json"])
    assert done.exit_code == 0, done.output
    first = one.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../up.json"
    assert json.loads((tmp_path / "up.json").read_text(encoding="utf-8")) == SCHEMA
    url = "https://example.com/layoutkit.schema.json"
    two = tmp_path / "two.yaml"
    assert runner.invoke(cli, ["new", str(two), "--from", "solo", "--schema", url]).exit_code == 0
    assert two.read_text(encoding="utf-8").splitlines()[0].endswith(f"$schema={url}")
    three = tmp_path / "three.yaml"
    assert runner.invoke(cli, ["new", str(three), "--from", "solo", "--no-schema"]).exit_code == 0
    assert three.read_text(encoding="utf-8").startswith("name: three")
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["sub", "three.yaml", "two.yaml", "up.json"]


def test_new_refuses_a_schema_path_it_cannot_write_before_writing_anything(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    (tmp_path / "folder").mkdir()
    target = tmp_path / "show.yaml"
    folder = runner.invoke(cli, ["new", str(target), "--from", "solo", "--schema", "folder"])
    assert folder.exit_code == 1 and "folder" in folder.stderr
    spaced = runner.invoke(cli, ["new", str(target), "--from", "solo", "--schema", "a b.json"])
    assert spaced.exit_code == 2 and "--schema" in spaced.stderr
    assert not target.exists()
