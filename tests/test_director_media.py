"""What people send, as the app reports it (`Director.set_media`): the camera and the
microphone decide who the hide options leave out of the pushed layout (the emulator,
over HTTP), and a report that comes before the join applies when the person joins."""

from __future__ import annotations

from typing import Any

from director_helpers import Target, start_recording

from layoutkit import parse_layout
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.live.director import Director, DirectorOptions

LAYOUT = parse_layout("""
canvas: 1280x720
regions:
  - grid: {rows: 2, columns: 2, gap: 4px}
""")
HIDE_AUDIO_ONLY = DirectorOptions(hide_audio_only=True)
HIDE_CAMERA_OFF = DirectorOptions(hide_camera_off=True)


def shown(layout: dict[str, Any]) -> list[str]:
    return [str(region["uid"]) for region in layout["layoutConfig"] if "uid" in region]


def test_video_off_with_audio_on_is_audio_only_and_hidden(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT, options=HIDE_AUDIO_ONLY) as director:
        for uid in (1001, 1002, 1003):
            director.join(uid)
        director.set_media(1002, video=False)  # the microphone is on: sends only audio
        director.set_media(1003, video=False, audio=False)  # sends nothing: not audio only
        assert director.flush(timeout=10)
        assert shown(agora_emulator.layout_of(recording.sid)) == ["1001", "1003"]
        director.set_media(1002, audio=False)  # no longer audio only: shown again
        director.set_media(1003, audio=True)  # now audio only: hidden
        assert director.flush(timeout=10)
        assert shown(agora_emulator.layout_of(recording.sid)) == ["1001", "1002"]
        assert director.warnings == []


def test_hide_camera_off_leaves_out_everyone_whose_video_is_off(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT, options=HIDE_CAMERA_OFF) as director:
        for uid in (1001, 1002, 1003):
            director.join(uid)
        director.set_media(1002, video=False, audio=False)
        director.audio_only(1003)
        assert director.flush(timeout=10)
        assert shown(agora_emulator.layout_of(recording.sid)) == ["1001"]
        director.set_media(1002, video=True)
        director.camera_on(1003)
        assert director.flush(timeout=10)
        assert shown(agora_emulator.layout_of(recording.sid)) == ["1001", "1002", "1003"]


def test_a_report_before_the_join_applies_when_they_join(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    recording = start_recording(agora_emulator, agora_client)
    with Director(recording, LAYOUT, options=HIDE_CAMERA_OFF) as director:
        director.join(1001)
        assert director.flush(timeout=10)
        director.set_media(1002, video=False)  # the app is quicker than Notifications
        assert director.flush(timeout=10)
        assert director.pushes == 1 and director.participants == ["1001"]
        director.join(1002)
        director.join(1003)
        assert director.flush(timeout=10)
        assert director.participants == ["1001", "1002", "1003"]
        assert shown(agora_emulator.layout_of(recording.sid)) == ["1001", "1003"]
        assert director.warnings == []


def test_both_states_at_once_are_one_change_and_bad_uids_warn() -> None:
    target = Target()
    with Director(target, LAYOUT, options=HIDE_AUDIO_ONLY, participants=[1, 2]) as director:
        assert director.flush(timeout=10)
        director.set_media(2, video=False, audio=True)
        assert director.flush(timeout=10)
        assert len(target.sent) == 2
        assert director.roster.people["2"].audio_only
        director.set_media("abc", video=False)
        director.set_media(2)  # nothing reported: nothing changes
        assert director.flush(timeout=10)
        assert len(target.sent) == 2
        assert len(director.warnings) == 1 and "abc" in director.warnings[0]
