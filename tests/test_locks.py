"""Locks. The state for a roster is a pure function of the roster; the director's own
thread compiles it, so `status`, `flush` and other events never wait for a compile, and
events that come during a compile end in one push of the latest roster.
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
from layoutkit.emulator.state import EmulatorState, RequestLog
from layoutkit.httpd import Request, Response
from layoutkit.live.director import Director, RosterState, state_for
from layoutkit.live.roster import Event, Roster
from layoutkit.pytest_plugin import APP_ID

GRID = parse_layout("canvas: 640x360\nregions:\n  - grid: {rows: 3, columns: 3}\n")


def in_thread(work: Any, *args: Any) -> threading.Thread:
    thread = threading.Thread(target=work, args=args, daemon=True)
    thread.start()
    return thread


# --- the director: the state for a roster ------------------------------------------------


def roster_after(events: Sequence[tuple[str, int]]) -> RosterState:
    roster = Roster()
    for kind, uid in events:
        roster.apply(Event(kind, str(uid)))  # type: ignore[arg-type]
    return RosterState(list(roster.people), dict(roster.roles), frozenset(), {})


def test_the_state_for_a_roster_depends_on_the_final_roster_only() -> None:
    layout = parse_layout("canvas: 640x360\nregions:\n  - grid: {rows: 3, columns: 3}\n")
    rng = random.Random(3)
    for _ in range(20):
        events = [(rng.choice(("join", "leave")), rng.randint(1, 6)) for _ in range(30)]
        roster = roster_after(events)
        want = compile_layout(layout, roster.people).to_wire()
        assert state_for(layout, roster).payload_json == want
        again = roster_after([("join", int(uid)) for uid in roster.people])
        assert state_for(layout, again).payload_json == want  # however it got there


def test_the_state_for_a_roster_leaves_the_hidden_out_by_explicit_uids() -> None:
    layout = parse_layout("canvas: 640x360\nregions:\n  - grid: {rows: 2, columns: 2}\n")
    roster = RosterState(["1", "2", "3"], {}, frozenset({"2"}), {})
    shown = [r["uid"] for r in state_for(layout, roster).payload_json["layoutConfig"]]
    assert shown == ["1", "3"]


# --- the director: its thread ---------------------------------------------------------------


def test_events_return_at_once_while_the_worker_compiles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = Target()
    inside, release = threading.Event(), threading.Event()

    def before(people: list[str]) -> None:
        if len(people) == 3:
            inside.set()
            assert release.wait(10)

    with Director(target, GRID) as director:
        director.join(1)
        director.join(2)
        assert director.flush(timeout=10)
        spy_compiles(monkeypatch, before)
        director.join(3)  # the worker compiles; the event is applied at once
        assert inside.wait(10)
        # none of these waits for the compile: the state for 1 and 2 is on air
        assert (director.status, director.flush(timeout=0.01)) == ("pending", False)
        assert director.participants == ["1", "2", "3"]
        assert director.acknowledged == compile_layout(GRID, ["1", "2"]).to_wire()
        release.set()
        assert director.flush(timeout=10)
        assert director.acknowledged == compile_layout(GRID, ["1", "2", "3"]).to_wire()
        assert target.sent[-1] == director.acknowledged


def test_events_during_a_compile_end_in_one_push_of_the_latest_roster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = Target()
    inside, release = threading.Event(), threading.Event()
    compiled: list[list[str]] = []

    def before(people: list[str]) -> None:
        compiled.append(people)
        if people == ["1", "2", "3"]:
            inside.set()
            assert release.wait(10)

    with Director(target, GRID) as director:
        director.join(1)
        director.join(2)
        assert director.flush(timeout=10)
        spy_compiles(monkeypatch, before)
        director.join(3)  # its compile is held
        assert inside.wait(10)
        director.join(4)
        director.join(6)
        director.leave(6)
        release.set()
        assert director.flush(timeout=10)
        assert director.acknowledged == compile_layout(GRID, ["1", "2", "3", "4"]).to_wire()
    assert compile_layout(GRID, ["1", "2", "3"]).to_wire() not in target.sent  # superseded
    assert compiled == [["1", "2", "3"], ["1", "2", "3", "4"]]  # never once per event


def test_a_latest_roster_that_cannot_compile_keeps_the_state_on_air() -> None:
    layout = parse_layout(
        "canvas: 640x360\nregions:\n  - grid: {rows: 3, columns: 3}\n"
        "{% if count == 5 %}\nbogus: 1\n{% endif %}\n"
    )
    target = Target()
    with Director(target, layout) as director:
        for uid in (1, 2, 3, 4):
            director.join(uid)
        assert director.flush(timeout=10)
        director.join(5)  # five people cannot be compiled: no new state
        assert director.flush(timeout=10)
        assert director.last_error is not None
        assert "cannot compile the layout for 5 participants" in director.last_error
        assert director.acknowledged == compile_layout(layout, ["1", "2", "3", "4"]).to_wire()
        director.leave(1)
        assert director.flush(timeout=10) and director.last_error is None
        assert director.acknowledged == compile_layout(layout, ["2", "3", "4", "5"]).to_wire()


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
        final = compile_layout(layout, director.participants).to_wire()
        assert director.acknowledged == final and target.sent[-1] == final
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
