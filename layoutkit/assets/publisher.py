"""Publishing: the `Publisher` protocol, what every publisher here shares, a publisher
around a Python callable, and `publish_all`.

A publisher makes an `Asset` reachable at a public URL Agora can load (HTTPS, `.jpg` or
`.bmp`) and says whether it has done so already, so nothing is published twice:

- `publish(asset) -> url`: publishes it when it is new, else returns the URL it has;
- `published(asset) -> url | None`: its URL when it is published already.

`RememberingPublisher` is the shared part: it remembers every URL by the asset's name
(the content hash, so a name never stands for two pictures) and is thread-safe: a
Director thread and a request thread may publish at once, and the same asset published by
many threads at once is published once (the others wait for it and get its URL).

`publish_all` publishes a set of assets for one push: each new file whole or not at all,
and either every URL or an error, never some of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

from layoutkit.assets.asset import Asset
from layoutkit.errors import AssetError, LayoutkitError, mask_urls, safe_text
from layoutkit.wire.rules import IMAGE_RULE, image_url_problem, split_base_url

HTTP_HINT = (
    "serve the assets over HTTPS; http only for a local emulator or tests "
    "(--assets-allow-http, allow_http=True in Python)"
)


@runtime_checkable
class Publisher(Protocol):
    """Where assets go: `publish` returns the public URL (publishing the file only when
    it is new); `published` returns the URL of a file published already, or None."""

    def publish(self, asset: Asset) -> str: ...

    def published(self, asset: Asset) -> str | None: ...


def check_base_url(url: object, *, what: str, allow_http: bool = False) -> str:
    """A base URL assets are served at, without its trailing `/`: `https://`, a host and
    a port of 1..65535 if any, no user name, query or fragment, not even an empty `?` or
    `#` (a name is appended to it; `wire.rules.split_base_url`). `http://` only with
    `allow_http` (a local emulator, tests). AssetError says what is wrong, naming `what`
    (the option or parameter) and how to fix it."""
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
    """`url` as a message shows it: its query masked (it may hold a signature), but an
    empty one shown as it is written."""
    head, mark, rest = url.partition("?")
    if mark and (not rest or rest.startswith("#")):
        return mask_urls(head) + mark + rest
    return mask_urls(url)


def check_returned_url(url: object, asset: Asset, *, who: str, allow_http: bool) -> str:
    """The URL a publisher returned for `asset`, if Agora can load it (or, with
    `allow_http`, the same but over http): before its query string it is a URL
    `check_base_url` would take; else AssetError naming `who` and the asset."""
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
    """What the publishers here share: the URLs published, by asset name; one upload
    per name even when threads publish the same asset at once. Subclasses give
    `_upload` (make the file public, return its URL) and may give `_existing` (the URL
    of a file that is public already, found outside this process's memory) and
    `_still_there` (whether a remembered file is still there; if not, it is published
    again)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._urls: dict[str, str] = {}
        self._gates: dict[str, threading.Lock] = {}

    def _upload(self, asset: Asset) -> str:
        raise NotImplementedError

    def _existing(self, asset: Asset) -> str | None:
        return None

    def _still_there(self, name: str) -> bool:
        """Whether a file remembered as published is still there (default: yes)."""
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
        """The URL of `asset` when it is published already, else None."""
        url = self._known(asset.name)
        if url is not None:
            return url
        url = self._existing(asset)
        return None if url is None else self._remember(asset.name, url)

    def publish(self, asset: Asset) -> str:
        """The URL of `asset`, publishing it first when it is new. Threads publishing
        the same asset at once wait for one upload. A failure raises AssetError and is
        not remembered: the next call tries again."""
        url = self._known(asset.name)
        if url is not None:
            return url
        with self._lock:
            gate = self._gates.setdefault(asset.name, threading.Lock())
        with gate:
            url = self._known(asset.name)
            if url is not None:
                return url
            url = self._existing(asset)
            if url is None:
                url = self._upload(asset)
            return self._remember(asset.name, url)

    def urls(self) -> dict[str, str]:
        """Every URL known so far, by asset name."""
        with self._lock:
            return dict(self._urls)


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {safe_text(mask_urls(str(exc)))}"


def _callable_name(fn: object) -> str:
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    return f"the publisher {name}()" if isinstance(name, str) else f"the publisher {fn!r}"


class CallablePublisher(RememberingPublisher):
    """Assets published by a Python callable: `fn(asset)` makes the file public and
    returns its URL. It is called once per file (by name) in this process; its URL must
    be one Agora loads (HTTPS, `.jpg` or `.bmp`; http too with `allow_http`). An
    exception from `fn` becomes an AssetError naming the asset (a LayoutkitError is
    passed on as it is)."""

    def __init__(self, fn: Callable[[Asset], str], *, allow_http: bool = False) -> None:
        super().__init__()
        if not callable(fn):
            raise AssetError(f"a publisher callable is needed, not {type(fn).__name__}")
        self.fn = fn
        self.allow_http = allow_http

    def _upload(self, asset: Asset) -> str:
        who = _callable_name(self.fn)
        try:
            url = self.fn(asset)
        except LayoutkitError:
            raise
        except Exception as exc:
            raise AssetError(f"{who} failed for {asset.describe()}: {_reason(exc)}") from exc
        return check_returned_url(url, asset, who=who, allow_http=self.allow_http)


def publish_all(publisher: Publisher, assets: Iterable[Asset]) -> dict[str, str]:
    """The URL of every asset, by name, publishing what is new and reusing the rest.

    All or nothing from the caller's view: the URLs of all of them, or an AssetError
    (naming the asset that failed) and no URLs, so no URL of an unpublished file is ever
    pushed. Each file is published whole or not at all; files published before the one
    that failed stay published (they are content-addressed, so nothing else can be
    there) and are reused by the next call. The same picture given twice is one file."""
    unique: dict[str, Asset] = {}
    for asset in assets:
        if not isinstance(asset, Asset):
            raise AssetError(f"publish_all takes Asset objects, not {type(asset).__name__}")
        unique.setdefault(asset.name, asset)
    urls: dict[str, str] = {}
    for name, asset in unique.items():
        try:
            url = publisher.publish(asset)
        except LayoutkitError:
            raise
        except Exception as exc:
            raise AssetError(f"publishing {asset.describe()} failed: {_reason(exc)}") from exc
        if not isinstance(url, str) or not url:
            raise AssetError(f"the publisher returned no URL for {asset.describe()}")
        urls[name] = url
    return urls


__all__ = [
    "HTTP_HINT",
    "CallablePublisher",
    "Publisher",
    "RememberingPublisher",
    "check_base_url",
    "check_returned_url",
    "publish_all",
]
