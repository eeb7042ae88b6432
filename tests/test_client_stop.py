"""stop against the emulator over real HTTP: sent again when Agora asks for it (206 with
code 65, 504 with code 62), a bounded number of times; a repeat answered 400 with code 49
means an earlier try stopped the recording; any other answer is final. Faults are queued
with the emulator's control API."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from click.testing import CliRunner
from client_helpers import answer_fault, calls, client_of

from layoutkit.cli import cli
from layoutkit.client import Recording
from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.errors import ApiStatusError, NotCompletedError, NotFoundError, ServerError
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

NOT_COMPLETED = (206, 65, "request not completed")
TIMEOUT = (504, 62, "request timeout")
DUPLICATE = (400, 49, "invalid operation")


def started(emulator: EmulatorServer, attempts: int = 4, **more: Any) -> Recording:
    emulator.join("room", 1001)
    return client_of(emulator, attempts, **more).record("room", 99)


def stop_behind_the_clients_back(emulator: EmulatorServer, recording: Recording) -> None:
    """Stop the recording with a request of our own, as if an earlier try had gone through."""
    path = (
        f"/v1/apps/{APP_ID}/cloud_recording/resourceid/{recording.resource_id}"
        f"/sid/{recording.sid}/mode/mix/stop"
    )
    answer = requests.post(
        emulator.url + path,
        json={"cname": recording.cname, "uid": recording.uid, "clientRequest": {}},
        auth=(CUSTOMER_ID, CUSTOMER_SECRET),
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("asked", [NOT_COMPLETED, TIMEOUT], ids=["206-65", "504-62"])
def test_stop_is_sent_again_when_agora_asks(
    agora_emulator: EmulatorServer, asked: tuple[int, int, str]
) -> None:
    recording = started(agora_emulator)
    answer_fault(agora_emulator, *asked)
    stopped = recording.stop()
    assert calls(agora_emulator, "stop") == [asked[0], 200]
    assert not stopped.already_stopped
    assert stopped.server_response.uploading_status == "uploaded"
    assert isinstance(stopped.server_response.file_list, str)
    assert agora_emulator.state.recordings[recording.sid].ended


def test_a_repeat_answered_49_means_an_earlier_try_stopped_it(
    agora_emulator: EmulatorServer,
) -> None:
    stops: list[str] = []
    recordings: list[Recording] = []

    def first_try_went_through(method: str, url: str) -> None:
        # the first stop was answered 504 code 62, yet the service stopped the recording:
        # by the time the repeat arrives, it is a duplicate stop
        if url.endswith("/stop"):
            stops.append(url)
            if len(stops) == 2:
                stop_behind_the_clients_back(agora_emulator, recordings[0])

    recordings.append(started(agora_emulator, on_request=first_try_went_through))
    recording = recordings[0]
    answer_fault(agora_emulator, *TIMEOUT)
    stopped = recording.stop()
    assert calls(agora_emulator, "stop") == [504, 200, 400]  # ours, theirs, the repeat
    assert stopped.already_stopped
    assert (stopped.resource_id, stopped.sid) == (recording.resource_id, recording.sid)
    assert stopped.to_wire() == {
        "cname": "room",
        "uid": "99",
        "resourceId": recording.resource_id,
        "sid": recording.sid,
        "serverResponse": {},
    }
    assert recording.stopped is stopped and recording.stop() is stopped


def test_49_after_a_206_repeat_counts_as_stopped(agora_emulator: EmulatorServer) -> None:
    recording = started(agora_emulator)
    answer_fault(agora_emulator, *NOT_COMPLETED)
    answer_fault(agora_emulator, *DUPLICATE)
    assert recording.stop().already_stopped
    assert calls(agora_emulator, "stop") == [206, 400]


def test_a_repeat_while_the_recording_exits_on_its_own_counts_as_stopped(
    emulator: EmulatorServer, clock: ManualClock
) -> None:
    emulator.join("room", 1001)
    client = client_of(emulator, on_request=lambda method, url: clock.advance(3))
    recording = client.record("room", 99, {"recordingConfig": {"maxIdleTime": 5}})
    emulator.leave("room", 1001)
    answer_fault(emulator, *NOT_COMPLETED)
    # the first stop is answered 206 code 65; by the repeat, maxIdleTime has ended the
    # recording, which is still exiting: Agora answers 400 code 49
    stopped = recording.stop()
    assert stopped.already_stopped
    assert calls(emulator, "stop") == [206, 400]
    assert emulator.state.recordings[recording.sid].ended_by == "maxIdleTime"


def test_49_on_the_first_try_is_an_error(agora_emulator: EmulatorServer) -> None:
    recording = started(agora_emulator)
    recording.stop()
    with pytest.raises(ApiStatusError) as info:
        recording.client.stop(recording.resource_id, recording.sid, "room", 99)
    assert (info.value.status_code, info.value.code) == (400, 49)
    assert calls(agora_emulator, "stop") == [200, 400]


def test_stop_is_sent_at_most_the_policys_attempts(agora_emulator: EmulatorServer) -> None:
    recording = started(agora_emulator, attempts=3)
    for _ in range(3):
        answer_fault(agora_emulator, *TIMEOUT)
    with pytest.raises(ServerError) as info:
        recording.stop()
    assert (info.value.status_code, info.value.code) == (504, 62)
    assert calls(agora_emulator, "stop") == [504, 504, 504]
    assert recording.stopped is None
    assert recording.stop().server_response.uploading_status == "uploaded"  # later, it stops


def test_206_past_the_attempts_is_not_completed(agora_emulator: EmulatorServer) -> None:
    recording = started(agora_emulator, attempts=2)
    for _ in range(2):
        answer_fault(agora_emulator, *NOT_COMPLETED)
    with pytest.raises(NotCompletedError):
        recording.stop()
    assert calls(agora_emulator, "stop") == [206, 206]


@pytest.mark.parametrize(
    ("status", "code", "reason", "error"),
    [
        (206, 435, "no recorded data", ApiStatusError),
        (400, 2, "invalid parameter", ApiStatusError),
        (404, 404, "failed to find worker", NotFoundError),
        (500, 500, "internal_error", ServerError),
        (503, 62, "request timeout", ServerError),
    ],
)
def test_other_answers_to_stop_are_final(
    agora_emulator: EmulatorServer,
    status: int,
    code: int,
    reason: str,
    error: type[ApiStatusError],
) -> None:
    recording = started(agora_emulator)
    answer_fault(agora_emulator, status, code, reason)
    with pytest.raises(error) as info:
        recording.stop()
    assert (info.value.status_code, info.value.code) == (status, code)
    assert calls(agora_emulator, "stop") == [status]


def test_record_stop_says_when_an_earlier_try_stopped_it(
    agora_emulator: EmulatorServer,
) -> None:
    recording = started(agora_emulator)
    answer_fault(agora_emulator, *NOT_COMPLETED)
    answer_fault(agora_emulator, *DUPLICATE)
    env = {
        "AGORA_APP_ID": APP_ID,
        "AGORA_CUSTOMER_ID": CUSTOMER_ID,
        "AGORA_CUSTOMER_SECRET": CUSTOMER_SECRET,
        "AGORA_BASE_URL": agora_emulator.url,
    }
    args = ["--resource-id", recording.resource_id, "--sid", recording.sid]
    result = CliRunner(env=env).invoke(
        cli, ["record", "stop", *args, "--cname", "room", "--uid", "99"]
    )
    assert result.exit_code == 0, result.output
    assert "answered 400 code 49: an earlier try (or the recording's own exit)" in result.stderr
    assert '"serverResponse": {}' in result.stdout
