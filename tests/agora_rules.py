"""The rules of the REST reference as data: a valid body per endpoint; for each rule a
change that breaks it, the field the error must name and where the rule is written; and
the valid variants both the models and the emulator must accept. Shared by the model
tests and the emulator tests."""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass
from typing import Any

DELETE = object()

VALID_ACQUIRE: dict[str, Any] = {
    "cname": "httpClient463224",
    "uid": "527841",
    "clientRequest": {"resourceExpiredHour": 24},
}
VALID_START: dict[str, Any] = {
    "cname": "httpClient463224",
    "uid": "527841",
    "clientRequest": {
        "token": "tok-secret-123",
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
                "mixedVideoLayout": 3,
                "backgroundColor": "#FF0000",
                "layoutConfig": [
                    {
                        "uid": "1",
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                        "width": 0.1,
                        "height": 0.1,
                        "alpha": 1.0,
                        "render_mode": 1,
                    }
                ],
            },
            "subscribeVideoUids": ["123", "456"],
            "subscribeAudioUids": ["123", "456"],
            "subscribeUidGroup": 0,
        },
        "storageConfig": {
            "accessKey": "ak-secret-456",
            "region": 3,
            "bucket": "bucket1",
            "secretKey": "sk-secret-789",
            "vendor": 2,
            "fileNamePrefix": ["directory1", "directory2"],
        },
    },
}
VALID_UPDATE: dict[str, Any] = {
    "uid": "527841",
    "cname": "httpClient463224",
    "clientRequest": {
        "mixedVideoLayout": 3,
        "backgroundColor": "#FF0000",
        "layoutConfig": [
            {
                "uid": "1",
                "x_axis": 0.1,
                "y_axis": 0.1,
                "width": 0.1,
                "height": 0.1,
                "alpha": 1.0,
                "render_mode": 1,
            },
            {
                "uid": "2",
                "x_axis": 0.2,
                "y_axis": 0.2,
                "width": 0.1,
                "height": 0.1,
                "alpha": 1.0,
                "render_mode": 1,
            },
        ],
    },
}
VALID_STOP: dict[str, Any] = {"cname": "httpClient463224", "uid": "527841", "clientRequest": {}}
SECRETS = ("tok-secret-123", "ak-secret-456", "sk-secret-789")


BASES: dict[str, dict[str, Any]] = {
    "acquire": VALID_ACQUIRE,
    "start": VALID_START,
    "updateLayout": VALID_UPDATE,
    "stop": VALID_STOP,
}


@dataclass(frozen=True)
class Rule:
    """One documented rule: a change to a valid body that breaks it, the field the error
    must name, and where the rule is written (`seed: §...` for the older zh reference,
    `current: page/field` for Agora's current docs, summarised in docs/agora.md).

    `json` marks a JSON-type rule that only the JSON path refuses (the emulator's, and the
    models with `json_context()`): the Python path converts the value for its callers (an
    int uid is sent as a string), so the row is checked on the JSON path only. Every other
    row is refused by both paths."""

    name: str
    endpoint: str  # acquire | start | updateLayout | stop
    changes: tuple[tuple[str, Any], ...]
    field: str  # what the error message must name
    source: str
    mode: str = "mix"
    json: bool = False

    def body(self) -> dict[str, Any]:
        return changed(self.endpoint, self.changes)


@dataclass(frozen=True)
class Accepted:
    """A valid variant of a body that the models and the emulator must both accept: what
    a rule of the current reference allows that an older rule refused, or a bound."""

    name: str
    endpoint: str
    changes: tuple[tuple[str, Any], ...]
    source: str
    mode: str = "mix"

    def body(self) -> dict[str, Any]:
        return changed(self.endpoint, self.changes)


def changed(endpoint: str, changes: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """A copy of the endpoint's valid body with `changes` applied."""
    body = copy.deepcopy(BASES[endpoint])
    for path, value in changes:
        apply_change(body, path, value)
    return body


def apply_change(body: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target: Any = body
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if value is DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


RC = "clientRequest.recordingConfig"
TC = f"{RC}.transcodingConfig"
SC = "clientRequest.storageConfig"
LC = "clientRequest.layoutConfig"
FC = "clientRequest.recordingFileConfig"

SEED_ACQUIRE = "seed: §acquire"
SEED_1013 = "seed: §common errors, 1013"
SEED_START = "seed: §start recordingConfig"
SEED_TC = "seed: §start transcodingConfig"
SEED_STORAGE = "seed: §start storageConfig"
SEED_UPDATE = "seed: §updateLayout"
SEED_STOP = "seed: §stop"
CURRENT_REGIONS = "current: reference/region-vendor"
CURRENT_VENDOR = "current: start/storageConfig.vendor"
CURRENT_WEB_CNAME = "current: acquire/cname (web page recording: a label of up to 1024 bytes)"
JSON_TYPES = "current: start (JSON types are checked: docs/agora.md#status-and-error-codes)"
NOT_MIX = ((f"{RC}.audioProfile", DELETE), (f"{RC}.transcodingConfig", DELETE))
SALT = base64.b64encode(bytes(range(32))).decode()  # a well-formed 32-byte salt
LABEL = "https://example.com/class?id=7&room=3 — lesson 12"  # a web page recording cname

RULES: list[Rule] = [
    # --- acquire ---------------------------------------------------------------------
    Rule("cname charset", "acquire", (("cname", "chan/nel"),), "cname", SEED_1013),
    Rule("cname 64 bytes", "acquire", (("cname", "c" * 65),), "cname", SEED_1013),
    Rule("cname required", "acquire", (("cname", DELETE),), "cname", SEED_ACQUIRE),
    Rule(
        "a label cname needs scene 1 (web page recording)",
        "acquire",
        (("cname", LABEL),),
        "cname",
        CURRENT_WEB_CNAME,
    ),
    Rule(
        "scene 1 label at most 1024 bytes",
        "acquire",
        (("cname", "c" * 1025), ("clientRequest.scene", 1)),
        "cname",
        CURRENT_WEB_CNAME,
    ),
    Rule(
        "scene 1 label is printable",
        "acquire",
        (("cname", "line\nbreak"), ("clientRequest.scene", 1)),
        "cname",
        CURRENT_WEB_CNAME,
    ),
    Rule("uid not 0", "acquire", (("uid", "0"),), "uid", SEED_ACQUIRE),
    Rule("uid 32 bits", "acquire", (("uid", "4294967296"),), "uid", SEED_ACQUIRE),
    Rule("uid not an account name", "acquire", (("uid", "alice"),), "uid", SEED_ACQUIRE),
    Rule("uid is a JSON string", "acquire", (("uid", 527841),), "uid", JSON_TYPES, json=True),
    Rule(
        "resourceExpiredHour 1..720",
        "acquire",
        (("clientRequest.resourceExpiredHour", 721),),
        "resourceExpiredHour",
        "current: acquire/clientRequest.resourceExpiredHour",
    ),
    Rule(
        "resourceExpiredHour is an integer",
        "acquire",
        (("clientRequest.resourceExpiredHour", "24"),),
        "resourceExpiredHour",
        JSON_TYPES,
        json=True,
    ),
    Rule(
        "scene 0..2",
        "acquire",
        (("clientRequest.scene", 3),),
        "scene",
        "current: acquire/clientRequest.scene (2 in the individual postponed-transcoding page)",
    ),
    # --- start: recordingConfig --------------------------------------------------------
    Rule("start uid", "start", (("uid", "0"),), "uid", "seed: §start"),
    Rule("start uid is a JSON string", "start", (("uid", 527841),), "uid", JSON_TYPES, json=True),
    Rule("streamTypes 0..2", "start", ((f"{RC}.streamTypes", 3),), "streamTypes", SEED_START),
    Rule(
        "streamTypes is an integer",
        "start",
        ((f"{RC}.streamTypes", "2"),),
        "streamTypes",
        JSON_TYPES,
        json=True,
    ),
    Rule(
        "streamTypes is not a boolean",
        "start",
        ((f"{RC}.streamTypes", True),),
        "streamTypes",
        JSON_TYPES,
    ),
    Rule("channelType 0..1", "start", ((f"{RC}.channelType", 2),), "channelType", SEED_START),
    Rule(
        "decryptionMode 0..8",
        "start",
        ((f"{RC}.decryptionMode", 9), (f"{RC}.secret", "dec-secret")),
        "decryptionMode",
        "current: start/recordingConfig.decryptionMode",
    ),
    Rule(
        "secret with decryptionMode", "start", ((f"{RC}.decryptionMode", 1),), "secret", SEED_START
    ),
    Rule(
        "salt with decryptionMode 7",
        "start",
        ((f"{RC}.decryptionMode", 7), (f"{RC}.secret", "dec-secret")),
        "salt",
        "current: start/recordingConfig.salt",
    ),
    Rule(
        "salt with decryptionMode 8",
        "start",
        ((f"{RC}.decryptionMode", 8), (f"{RC}.secret", "dec-secret")),
        "salt",
        "current: start/recordingConfig.salt",
    ),
    Rule(
        "salt is 32 bytes in Base64",
        "start",
        ((f"{RC}.decryptionMode", 7), (f"{RC}.secret", "dec-secret"), (f"{RC}.salt", "c2FsdA==")),
        "salt",
        "current: start/recordingConfig.salt",
    ),
    Rule("audioProfile 0..2", "start", ((f"{RC}.audioProfile", 3),), "audioProfile", SEED_START),
    Rule(
        "videoStreamType 0..1",
        "start",
        ((f"{RC}.videoStreamType", 2),),
        "videoStreamType",
        SEED_START,
    ),
    Rule("maxIdleTime from 5", "start", ((f"{RC}.maxIdleTime", 4),), "maxIdleTime", SEED_START),
    Rule(
        "maxIdleTime at most 30 days",
        "start",
        ((f"{RC}.maxIdleTime", 2_592_001),),
        "maxIdleTime",
        "current: start/recordingConfig.maxIdleTime",
    ),
    Rule(
        "maxIdleTime is an integer",
        "start",
        ((f"{RC}.maxIdleTime", 30.0),),
        "maxIdleTime",
        JSON_TYPES,
        json=True,
    ),
    Rule(
        "video subscriptions need video",
        "start",
        ((f"{RC}.streamTypes", 0),),
        "subscribeVideoUids",
        SEED_START,
    ),
    Rule(
        "audio subscriptions need audio",
        "start",
        ((f"{RC}.streamTypes", 1),),
        "subscribeAudioUids",
        SEED_START,
    ),
    Rule(
        "video unsubscriptions need video",
        "start",
        (
            (f"{RC}.streamTypes", 0),
            (f"{RC}.subscribeVideoUids", DELETE),
            (f"{RC}.unsubscribeVideoUids", ["9"]),
        ),
        "unsubscribeVideoUids",
        "current: start/recordingConfig.unsubscribeVideoUids",
    ),
    Rule(
        "audio unsubscriptions need audio",
        "start",
        (
            (f"{RC}.streamTypes", 1),
            (f"{RC}.subscribeAudioUids", DELETE),
            (f"{RC}.unsubscribeAudioUids", ["9"]),
        ),
        "unsubscribeAudioUids",
        "current: start/recordingConfig.unsubscribeAudioUids",
    ),
    Rule(
        "not both subscribe and unsubscribe video",
        "start",
        ((f"{RC}.unsubscribeVideoUids", ["9"]),),
        "unsubscribeVideoUids",
        "current: start/recordingConfig.subscribeVideoUids",
    ),
    Rule(
        "not both subscribe and unsubscribe audio",
        "start",
        ((f"{RC}.unSubscribeAudioUids", ["9"]),),
        "unsubscribeAudioUids",
        "current: start/recordingConfig.subscribeAudioUids",
    ),
    Rule(
        "at most 32 video uids",
        "start",
        ((f"{RC}.subscribeVideoUids", [str(i) for i in range(1, 34)]),),
        "subscribeVideoUids",
        SEED_START,
    ),
    Rule(
        "at most 32 audio uids",
        "start",
        ((f"{RC}.subscribeAudioUids", [str(i) for i in range(1, 34)]),),
        "subscribeAudioUids",
        SEED_START,
    ),
    Rule(
        "subscribe uids are uids",
        "start",
        ((f"{RC}.subscribeVideoUids", ["x"]),),
        "subscribeVideoUids",
        SEED_START,
    ),
    Rule(
        "subscribe uids are JSON strings",
        "start",
        ((f"{RC}.subscribeVideoUids", [123]),),
        "subscribeVideoUids",
        JSON_TYPES,
    ),
    Rule(
        "subscribeUidGroup 0..5",
        "start",
        ((f"{RC}.subscribeUidGroup", 6),),
        "subscribeUidGroup",
        "current: start/recordingConfig.subscribeUidGroup",
    ),
    Rule(
        "subscribeUidGroup in individual",
        "start",
        ((f"{RC}.subscribeUidGroup", DELETE), *NOT_MIX),
        "subscribeUidGroup",
        SEED_START,
        mode="individual",
    ),
    Rule(
        "audioProfile only in mix",
        "start",
        ((f"{RC}.transcodingConfig", DELETE),),
        "audioProfile",
        SEED_START,
        mode="individual",
    ),
    Rule(
        "transcodingConfig only in mix",
        "start",
        ((f"{RC}.audioProfile", DELETE),),
        "transcodingConfig",
        SEED_START,
        mode="individual",
    ),
    Rule(
        "mp4 only in mix and web modes",
        "start",
        (*NOT_MIX, (FC, {"avFileType": ["hls", "mp4"]})),
        "avFileType",
        "current: start/recordingFileConfig.avFileType",
        mode="individual",
    ),
    Rule(
        "avFileType includes hls",
        "start",
        ((FC, {"avFileType": ["mp4"]}),),
        "avFileType",
        "current: start/recordingFileConfig.avFileType",
    ),
    Rule(
        "web cname is a label of at most 1024 bytes",
        "start",
        (("cname", "c" * 1025), *NOT_MIX),
        "cname",
        CURRENT_WEB_CNAME,
        mode="web",
    ),
    Rule(
        "web cname is printable",
        "start",
        (("cname", "tab\there"), *NOT_MIX),
        "cname",
        CURRENT_WEB_CNAME,
        mode="web",
    ),
    # --- start: transcodingConfig -------------------------------------------------------
    Rule("width within 1080p", "start", ((f"{TC}.width", 2000),), "width", SEED_TC),
    Rule(
        "area within 1080p",
        "start",
        ((f"{TC}.width", 1920), (f"{TC}.height", 1920)),
        "width × height",
        "current: start/transcodingConfig.width",
    ),
    Rule(
        "transcoding width is an integer",
        "start",
        ((f"{TC}.width", "360"),),
        "width",
        JSON_TYPES,
        json=True,
    ),
    Rule(
        "bitrate at most 6500",
        "start",
        ((f"{TC}.bitrate", 7000),),
        "bitrate",
        "current: develop/recording-video-profile",
    ),
    Rule(
        "mixedVideoLayout 0..3",
        "start",
        ((f"{TC}.mixedVideoLayout", 4),),
        "mixedVideoLayout",
        SEED_TC,
    ),
    Rule(
        "custom needs layoutConfig",
        "start",
        ((f"{TC}.layoutConfig", DELETE),),
        "layoutConfig",
        SEED_TC,
    ),
    Rule(
        "layoutConfig only for custom",
        "start",
        ((f"{TC}.mixedVideoLayout", 1),),
        "layoutConfig",
        SEED_TC,
    ),
    Rule(
        "backgroundColor #RRGGBB",
        "start",
        ((f"{TC}.backgroundColor", "red"),),
        "backgroundColor",
        SEED_TC,
    ),
    Rule(
        "maxResolutionUid is a uid",
        "start",
        ((f"{TC}.maxResolutionUid", "0"),),
        "maxResolutionUid",
        SEED_TC,
    ),
    Rule(
        "maxResolutionUid is a JSON string",
        "start",
        ((f"{TC}.maxResolutionUid", 123),),
        "maxResolutionUid",
        JSON_TYPES,
        json=True,
    ),
    # --- start: storageConfig -----------------------------------------------------------
    Rule("Alibaba regions 0..27", "start", ((f"{SC}.region", 28),), "region", CURRENT_REGIONS),
    Rule(
        "Amazon S3 region 17 is gone",
        "start",
        ((f"{SC}.vendor", 1), (f"{SC}.region", 17)),
        "region",
        CURRENT_REGIONS,
    ),
    Rule(
        "Huawei regions 0..15",
        "start",
        ((f"{SC}.vendor", 7), (f"{SC}.region", 16)),
        "region",
        CURRENT_REGIONS,
    ),
    Rule(
        "Baidu regions start at 1",
        "start",
        ((f"{SC}.vendor", 8), (f"{SC}.region", 0)),
        "region",
        CURRENT_REGIONS,
    ),
    Rule("Qiniu (vendor 0) is gone", "start", ((f"{SC}.vendor", 0),), "vendor", CURRENT_VENDOR),
    Rule("vendor 4 is not a vendor", "start", ((f"{SC}.vendor", 4),), "vendor", CURRENT_VENDOR),
    Rule(
        "vendor is an integer", "start", ((f"{SC}.vendor", "2"),), "vendor", JSON_TYPES, json=True
    ),
    Rule(
        "S3-compatible storage needs an endpoint",
        "start",
        ((f"{SC}.vendor", 11), (f"{SC}.region", 0)),
        "endpoint",
        CURRENT_REGIONS,
    ),
    Rule(
        "the S3-compatible endpoint is a domain name",
        "start",
        (
            (f"{SC}.vendor", 11),
            (f"{SC}.region", 0),
            (f"{SC}.extensionParams", {"endpoint": "https://s3.example.com/bucket"}),
        ),
        "endpoint",
        CURRENT_REGIONS,
    ),
    Rule("bucket required", "start", ((f"{SC}.bucket", DELETE),), "bucket", SEED_STORAGE),
    Rule("accessKey required", "start", ((f"{SC}.accessKey", DELETE),), "accessKey", SEED_STORAGE),
    Rule("secretKey required", "start", ((f"{SC}.secretKey", DELETE),), "secretKey", SEED_STORAGE),
    Rule(
        "fileNamePrefix charset",
        "start",
        ((f"{SC}.fileNamePrefix", ["dir-1"]),),
        "fileNamePrefix",
        SEED_STORAGE,
    ),
    Rule(
        "fileNamePrefix no slash",
        "start",
        ((f"{SC}.fileNamePrefix", ["a/b"]),),
        "fileNamePrefix",
        SEED_STORAGE,
    ),
    Rule(
        "fileNamePrefix 128 characters",
        "start",
        ((f"{SC}.fileNamePrefix", ["a" * 64, "b" * 64]),),
        "fileNamePrefix",
        SEED_STORAGE,
    ),
    # --- updateLayout ---------------------------------------------------------------------
    Rule(
        "layout x_axis in [0, 1]", "updateLayout", ((f"{LC}.0.x_axis", 1.5),), "x_axis", SEED_UPDATE
    ),
    Rule(
        "x_axis is a number",
        "updateLayout",
        ((f"{LC}.0.x_axis", "0.5"),),
        "x_axis",
        JSON_TYPES,
        json=True,
    ),
    Rule(
        "layout width required", "updateLayout", ((f"{LC}.0.width", DELETE),), "width", SEED_UPDATE
    ),
    Rule("width is not a boolean", "updateLayout", ((f"{LC}.0.width", True),), "width", JSON_TYPES),
    Rule(
        "layout alpha in [0, 1]", "updateLayout", ((f"{LC}.0.alpha", -0.1),), "alpha", SEED_UPDATE
    ),
    Rule(
        "alpha is a number",
        "updateLayout",
        ((f"{LC}.0.alpha", "1"),),
        "alpha",
        JSON_TYPES,
        json=True,
    ),
    Rule(
        "layout render_mode 0 or 1",
        "updateLayout",
        ((f"{LC}.0.render_mode", 2),),
        "render_mode",
        SEED_UPDATE,
    ),
    Rule(
        "render_mode is an integer",
        "updateLayout",
        ((f"{LC}.0.render_mode", "1"),),
        "render_mode",
        JSON_TYPES,
        json=True,
    ),
    Rule("layout uid is a uid", "updateLayout", ((f"{LC}.0.uid", "bob"),), "uid", SEED_UPDATE),
    Rule(
        "layout uid is a JSON string",
        "updateLayout",
        ((f"{LC}.0.uid", 1),),
        "uid",
        JSON_TYPES,
        json=True,
    ),
    Rule(
        "at most 17 regions",
        "updateLayout",
        ((LC, [VALID_UPDATE["clientRequest"]["layoutConfig"][0]] * 18),),
        "layoutConfig",
        SEED_UPDATE,
    ),
    Rule(
        "update custom needs layoutConfig", "updateLayout", ((LC, []),), "layoutConfig", SEED_UPDATE
    ),
    Rule(
        "update layoutConfig only for custom",
        "updateLayout",
        (("clientRequest.mixedVideoLayout", 0),),
        "layoutConfig",
        SEED_UPDATE,
    ),
    Rule(
        "mixedVideoLayout is an integer",
        "updateLayout",
        (("clientRequest.mixedVideoLayout", "3"),),
        "mixedVideoLayout",
        JSON_TYPES,
        json=True,
    ),
    Rule(
        "mixedVideoLayout is not a boolean",
        "updateLayout",
        (("clientRequest.mixedVideoLayout", True),),
        "mixedVideoLayout",
        JSON_TYPES,
    ),
    Rule(
        "update backgroundColor",
        "updateLayout",
        (("clientRequest.backgroundColor", "#12345"),),
        "backgroundColor",
        SEED_UPDATE,
    ),
    # --- stop -------------------------------------------------------------------------------
    Rule("stop uid", "stop", (("uid", "x"),), "uid", SEED_STOP),
    Rule(
        "stop async_stop is a boolean",
        "stop",
        (("clientRequest", {"async_stop": "soon"}),),
        "async_stop",
        "current: stop/clientRequest.async_stop",
    ),
    Rule(
        "async_stop is a JSON boolean",
        "stop",
        (("clientRequest", {"async_stop": "true"}),),
        "async_stop",
        JSON_TYPES,
        json=True,
    ),
]

# (vendor, region) pairs of the current tables: new regions and vendors, bounds
VENDOR_REGIONS = [(1, 16), (1, 18), (1, 25), (2, 27), (3, 19), (5, 0), (6, 0), (7, 15)]
VENDOR_REGIONS += [(8, 1), (8, 7)]
INTEGER_GEOMETRY = [("x_axis", 0), ("y_axis", 0), ("width", 1), ("height", 1), ("alpha", 1)]

ACCEPTED: list[Accepted] = [
    Accepted(
        "scene 1 takes a web page label as cname",
        "acquire",
        (("cname", LABEL), ("clientRequest.scene", 1)),
        CURRENT_WEB_CNAME,
    ),
    Accepted(
        "a scene 1 label of exactly 1024 bytes",
        "acquire",
        (("cname", "é" * 512), ("clientRequest.scene", 1)),
        CURRENT_WEB_CNAME,
    ),
    Accepted(
        "transcodingConfig without width, height, fps and bitrate",
        "start",
        tuple((f"{TC}.{key}", DELETE) for key in ("width", "height", "fps", "bitrate")),
        "current: start/transcodingConfig (defaults 360, 640, 15, 500)",
    ),
    Accepted(
        "a 1920 wide canvas of the default height",
        "start",
        ((f"{TC}.width", 1920), (f"{TC}.height", DELETE)),
        "current: start/transcodingConfig.width",
    ),
    Accepted(
        "decryptionMode 8 with secret and salt",
        "start",
        ((f"{RC}.decryptionMode", 8), (f"{RC}.secret", "dec-secret"), (f"{RC}.salt", SALT)),
        "current: start/recordingConfig.decryptionMode",
    ),
    Accepted(
        "decryptionMode 6 needs no salt",
        "start",
        ((f"{RC}.decryptionMode", 6), (f"{RC}.secret", "dec-secret")),
        "current: start/recordingConfig.decryptionMode",
    ),
    Accepted(
        "subscribeUidGroup 5 in individual mode",
        "start",
        ((f"{RC}.subscribeUidGroup", 5), *NOT_MIX),
        "current: start/recordingConfig.subscribeUidGroup",
        mode="individual",
    ),
    Accepted(
        "maxIdleTime of 30 days",
        "start",
        ((f"{RC}.maxIdleTime", 2_592_000),),
        "current: start/recordingConfig.maxIdleTime",
    ),
    Accepted(
        "unsubscribe lists with streamTypes 2",
        "start",
        (
            (f"{RC}.subscribeVideoUids", DELETE),
            (f"{RC}.subscribeAudioUids", DELETE),
            (f"{RC}.unsubscribeVideoUids", ["7"]),
            (f"{RC}.unsubscribeAudioUids", ["8"]),
        ),
        "current: start/recordingConfig.unsubscribeVideoUids",
    ),
    Accepted(
        "subscribe to video, unsubscribe from audio",
        "start",
        ((f"{RC}.subscribeAudioUids", DELETE), (f"{RC}.unsubscribeAudioUids", ["8"])),
        "current: start/recordingConfig.unsubscribeAudioUids",
    ),
    *[
        Accepted(
            f"vendor {vendor} region {region}",
            "start",
            ((f"{SC}.vendor", vendor), (f"{SC}.region", region)),
            CURRENT_REGIONS,
        )
        for vendor, region in VENDOR_REGIONS
    ],
    Accepted(
        "S3-compatible storage with its endpoint",
        "start",
        (
            (f"{SC}.vendor", 11),
            (f"{SC}.region", 0),
            (f"{SC}.extensionParams", {"endpoint": "s3.example.com:9000"}),
        ),
        CURRENT_REGIONS,
    ),
    Accepted(
        "mp4 in mix mode",
        "start",
        ((FC, {"avFileType": ["hls", "mp4"]}),),
        "current: start/recordingFileConfig.avFileType",
    ),
    Accepted(
        "mp4 in web mode",
        "start",
        (*NOT_MIX, (FC, {"avFileType": ["hls", "mp4"]})),
        "current: start/recordingFileConfig.avFileType",
        mode="web",
    ),
    Accepted(
        "a web page label as cname in web mode",
        "start",
        (("cname", LABEL), *NOT_MIX),
        CURRENT_WEB_CNAME,
        mode="web",
    ),
    Accepted(
        "axes and sizes as the integers 0 and 1",
        "updateLayout",
        tuple((f"{LC}.0.{key}", n) for key, n in INTEGER_GEOMETRY),
        "seed: §updateLayout (x_axis may be the integer 0 or 1)",
    ),
    Accepted(
        "a region without a uid, and one with an empty uid",
        "updateLayout",
        ((f"{LC}.0.uid", DELETE), (f"{LC}.1.uid", "")),
        'seed: §updateLayout (uid optional); the Go client sends ""',
    ),
    Accepted(
        "async_stop true",
        "stop",
        (("clientRequest", {"async_stop": True}),),
        "current: stop/clientRequest.async_stop",
    ),
]

LAYOUT = [
    {
        "alpha": 1.0,
        "height": 1.0,
        "render_mode": 0,
        "uid": "1",
        "width": 0.5,
        "x_axis": 0.0,
        "y_axis": 0.0,
    },
    {"height": 1.0, "width": 0.5, "x_axis": 0.5, "y_axis": 0.0},
]
# the storageConfig the captured Go and Node start bodies elide ("...": Agora requires one)
ELIDED_STORAGE = {"vendor": 1, "region": 0, "bucket": "b", "accessKey": "ak", "secretKey": "sk"}
# bodies as real clients send them (docs/agora.md#requests-as-other-clients-send-them)
REAL_CLIENTS: dict[str, dict[str, Any]] = {
    "python": {
        "content_type": "application/json",
        "acquire": {"clientRequest": {"scene": 0}, "cname": "chan", "uid": "123"},
        "start": {
            "clientRequest": {
                "recordingConfig": {
                    "audioProfile": 1,
                    "channelType": 1,
                    "maxIdleTime": 30,
                    "streamTypes": 2,
                    "transcodingConfig": {
                        "backgroundColor": "#000000",
                        "bitrate": 500,
                        "fps": 15,
                        "height": 360,
                        "layoutConfig": LAYOUT,
                        "mixedVideoLayout": 3,
                        "width": 640,
                    },
                    "videoStreamType": 0,
                },
                "recordingFileConfig": {"avFileType": ["hls", "mp4"]},
                "storageConfig": {
                    "accessKey": "ak",
                    "bucket": "b",
                    "fileNamePrefix": ["dir1"],
                    "region": 0,
                    "secretKey": "sk",
                    "vendor": 1,
                },
                "token": "tok",
            },
            "cname": "chan",
            "uid": "123",
        },
        "update": {
            "clientRequest": {
                "backgroundColor": "#FF0000",
                "backgroundConfig": [
                    {"image_url": "https://example.invalid/bg.png", "render_mode": 0, "uid": "1"}
                ],
                "layoutConfig": [
                    {
                        "alpha": 0.9,
                        "height": 0.3,
                        "render_mode": 1,
                        "uid": "1",
                        "width": 0.3,
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                    }
                ],
                "mixedVideoLayout": 3,
            },
            "cname": "chan",
            "uid": "123",
        },
        "stop": {"cname": "chan", "uid": "123", "clientRequest": {"async_stop": False}},
    },
    "go": {
        "content_type": "application/json;charset=utf-8",
        "acquire": {"cname": "chan", "uid": "123", "clientRequest": {"scene": 0}},
        "start": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "storageConfig": ELIDED_STORAGE,
                "recordingConfig": {
                    "transcodingConfig": {
                        "width": 640,
                        "height": 360,
                        "fps": 15,
                        "bitrate": 500,
                        "mixedVideoLayout": 3,
                        "backgroundColor": "#000000",
                        "layoutConfig": [
                            {
                                "uid": "1",
                                "x_axis": 0,
                                "y_axis": 0,
                                "width": 0.5,
                                "height": 1,
                                "alpha": 1,
                                "render_mode": 0,
                            },
                            {
                                "uid": "",
                                "x_axis": 0.5,
                                "y_axis": 0,
                                "width": 0.5,
                                "height": 1,
                                "render_mode": 0,
                            },
                        ],
                    }
                },
            },
        },
        "update": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "mixedVideoLayout": 3,
                "layoutConfig": [
                    {
                        "uid": "1",
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                        "width": 0.3,
                        "height": 0.3,
                        "alpha": 0,
                        "render_mode": 0,
                    }
                ],
            },
        },
        "stop": {"cname": "chan", "uid": "123", "clientRequest": {"async_stop": False}},
    },
    "node": {
        "content_type": "application/json",
        "acquire": {"cname": "chan", "uid": "123", "clientRequest": {"resourceExpiredHour": 1}},
        "start": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "storageConfig": ELIDED_STORAGE,
                "recordingConfig": {
                    "transcodingConfig": {
                        "width": 640,
                        "height": 360,
                        "fps": 15,
                        "bitrate": 500,
                        "mixedVideoLayout": 1,
                    }
                },
            },
        },
        "update": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "mixedVideoLayout": 3,
                "backgroundColor": "#FF0000",
                "layoutConfig": [
                    {
                        "uid": "1",
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                        "width": 0.3,
                        "height": 0.3,
                        "alpha": 0.9,
                        "render_mode": 1,
                    }
                ],
            },
        },
        "stop": {"cname": "chan", "uid": "123", "clientRequest": {"async_stop": False}},
    },
    "postman": {
        "content_type": "application/json",
        "acquire": {"cname": "chan", "uid": "123", "clientRequest": {}},
        "start": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "recordingConfig": {
                    "maxIdleTime": 120,
                    "streamTypes": 2,
                    "audioProfile": 1,
                    "channelType": 1,
                    "videoStreamType": 0,
                    "transcodingConfig": {
                        "width": 360,
                        "height": 640,
                        "fps": 24,
                        "bitrate": 800,
                        "mixedVideoLayout": 1,
                        "maxResolutionUid": "1",
                    },
                },
                "storageConfig": {
                    "vendor": 1,
                    "region": 0,
                    "bucket": "b",
                    "accessKey": "a",
                    "secretKey": "s",
                },
            },
        },
        "update": {
            "cname": "chan",
            "uid": "123",
            "clientRequest": {
                "mixedVideoLayout": 3,
                "backgroundColor": "#FF0000",
                "layoutConfig": [
                    {
                        "uid": "1",
                        "x_axis": 0.1,
                        "y_axis": 0.1,
                        "width": 0.1,
                        "height": 0.1,
                        "alpha": 1.0,
                        "render_mode": 1,
                    },
                    {
                        "uid": "2",
                        "x_axis": 0.2,
                        "y_axis": 0.2,
                        "width": 0.1,
                        "height": 0.1,
                        "alpha": 1.0,
                        "render_mode": 1,
                    },
                ],
            },
        },
        "stop": {"cname": "chan", "uid": "123", "clientRequest": {}},
    },
}
