"""Wire models of the layout payloads: updateLayout's clientRequest and start's
transcodingConfig, with every documented rule (docs/agora.md#custom-mode-3)."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from layoutkit.wire.base import (
    Cname,
    Fraction,
    HexColor,
    HttpUrl,
    JsonInt,
    LayoutMode,
    OptionalUid,
    RenderModeValue,
    Uid,
    WireModel,
)
from layoutkit.wire.rules import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    MAX_AREA_PX,
    MAX_BITRATE_KBPS,
    MAX_REGIONS,
    MAX_SIDE_PX,
    MixedVideoLayout,
)


class LayoutRegion(WireModel):
    """One `layoutConfig` entry: where one user's video goes on the canvas."""

    uid: OptionalUid = None
    x_axis: Fraction
    y_axis: Fraction
    width: Fraction
    height: Fraction
    alpha: Fraction | None = None
    render_mode: RenderModeValue | None = None


class BackgroundConfig(WireModel):
    """One `backgroundConfig` entry: the picture shown in a user's region while their
    video is off (overrides `defaultUserBackgroundImage` for that uid)."""

    uid: Uid
    image_url: HttpUrl
    render_mode: RenderModeValue | None = None


class LayoutFields(WireModel):
    """The layout fields shared by updateLayout's clientRequest and start's
    transcodingConfig."""

    mixed_video_layout: LayoutMode | None = Field(None, alias="mixedVideoLayout")
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
    """`recordingConfig.transcodingConfig` of a mix-mode start request. `width`,
    `height`, `fps` and `bitrate` may be left out: Agora then uses its defaults
    (`rules.DEFAULT_WIDTH`, `DEFAULT_HEIGHT`, `DEFAULT_FPS`, `DEFAULT_BITRATE`;
    `size()` gives the canvas Agora records)."""

    width: JsonInt | None = Field(None, ge=1, le=MAX_SIDE_PX)
    height: JsonInt | None = Field(None, ge=1, le=MAX_SIDE_PX)
    fps: JsonInt | None = Field(None, ge=1)
    bitrate: JsonInt | None = Field(None, ge=1, le=MAX_BITRATE_KBPS)

    def size(self) -> tuple[int, int]:
        """The recorded canvas (width, height), with Agora's defaults for what is unset."""
        return (
            DEFAULT_WIDTH if self.width is None else self.width,
            DEFAULT_HEIGHT if self.height is None else self.height,
        )

    @model_validator(mode="after")
    def _within_1080p(self) -> Self:
        width, height = self.size()
        if width * height > MAX_AREA_PX:
            raise ValueError(
                f"width × height = {width}×{height} is above 1080p (at most {MAX_AREA_PX} "
                "pixels, e.g. 1920×1080 or 1080×1920); make the canvas smaller"
            )
        return self


class UpdateLayoutRequest(WireModel):
    """The whole body of an updateLayout request."""

    cname: Cname
    uid: Uid
    client_request: UpdateLayoutClientRequest = Field(alias="clientRequest")
