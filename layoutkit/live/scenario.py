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
  - {at: 46s, uid: "1002", video: false, audio: true}   # what the app reports
  - {at: 50s, role: guest, uid: "1002"}
  - {at: 55s, speaker: "1001"}    # the active speaker, as the app reports it
  - {at: 1m, leave: "1002"}
```
`video:` and `audio:` (true or false, with `uid:`) are the app's reports of a person's
camera and microphone, like `camera_off`, `camera_on`, `audio_off`, `audio_on` and
`audio_only` (video off, audio on: the person sends only audio); a report for someone
who has not joined yet applies when they join. `speaker:` reports the active speaker: a
layout's `speaker` role follows it as the Director's does (`live.speaker`: after
`speaker_hold` seconds, at most once per `speaker_interval`), so the role moves at a
time of its own, in a step `speaker role to UID`; with a layout that has no `speaker`
role the reports change nothing (a warning says so).

The entries are read by `live.scenario_entries`. `play_scenario` gives the exact
sequence of updateLayout payloads (a payload equal to the previous one, with the same
images, is not sent again; events at the same time are sent as one, latest wins). A
styled layout's images are drawn in memory (`InMemory`): the steps' payloads leave them
out and their compilations hold them, for the previews.
"""

from __future__ import annotations

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
from layoutkit.layout.yaml import parse_yaml
from layoutkit.live.roster import MEDIA_KINDS, Event, Roster
from layoutkit.live.scenario_entries import MAX_TIME, TimedEvent, parse_events, parse_time
from layoutkit.live.speaker import (
    DEFAULT_HOLD,
    DEFAULT_INTERVAL,
    SPEAKER_ROLE,
    SpeakerFollower,
)
from layoutkit.safefiles import read_limited


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
    speaker_hold: float = DEFAULT_HOLD,
    speaker_interval: float = DEFAULT_INTERVAL,
) -> tuple[list[Step], list[str]]:
    """The updateLayout payloads the scenario causes, and warnings about its events.
    `speaker_hold` and `speaker_interval` are the Director's options of the same names
    (ValueError outside 0 to their maximum)."""
    player = _Player(
        scenario,
        layout,
        (hide_camera_off, hide_audio_only),
        SpeakerFollower(speaker_hold, speaker_interval, scenario.roles.get(SPEAKER_ROLE)),
    )
    with command_budget():
        player.play()
    return player.steps, player.warnings


class _Player:
    """Plays a scenario: the roster, the speaker's hysteresis and the steps so far."""

    def __init__(
        self,
        scenario: Scenario,
        layout: Layout,
        hide: tuple[bool, bool],
        speaker: SpeakerFollower,
    ) -> None:
        self.scenario = scenario
        self.layout = layout
        self.hide_camera_off, self.hide_audio_only = hide
        self.speaker = speaker
        self.follows_speaker = SPEAKER_ROLE in known_roles(layout)
        self.roster = Roster(roles=dict(scenario.roles), names=dict(scenario.names))
        self.steps: list[Step] = []
        self.warnings: list[str] = []
        # what is sent (payload, images) and who shows a video-off picture
        self.previous: tuple[tuple[dict[str, Any], tuple[str, ...]], frozenset[str]] | None
        self.previous = None
        self.sharing: set[str] = set()
        self.told_no_speaker = False

    def play(self) -> None:
        """Every moment in time order: the events' times, and the times the speaker
        role moves between them (and after the last)."""
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
        """Apply one event: what it did, for the step's caption ([] for nothing)."""
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
        """A report of the active speaker, for the hysteresis (or a warning)."""
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
        """The speaker role's move due at `at`, applied: its caption ([] for none)."""
        uid = self.speaker.due(at)
        if uid is None:
            return []
        if self.roster.apply(Event("speaker", uid)) is not None:
            self.speaker.forget(uid)  # gone meanwhile: no move waits for them
            return []
        return [f"speaker role to {uid}"]

    def moment(self, at: float, names: list[str]) -> None:
        """After the events at `at` (captioned `names`): a step when the picture
        changed."""
        if not names:
            return
        roster = self.roster
        hidden = roster.hidden(
            hide_camera_off=self.hide_camera_off, hide_audio_only=self.hide_audio_only
        )
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
    "MAX_TIME",
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
