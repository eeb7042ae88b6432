"""Shared fixtures: example layouts written to a temporary folder; Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from client_helpers import client_of
from hypothesis import settings

from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

# CI explores the same examples on every run (a red CI always means a change broke
# something); runs elsewhere keep drawing new ones, which is how problems are found.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def write_layout(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text to tmp_path/NAME and return the path."""

    def write(text: str, name: str = "layout.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def clock() -> ManualClock:
    """A clock that moves only when the test says so."""
    return ManualClock()


@pytest.fixture
def emulator(clock: ManualClock) -> Iterator[EmulatorServer]:
    """An emulator on the manual `clock` (the plugin's `agora_emulator` runs on real time)."""
    with EmulatorServer(
        app_ids=(APP_ID,), customer_id=CUSTOMER_ID, customer_secret=CUSTOMER_SECRET, clock=clock
    ) as server:
        yield server


@pytest.fixture
def unpaced_emulator(clock: ManualClock) -> Iterator[EmulatorServer]:
    """An emulator on the manual `clock` without the 10-per-second limit (its window would
    never pass on a clock that only moves when told; tests send many requests)."""
    with EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        clock=clock,
        rate_limit=None,
    ) as server:
        yield server


def fast_client(emulator: EmulatorServer, attempts: int = 2) -> CloudRecordingClient:
    """A client of `emulator` with short retry delays and no pacing of its own, for
    emulators started without the 10-per-second limit (`client_helpers.client_of`, two
    attempts by default)."""
    return client_of(emulator, attempts)
