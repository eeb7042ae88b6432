"""One image to publish (`Asset`, named by its content hash, so publishing is safe to
repeat), the `Publisher` protocol, the memory publishers share, and the publishers that
hand a file to a Python callable or write it into a folder a web server serves."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, get_args, runtime_checkable

from layoutkit.errors import AssetError, LayoutkitError, mask_urls, safe_text
from layoutkit.safefiles import kind_of, read_limited
from layoutkit.wire.rules import (
    IMAGE_RULE,
    MAX_IMAGE_BYTES,
    check_uid,
    image_url_problem,
    split_base_url,
)

AssetKind = Literal["background", "card"]
"""`background`: the canvas background; `card`: a person's video-off picture."""
AssetSuffix = Literal[".jpg", ".bmp"]
NAME_HEX_DIGITS = 20  # of the sha256 hex digest: 80 bits, no two pictures collide
MAGIC = {".jpg": (b"\xff\xd8\xff", "JPEG"), ".bmp": (b"BM", "BMP")}
HTTP_HINT = (
    "serve the assets over HTTPS; http only for a local emulator or tests "
    "(--assets-allow-http, allow_http=True in Python)"
)


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.2f} MB ({count} bytes)"


def image_problem(data: bytes, suffix: str) -> str | None:
    """None when `data` is an image Agora loads under a name ending in `suffix`; else
    what is wrong (Agora's rules: at most MAX_IMAGE_BYTES, JPG or BMP, by its magic)."""
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
    """An image to publish, checked on creation (AssetError). `uid` is the person a card
    belongs to; the name is the content hash alone, so one picture is one file."""

    data: bytes = dataclasses.field(repr=False)
    suffix: AssetSuffix = ".jpg"
    kind: AssetKind = "background"
    uid: str | None = None
    digest: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.data, bytes):
            raise AssetError(f"an asset's data is bytes, not {type(self.data).__name__}")
        if self.kind not in get_args(AssetKind):
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
        """The file name: a hex prefix of the sha256 of the bytes, then the suffix."""
        return self.digest[:NAME_HEX_DIGITS] + self.suffix

    def describe(self) -> str:
        """`the background image 3f2a….jpg`, `the card image 3f2a….jpg for uid 7`."""
        return f"the {self.kind} image {self.name}{self._for()}"


@runtime_checkable
class Publisher(Protocol):
    """Where assets go: `publish` returns the public URL (publishing the file only when
    it is new); `published` returns the URL of a file published already, or None."""

    def publish(self, asset: Asset) -> str: ...

    def published(self, asset: Asset) -> str | None: ...


def check_base_url(url: object, *, what: str, allow_http: bool = False) -> str:
    """A base URL assets are served at (`https://`, `http://` only with `allow_http`;
    `wire.rules.split_base_url`), without its trailing `/`; AssetError naming `what`."""
    if not isinstance(url, str):
        raise AssetError(f"{what} is a URL string, not {type(url).__name__}")
    text = url.strip()
    shown = safe_text(repr(_masked(text)))
    schemes = ("https", "http") if allow_http else ("https",)
    if text.partition("://")[0].lower() not in schemes:
        raise AssetError(
            f"{what} {shown}: {IMAGE_RULE}; this URL is not an https:// URL",
            hint=HTTP_HINT,
        )
    try:
        split_base_url(text)
    except ValueError as exc:
        raise AssetError(
            f"{what} {shown}: {safe_text(str(exc))}",
            hint="a base URL is where the files are served, e.g. https://cdn.example.com/show",
        ) from None
    return text.rstrip("/")


def _masked(url: str) -> str:
    """`url` with its query masked (it may hold a signature); an empty one shown."""
    head, mark, rest = url.partition("?")
    if mark and (not rest or rest.startswith("#")):
        return mask_urls(head) + mark + rest
    return mask_urls(url)


def check_returned_url(url: object, asset: Asset, *, who: str, allow_http: bool) -> str:
    """The URL a publisher returned for `asset`, if Agora can load it; else AssetError."""
    if not isinstance(url, str):
        raise AssetError(
            f"{who} returned {type(url).__name__} for {asset.describe()}, not a URL string"
        )
    text = url.strip()
    checked = text
    if allow_http and text[:7].lower() == "http://":
        checked = "https" + text[len("http") :]
    try:
        split_base_url(checked.partition("#")[0].partition("?")[0])
    except ValueError as exc:
        problem: str | None = str(exc)
    else:
        problem = image_url_problem(checked)
    if problem is not None:
        raise AssetError(
            f"{who} returned {safe_text(repr(mask_urls(text)))} for {asset.describe()}: "
            f"{safe_text(problem)}",
            hint=HTTP_HINT if "https" in problem else None,
        )
    return text


class RememberingPublisher:
    """The URLs published, by asset name, and one upload per name even when threads
    publish the same asset at once. Subclasses give `_upload`, and may give `_existing`
    (a file public already) and `_still_there` (else it is published again)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._urls: dict[str, str] = {}
        self._gates: dict[str, threading.Lock] = {}

    def _upload(self, asset: Asset) -> str:
        raise NotImplementedError

    def _existing(self, asset: Asset) -> str | None:
        return None

    def _still_there(self, name: str) -> bool:
        return True

    def _known(self, name: str) -> str | None:
        with self._lock:
            url = self._urls.get(name)
        if url is not None and not self._still_there(name):
            with self._lock:
                if self._urls.get(name) == url:
                    del self._urls[name]
            return None
        return url

    def _remember(self, name: str, url: str) -> str:
        with self._lock:
            self._urls.setdefault(name, url)
            self._gates.pop(name, None)
            return self._urls[name]

    def published(self, asset: Asset) -> str | None:
        url = self._known(asset.name)
        if url is not None:
            return url
        url = self._existing(asset)
        return None if url is None else self._remember(asset.name, url)

    def publish(self, asset: Asset) -> str:
        """The URL of `asset`, publishing it first when it is new; a failure raises
        AssetError and is not remembered."""
        url = self._known(asset.name)
        if url is not None:
            return url
        with self._lock:
            gate = self._gates.setdefault(asset.name, threading.Lock())
        with gate:
            url = self._known(asset.name) or self._existing(asset) or self._upload(asset)
            return self._remember(asset.name, url)

    def urls(self) -> dict[str, str]:
        """Every URL known so far, by asset name."""
        with self._lock:
            return dict(self._urls)


def _call(fn: Callable[[Asset], object], asset: Asset, failed: str) -> object:
    """`fn(asset)`; what it raises as an AssetError led by `failed` (a LayoutkitError as
    it is)."""
    try:
        return fn(asset)
    except LayoutkitError:
        raise
    except Exception as exc:
        reason = f"{type(exc).__name__}: {safe_text(mask_urls(str(exc)))}"
        raise AssetError(f"{failed}: {reason}") from exc


class CallablePublisher(RememberingPublisher):
    """Assets published by `fn(asset) -> url`, called once per file; its URL must be one
    Agora loads. Its exceptions become AssetErrors naming the asset."""

    def __init__(self, fn: Callable[[Asset], str], *, allow_http: bool = False) -> None:
        super().__init__()
        if not callable(fn):
            raise AssetError(f"a publisher callable is needed, not {type(fn).__name__}")
        self.fn = fn
        self.allow_http = allow_http

    def _upload(self, asset: Asset) -> str:
        name = getattr(self.fn, "__qualname__", None) or getattr(self.fn, "__name__", None)
        who = f"the publisher {name}()" if isinstance(name, str) else f"the publisher {self.fn!r}"
        url = _call(self.fn, asset, f"{who} failed for {asset.describe()}")
        return check_returned_url(url, asset, who=who, allow_http=self.allow_http)


class FolderPublisher(RememberingPublisher):
    """Assets written to `folder` as `NAME`, served at `base_url/NAME`. An existing file
    with the same bytes is reused, with other bytes refused; a link is never followed
    (a temporary file is hard-linked to the name); nothing half-written is left."""

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

    def _still_there(self, name: str) -> bool:
        return (self.folder / name).exists()

    def _existing(self, asset: Asset) -> str | None:
        path = self.folder / asset.name
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
        return f"{self.base_url}/{asset.name}"

    def _upload(self, asset: Asset) -> str:
        self._check_folder()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AssetError(
                f"{self.folder}: cannot create the assets folder ({exc.strerror or exc})"
            ) from None
        path = self.folder / asset.name
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
        return f"{self.base_url}/{asset.name}"

    def _place(self, path: Path, data: bytes) -> None:
        """`path` created holding `data`: written beside it, then hard-linked to the name
        (FileExistsError when anything, a link included, has it)."""
        fd, name = tempfile.mkstemp(dir=self.folder, prefix=".layoutkit-", suffix=".part")
        temporary = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            temporary.chmod(0o644)  # served by a web server: readable by others
            path.hardlink_to(temporary)
        finally:
            temporary.unlink(missing_ok=True)


def publish_all(publisher: Publisher, assets: Iterable[Asset]) -> dict[str, str]:
    """The URL of every asset, by name, publishing what is new: all of them, or an
    AssetError naming the asset that failed and no URLs."""
    unique: dict[str, Asset] = {}
    for asset in assets:
        if not isinstance(asset, Asset):
            raise AssetError(f"publish_all takes Asset objects, not {type(asset).__name__}")
        unique.setdefault(asset.name, asset)
    urls: dict[str, str] = {}
    for name, asset in unique.items():
        url = _call(publisher.publish, asset, f"publishing {asset.describe()} failed")
        if not isinstance(url, str) or not url:
            raise AssetError(f"the publisher returned no URL for {asset.describe()}")
        urls[name] = url
    return urls
