"""The rules of the REST reference as data: a valid body per endpoint, and for each rule a
change that breaks it and the field the error must name. Shared by the model tests and
the emulator tests."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Rule:
    name: str
    endpoint: str  # acquire | start | updateLayout | stop
    changes: tuple[tuple[str, Any], ...]
    field: str  # what the error message must name
    mode: str = "mix"

    def body(self) -> dict[str, Any]:
        base = {
            "acquire": VALID_ACQUIRE,
            "start": VALID_START,
            "updateLayout": VALID_UPDATE,
            "stop": VALID_STOP,
        }[self.endpoint]
        body = copy.deepcopy(base)
        for path, value in self.changes:
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

RULES: list[Rule] = [
    Rule("cname charset", "acquire", (("cname", "chan/nel"),), "cname"),
    Rule("cname 64 bytes", "acquire", (("cname", "c" * 65),), "cname"),
    Rule("cname required", "acquire", (("cname", DELETE),), "cname"),
    Rule("uid not 0", "acquire", (("uid", "0"),), "uid"),
    Rule("uid 32 bits", "acquire", (("uid", "4294967296"),), "uid"),
    Rule("uid not an account name", "acquire", (("uid", "alice"),), "uid"),
    Rule(
        "resourceExpiredHour 1..720",
        "acquire",
        (("clientRequest.resourceExpiredHour", 721),),
        "resourceExpiredHour",
    ),
    Rule("scene 0..2", "acquire", (("clientRequest.scene", 3),), "scene"),
    Rule("start uid", "start", (("uid", "0"),), "uid"),
    Rule("streamTypes 0..2", "start", ((f"{RC}.streamTypes", 3),), "streamTypes"),
    Rule("channelType 0..1", "start", ((f"{RC}.channelType", 2),), "channelType"),
    Rule("decryptionMode 0..3", "start", ((f"{RC}.decryptionMode", 9),), "decryptionMode"),
    Rule("secret with decryptionMode", "start", ((f"{RC}.decryptionMode", 1),), "secret"),
    Rule("audioProfile 0..2", "start", ((f"{RC}.audioProfile", 3),), "audioProfile"),
    Rule("videoStreamType 0..1", "start", ((f"{RC}.videoStreamType", 2),), "videoStreamType"),
    Rule("maxIdleTime from 5", "start", ((f"{RC}.maxIdleTime", 4),), "maxIdleTime"),
    Rule("maxIdleTime 32 bits", "start", ((f"{RC}.maxIdleTime", 2**32),), "maxIdleTime"),
    Rule(
        "video subscriptions need video", "start", ((f"{RC}.streamTypes", 0),), "subscribeVideoUids"
    ),
    Rule(
        "audio subscriptions need audio", "start", ((f"{RC}.streamTypes", 1),), "subscribeAudioUids"
    ),
    Rule(
        "at most 32 video uids",
        "start",
        ((f"{RC}.subscribeVideoUids", [str(i) for i in range(1, 34)]),),
        "subscribeVideoUids",
    ),
    Rule(
        "at most 32 audio uids",
        "start",
        ((f"{RC}.subscribeAudioUids", [str(i) for i in range(1, 34)]),),
        "subscribeAudioUids",
    ),
    Rule(
        "subscribe uids are uids",
        "start",
        ((f"{RC}.subscribeVideoUids", ["x"]),),
        "subscribeVideoUids",
    ),
    Rule("subscribeUidGroup 0..3", "start", ((f"{RC}.subscribeUidGroup", 4),), "subscribeUidGroup"),
    Rule(
        "subscribeUidGroup in individual",
        "start",
        (
            (f"{RC}.subscribeUidGroup", DELETE),
            (f"{RC}.audioProfile", DELETE),
            (f"{RC}.transcodingConfig", DELETE),
        ),
        "subscribeUidGroup",
        mode="individual",
    ),
    Rule(
        "audioProfile only in mix",
        "start",
        ((f"{RC}.transcodingConfig", DELETE),),
        "audioProfile",
        mode="individual",
    ),
    Rule(
        "transcodingConfig only in mix",
        "start",
        ((f"{RC}.audioProfile", DELETE),),
        "transcodingConfig",
        mode="individual",
    ),
    Rule("transcoding needs width", "start", ((f"{TC}.width", DELETE),), "width"),
    Rule("transcoding needs height", "start", ((f"{TC}.height", DELETE),), "height"),
    Rule("transcoding needs fps", "start", ((f"{TC}.fps", DELETE),), "fps"),
    Rule("transcoding needs bitrate", "start", ((f"{TC}.bitrate", DELETE),), "bitrate"),
    Rule("width within 1080p", "start", ((f"{TC}.width", 2000),), "width"),
    Rule(
        "area within 1080p",
        "start",
        ((f"{TC}.width", 1920), (f"{TC}.height", 1920)),
        "width × height",
    ),
    Rule("bitrate at most 6500", "start", ((f"{TC}.bitrate", 7000),), "bitrate"),
    Rule("mixedVideoLayout 0..3", "start", ((f"{TC}.mixedVideoLayout", 4),), "mixedVideoLayout"),
    Rule("custom needs layoutConfig", "start", ((f"{TC}.layoutConfig", DELETE),), "layoutConfig"),
    Rule("layoutConfig only for custom", "start", ((f"{TC}.mixedVideoLayout", 1),), "layoutConfig"),
    Rule(
        "backgroundColor #RRGGBB", "start", ((f"{TC}.backgroundColor", "red"),), "backgroundColor"
    ),
    Rule(
        "maxResolutionUid is a uid", "start", ((f"{TC}.maxResolutionUid", "0"),), "maxResolutionUid"
    ),
    Rule("region of the vendor", "start", ((f"{SC}.region", 19),), "region"),
    Rule("bucket required", "start", ((f"{SC}.bucket", DELETE),), "bucket"),
    Rule("accessKey required", "start", ((f"{SC}.accessKey", DELETE),), "accessKey"),
    Rule("secretKey required", "start", ((f"{SC}.secretKey", DELETE),), "secretKey"),
    Rule(
        "fileNamePrefix charset", "start", ((f"{SC}.fileNamePrefix", ["dir-1"]),), "fileNamePrefix"
    ),
    Rule(
        "fileNamePrefix no slash", "start", ((f"{SC}.fileNamePrefix", ["a/b"]),), "fileNamePrefix"
    ),
    Rule(
        "fileNamePrefix 128 characters",
        "start",
        ((f"{SC}.fileNamePrefix", ["a" * 64, "b" * 64]),),
        "fileNamePrefix",
    ),
    Rule(
        "avFileType includes hls",
        "start",
        (("clientRequest.recordingFileConfig", {"avFileType": ["mp4"]}),),
        "avFileType",
    ),
    Rule("layout x_axis in [0, 1]", "updateLayout", ((f"{LC}.0.x_axis", 1.5),), "x_axis"),
    Rule("layout width required", "updateLayout", ((f"{LC}.0.width", DELETE),), "width"),
    Rule("layout alpha in [0, 1]", "updateLayout", ((f"{LC}.0.alpha", -0.1),), "alpha"),
    Rule("layout render_mode 0 or 1", "updateLayout", ((f"{LC}.0.render_mode", 2),), "render_mode"),
    Rule("layout uid is a uid", "updateLayout", ((f"{LC}.0.uid", "bob"),), "uid"),
    Rule(
        "at most 17 regions",
        "updateLayout",
        ((LC, [VALID_UPDATE["clientRequest"]["layoutConfig"][0]] * 18),),
        "layoutConfig",
    ),
    Rule("update custom needs layoutConfig", "updateLayout", ((LC, []),), "layoutConfig"),
    Rule(
        "update layoutConfig only for custom",
        "updateLayout",
        (("clientRequest.mixedVideoLayout", 0),),
        "layoutConfig",
    ),
    Rule(
        "update backgroundColor",
        "updateLayout",
        (("clientRequest.backgroundColor", "#12345"),),
        "backgroundColor",
    ),
    Rule("stop uid", "stop", (("uid", "x"),), "uid"),
    Rule(
        "stop async_stop is a boolean",
        "stop",
        (("clientRequest", {"async_stop": "soon"}),),
        "async_stop",
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
# bodies as real clients send them (real-traffic.md §3), per client
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
                }
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
                "recordingConfig": {
                    "transcodingConfig": {
                        "width": 640,
                        "height": 360,
                        "fps": 15,
                        "bitrate": 500,
                        "mixedVideoLayout": 1,
                    }
                }
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
