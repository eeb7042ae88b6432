"""Pydantic models of Agora Cloud Recording payloads, with Agora's exact field names.

The names below load their submodule on first use: what needs only `wire.rules` (no
pydantic) or the layout models does not build every request and answer model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    for module in ("rules", "base", "layout", "api", "replies") if name in __all__ else ():
        loaded = importlib.import_module(f"layoutkit.wire.{module}")
        if hasattr(loaded, name):
            globals()[name] = value = getattr(loaded, name)
            return value
    raise AttributeError(f"module 'layoutkit.wire' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
