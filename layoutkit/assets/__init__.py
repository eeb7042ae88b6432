"""Images a layout needs (its background, people's video-off cards) made public for Agora.

An `Asset` is one JPG or BMP within Agora's limits, named by its content hash. A
`Publisher` puts it at a public URL and knows what it has published, so nothing is
published twice: `FolderPublisher` (a folder and the HTTPS URL it is served at),
`CallablePublisher` (a Python callable), `CommandPublisher` (a command per new file).
`publish_all` gives the URL of every asset of a push, or an error and none.

Standard library only; imports `errors`, `safefiles` and `wire.rules`/`wire.rules`.
"""

from __future__ import annotations

from layoutkit.assets.asset import (
    MAX_IMAGE_BYTES,
    NAME_HEX_DIGITS,
    Asset,
    AssetKind,
    AssetSuffix,
    image_problem,
)
from layoutkit.assets.command import CommandPublisher
from layoutkit.assets.folder import FolderPublisher
from layoutkit.assets.publisher import (
    CallablePublisher,
    Publisher,
    RememberingPublisher,
    check_base_url,
    publish_all,
)
from layoutkit.errors import AssetError

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
