"""Scenarios: a YAML timeline of participant events, played through a layout.

```yaml
layout: speaker-strip.yaml        # optional (relative to this file); --layout overrides
roles: {host: "1001"}             # optional starting role bindings
names: {"1001": Ada Lovelace}     # optional: the names a styled layout writes
events:
  - {at: 0s, join: "1001", role: host}
  - {at: 5s, join: "1002", name: Grace Hopper}   # a join (or share) may give a name
  - {at: 20s, name: Rear Admiral Hopper, uid: "1002"}   # a new name, like `role:`
  - {at: 30s, share: "1003"}      # joins if needed and takes the role `screen`
  - {at: 45s, camera_off: "1002"}
  - {at: 50s, role: guest, uid: "1002"}
  - {at: 1m, leave: "1002"}
```
`play_scenario` gives the exact sequence of updateLayout payloads (a payload equal to the
previous one, with the same images, is not sent again; events at the same time are sent
as one, latest wins). A styled layout's images are drawn in memory (`InMemory`): the
steps' payloads leave them out and their compilations hold them, for the previews.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from layoutkit.compile.assets import preview_payload
from layoutkit.compile.compilation import InMemory
from layoutkit.compile.compiler import Compilation, compile_full
from layoutkit.compile.participants import check_name
from layoutkit.errors import (
    CompileError,
    Issue,
    LayoutkitError,
    LayoutSyntaxError,
    LayoutValidationError,
)
from layoutkit.layout.loader import MAX_FILE_BYTES, Layout, load_layout
from layoutkit.layout.template_context import command_budget
from layoutkit.layout.yaml import SourceMap, parse_yaml
from layoutkit.live.roster import EVENT_KINDS, Event, EventKind, Roster
from layoutkit.safefiles import read_limited
from layoutkit.wire.rules import check_uid

MAX_TIME = 24 * 3600.0  # a scenario spans at most a day
_TIME_RE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s?)?\s*$")
_KEYS = {"at", "uid", "role", *EVENT_KINDS}
_NAMED = ("join", "share")  # the events that may also give the person's name


@dataclass(frozen=True)
class TimedEvent:
    at: float
    event: Event
    line: int | None = None


@dataclass(frozen=True)
class Scenario:
    source: str
    events: list[TimedEvent]
    roles: dict[str, str]
    layout_path: Path | None = None
    names: dict[str, str] = field(default_factory=dict)  # uid -> name at the start


@dataclass(frozen=True)
class Step:
    """One updateLayout the scenario causes: when, why, what is sent, and for whom."""

    at: float
    events: tuple[str, ...]
    payload: dict[str, Any]
    compilation: Compilation
    video_off: frozenset[str]
    audio_only: frozenset[str]
    screens: frozenset[str] = frozenset()  # uids sharing a screen (previews draw slides)
    sent: bool = True  # False: only the picture changed (a video-off card), no updateLayout

    def to_json(self) -> dict[str, Any]:
        data = {"at": self.at, "events": list(self.events), "payload": self.payload}
        if not self.sent:
            data["sent"] = False
        return data


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


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file; every problem is reported at once, located."""
    source = str(path)
    raw = read_limited(path, MAX_FILE_BYTES, what="scenario")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LayoutSyntaxError("the scenario is not UTF-8 text", source=source) from None
    data, marks = parse_yaml(text, source)
    issues: list[Issue] = []

    def error(where: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
        issues.append(marks.issue("error", where, message, key=key, source=source))

    if not isinstance(data, dict):
        error(
            (),
            "a scenario is a mapping with `events:` (and optionally `layout:`, `roles:`, `names:`)",
        )
        raise LayoutValidationError(issues)
    for key in data:
        if key not in ("layout", "roles", "names", "events"):
            error(
                (key,),
                f"unknown key {key!r}; a scenario has layout, roles, names and events",
                key=True,
            )
    roles = _roles(data.get("roles"), error)
    names = _names(data.get("names"), error)
    events = _events(data.get("events"), marks, error)
    layout_path = None
    if isinstance(data.get("layout"), str):
        layout_path = (path.parent / data["layout"]).resolve()
    elif data.get("layout") is not None:
        error(("layout",), "layout is the path of a layout file")
    if issues:
        raise LayoutValidationError(issues)
    return Scenario(source, events, roles, layout_path, names)


def _roles(value: Any, error: Callable[..., None]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        error(("roles",), 'roles maps role names to uids, e.g. {host: "1001"}')
        return {}
    roles = {}
    for role, uid in value.items():
        if not str(uid).isdigit():
            error(("roles", role), f"{uid!r} is not a uid")
        roles[str(role)] = str(uid)
    return roles


def _names(value: Any, error: Callable[..., None]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        error(("names",), 'names maps uids to names, e.g. {"1001": Ada Lovelace}')
        return {}
    names = {}
    for uid, name in value.items():
        try:
            key, text = check_name(uid, name)
        except CompileError as exc:
            error(("names", uid), exc.message)
            continue
        names[key] = text
    return names


def _events(value: Any, marks: SourceMap, error: Callable[..., None]) -> list[TimedEvent]:
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
                    f"unknown key {key!r}; events are {', '.join(EVENT_KINDS)}",
                    key=True,
                )
        try:
            at = parse_time(item.get("at"))
        except ValueError as exc:
            error((*where, "at"), str(exc))
            continue
        if at < last:
            error(
                (*where, "at"),
                f"{item.get('at')} comes before the previous event "
                f"({last:g}s); keep events in time order",
            )
        last = max(last, at)
        kinds = [k for k in EVENT_KINDS if k in item and k not in ("role", "name")]
        kind: EventKind
        if len(kinds) > 1:
            error(where, f"one event per entry, not {' and '.join(kinds)}")
            continue
        if kinds:
            kind = kinds[0]
            uid = item[kind]
        elif "role" in item and "name" in item:
            error(where, "one event per entry: a role change or a name, not both")
            continue
        elif "role" in item or "name" in item:
            kind, uid = ("role" if "role" in item else "name"), item.get("uid")
            if uid is None:
                error(
                    where,
                    f"a {kind} change names its person with uid: "
                    + (
                        '{at: 30s, name: Grace Hopper, uid: "1002"}'
                        if kind == "name"
                        else '{at: 1m, role: speaker, uid: "1001"}'
                    ),
                )
                continue
        else:
            error(where, f"say what happens: one of {', '.join(EVENT_KINDS)}")
            continue
        try:
            uid = check_uid(uid)
        except ValueError:
            error(
                (*where, kind if kind not in ("role", "name") else "uid"), f"{uid!r} is not a uid"
            )
            continue
        role = item.get("role")
        name = None
        if "name" in item:
            if kind != "name" and kind not in _NAMED:
                error(
                    (*where, "name"),
                    f"a {kind} gives no name; give it on its own "
                    '({at: 5s, name: Ada Lovelace, uid: "1001"}) or with a join',
                )
                continue
            try:
                _, name = check_name(uid, item["name"])
            except CompileError as exc:
                error((*where, "name"), exc.message)
                continue
        mark = marks.find(where)
        events.append(
            TimedEvent(
                at,
                Event(kind, uid, str(role) if role is not None else None, name),
                mark.line if mark else None,
            )
        )
    return events


def scenario_layout(scenario: Scenario, layout: Layout | str | Path | None) -> Layout:
    """The layout to play: the one given, else the scenario's `layout:`."""
    if isinstance(layout, Layout):
        return layout
    if layout is not None:
        return load_layout(layout)
    if scenario.layout_path is None:
        raise LayoutSyntaxError(
            "the scenario names no layout; give one (--layout FILE)", source=scenario.source
        )
    return load_layout(scenario.layout_path)


def play_scenario(
    scenario: Scenario,
    layout: Layout,
    *,
    hide_camera_off: bool = False,
    hide_audio_only: bool = False,
) -> tuple[list[Step], list[str]]:
    """The updateLayout payloads the scenario causes, and warnings about its events."""
    with command_budget():
        return _play_scenario(
            scenario, layout, hide_camera_off=hide_camera_off, hide_audio_only=hide_audio_only
        )


def _play_scenario(
    scenario: Scenario,
    layout: Layout,
    *,
    hide_camera_off: bool = False,
    hide_audio_only: bool = False,
) -> tuple[list[Step], list[str]]:
    roster = Roster(roles=dict(scenario.roles), names=dict(scenario.names))
    steps: list[Step] = []
    warnings: list[str] = []
    # what is sent (payload, images) and who shows a video-off picture
    previous: tuple[tuple[dict[str, Any], tuple[str, ...]], frozenset[str]] | None = None
    sharing: set[str] = set()
    index = 0
    while index < len(scenario.events):
        at = scenario.events[index].at
        names: list[str] = []
        while index < len(scenario.events) and scenario.events[index].at == at:
            timed = scenario.events[index]
            problem = roster.apply(timed.event)
            if problem:
                warnings.append(f"{scenario.source}:{timed.line}: {problem}")
            else:
                names.append(str(timed.event))
                if timed.event.kind == "share":
                    sharing.add(timed.event.uid)
                elif timed.event.kind in ("unshare", "leave"):
                    sharing.discard(timed.event.uid)
            index += 1
        if not names:
            continue
        hidden = roster.hidden(hide_camera_off=hide_camera_off, hide_audio_only=hide_audio_only)
        try:
            compiled = compile_full(
                layout,
                list(roster.people),
                roster.roles,
                hidden=hidden,
                names=roster.names,
                assets=InMemory(),
            )
        except LayoutkitError as exc:
            warnings.append(
                f"at {at:g}s: cannot compile for {len(roster.people) - len(hidden)} "
                f"participants shown: {exc.message}"
            )
            continue
        if compiled.not_shown:
            warnings.append(
                f"at {at:g}s: not shown (no region left): {', '.join(compiled.not_shown)}"
            )
        payload = compiled.payload_json
        sent = payload, tuple(asset.name for asset in compiled.assets)
        carded = with_video_off_picture(compiled, roster.video_off())
        if (sent, carded) != previous:
            steps.append(
                Step(
                    at,
                    tuple(names),
                    payload,
                    compiled,
                    roster.video_off(),
                    roster.audio_only_uids(),
                    frozenset(sharing),
                    previous is None or sent != previous[0],
                )
            )
            previous = sent, carded
    return steps, warnings


def with_video_off_picture(compiled: Compilation, video_off: frozenset[str]) -> frozenset[str]:
    """Who of `video_off` Agora shows a picture for instead of their last frame (a card,
    a placeholder, the default image): when that set changes, the picture does too,
    though nothing is sent."""
    payload, _ = preview_payload(compiled)
    if payload.get("defaultUserBackgroundImage"):
        return video_off & set(compiled.shown)
    pictured = {entry.get("uid") for entry in payload.get("backgroundConfig") or []}
    return frozenset(uid for uid in video_off if uid in pictured)


def format_time(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


__all__ = [
    "Scenario",
    "Step",
    "TimedEvent",
    "format_time",
    "load_scenario",
    "parse_time",
    "play_scenario",
    "scenario_layout",
    "with_video_off_picture",
]
