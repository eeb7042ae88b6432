"""The Director follows the active speaker (`set_speaker`): the layout's `speaker` role
moves with hysteresis on the director's clock (a clock the test holds), by a timer when
no further report comes, and the move reaches the recording (the emulator, over HTTP)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from director_helpers import Target, start_recording
from service_helpers import wait_until

from layoutkit import parse_layout
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.live.director import Director, DirectorOptions
from layoutkit.live.roster import Event

STAGE = parse_layout("""
canvas: 1280x720
roles: {speaker: the person talking}
regions:
  - {role: speaker, x: 0, y: 0, width: 1, height: 75%}
  - grid: {y: 75%, height: 25%, rows: 1, columns: 4, gap: 8px}
""")
GRID = parse_layout("""
canvas: 1280x720
regions:
  - grid: {rows: 2, columns: 2, gap: 4px}
""")


def first_uid(layout: Mapping[str, Any]) -> str:
    return str(layout["layoutConfig"][0]["uid"])


def test_the_speaker_role_moves_in_the_pushed_layout(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    clock = ManualClock()
    options = DirectorOptions(speaker_hold=0.2, speaker_interval=0.2)
    with Director(recording, STAGE, {"speaker": "1001"}, options=options, clock=clock) as director:
        for uid in ("1001", "1002", "1003"):
            director.join(uid)
        assert director.flush(timeout=10)
        assert first_uid(agora_emulator.layout_of(recording.sid)) == "1001"
        director.set_speaker(1002)  # reported once, and never again
        assert director.speaker == "1001"  # not yet: the clock has not moved
        clock.advance(0.2)
        wait_until(lambda: director.speaker == "1002")  # the timer moved it
        assert director.flush(timeout=10)
        assert first_uid(agora_emulator.layout_of(recording.sid)) == "1002"
        assert director.warnings == [] and director.status == "applied"


def test_a_speaker_who_reports_once_gets_the_role_after_the_hold(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    audit = io.StringIO()
    options = DirectorOptions(speaker_hold=0.3)  # the real clock
    with Director(recording, STAGE, options=options, audit=audit) as director:
        director.join(1001)
        director.join(1002)
        assert director.flush(timeout=10)
        reported = time.monotonic()
        director.set_speaker("1002")
        wait_until(lambda: director.speaker == "1002")
        assert time.monotonic() - reported >= 0.3
        assert director.flush(timeout=10)
    assert first_uid(agora_emulator.layout_of(recording.sid)) == "1002"
    events = [json.loads(line)["event"] for line in audit.getvalue().splitlines()]
    assert events[-1] == "speaker role to 1002"


def test_flapping_reports_through_a_director_move_the_role_at_most_once_per_interval() -> None:
    clock = ManualClock()
    target = Target()
    options = DirectorOptions(speaker_hold=0.0, speaker_interval=4.0)
    with Director(target, STAGE, clock=clock, options=options) as director:
        director.join(1001)
        director.join(1002)
        holder, moves = director.speaker, []
        for step in range(41):  # every 0.5 s for 20 s
            director.set_speaker(1001 if step % 2 else 1002)
            if director.speaker != holder:
                holder = director.speaker
                moves.append(clock())
            clock.advance(0.5)
        assert director.flush(timeout=10)
    assert len(moves) >= 2  # the role did move...
    assert all(later - earlier >= 4.0 for earlier, later in pairwise(moves))
    assert len(target.sent) <= 2 + 20 / 4 + 1  # ...and was pushed only as often


def test_silence_keeps_the_last_speaker() -> None:
    clock = ManualClock()
    options = DirectorOptions(speaker_hold=1.0, speaker_interval=1.0)
    with Director(Target(), STAGE, clock=clock, options=options) as director:
        director.join(1001)
        director.join(1002)
        director.set_speaker(1002)
        clock.advance(1.0)
        director.set_speaker(1002)
        assert director.speaker == "1002"
        director.set_speaker(None)
        clock.advance(60)
        director.set_speaker(None)
        assert director.speaker == "1002"


def test_reports_for_someone_not_here_and_bad_uids_change_nothing() -> None:
    clock = ManualClock()
    options = DirectorOptions(speaker_hold=0.0)
    with Director(Target(), STAGE, {"speaker": "1001"}, clock=clock, options=options) as director:
        director.join(1001)
        director.set_speaker(4242)  # not in the channel: ignored
        director.set_speaker("abc")
        assert director.speaker == "1001"
        assert len(director.warnings) == 1 and "abc" in director.warnings[0]


def test_the_holder_leaving_frees_the_role_for_the_next_speaker() -> None:
    clock = ManualClock()
    options = DirectorOptions(speaker_hold=0.0, speaker_interval=0.0)
    with Director(Target(), STAGE, clock=clock, options=options) as director:
        for uid in (1001, 1002):
            director.join(uid)
        director.set_speaker(1002)
        assert director.speaker == "1002"
        director.leave(1002)
        assert director.speaker is None
        director.handle(Event("speaker", "1001"))  # an event says the same
        assert director.speaker == "1001"


def test_a_layout_without_a_speaker_role_takes_the_reports_and_changes_nothing() -> None:
    target = Target()
    options = DirectorOptions(speaker_hold=0.0, speaker_interval=0.0)
    with Director(target, GRID, options=options) as director:
        director.join(1001)
        director.join(1002)
        assert director.flush(timeout=10)
        sent = len(target.sent)
        for _ in range(3):
            director.set_speaker(1002)
        assert director.flush(timeout=10)
        assert director.speaker is None and len(target.sent) == sent
        assert len(director.warnings) == 1 and "no role named 'speaker'" in director.warnings[0]
