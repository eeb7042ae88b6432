"""Wire models of the layout payloads: updateLayout's clientRequest and start's
transcodingConfig, with every documented rule.

Sources: cloud-recording-rest-api.zh.md (start, updateLayout) and agora-behaviour.md §5, §6.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from layoutkit.wire.base import (
    Cname,
    Fraction,
    HexColor,
    HttpUrl,
    MixedVideoLayout,
    OptionalUid,
    RenderMode,
    Uid,
    WireModel,
)

MAX_REGIONS = 17
MAX_SIDE_PX = 1920
MAX_AREA_PX = 1920 * 1080
MAX_BITRATE_KBPS = 6500
SUPPORTED_FPS = (1, 7, 10, 15, 24, 30, 60)


class LayoutRegion(WireModel):
    """One `layoutConfig` entry: where one user's video goes on the canvas."""

    uid: OptionalUid = None
    x_axis: Fraction
    y_axis: Fraction
    width: Fraction
    height: Fraction
    alpha: Fraction | None = None
    render_mode: RenderMode | None = None


class BackgroundConfig(WireModel):
    """One `backgroundConfig` entry: the picture shown in a user's region while their
    video is off (overrides `defaultUserBackgroundImage` for that uid)."""

    uid: Uid
    image_url: HttpUrl
    render_mode: RenderMode | None = None


class LayoutFields(WireModel):
    """The layout fields shared by updateLayout's clientRequest and start's
    transcodingConfig."""

    mixed_video_layout: MixedVideoLayout | None = Field(None, alias="mixedVideoLayout")
    max_resolution_uid: Uid | None = Field(None, alias="maxResolutionUid")
    background_color: HexColor | None = Field(None, alias="backgroundColor")
    background_image: HttpUrl | None = Field(None, alias="backgroundImage")
    default_user_background_image: HttpUrl | None = Field(None, alias="defaultUserBackgroundImage")
    layout_config: Annotated[list[LayoutRegion], Field(max_length=MAX_REGIONS)] | None = Field(
        None, alias="layoutConfig"
    )
    background_config: list[BackgroundConfig] | None = Field(None, alias="backgroundConfig")

    @model_validator(mode="after")
    def _layout_config_matches_mode(self) -> Self:
        mode = MixedVideoLayout(self.mixed_video_layout or 0)
        regions = self.layout_config or []
        if mode == MixedVideoLayout.CUSTOM and not regions:
            raise ValueError("mixedVideoLayout 3 (custom) needs a non-empty layoutConfig")
        if mode != MixedVideoLayout.CUSTOM and regions:
            raise ValueError(
                f"layoutConfig is only allowed with mixedVideoLayout 3 (custom), "
                f"not {int(mode)} ({mode.name.lower()})"
            )
        return self


class UpdateLayoutClientRequest(LayoutFields):
    """The `clientRequest` of updateLayout. Each call replaces the whole layout: what
    is left out falls back to Agora's defaults (mode 0, black background)."""


class TranscodingConfig(LayoutFields):
    """`recordingConfig.transcodingConfig` of a mix-mode start request."""

    width: int = Field(ge=1, le=MAX_SIDE_PX)
    height: int = Field(ge=1, le=MAX_SIDE_PX)
    fps: int = Field(ge=1)
    bitrate: int = Field(ge=1, le=MAX_BITRATE_KBPS)

    @model_validator(mode="after")
    def _within_1080p(self) -> Self:
        if self.width * self.height > MAX_AREA_PX:
            raise ValueError(
                f"width × height = {self.width}×{self.height} is above 1080p "
                f"(at most {MAX_AREA_PX} pixels, e.g. 1920×1080 or 1080×1920)"
            )
        return self


class UpdateLayoutRequest(WireModel):
    """The whole body of an updateLayout request."""

    cname: Cname
    uid: Uid
    client_request: UpdateLayoutClientRequest = Field(alias="clientRequest")


__all__ = [
    "MAX_AREA_PX",
    "MAX_BITRATE_KBPS",
    "MAX_REGIONS",
    "MAX_SIDE_PX",
    "SUPPORTED_FPS",
    "BackgroundConfig",
    "LayoutFields",
    "LayoutRegion",
    "TranscodingConfig",
    "UpdateLayoutClientRequest",
    "UpdateLayoutRequest",
]
