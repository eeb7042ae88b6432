"""The preset library: every preset valid without warnings at the counts it claims, its
compiled JSON equal to a golden file, lookup with "did you mean", the commands, the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from layoutkit import (
    LayoutError,
    PresetNotFoundError,
    compile_layout,
    load_layout,
    parse_layout,
    presets,
)
from layoutkit.cli import cli
from layoutkit.compile.report import validate_layout

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "presets"
NAMES = presets.names()
UPDATE_GOLDENS = ROOT / "scripts" / "update-goldens"


def test_there_are_at_least_24_presets_with_what_the_gallery_needs() -> None:
    assert len(NAMES) >= 24
    for preset in presets.list_presets():
        assert preset.title and preset.description and preset.tags and preset.counts
        assert preset.path.stem == preset.name == load_layout(preset.path).document.name


@pytest.mark.parametrize("name", NAMES)
def test_each_preset_validates_without_warnings_and_matches_its_golden_json(name: str) -> None:
    layout = presets.load(name)
    report = validate_layout(layout)
    assert report.counts == presets.info(name).counts
    assert report.issues == [], [i.format() for i in report.issues]
    compiled = {str(n): compile_layout(layout, count=n).to_wire() for n in report.counts}
    # a change meant to alter it: regenerate with scripts/update-goldens, read the diff
    assert json.loads((GOLDEN / f"{name}.json").read_text()) == compiled


def test_update_goldens_reproduces_the_committed_files_byte_for_byte() -> None:
    assert os.access(UPDATE_GOLDENS, os.X_OK)
    done = subprocess.run(
        [sys.executable, str(UPDATE_GOLDENS), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(NAMES) + 1} of {len(NAMES) + 1} golden files unchanged" in done.stdout


def test_find_by_tag_and_count() -> None:
    found = {p.name for p in presets.find(tag="screen-share", count=5)}
    assert found == {"screen-share-column", "webinar-stage"}
    assert all(3 in p.counts for p in presets.find(count=3))


def test_unknown_names_get_did_you_mean() -> None:
    with pytest.raises(PresetNotFoundError) as info:
        presets.load("speaker-strp")
    assert "did you mean speaker-strip" in str(info.value)


def test_variables_change_the_layout() -> None:
    bottom = compile_layout(presets.load("speaker-strip"), count=3).to_wire()
    right = compile_layout(presets.load("speaker-strip", vars={"side": "right"}), count=3).to_wire()
    assert bottom["layoutConfig"][0]["width"] == 1.0
    assert right["layoutConfig"][0]["width"] == 0.75


def test_a_bad_variable_gets_a_located_error() -> None:
    with pytest.raises(LayoutError) as info:
        compile_layout(presets.load("spotlight", vars={"alpha": 3}), count=2)
    assert info.value.line is not None and "alpha" in str(info.value)


def test_extends_a_preset() -> None:
    layout = parse_layout("extends: grid-2x2\nbackground: '#FF0000'\n")
    assert compile_layout(layout, count=4).to_wire()["backgroundColor"] == "#FF0000"


def test_presets_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["presets", "list", "--tag", "podcast"])
    assert listed.exit_code == 0 and listed.stdout.startswith("podcast-phones")
    shown = runner.invoke(cli, ["presets", "show", "picture-in-picture"])
    assert shown.exit_code == 0 and "--var corner=..." in shown.stdout
    missing = runner.invoke(cli, ["presets", "show", "pictur-in-picture"])
    assert missing.exit_code == 1 and "did you mean picture-in-picture" in missing.stderr
    target = tmp_path / "My Show.yaml"
    made = runner.invoke(cli, ["new", str(target), "--from", "interview"])
    assert made.exit_code == 0
    assert load_layout(target).document.name == "my-show"
    again = runner.invoke(cli, ["new", str(target), "--from", "interview"])
    assert again.exit_code == 1 and "exists" in again.stderr


def test_the_wheel_ships_the_presets(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("layoutkit-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        files = set(archive.namelist())
    assert {f"layoutkit/_presets/{name}.yaml" for name in NAMES} <= files
    assert "layoutkit/library/gallery_templates/index.html" in files
    assert "layoutkit/py.typed" in files
    assert "layoutkit/fonts/DejaVuSans.ttf" in files  # the font styled layouts draw in
    assert "layoutkit/_presets/images/on-air.png" in files  # the talk show's logo


def _new(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["new", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_new_writes_nothing_when_a_file_stands_where_the_logo_folder_goes(
    tmp_path: Path,
) -> None:
    (tmp_path / "images").write_text("notes\n", encoding="utf-8")
    target = tmp_path / "show.yaml"
    result = _new(str(target), "--from", "talk-show")
    assert result.exit_code == 1, result.output
    assert (
        f"{tmp_path / 'images'}: is a regular file, where a folder for "
        f"{tmp_path / 'images' / 'on-air.png'} must go; nothing was written" in result.stderr
    )
    assert "move or rename it" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images"]
    assert (tmp_path / "images").read_text(encoding="utf-8") == "notes\n"
    (tmp_path / "images").unlink()
    assert _new(str(target), "--from", "talk-show").exit_code == 0  # the way is clear now
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "images",
        "layoutkit.schema.json",
        "show.yaml",
    ]


def test_new_refuses_a_folder_where_the_logo_goes_before_writing(tmp_path: Path) -> None:
    (tmp_path / "images" / "on-air.png").mkdir(parents=True)
    result = _new(str(tmp_path / "show.yaml"), "--from", "talk-show")
    assert result.exit_code == 1
    assert f"{tmp_path / 'images' / 'on-air.png'}: is a folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images"]


def test_new_removes_what_it_wrote_when_the_layout_itself_cannot_be_written(
    tmp_path: Path,
) -> None:
    # a link to a name in /proc passes every check (its folder exists, nothing is there)
    # but no one can create a file in /proc: the logo and the schema, written first, go
    (tmp_path / "show.yaml").symlink_to("/proc/layoutkit-new-test.yaml")
    result = _new(str(tmp_path / "show.yaml"), "--from", "talk-show")
    assert result.exit_code == 1, result.output
    assert "show.yaml: cannot write there" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["show.yaml"]


def test_new_keeps_the_files_that_exist_beside_the_layout(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "on-air.png").write_bytes(b"my own logo")
    (tmp_path / "layoutkit.schema.json").write_text("{}", encoding="utf-8")
    result = _new(str(tmp_path / "show.yaml"), "--from", "talk-show")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "images" / "on-air.png").read_bytes() == b"my own logo"
    assert (tmp_path / "layoutkit.schema.json").read_text(encoding="utf-8") == "{}"
    assert result.stderr.count("wrote ") == 1


def test_new_into_a_missing_folder_says_so_and_writes_nothing(tmp_path: Path) -> None:
    result = _new(str(tmp_path / "shows" / "show.yaml"), "--from", "talk-show")
    assert result.exit_code == 1
    assert f"{tmp_path / 'shows'}: no such folder; nothing was written" in result.stderr
    assert list(tmp_path.iterdir()) == []
