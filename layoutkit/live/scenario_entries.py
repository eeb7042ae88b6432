"""A scenario's events: each entry of `events:` checked and turned into the roster's
events at a time, with located errors (see `live.scenario` for the format).

An entry is one event (`{at: 5s, join: "1002"}`, with a `role:` or `name:` where they
fit), a role change or a name with `uid:`, or the app's report of a person's camera and
microphone (`{at: 3s, uid: "1002", video: false, audio: true}`: camera_off/camera_on and
audio_off/audio_on events, in that order).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from layoutkit.compile.compiler import check_name
from layoutkit.errors import CompileError
from layoutkit.layout.yaml import SourceMap
from layoutkit.live.roster import EVENT_KINDS, Event, EventKind
from layoutkit.wire.rules import check_uid

MAX_TIME = 24 * 3600.0  # a scenario spans at most a day
_TIME_RE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s?)?\s*$")
_MEDIA_KEYS: dict[str, tuple[EventKind, EventKind]] = {  # key -> (on, off)
    "video": ("camera_on", "camera_off"),
    "audio": ("audio_on", "audio_off"),
}
_KEYS = {"at", "uid", "role", *_MEDIA_KEYS, *EVENT_KINDS}
_NAMED = ("join", "share")  # the events that may also give the person's name
_MEDIA_EXAMPLE = '{at: 3s, uid: "1002", video: false}'


@dataclass(frozen=True)
class TimedEvent:
    """An event of the scenario: at `at` seconds, from `line` of its file."""

    at: float
    event: Event
    line: int | None = None


def parse_time(value: object) -> float:
    """`30`, `"30s"`, `"1m"`, `"1m30s"`, `"1.5s"` -> seconds (0 to MAX_TIME)."""
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value) if abs(value) < 1e300 else math.inf
    elif isinstance(value, str) and value.strip():
        match = _TIME_RE.match(value)
        if match and (match.group(1) or match.group(2)):
            seconds = float(match.group(1) or 0) * 60 + float(match.group(2) or 0)
    if seconds is None:
        raise ValueError(f'{str(value)[:40]!r} is not a time; write seconds (30, "30s") or "1m30s"')
    if not 0 <= seconds <= MAX_TIME:  # also refuses nan and inf
        raise ValueError(
            f"{str(value)[:40]} is not a time from 0 to {MAX_TIME / 3600:g} hours; "
            'write seconds (30, "30s") or "1m30s"'
        )
    return seconds


def parse_events(value: Any, marks: SourceMap, error: Callable[..., None]) -> list[TimedEvent]:
    """The entries of a scenario's `events:`, in order; each problem goes to `error(where,
    message, key=...)`, located by `where` in `marks`, and its entry is left out."""
    if not isinstance(value, list) or not value:
        error(("events",), 'events is a list of `- {at: 0s, join: "1001"}` entries')
        return []
    events: list[TimedEvent] = []
    last = 0.0
    for index, item in enumerate(value):
        where: tuple[str | int, ...] = ("events", index)
        if not isinstance(item, dict):
            error(where, 'an event is a mapping like {at: 5s, join: "1002"}')
            continue
        for key in item:
            if key not in _KEYS:
                error(
                    (*where, key),
                    f"unknown key {key!r}; events are {', '.join(EVENT_KINDS)}, and "
                    f"video/audio with uid ({_MEDIA_EXAMPLE})",
                    key=True,
                )
        at = _at(item, where, last, error)
        if at is None:
            continue
        last = max(last, at)
        found = _entry(item, where, error)
        mark = marks.find(where)
        events.extend(TimedEvent(at, event, mark.line if mark else None) for event in found)
    return events


def _at(
    item: dict[str, Any], where: tuple[str | int, ...], last: float, error: Callable[..., None]
) -> float | None:
    """The entry's time (an error for one before the previous entry's); None if none."""
    try:
        at = parse_time(item.get("at"))
    except ValueError as exc:
        error((*where, "at"), str(exc))
        return None
    if at < last:
        error(
            (*where, "at"),
            f"{item.get('at')} comes before the previous event "
            f"({last:g}s); keep events in time order",
        )
    return at


def _entry(
    item: dict[str, Any], where: tuple[str | int, ...], error: Callable[..., None]
) -> list[Event]:
    """The events of one entry (one, or two for `video:` with `audio:`); [] after an
    error."""
    kinds = [k for k in EVENT_KINDS if k in item and k not in ("role", "name")]
    if len(kinds) > 1:
        error(where, f"one event per entry, not {' and '.join(kinds)}")
        return []
    if any(key in item for key in _MEDIA_KEYS):
        return _media(item, where, kinds, error)
    kind: EventKind
    if kinds:
        kind, uid = kinds[0], item[kinds[0]]
    elif "role" in item and "name" in item:
        error(where, "one event per entry: a role change or a name, not both")
        return []
    elif "role" in item or "name" in item:
        kind, uid = ("role" if "role" in item else "name"), item.get("uid")
        if uid is None:
            example = (
                '{at: 30s, name: Grace Hopper, uid: "1002"}'
                if kind == "name"
                else '{at: 1m, role: speaker, uid: "1001"}'
            )
            error(where, f"a {kind} change names its person with uid: {example}")
            return []
    else:
        error(where, f"say what happens: one of {', '.join(EVENT_KINDS)}, video or audio")
        return []
    try:
        uid = check_uid(uid)
    except ValueError:
        error((*where, kind if kind not in ("role", "name") else "uid"), f"{uid!r} is not a uid")
        return []
    role = item.get("role")
    named, name = _event_name(item, where, kind, uid, error)
    if not named:
        return []
    return [Event(kind, uid, str(role) if role is not None else None, name)]


def _event_name(
    item: dict[str, Any],
    where: tuple[str | int, ...],
    kind: EventKind,
    uid: str,
    error: Callable[..., None],
) -> tuple[bool, str | None]:
    """Whether the entry's name (if any) is right, and the name it gives (None: none)."""
    if "name" not in item:
        return True, None
    if kind != "name" and kind not in _NAMED:
        error(
            (*where, "name"),
            f"a {kind} gives no name; give it on its own "
            '({at: 5s, name: Ada Lovelace, uid: "1001"}) or with a join',
        )
        return False, None
    try:
        _, name = check_name(uid, item["name"])
    except CompileError as exc:
        error((*where, "name"), exc.message)
        return False, None
    return True, name


def _media(
    item: dict[str, Any],
    where: tuple[str | int, ...],
    kinds: list[EventKind],
    error: Callable[..., None],
) -> list[Event]:
    """`{uid: ..., video: BOOL, audio: BOOL}`: the app's report of a camera and a
    microphone, as camera_on/camera_off and audio_on/audio_off events."""
    others = [*kinds, *(key for key in ("role", "name") if key in item)]
    if others:
        error(
            where,
            f"video: and audio: report a person's camera and microphone in an entry of "
            f"their own, with uid: (not with {others[0]}): {_MEDIA_EXAMPLE}",
        )
        return []
    if item.get("uid") is None:
        error(where, f"a camera or microphone report names its person with uid: {_MEDIA_EXAMPLE}")
        return []
    try:
        uid = check_uid(item["uid"])
    except ValueError:
        error((*where, "uid"), f"{item['uid']!r} is not a uid")
        return []
    events: list[Event] = []
    for key, (on, off) in _MEDIA_KEYS.items():
        if key not in item:
            continue
        value = item[key]
        if not isinstance(value, bool):
            error((*where, key), f"{key} is true (on) or false (off), not {str(value)[:40]!r}")
            return []
        events.append(Event(on if value else off, uid))
    return events


__all__ = ["MAX_TIME", "TimedEvent", "parse_events", "parse_time"]
