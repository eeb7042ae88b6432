"""Sizes that would allocate beyond a fixed pixel budget are refused or bounded: camera
shapes, sheets at a large scale; scenario times outside 0..24 h are located errors."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from memory_helpers import peak_from_now, preview_peak_kib, status_kib

from layoutkit.cli import cli
from layoutkit.live.scenario import MAX_TIME, parse_time

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "speaker-pip.yaml")


@pytest.mark.parametrize("shape", ["10000:1", "1:10000", "99999999999999999999:1"])
def test_an_absurd_camera_shape_is_a_usage_error_not_gigabytes(shape: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(
        cli, ["preview", EXAMPLE, "--camera", f"1={shape}", "-o", str(tmp_path / "x.png")]
    )
    assert result.exit_code == 2, result.output
    assert "--camera" in result.output and "outside 1:16 to 16:1" in result.output
    assert "Traceback" not in result.output
    assert time.monotonic() - started < 5
    assert not (tmp_path / "x.png").exists()


def test_a_sheet_at_scale_4_of_a_1080p_layout_stays_small(tmp_path: Path) -> None:
    layout = tmp_path / "hd.yaml"
    layout.write_text("canvas: 1920x1080\nmode: adaptive\n", encoding="utf-8")
    output = str(tmp_path / "sheet.png")
    peak_kib = preview_peak_kib(str(layout), "--sheet", "--scale", "4", "-o", output)
    # 2.5 GB before the scale stopped at 1 on sheets; about 115 MB now
    assert peak_kib < 400 * 1024
    assert (tmp_path / "sheet.png").stat().st_size > 0


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -1, 10**400, "99999m", 86401])
def test_scenario_times_outside_a_day_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="is not a time"):
        parse_time(value)
    assert parse_time(MAX_TIME) == MAX_TIME


def test_an_infinite_scenario_time_is_a_located_error(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"layout: {ROOT / 'examples' / 'speaker-strip.yaml'}\n"
        'events:\n  - {at: .inf, join: "1"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["play", str(scenario), "--json"])
    assert result.exit_code == 1
    assert f"{scenario}:3:10: error: events[0].at" in result.output
    assert "Traceback" not in result.output


def test_the_camera_picture_cache_is_bounded_by_bytes() -> None:
    from layoutkit.render.camera import synthetic_camera
    from layoutkit.render.pictures import PictureCache

    cache = PictureCache(max_bytes=3 * 400 * 300 * 3)
    for height in range(300, 310):
        cache.get(("1", "", 400, height), partial(synthetic_camera, 400, height, (9, 9, 9)))
    assert cache.bytes <= cache.max_bytes and len(cache._items) == 2
    big = cache.get(("1", "", 2000, 2000), lambda: synthetic_camera(2000, 2000, (9, 9, 9)))
    assert big.size == (2000, 2000) and ("1", "", 2000, 2000) not in cache._items


def test_a_3000_event_scenario_plays_quickly_and_refuses_a_giant_storyboard(
    tmp_path: Path,
) -> None:
    lines = [f"layout: {ROOT / 'examples' / 'grid-family.yaml'}", "events:"]
    for i in range(3000):
        kind = "join" if (i // 16) % 2 == 0 else "leave"
        lines.append(f'  - {{at: {i * 0.1:.1f}, {kind}: "{i % 16 + 1}"}}')
    scenario = tmp_path / "long.yaml"
    scenario.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.process_time()
    result = CliRunner().invoke(cli, ["play", str(scenario), "--json", "--no-pictures"])
    assert result.exit_code == 0, result.output
    # CPU time, whatever else the machine runs: 101 s before; about 2 s here
    assert time.process_time() - started < 20
    started = time.process_time()
    board = tmp_path / "board.png"
    result = CliRunner().invoke(
        cli, ["play", str(scenario), "--storyboard", str(board), "--gif", str(tmp_path / "a.gif")]
    )
    assert result.exit_code == 1 and "a storyboard or GIF holds at most 64" in result.output
    assert time.process_time() - started < 20 and not board.exists()


def test_a_1_mb_flat_yaml_list_is_read_quickly_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "flat.yaml"
    path.write_text("tags:\n" + "".join(f"  - t{i}\n" for i in range(95_000)), encoding="utf-8")
    assert 900_000 < path.stat().st_size <= 1 << 20
    before = peak_from_now()
    started = time.process_time()
    result = CliRunner().invoke(cli, ["validate", str(path)])
    elapsed = time.process_time() - started
    grown_mib = (status_kib("VmHWM") - before) / 1024
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert elapsed < 20  # of CPU: about 2 s here; a blow-up takes far longer
    assert grown_mib < 400


def test_a_sheet_of_a_layout_whose_counts_hold_nothing_to_draw_names_the_file(
    tmp_path: Path,
) -> None:
    layout = tmp_path / "odd.yaml"
    layout.write_text("counts: 20-30\nmode: adaptive\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["preview", str(layout), "--sheet", "-o", str(tmp_path / "s.png")]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{layout}: the layout's counts hold no participant count" in result.output
