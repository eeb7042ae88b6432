"""Locks. The director compiles outside its lock: `status`, `flush` and other events never
wait for a compile, and the latest event's state always wins over a slower, older compile.
The emulator's control API reads shared state only under the state's lock, and draws the
composite outside it."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from director_helpers import Target, spy_compiles

import layoutkit.render
from layoutkit import compile_layout, parse_layout
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer, control
from layoutkit.emulator.http import Request, Response
from layoutkit.emulator.state import EmulatorState, RequestLog
from layoutkit.live.director import Director
from layoutkit.pytest_plugin import APP_ID

# A compile is held up by the test itself (spy_compiles, waiting on an event), never by
# a slow template, so no test depends on how fast the machine is. For five people the
# layout has an unknown key, so it cannot be compiled. A Layout keeps what it rendered for a
# participant set, so each test takes a new one.
LAYOUT = """
canvas: 1280x720
regions:
  - grid: {rows: 3, columns: 3, gap: 4px}
{% if count == 5 %}
bogus: 1
{% endif %}
"""


def expected(people: Sequence[str]) -> dict[str, object]:
    return compile_layout(parse_layout(LAYOUT), list(people)).to_wire()


def in_thread(work: Any, *args: Any) -> threading.Thread:
    thread = threading.Thread(target=work, args=args, daemon=True)
    thread.start()
    return thread


# --- the director -------------------------------------------------------------------------


def test_status_and_flush_answer_while_another_thread_compiles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = Target()
    with Director(target, parse_layout(LAYOUT)) as director:
        director.join(1)
        director.join(2)
        assert director.flush(timeout=10)
        inside, release, done_at = threading.Event(), threading.Event(), []

        def before(people: list[str]) -> None:
            if len(people) == 3:
                inside.set()
                assert release.wait(10)

        def after(people: list[str]) -> None:
            if len(people) == 3:
                done_at.append(time.monotonic())

        spy_compiles(monkeypatch, before, after)
        joining = in_thread(lambda: director.join(3))
        assert inside.wait(10)
        status = director.status  # none of these waits for the compile
        flushed = director.flush(timeout=0.01)
        people = director.participants
        answered_at = time.monotonic()
        still_compiling = joining.is_alive()
        release.set()
        joining.join(10)
        assert done_at and answered_at < done_at[0]
        assert still_compiling
        # the state for 1 and 2 is on air; 3's is being compiled: pending, not flushed
        assert (status, flushed) == ("pending", False)
        assert people == ["1", "2", "3"]  # the event itself is applied at once
        assert director.flush(timeout=10)
        assert director.acknowledged == expected(["1", "2", "3"])
        assert target.sent[-1] == expected(["1", "2", "3"])


def test_a_slow_compile_never_overwrites_the_state_of_a_later_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = Target()
    inside, release = threading.Event(), threading.Event()

    def before(people: list[str]) -> None:
        if people == ["1", "2", "3"]:
            inside.set()
            assert release.wait(10)

    with Director(target, parse_layout(LAYOUT)) as director:
        director.join(1)
        director.join(2)
        assert director.flush(timeout=10)
        spy_compiles(monkeypatch, before)
        older = in_thread(lambda: director.join(3))  # held inside its compile
        assert inside.wait(10)
        director.join(4)  # compiles for 1, 2, 3, 4 meanwhile, and is installed
        assert director.flush(timeout=10)
        assert director.acknowledged == expected(["1", "2", "3", "4"])
        release.set()  # the compile for 1, 2, 3 ends now: it is too late to count
        older.join(10)
        assert not older.is_alive()
        assert director.flush(timeout=10)
        assert director.status == "applied"
        assert director.acknowledged == expected(["1", "2", "3", "4"])
    assert target.sent[-1] == expected(["1", "2", "3", "4"])
    assert expected(["1", "2", "3"]) not in target.sent


def test_when_the_latest_event_cannot_compile_a_slower_earlier_one_still_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As if the events had been handled one after the other: the state of the last event
    that compiles."""
    target = Target()
    inside, release = threading.Event(), threading.Event()

    def before(people: list[str]) -> None:
        if people == ["1", "2", "3", "4"]:
            inside.set()
            assert release.wait(10)

    with Director(target, parse_layout(LAYOUT)) as director:
        for uid in (1, 2, 3):
            director.join(uid)
        assert director.flush(timeout=10)
        spy_compiles(monkeypatch, before)
        older = in_thread(lambda: director.join(4))
        assert inside.wait(10)
        director.join(5)  # five people cannot be compiled: a warning, no new state
        assert any("cannot compile the layout for 5 participants" in w for w in director.warnings)
        release.set()
        older.join(10)
        assert director.flush(timeout=10)
        assert director.acknowledged == expected(["1", "2", "3", "4"])
        assert director.participants == ["1", "2", "3", "4", "5"]


def test_threads_sending_events_at_once_end_on_the_state_of_the_final_roster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(7)
    pauses = deque(rng.uniform(0, 0.004) for _ in range(10_000))
    spy_compiles(monkeypatch, after=lambda people: time.sleep(pauses.popleft()))
    layout = parse_layout("canvas: 640x360\nregions:\n  - grid: {rows: 4, columns: 4}\n")
    target = Target()

    def events(director: Director, first: int) -> None:
        mine = [str(first + n) for n in range(3)]
        for turn in range(40):
            uid = mine[turn % 3]
            if uid in director.participants:
                director.leave(uid)
            else:
                director.join(uid)

    with Director(target, layout) as director:
        threads = [in_thread(events, director, first) for first in (10, 20, 30, 40)]
        for thread in threads:
            thread.join(30)
        assert director.flush(timeout=30)
        assert director.acknowledged == director.desired_for_roster()
        assert target.sent[-1] == director.desired_for_roster()
        assert director.warnings == []


# --- the emulator's control API -----------------------------------------------------------


def _owned(lock: Any) -> bool:
    """Whether this thread holds `lock` (an RLock)."""
    return bool(lock._is_owned())


class GuardedDict(dict[Any, Any]):
    """A dict that fails a test when it is read without `lock` held."""

    lock: Any = None

    def _check(self) -> None:
        assert _owned(self.lock), "shared state read without the state's lock"

    def __getitem__(self, key: Any) -> Any:
        self._check()
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[Any]:
        self._check()
        return super().__iter__()

    def __len__(self) -> int:
        self._check()
        return super().__len__()

    def get(self, key: Any, default: Any = None) -> Any:
        self._check()
        return super().get(key, default)

    def values(self) -> Any:
        self._check()
        return super().values()

    def items(self) -> Any:
        self._check()
        return super().items()

    def keys(self) -> Any:
        self._check()
        return super().keys()


class GuardedList(list[Any]):
    lock: Any = None

    def __iter__(self) -> Iterator[Any]:
        assert _owned(self.lock), "shared state read without the state's lock"
        return super().__iter__()

    def __len__(self) -> int:
        assert _owned(self.lock), "shared state read without the state's lock"
        return super().__len__()


class GuardedLog(RequestLog):
    lock: Any = None

    def __iter__(self) -> Iterator[Any]:
        assert _owned(self.lock), "shared state read without the state's lock"
        return super().__iter__()

    def __len__(self) -> int:
        assert _owned(self.lock), "shared state read without the state's lock"
        return super().__len__()


class GuardedDeque(deque[Any]):
    lock: Any = None

    def __iter__(self) -> Iterator[Any]:
        assert _owned(self.lock), "shared state read without the state's lock"
        return super().__iter__()

    def __len__(self) -> int:
        assert _owned(self.lock), "shared state read without the state's lock"
        return super().__len__()


def guard(state: EmulatorState) -> None:
    """Swap the state's containers for ones that fail when read without its lock."""

    def guarded(kind: Any, value: Any) -> Any:
        copy = kind(value)
        copy.lock = state.lock
        return copy

    with state.lock:
        for recording in state.recordings.values():
            recording.history = guarded(GuardedList, recording.history)
        for channel in state.channels.values():
            channel.participants = guarded(GuardedList, channel.participants)
        state.recordings = guarded(GuardedDict, state.recordings)
        state.channels = guarded(GuardedDict, state.channels)
        log = GuardedLog(state.requests, maxlen=state.requests.maxlen)
        log.lock = state.lock
        state.requests = log
        state.faults = guarded(GuardedDeque, state.faults)


def call(state: EmulatorState, method: str, route: str, body: Any = None, **params: str) -> Any:
    data = b"" if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json"} if body is not None else {}
    response = control.handle(state, Request(method, "/_emulator/", headers, data, params), route)
    assert isinstance(response, Response)
    assert response.status == 200, response.body
    return response.body if response.content_type == "image/png" else json.loads(response.body)


def test_the_control_api_reads_shared_state_only_under_the_lock(
    agora_emulator: EmulatorServer,
    agora_client: CloudRecordingClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agora_emulator.join("room", 1)
    agora_emulator.join("room", 2)
    recording = agora_client.record("room", 99)
    recording.update_layout({"mixedVideoLayout": 1})
    state = agora_emulator.state
    drawn_locked: list[bool] = []
    render = layoutkit.render.render_canvas

    def render_canvas(*args: Any, **kwargs: Any) -> Any:
        drawn_locked.append(_owned(state.lock))
        return render(*args, **kwargs)

    monkeypatch.setattr(layoutkit.render, "render_canvas", render_canvas)
    guard(state)  # from here on, only calls that take the lock themselves
    room = {"app": APP_ID, "cname": "room"}
    everything = call(state, "GET", "state")
    assert [r["sid"] for r in everything["recordings"]] == [recording.sid]
    assert everything["channels"][0]["participants"] == ["1", "2"]
    assert len(call(state, "GET", "recordings")) == 1
    one = call(state, "GET", "recording", sid=recording.sid)
    assert [c["layout"] for c in one["history"]][-1] == {"mixedVideoLayout": 1}
    assert [p["uid"] for p in one["people"]] == ["1", "2"]
    assert len(one["picture"]) == 2
    assert call(state, "GET", "requests")[-1]["endpoint"] == "updateLayout"
    assert call(state, "POST", "join", {"uid": 3}, **room)["participants"][-1]["uid"] == "3"
    assert call(state, "POST", "participant", {"media": "video_off"}, uid="3", **room)
    assert call(state, "DELETE", "leave", uid="3", **room) == {"participants": ["1", "2"]}
    assert call(state, "POST", "faults", {"kind": "answer", "status": 503, "code": 0}) == {
        "faults": 1
    }
    assert call(state, "POST", "faults", {"kind": "outage", "seconds": 1})["faults"] == 1
    assert call(state, "DELETE", "faults") == {"faults": []}
    assert call(state, "GET", "composite", sid=recording.sid)[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawn_locked == [False]  # the composite is drawn outside the lock
