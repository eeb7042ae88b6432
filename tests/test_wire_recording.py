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
from layoutkit.wire.api import ANY_REGION, REGIONS, SUBSCRIBE_UID_GROUPS, DecryptionMode, Vendor
from layoutkit.wire.base import json_context
from layoutkit.wire.layout import TranscodingConfig
from layoutkit.wire.rules import CNAME_PUNCTUATION

RID = "JyvK8nXHuV1BE64GDkAaBGEscvtHW7v8BrQoRPCHxmeVxwY22-x-kv4GdPcjZeMzoCBUCOr9q-k6wBWMC7SaAkZ"
SID = "38f8e3cfdc474cd56fc1ceba380d7e1a"
TOKEN, SECRET, ACCESS_KEY, SECRET_KEY = "tok-7f3a", "dec-91bc", "ak-55e2", "sk-03d4"
SALT = "c2FsdC1zYWx0LXNhbHQtc2FsdC1zYWx0LXNhbHQtMzI="  # Base64 of 32 bytes
STS_TOKEN = "sts-6a1f"

# The examples of Agora's older Chinese REST reference, verbatim.
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
    ("decryptionMode", list(range(9)), [-1, 9]),
    ("audioProfile", [0, 1, 2], [-1, 3]),
    ("videoStreamType", [0, 1], [-1, 2]),
    ("maxIdleTime", [5, 30, 2_592_000], [4, 0, 2_592_001, 2**32 - 1]),
    ("subscribeUidGroup", [0, 1, 2, 3, 4, 5], [-1, 6]),
]


@pytest.mark.parametrize(
    ("field", "value"), [(f, v) for f, good, _ in RANGES for v in good], ids=str
)
@pytest.mark.parametrize("context", [None, json_context()], ids=["python", "json"])
def test_recording_config_bounds_are_accepted(
    field: str, value: int, context: dict[str, Any] | None
) -> None:
    body = {field: value, "secret": SECRET, "salt": SALT}
    wire = RecordingConfig.model_validate(body, context=context).to_wire()
    assert wire[field] == value


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, _, bad in RANGES for v in bad], ids=str)
def test_recording_config_just_outside_is_rejected(field: str, value: int) -> None:
    with pytest.raises(ValidationError) as info:
        RecordingConfig.model_validate({field: value, "secret": SECRET, "salt": SALT})
    assert info.value.errors()[0]["loc"] == (field,)


def test_the_decryption_modes_and_uid_groups_are_agoras() -> None:
    assert {m.value: m.name for m in DecryptionMode} == {
        0: "NONE",
        1: "AES_128_XTS",
        2: "AES_128_ECB",
        3: "AES_256_XTS",
        4: "SM4_128_ECB",
        5: "AES_128_GCM",
        6: "AES_256_GCM",
        7: "AES_128_GCM2",
        8: "AES_256_GCM2",
    }
    assert SUBSCRIBE_UID_GROUPS == {
        0: (1, 2),
        1: (3, 7),
        2: (8, 12),
        3: (13, 17),
        4: (18, 32),
        5: (33, 49),
    }
    with pytest.raises(ValidationError) as info:
        validate_start(start({}), "individual")
    assert "4: 18-32 uids, 5: 33-49 uids" in named(info.value)


@pytest.mark.parametrize("mode", [7, 8])
def test_gcm2_decryption_needs_a_salt_of_32_bytes(mode: int) -> None:
    with pytest.raises(ValidationError) as info:
        RecordingConfig.model_validate({"decryptionMode": mode, "secret": SECRET})
    assert "salt" in named(info.value) and DecryptionMode(mode).name in named(info.value)
    for bad in ("c2FsdA==", "not base64!", SALT[:-4], SALT + "AAAA"):
        with pytest.raises(ValidationError) as info:
            RecordingConfig.model_validate({"decryptionMode": mode, "secret": SECRET, "salt": bad})
        assert info.value.errors()[0]["loc"] == ("salt",) and bad not in str(info.value)
    config = {"decryptionMode": mode, "secret": SECRET, "salt": SALT}
    assert RecordingConfig.model_validate(config).to_wire() == config


@pytest.mark.parametrize("mode", range(1, 9))
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
        *[("individual", {"subscribeUidGroup": group}) for group in range(6)],
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


@pytest.mark.parametrize(("mode", "ok"), [("mix", True), ("web", True), ("individual", False)])
def test_mp4_files_in_mix_and_web_modes_only(mode: Any, ok: bool) -> None:
    config = {"subscribeUidGroup": 0} if mode == "individual" else None
    body = start(config, recordingFileConfig={"avFileType": ["hls", "mp4"]})
    if ok:
        assert validate_start(copy.deepcopy(body), mode).to_wire() == body
        return
    with pytest.raises(ValidationError) as info:
        validate_start(body, mode)
    assert "avFileType" in named(info.value) and "mix and web" in named(info.value)
    body["clientRequest"]["recordingFileConfig"] = {"avFileType": ["hls"]}
    assert validate_start(copy.deepcopy(body), mode).to_wire() == body


@pytest.mark.parametrize(
    ("config", "size"),
    [
        ({}, (360, 640)),
        ({"width": 1920}, (1920, 640)),
        ({"height": 1920}, (360, 1920)),
        ({"width": 1080, "height": 1920, "fps": 30, "bitrate": 3150}, (1080, 1920)),
    ],
)
def test_transcoding_sizes_default_to_agoras(config: dict[str, Any], size: tuple[int, int]) -> None:
    parsed = TranscodingConfig.model_validate(config)
    assert parsed.size() == size
    assert parsed.to_wire() == config  # the defaults are Agora's to apply, not sent


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"width": 1921}, "width"),
        ({"height": 0}, "height"),
        ({"fps": 0}, "fps"),
        ({"bitrate": 6501}, "bitrate"),
        ({"width": 1920, "height": 1081}, "width × height"),
    ],
)
def test_transcoding_bounds(config: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        TranscodingConfig.model_validate(config)
    assert field in named(info.value)


LABEL = "Maths 6B — https://school.example/room?id=7&t=1"


def test_web_page_recording_takes_a_label_as_cname() -> None:
    body = {"cname": LABEL, "uid": "527841", "clientRequest": {}}
    assert StopRequest.model_validate(body, context={"mode": "web"}).cname == LABEL
    assert validate_start(copy.deepcopy(body), "web").cname == LABEL
    for mode in ("mix", "individual"):
        with pytest.raises(ValidationError) as info:
            StopRequest.model_validate(body, context={"mode": mode})
        assert info.value.errors()[0]["loc"] == ("cname",)
    acquire = {**body, "clientRequest": {"scene": 1}}
    assert AcquireRequest.model_validate(acquire).to_wire() == acquire
    for scene in (None, 0, 2):
        client = {} if scene is None else {"scene": scene}
        with pytest.raises(ValidationError) as info:
            AcquireRequest.model_validate({**body, "clientRequest": client})
        assert info.value.errors()[0]["loc"] == ("cname",)


@pytest.mark.parametrize("label", ["é" * 513, "", "a\x00b", "new\nline", 7])
def test_bad_web_labels_are_refused(label: object) -> None:
    with pytest.raises(ValidationError) as info:
        AcquireRequest.model_validate({"cname": label, "uid": "1", "clientRequest": {"scene": 1}})
    assert info.value.errors()[0]["loc"] == ("cname",)


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"streamTypes": 0, "unsubscribeVideoUids": ["1"]}, "unsubscribeVideoUids"),
        ({"streamTypes": 1, "unSubscribeAudioUids": ["1"]}, "unsubscribeAudioUids"),
        ({"subscribeVideoUids": ["1"], "unSubscribeVideoUids": ["2"]}, "unsubscribeVideoUids"),
        ({"subscribeAudioUids": ["1"], "unsubscribeAudioUids": ["2"]}, "unsubscribeAudioUids"),
    ],
)
def test_unsubscribe_lists_follow_the_subscribe_rules(config: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        RecordingConfig.model_validate(config)
    assert field in named(info.value)


@pytest.mark.parametrize(
    "config",
    [
        {"streamTypes": 1, "unsubscribeVideoUids": ["1"], "subscribeAudioUids": []},
        {"streamTypes": 0, "unsubscribeAudioUids": ["1"]},
        {"subscribeVideoUids": ["1"], "unsubscribeAudioUids": ["2"]},
        {"subscribeVideoUids": [], "unsubscribeVideoUids": ["2"]},
    ],
)
def test_unsubscribe_lists_that_agree_are_accepted(config: dict[str, Any]) -> None:
    assert RecordingConfig.model_validate(config).to_wire() == config


# --- storageConfig ----------------------------------------------------------------------


# reference/region-vendor of the current docs, table by table
VENDOR_TABLES: dict[int, tuple[list[int], str]] = {
    1: ([*range(17), *range(18, 23), 24, 25], "EU_SOUTH_1"),
    2: (list(range(28)), "CN_SOUTHEAST_7"),
    3: (list(range(20)), "EU_MOSCOW"),
    7: (list(range(16)), "SA_CHILE_1"),
    8: (list(range(1, 8)), "SHANGHAI"),
}


@pytest.mark.parametrize("vendor", sorted(VENDOR_TABLES))
def test_each_vendor_takes_exactly_its_named_regions(vendor: int) -> None:
    values, last = VENDOR_TABLES[vendor]
    regions = REGIONS[vendor]
    assert [r.value for r in regions] == values and regions(values[-1]).name == last
    for region in range(30):
        body = storage(vendor=vendor, region=region)
        if region in values:
            assert StorageConfig.model_validate(body).region == region
            continue
        with pytest.raises(ValidationError) as info:
            StorageConfig.model_validate(body)
        assert f"region {region}" in named(info.value) and f"vendor {vendor}" in named(info.value)


def test_the_vendors_are_the_current_ones() -> None:
    assert {v.value: v.name for v in Vendor} == {
        1: "AMAZON_S3",
        2: "ALIBABA",
        3: "TENCENT",
        5: "AZURE",
        6: "GOOGLE",
        7: "HUAWEI",
        8: "BAIDU",
        11: "S3_COMPATIBLE",
    }
    assert set(REGIONS) | set(ANY_REGION) == set(Vendor)


@pytest.mark.parametrize(
    ("vendor", "words"),
    [(0, "Qiniu Cloud) is no longer supported"), (4, "not a storage vendor"), (9, "not a")],
)
def test_vendors_agora_does_not_take_are_refused(vendor: int, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        StorageConfig.model_validate(storage(vendor=vendor))
    assert info.value.errors()[0]["loc"] == ("vendor",)
    assert words in named(info.value) and "11 S3_COMPATIBLE" in named(info.value)


@pytest.mark.parametrize(
    ("vendor", "region"), [(5, 0), (5, 27), (6, 0), (6, 3), (11, 0), (11, 1000)]
)
def test_vendors_without_a_region_table_take_any_region(vendor: int, region: int) -> None:
    body = storage(vendor=vendor, region=region, extensionParams={"endpoint": "r2.example"})
    assert StorageConfig.model_validate(body).to_wire() == body


@pytest.mark.parametrize(
    ("params", "ok"),
    [
        ({"endpoint": "s3.example.com"}, True),
        ({"endpoint": "minio.internal:9000"}, True),
        ({"endpoint": "10.0.0.7:9000", "tag": "x"}, True),
        (None, False),
        ({}, False),
        ({"endpoint": ""}, False),
        ({"endpoint": 9000}, False),
        ({"endpoint": "https://s3.example.com"}, False),
        ({"endpoint": "s3.example.com/bucket"}, False),
        ({"endpoint": "s3 example.com"}, False),
    ],
)
def test_s3_compatible_storage_needs_its_endpoint(params: dict[str, Any] | None, ok: bool) -> None:
    body = storage(vendor=11, region=0)
    if params is not None:
        body["extensionParams"] = params
    if ok:
        assert StorageConfig.model_validate(body).to_wire() == body
        return
    with pytest.raises(ValidationError) as info:
        StorageConfig.model_validate(body)
    assert "extensionParams.endpoint" in named(info.value)


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


SHOWN_SECRETS = (TOKEN, SECRET, SALT, ACCESS_KEY, SECRET_KEY, STS_TOKEN)


def _secret_start() -> dict[str, Any]:
    body = copy.deepcopy(VALID_START)
    body["clientRequest"]["token"] = TOKEN
    body["clientRequest"]["recordingConfig"].update(decryptionMode=8, secret=SECRET, salt=SALT)
    body["clientRequest"]["storageConfig"].update(
        accessKey=ACCESS_KEY, secretKey=SECRET_KEY, stsToken=STS_TOKEN
    )
    return body


@pytest.mark.parametrize("context", [None, json_context(mode="mix")], ids=["python", "json"])
def test_secrets_are_sent_but_never_shown(context: dict[str, Any] | None) -> None:
    request = StartRequest.model_validate(_secret_start(), context=context or {"mode": "mix"})
    client = request.client_request
    shown = [request, client, client.recording_config, client.storage_config]
    for text in [repr(m) for m in shown] + [str(m) for m in shown]:
        assert all(s not in text for s in SHOWN_SECRETS)
    wire = request.to_wire()["clientRequest"]
    recording, stored = wire["recordingConfig"], wire["storageConfig"]
    assert (wire["token"], recording["secret"], recording["salt"]) == (TOKEN, SECRET, SALT)
    assert (stored["accessKey"], stored["secretKey"], stored["stsToken"]) == (
        ACCESS_KEY,
        SECRET_KEY,
        STS_TOKEN,
    )


@pytest.mark.parametrize(
    "breakage",
    [
        {"recordingConfig": {"decryptionMode": 2, "secret": SECRET, "streamTypes": 9}},
        {"recordingConfig": {"decryptionMode": 7, "secret": SECRET, "salt": SALT[:-8]}},
        {"recordingConfig": {"decryptionMode": 8, "secret": SECRET, "salt": 12345}},
        {"token": 918273645},
        {"storageConfig": storage(region=99)},
        {"storageConfig": storage(secretKey=["sk-03d4"])},
        {"storageConfig": storage(stsToken=STS_TOKEN, vendor=0)},
    ],
)
@pytest.mark.parametrize("context", [None, json_context()], ids=["python", "json"])
def test_validation_errors_do_not_quote_secrets(
    breakage: dict[str, Any], context: dict[str, Any] | None
) -> None:
    with pytest.raises(ValidationError) as info:
        StartClientRequest.model_validate(breakage, context=context)
    text = str(info.value) + named(info.value)
    secrets = (SECRET, SALT[:-8], "12345", "918273645", ACCESS_KEY, SECRET_KEY, STS_TOKEN)
    assert all(s not in text for s in secrets)


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
    unknown = ServerResponse.model_validate({"status": 9}).status  # a status named later
    assert unknown == 9 and not isinstance(unknown, RecordingStatus)


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
