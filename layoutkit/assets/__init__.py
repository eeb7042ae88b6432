"""Images a layout needs (its background, people's video-off cards) made public for Agora.

An `Asset` is one JPG or BMP within Agora's limits, named by its content hash. A
`Publisher` puts it at a public URL and knows what it has published, so nothing is
published twice: `FolderPublisher`, `CallablePublisher`, `CommandPublisher`.
`publish_all` gives the URL of every asset of a push, or an error and none."""

from __future__ import annotations

from layoutkit.assets.command import CommandPublisher
from layoutkit.assets.publish import (
    NAME_HEX_DIGITS,
    Asset,
    AssetKind,
    AssetSuffix,
    CallablePublisher,
    FolderPublisher,
    Publisher,
    RememberingPublisher,
    check_base_url,
    image_problem,
    publish_all,
)
from layoutkit.errors import AssetError
from layoutkit.wire.rules import MAX_IMAGE_BYTES

__all__ = [
    "MAX_IMAGE_BYTES",
    "NAME_HEX_DIGITS",
    "Asset",
    "AssetError",
    "AssetKind",
    "AssetSuffix",
    "CallablePublisher",
    "CommandPublisher",
    "FolderPublisher",
    "Publisher",
    "RememberingPublisher",
    "check_base_url",
    "image_problem",
    "publish_all",
]
