"""Scenarios: parsing with located errors, the payload sequence (golden), pictures."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from itertools import pairwise
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


STAGE = parse_layout("""
canvas: 640x360
roles: {speaker: the person talking}
regions:
  - {role: speaker, x: 0, y: 0, width: 1, height: 75%}
  - grid: {y: 75%, height: 25%, rows: 1, columns: 3}
""")
GRID = parse_layout("canvas: 640x360\nregions:\n  - grid: {rows: 2, columns: 2}\n")


def first_uid(payload: dict[str, object]) -> str:
    regions = payload["layoutConfig"]
    assert isinstance(regions, list)
    return str(regions[0]["uid"])


def test_the_speaker_role_follows_the_reports_with_hysteresis(write_layout: Write) -> None:
    path = write_layout(
        'roles: {speaker: "1001"}\n'
        "events:\n"
        '  - {at: 0, join: "1001"}\n'
        '  - {at: 0, join: "1002"}\n'
        '  - {at: 1, speaker: "1002"}\n'  # holds: the role moves at 3 s, no event then
        '  - {at: 4, speaker: "1001"}\n'  # holds, but the role moved at 3: it moves at 7
        '  - {at: 10, speaker: "1002"}\n'  # talks over for 1 s only
        '  - {at: 11, speaker: "1001"}\n'
        '  - {at: 12, speaker: "4242"}\n',  # not in the channel
        "s.yaml",
    )
    steps, warnings = play_scenario(load_scenario(path), STAGE)
    assert [(s.at, s.events, first_uid(s.payload)) for s in steps] == [
        (0, ("join 1001", "join 1002"), "1001"),
        (3, ("speaker role to 1002",), "1002"),
        (7, ("speaker role to 1001",), "1001"),
    ]
    assert warnings == [f"{path}:9: speaker 4242, who is not in the channel; ignored"]
    quick, _ = play_scenario(load_scenario(path), STAGE, speaker_hold=0, speaker_interval=0)
    assert [s.at for s in quick] == [0, 1, 4, 10, 11]


def test_speaker_reports_flapping_every_half_second_never_flicker(write_layout: Write) -> None:
    flaps = "".join(
        f'  - {{at: {i / 2}, speaker: "{1001 + i % 2}"}}\n' for i in range(1, 41)
    )  # 1002, 1001, 1002, ... every 0.5 s for 20 s
    path = write_layout(
        'events:\n  - {at: 0, join: "1001"}\n  - {at: 0, join: "1002"}\n' + flaps, "s.yaml"
    )
    steps, warnings = play_scenario(load_scenario(path), STAGE)
    assert warnings == [] and [s.at for s in steps] == [0]
    quick, _ = play_scenario(load_scenario(path), STAGE, speaker_hold=0)
    moves = [s.at for s in quick[1:]]
    assert moves and all(b - a >= 4 for a, b in pairwise(moves))


def test_speaker_reports_change_nothing_without_a_speaker_role(write_layout: Write) -> None:
    path = write_layout(
        'events:\n  - {at: 0, join: "1001"}\n  - {at: 1, speaker: "1001"}\n'
        '  - {at: 9, speaker: "1001"}\n',
        "s.yaml",
    )
    steps, warnings = play_scenario(load_scenario(path), GRID)
    assert [s.at for s in steps] == [0]
    assert warnings == [
        f"{path}:3: the layout has no role named 'speaker'; the speaker events change nothing"
    ]


def test_camera_and_microphone_reports(write_layout: Write) -> None:
    path = write_layout(
        "events:\n"
        '  - {at: 0, join: "1001"}\n'
        '  - {at: 1, uid: "1003", video: false}\n'  # before the join: kept
        '  - {at: 2, join: "1002"}\n'
        '  - {at: 2, join: "1003"}\n'
        '  - {at: 3, uid: "1002", video: false}\n'
        '  - {at: 4, uid: "1002", audio: false}\n'
        '  - {at: 5, uid: "1002", video: true, audio: true}\n',
        "s.yaml",
    )
    scenario = load_scenario(path)
    assert [str(t.event) for t in scenario.events][-3:] == [
        "audio off 1002",
        "camera on 1002",
        "audio on 1002",
    ]
    steps, warnings = play_scenario(scenario, GRID, hide_audio_only=True)
    assert warnings == []
    shown = [[r["uid"] for r in s.payload["layoutConfig"]] for s in steps]
    assert [(s.at, uids) for s, uids in zip(steps, shown, strict=True)] == [
        (0, ["1001"]),
        (2, ["1001", "1002"]),  # 1003 joined with the video off: sends only audio
        (3, ["1001"]),
        (4, ["1001", "1002"]),  # no longer audio only: sends nothing at all
    ]  # at 5 s, 1002 sends both again: the same picture, nothing sent
    assert steps[1].audio_only == {"1003"} and steps[2].video_off == {"1002", "1003"}


@pytest.mark.parametrize(
    ("entry", "line_message"),
    [
        ('{at: 1, uid: "1002", video: yes please}', "video is true (on) or false (off)"),
        ("{at: 1, video: false}", "a camera or microphone report names its person with uid"),
        ('{at: 1, join: "1002", audio: false}', "(not with join)"),
        ('{at: 1, uid: "x", audio: false}', "'x' is not a uid"),
        ('{at: 1, speaker: "nobody"}', "'nobody' is not a uid"),
    ],
)
def test_bad_media_and_speaker_entries_are_located(
    write_layout: Write, entry: str, line_message: str
) -> None:
    path = write_layout(f'events:\n  - {{at: 0, join: "1"}}\n  - {entry}\n', "s.yaml")
    with pytest.raises(LayoutValidationError) as info:
        load_scenario(path)
    [issue] = info.value.issues
    assert issue.line == 3 and line_message in issue.message
