"""The director cannot be frozen by one event: invalid uids are refused at the event,
`flush` says whether the latest state was applied, `warnings` stays bounded."""

from __future__ import annotations

import pytest
from director_helpers import Target, start_recording

from layoutkit import parse_layout
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import Answer, EmulatorServer
from layoutkit.live.director import MAX_WARNINGS, Director

LAYOUT = parse_layout("""
canvas: 1280x720
regions:
  - grid: {rows: 2, columns: 2, gap: 4px}
""")


def uids_of(layout: dict[str, object]) -> list[str]:
    regions = layout.get("layoutConfig") or []
    assert isinstance(regions, list)
    return [str(r["uid"]) for r in regions if "uid" in r]


@pytest.mark.parametrize("bad", ["abc", "0", "4294967296", "-5", "", "1.5"])
def test_an_invalid_uid_is_refused_and_later_pushes_go_on(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, bad: str
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT) as director:
        director.join(bad)
        assert bad not in director.participants
        assert "ignored" in director.warnings[-1]
        director.join(1001)
        director.join(1002)
        assert director.flush(timeout=10)  # was: frozen until `bad` left
        assert uids_of(agora_emulator.layout_of(recording.sid)) == ["1001", "1002"]
        assert director.participants == ["1001", "1002"]


def test_uids_are_normalised_so_join_and_leave_match(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT) as director:
        director.join(" 0042")
        director.join(1001)
        director.leave("42")
        assert director.flush(timeout=10)
        assert director.participants == ["1001"]
        assert uids_of(agora_emulator.layout_of(recording.sid)) == ["1001"]


def test_flush_is_false_when_agora_refused_the_latest_state(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT) as director:
        director.join(1001)
        assert director.flush(timeout=10)
        assert (director.status, director.last_refusal) == ("applied", None)
        agora_emulator.inject(Answer(400, 2, "invalid parameter"))
        director.join(1002)
        assert director.flush(timeout=10) is False  # was: True
        assert director.status == "refused"
        assert "HTTP 400" in str(director.last_refusal)
        assert uids_of(agora_emulator.layout_of(recording.sid)) == ["1001"]
        director.join(1003)  # a newer state is sent, and applied
        assert director.flush(timeout=10)
        assert (director.status, director.last_refusal) == ("applied", None)
        assert uids_of(agora_emulator.layout_of(recording.sid)) == ["1001", "1002", "1003"]


def test_warnings_are_bounded() -> None:
    with Director(Target(), LAYOUT) as director:
        for _ in range(MAX_WARNINGS * 3):
            director.leave(7)  # not in the channel: a warning each time
        assert len(director.warnings) == MAX_WARNINGS  # was: 300
        assert director.warnings_dropped == MAX_WARNINGS * 2
