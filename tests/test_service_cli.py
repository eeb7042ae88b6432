"""`layoutkit serve` as a real process: it says where it listens, answers /healthz, stops
cleanly on SIGTERM, resumes from --db, and refuses bad set-ups with a message that names
what to fix (never a traceback)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    attach,
    nothing_pending,
    picture,
    record,
    status_when,
    wait_until,
)
from service_helpers import (
    quiet_emulator as quiet_emulator,
)

from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

# `python -m layoutkit` has no __main__ module; this is what the console script runs
LAYOUTKIT = [sys.executable, "-c", "from layoutkit.cli import main; main()"]
URL = re.compile(r"layoutkit director service on (http://127\.0\.0\.1:(\d+))")
SECRETS = (NOTIFY_SECRET, CUSTOMER_SECRET)


def environment(**extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AGORA_NOTIFICATIONS_SECRET": NOTIFY_SECRET,
        "AGORA_APP_ID": APP_ID,
        "AGORA_CUSTOMER_ID": CUSTOMER_ID,
        "AGORA_CUSTOMER_SECRET": CUSTOMER_SECRET,
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v}


class Serving:
    """`layoutkit serve` in a child process, its stderr read by a thread."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [*LAYOUTKIT, "serve", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env or environment(),
        )
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._lock:
                self.lines.append(line)

    @property
    def stderr(self) -> str:
        with self._lock:
            return "".join(self.lines)

    def url(self) -> str:
        """The URL it printed (waiting for the line that says where it listens)."""
        found = wait_until(
            lambda: URL.search(self.stderr) or self.process.poll() is not None,
            what="the service's URL on stderr",
        )
        assert isinstance(found, re.Match), self.stderr
        assert int(found[2]) > 0
        wait_until(lambda: "recordings resumed" in self.stderr, what="the whole announcement")
        return found[1]

    def terminate(self, timeout: float = 15.0) -> int:
        """SIGTERM, then its exit status (its stderr read to the end)."""
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return status

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`layoutkit serve ARGS` expected to refuse at once."""
    return subprocess.run(
        [*LAYOUTKIT, "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        env=env or environment(),
        timeout=30,
        check=False,
    )


def clean(output: str) -> None:
    assert "Traceback" not in output
    for secret in SECRETS:
        assert secret not in output


def test_serve_prints_its_url_answers_and_stops_on_sigterm(emulator: EmulatorServer) -> None:
    serving = Serving("--base-url", emulator.url)
    try:
        url = serving.url()
        health = requests.get(f"{url}/healthz", timeout=5)
        assert health.status_code == 200
        assert health.json() == {
            "ok": True,
            "recordings": 0,
            "channels": 0,
            "notifications": dict.fromkeys(
                ("kept", "refused", "unusable", "ignored", "stale", "unkept"), 0
            ),
            "user_lists_read": 0,
        }
        assert f"POST {url}/agora/notifications" in serving.stderr
        assert "0 recordings resumed" in serving.stderr
        assert requests.get(f"{url}/recordings", timeout=5).json() == {"recordings": []}
        started = time.monotonic()
        assert serving.terminate() == 0
        assert time.monotonic() - started < 10
        assert "stopped" in serving.stderr
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/healthz", timeout=2)
        clean(serving.stderr)
    finally:
        serving.kill()


def test_a_recording_attached_before_sigterm_is_resumed(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "svc.db"
    emulator.join("room", 11)
    emulator.join("room", 12)
    recording = record(emulator, "room")
    first = Serving("--base-url", emulator.url, "--db", str(db))
    try:
        url = first.url()
        attach(url, recording)
        wait_until(lambda: picture(emulator, recording.sid) == ["11", "12"], what="the picture")
        busy = run("--base-url", emulator.url, "--db", str(db))  # one process per file
        assert busy.returncode == 1, busy.stderr
        assert str(db) in busy.stderr and "another" in busy.stderr
        clean(busy.stderr + busy.stdout)
        assert first.terminate() == 0
        assert "stopped" in first.stderr
    finally:
        first.kill()
    emulator.join("room", 13)  # while nobody directs it
    second = Serving("--base-url", emulator.url, "--db", str(db))
    try:
        url = second.url()
        assert "1 recordings resumed" in second.stderr
        status = status_when(url, recording.sid, nothing_pending, what="the layout")
        assert status["participants"] == ["11", "12", "13"]  # from Agora's user list
        assert picture(emulator, recording.sid) == ["11", "12", "13"]
        assert second.terminate() == 0
        clean(first.stderr + second.stderr)
    finally:
        second.kill()


def test_the_notifications_secret_is_required() -> None:
    done = run(env=environment(AGORA_NOTIFICATIONS_SECRET=""))
    assert done.returncode == 2, done.stderr
    assert "AGORA_NOTIFICATIONS_SECRET" in done.stderr
    clean(done.stderr + done.stdout)


def test_listening_beyond_loopback_needs_the_token(emulator: EmulatorServer) -> None:
    done = run("--host", "0.0.0.0", "--base-url", emulator.url)
    assert done.returncode == 1, done.stderr
    assert "LAYOUTKIT_SERVICE_TOKEN" in done.stderr and "0.0.0.0" in done.stderr
    clean(done.stderr + done.stdout)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            'auto_record:\n  - channels: "a-*"\n    preset: grid-3x3\n    uid: "abc"\n'
            "    request: {storageConfig: {vendor: 1}}\n",
            ["auto_record[0].uid", "abc"],
        ),
        (
            'auto_record:\n  - channels: "a-*"\n    preset: grid-3x3\n    uid: "9"\n'
            "    request: {storageConfig: {vendor: 1, region: 0, bucket: b, accessKey: a,"
            " secretKey: s}}\n"
            '  - channels: "b-*"\n    presets: solo\n    uid: "9"\n    request: {}\n',
            ["auto_record[1].presets", "unknown field"],
        ),
        (
            'auto_record:\n  - channels: "a-*"\n    preset: solo\n    uid: "9"\n',
            ["auto_record[0].request", "storageConfig"],
        ),
        ("auto_record: [\n", [":2:1"]),
        ("record_all: true\n", ["auto_record"]),
    ],
)
def test_a_bad_config_file_is_refused_naming_the_field(
    emulator: EmulatorServer, tmp_path: Path, text: str, words: list[str]
) -> None:
    config = tmp_path / "service.yaml"
    config.write_text(text, encoding="utf-8")
    done = run("--config", str(config), "--base-url", emulator.url)
    assert done.returncode == 1, done.stderr
    assert str(config) in done.stderr
    for word in words:
        assert word in done.stderr
    clean(done.stderr + done.stdout)


def test_a_config_file_that_is_missing_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    done = run("--config", str(missing))
    assert done.returncode == 1, done.stderr
    assert str(missing) in done.stderr
    clean(done.stderr + done.stdout)
