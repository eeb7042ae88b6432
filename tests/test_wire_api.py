"""The request and response models: every rule of the reference rejected with the field
named; the reference's and real clients' bodies accepted; secrets kept out of reprs."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from agora_rules import (
    ACCEPTED,
    REAL_CLIENTS,
    RULES,
    SECRETS,
    VALID_ACQUIRE,
    VALID_START,
    VALID_STOP,
    VALID_UPDATE,
    Accepted,
    Rule,
    apply_change,
)
from pydantic import BaseModel, ValidationError

from layoutkit.wire import (
    AcquireRequest,
    QueryResponse,
    RecordingStatus,
    ServiceError,
    StopRequest,
    StopResponse,
    UpdateLayoutRequest,
    describe_code,
    validate_start,
)
from layoutkit.wire.base import json_context

MODELS: dict[str, type[BaseModel]] = {
    "acquire": AcquireRequest,
    "updateLayout": UpdateLayoutRequest,
    "stop": StopRequest,
}


def validate(endpoint: str, body: Any, mode: str = "mix", *, from_json: bool = False) -> Any:
    """A body checked by the models: on the Python path (a caller's values), or with
    `from_json` on the JSON path (the body as it crosses the wire, JSON types checked)."""
    if from_json:
        body = json.loads(json.dumps(body))
    if endpoint == "start":
        return validate_start(body, mode, json_types=from_json)  # type: ignore[arg-type]
    context = json_context(mode=mode) if from_json else {"mode": mode}
    return MODELS[endpoint].model_validate(body, context=context)


def error_text(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def paths(rule: Rule) -> list[bool]:
    """The validation paths that must refuse a rule's body (True: the JSON path)."""
    return [True] if rule.json else [True, False]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_is_enforced_and_names_the_field(rule: Rule) -> None:
    for from_json in paths(rule):
        with pytest.raises(ValidationError) as info:
            validate(rule.endpoint, rule.body(), rule.mode, from_json=from_json)
        assert rule.field in error_text(info.value), (from_json, error_text(info.value))


@pytest.mark.parametrize("variant", ACCEPTED, ids=[v.name for v in ACCEPTED])
@pytest.mark.parametrize("from_json", [True, False], ids=["json", "python"])
def test_each_accepted_variant_is_accepted_and_sent_as_given(
    variant: Accepted, from_json: bool
) -> None:
    body = variant.body()
    model = validate(variant.endpoint, copy.deepcopy(body), variant.mode, from_json=from_json)
    assert model.to_wire() == _drop_empty_uids(body)


def _drop_empty_uids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_empty_uids(v) for k, v in value.items() if (k, v) != ("uid", "")}
    if isinstance(value, list):
        return [_drop_empty_uids(v) for v in value]
    return value


def test_every_row_names_its_source_and_is_unique() -> None:
    rows: list[Rule | Accepted] = [*RULES, *ACCEPTED]
    for row in rows:
        kind, _, where = row.source.partition(": ")
        assert kind in ("seed", "current") and where.strip(), row
    names = [row.name for row in rows]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("endpoint", "path", "value", "sent"),
    [
        ("acquire", "uid", 527841, "527841"),
        ("updateLayout", "clientRequest.layoutConfig.0.uid", 1, "1"),
        ("updateLayout", "clientRequest.layoutConfig.0.x_axis", "0.5", 0.5),
        ("updateLayout", "clientRequest.mixedVideoLayout", "3", 3),
        ("stop", "clientRequest.async_stop", "true", True),
    ],
)
def test_the_python_path_converts_what_the_json_path_refuses(
    endpoint: str, path: str, value: object, sent: object
) -> None:
    body = {"acquire": VALID_ACQUIRE, "updateLayout": VALID_UPDATE, "stop": VALID_STOP}[endpoint]
    body = copy.deepcopy(body)
    apply_change(body, path, value)
    with pytest.raises(ValidationError):
        validate(endpoint, copy.deepcopy(body), from_json=True)
    wire = validate(endpoint, body).to_wire()
    for part in path.split("."):
        wire = wire[int(part)] if isinstance(wire, list) else wire[part]
    assert wire == sent and type(wire) is type(sent)


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("acquire", VALID_ACQUIRE),
        ("start", VALID_START),
        ("updateLayout", VALID_UPDATE),
        ("stop", VALID_STOP),
    ],
)
def test_the_reference_examples_are_valid(endpoint: str, body: dict[str, Any]) -> None:
    model = validate(endpoint, copy.deepcopy(body))
    wire = model.to_wire()
    assert wire["uid"] == body["uid"] and isinstance(wire["uid"], str)


ENDPOINTS = {"acquire": "acquire", "start": "start", "update": "updateLayout", "stop": "stop"}
REAL_BODIES: list[tuple[str, dict[str, Any]]] = [
    (endpoint, shapes[key])
    for shapes in REAL_CLIENTS.values()
    for key, endpoint in ENDPOINTS.items()
] + [
    (
        "start",
        {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "recordingConfig": {
                    "unSubscribeVideoUids": ["5"],
                    "unsubscribeAudioUids": ["6"],
                    "streamMode": "default",
                    "subscribeUidGroup": 0,
                }
            },
        },
    ),
    (
        "updateLayout",
        {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {"mixedVideoLayout": 0, "layoutConfig": []},
        },
    ),
]


@pytest.mark.parametrize(("endpoint", "body"), REAL_BODIES)
def test_bodies_real_clients_send_are_accepted(endpoint: str, body: dict[str, Any]) -> None:
    wire = validate(endpoint, copy.deepcopy(body)).to_wire()
    assert (wire["cname"], wire["uid"]) == (body["cname"], body["uid"])


def test_secrets_never_appear_in_reprs_or_errors() -> None:
    model = validate_start(copy.deepcopy(VALID_START), "mix")
    for text in (repr(model), str(model)):
        assert not any(secret in text for secret in SECRETS)
    assert model.to_wire()["clientRequest"]["storageConfig"]["secretKey"] == "sk-secret-789"
    broken = copy.deepcopy(VALID_START)
    broken["clientRequest"]["storageConfig"]["region"] = 99
    with pytest.raises(ValidationError) as info:
        validate_start(broken, "mix")
    assert not any(secret in str(info.value) for secret in SECRETS)


def test_query_responses_parse_both_file_list_modes() -> None:
    string_mode = QueryResponse.model_validate(
        {
            "resourceId": "r",
            "sid": "s",
            "serverResponse": {
                "fileListMode": "string",
                "fileList": "a.m3u8",
                "status": "5",
                "sliceStartTime": "1562724971626",
            },
        }
    )
    assert string_mode.server_response.status == RecordingStatus.IN_PROGRESS
    assert string_mode.server_response.file_list == "a.m3u8"
    json_mode = QueryResponse.model_validate(
        {
            "resourceId": "r",
            "sid": "s",
            "serverResponse": {
                "fileListMode": "json",
                "status": 5,
                "fileList": [
                    {
                        "filename": "xxx.m3u8",
                        "trackType": "audio_and_video",
                        "uid": "123",
                        "mixedAllUser": "true",
                        "isPlayable": "true",
                        "sliceStartTime": "1562724971626",
                    }
                ],
            },
        }
    )
    files = json_mode.server_response.file_list
    assert isinstance(files, list) and files[0].file_name == "xxx.m3u8"
    assert files[0].mixed_all_user is True and files[0].slice_start_time == 1562724971626
    assert (
        json.loads(json.dumps(json_mode.to_wire()))["serverResponse"]["fileList"][0]["fileName"]
        == "xxx.m3u8"
    )
    with pytest.raises(ValidationError, match="fileListMode"):
        QueryResponse.model_validate(
            {
                "resourceId": "r",
                "sid": "s",
                "serverResponse": {"fileListMode": "json", "fileList": "a.m3u8"},
            }
        )


def test_stop_response_and_error_shapes() -> None:
    stopped = StopResponse.model_validate(
        {
            "resourceId": "r",
            "sid": "s",
            "serverResponse": {
                "fileListMode": "string",
                "fileList": "a.m3u8",
                "uploadingStatus": "backuped",
            },
        }
    )
    assert stopped.server_response.uploading_status == "backuped"
    real_404 = ServiceError.model_validate(
        {
            "cname": "64ce638a934f",
            "code": 404,
            "resourceId": "s1pH",
            "serverResponse": {
                "command": "StopCloudRecorder",
                "payload": {"message": "failed to find worker"},
                "subscribeModeBitmask": 1,
                "vid": "1209",
            },
            "sid": "746d",
            "uid": "18761",
        }
    )
    assert real_404.code == 404 and real_404.message() == "failed to find worker"


@pytest.mark.parametrize("code", [2, 7, 53, 62, 65, 404, 432, 433, 435, 1001, 1003, 1013, 1028])
def test_documented_codes_have_a_reason_and_a_hint(code: int) -> None:
    info = describe_code(code)
    assert info is not None and info.reason and info.hint


def test_an_unknown_recording_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="not a recording mode"):
        validate_start(copy.deepcopy(VALID_START), "mixed")  # type: ignore[arg-type]


def test_query_status_keeps_its_name() -> None:
    reply = QueryResponse.model_validate(
        {"resourceId": "r", "sid": "s", "serverResponse": {"status": "5"}}
    )
    status = reply.server_response.status
    assert isinstance(status, RecordingStatus) and status.name == "IN_PROGRESS"
    assert reply.to_wire()["serverResponse"]["status"] == 5


@pytest.mark.parametrize("number", [9, 21, 42, "99", 2**31])
def test_an_unknown_query_status_is_kept_as_its_number(number: int | str) -> None:
    body = {"resourceId": "r", "sid": "s", "serverResponse": {"status": number}}
    for reply in (QueryResponse.model_validate(body), StopResponse.model_validate(body)):
        status = reply.server_response.status
        assert status == int(number) and not isinstance(status, RecordingStatus)
        assert reply.to_wire()["serverResponse"]["status"] == int(number)


@pytest.mark.parametrize("status", [True, "in progress", 1.5, [5]])
def test_a_status_that_is_not_a_number_is_refused(status: object) -> None:
    body = {"resourceId": "r", "sid": "s", "serverResponse": {"status": status}}
    with pytest.raises(ValidationError, match="status"):
        QueryResponse.model_validate(body)


def test_uint64_numbers_in_answers_are_read_whole() -> None:
    biggest = 2**64 - 1  # Agora's Uint64 fields (sliceStartTime is milliseconds)
    body = {
        "resourceId": "r",
        "sid": "s",
        "serverResponse": {
            "sliceStartTime": biggest,
            "fileListMode": "json",
            "fileList": [{"fileName": "a.m3u8", "sliceStartTime": str(biggest)}],
        },
    }
    reply = QueryResponse.model_validate(body)
    files = reply.server_response.file_list
    assert reply.server_response.slice_start_time == biggest
    assert isinstance(files, list) and files[0].slice_start_time == biggest


def test_codes_that_differ_per_endpoint() -> None:
    acquire = describe_code(501, "acquire")
    assert acquire is not None and acquire.reason == "no_worker_manager_available"
    anywhere = describe_code(501)
    assert anywhere is not None and anywhere.reason == "recording service exiting"
    stop = describe_code(435, "stop")
    assert stop is not None and stop.hint == describe_code(435).hint  # type: ignore[union-attr]
