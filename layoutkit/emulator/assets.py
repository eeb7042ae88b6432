"""The emulator's stand-in for Agora's image downloads: a layout's image URLs
(`backgroundImage`, `defaultUserBackgroundImage`, `backgroundConfig[].image_url`) served
from local folders, so the composite shows the published pictures offline.

A base URL (`https://cdn.example.com/show/`) maps to a folder. A URL resolves when it is
the base (same scheme and host, any case; the same path, with or without the base's
trailing slash) followed by one plain file name (`[A-Za-z0-9._-]+`, not `.` or `..`; no
query string, no fragment, no `/`, `\\` or `%`), and that name is a regular file inside the
folder (a symlink only if it ends inside the folder) of at most `MAX_IMAGE_BYTES` bytes.
Files are looked up when asked, so a file published after the layout was set shows up, as
on Agora once its download finishes."""

from __future__ import annotations

import os
import re
import stat
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from layoutkit.wire.rules import MAX_IMAGE_BYTES, split_base_url

ImageStatus = Literal["resolved", "not found", "not served here"]
"""What became of an image URL: a file stands in for it; a base serves the URL's place but
no servable file is there (missing, too large, outside the folder, not a plain name); no
base covers the URL."""

NAME = re.compile(r"[A-Za-z0-9._-]+")
IMAGE_KEYS = ("backgroundImage", "defaultUserBackgroundImage")


def check_base(url: str) -> str:
    """A base URL in the form resolution compares (scheme and host in lower case, the path
    ending in `/`); ValueError saying what is wrong and how to fix it: not http(s), a
    base URL `wire.rules.split_base_url` refuses (no host, a port outside 1..65535, a user
    name, a query string or fragment, even an empty `?` or `#`), a `\\` or `%` in the
    path."""
    text = url.strip()
    if text.partition("://")[0].lower() not in ("http", "https"):
        raise ValueError(f"{url!r} is not an http:// or https:// URL: write https://HOST/PATH")
    try:
        parts = split_base_url(text)
    except ValueError as exc:
        raise ValueError(f"{url!r}: {exc}") from None
    if "\\" in parts.path or "%" in parts.path:
        raise ValueError(f"{url!r}: a base URL's path has no '\\' or '%': remove them")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def _name_under(url: str, base: str) -> str | None:
    """The rest of `url` after `base` (as `check_base` gives it), or None when `url` is
    not under `base`: another scheme, host or port, or another path. The rest may be
    anything (a query string, a `/`); the caller checks it."""
    try:
        split, home = urlsplit(url), urlsplit(base)
    except ValueError:
        return None
    head = f"{split.scheme.lower()}://{split.netloc.lower()}"
    if url[: len(head)].lower() != head or head != f"{home.scheme}://{home.netloc}":
        return None
    rest = url[len(head) :]
    return rest[len(home.path) :] if rest.startswith(home.path) else None


def _servable(folder: Path, name: str) -> Path | None:
    """`folder/name` with symlinks followed, if it ends inside `folder` and is a regular
    file of at most MAX_IMAGE_BYTES bytes."""
    if not NAME.fullmatch(name) or name in (".", ".."):
        return None
    try:
        root = Path(os.path.realpath(folder))
        target = Path(os.path.realpath(root / name))
        info = target.stat()
    except (OSError, RuntimeError, ValueError):
        return None
    if target.parent != root or not stat.S_ISREG(info.st_mode):
        return None
    return target if info.st_size <= MAX_IMAGE_BYTES else None


def resolve_image(url: str, folders: Mapping[str, Path]) -> tuple[ImageStatus, Path | None]:
    """What stands in for the image at `url`: ("resolved", the file), ("not found", None)
    when a base covers the URL but serves no file for it, ("not served here", None) when
    none does. `folders`: base URLs (any form `check_base` accepts) to local folders."""
    covered = False
    for base, folder in folders.items():
        try:
            name = _name_under(url, check_base(base))
        except ValueError:
            continue
        if name is None:
            continue
        covered = True
        found = _servable(Path(folder), name)
        if found is not None:
            return "resolved", found
    return ("not found" if covered else "not served here"), None


def image_urls(layout: Mapping[str, Any]) -> list[str]:
    """Every image URL a layout (its JSON, Agora's names) asks Agora to download, each
    once, in the order they appear."""
    found: list[str] = []
    candidates: list[Any] = [layout.get(key) for key in IMAGE_KEYS]
    for entry in layout.get("backgroundConfig") or []:
        if isinstance(entry, Mapping):
            candidates.append(entry.get("image_url"))
    for url in candidates:
        if isinstance(url, str) and url and url not in found:
            found.append(url)
    return found


class AssetFolders:
    """The base URL -> folder mappings of one emulator; thread-safe, added to at any time."""

    def __init__(self, folders: Mapping[str, Path | str] | None = None) -> None:
        self._lock = threading.Lock()
        self._folders: dict[str, Path] = {}
        for base, folder in (folders or {}).items():
            self.add(base, folder)

    def add(self, base: str, folder: Path | str) -> None:
        """Serve `base` + a file name from `folder` (a base given again gets the new
        folder). ValueError for a base `check_base` refuses."""
        key = check_base(base)
        with self._lock:
            self._folders[key] = Path(folder).absolute()

    def snapshot(self) -> dict[str, Path]:
        """The mappings now."""
        with self._lock:
            return dict(self._folders)

    def resolve(self, urls: Iterable[str]) -> dict[str, tuple[ImageStatus, Path | None]]:
        """Each URL's status and file, looked up now."""
        folders = self.snapshot()
        return {url: resolve_image(url, folders) for url in urls}

    def __repr__(self) -> str:
        return f"AssetFolders({len(self.snapshot())} bases)"
