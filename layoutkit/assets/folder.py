"""Assets published into a folder a web server serves (`--assets-dir DIR --assets-url
https://...`): each file written atomically as `DIR/NAME`, its URL `BASE/NAME`.

Names are content hashes, so a file that exists with the same bytes is the file wanted:
it is reused, not written again (its mtime is kept). A file with the name but other bytes
was changed outside layoutkit; it is never replaced, an AssetError says so. A file removed
from the folder after it was published is written again when it is next published. Nothing
half-written is ever left in the folder (`safefiles.write_atomic`: a temporary file, then
a rename).
"""

from __future__ import annotations

import stat
from pathlib import Path

from layoutkit.assets.asset import Asset
from layoutkit.assets.publisher import RememberingPublisher, check_base_url
from layoutkit.errors import AssetError, LayoutkitError
from layoutkit.safefiles import kind_of, read_limited, write_atomic
from layoutkit.wire.profile import MAX_IMAGE_BYTES


class FolderPublisher(RememberingPublisher):
    """Assets written to `folder` (created, with its parents, on the first write) and
    served at `base_url` (https; http only with `allow_http`, for a local emulator or
    tests). A folder path that is a file, FIFO or device is refused at once."""

    def __init__(self, folder: Path | str, base_url: str, *, allow_http: bool = False) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.base_url = check_base_url(base_url, what="the assets URL", allow_http=allow_http)
        self._check_folder()

    def _check_folder(self) -> None:
        try:
            mode = self.folder.stat().st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise AssetError(
                f"{self.folder}: cannot use the assets folder ({exc.strerror or exc})"
            ) from None
        if not stat.S_ISDIR(mode):
            raise AssetError(
                f"{self.folder}: is {kind_of(mode)}, not a folder; the assets folder must be "
                "a folder",
                hint="give the path of a folder (it is created when missing)",
            )

    def path_of(self, asset: Asset) -> Path:
        """Where `asset` is written."""
        return self.folder / asset.name

    def url_of(self, asset: Asset) -> str:
        """Where `asset` is served."""
        return f"{self.base_url}/{asset.name}"

    def _still_there(self, name: str) -> bool:
        """A file removed from the folder since it was published is written again."""
        return (self.folder / name).exists()

    def _existing(self, asset: Asset) -> str | None:
        path = self.path_of(asset)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AssetError(f"{path}: cannot look at the file ({exc.strerror or exc})") from None
        if not stat.S_ISREG(mode):
            raise AssetError(
                f"{path}: is {kind_of(mode)}, not a regular file; refusing to replace it",
                hint="remove it; the assets folder holds only the published images",
            )
        try:
            data = read_limited(path, MAX_IMAGE_BYTES + 1, what="image")
        except LayoutkitError as exc:
            raise AssetError(str(exc)) from None
        if data != asset.data:
            raise AssetError(
                f"{path}: exists with other contents than {asset.describe()} (whose name is "
                "the hash of its bytes); refusing to replace it",
                hint="it was changed outside layoutkit: remove it and publish again",
            )
        return self.url_of(asset)

    def _upload(self, asset: Asset) -> str:
        self._check_folder()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AssetError(
                f"{self.folder}: cannot create the assets folder ({exc.strerror or exc})"
            ) from None
        path = self.path_of(asset)
        try:
            write_atomic(path, asset.data)
        except LayoutkitError as exc:
            raise AssetError(f"{asset.describe()}: {exc}") from None
        return self.url_of(asset)


__all__ = ["FolderPublisher"]
