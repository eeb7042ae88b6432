"""The gallery: up to date with the command's output, replaced safely, and working in a
real browser (headless Chromium on loopback: every card shown, every image loaded, no
console errors; the screenshot is kept in artifacts/).

The browser test runs whenever a `chromium` is on the PATH and is skipped, with the
reason, otherwise; with LAYOUTKIT_REQUIRE_BROWSER=1 (CI sets it) a missing Chromium is a
failure instead."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from tool_helpers import find_tool

from layoutkit import presets
from layoutkit.errors import RenderError
from layoutkit.library.presets import build_gallery

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "gallery"
ARTIFACTS = ROOT / "artifacts"
# Pictures may differ a little from one Pillow (zlib, resampling) build to another: the mean
# absolute difference of each channel, 0..255, must stay below this.
PICTURE_TOLERANCE = 2.0
NO_CHROMIUM = "chromium not installed: install Debian's chromium to run the browser test"


def files_of(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in folder.rglob("*") if p.is_file()}


def picture_difference(a: Path, b: Path) -> list[float]:
    """The mean absolute difference of each RGBA channel of two pictures of one size."""
    with Image.open(a) as first, Image.open(b) as second:
        assert first.size == second.size, f"{a.name}: {first.size} != {second.size}"
        diff = ImageChops.difference(first.convert("RGBA"), second.convert("RGBA"))
    return [float(m) for m in ImageStat.Stat(diff).mean]


def test_the_committed_gallery_is_the_commands_output(tmp_path: Path) -> None:
    fresh = tmp_path / "gallery"
    build_gallery(fresh, workers=1)
    built, committed = files_of(fresh), files_of(COMMITTED)
    assert sorted(built) == sorted(committed), "run `layoutkit gallery` and commit gallery/"
    for name, path in built.items():
        if name.endswith(".png"):  # alike within PICTURE_TOLERANCE, not byte for byte
            means = picture_difference(path, committed[name])
            assert max(means) < PICTURE_TOLERANCE, f"{name}: mean difference per channel {means}"
        else:  # pages, exactly
            assert path.read_bytes() == committed[name].read_bytes(), name


def test_picture_difference_tolerates_noise_but_not_a_change(tmp_path: Path) -> None:
    base = Image.new("RGB", (64, 32), (40, 80, 120))
    noisy = base.copy()
    for x in range(0, 64, 2):  # half the pixels one step off, as another zlib/resampler might
        noisy.putpixel((x, 5), (41, 79, 121))
    changed = base.copy()
    changed.paste((255, 255, 255), (0, 0, 32, 32))  # half the picture drawn differently
    for name, picture in (("base", base), ("noisy", noisy), ("changed", changed)):
        picture.save(tmp_path / f"{name}.png")
    assert max(picture_difference(tmp_path / "base.png", tmp_path / "noisy.png")) < 0.1
    assert max(picture_difference(tmp_path / "base.png", tmp_path / "changed.png")) > 50
    Image.new("RGB", (64, 33)).save(tmp_path / "taller.png")
    with pytest.raises(AssertionError, match=r"\(64, 32\) != \(64, 33\)"):
        picture_difference(tmp_path / "base.png", tmp_path / "taller.png")


def test_a_failing_preset_leaves_the_old_site_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the old site")

    def broken(name: str) -> object:
        raise RuntimeError(f"{name} failed")

    monkeypatch.setattr(presets, "render_preset", broken)
    with pytest.raises(RuntimeError):
        build_gallery(site, workers=1)
    assert (site / "index.html").read_text() == "the old site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RenderError, match="cannot write the gallery"):
        build_gallery(blocker / "site", workers=1)


def test_an_existing_site_is_replaced_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "stale.html").write_text("old")
    build_gallery(site, workers=2)
    assert not (site / "stale.html").exists()
    assert (site / "index.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.fixture
def served() -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(COMMITTED))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def find_chromium() -> str:
    """The Chromium to run; skips the test when there is none, or fails it when
    LAYOUTKIT_REQUIRE_BROWSER=1 says the browser test must run."""
    return find_tool(("chromium", "chromium-browser"), NO_CHROMIUM, "LAYOUTKIT_REQUIRE_BROWSER")


def test_a_missing_chromium_skips_the_browser_test_unless_it_is_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("LAYOUTKIT_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"^{re.escape(NO_CHROMIUM)}$"):
        find_chromium()
    monkeypatch.setenv("LAYOUTKIT_REQUIRE_BROWSER", "0")
    with pytest.raises(pytest.skip.Exception):
        find_chromium()
    monkeypatch.setenv("LAYOUTKIT_REQUIRE_BROWSER", "1")
    required = r"^chromium not installed: .*_BROWSER=1: it must run\)$"
    with pytest.raises(pytest.fail.Exception, match=required):
        find_chromium()
    found = {"chromium-browser": "/usr/bin/chromium-browser"}
    monkeypatch.setattr(shutil, "which", found.get)
    assert find_chromium() == "/usr/bin/chromium-browser"


def chromium(binary: str, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp / 'profile'}",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=4000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("page", ["index.html", "speaker-strip.html"])
def test_the_gallery_in_headless_chromium(served: str, tmp_path: Path, page: str) -> None:
    binary = find_chromium()
    dom = chromium(binary, "--dump-dom", f"{served}/{page}", tmp=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    total = int(html.split('data-images-total="')[1].split('"')[0])
    loaded = int(html.split('data-images-loaded="')[1].split('"')[0])
    assert total > 0 and loaded == total
    if page == "index.html":
        assert html.count('class="card"') == len(presets.names())
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"gallery-{page.removesuffix('.html')}.png"
    snap = chromium(
        binary, "--window-size=1280,1400", f"--screenshot={shot}", f"{served}/{page}", tmp=tmp_path
    )
    assert snap.returncode == 0 and shot.stat().st_size > 10_000
