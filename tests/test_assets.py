"""`layoutkit.assets`: content-addressed images within Agora's limits, published once."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from layoutkit.assets import (
    MAX_IMAGE_BYTES,
    Asset,
    AssetError,
    CallablePublisher,
    CommandPublisher,
    FolderPublisher,
    Publisher,
    check_base_url,
    publish_all,
)
from layoutkit.assets.command import redact
from layoutkit.cli import cli
from layoutkit.emulator.state import check_base
from layoutkit.errors import LayoutkitError
from layoutkit.wire.rules import IMAGE_RULE

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"picture"
BMP = b"BM" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
BASE = "https://cdn.example.com/layouts"
PRESETS = Path(__file__).resolve().parent.parent / "presets"  # talk-show is styled


def jpeg(tag: str) -> Asset:
    return Asset(JPEG + tag.encode())


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- Asset ------------------------------------------------------------------------------


def test_the_name_is_the_content_hash_and_the_suffix() -> None:
    asset = Asset(JPEG)
    assert asset.name == hashlib.sha256(JPEG).hexdigest()[:20] + ".jpg"
    assert Asset(BMP, ".bmp").name.endswith(".bmp")
    card = Asset(JPEG, kind="card", uid="007")
    assert card.name == asset.name  # the same picture is one file, whoever uses it
    assert card.uid == "7"
    assert jpeg("a").name != jpeg("b").name
    assert "picture" not in repr(asset)  # the bytes are not printed


def test_agoras_size_limit() -> None:
    assert MAX_IMAGE_BYTES == 6_000_000
    at_limit = JPEG + b"\x00" * (MAX_IMAGE_BYTES - len(JPEG))
    assert Asset(at_limit).name
    with pytest.raises(AssetError) as info:
        Asset(at_limit + b"\x00")
    text = str(info.value)
    assert IMAGE_RULE in text and "6.00 MB (6000001 bytes)" in text
    assert "background image" in text


def test_the_bytes_must_be_the_format_the_suffix_names() -> None:
    with pytest.raises(AssetError, match=r"a \.jpg file must be JPEG, but it is BMP"):
        Asset(BMP)
    with pytest.raises(AssetError, match=r"a \.bmp file must be BMP, but it is JPEG"):
        Asset(JPEG, ".bmp")
    with pytest.raises(AssetError, match=r"must be JPEG, but it starts with 89 50 4e 47"):
        Asset(PNG)
    with pytest.raises(AssetError, match=r"neither '\.jpg' nor '\.bmp'"):
        Asset(PNG, ".png")  # type: ignore[arg-type]
    with pytest.raises(AssetError, match="empty"):
        Asset(b"")


def test_kind_and_uid_are_checked() -> None:
    with pytest.raises(AssetError, match="'background' or 'card'"):
        Asset(JPEG, kind="logo")  # type: ignore[arg-type]
    with pytest.raises(AssetError, match="card image's uid"):
        Asset(JPEG, kind="card", uid="alice")
    error = AssetError("x")
    assert isinstance(error, LayoutkitError) and error.exit_code == 1


# --- FolderPublisher --------------------------------------------------------------------


def test_folder_publisher_writes_the_file_and_gives_its_url(tmp_path: Path) -> None:
    folder = tmp_path / "site" / "assets"  # created with its parents
    publisher = FolderPublisher(folder, BASE + "/")
    asset = jpeg("one")
    assert isinstance(publisher, Publisher)
    assert publisher.published(asset) is None
    url = publisher.publish(asset)
    assert url == f"{BASE}/{asset.name}"
    assert (folder / asset.name).read_bytes() == asset.data
    assert entries(folder) == [asset.name]
    assert publisher.published(asset) == url
    (folder / asset.name).unlink()  # removed by hand: published again, not a dead URL
    assert publisher.published(asset) is None
    assert publisher.publish(asset) == url
    assert (folder / asset.name).read_bytes() == asset.data


def test_folder_publisher_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = FolderPublisher(tmp_path, BASE)
    asset = jpeg("fails")

    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(AssetError, match="No space left on device") as info:
        publisher.publish(asset)
    assert asset.name in str(info.value)
    assert entries(tmp_path) == []  # no temporary file, no partial file
    assert publisher.published(asset) is None
    monkeypatch.undo()
    assert publisher.publish(asset) == f"{BASE}/{asset.name}"  # a failure is not remembered


def test_folder_publisher_reuses_an_identical_file(tmp_path: Path) -> None:
    asset = jpeg("kept")
    path = tmp_path / asset.name
    path.write_bytes(asset.data)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    publisher = FolderPublisher(tmp_path, BASE)
    assert publisher.published(asset) == f"{BASE}/{asset.name}"
    assert publisher.publish(asset) == f"{BASE}/{asset.name}"
    assert FolderPublisher(tmp_path, BASE).publish(asset) == f"{BASE}/{asset.name}"
    assert path.stat().st_mtime == 1_000_000_000
    assert entries(tmp_path) == [asset.name]


def test_folder_publisher_never_replaces_a_different_file(tmp_path: Path) -> None:
    asset = jpeg("mine")
    (tmp_path / asset.name).write_bytes(JPEG + b"changed by hand")
    publisher = FolderPublisher(tmp_path, BASE)
    with pytest.raises(AssetError, match="exists with other contents") as info:
        publisher.publish(asset)
    assert info.value.hint and "remove it" in info.value.hint
    assert (tmp_path / asset.name).read_bytes() == JPEG + b"changed by hand"
    (tmp_path / jpeg("dir").name).mkdir()
    with pytest.raises(AssetError, match="is a folder, not a regular file"):
        publisher.publish(jpeg("dir"))


def test_folder_publisher_wants_an_https_base_url(tmp_path: Path) -> None:
    with pytest.raises(AssetError) as info:
        FolderPublisher(tmp_path, "http://cdn.example.com/x")
    assert "not an https:// URL" in str(info.value) and "allow_http" in str(info.value)
    with pytest.raises(AssetError, match="not an https:// URL"):
        FolderPublisher(tmp_path, "cdn.example.com/x")
    with pytest.raises(AssetError, match="no query string or fragment"):
        FolderPublisher(tmp_path, "https://cdn.example.com/x?sig=1")
    local = FolderPublisher(tmp_path, "http://127.0.0.1:8000/a", allow_http=True)
    assert local.publish(jpeg("x")).startswith("http://127.0.0.1:8000/a/")
    assert check_base_url(" https://h/x// ", what="u") == "https://h/x"


# the URLs a base URL check refuses, and what the message says to fix; the first four
# were accepted (or a traceback) before
BROKEN_BASES = [
    ("https://[::1", "close"),  # an IPv6 address's bracket left open: urllib's ValueError
    ("https://cdn.example.com/a?", "no query string or fragment"),
    ("https://cdn.example.com/a#", "no query string or fragment"),
    ("https://cdn.example.com:99999/a", "'99999' is not a number from 1 to 65535"),
    ("https://cdn.example.com/a#top", "no query string or fragment"),
    ("https://cdn.example.com:0/a", "'0' is not a number from 1 to 65535"),
    ("https://cdn.example.com:/a", "no port after it"),
    ("https://:443/a", "has no host"),
    ("https://cdn.exa%mple.com/a", "is not a host name"),
    ("https://[zz]/a", "closed brackets"),
    ("https://user@cdn.example.com/a", "user name or password"),
]


@pytest.mark.parametrize(("url", "expected"), BROKEN_BASES)
def test_every_base_url_check_refuses_a_broken_url(tmp_path: Path, url: str, expected: str) -> None:
    """check_base_url, the publishers and the emulator's folders: the same rules."""
    checks: list[Callable[[], object]] = [
        lambda: check_base_url(url, what="the base"),
        lambda: FolderPublisher(tmp_path / "site", url),
        lambda: CommandPublisher(["cp", "{path}", "/x/{name}"], url),
        lambda: FolderPublisher(tmp_path / "site", url.replace("https:", "http:"), allow_http=True),
    ]
    for check in checks:
        with pytest.raises(AssetError) as info:
            check()
        assert expected in str(info.value) and "Traceback" not in str(info.value)
    with pytest.raises(ValueError, match=re.escape(expected)):
        check_base(url)
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(("url", "expected"), BROKEN_BASES[:5])
def test_compile_refuses_a_broken_assets_url_naming_the_option(
    tmp_path: Path, url: str, expected: str
) -> None:
    site = tmp_path / "site"
    args = ["compile", str(PRESETS / "talk-show.yaml"), "--assets-dir", str(site)]
    result = CliRunner().invoke(cli, [*args, "--assets-url", url])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"--assets-url {url!r}: ")
    assert expected in result.stderr and "Traceback" not in result.output
    assert result.stdout == "" and not site.exists()


def test_the_emulator_refuses_a_broken_assets_url_as_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["emulator", "--assets", f"https://cdn:99999/={tmp_path}"])
    assert result.exit_code == 2 and "not a number from 1 to 65535" in result.stderr
    assert "Traceback" not in result.output


def test_sound_base_urls_are_kept(tmp_path: Path) -> None:
    assert check_base_url("https://[::1]:8443/a/", what="u") == "https://[::1]:8443/a"
    assert (
        check_base_url("https://CDN.example.com:443/x", what="u") == "https://CDN.example.com:443/x"
    )
    assert check_base_url("https://cdn_1.example.com/", what="u") == "https://cdn_1.example.com"
    assert check_base("https://[::1]:8443/a") == "https://[::1]:8443/a/"
    publisher = FolderPublisher(tmp_path, "https://cdn.example.com:8443/show/")
    assert publisher.publish(jpeg("port")).startswith("https://cdn.example.com:8443/show/")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://[::1/x.jpg", "closed brackets"),
        ("https://bucket.example.com:99999/x.jpg", "not a number from 1 to 65535"),
        ("https://bucket.example.com:99999/x.jpg?v=1", "not a number from 1 to 65535"),
    ],
)
def test_a_url_returned_by_a_python_publisher_is_parsed_strictly(url: str, expected: str) -> None:
    publisher = CallablePublisher(lambda asset: url)
    with pytest.raises(AssetError, match=re.escape(expected)) as info:
        publisher.publish(jpeg("returned"))
    assert "returned" in str(info.value) and publisher.published(jpeg("returned")) is None


def test_folder_publisher_refuses_a_folder_path_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "assets").write_text("not a folder")
    with pytest.raises(AssetError, match=r"is a regular file, not a folder") as info:
        FolderPublisher(tmp_path / "assets", BASE)
    assert str(tmp_path / "assets") in str(info.value)


# --- CallablePublisher ------------------------------------------------------------------


def test_callable_publisher_is_called_once_per_file() -> None:
    calls: list[str] = []

    def upload(asset: Asset) -> str:
        calls.append(asset.name)
        return f"https://bucket.example.com/{asset.name}?v=1"

    publisher = CallablePublisher(upload)
    a, b = jpeg("a"), jpeg("b")
    assert publisher.published(a) is None
    first = publisher.publish(a)
    assert publisher.publish(a) == first == publisher.published(a)
    urls = publish_all(publisher, [a, b, Asset(b.data, kind="card", uid="5")])
    assert urls == {a.name: first, b.name: f"https://bucket.example.com/{b.name}?v=1"}
    assert calls == [a.name, b.name]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://bucket.example.com/x.jpg", "not an https:// URL"),
        ("https://bucket.example.com/x.png", "does not end in .jpg, .jpeg or .bmp"),
    ],
)
def test_callable_publisher_refuses_a_url_agora_cannot_load(url: str, expected: str) -> None:
    def upload(asset: Asset) -> str:
        return url

    asset = jpeg("bad")
    publisher = CallablePublisher(upload)
    with pytest.raises(AssetError) as info:
        publisher.publish(asset)
    text = str(info.value)
    assert "the publisher " in text and "upload()" in text
    assert url in text and asset.name in text and expected in text and IMAGE_RULE in text
    assert publisher.published(asset) is None


def test_callable_publisher_failures_are_asset_errors() -> None:
    def boom(asset: Asset) -> str:
        raise RuntimeError("bucket is gone")

    with pytest.raises(AssetError, match=r"failed for the background image .*bucket is gone"):
        CallablePublisher(boom).publish(jpeg("x"))

    def nothing(asset: Asset) -> str:
        return None  # type: ignore[return-value]

    with pytest.raises(AssetError, match="returned NoneType"):
        CallablePublisher(nothing).publish(jpeg("x"))
    assert CallablePublisher(lambda a: "http://h/x.jpg", allow_http=True).publish(jpeg("x"))


# --- CommandPublisher -------------------------------------------------------------------

COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"


def test_command_publisher_runs_a_command_per_new_file(tmp_path: Path) -> None:
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    argv = [sys.executable, "-c", COPY, "{path}", str(bucket / "{name}")]
    publisher = CommandPublisher(argv, BASE)
    asset = jpeg("cmd")
    assert publisher.publish(asset) == f"{BASE}/{asset.name}"
    assert (bucket / asset.name).read_bytes() == asset.data
    (bucket / asset.name).unlink()
    assert publisher.publish(asset) == f"{BASE}/{asset.name}"  # remembered: not run again
    assert not (bucket / asset.name).exists()


def test_command_arguments_are_substituted_whole() -> None:
    publisher = CommandPublisher(["cp", "{path}", "s3://b/{name}", "{other}"], BASE)
    args = publisher.arguments(Path("/tmp/a b/{name}.jpg"), "n.jpg")
    assert args == ["cp", "/tmp/a b/{name}.jpg", "s3://b/n.jpg", "{other}"]


def test_command_publisher_times_out(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import time; time.sleep(60)", "{path}"]
    publisher = CommandPublisher(argv, BASE, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(AssetError, match=r"did not finish within 0\.5 s"):
        publisher.publish(jpeg("slow"))
    assert time.monotonic() - start < 20
    assert publisher.published(jpeg("slow")) is None


def test_command_failure_shows_stderr_but_no_secrets() -> None:
    script = (
        "import os, sys; sys.stderr.write('upload denied: ' + os.environ['AWS_SECRET_ACCESS_KEY'] "
        "+ '\\n'); sys.exit(3)"
    )
    env = dict(os.environ, AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI-K7MDENG")
    publisher = CommandPublisher([sys.executable, "-c", script, "{path}"], BASE, env=env)
    with pytest.raises(AssetError) as info:
        publisher.publish(jpeg("denied"))
    text = str(info.value)
    assert "exited with 3" in text and "upload denied: ***" in text
    assert "wJalrXUtnFEMI" not in text
    assert "sys.exit" not in text  # the arguments are not echoed
    assert redact("a tok3n b", {"GITHUB_TOKEN": "tok3n", "HOME": "a"}) == "a *** b"


def test_command_publisher_refuses_what_cannot_work() -> None:
    with pytest.raises(AssetError, match="not one string"):
        CommandPublisher("aws s3 cp {path} s3://b/{name}", BASE)
    with pytest.raises(AssetError, match=r"put \{path\} in its arguments"):
        CommandPublisher(["true"], BASE)
    with pytest.raises(AssetError, match="not an https:// URL"):
        CommandPublisher(["cp", "{path}", "x"], "http://h/")
    with pytest.raises(AssetError, match="timeout"):
        CommandPublisher(["cp", "{path}", "x"], BASE, timeout=0)
    missing = CommandPublisher(["layoutkit-no-such-program", "{path}"], BASE)
    with pytest.raises(AssetError, match="'layoutkit-no-such-program' was not found"):
        missing.publish(jpeg("x"))


# --- concurrency and publish_all --------------------------------------------------------


def publish_from_threads(publisher: Publisher, asset: Asset, count: int) -> list[str]:
    """`count` threads released at once, each publishing `asset`; their URLs."""
    barrier = threading.Barrier(count)
    results: list[str] = []

    def run() -> None:
        barrier.wait()
        results.append(publisher.publish(asset))

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_eight_threads_publishing_one_asset_publish_it_once(tmp_path: Path) -> None:
    calls: list[str] = []

    def slow_upload(asset: Asset) -> str:
        calls.append(asset.name)
        time.sleep(0.05)
        return f"https://bucket.example.com/{asset.name}"

    callable_publisher = CallablePublisher(slow_upload)
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    log = tmp_path / "runs.log"
    script = COPY + f"; open({str(log)!r}, 'a').write('run\\n')"
    command_publisher = CommandPublisher(
        [sys.executable, "-c", script, "{path}", str(bucket / "{name}")], BASE
    )
    asset = jpeg("shared")
    for publisher in (callable_publisher, command_publisher):
        results = publish_from_threads(publisher, asset, 8)
        assert len(results) == 8 and len(set(results)) == 1
    assert calls == [asset.name]
    assert log.read_text() == "run\n"


def test_eight_threads_writing_one_asset_into_a_folder_write_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[Path] = []
    real = FolderPublisher._place

    def slow_write(publisher: FolderPublisher, path: Path, data: bytes) -> None:
        writes.append(path)
        time.sleep(0.05)
        real(publisher, path, data)

    monkeypatch.setattr(FolderPublisher, "_place", slow_write)
    asset = jpeg("folder")
    results = publish_from_threads(FolderPublisher(tmp_path, BASE), asset, 8)
    assert results == [f"{BASE}/{asset.name}"] * 8
    assert writes == [tmp_path / asset.name]
    assert entries(tmp_path) == [asset.name]


@pytest.mark.parametrize("target_exists", [False, True])
def test_a_link_planted_under_an_images_name_is_never_written_through(
    tmp_path: Path, target_exists: bool
) -> None:
    folder, outside = tmp_path / "assets", tmp_path / "elsewhere" / "owned.jpg"
    folder.mkdir()
    outside.parent.mkdir()
    asset = jpeg("planted")
    if target_exists:
        outside.write_bytes(asset.data)  # even the same bytes: a link is refused
    (folder / asset.name).symlink_to(outside)
    with pytest.raises(AssetError, match="is a symbolic link") as refused:
        FolderPublisher(folder, BASE).publish(asset)
    assert str(folder / asset.name) in str(refused.value)
    assert outside.exists() == target_exists  # nothing created or changed through it
    assert entries(folder) == [asset.name]  # no temporary file left behind


def test_a_link_planted_while_the_file_is_written_wins_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "owned.jpg"
    asset = jpeg("raced")
    publisher = FolderPublisher(tmp_path / "assets", BASE)
    real = FolderPublisher._place

    def plant_first(self: FolderPublisher, path: Path, data: bytes) -> None:
        path.symlink_to(outside)  # between the check and the write
        real(self, path, data)

    monkeypatch.setattr(FolderPublisher, "_place", plant_first)
    with pytest.raises(AssetError, match="is a symbolic link"):
        publisher.publish(asset)
    assert not outside.exists()


def test_publish_all_gives_every_url_or_none(tmp_path: Path) -> None:
    publisher = FolderPublisher(tmp_path, BASE)
    reused, new, blocked = jpeg("reused"), jpeg("new"), jpeg("blocked")
    (tmp_path / reused.name).write_bytes(reused.data)
    (tmp_path / blocked.name).write_bytes(JPEG + b"someone else's")
    with pytest.raises(AssetError, match="exists with other contents"):
        publish_all(publisher, [reused, new, blocked])
    # what was published before the failure is whole (and reused next time); nothing else
    assert entries(tmp_path) == sorted([reused.name, new.name, blocked.name])
    assert (tmp_path / new.name).read_bytes() == new.data
    (tmp_path / blocked.name).unlink()
    urls = publish_all(publisher, [reused, new, blocked, reused])
    assert urls == {a.name: f"{BASE}/{a.name}" for a in (reused, new, blocked)}
    with pytest.raises(AssetError, match="takes Asset objects"):
        publish_all(publisher, [b"bytes"])  # type: ignore[list-item]


def test_publish_all_turns_a_foreign_publishers_exception_into_an_asset_error() -> None:
    class Flaky:
        def publish(self, asset: Asset) -> str:
            raise ConnectionError("reset by peer")

        def published(self, asset: Asset) -> str | None:
            return None

    with pytest.raises(AssetError, match=r"publishing the background image .*reset by peer"):
        publish_all(Flaky(), [jpeg("x")])
