"""Scenarios: a YAML timeline of participant events played through a layout, giving the
exact sequence of updateLayout payloads (events at the same time are one step; a payload
equal to the previous one, with the same images, is not sent again). The format is in
docs/live.md:

```yaml
layout: speaker-strip.yaml        # optional (relative to this file); --layout overrides
roles: {host: "1001"}             # optional starting role bindings
names: {"1001": Ada Lovelace}     # optional: the names a styled layout writes
events:
  - {at: 0s, join: "1001", role: host}
  - {at: 5s, join: "1002", name: Grace Hopper}
  - {at: 46s, uid: "1002", video: false, audio: true}   # what the app reports
  - {at: 55s, speaker: "1001"}    # the active speaker, followed with hysteresis
  - {at: 1m, leave: "1002"}
```
A styled layout's images are drawn in memory: the steps' payloads leave them out and
their compilations hold them, for the previews."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from layoutkit.compile.compiler import Compilation, InMemory, check_name, compile_full
from layoutkit.compile.style import preview_payload
from layoutkit.errors import (
    CompileError,
    Issue,
    LayoutkitError,
    LayoutSyntaxError,
    LayoutValidationError,
)
from layoutkit.layout.loader import MAX_FILE_BYTES, Layout, load_layout
from layoutkit.layout.roles import known_roles
from layoutkit.layout.templating import command_budget
from layoutkit.layout.yaml import SourceMap, parse_yaml
from layoutkit.live.roster import (
    DEFAULT_HOLD,
    DEFAULT_INTERVAL,
    EVENT_KINDS,
    MEDIA_KINDS,
    SPEAKER_ROLE,
    Event,
    EventKind,
    Roster,
    SpeakerFollower,
)
from layoutkit.safefiles import read_limited
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
    """The entries of `events:`, in order; each problem goes to `error(where, message,
    key=...)`, and its entry is left out."""
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
    """`{uid: ..., video: BOOL, audio: BOOL}`: camera_on/off and audio_on/off events."""
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


def load_scenario(path: Path) -> Scenario:
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
    events = parse_events(data.get("events"), marks, error)
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


def scenario_layout(scenario: Scenario, layout: Layout | str | Path | None) -> Layout:
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
    speaker_hold: float = DEFAULT_HOLD,
    speaker_interval: float = DEFAULT_INTERVAL,
) -> tuple[list[Step], list[str]]:
    """The updateLayout payloads the scenario causes, and warnings about its events."""
    player = _Player(
        scenario,
        layout,
        (hide_camera_off, hide_audio_only),
        SpeakerFollower(speaker_hold, speaker_interval, scenario.roles.get(SPEAKER_ROLE)),
    )
    with command_budget():
        player.play()
    return player.steps, player.warnings


@dataclass
class _Player:
    scenario: Scenario
    layout: Layout
    hide: tuple[bool, bool]  # hide_camera_off, hide_audio_only
    speaker: SpeakerFollower
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # what is sent (payload, images) and who shows a video-off picture
    previous: tuple[tuple[dict[str, Any], tuple[str, ...]], frozenset[str]] | None = None
    sharing: set[str] = field(default_factory=set)
    told_no_speaker: bool = False

    def __post_init__(self) -> None:
        self.follows_speaker = SPEAKER_ROLE in known_roles(self.layout)
        self.roster = Roster(roles=dict(self.scenario.roles), names=dict(self.scenario.names))

    def play(self) -> None:
        """Every moment in time order: the events' and the speaker role's moves."""
        events, index = self.scenario.events, 0
        while True:
            self.speaker.holder = self.roster.roles.get(SPEAKER_ROLE)
            check = self.speaker.next_check()
            at = events[index].at if index < len(events) else None
            if check is not None and (at is None or check < at):
                self.moment(check, self.speaker_move(check))
                continue
            if at is None:
                return
            names: list[str] = []
            while index < len(events) and events[index].at == at:
                names.extend(self.apply(events[index]))
                index += 1
            self.speaker.holder = self.roster.roles.get(SPEAKER_ROLE)
            self.moment(at, names + self.speaker_move(at))

    def apply(self, timed: TimedEvent) -> list[str]:
        event = timed.event
        if event.kind == "speaker":
            self.report_speaker(timed)
            return []
        problem = self.roster.apply(event)
        if problem:
            self.warnings.append(f"{self.scenario.source}:{timed.line}: {problem}")
            return []
        if event.kind == "share":
            self.sharing.add(event.uid)
        elif event.kind in ("unshare", "leave"):
            self.sharing.discard(event.uid)
        if event.kind == "leave":
            self.speaker.forget(event.uid)
        if event.kind in MEDIA_KINDS and event.uid not in self.roster.people:
            return []  # kept for when they join
        return [str(event)]

    def report_speaker(self, timed: TimedEvent) -> None:
        where = f"{self.scenario.source}:{timed.line}"
        if not self.follows_speaker:
            if not self.told_no_speaker:
                self.told_no_speaker = True
                self.warnings.append(
                    f"{where}: the layout has no role named {SPEAKER_ROLE!r}; the speaker "
                    "events change nothing"
                )
            return
        if timed.event.uid not in self.roster.people:
            self.warnings.append(
                f"{where}: speaker {timed.event.uid}, who is not in the channel; ignored"
            )
            return
        self.speaker.report(timed.event.uid, timed.at)

    def speaker_move(self, at: float) -> list[str]:
        uid = self.speaker.move(self.roster, at)
        return [] if uid is None else [f"speaker role to {uid}"]

    def moment(self, at: float, names: list[str]) -> None:
        if not names:
            return
        roster = self.roster
        hidden = roster.hidden(hide_camera_off=self.hide[0], hide_audio_only=self.hide[1])
        try:
            compiled = compile_full(
                self.layout,
                list(roster.people),
                roster.roles,
                hidden=hidden,
                names=roster.names,
                assets=InMemory(),
            )
        except LayoutkitError as exc:
            self.warnings.append(
                f"at {at:g}s: cannot compile for {len(roster.people) - len(hidden)} "
                f"participants shown: {exc.message}"
            )
            return
        if compiled.not_shown:
            self.warnings.append(
                f"at {at:g}s: not shown (no region left): {', '.join(compiled.not_shown)}"
            )
        payload = compiled.payload_json
        sent = payload, tuple(asset.name for asset in compiled.assets)
        carded = with_video_off_picture(compiled, roster.video_off())
        if (sent, carded) == self.previous:
            return
        self.steps.append(
            Step(
                at,
                tuple(names),
                payload,
                compiled,
                roster.video_off(),
                roster.audio_only_uids(),
                frozenset(self.sharing),
                self.previous is None or sent != self.previous[0],
            )
        )
        self.previous = sent, carded


def with_video_off_picture(compiled: Compilation, video_off: frozenset[str]) -> frozenset[str]:
    """Who of `video_off` Agora shows a picture for instead of their last frame: when that
    set changes, the picture does too, though nothing is sent."""
    payload, _ = preview_payload(compiled)
    if payload.get("defaultUserBackgroundImage"):
        return video_off & set(compiled.shown)
    pictured = {entry.get("uid") for entry in payload.get("backgroundConfig") or []}
    return frozenset(uid for uid in video_off if uid in pictured)


def format_time(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:04.1f}"
