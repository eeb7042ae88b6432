"""Assets published into a folder a web server serves (`--assets-dir DIR --assets-url
https://...`): each file written atomically as `DIR/NAME`, its URL `BASE/NAME`.

Names are content hashes, so a file that exists with the same bytes is the file wanted:
it is reused, not written again (its mtime is kept). A file with the name but other bytes
was changed outside layoutkit; it is never replaced, an AssetError says so. A file removed
from the folder after it was published is written again when it is next published.

Names are predictable, so a link planted in the folder under one must never be followed:
a file is written beside its name (a private temporary file), then given the name with a
hard link, which fails if anything, a symbolic link included, has the name meanwhile (the
`O_EXCL|O_NOFOLLOW` of a rename); an existing link is an AssetError naming it. Nothing
half-written is ever left in the folder.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from layoutkit.assets.asset import Asset
from layoutkit.assets.publisher import RememberingPublisher, check_base_url
from layoutkit.errors import AssetError, LayoutkitError
from layoutkit.safefiles import kind_of, read_limited
from layoutkit.wire.rules import MAX_IMAGE_BYTES


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
            mode = path.lstat().st_mode  # a link is never followed
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AssetError(f"{path}: cannot look at the file ({exc.strerror or exc})") from None
        if stat.S_ISLNK(mode):
            raise AssetError(
                f"{path}: is a symbolic link; refusing to write through it (an image's name "
                "is predictable, so a link planted under it could send the file anywhere)",
                hint="remove the link; the assets folder holds only the published images",
            )
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
            self._place(path, asset.data)
        except FileExistsError:  # something took the name meanwhile: judged as it stands
            found = self._existing(asset)
            if found is None:
                raise AssetError(f"{path}: appeared and went while it was written") from None
            return found
        except OSError as exc:
            raise AssetError(
                f"{asset.describe()}: cannot write {path} ({exc.strerror or exc})"
            ) from None
        return self.url_of(asset)

    def _place(self, path: Path, data: bytes) -> None:
        """`path` created holding `data`, never through a link (FileExistsError when the
        name is taken): written in full beside it, then hard-linked to the name."""
        fd, name = tempfile.mkstemp(dir=self.folder, prefix=".layoutkit-", suffix=".part")
        temporary = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            temporary.chmod(0o644)  # served by a web server: readable by others
            path.hardlink_to(temporary)  # fails on any existing name; follows no link
        finally:
            temporary.unlink(missing_ok=True)


__all__ = ["FolderPublisher"]
