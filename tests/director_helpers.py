"""What the Director tests share: a layout target that keeps what it is sent, a spy on
the director's compiles, and a running recording of the emulator to direct."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import pytest

from layoutkit.client import CloudRecordingClient, Recording
from layoutkit.compile.compiler import Compilation, compile_full
from layoutkit.emulator import EmulatorServer
from layoutkit.layout.loader import Layout
from layoutkit.live import director as director_module

Spy = Callable[[list[str]], object]


class Target:
    """A recording that takes every layout, from any thread (what it took, in order)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def update_layout(self, layout: Mapping[str, Any]) -> object:
        with self._lock:
            self.sent.append(dict(layout))
        return None


def spy_compiles(
    monkeypatch: pytest.MonkeyPatch, before: Spy | None = None, after: Spy | None = None
) -> None:
    """Call `before(people)` before each of the director's compiles (what it raises is the
    compile's exception) and `after(people)` once it is done; `people` are the
    participants compiled for, as strings."""

    def spy(
        layout: Layout,
        participants: Sequence[str | int] | None = None,
        roles: Mapping[str, str | int] | None = None,
        *,
        hidden: Collection[str | int] | None = None,
        **style: Any,
    ) -> Compilation:
        people = [str(p) for p in participants or []]
        if before is not None:
            before(people)
        try:
            return compile_full(layout, participants, roles, hidden=hidden, **style)
        finally:
            if after is not None:
                after(people)

    monkeypatch.setattr(director_module, "compile_full", spy)


def start_recording(emulator: EmulatorServer, client: CloudRecordingClient) -> Recording:
    """A mix recording of uid 99 in "room", where uid 1 has joined."""
    emulator.join("room", 1)
    return client.record("room", 99)


__all__ = ["Spy", "Target", "spy_compiles", "start_recording"]
