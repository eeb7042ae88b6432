"""A publish command (`CommandPublisher`, `--assets-command`) under control: its output
read with a cap, its exit status as its answer (not the closing of its output), its
timeout an option (`--assets-timeout`, `timeout=`), and its whole process group ended,
with its temporary folder, on a timeout, on `close()` and when layoutkit is interrupted
(SIGTERM, Ctrl-C)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from memory_helpers import peak_from_now, status_kib
from tool_helpers import default_sigint

from layoutkit.assets import Asset, AssetError, CommandPublisher
from layoutkit.assets.command import DEFAULT_TIMEOUT, MAX_TIMEOUT, OUTPUT_CAP
from layoutkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
STYLED = ROOT / "presets" / "talk-show.yaml"  # a styled preset: a background and cards
BASE = "https://cdn.example.com/show"
LAYOUTKIT = [sys.executable, "-c", "from layoutkit.cli import main; main()"]
BOUND = 120.0  # seconds; each case takes well under 5 (a hang guard, for a busy machine)
# records the file it was given and the pid of a helper it starts, then waits for it
HANGING = """\
echo "$1" > "$2/path"
sleep 300 &
echo $! > "$2/helper"
wait
"""
# the same, but exits 0 at once, the helper still holding its standard output and error
LEAVES_A_HELPER = """\
echo "$1" > "$2/path"
sleep 300 &
echo $! > "$2/helper"
echo uploaded
"""


def jpeg(tag: str) -> Asset:
    return Asset(b"\xff\xd8\xff\xe0" + tag.encode())


def script(tmp_path: Path, text: str) -> tuple[list[str], Path]:
    """A command running `text` (`$1`: the file, `$2`: where it leaves its marks)."""
    marks = tmp_path / "marks"
    marks.mkdir(exist_ok=True)
    path = tmp_path / "publish.sh"
    path.write_text(text, encoding="utf-8")
    return ["sh", str(path), "{path}", str(marks)], marks


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not check():
        assert time.monotonic() < deadline, f"waited {BOUND:g} s for {what}"
        time.sleep(0.02)


def gone(pid: int) -> bool:
    """Whether the process `pid` has ended (a zombie waiting for its parent counts)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def helper_of(marks: Path) -> int:
    mark = marks / "helper"
    wait_for(lambda: mark.exists() and mark.read_text().strip() != "", "a helper's pid")
    return int(mark.read_text())


def assert_nothing_left(marks: Path) -> None:
    """The helper the command started has ended and its temporary folder is removed."""
    helper = helper_of(marks)
    wait_for(lambda: gone(helper), f"the helper {helper} to end")
    given = Path((marks / "path").read_text().strip())
    assert given.name.endswith(".jpg")
    assert not given.parent.exists(), f"{given.parent} was left behind"


def cleanup_helper(marks: Path) -> None:
    """Kill the helper if the code under test did not (so a failing test leaves nothing);
    only while it is still that `sleep 300`, never a process that got its pid since."""
    mark = marks / "helper"
    pid = int(mark.read_text()) if mark.exists() and mark.read_text().strip() else 0
    try:
        running = pid and Path(f"/proc/{pid}/cmdline").read_bytes() == b"sleep\x00300\x00"
    except OSError:
        return
    if running and not gone(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --- output ---------------------------------------------------------------------------


@pytest.mark.parametrize("stream", ["stderr", "stdout"])
def test_a_command_writing_300_mb_is_read_in_bounded_memory_and_says_why(stream: str) -> None:
    flood = (
        "import sys\n"
        f"out = sys.{stream}.buffer\n"
        "for _ in range(300):\n"
        "    out.write(b'progress ' * 111_111 + b'\\n')\n"
        "out.write(b'upload failed: the bucket says AccessDenied\\n')\n"
        "sys.exit(3)\n"
    )
    publisher = CommandPublisher([sys.executable, "-c", flood, "{path}"], BASE)
    before = peak_from_now()
    started = time.monotonic()
    with pytest.raises(AssetError) as info:
        publisher.publish(jpeg("flood"))
    added_mib = (status_kib("VmHWM") - before) / 1024
    assert time.monotonic() - started < BOUND
    assert added_mib < 64, f"reading the command's output took {added_mib:.0f} MiB"
    text = str(info.value)
    assert "exited with 3" in text
    assert text.rstrip().endswith("upload failed: the bucket says AccessDenied")
    assert len(text) < 4 * 1024  # the end of the output, not all of it
    assert OUTPUT_CAP <= 1 << 20


# --- the exit status is the answer -----------------------------------------------------


def test_a_command_that_exits_0_leaving_a_helper_on_its_output_succeeds_at_once(
    tmp_path: Path,
) -> None:
    argv, marks = script(tmp_path, LEAVES_A_HELPER)
    publisher = CommandPublisher(argv, BASE)
    asset = jpeg("persist")
    started = time.monotonic()
    try:
        assert publisher.publish(asset) == f"{BASE}/{asset.name}"
        assert time.monotonic() - started < BOUND  # not the 300 s the helper holds it
        assert_nothing_left(marks)  # what it left in its process group was ended
    finally:
        cleanup_helper(marks)


def test_a_failing_command_that_leaves_a_helper_fails_at_once(tmp_path: Path) -> None:
    argv, marks = script(tmp_path, LEAVES_A_HELPER + "echo 'no such bucket' >&2\nexit 5\n")
    started = time.monotonic()
    try:
        with pytest.raises(AssetError, match=r"exited with 5[^\n]*:\nno such bucket"):
            CommandPublisher(argv, BASE).publish(jpeg("fails"))
        assert time.monotonic() - started < BOUND
        assert_nothing_left(marks)
    finally:
        cleanup_helper(marks)


# --- ended with its group and its folder -----------------------------------------------


def test_a_command_past_its_timeout_is_ended_with_its_group_and_folder(tmp_path: Path) -> None:
    argv, marks = script(tmp_path, HANGING)
    publisher = CommandPublisher(argv, BASE, timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(AssetError) as info:
            publisher.publish(jpeg("slow"))
        assert time.monotonic() - started < BOUND
        assert "did not finish within 0.5 s" in str(info.value)
        assert "--assets-timeout SECONDS" in str(info.value)  # how to give it longer
        assert_nothing_left(marks)
    finally:
        cleanup_helper(marks)


def test_closing_the_publisher_ends_a_command_running_in_another_thread(tmp_path: Path) -> None:
    argv, marks = script(tmp_path, HANGING)
    publisher = CommandPublisher(argv, BASE)
    failed: list[str] = []

    def publish() -> None:
        try:
            publisher.publish(jpeg("closed"))
        except AssetError as exc:
            failed.append(str(exc))

    worker = threading.Thread(target=publish, daemon=True)
    worker.start()
    try:
        helper_of(marks)
        publisher.close()
        worker.join(BOUND)
        assert not worker.is_alive()
        assert failed and "killed by signal" in failed[0]
        assert_nothing_left(marks)
    finally:
        cleanup_helper(marks)


def compile_publishing(argv: list[str]) -> subprocess.Popen[str]:
    """`layoutkit compile` of a styled preset in a process of its own, publishing with
    the command `argv`."""
    command = " ".join(argv)
    return subprocess.Popen(
        [*LAYOUTKIT, "compile", str(STYLED), "--assets-command", command, "--assets-url", BASE],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )


@pytest.mark.parametrize(
    ("signum", "status"),
    [
        (signal.SIGTERM, -signal.SIGTERM),  # ends as SIGTERM ends it, once cleaned up
        (signal.SIGINT, 1),  # KeyboardInterrupt: "Aborted!"
    ],
)
def test_interrupting_layoutkit_mid_publish_ends_the_command_and_its_folder(
    tmp_path: Path, signum: signal.Signals, status: int
) -> None:
    argv, marks = script(tmp_path, HANGING)
    process = compile_publishing(argv)
    try:
        helper_of(marks)
        started = time.monotonic()
        process.send_signal(signum)
        _, err = process.communicate(timeout=BOUND)
        assert time.monotonic() - started < BOUND
        assert process.returncode == status, err
        assert "Traceback" not in err
        assert_nothing_left(marks)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        cleanup_helper(marks)


# --- the timeout, an option ------------------------------------------------------------


def test_the_timeout_is_a_parameter_checked_in_python() -> None:
    argv = ["cp", "{path}", "/nowhere"]
    assert CommandPublisher(argv, BASE).timeout == DEFAULT_TIMEOUT == 120
    assert CommandPublisher(argv, BASE, timeout=MAX_TIMEOUT).timeout == 3600
    assert CommandPublisher(argv, BASE, timeout=2).timeout == 2.0
    for bad in (0, -1, float("nan"), float("inf"), MAX_TIMEOUT + 1, True, "5"):
        with pytest.raises(AssetError, match="above 0 and at most 3600") as info:
            CommandPublisher(argv, BASE, timeout=bad)  # type: ignore[arg-type]
        assert "timeout=SECONDS in Python" in str(info.value)


def run_compile(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["compile", str(STYLED), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result
    return result.exit_code, result.stderr


@pytest.mark.parametrize("value", ["0", "-3", "nan", "inf", "3601", "soon"])
def test_a_bad_assets_timeout_is_a_usage_error(tmp_path: Path, value: str) -> None:
    command = ["--assets-command", "cp {path} /nowhere/{name}", "--assets-url", BASE]
    code, err = run_compile(tmp_path, *command, "--assets-timeout", value)
    assert code == 2
    assert "--assets-timeout" in err
    assert "above 0 and at most 3600" in err or "is not a valid float" in err


def test_assets_timeout_without_a_command_is_a_usage_error(tmp_path: Path) -> None:
    folder = ["--assets-dir", str(tmp_path / "site"), "--assets-url", BASE]
    code, err = run_compile(tmp_path, *folder, "--assets-timeout", "30")
    assert code == 2 and "give it with --assets-command" in err
    assert not (tmp_path / "site").exists()


def test_assets_timeout_reaches_the_command(tmp_path: Path) -> None:
    argv, marks = script(tmp_path, HANGING)
    command = ["--assets-command", " ".join(argv), "--assets-url", BASE]
    started = time.monotonic()
    try:
        code, err = run_compile(tmp_path, *command, "--assets-timeout", "0.5")
        assert time.monotonic() - started < BOUND
        assert code == 1 and "did not finish within 0.5 s" in err
        assert_nothing_left(marks)
    finally:
        cleanup_helper(marks)


def test_the_service_takes_the_assets_timeout(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AGORA_NOTIFICATIONS_SECRET": "notify-secret",
    }
    account = ["--app-id", "a", "--customer-id", "c", "--customer-secret", "s"]
    assets = ["--assets-command", "cp {path} /nowhere/{name}", "--assets-url", BASE]
    serve = [*LAYOUTKIT, "serve", "--port", "0", *account, "--base-url", "http://127.0.0.1:9"]
    refused = subprocess.run(
        [*serve, *assets, "--assets-timeout", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=BOUND,
        check=False,
    )
    assert refused.returncode == 2 and "--assets-timeout" in refused.stderr
    process = subprocess.Popen(
        [*serve, *assets, "--assets-timeout", "7.5"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "images:" in line:
                break
        assert "(--assets-command, 7.5 s at most)" in lines[-1], "".join(lines)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=BOUND)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
