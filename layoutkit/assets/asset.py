"""One image to publish: its bytes, its kind, and a name that is its content hash.

The name is what makes publishing safe to repeat: the same picture always has the same
name, a different picture never does, so a file that exists is the file wanted and is
never published again (and never replaced by another).

The checks are Agora's rules for a background image (`wire.rules.IMAGE_RULE`): at most
`MAX_IMAGE_BYTES`, JPG or BMP. The bytes must start with the magic of the format the
suffix names, so a PNG renamed `.jpg` is caught here and not by Agora, silently, later.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Literal, get_args

from layoutkit.errors import AssetError
from layoutkit.wire.rules import IMAGE_RULE, MAX_IMAGE_BYTES, check_uid

AssetKind = Literal["background", "card"]
"""`background`: the canvas background; `card`: a person's video-off picture."""
AssetSuffix = Literal[".jpg", ".bmp"]

NAME_HEX_DIGITS = 20
"""How much of the sha256 hex digest names a file (80 bits: no two pictures collide)."""

MAGIC: dict[str, tuple[bytes, str]] = {
    ".jpg": (b"\xff\xd8\xff", "JPEG"),
    ".bmp": (b"BM", "BMP"),
}
"""What a file of each suffix starts with, and the format's name for messages."""

_KINDS: tuple[str, ...] = get_args(AssetKind)


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.2f} MB ({count} bytes)"


def image_problem(data: bytes, suffix: str) -> str | None:
    """None when `data` is an image Agora loads under a name ending in `suffix`; else
    what is wrong, in words."""
    if suffix not in MAGIC:
        return f"{IMAGE_RULE}; the suffix {suffix!r} is neither '.jpg' nor '.bmp'"
    if not data:
        return "the image is empty"
    if len(data) > MAX_IMAGE_BYTES:
        return (
            f"{IMAGE_RULE}; this image is {_megabytes(len(data))}, over "
            f"{_megabytes(MAX_IMAGE_BYTES)}"
        )
    magic, label = MAGIC[suffix]
    if not data.startswith(magic):
        actual = next((lab for m, lab in MAGIC.values() if data.startswith(m)), None)
        found = f"it is {actual}" if actual else f"it starts with {data[:8].hex(' ')}"
        return f"a {suffix} file must be {label}, but {found}"
    return None


@dataclass(frozen=True)
class Asset:
    """An image to publish. `uid` is the person a card belongs to (None for the
    background, or a card for anyone); it does not change the name, which is the content
    hash alone, so the same picture is one file whoever uses it. Checked on creation
    (AssetError): Agora's size limit, the format the suffix names, the kind, the uid."""

    data: bytes = dataclasses.field(repr=False)
    suffix: AssetSuffix = ".jpg"
    kind: AssetKind = "background"
    uid: str | None = None
    digest: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.data, bytes):
            raise AssetError(f"an asset's data is bytes, not {type(self.data).__name__}")
        if self.kind not in _KINDS:
            raise AssetError(f"an asset's kind is 'background' or 'card', not {self.kind!r}")
        if self.uid is not None:
            try:
                object.__setattr__(self, "uid", check_uid(self.uid))
            except ValueError as exc:
                raise AssetError(f"the {self.kind} image's uid: {exc}") from None
        problem = image_problem(self.data, self.suffix)
        if problem is not None:
            raise AssetError(f"the {self.kind} image{self._for()}: {problem}")
        object.__setattr__(self, "digest", hashlib.sha256(self.data).hexdigest())

    def _for(self) -> str:
        return f" for uid {self.uid}" if self.uid is not None else ""

    @property
    def name(self) -> str:
        """The file name: the first NAME_HEX_DIGITS hex digits of the sha256 of the
        bytes, then the suffix (`3f2a…9c.jpg`)."""
        return self.digest[:NAME_HEX_DIGITS] + self.suffix

    def describe(self) -> str:
        """`the background image 3f2a….jpg`, `the card image 3f2a….jpg for uid 7`."""
        return f"the {self.kind} image {self.name}{self._for()}"


__all__ = [
    "MAGIC",
    "MAX_IMAGE_BYTES",
    "NAME_HEX_DIGITS",
    "Asset",
    "AssetKind",
    "AssetSuffix",
    "image_problem",
]
