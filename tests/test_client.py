"""The client against the emulator over real HTTP on loopback: whole flows, every
documented status as the right exception, re-acquiring stale resources, no secret leaks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from agora_rules import SECRETS, VALID_START

from layoutkit import load_layout
from layoutkit.client import CloudRecordingClient, Recording, RetryPolicy
from layoutkit.emulator import Answer, EmulatorServer, ManualClock
from layoutkit.errors import (
    ApiError,
    ApiStatusError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET
from layoutkit.wire import RecordingStatus
from layoutkit.wire.replies import ENDPOINT_ERRORS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "speaker-pip.yaml"
FAST = RetryPolicy(attempts=1)
STORAGE = {"vendor": 1, "region": 0, "bucket": "bucket", "accessKey": "ak", "secretKey": "sk"}
AUDIO_OF_1001 = {"streamSubscribe": {"audioUidList": {"subscribeAudioUids": ["1001"]}}}


def make_client(
    emulator: EmulatorServer,
    clock: ManualClock | None = None,
    retry: RetryPolicy = FAST,
    rate_limit: int = 10,
) -> CloudRecordingClient:
    return CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=emulator.url,
        retry=retry,
        clock=clock or ManualClock(),
        rate_limit=rate_limit,
        storage=STORAGE,
    )


@pytest.fixture
def client(emulator: EmulatorServer, clock: ManualClock) -> CloudRecordingClient:
    return make_client(emulator, clock)


def mix_request() -> dict[str, object]:
    return {
        "recordingConfig": {
            "transcodingConfig": {
                "width": 1280,
                "height": 720,
                "fps": 15,
                "bitrate": 1000,
                "mixedVideoLayout": 1,
            }
        },
        "recordingFileConfig": {"avFileType": ["hls", "mp4"]},
    }


def test_whole_mix_flow(
    emulator: EmulatorServer, client: CloudRecordingClient, clock: ManualClock
) -> None:
    emulator.join("room", 1001)
    with client.record("room", 99, mix_request()) as recording:
        assert emulator.layout_of(recording.sid) == {"mixedVideoLayout": 1}
        emulator.join("room", 1002)
        recording.update_layout(
            load_layout(EXAMPLE), ["1001", "1002"], {"host": "1001", "guest": "1002"}
        )
        layout = emulator.layout_of(recording.sid)
        assert layout["layoutConfig"][1] == {
            "uid": "1002",
            "x_axis": 0.73125,
            "y_axis": 0.716667,
            "width": 0.25,
            "height": 0.25,
            "alpha": 0.95,
            "render_mode": 1,
        }
        statuses = []
        for _ in range(5):
            statuses.append(recording.query().server_response.status)
            clock.advance(0.5)
        assert statuses == [1, 2, 3, 4, RecordingStatus.IN_PROGRESS]
        files = recording.query().server_response
        assert files.file_list_mode == "json" and isinstance(files.file_list, list)
    stopped = recording.stopped
    assert stopped is not None and stopped.server_response.uploading_status == "uploaded"
    assert [
        f.file_name.rsplit(".", 1)[1]
        for f in stopped.server_response.file_list or []
        if not isinstance(f, str)
    ] == ["m3u8", "mp4"]
    with pytest.raises(NotFoundError) as info:
        recording.query()
    assert (info.value.status_code, info.value.code) == (404, 404)
    assert info.value.reason == "failed to find worker"


def test_hls_only_mix_lists_one_string(
    emulator: EmulatorServer, client: CloudRecordingClient
) -> None:
    emulator.join("room", 1001)
    recording = client.record("room", 99)
    stopped = recording.stop()
    assert stopped.server_response.file_list_mode == "string"
    assert isinstance(stopped.server_response.file_list, str)
    assert stopped.server_response.file_list.endswith(".m3u8")


def test_whole_individual_flow(
    emulator: EmulatorServer, client: CloudRecordingClient, clock: ManualClock
) -> None:
    emulator.join("room", 1001)
    emulator.join("room", 1002)
    recording = client.record(
        "room", 99, {"recordingConfig": {"subscribeUidGroup": 0}}, mode="individual"
    )
    clock.advance(3)
    files = recording.query().server_response.file_list
    assert isinstance(files, list)
    assert {(f.uid, f.track_type) for f in files} == {
        ("1001", "audio"),
        ("1001", "video"),
        ("1002", "audio"),
        ("1002", "video"),
    }
    with pytest.raises(ApiError, match="subscribeUidGroup is required"):
        client.record("room", 98, {}, mode="individual")
    recording.stop()


def test_stale_resource_is_acquired_again_before_start(
    emulator: EmulatorServer, clock: ManualClock
) -> None:
    client = make_client(emulator, clock)
    resource = client.acquire("room", 99)
    clock.advance(301)
    recording = client.start(resource)
    assert recording.resource_id != resource.resource_id
    starts = [r for r in emulator.state.requests if r.endpoint == "start"]
    assert len(starts) == 1 and starts[0].status == 200


def test_expired_resource_id_string_is_433(
    emulator: EmulatorServer, clock: ManualClock, client: CloudRecordingClient
) -> None:
    resource = client.acquire("room", 99)
    clock.advance(300)
    with pytest.raises(ApiStatusError) as info:
        client.start(resource.resource_id, cname="room", uid=99)
    assert (info.value.status_code, info.value.code) == (400, 433)
    assert info.value.hint is not None and "5 minutes" in info.value.hint


def test_second_start_is_201_code_7(client: CloudRecordingClient) -> None:
    resource = client.acquire("room", 99)
    client.start(resource)
    with pytest.raises(ApiStatusError) as info:
        client.start(resource.resource_id, cname="room", uid=99)
    assert (info.value.status_code, info.value.code, info.value.reason) == (
        201,
        7,
        "already started",
    )


def test_same_cname_and_uid_is_53(client: CloudRecordingClient) -> None:
    client.record("room", 99)
    with pytest.raises(ApiStatusError) as info:
        client.record("room", 99)
    assert (info.value.status_code, info.value.code, info.value.reason) == (
        400,
        53,
        "task conflict",
    )


def test_mismatches(client: CloudRecordingClient) -> None:
    resource = client.acquire("room", 99)
    with pytest.raises(ApiStatusError) as info:
        client.start(resource.resource_id, cname="other", uid=99)
    assert info.value.code == 432
    with pytest.raises(ApiStatusError) as info:
        client.start("not-a-resource", cname="room", uid=99)
    assert info.value.code == 1001
    first = client.record("room", 99)
    second = client.record("room", 98)
    with pytest.raises(ApiStatusError) as info:
        client.query(first.resource_id, second.sid)
    assert info.value.code == 1003
    with pytest.raises(ApiStatusError) as info:
        client.query(first.resource_id, first.sid, "individual")
    assert (info.value.status_code, info.value.code) == (400, 2)


def test_recording_uid_taken_by_a_user_in_the_channel(
    emulator: EmulatorServer, client: CloudRecordingClient
) -> None:
    emulator.join("room", 1001)
    with pytest.raises(ApiStatusError) as info:
        client.record("room", 1001)
    assert (info.value.status_code, info.value.code) == (400, 2)
    assert "used by someone in the channel" in str(info.value.reason)


def test_stop_with_nobody_publishing_is_206_code_435(
    emulator: EmulatorServer, client: CloudRecordingClient
) -> None:
    emulator.join("room", 1001, publishing=False)
    recording = client.record("room", 99)
    with pytest.raises(ApiStatusError) as info:
        recording.stop()
    assert (info.value.status_code, info.value.code, info.value.reason) == (
        206,
        435,
        "no recorded data",
    )


def test_max_idle_time_ends_an_empty_channel(
    emulator: EmulatorServer, clock: ManualClock, client: CloudRecordingClient
) -> None:
    emulator.join("room", 1001)
    recording = client.record("room", 99, {"recordingConfig": {"maxIdleTime": 5}})
    emulator.leave("room", 1001)
    clock.advance(4)
    assert recording.query().server_response.status is not None
    clock.advance(2)
    with pytest.raises(NotFoundError):
        recording.query()
    assert emulator.state.recordings[recording.sid].ended_by == "maxIdleTime"


def test_gateway_errors(emulator: EmulatorServer) -> None:
    wrong = CloudRecordingClient(APP_ID, CUSTOMER_ID, "nope", base_url=emulator.url, retry=FAST)
    with pytest.raises(AuthenticationError) as auth:
        wrong.acquire("room", 99)
    assert auth.value.reason == "Invalid authentication credentials" and auth.value.code is None
    lost = CloudRecordingClient(
        APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url + "/wrong", retry=FAST
    )
    with pytest.raises(NotFoundError) as route:
        lost.acquire("room", 99)
    assert route.value.reason == "no Route matched with those values"
    other = CloudRecordingClient(
        "other-app", CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url, retry=FAST
    )
    with pytest.raises(ApiStatusError) as app:
        other.acquire("room", 99)
    assert (app.value.status_code, app.value.reason) == (400, "appid is invalid")
    eager = make_client(emulator, rate_limit=100)
    with pytest.raises(RateLimitError) as rate:
        for _ in range(11):
            eager.acquire("room", 99)
    assert rate.value.reason == "API rate limit exceeded"


CALLS = [
    (endpoint, status, code, reason)
    for endpoint, rows in ENDPOINT_ERRORS.items()
    for status, code, reason in rows
]


@pytest.mark.parametrize(
    ("endpoint", "status", "code", "reason"), CALLS, ids=[f"{e}-{s}-{c}" for e, s, c, _ in CALLS]
)
def test_every_documented_answer_becomes_the_right_exception(
    emulator: EmulatorServer,
    client: CloudRecordingClient,
    endpoint: str,
    status: int,
    code: int,
    reason: str,
) -> None:
    recording: Recording | None = None
    if endpoint in ("query", "update", "updateLayout", "stop"):
        recording = client.record("room", 99)
    resource = client.acquire("room", 98) if endpoint == "start" else None
    emulator.inject(Answer(status, code, reason))
    expected = {404: NotFoundError, 500: ServerError, 504: ServerError}.get(status, ApiStatusError)
    with pytest.raises(expected) as info:
        if endpoint == "acquire":
            client.acquire("room", 97)
        elif endpoint == "start":
            assert resource is not None
            client.start(resource)
        else:
            assert recording is not None
            calls: dict[str, Callable[[], object]] = {
                "query": recording.query,
                "update": lambda: recording.update(AUDIO_OF_1001),
                "updateLayout": lambda: recording.update_layout({"mixedVideoLayout": 1}),
                "stop": recording.stop,
            }
            calls[endpoint]()
    error = info.value
    assert (error.status_code, error.code, error.reason) == (status, code, reason)
    assert f"HTTP {status}, code {code}: {reason}" in str(error)


def test_no_secret_in_logs_errors_or_reprs(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(emulator)
    emulator.join("httpClient463224", 1001)
    recording = client.start(
        client.acquire("httpClient463224", "527841"), VALID_START["clientRequest"]
    )
    recording.stop()
    texts = [caplog.text, repr(client), repr(recording), str(client.__dict__)]
    broken = dict(VALID_START["clientRequest"])
    broken["storageConfig"] = {**broken["storageConfig"], "region": 42}
    with pytest.raises(ApiError) as info:
        client.record("httpClient463224", 5, broken)
    texts += [str(info.value), repr(info.value)]
    wrong = CloudRecordingClient(
        APP_ID, CUSTOMER_ID, "very-secret-value", base_url=emulator.url, retry=FAST
    )
    with pytest.raises(AuthenticationError) as auth:
        wrong.acquire("room", 1)
    texts += [str(auth.value), repr(wrong), caplog.text]
    for text in texts:
        for secret in (*SECRETS, CUSTOMER_SECRET, "very-secret-value"):
            assert secret not in text
    # the bodies were logged (so the checks above saw them), their secrets masked in place
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "layoutkit.client")
    assert '"token": "***"' in logged
    assert '"accessKey": "***", "secretKey": "***"' in logged


def test_missing_credentials_say_how_to_give_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AGORA_APP_ID", "AGORA_CUSTOMER_ID", "AGORA_CUSTOMER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ApiError, match="AGORA_CUSTOMER_SECRET"):
        CloudRecordingClient("app")
    monkeypatch.setenv("AGORA_APP_ID", "a")
    monkeypatch.setenv("AGORA_CUSTOMER_ID", "b")
    monkeypatch.setenv("AGORA_CUSTOMER_SECRET", "c")
    assert CloudRecordingClient().app_id == "a"


def test_a_second_stop_is_a_clear_400_code_49(
    emulator: EmulatorServer, client: CloudRecordingClient
) -> None:
    emulator.join("room", 1001)
    recording = client.record("room", 99)
    recording.stop()
    with pytest.raises(ApiStatusError) as info:
        client.stop(recording.resource_id, recording.sid, "room", 99)
    error = info.value
    assert type(error) is ApiStatusError
    assert (error.status_code, error.code, error.reason) == (400, 49, "invalid operation")
    assert "stop: HTTP 400, code 49: invalid operation" in str(error)
    assert error.hint is not None and "duplicate stop" in error.hint and "already" in error.hint
    assert recording.stop() is recording.stopped  # the Recording does not stop twice
