"""Pydantic models of Agora Cloud Recording payloads, with Agora's exact field names."""

from layoutkit.wire.base import MixedVideoLayout, RenderMode, WireModel
from layoutkit.wire.layout import (
    BackgroundConfig,
    LayoutFields,
    LayoutRegion,
    TranscodingConfig,
    UpdateLayoutClientRequest,
    UpdateLayoutRequest,
)

__all__ = [
    "BackgroundConfig",
    "LayoutFields",
    "LayoutRegion",
    "MixedVideoLayout",
    "RenderMode",
    "TranscodingConfig",
    "UpdateLayoutClientRequest",
    "UpdateLayoutRequest",
    "WireModel",
]
