"""The acquire, start and stop bodies and every response, held to the REST reference:
its own examples round-trip unchanged, each rule rejects the value just outside its range
with the field named and accepts its bounds, start rules follow the recording mode, and
secrets stay out of reprs. (`test_wire_api.py` runs the shared rule table.)"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from agora_rules import REAL_CLIENTS, VALID_START
from pydantic import ValidationError

from layoutkit.wire import (
    AcquireRequest,
    AcquireResponse,
    FileListEntry,
    GatewayError,
    QueryResponse,
    RecordingConfig,
    RecordingFileConfig,
    RecordingStatus,
    ServerResponse,
    ServiceError,
    StartClientRequest,
    StartRequest,
    StartResponse,
    StopRequest,
    StopResponse,
    StorageConfig,
    UpdateLayoutRequest,
    UpdateLayoutResponse,
    validate_start,
)
from layoutkit.wire.base import CNAME_PUNCTUATION
from layoutkit.wire.storage import REGIONS

RID = "JyvK8nXHuV1BE64GDkAaBGEscvtHW7v8BrQoRPCHxmeVxwY22-x-kv4GdPcjZeMzoCBUCOr9q-k6wBWMC7SaAkZ"
SID = "38f8e3cfdc474cd56fc1ceba380d7e1a"
TOKEN, SECRET, ACCESS_KEY, SECRET_KEY = "tok-7f3a", "dec-91bc", "ak-55e2", "sk-03d4"

# The examples of cloud-recording-rest-api.zh.md, verbatim.
REF_ACQUIRE: dict[str, Any] = {"cname": "httpClient463224", "uid": "527841", "clientRequest": {}}
REF_START: dict[str, Any] = {
    "uid": "527841",
    "cname": "httpClient463224",
    "clientRequest": {
        "token": "<token if any>",
        "recordingConfig": {
            "maxIdleTime": 30,
            "streamTypes": 2,
            "audioProfile": 1,
            "channelType": 0,
            "videoStreamType": 1,
            "transcodingConfig": {
                "height": 640,
                "width": 360,
                "bitrate": 500,
                "fps": 15,
                "mixedVideoLayout": 1,
                "backgroundColor": "#FF0000",
            },
            "subscribeVideoUids": ["123", "456"],
            "subscribeAudioUids": ["123", "456"],
            "subscribeUidGroup": 0,
        },
        "storageConfig": {
            "accessKey": "xxxxxxf",
            "region": 3,
            "bucket": "xxxxx",
            "secretKey": "xxxxx",
            "vendor": 2,
            "fileNamePrefix": ["directory1", "directory2"],
        },
    },
}
_REGION = {"x_axis": 0.1, "y_axis": 0.1, "width": 0.1, "height": 0.1, "alpha": 1.0}
REF_UPDATE: dict[str, Any] = {
    "uid": "527841",
    "cname": "httpClient463224",
    "clientRequest": {
        "mixedVideoLayout": 3,
        "backgroundColor": "#FF0000",
        "layoutConfig": [
            {"uid": "1", **_REGION, "render_mode": 1},
            {"uid": "2", **_REGION, "x_axis": 0.2, "y_axis": 0.2, "render_mode": 1},
        ],
    },
}
REF_STOP: dict[str, Any] = {"cname": "httpClient463224", "uid": "527841", "clientRequest": {}}
_FILE = {
    "filename": "xxx.m3u8",
    "trackType": "audio_and_video",
    "uid": "123",
    "mixedAllUser": "true",
    "isPlayable": "true",
    "sliceStartTime": "1562724971626",
}
REF_QUERY_RESPONSE: dict[str, Any] = {
    "resourceId": RID,
    "sid": SID,
    "serverResponse": {
        "fileListMode": "json",
        "fileList": [_FILE, {**_FILE, "uid": "456"}],
        "status": "5",
        "sliceStartTime": "1562724971626",
    },
}
REF_STOP_RESPONSE: dict[str, Any] = {
    "resourceId": RID,
    "sid": SID,
    "serverResponse": {
        "fileListMode": "json",
        "fileList": [_FILE, {**_FILE, "uid": "456"}],
        "uploadingStatus": "uploaded",
    },
}


def named(exc: ValidationError) -> str:
    """Every error as `loc: msg`, where the field must be named."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def storage(**changes: Any) -> dict[str, Any]:
    body = {"vendor": 1, "region": 0, "bucket": "b", "accessKey": ACCESS_KEY}
    return {**body, "secretKey": SECRET_KEY, **changes}


def start(recording_config: dict[str, Any] | None = None, **client: Any) -> dict[str, Any]:
    request = dict(client)
    if recording_config is not None:
        request["recordingConfig"] = recording_config
    return {"cname": "chan", "uid": "123", "clientRequest": request}


# --- the reference's and real clients' bodies -------------------------------------------


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (AcquireRequest, REF_ACQUIRE),
        (StartRequest, REF_START),
        (UpdateLayoutRequest, REF_UPDATE),
        (StopRequest, REF_STOP),
    ],
    ids=["acquire", "start", "updateLayout", "stop"],
)
def test_reference_examples_round_trip_unchanged(model: type[StartRequest], body: Any) -> None:
    parsed = model.model_validate(copy.deepcopy(body))
    assert parsed.to_wire() == body
    assert model.model_validate(parsed.to_wire()) == parsed


def test_the_reference_start_example_is_a_mix_mode_body() -> None:
    assert validate_start(copy.deepcopy(REF_START), "mix").to_wire() == REF_START
    with pytest.raises(ValidationError, match="audioProfile"):
        validate_start(copy.deepcopy(REF_START), "individual")


def _drop_empty_uids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_empty_uids(v) for k, v in value.items() if (k, v) != ("uid", "")}
    if isinstance(value, list):
        return [_drop_empty_uids(v) for v in value]
    return value


@pytest.mark.parametrize("client", sorted(REAL_CLIENTS))
@pytest.mark.parametrize(
    ("key", "model"),
    [("acquire", AcquireRequest), ("update", UpdateLayoutRequest), ("stop", StopRequest)],
)
def test_real_client_bodies_go_out_as_sent(client: str, key: str, model: type[Any]) -> None:
    body = REAL_CLIENTS[client][key]
    assert model.model_validate(copy.deepcopy(body)).to_wire() == _drop_empty_uids(body)


@pytest.mark.parametrize("client", sorted(REAL_CLIENTS))
def test_real_client_start_bodies_go_out_as_sent_but_for_empty_uids(client: str) -> None:
    body = REAL_CLIENTS[client]["start"]
    assert validate_start(copy.deepcopy(body), "mix").to_wire() == _drop_empty_uids(body)


def test_unknown_keys_are_kept_and_sent() -> None:
    body = start(
        {"subscribeUidGroup": 1, "streamMode": "default", "unsunscribeVideoUids": ["7"]},
        snapshotConfig={"captureInterval": 5, "fileType": ["jpg"]},
    )
    body["futureField"] = {"a": 1}
    assert validate_start(copy.deepcopy(body), "individual").to_wire() == body


# --- acquire and stop -------------------------------------------------------------------


@pytest.mark.parametrize(
    "client_request",
    [
        {},
        {"scene": 0},
        {"scene": 1},
        {"scene": 2},
        {"resourceExpiredHour": 1},
        {"resourceExpiredHour": 720, "startParameter": {"recordingConfig": {"streamTypes": 2}}},
    ],
)
def test_acquire_client_requests_accepted(client_request: dict[str, Any]) -> None:
    body = {"cname": "chan", "uid": 123, "clientRequest": client_request}
    assert AcquireRequest.model_validate(body).to_wire() == {**body, "uid": "123"}


def test_acquire_and_stop_without_client_request_send_an_empty_one() -> None:
    for model in (AcquireRequest, StopRequest):
        wire = model.model_validate({"cname": "chan", "uid": "123"}).to_wire()
        assert wire == {"cname": "chan", "uid": "123", "clientRequest": {}}


@pytest.mark.parametrize(
    ("field", "bad"),
    [("resourceExpiredHour", 0), ("resourceExpiredHour", 721), ("scene", -1), ("scene", 3)],
)
def test_acquire_ranges(field: str, bad: int) -> None:
    with pytest.raises(ValidationError) as info:
        AcquireRequest.model_validate({"cname": "c", "uid": "1", "clientRequest": {field: bad}})
    assert info.value.errors()[0]["loc"] == ("clientRequest", field)


@pytest.mark.parametrize("client_request", [{}, {"async_stop": False}, {"async_stop": True}])
def test_stop_client_requests_sent_as_given(client_request: dict[str, Any]) -> None:
    body = {"cname": "chan", "uid": "123", "clientRequest": client_request}
    assert StopRequest.model_validate(body).to_wire() == body


# --- cname and uid ----------------------------------------------------------------------

CNAME_CHARSET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 " + "!#$%&()+-:;<=.>?@[]^_{}|~,"
)


def test_the_89_characters_of_error_1013_are_accepted() -> None:
    assert len(set(CNAME_CHARSET)) == 89 and set(CNAME_PUNCTUATION) <= set(CNAME_CHARSET)
    for i in range(0, 89, 64):
        chunk = CNAME_CHARSET[i : i + 64]
        assert AcquireRequest.model_validate({"cname": chunk, "uid": "1"}).cname == chunk


@pytest.mark.parametrize(
    "cname", ["a/b", "a*b", "a'b", 'a"b', "a`b", "a\\b", "café", "a\tb", "", "c" * 65]
)
@pytest.mark.parametrize("model", [AcquireRequest, StartRequest, StopRequest])
def test_bad_cnames_are_rejected(cname: str, model: type[Any]) -> None:
    with pytest.raises(ValidationError) as info:
        model.model_validate({"cname": cname, "uid": "1", "clientRequest": {}})
    assert info.value.errors()[0]["loc"] == ("cname",)


@pytest.mark.parametrize(("uid", "sent"), [(1, "1"), ("4294967295", "4294967295"), (" 7 ", "7")])
def test_uids_are_sent_as_strings(uid: object, sent: str) -> None:
    assert StopRequest.model_validate({"cname": "c", "uid": uid}).to_wire()["uid"] == sent


@pytest.mark.parametrize("uid", [0, "0", 2**32, "4294967296", "alice", "", True, -1, 1.5])
def test_bad_uids_are_rejected(uid: object) -> None:
    with pytest.raises(ValidationError) as info:
        AcquireRequest.model_validate({"cname": "c", "uid": uid})
    assert info.value.errors()[0]["loc"] == ("uid",)


# --- recordingConfig --------------------------------------------------------------------

RANGES: list[tuple[str, list[int], list[int]]] = [
    ("channelType", [0, 1], [-1, 2]),
    ("streamTypes", [0, 1, 2], [-1, 3]),
    ("decryptionMode", [0, 1, 2, 3], [-1, 4]),
    ("audioProfile", [0, 1, 2], [-1, 3]),
    ("videoStreamType", [0, 1], [-1, 2]),
    ("maxIdleTime", [5, 30, 2**32 - 1], [4, 0, 2**32]),
    ("subscribeUidGroup", [0, 1, 2, 3], [-1, 4]),
]


@pytest.mark.parametrize(
    ("field", "value"), [(f, v) for f, good, _ in RANGES for v in good], ids=str
)
def test_recording_config_bounds_are_accepted(field: str, value: int) -> None:
    wire = RecordingConfig.model_validate({field: value, "secret": SECRET}).to_wire()
    assert wire[field] == value


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, _, bad in RANGES for v in bad], ids=str)
def test_recording_config_just_outside_is_rejected(field: str, value: int) -> None:
    with pytest.raises(ValidationError) as info:
        RecordingConfig.model_validate({field: value, "secret": SECRET})
    assert info.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize("mode", [1, 2, 3])
@pytest.mark.parametrize("secret", [None, ""])
def test_decryption_needs_a_secret(mode: int, secret: str | None) -> None:
    config: dict[str, Any] = {"decryptionMode": mode}
    if secret is not None:
        config["secret"] = secret
    with pytest.raises(ValidationError) as info:
        RecordingConfig.model_validate(config)
    assert "decryptionMode" in named(info.value) and "secret" in named(info.value)


def test_no_decryption_needs_no_secret() -> None:
    assert RecordingConfig.model_validate({"decryptionMode": 0}).to_wire() == {"decryptionMode": 0}


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"streamTypes": 0, "subscribeVideoUids": ["1"]}, "subscribeVideoUids"),
        ({"streamTypes": 1, "subscribeAudioUids": ["1"]}, "subscribeAudioUids"),
        ({"subscribeVideoUids": [str(i) for i in range(1, 34)]}, "subscribeVideoUids"),
        ({"subscribeAudioUids": [str(i) for i in range(1, 34)]}, "subscribeAudioUids"),
        ({"subscribeAudioUids": ["0"]}, "subscribeAudioUids"),
        ({"subscribeVideoUids": ["4294967296"]}, "subscribeVideoUids"),
        ({"unsubscribeVideoUids": ["bob"]}, "unsubscribeVideoUids"),
        ({"unSubscribeAudioUids": [str(i) for i in range(1, 34)]}, "unSubscribeAudioUids"),
    ],
)
def test_subscription_lists_are_checked(config: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        RecordingConfig.model_validate(config)
    assert field in named(info.value)


@pytest.mark.parametrize(
    "config",
    [
        {"streamTypes": 1, "subscribeVideoUids": [str(i) for i in range(1, 33)]},
        {"streamTypes": 0, "subscribeAudioUids": ["#allstream#"]},
        {"subscribeVideoUids": ["1"], "subscribeAudioUids": ["4294967295"]},
    ],
)
def test_consistent_subscriptions_are_accepted(config: dict[str, Any]) -> None:
    assert RecordingConfig.model_validate(config).to_wire() == config


@pytest.mark.parametrize("kind", ["Video", "Audio"])
@pytest.mark.parametrize("spelling", ["unsubscribe{}Uids", "unSubscribe{}Uids"])
def test_both_unsubscribe_spellings_go_out_in_the_docs_spelling(kind: str, spelling: str) -> None:
    config = RecordingConfig.model_validate({spelling.format(kind): ["5", "6"]})
    assert config.to_wire() == {f"unsubscribe{kind}Uids": ["5", "6"]}


@pytest.mark.parametrize(
    ("mode", "config", "field"),
    [
        ("individual", {}, "subscribeUidGroup"),
        ("individual", None, "subscribeUidGroup"),
        ("individual", {"subscribeUidGroup": 0, "audioProfile": 0}, "audioProfile"),
        ("web", {"audioProfile": 2}, "audioProfile"),
        ("individual", {"subscribeUidGroup": 0, "transcodingConfig": {}}, "transcodingConfig"),
        ("web", {"transcodingConfig": {}}, "transcodingConfig"),
    ],
)
def test_mode_rules_name_the_field(mode: Any, config: dict[str, Any] | None, field: str) -> None:
    tc = {"width": 640, "height": 360, "fps": 15, "bitrate": 500}
    if config is not None and "transcodingConfig" in config:
        config = {**config, "transcodingConfig": tc}
    with pytest.raises(ValidationError) as info:
        validate_start(start(config), mode)
    assert field in named(info.value)
    assert validate_start(start(config), "mix").to_wire() == start(config)


@pytest.mark.parametrize(
    ("mode", "config"),
    [
        ("mix", None),
        ("mix", {"audioProfile": 2}),
        ("web", None),
        *[("individual", {"subscribeUidGroup": group}) for group in range(4)],
    ],
)
def test_mode_rules_accept_what_the_mode_allows(mode: Any, config: dict[str, Any] | None) -> None:
    assert validate_start(start(config), mode).to_wire() == start(config)


@pytest.mark.parametrize(
    ("file_types", "ok"),
    [
        (["hls"], True),
        (["hls", "mp4"], True),
        (["mp4", "hls"], True),
        (["mp4"], False),
        ([], False),
        (["hls", "flv"], False),
    ],
)
def test_av_file_type(file_types: list[str], ok: bool) -> None:
    body = {"avFileType": file_types}
    if ok:
        assert RecordingFileConfig.model_validate(body).to_wire() == body
        return
    with pytest.raises(ValidationError) as info:
        RecordingFileConfig.model_validate(body)
    assert info.value.errors()[0]["loc"][0] == "avFileType"


# --- storageConfig ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vendor", "count", "last"),
    [(0, 4, "BEIMEI"), (1, 18, "US_GOV_WEST_1"), (2, 19, "EU_EAST_1"), (3, 20, "EU_MOSCOW")],
)
def test_each_vendor_takes_exactly_its_named_regions(vendor: int, count: int, last: str) -> None:
    regions = REGIONS[vendor]
    assert [r.value for r in regions] == list(range(count)) and regions(count - 1).name == last
    for region in range(count):
        assert StorageConfig.model_validate(storage(vendor=vendor, region=region)).region == region
    with pytest.raises(ValidationError) as info:
        StorageConfig.model_validate(storage(vendor=vendor, region=count))
    assert f"region {count}" in named(info.value) and f"vendor {vendor}" in named(info.value)


@pytest.mark.parametrize(("vendor", "region"), [(4, 0), (5, 27), (11, 0), (11, 1000)])
def test_other_vendors_take_any_region(vendor: int, region: int) -> None:
    body = storage(vendor=vendor, region=region, extensionParams={"endpoint": "r2.example"})
    assert StorageConfig.model_validate(body).to_wire() == body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"vendor": -1}, "vendor"),
        ({"vendor": 11, "region": -1}, "region"),
        ({"bucket": ""}, "bucket"),
        ({"fileNamePrefix": ["dir-1"]}, "fileNamePrefix"),
        ({"fileNamePrefix": ["a/b"]}, "fileNamePrefix"),
        ({"fileNamePrefix": [""]}, "fileNamePrefix"),
        ({"fileNamePrefix": ["répertoire"]}, "fileNamePrefix"),
        ({"fileNamePrefix": ["a" * 63, "b" * 64]}, "fileNamePrefix"),
    ],
)
def test_storage_rules(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        StorageConfig.model_validate(storage(**changes))
    assert info.value.errors()[0]["loc"] == (field,)


def test_a_prefix_of_exactly_128_characters_with_its_slashes_is_accepted() -> None:
    prefix = ["a" * 63, "B9" * 31 + "c"]  # "aaa…/B9B9…c/" = 63 + 1 + 63 + 1
    assert StorageConfig.model_validate(storage(fileNamePrefix=prefix)).file_name_prefix == prefix


# --- secrets ----------------------------------------------------------------------------


def _secret_start() -> dict[str, Any]:
    body = copy.deepcopy(VALID_START)
    body["clientRequest"]["token"] = TOKEN
    body["clientRequest"]["recordingConfig"].update(decryptionMode=2, secret=SECRET)
    body["clientRequest"]["storageConfig"].update(accessKey=ACCESS_KEY, secretKey=SECRET_KEY)
    return body


def test_secrets_are_sent_but_never_shown() -> None:
    request = validate_start(_secret_start(), "mix")
    client = request.client_request
    shown = [request, client, client.recording_config, client.storage_config]
    for text in [repr(m) for m in shown] + [str(m) for m in shown]:
        assert all(s not in text for s in (TOKEN, SECRET, ACCESS_KEY, SECRET_KEY))
    wire = request.to_wire()["clientRequest"]
    assert (wire["token"], wire["recordingConfig"]["secret"]) == (TOKEN, SECRET)
    assert (wire["storageConfig"]["accessKey"], wire["storageConfig"]["secretKey"]) == (
        ACCESS_KEY,
        SECRET_KEY,
    )


@pytest.mark.parametrize(
    "breakage",
    [
        {"recordingConfig": {"decryptionMode": 2, "secret": SECRET, "streamTypes": 9}},
        {"token": 918273645},
        {"storageConfig": storage(region=99)},
        {"storageConfig": storage(secretKey=["sk-03d4"])},
    ],
)
def test_validation_errors_do_not_quote_secrets(breakage: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        StartClientRequest.model_validate(breakage)
    text = str(info.value) + named(info.value)
    assert all(s not in text for s in (SECRET, "918273645", ACCESS_KEY, SECRET_KEY))


# --- responses --------------------------------------------------------------------------


def test_reference_success_responses_parse() -> None:
    assert AcquireResponse.model_validate({"resourceId": RID}).resource_id == RID
    for model in (StartResponse, UpdateLayoutResponse):
        answer = model.model_validate({"sid": SID, "resourceId": RID, "cname": "c", "uid": "1"})
        assert (answer.sid, answer.resource_id, answer.uid) == (SID, RID, "1")
    query = QueryResponse.model_validate(REF_QUERY_RESPONSE).server_response
    assert query.status == RecordingStatus.IN_PROGRESS and query.slice_start_time == 1562724971626
    stop = StopResponse.model_validate(REF_STOP_RESPONSE).server_response
    assert stop.uploading_status == "uploaded" and isinstance(stop.file_list, list)
    assert [f.uid for f in stop.file_list] == ["123", "456"]
    assert stop.file_list[0].file_name == "xxx.m3u8" and stop.file_list[0].is_playable is True


@pytest.mark.parametrize("model", [AcquireResponse, StartResponse])
def test_success_responses_need_their_ids(model: type[Any]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate({"resourceId": "", "sid": ""})


def test_recording_status_names() -> None:
    assert {s.value: s.name for s in RecordingStatus} == {
        0: "NOT_STARTED",
        1: "INITIALIZED",
        2: "RECORDER_STARTING",
        3: "UPLOADER_READY",
        4: "RECORDER_READY",
        5: "IN_PROGRESS",
        6: "STOP_REQUESTED",
        7: "STOPPED",
        8: "EXITING",
        20: "FAILED",
    }
    for status in RecordingStatus:
        for sent in (status.value, str(status.value)):
            assert ServerResponse.model_validate({"status": sent}).status == status
    with pytest.raises(ValidationError):
        ServerResponse.model_validate({"status": 9})


@pytest.mark.parametrize(
    ("mode", "files", "ok"),
    [
        ("string", "sid_chan.m3u8", True),
        ("json", [{"fileName": "a.m3u8"}, {"filename": "b.mp4"}], True),
        ("json", [], True),
        ("string", [{"fileName": "a.m3u8"}], False),
        ("json", "a.m3u8", False),
    ],
)
def test_file_list_follows_file_list_mode(mode: str, files: Any, ok: bool) -> None:
    body = {"fileListMode": mode, "fileList": files}
    if not ok:
        with pytest.raises(ValidationError, match="fileListMode"):
            ServerResponse.model_validate(body)
        return
    parsed = ServerResponse.model_validate(body).file_list
    names = parsed if isinstance(parsed, str) else [f.file_name for f in parsed or []]
    assert names == (files if isinstance(files, str) else ["a.m3u8", "b.mp4"][: len(files)])


@pytest.mark.parametrize(
    ("entry", "wire"),
    [
        (
            _FILE,
            {"fileName": "xxx.m3u8", "trackType": "audio_and_video", "uid": "123"}
            | {"mixedAllUser": True, "isPlayable": True, "sliceStartTime": 1562724971626},
        ),
        (
            {
                "fileName": "a.mp4",
                "mixedAllUser": False,
                "isPlayable": "false",
                "sliceStartTime": 1,
            },
            {"fileName": "a.mp4", "mixedAllUser": False, "isPlayable": False, "sliceStartTime": 1},
        ),
    ],
)
def test_file_list_entries(entry: dict[str, Any], wire: dict[str, Any]) -> None:
    assert FileListEntry.model_validate(entry).to_wire() == wire


def test_uploading_status_and_web_mode_state() -> None:
    for status in ("uploaded", "backuped", "unknown"):
        assert ServerResponse.model_validate({"uploadingStatus": status}).uploading_status == status
    with pytest.raises(ValidationError) as info:
        ServerResponse.model_validate({"uploadingStatus": "done"})
    assert info.value.errors()[0]["loc"] == ("uploadingStatus",)
    files = [{"filename": "w.m3u8", "sliceStartTime": 1}]
    web = [
        {"payload": {"fileList": files}, "serviceName": "web_recorder_service"},
        {"payload": {"uploadingStatus": "backuped"}, "serviceName": "upload_service"},
    ]
    stop = StopResponse.model_validate(
        {"resourceId": RID, "sid": SID, "serverResponse": {"extensionServiceState": web}}
    )
    assert stop.server_response.extension_service_state == web
    assert stop.server_response.file_list is None


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            {"code": 2, "reason": "Acquire: invalid resourceExpiredHour value!"},
            2,
            "Acquire: invalid resourceExpiredHour value!",
        ),
        ({"code": "62", "reason": "request timeout"}, 62, "request timeout"),
        ({"resourceId": RID, "sid": "", "code": 15}, 15, None),
        (
            {"cname": "c", "uid": "9", "code": 404, "resourceId": RID, "sid": SID}
            | {"serverResponse": {"payload": {"message": "failed to find worker"}, "vid": "1"}},
            404,
            "failed to find worker",
        ),
    ],
)
def test_service_errors(body: dict[str, Any], code: int, message: str | None) -> None:
    error = ServiceError.model_validate(body)
    assert (error.code, error.message()) == (code, message)


def test_gateway_errors() -> None:
    for message in ("Unauthorized", "no Route matched with those values", "appid is invalid"):
        assert GatewayError.model_validate({"message": message}).message == message
    with pytest.raises(ValidationError) as info:
        GatewayError.model_validate({"code": 2})
    assert info.value.errors()[0]["loc"] == ("message",)
