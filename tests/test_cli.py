"""The command line: output, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from layoutkit.cli import cli
from layoutkit.jsonmarks import format_json

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "speaker-pip.yaml")
Write = Callable[..., Path]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_compile_update_is_the_default() -> None:
    code, out, err = run(
        "compile",
        EXAMPLE,
        "--participants",
        "1001,1002",
        "--role",
        "host=1001",
        "--role",
        "guest=1002",
    )
    assert code == 0 and err == ""
    payload = json.loads(out)
    assert payload["mixedVideoLayout"] == 3
    assert payload["layoutConfig"][1]["x_axis"] == 0.73125


def test_compile_as_start_and_layout_config() -> None:
    code, out, _ = run("compile", EXAMPLE, "--count", "2", "--as", "start")
    assert code == 0
    assert json.loads(out)["width"] == 1280
    code, out, _ = run("compile", EXAMPLE, "--count", "2", "--as", "layout-config")
    assert code == 0
    assert [entry["width"] for entry in json.loads(out)] == [1.0, 0.25]


def test_compile_prints_warnings_on_stderr() -> None:
    code, out, err = run("compile", EXAMPLE, "--count", "3")
    assert code == 0
    assert json.loads(out)["mixedVideoLayout"] == 3
    assert ":15:3: warning: regions: more people than regions: people past the first 2" in err


def test_compile_error_exit_1_without_traceback(write_layout: Write) -> None:
    path = write_layout("regions:\n  - {x: 0, y: 0, widht: 1, height: 1}\n")
    code, out, err = run("compile", str(path))
    assert code == 1 and out == ""
    assert f"{path}:2:18: error: regions[0].widht: unknown key 'widht'" in err
    assert "Traceback" not in err


def test_missing_file_exit_1(tmp_path: Path) -> None:
    code, _, err = run("compile", str(tmp_path / "missing.yaml"))
    assert code == 1
    assert "missing.yaml: error: no such file" in err


def test_usage_errors_exit_2() -> None:
    code, _, err = run("compile", EXAMPLE, "--participants", "1,alice")
    assert code == 2 and "not an integer user id" in err
    code, _, err = run("compile", EXAMPLE, "--role", "host")
    assert code == 2 and "ROLE=UID" in err
    code, _, err = run("compile", EXAMPLE, "--count", "2", "--participants", "1,2")
    assert code == 2 and "not both" in err
    code, _, err = run("compile", EXAMPLE, "--var", "1x=2")
    assert code == 2 and "NAME=VALUE" in err


def test_validate_ok_and_failing_counts(write_layout: Write) -> None:
    code, out, _ = run("validate", EXAMPLE)
    assert code == 0
    assert out.splitlines()[-1] == f"{EXAMPLE}: ok at counts 1-17 (1 warning)"
    assert "more people than regions" in out and "[at counts 3-17]" in out
    path = write_layout(
        "canvas: 1280x720\nvariants:\n  - when: 1-3\n"
        "    regions: [{x: 0, y: 0, width: 1, height: 1}]\n"
    )
    code, out, _ = run("validate", str(path))
    assert code == 1
    assert f"{path}:3:3: error: variants: no variant matches" in out
    assert "[at counts 4-17]" in out
    assert out.splitlines()[-1] == f"{path}: fails at counts 4-17 (1 error, 1 warning)"


def test_validate_strict_and_single_count(write_layout: Write) -> None:
    path = write_layout(
        "canvas: 1280x720\nregions:\n  - {role: host, x: 0, y: 0, width: 1, height: 1}\n"
    )
    assert run("validate", str(path), "--count", "1")[0] == 0
    code, out, _ = run("validate", str(path), "--count", "1", "--strict")
    assert code == 1 and "role 'host' is used but never bound" in out
    assert run("validate", str(path), "--strict", "--role", "host=5", "--count", "1")[0] == 0


def test_validate_reports_unreadable_files_and_goes_on(tmp_path: Path) -> None:
    code, out, _ = run("validate", str(tmp_path / "nope.yaml"), EXAMPLE)
    assert code == 1
    assert "nope.yaml: fails (1 error)" in out
    assert f"{EXAMPLE}: ok at counts 1-17" in out


def test_regions_for_a_built_in_mode(write_layout: Write) -> None:
    path = write_layout("mode: adaptive\n")
    code, out, _ = run("regions", str(path), "--participants", "7,8")
    assert code == 0
    assert json.loads(out) == [
        {"uid": "7", "x": 0.0, "y": 0.0, "width": 0.5, "height": 1.0, "fit": "crop", "alpha": 1.0},
        {"uid": "8", "x": 0.5, "y": 0.0, "width": 0.5, "height": 1.0, "fit": "crop", "alpha": 1.0},
    ]


def test_vars_reach_the_template(write_layout: Write) -> None:
    path = write_layout(
        "canvas: 1000x1000\nregions:\n  - {x: 0, y: 0, width: {{ w }}px, height: 1}\n"
    )
    code, out, _ = run("compile", str(path), "--var", "w=250", "--as", "layout-config")
    assert code == 0 and json.loads(out)[0]["width"] == 0.25


def test_schema_is_json_schema_of_the_format() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0
    assert {"canvas", "regions", "variants", "mode"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("layoutkit, version ")


def test_format_json_keeps_flat_objects_on_one_line() -> None:
    text = format_json({"a": [{"x": 1}, {"y": 2}], "b": 3})
    assert text == '{\n  "a": [\n    {"x": 1},\n    {"y": 2}\n  ],\n  "b": 3\n}'
    assert json.loads(text) == {"a": [{"x": 1}, {"y": 2}], "b": 3}


BAD_INPUTS = {
    "malformed-yaml": ("regions: [1, 2\n", ":2:1: error: YAML: expected ',' or ']'"),
    "wrong-type": ("canvas: {width: wide, height: 720}\n", ":1:17: error: canvas.width: 'wide'"),
    "unknown-key": (
        "mode: adaptive\nfous: host\n",
        ":2:1: error: fous: unknown key 'fous'; did you mean 'focus'?",
    ),
    "out-of-range": (
        "regions:\n  - {x: 2, y: 0, width: 1, height: 1}\n",
        ":2:9: error: regions[0].x: x comes to 2 of the canvas, outside [0, 1]",
    ),
    "18-regions": (
        "canvas: 1280x720\nregions:\n  - grid: {rows: 3, columns: 6}\n",
        ":3:3: error: regions: 18 regions after expanding grids",
    ),
    "undefined-name": ("title: {{ missing }}\n", ":1:11: error: template: 'missing' is undefined"),
    "python-internals": (
        "title: {{ ''.__class__.__mro__ }}\n",
        ":1:8: error: template: access to attribute '__class__'",
    ),
    "alias-bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
            for p, c in zip("abcdef", "bcdefg", strict=True)
        ),
        "error: the document expands to more than 50000 values",
    ),
}


def test_bad_inputs_exit_1_with_a_located_error(write_layout: Write) -> None:
    for name, (text, expected) in BAD_INPUTS.items():
        path = write_layout(text, f"{name}.yaml")
        code, out, err = run("compile", str(path))
        assert code == 1, name
        assert out == "", name
        assert f"{path}" in err and expected in err, (name, err)
        assert "Traceback" not in err


def test_bad_files_exit_1(tmp_path: Path) -> None:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x00\x01\x02")
    huge = tmp_path / "huge.yaml"
    huge.write_text("#" * (2 << 20))
    for path, expected in (
        (binary, "binary file"),
        (huge, "limited to 1 MiB"),
        (tmp_path / "absent.yaml", "no such file"),
    ):
        code, _, err = run("validate", str(path))
        assert code == 1
        assert expected in err or expected in run("compile", str(path))[2]


def test_strict_unbound_role_exit_1(write_layout: Write) -> None:
    path = write_layout(
        "canvas: 1280x720\nregions:\n  - {role: host, x: 0, y: 0, width: 1, height: 1}\n"
    )
    code, _, err = run("compile", str(path), "--strict")
    assert code == 1
    assert ":3:12: error: regions[0].role: role 'host' is used but never bound" in err


# --- demo ------------------------------------------------------------------------------


def test_demo_draws_the_screen_sharer_as_a_shared_screen(tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    code, out, _ = run("demo", "-o", str(tmp_path))
    assert code == 0
    assert "1003 joins and shares a screen" in out
    with Image.open(tmp_path / "03-3-people-screen.png") as picture:
        rgb = picture.convert("RGB")
    page = rgb.crop((20, 500, 940, 620))  # the screen's region (fit): a slide's light page
    assert min(ImageStat.Stat(page).mean) > 220, "1003 is drawn as a camera, not a screen"
    with Image.open(tmp_path / "02-2-people.png") as picture:
        camera = picture.convert("RGB").crop((20, 500, 940, 620))  # the host's camera
    assert min(ImageStat.Stat(camera).mean) < 200


@pytest.mark.parametrize("service", [False, True], ids=["demo", "demo --service"])
@pytest.mark.parametrize("kind", ["file", "fifo", "/dev/null"])
def test_demo_output_that_is_not_a_folder_is_an_error(
    tmp_path: Path, kind: str, service: bool
) -> None:
    if kind == "/dev/null":
        target = Path("/dev/null")
    else:
        target = tmp_path / "out"
        if kind == "file":
            target.write_text("mine\n")
        else:
            os.mkfifo(target)  # opening it would block: it must only be looked at
    code, out, err = run("demo", *(["--service"] if service else []), "-o", str(target))
    assert code == 1
    assert f"{target}: is " in err and "not a folder; -o must be a folder" in err
    assert "Traceback" not in err and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if kind == "/dev/null" else ["out"])
    if kind == "file":
        assert target.read_text() == "mine\n"
