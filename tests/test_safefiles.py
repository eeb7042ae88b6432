"""Files are never replaced or read beyond what the user named: `layoutkit.safefiles` and
every reader and writer that goes through it (previews, gallery, `presets new`, `play`,
`watch`, the loader and `extends`)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from memory_helpers import peak_from_now, status_kib

from layoutkit import LayoutError, LayoutSyntaxError, load_layout, parse_layout, safefiles
from layoutkit.cli import cli
from layoutkit.errors import FileReadError, OutputError
from layoutkit.safefiles import read_limited, write_atomic

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "speaker-pip.yaml")
SECRET = "root:$6$SECRETHASHSECRETHASH:19000:0:99999:7:::"
PNG = b"\x89PNG\r\n\x1a\n"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The command in its own process, so code that would hang fails the test instead."""
    code = "import sys; from layoutkit.cli import cli; cli(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---- writing ---------------------------------------------------------------------------


def test_preview_output_through_a_symlink_rewrites_the_target_and_keeps_the_link(
    tmp_path: Path,
) -> None:
    real = tmp_path / "real.png"
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "link.png"
    link.symlink_to(real)
    code, output = invoke("preview", EXAMPLE, "-o", str(link))
    assert code == 0, output
    assert link.is_symlink() and link.readlink() == real
    assert real.read_bytes().startswith(PNG)
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.png", "real.png"]


def test_preview_output_to_a_fifo_is_refused_fast(tmp_path: Path) -> None:
    fifo = tmp_path / "out.png"
    os.mkfifo(fifo)
    started = time.monotonic()
    done = run_cli("preview", EXAMPLE, "-o", str(fifo))
    assert time.monotonic() - started < 20
    assert done.returncode == 1
    assert "FIFO" in done.stderr and "not a regular file" in done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_preview_output_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "null.png"
    link.symlink_to("/dev/null")
    code, output = invoke("preview", EXAMPLE, "-o", str(link))
    assert code == 1
    assert "a device" in output and "/dev/null" in output
    assert link.is_symlink() and link.readlink() == Path("/dev/null")
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_write_atomic_refuses_a_folder_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "out.png"
    folder.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_atomic(folder, b"x")
    assert folder.is_dir() and list(tmp_path.iterdir()) == [folder]


def test_write_atomic_writes_through_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "later.txt")
    write_atomic(link, b"hello")
    assert link.is_symlink() and (tmp_path / "later.txt").read_bytes() == b"hello"


def test_presets_new_refuses_a_fifo_even_with_force(tmp_path: Path) -> None:
    fifo = tmp_path / "mine.yaml"
    os.mkfifo(fifo)
    done = run_cli("new", str(fifo), "--from", "grid-2x2", "--force")
    assert done.returncode == 1 and "FIFO" in done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_play_refuses_a_fifo_audit_log_and_a_fifo_storyboard(tmp_path: Path) -> None:
    scenario = str(ROOT / "examples" / "scenarios" / "interview.yaml")
    fifo = tmp_path / "audit.jsonl"
    os.mkfifo(fifo)
    done = run_cli("play", scenario, "--no-pictures", "--audit", str(fifo))
    assert done.returncode == 1 and "FIFO" in done.stderr
    board = tmp_path / "board.png"
    os.mkfifo(board)
    done = run_cli("play", scenario, "--storyboard", str(board), "--gif", str(tmp_path / "m.gif"))
    assert done.returncode == 1 and "FIFO" in done.stderr
    assert stat.S_ISFIFO(board.lstat().st_mode)


def test_gallery_refuses_an_output_that_is_not_a_folder(tmp_path: Path) -> None:
    from layoutkit.library.presets import _write_site

    page = tmp_path / "site"
    page.write_text("a file")
    with pytest.raises(OutputError, match="not a folder"):
        _write_site(page, {"index.html": b"<p>"})
    assert page.read_text() == "a file"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="FIFO"):
        _write_site(fifo, {"index.html": b"<p>"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "site"]


def test_gallery_through_a_symlinked_folder_replaces_that_folder_and_keeps_the_link(
    tmp_path: Path,
) -> None:
    from layoutkit.library.presets import _write_site

    real = tmp_path / "real"
    real.mkdir()
    (real / "stale.html").write_text("old")
    link = tmp_path / "site"
    link.symlink_to(real)
    _write_site(link, {"index.html": b"<p>new", "a/card.png": PNG})
    assert link.is_symlink() and link.readlink() == real
    assert sorted(p.name for p in real.iterdir()) == ["a", "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real", "site"]


# ---- reading ---------------------------------------------------------------------------


def test_a_symlink_to_dev_zero_is_refused_quickly_with_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.symlink_to("/dev/zero")
    before = peak_from_now()
    started = time.monotonic()
    with pytest.raises(LayoutSyntaxError, match="not a regular file"):
        load_layout(big)
    assert time.monotonic() - started < 5
    assert status_kib("VmHWM") - before < 50 * 1024


def test_read_limited_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 101)
    assert read_limited(path, 101) == b"x" * 101
    with pytest.raises(FileReadError, match="over 100 bytes"):
        read_limited(path, 100)
    with pytest.raises(FileReadError, match="is a folder"):
        read_limited(tmp_path, 100)
    with pytest.raises(FileReadError, match="no such file"):
        read_limited(tmp_path / "missing", 100)


def test_a_fifo_layout_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "layout.yaml"
    os.mkfifo(fifo)
    done = run_cli("validate", str(fifo), timeout=20)
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "FIFO" in output and str(fifo) in output


def test_validate_a_missing_file_says_no_such_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("validate", "nonexistent_file")
    assert code == 1
    assert "nonexistent_file" in output and "no such file" in output
    with pytest.raises(LayoutSyntaxError, match="no such file"):
        load_layout("mode: adaptive")  # a path, never YAML text


def test_parse_layout_takes_text() -> None:
    layout = parse_layout("mode: adaptive\n", source="inline.yaml")
    assert layout.source == "inline.yaml" and layout.document.mode == 1


# ---- extends ---------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the layout's folder whose error message would quote a secret line."""
    secret = tmp_path / "secret.yaml"
    secret.write_text(f'shadow: "{SECRET}"\n', encoding="utf-8")  # an unknown key: quoted
    (tmp_path / "project").mkdir()
    return secret


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("ABSOLUTE", "absolute path"),
        ("../secret.yaml", "cannot leave this file's folder"),
        ("grid-2x2/../../../secret.yaml", "cannot leave this file's folder"),
        ("~/secret.yaml", "absolute path"),
        ("sub/../../secret.yaml", "cannot leave this file's folder"),
        ("..", "cannot leave this file's folder"),
        ("/etc/passwd", "absolute path"),
    ],
)
def test_extends_outside_the_folder_is_refused_without_quoting(
    outside: Path, value: str, rule: str
) -> None:
    value = str(outside) if value == "ABSOLUTE" else value
    layout = outside.parent / "project" / "layout.yaml"
    layout.write_text(f"mode: adaptive\nextends: {value}\n", encoding="utf-8")
    with pytest.raises(LayoutError) as info:
        load_layout(layout)
    text = str(info.value)
    assert rule in text and "SECRETHASH" not in text
    assert info.value.line == 2 and info.value.source == str(layout)
    code, output = invoke("validate", str(layout))
    assert code == 1 and rule in output and "SECRETHASH" not in output


def test_extends_through_a_symlink_leading_out_is_refused(outside: Path) -> None:
    project = outside.parent / "project"
    (project / "base.yaml").symlink_to(outside)
    layout = project / "layout.yaml"
    layout.write_text("extends: base.yaml\n", encoding="utf-8")
    with pytest.raises(LayoutError, match="leads outside this file's folder") as info:
        load_layout(layout)
    assert "SECRETHASH" not in str(info.value)


def test_extends_a_file_in_a_subfolder_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "base.yaml").write_text("canvas: 640x360\nmode: adaptive\n")
    layout = tmp_path / "layout.yaml"
    layout.write_text("extends: shared/base.yaml\nbackground: '#102030'\n")
    assert load_layout(layout).document.canvas.width == 640


def test_text_layouts_extend_only_presets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").write_text("mode: adaptive\n")
    with pytest.raises(LayoutError, match="can extend only presets"):
        parse_layout("extends: base.yaml\n")
    assert parse_layout("extends: grid-2x2\n").document is not None


# ---- watch -----------------------------------------------------------------------------


def test_watch_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "layout.yaml"
    os.mkfifo(fifo)
    done = run_cli("watch", str(fifo), "--polls", "2", "--poll", "0.05", timeout=20)
    assert done.returncode == 1
    assert "FIFO" in done.stderr and str(fifo) in done.stderr


def test_watch_survives_bad_saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from layoutkit.cli.options import CompileArgs

    real = CompileArgs.compile

    layout = tmp_path / "layout.yaml"
    layout.write_bytes(b"mode: \xff\xfe adaptive\n")  # not UTF-8
    calls = {"n": 0}

    def flaky(self: CompileArgs, *args: Any, **kwargs: Any) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(CompileArgs, "compile", flaky)

    def saves() -> None:
        time.sleep(0.3)
        layout.write_text("canvas: 640x360\nmode: floating\n")  # the flaky save
        time.sleep(0.3)
        layout.write_text("canvas: 640x360\nmode: adaptive\n")

    thread = threading.Thread(target=saves)
    thread.start()
    out = tmp_path / "out.png"
    code, output = invoke("watch", str(layout), "-o", str(out), "--poll", "0.05", "--polls", "30")
    thread.join()
    assert code == 0, output
    assert "not UTF-8" in output
    assert "RuntimeError: disk on fire" in output
    assert f"ok: wrote {out}" in output
    assert out.read_bytes().startswith(PNG)


def test_a_nul_byte_in_a_layout_is_located(tmp_path: Path) -> None:
    from layoutkit.errors import LayoutSyntaxError
    from layoutkit.layout.loader import load_layout

    path = tmp_path / "nul.yaml"
    path.write_bytes(b"canvas: 640x360\nmode: ad\x00aptive\n")
    with pytest.raises(LayoutSyntaxError, match="a NUL byte") as caught:
        load_layout(path)
    assert (caught.value.line, caught.value.column) == (2, 9)


def test_a_director_audit_log_is_never_a_fifo(tmp_path: Path) -> None:
    from layoutkit.layout.loader import parse_layout
    from layoutkit.live.director import Director

    fifo = tmp_path / "audit.jsonl"
    os.mkfifo(fifo)

    class Accepting:
        def update_layout(self, layout: object) -> object:
            return layout

    with pytest.raises(OutputError, match="FIFO"):
        Director(Accepting(), parse_layout("mode: adaptive\n"), audit=fifo)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_write_atomic_takes_another_temporary_name_when_one_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary file is created by write_atomic alone (O_EXCL): a name someone else
    holds, even as a symlink, is left as it is and another random name is tried."""
    target = tmp_path / "out.png"
    taken = tmp_path / f".out.png.{'00' * 6}.tmp"
    taken.symlink_to(tmp_path / "elsewhere")
    draws = iter([b"\x00" * 6, b"\x01" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    write_atomic(target, b"picture")
    assert target.read_bytes() == b"picture"
    assert stat.S_IMODE(target.stat().st_mode) == safefiles.NEW_FILE_MODE
    assert taken.is_symlink() and not (tmp_path / "elsewhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken.name, "out.png"]
