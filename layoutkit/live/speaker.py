"""The active speaker, with hysteresis: who a layout's `speaker` role should show.

The app's clients report the active speaker (`report(uid, now)`) as often as they like,
and talk-overs make the reports flap between people. `SpeakerFollower` turns them into
few, deliberate moves of the role: a new speaker takes the role only after being
reported without a break for `hold` seconds, and the role moves at most once per
`interval` seconds; a speaker who has held for long enough while the interval was still
running takes the role when it ends. Silence (`report(None, now)`) ends the current
candidate's run and never moves the role away from the last speaker.

It is pure: it holds no clock and no thread. Its owner (the Director, or a scenario's
player) asks `next_check()` when a move may be due, and `due(now)` at that time; a test
drives it with times it chooses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SPEAKER_ROLE = "speaker"
"""The role that follows the active speaker, in a layout that has it."""
DEFAULT_HOLD = 2.0
DEFAULT_INTERVAL = 4.0
MAX_HOLD = 60.0
"""The longest `speaker_hold` accepted, in seconds."""
MAX_INTERVAL = 600.0
"""The longest `speaker_interval` accepted, in seconds."""


def check_timing(hold: float, interval: float) -> None:
    """ValueError naming the option when `hold` or `interval` is not a number of seconds
    from 0 to its maximum (MAX_HOLD, MAX_INTERVAL)."""
    for name, value, top in (
        ("speaker_hold", hold, MAX_HOLD),
        ("speaker_interval", interval, MAX_INTERVAL),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number of seconds, not {value!r}")
        if not (math.isfinite(value) and 0 <= value <= top):
            raise ValueError(f"{name} must be 0..{top:g} seconds, not {value!r}")


@dataclass
class SpeakerFollower:
    """Who holds the speaker role and who is reported speaking (see the module).

    `holder` is who has the role now; its owner keeps it in step with the role bindings
    (someone who leaves loses the role; a role set by hand has a new holder). Times are
    seconds on the owner's clock, never going backwards."""

    hold: float = DEFAULT_HOLD
    interval: float = DEFAULT_INTERVAL
    holder: str | None = None
    candidate: str | None = None  # the speaker reported last (None: silence)
    since: float = 0.0  # when the candidate's unbroken run of reports began
    moved: float | None = None  # when the role last moved

    def __post_init__(self) -> None:
        check_timing(self.hold, self.interval)

    def report(self, uid: str | None, now: float) -> None:
        """`uid` is the active speaker at `now` (None: nobody speaks). A report of the
        candidate again continues their run; anyone else starts a new one."""
        if uid != self.candidate:
            self.candidate, self.since = uid, now

    def forget(self, uid: str) -> None:
        """`uid` left the channel: they are no longer a candidate nor the holder."""
        if self.candidate == uid:
            self.candidate = None
        if self.holder == uid:
            self.holder = None

    def next_check(self) -> float | None:
        """When the role may move next (the candidate will have held for `hold` seconds
        and the interval since the last move will have passed), or None when no move is
        waiting (nobody speaks, or the speaker has the role already)."""
        if self.candidate is None or self.candidate == self.holder:
            return None
        at = self.since + self.hold
        if self.moved is not None:
            at = max(at, self.moved + self.interval)
        return at

    def due(self, now: float) -> str | None:
        """The uid that takes the role at `now`, recorded as the holder; None when the
        role stays where it is."""
        at = self.next_check()
        if at is None or now < at:
            return None
        self.holder, self.moved = self.candidate, now
        return self.holder


__all__ = [
    "DEFAULT_HOLD",
    "DEFAULT_INTERVAL",
    "MAX_HOLD",
    "MAX_INTERVAL",
    "SPEAKER_ROLE",
    "SpeakerFollower",
    "check_timing",
]
