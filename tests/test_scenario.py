"""Scenarios: parsing with located errors, the payload sequence (golden), pictures."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from layoutkit import LayoutError, LayoutValidationError, parse_layout
from layoutkit.live.scenario import load_scenario, parse_time, play_scenario, scenario_layout
from layoutkit.preview import PreviewOptions, animation_gif, storyboard_png

ROOT = Path(__file__).resolve().parent.parent
INTERVIEW = ROOT / "examples" / "scenarios" / "interview.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden" / "interview.json"  # scripts/update-goldens
Write = Callable[..., Path]


def test_the_example_scenario_gives_the_golden_payload_sequence() -> None:
    scenario = load_scenario(INTERVIEW)
    steps, warnings = play_scenario(scenario, scenario_layout(scenario, None))
    assert warnings == []
    assert [step.to_json() for step in steps] == json.loads(GOLDEN.read_text())
    assert [step.at for step in steps] == [0, 5, 20, 60, 70, 90]


def test_storyboard_and_animation() -> None:
    scenario = load_scenario(INTERVIEW)
    steps, _ = play_scenario(scenario, scenario_layout(scenario, None))
    options = PreviewOptions(clean=True, scale=0.25)
    board = Image.open(io.BytesIO(storyboard_png(steps, options)))
    assert board.width > 4 * 300 and board.height > 2 * 200
    gif = Image.open(io.BytesIO(animation_gif(steps, options)))
    assert gif.format == "GIF" and getattr(gif, "n_frames", 1) == len(steps)


@pytest.mark.parametrize(
    ("text", "seconds"), [(30, 30.0), ("30s", 30.0), ("1m", 60.0), ("1m30s", 90.0), ("1.5s", 1.5)]
)
def test_parse_time(text: object, seconds: float) -> None:
    assert parse_time(text) == seconds


def test_errors_are_located_and_all_reported(write_layout: Write) -> None:
    path = write_layout(
        "events:\n"
        '  - {at: 10s, join: "1"}\n'
        '  - {at: 5s, join: "2"}\n'
        '  - {at: soon, join: "3"}\n'
        '  - {at: 20s, jion: "4"}\n'
        "  - {at: 30s, join: bob}\n"
        "colour: red\n",
        "bad.yaml",
    )
    with pytest.raises(LayoutValidationError) as info:
        load_scenario(path)
    found = [(i.line, i.message.split(";")[0]) for i in info.value.issues]
    assert (3, "5s comes before the previous event (10s)") in found
    assert (4, "'soon' is not a time") in found
    assert (5, "unknown key 'jion'") in found
    assert (6, "'bob' is not a uid") in found
    assert (7, "unknown key 'colour'") in found


def test_events_at_the_same_time_are_one_push_and_nonsense_is_a_warning(
    write_layout: Write,
) -> None:
    path = write_layout(
        "events:\n"
        '  - {at: 0, join: "1"}\n'
        '  - {at: 0, join: "2"}\n'
        '  - {at: 1, leave: "9"}\n'
        '  - {at: 2, camera_off: "2"}\n',
        "s.yaml",
    )
    layout = parse_layout(
        "canvas: 640x360\nvariants:\n  - when: 1\n    regions: [{x: 0, y: 0, w: 1, h: 1}]\n"
        "  - when: 2+\n    regions:\n      - grid: {rows: 1, columns: 2}\n"
    )
    scenario = load_scenario(path)
    steps, warnings = play_scenario(scenario, layout)
    assert [s.events for s in steps] == [("join 1", "join 2")]
    assert warnings == [f"{path}:4: leave for 9, who is not in the channel; ignored"]
    hidden, _ = play_scenario(scenario, layout, hide_camera_off=True)
    assert len(hidden) == 2 and hidden[1].events == ("camera off 2",)


def test_a_scenario_without_a_layout_says_so(write_layout: Write) -> None:
    scenario = load_scenario(write_layout('events:\n  - {at: 0, join: "1"}\n', "s.yaml"))
    with pytest.raises(LayoutError, match="names no layout"):
        scenario_layout(scenario, None)
