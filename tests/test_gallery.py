"""The gallery: up to date with the command's output, replaced safely, and working in a
real browser (headless Chromium on loopback: every card shown, every image loaded, no
console errors; the screenshot is kept in artifacts/)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from layoutkit import gallery, presets
from layoutkit.errors import RenderError
from layoutkit.gallery import build_gallery

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "gallery"
ARTIFACTS = ROOT / "artifacts"


def files_of(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in folder.rglob("*") if p.is_file()}


def test_the_committed_gallery_is_the_commands_output(tmp_path: Path) -> None:
    fresh = tmp_path / "gallery"
    build_gallery(fresh, workers=1)
    built, committed = files_of(fresh), files_of(COMMITTED)
    assert sorted(built) == sorted(committed), "run `layoutkit gallery` and commit gallery/"
    for name, path in built.items():
        if name.endswith(".png"):
            with Image.open(path) as a, Image.open(committed[name]) as b:
                assert a.size == b.size, name
                assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None
        else:
            assert path.read_bytes() == committed[name].read_bytes(), name


def test_a_failing_preset_leaves_the_old_site_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the old site")

    def broken(name: str) -> object:
        raise RuntimeError(f"{name} failed")

    monkeypatch.setattr(gallery, "render_preset", broken)
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


def chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary is not None, "install Debian's chromium (apt-get install chromium); .ci/run does"
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
    dom = chromium("--dump-dom", f"{served}/{page}", tmp=tmp_path)
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
        "--window-size=1280,1400", f"--screenshot={shot}", f"{served}/{page}", tmp=tmp_path
    )
    assert snap.returncode == 0 and shot.stat().st_size > 10_000
