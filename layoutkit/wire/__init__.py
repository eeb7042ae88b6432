"""Pydantic models of Agora Cloud Recording payloads, with Agora's exact field names.

The names below load their submodule on first use. `wire.rules` (uids, URLs, channel
names, the modes, the layout payload as JSON) and `wire.rules` (Agora's video advice)
load no pydantic: compiling and drawing a layout need only them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "AcquireClientRequest",
            "AcquireRequest",
            "DecryptionMode",
            "RecordingConfig",
            "RecordingFileConfig",
            "RecordingMode",
            "StartClientRequest",
            "StartRequest",
            "StopClientRequest",
            "StopRequest",
            "validate_start",
        ),
        "api",
    ),
    **dict.fromkeys(("WireModel", "json_context"), "base"),
    **dict.fromkeys(("MixedVideoLayout", "RenderMode"), "rules"),
    **dict.fromkeys(("CodeInfo", "describe_code"), "replies"),
    **dict.fromkeys(
        (
            "BackgroundConfig",
            "LayoutFields",
            "LayoutRegion",
            "TranscodingConfig",
            "UpdateLayoutClientRequest",
            "UpdateLayoutRequest",
        ),
        "layout",
    ),
    **dict.fromkeys(("SUPPORTED_FPS", "image_url_problem", "recommended_bitrate"), "rules"),
    **dict.fromkeys(
        (
            "AcquireResponse",
            "FileListEntry",
            "GatewayError",
            "QueryResponse",
            "RecordingStatus",
            "ServerResponse",
            "ServiceError",
            "StartResponse",
            "StopResponse",
            "UpdateLayoutResponse",
            "UpdateResponse",
        ),
        "replies",
    ),
    **dict.fromkeys(("StorageConfig", "Vendor"), "api"),
    **dict.fromkeys(
        (
            "AudioUidList",
            "StreamSubscribe",
            "UpdateClientRequest",
            "UpdateRequest",
            "VideoUidList",
            "validate_update",
        ),
        "api",
    ),
}

if TYPE_CHECKING:
    from layoutkit.wire.api import (
        AcquireClientRequest,
        AcquireRequest,
        AudioUidList,
        DecryptionMode,
        RecordingConfig,
        RecordingFileConfig,
        RecordingMode,
        StartClientRequest,
        StartRequest,
        StopClientRequest,
        StopRequest,
        StorageConfig,
        StreamSubscribe,
        UpdateClientRequest,
        UpdateRequest,
        Vendor,
        VideoUidList,
        validate_start,
        validate_update,
    )
    from layoutkit.wire.base import WireModel, json_context
    from layoutkit.wire.layout import (
        BackgroundConfig,
        LayoutFields,
        LayoutRegion,
        TranscodingConfig,
        UpdateLayoutClientRequest,
        UpdateLayoutRequest,
    )
    from layoutkit.wire.replies import (
        AcquireResponse,
        CodeInfo,
        FileListEntry,
        GatewayError,
        QueryResponse,
        RecordingStatus,
        ServerResponse,
        ServiceError,
        StartResponse,
        StopResponse,
        UpdateLayoutResponse,
        UpdateResponse,
        describe_code,
    )
    from layoutkit.wire.rules import (
        SUPPORTED_FPS,
        MixedVideoLayout,
        RenderMode,
        image_url_problem,
        recommended_bitrate,
    )

__all__ = [
    "SUPPORTED_FPS",
    "AcquireClientRequest",
    "AcquireRequest",
    "AcquireResponse",
    "AudioUidList",
    "BackgroundConfig",
    "CodeInfo",
    "DecryptionMode",
    "FileListEntry",
    "GatewayError",
    "LayoutFields",
    "LayoutRegion",
    "MixedVideoLayout",
    "QueryResponse",
    "RecordingConfig",
    "RecordingFileConfig",
    "RecordingMode",
    "RecordingStatus",
    "RenderMode",
    "ServerResponse",
    "ServiceError",
    "StartClientRequest",
    "StartRequest",
    "StartResponse",
    "StopClientRequest",
    "StopRequest",
    "StopResponse",
    "StorageConfig",
    "StreamSubscribe",
    "TranscodingConfig",
    "UpdateClientRequest",
    "UpdateLayoutClientRequest",
    "UpdateLayoutRequest",
    "UpdateLayoutResponse",
    "UpdateRequest",
    "UpdateResponse",
    "Vendor",
    "VideoUidList",
    "WireModel",
    "describe_code",
    "image_url_problem",
    "json_context",
    "recommended_bitrate",
    "validate_start",
    "validate_update",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'layoutkit.wire' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"layoutkit.wire.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
