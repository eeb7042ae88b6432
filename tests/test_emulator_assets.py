"""The emulator's stand-in for Agora's image downloads: the resolver's rules (base URL
prefix, plain file names only, regular files inside the folder, the 6 MB limit), the
composite drawing the published background and video-off cards over real HTTP on
loopback, the summary's `images`, and `layoutkit emulator --assets`."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from conftest import fast_client
from emulator_helpers import with_storage
from PIL import Image

from layoutkit.cli import cli
from layoutkit.cli.api import _asset_folders
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.emulator.state import AssetFolders, check_base, image_urls, resolve_image
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET
from layoutkit.wire.rules import DEFAULT_HEIGHT, DEFAULT_WIDTH, MAX_IMAGE_BYTES

BASE = "https://cdn.example.com/show/"
BACKGROUND = (30, 140, 200)
CARD = (230, 60, 40)
TOLERANCE = 6  # JPEG's rounding of a solid colour


def solid_jpeg(path: Path, color: tuple[int, int, int], size: tuple[int, int]) -> Path:
    Image.new("RGB", size, color).save(path, "JPEG", quality=95)
    return path


def close(pixel: Any, color: tuple[int, int, int]) -> bool:
    return all(abs(int(a) - b) <= TOLERANCE for a, b in zip(pixel, color, strict=True))


# --- the resolver, without a server --------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    published = tmp_path / "published"
    published.mkdir()
    (published / "a1b2.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 100)
    return published


def test_a_plain_name_under_the_base_resolves_with_or_without_the_trailing_slash(
    folder: Path,
) -> None:
    for base in (BASE, BASE.rstrip("/"), "HTTPS://CDN.Example.com/show"):
        assert resolve_image(BASE + "a1b2.jpg", {base: folder}) == (
            "resolved",
            folder.resolve() / "a1b2.jpg",
        )
    # scheme and host compare in any case; the path exactly
    assert resolve_image("https://CDN.example.com/show/a1b2.jpg", {BASE: folder})[0] == "resolved"
    assert resolve_image("https://cdn.example.com/Show/a1b2.jpg", {BASE: folder})[0] == (
        "not served here"
    )


def test_urls_outside_the_base_are_not_served_here(folder: Path) -> None:
    for url in (
        "https://cdn.example.com/showa1b2.jpg",  # the base's path is a folder, not a prefix
        "https://cdn.example.com/a1b2.jpg",
        "http://cdn.example.com/show/a1b2.jpg",  # another scheme
        "https://cdn.example.com:8443/show/a1b2.jpg",  # another port
        "https://other.example.com/show/a1b2.jpg",
        "https://cdn.example.com.evil.test/show/a1b2.jpg",
        "https://[broken/show/a1b2.jpg",
        "not a url",
    ):
        assert resolve_image(url, {BASE: folder}) == ("not served here", None), url


def test_names_that_are_not_one_plain_file_name_are_refused(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "sub").mkdir()
    (folder / "sub" / "a1b2.jpg").write_bytes(b"\xff\xd8\xff")
    for rest in (
        "../secret.jpg",
        "..%2Fsecret.jpg",
        "..%2fsecret.jpg",
        "%2e%2e/secret.jpg",
        "..\\secret.jpg",
        "sub/a1b2.jpg",
        "sub%2Fa1b2.jpg",
        "a1b2.jpg?v=2",
        "a1b2.jpg#top",
        "a1b2.jpg?",
        "..",
        ".",
        "",
        "a1b2.jpg/",
        "sub",  # a folder
    ):
        assert resolve_image(BASE + rest, {BASE: folder}) == ("not found", None), rest


def test_missing_files_and_folders_are_not_found(folder: Path, tmp_path: Path) -> None:
    assert resolve_image(BASE + "nope.jpg", {BASE: folder}) == ("not found", None)
    assert resolve_image(BASE + "a1b2.jpg", {BASE: tmp_path / "absent"}) == ("not found", None)


def test_files_over_agoras_limit_are_not_found(folder: Path) -> None:
    with (folder / "big.jpg").open("wb") as big:
        big.truncate(MAX_IMAGE_BYTES + 1)
    with (folder / "limit.jpg").open("wb") as limit:
        limit.truncate(MAX_IMAGE_BYTES)
    assert resolve_image(BASE + "big.jpg", {BASE: folder}) == ("not found", None)
    assert resolve_image(BASE + "limit.jpg", {BASE: folder})[0] == "resolved"


def test_a_symlink_out_of_the_folder_is_refused_one_inside_is_followed(
    folder: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"\xff\xd8\xff")
    (folder / "out.jpg").symlink_to(outside)
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    (folder / "in.jpg").symlink_to(folder / "a1b2.jpg")
    os.mkfifo(folder / "fifo.jpg")
    assert resolve_image(BASE + "out.jpg", {BASE: folder}) == ("not found", None)
    assert resolve_image(BASE + "loop.jpg", {BASE: folder}) == ("not found", None)
    assert resolve_image(BASE + "fifo.jpg", {BASE: folder}) == ("not found", None)
    assert resolve_image(BASE + "in.jpg", {BASE: folder}) == (
        "resolved",
        folder.resolve() / "a1b2.jpg",
    )


def test_a_folder_that_is_a_symlink_is_served(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(folder)
    assert resolve_image(BASE + "a1b2.jpg", {BASE: tmp_path / "link"})[0] == "resolved"


def test_bases_must_be_http_urls_without_query_or_fragment() -> None:
    assert check_base("https://CDN.example.com/show") == BASE
    assert check_base("http://127.0.0.1:9000") == "http://127.0.0.1:9000/"
    for bad in (
        "ftp://cdn.example.com/",
        "https:///show/",
        "cdn.example.com/show/",
        "https://cdn.example.com/show/?v=1",
        "https://cdn.example.com/show/#x",
        "https://user:pw@cdn.example.com/show/",
        "https://cdn.example.com/a%2Fb/",
    ):
        with pytest.raises(ValueError):
            check_base(bad)
    with pytest.raises(ValueError):
        AssetFolders({"ftp://x/": "."})


def test_the_layouts_image_urls_each_once() -> None:
    layout = {
        "backgroundImage": BASE + "bg.jpg",
        "defaultUserBackgroundImage": BASE + "card.jpg",
        "backgroundConfig": [
            {"uid": "1", "image_url": BASE + "card.jpg"},
            {"uid": "2", "image_url": BASE + "two.jpg"},
        ],
    }
    assert image_urls(layout) == [BASE + "bg.jpg", BASE + "card.jpg", BASE + "two.jpg"]
    assert image_urls({"mixedVideoLayout": 1}) == []


# --- the composite over loopback ------------------------------------------------------------


@pytest.fixture
def published(tmp_path: Path) -> Path:
    where = tmp_path / "site"
    where.mkdir()
    return where


@pytest.fixture
def server(published: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        rate_limit=None,
        assets={BASE: published},
    ) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> CloudRecordingClient:
    return fast_client(server)


def composite(server: EmulatorServer, sid: str) -> Image.Image:
    answer = requests.get(f"{server.url}/_emulator/recordings/{sid}/composite.png", timeout=20)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(answer.content)).convert("RGB")


def images(server: EmulatorServer, sid: str) -> dict[str, str]:
    answer = requests.get(f"{server.url}/_emulator/recordings/{sid}", timeout=5)
    answer.raise_for_status()
    found: dict[str, str] = answer.json()["images"]
    return found


def styled(background: str, card: str) -> dict[str, Any]:
    """1001 on the top left quarter, 1002 (video off) on the bottom right quarter; the
    top right quarter shows the canvas."""
    return {
        "mixedVideoLayout": 3,
        "backgroundColor": "#000000",
        "backgroundImage": background,
        "defaultUserBackgroundImage": BASE + "nobody-published-this.jpg",
        "backgroundConfig": [
            {"uid": "1002", "image_url": card, "render_mode": 0},
            {"uid": "1003", "image_url": "https://elsewhere.example.net/card.jpg"},
        ],
        "layoutConfig": [
            {"uid": "1001", "x_axis": 0.0, "y_axis": 0.0, "width": 0.5, "height": 0.5},
            {"uid": "1002", "x_axis": 0.5, "y_axis": 0.5, "width": 0.5, "height": 0.5},
        ],
    }


def test_the_composite_draws_the_published_background_and_card(
    server: EmulatorServer, client: CloudRecordingClient, published: Path
) -> None:
    w, h = DEFAULT_WIDTH, DEFAULT_HEIGHT
    solid_jpeg(published / "0a1b2c.jpg", BACKGROUND, (w, h))
    solid_jpeg(published / "3d4e5f.jpg", CARD, (w // 2, h // 2))
    server.join("room", 1001)
    server.join("room", 1002)
    server.set_media("room", 1002, "video_off")
    with client.record("room", 99, with_storage()) as recording:
        recording.update_layout(styled(BASE + "0a1b2c.jpg", BASE + "3d4e5f.jpg"))
        picture = composite(server, recording.sid)
        assert picture.width == w  # (a caption strip below lists the missing images)
        assert close(picture.getpixel((3 * w // 4, h // 4)), BACKGROUND)  # no region here
        assert close(picture.getpixel((w // 4, 3 * h // 4)), BACKGROUND)
        for x, y in ((3 * w // 4, 3 * h // 4), (5 * w // 8, 5 * h // 8), (7 * w // 8, 7 * h // 8)):
            assert close(picture.getpixel((x, y)), CARD), (x, y)
        assert not close(picture.getpixel((w // 4, h // 4)), BACKGROUND)  # 1001's video
        assert images(server, recording.sid) == {
            BASE + "0a1b2c.jpg": "resolved",
            BASE + "nobody-published-this.jpg": "not found",
            BASE + "3d4e5f.jpg": "resolved",
            "https://elsewhere.example.net/card.jpg": "not served here",
        }


def test_images_published_after_the_layout_show_up_and_bad_ones_stay_missing(
    server: EmulatorServer, client: CloudRecordingClient, published: Path, tmp_path: Path
) -> None:
    w, h = DEFAULT_WIDTH, DEFAULT_HEIGHT
    server.join("room", 1001)
    with client.record("room", 99, with_storage()) as recording:
        recording.update_layout(
            {**styled(BASE + "late.jpg", BASE + "broken.jpg"), "backgroundColor": "#102030"}
        )
        before = composite(server, recording.sid)
        assert before.getpixel((3 * w // 4, h // 4)) == (0x10, 0x20, 0x30)  # the colour only
        assert images(server, recording.sid)[BASE + "late.jpg"] == "not found"

        solid_jpeg(published / "late.jpg", BACKGROUND, (w, h))
        (published / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a JPEG")
        server.set_media("room", 1001, "video_off")  # now shows the broken card's place
        after = composite(server, recording.sid)
        assert close(after.getpixel((3 * w // 4, h // 4)), BACKGROUND)
        assert images(server, recording.sid)[BASE + "late.jpg"] == "resolved"
        # a file Pillow cannot read: the download "fails", the composite is still drawn
        assert images(server, recording.sid)[BASE + "broken.jpg"] == "resolved"

        other = tmp_path / "other"
        other.mkdir()
        solid_jpeg(other / "card.jpg", CARD, (w // 2, h // 2))
        url = "https://elsewhere.example.net/card.jpg"
        assert images(server, recording.sid)[url] == "not served here"
        server.add_assets("https://elsewhere.example.net", other)
        assert images(server, recording.sid)[url] == "resolved"


def test_the_server_refuses_a_bad_base(published: Path) -> None:
    with pytest.raises(ValueError, match="not an http"):
        EmulatorServer(assets={"file:///etc/": published})


# --- the command line -------------------------------------------------------------------------


def test_assets_values_become_bases_and_folders(published: Path) -> None:
    assert _asset_folders((f"https://CDN.example.com/show={published}",)) == {BASE: published}
    assert _asset_folders(()) == {}
    equals = published / "a=b"
    equals.mkdir()
    # an "=" in the folder (or in the URL's path): split where the rest is a folder
    assert _asset_folders((f"https://cdn.example.com/show={equals}",)) == {BASE: equals}
    assert _asset_folders((f"https://cdn.example.com/p=q/={published}",)) == {
        "https://cdn.example.com/p=q/": published
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://cdn.example.com/show/", "give URL=DIR"),
        ("=DIR", "give URL=DIR"),
        ("ftp://cdn.example.com/={dir}", "is not an http:// or https:// URL"),
        ("https://cdn.example.com/?v=1={dir}", "no query string or fragment"),
        ("https://cdn.example.com/={dir}/absent", "is not a folder"),
        ("https://cdn.example.com/={dir}/file.jpg", "is not a folder"),
    ],
)
def test_bad_assets_values_are_usage_errors(published: Path, value: str, message: str) -> None:
    (published / "file.jpg").write_bytes(b"\xff\xd8\xff")
    result = CliRunner().invoke(
        cli, ["emulator", "--port", "0", "--assets", value.format(dir=published)]
    )
    assert result.exit_code == 2, result.output
    assert "Invalid value for --assets" in result.output and message in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
