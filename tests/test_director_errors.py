"""Nothing unexpected kills a Director's thread: an exception from the layout target, from
the compile (an OSError, as FreeType raises for a corrupt font) or from the audit stream
becomes the recording's error (`last_error`, `status` "error", a warning, an audit line)
and the next change goes on as usual. Warnings and errors stay apart. Nor can one event
freeze it: invalid uids are refused at the event, `flush` says whether the latest state
was applied, `warnings` stays bounded."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pytest
from director_helpers import Target, spy_compiles, start_recording

from layoutkit import parse_layout
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import Answer, EmulatorServer
from layoutkit.live.director import MAX_WARNINGS, Director
from layoutkit.live.roster import Event, Roster

LAYOUT = parse_layout("""
canvas: 1280x720
regions:
  - grid: {rows: 2, columns: 2, gap: 4px}
""")


class Flaky:
    """A layout target that raises an unexpected exception for layouts showing `bad`,
    and takes the others (what it took, in order)."""

    def __init__(self, bad: str) -> None:
        self.bad = bad
        self.sent: list[dict[str, Any]] = []

    def update_layout(self, layout: Mapping[str, Any]) -> object:
        if any(region.get("uid") == self.bad for region in layout.get("layoutConfig", [])):
            raise KeyError("a bug in the target")
        self.sent.append(dict(layout))
        return None


class BrokenOnce(io.StringIO):
    """An audit stream whose first write fails (a full disk)."""

    failed = False

    def write(self, text: str) -> int:
        if not self.failed:
            self.failed = True
            raise OSError(28, "No space left on device")
        return super().write(text)


def state(director: Director) -> tuple[str, str | None]:
    """The status and the error, read afresh."""
    return director.status, director.last_error


def test_a_target_that_raises_is_the_recordings_error_and_the_worker_goes_on() -> None:
    target = Flaky(bad="2")
    audit = io.StringIO()
    with Director(target, LAYOUT, audit=audit) as director:
        director.join(1)
        assert director.flush(timeout=10)
        director.join(2)
        assert director.flush(timeout=10) is False
        assert director.status == "error"
        assert director.last_error == "join 2: error: KeyError: 'a bug in the target'"
        assert director.last_refusal is None  # Agora refused nothing
        assert director.warnings == [director.last_error]
        director.leave(2)  # back to a layout the target takes: the worker is alive
        director.join(3)
        assert director.flush(timeout=10)
        assert state(director) == ("applied", None)
        assert director.warnings == ["join 2: error: KeyError: 'a bug in the target'"]
    steps = [json.loads(line)["step"] for line in audit.getvalue().splitlines()]
    assert steps == ["sent", "error", "sent"]
    assert len(target.sent) == 2


def test_a_compile_that_raises_oserror_is_an_error_not_a_dead_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def corrupt_font(people: list[str]) -> None:
        if "3" in people:
            raise OSError("cannot open resource")  # FreeType, reading a damaged font

    spy_compiles(monkeypatch, before=corrupt_font)
    audit = io.StringIO()
    target = Flaky(bad="none")
    with Director(target, LAYOUT, audit=audit) as director:
        director.join(1)
        assert director.flush(timeout=10)
        director.join(3)  # returns: the caller's thread lives on
        assert director.flush(timeout=10) is False
        assert director.status == "error"
        assert director.last_error == "join 3: error: OSError: cannot open resource"
        assert director.warnings == [director.last_error]
        assert director.participants == ["1", "3"]
        director.leave(3)
        assert director.flush(timeout=10)
        assert state(director) == ("applied", None)
    lines = [json.loads(line) for line in audit.getvalue().splitlines()]
    assert [(line["event"], line["step"]) for line in lines] == [
        ("join 1", "sent"),
        ("join 3", "error"),
    ]  # leaving 3 gives the state sent already: nothing new to send
    assert len(target.sent) == 1


def test_a_failing_audit_stream_stops_nothing_and_is_a_warning() -> None:
    target = Flaky(bad="none")
    audit = BrokenOnce()
    with Director(target, LAYOUT, audit=audit) as director:
        director.join(1)  # sent; its audit line cannot be written
        assert director.flush(timeout=10)
        director.join(2)
        assert director.flush(timeout=10)
        assert state(director) == ("applied", None)
        assert director.warnings == [
            "the audit log cannot be written: OSError: [Errno 28] No space left on device"
        ]
    assert [len(layout["layoutConfig"]) for layout in target.sent] == [1, 2]
    assert [json.loads(line)["event"] for line in audit.getvalue().splitlines()] == ["join 2"]


def test_warnings_and_errors_are_kept_apart() -> None:
    target = Flaky(bad="none")
    with Director(target, LAYOUT) as director:
        director.leave(7)  # a bad event: a warning, not an error
        director.join(1)
        assert director.flush(timeout=10)
        assert director.warnings == ["leave for 7, who is not in the channel; ignored"]
        assert (director.last_error, director.last_refusal, director.status) == (
            None,
            None,
            "applied",
        )


def test_an_event_whose_handling_raises_is_the_recordings_error_and_the_next_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Roster.apply

    def failing(roster: Roster, event: Event) -> str | None:
        if event.uid == "2":
            raise OSError("execution context too long (FreeType)")
        return original(roster, event)

    monkeypatch.setattr(Roster, "apply", failing)
    with Director(Flaky(bad="none"), LAYOUT) as director:
        director.join(2)  # raises inside: never in the caller's thread
        status, error = state(director)
        assert status == "error" and error is not None and "OSError" in error
        director.join(3)
        assert director.flush(timeout=10)
        assert state(director) == ("applied", None) and director.participants == ["3"]


# -- no one event freezes a Director ---------------------------------------------------------


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
