"""`update` (the subscription lists) through the client and `layoutkit record update`,
against the emulator over real HTTP: the request goes to the recording's own mode path;
Agora's rules are checked before sending; one update per recording in flight, under the
client's shared rate limit; retried like updateLayout. Needs the emulator's `update`
route."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from client_helpers import STORAGE, answer_fault, calls, client_of, logged

from layoutkit.cli import cli
from layoutkit.emulator import EmulatorServer
from layoutkit.errors import ApiError, NotCompletedError
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET
from layoutkit.wire import UpdateClientRequest

AUDIO_OF_1001 = {"streamSubscribe": {"audioUidList": {"subscribeAudioUids": ["1001"]}}}
NO_VIDEO_OF_1001 = {"streamSubscribe": {"videoUidList": {"unsubscribeVideoUids": ["1001"]}}}


def test_update_goes_to_the_recordings_own_mode_path(emulator: EmulatorServer) -> None:
    client = client_of(emulator)
    emulator.join("room", 1001)
    mix = client.record("room", 99)
    single = client.record("room", 98, {"recordingConfig": {"subscribeUidGroup": 0}},
                           mode="individual")  # fmt: skip
    for recording in (mix, single):
        answer = recording.update(UpdateClientRequest.lists(unsubscribe_video=[1001]))
        assert (answer.resource_id, answer.sid) == (recording.resource_id, recording.sid)
        shown = requests.get(f"{emulator.url}/_emulator/recordings/{recording.sid}", timeout=5)
        assert shown.json()["subscription"] == NO_VIDEO_OF_1001["streamSubscribe"]
    rows = [(r["path"], r["status"]) for r in logged(emulator) if r["endpoint"] == "update"]
    base = f"/v1/apps/{APP_ID}/cloud_recording/resourceid"
    assert rows == [
        (f"{base}/{mix.resource_id}/sid/{mix.sid}/mode/mix/update", 200),
        (f"{base}/{single.resource_id}/sid/{single.sid}/mode/individual/update", 200),
    ]


def test_agoras_rules_are_checked_before_sending(emulator: EmulatorServer) -> None:
    client = client_of(emulator)
    emulator.join("room", 1001)
    recording = client.record("room", 99)
    both = {"audioUidList": {"subscribeAudioUids": ["1"], "unsubscribeAudioUids": ["2"]}}
    with pytest.raises(ApiError) as info:
        recording.update({"streamSubscribe": both})
    assert str(info.value) == (
        "update: clientRequest.streamSubscribe.audioUidList: subscribeAudioUids and "
        "unsubscribeAudioUids cannot both be set: list the users whose audio to record, "
        "or those to leave out, not both"
    )
    many = [str(uid) for uid in range(1, 34)]
    with pytest.raises(ApiError, match="at most 32"):
        recording.update({"streamSubscribe": {"videoUidList": {"subscribeVideoUids": many}}})
    with pytest.raises(ApiError, match="is not a uid string"):
        recording.update({"streamSubscribe": {"videoUidList": {"subscribeVideoUids": ["x"]}}})
    with pytest.raises(ApiError, match="mix and individual recording only, not web"):
        client.update(recording.resource_id, recording.sid, "room", 99, AUDIO_OF_1001, "web")
    with pytest.raises(ApiError, match="give streamSubscribe"):
        recording.update({})
    with pytest.raises(ApiError, match="give streamSubscribe"):  # unknown keys only
        recording.update({"futureSetting": {"on": True}})
    with pytest.raises(ApiError, match="webRecordingConfig: for web page recording only"):
        recording.update({"webRecordingConfig": {"onhold": True}})
    with pytest.raises(ApiError, match=r"storageConfig\.vendor"):
        recording.update({"storageConfig": {**STORAGE, "vendor": 0}})
    assert calls(emulator, "update") == []


def test_one_update_in_flight_per_recording(unpaced_emulator: EmulatorServer) -> None:
    client = client_of(unpaced_emulator)
    unpaced_emulator.join("room", 1001)
    first, second = client.record("room", 98), client.record("room", 99)
    unpaced_emulator.state.latency = 0.01  # answers take a while: requests would overlap
    jobs = [(rec, i) for i in range(12) for rec in (first, second)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(
            pool.map(lambda job: job[0].update([AUDIO_OF_1001, NO_VIDEO_OF_1001][job[1] % 2]), jobs)
        )
    state = unpaced_emulator.state
    assert [r.status for r in state.requests if r.endpoint == "update"] == [200] * 24
    for recording in (first, second):
        assert state.max_in_flight_sid[("update", recording.sid)] == 1
    assert len(client.update_turns) == 0  # no lock left behind


def test_updates_share_the_clients_rate_limit(agora_emulator: EmulatorServer) -> None:
    client = client_of(agora_emulator, rate_limit=10)
    agora_emulator.join("room", 1001)
    recording = client.record("room", 99)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: recording.update(AUDIO_OF_1001), range(6)))
        list(pool.map(lambda i: recording.update_layout({"mixedVideoLayout": 1}), range(6)))
    assert [r.status for r in agora_emulator.state.requests].count(429) == 0
    assert calls(agora_emulator, "update") == [200] * 6


def test_206_code_65_on_update_is_repeated(agora_emulator: EmulatorServer) -> None:
    client = client_of(agora_emulator, attempts=2)
    agora_emulator.join("room", 1001)
    recording = client.record("room", 99)
    answer_fault(agora_emulator, 206, 65, "request not completed")
    recording.update(AUDIO_OF_1001)
    assert calls(agora_emulator, "update") == [206, 200]
    for _ in range(2):
        answer_fault(agora_emulator, 206, 65, "request not completed")
    with pytest.raises(NotCompletedError):
        recording.update(AUDIO_OF_1001)
    assert calls(agora_emulator, "update") == [206, 200, 206, 206]


# --- layoutkit record update -------------------------------------------------------------


def run(emulator: EmulatorServer, *args: str) -> tuple[int, str, str]:
    env = {
        "AGORA_APP_ID": APP_ID,
        "AGORA_CUSTOMER_ID": CUSTOMER_ID,
        "AGORA_CUSTOMER_SECRET": CUSTOMER_SECRET,
        "AGORA_BASE_URL": emulator.url,
    }
    result = CliRunner(env=env).invoke(cli, ["record", "update", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ids(agora_emulator: EmulatorServer) -> list[str]:
    """The options that name a running mix recording of uid 99 in "room"."""
    agora_emulator.join("room", 1001)
    recording = client_of(agora_emulator).record("room", 99)
    return ["--resource-id", recording.resource_id, "--sid", recording.sid,
            "--cname", "room", "--uid", "99"]  # fmt: skip


def test_record_update_sends_the_lists(
    agora_emulator: EmulatorServer, ids: list[str], tmp_path: Path
) -> None:
    code, out, err = run(
        agora_emulator, *ids, "--subscribe-audio", "1001, 1002", "--unsubscribe-video", "1003"
    )
    assert code == 0, err
    assert err.startswith("-> POST ") and err.rstrip().endswith("/mode/mix/update")
    assert json.loads(out)["sid"] == ids[3]
    code, _, err = run(agora_emulator, *ids, "--subscribe-video", "#allstream#")
    assert code == 0, err
    payload = tmp_path / "lists.json"
    payload.write_text(json.dumps(AUDIO_OF_1001))
    code, _, err = run(agora_emulator, *ids, "--payload", str(payload))
    assert code == 0, err
    assert calls(agora_emulator, "update") == [200, 200, 200]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the lists (--subscribe-audio"),
        (("--payload", "x.json", "--subscribe-audio", "1"), "(one of them)"),
        (("--subscribe-audio", "1", "--unsubscribe-audio", "2"), "not both"),
        (("--subscribe-video", "0"), "--subscribe-video"),
        (("--unsubscribe-audio", ","), "give 1 to 32 uids"),
        (("--subscribe-audio", ",".join(str(u) for u in range(1, 34))), "give 1 to 32 uids"),
    ],
)
def test_record_update_refuses_bad_lists_before_sending(
    agora_emulator: EmulatorServer, ids: list[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = run(agora_emulator, *ids, *args)
    assert code == 2 and out == "" and message in err
    assert "Traceback" not in err
    assert calls(agora_emulator, "update") == []
