"""Pydantic models of Agora Cloud Recording payloads, with Agora's exact field names."""

from layoutkit.wire.api import (
    AcquireClientRequest,
    AcquireRequest,
    RecordingConfig,
    RecordingFileConfig,
    RecordingMode,
    StartClientRequest,
    StartRequest,
    StopClientRequest,
    StopRequest,
    validate_start,
)
from layoutkit.wire.base import MixedVideoLayout, RenderMode, WireModel
from layoutkit.wire.catalog import CodeInfo, describe_code
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
    FileListEntry,
    GatewayError,
    QueryResponse,
    RecordingStatus,
    ServerResponse,
    ServiceError,
    StartResponse,
    StopResponse,
    UpdateLayoutResponse,
)
from layoutkit.wire.storage import StorageConfig, Vendor

__all__ = [
    "AcquireClientRequest",
    "AcquireRequest",
    "AcquireResponse",
    "BackgroundConfig",
    "CodeInfo",
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
    "TranscodingConfig",
    "UpdateLayoutClientRequest",
    "UpdateLayoutRequest",
    "UpdateLayoutResponse",
    "Vendor",
    "WireModel",
    "describe_code",
    "validate_start",
]
