"""What the service knows of each recording it directs, and how it tells it.

`Attached` is one recording: its attach request, its Director, the errors of the service
around it, the recent events that concern it (Cloud Recording's own, reconciliations,
what the app reported), and, once Agora said it ended (event 11), why. `describe` is the
JSON of `GET /recordings/{sid}`: `errors` (what went wrong: refusals, a stop, a change
that cannot be compiled or published) apart from `warnings` (what the operator should
know: people left out, text cut, images not published). `RecordingTarget` is what its
Director pushes to: a fair turn, the request, the answer logged and kept.
`check_drawable` is the attach's test that the layout can be drawn at all.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from layoutkit.compile.compiler import compile_full
from layoutkit.errors import ApiError, LayoutkitError, TransportError
from layoutkit.layout.loader import Layout
from layoutkit.live.director import Director
from layoutkit.live.scheduler import FairLimiter, LimiterClosedError
from layoutkit.service.spec import AttachSpec, RequestError

if TYPE_CHECKING:
    from layoutkit.client import Recording

log = logging.getLogger("layoutkit.service")

MAX_ERRORS = 20  # recent errors (and warnings, and events) kept per recording


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Attached:
    """One recording the service keeps in its layout."""

    spec: AttachSpec
    director: Director | None  # None when its layout cannot be loaded after a restart
    auto: bool
    attached_at: float = field(default_factory=time.time)
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_ERRORS))
    events: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=MAX_ERRORS))
    ended: str | None = None  # why the recording ended (Agora's event 11), once it has

    def note(self, event: str) -> None:
        """Keep an event that concerns the recording (newest last)."""
        self.events.append({"at": _now(), "event": event})

    def fail(self, error: str) -> None:
        self.errors.append(error)


def _director_errors(director: Director) -> list[str]:
    found = []
    for text in (director.last_refusal, director.stopped, director.last_error):
        if text and text not in found:
            found.append(text)
    return found


def _live(item: Attached, director: Director) -> dict[str, Any]:
    return {
        "status": director.status,
        "participants": director.participants,
        "acknowledged": director.acknowledged,
        "pending": director.pending,
        "pushes": director.pushes,
        "errors": [*item.errors, *_director_errors(director)][-MAX_ERRORS:],
        "warnings": director.warnings[-MAX_ERRORS:],
    }


def describe(item: Attached) -> dict[str, Any]:
    """A recording's state: who is in it, the last acknowledged layout, what is pending,
    recent errors, warnings and events."""
    spec, director = item.spec, item.director
    found: dict[str, Any] = {
        "sid": spec.sid,
        "cname": spec.cname,
        "uid": spec.uid,
        "resource_id": spec.resource_id,
        "mode": spec.mode,
        "layout": spec.layout_name,
        "roles": spec.roles,
        "names": spec.names,  # what the service was told (applied in the channel's order)
        "options": spec.options,
        "auto": item.auto,
        "attached_at": datetime.fromtimestamp(item.attached_at, UTC).isoformat(),
        "events": list(item.events),
    }
    if item.ended is not None:
        return found | {
            "status": "stopped",
            "ended": item.ended,
            "participants": director.participants if director is not None else [],
            "acknowledged": director.acknowledged if director is not None else None,
            "pushes": director.pushes if director is not None else 0,
            "errors": list(item.errors),
            "warnings": [],
        }
    if director is None:
        return found | {
            "status": "broken",
            "participants": [],
            "errors": list(item.errors),
            "warnings": [],
        }
    return found | _live(item, director)


class RecordingTarget:
    """A Director's target: a fair turn on `limiter` (taken before the Director chooses
    the state, so the latest state goes out), the push, then `acknowledged(sid, layout)`."""

    def __init__(
        self,
        recording: Recording,
        limiter: FairLimiter,
        acknowledged: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self.recording, self.sid = recording, recording.sid
        self._limiter: FairLimiter = limiter
        self._acknowledged = acknowledged

    def take_turn(self) -> None:
        key: Hashable = self.sid
        try:
            self._limiter.acquire(key)
        except LimiterClosedError:  # stopping: the Director treats it as transient
            raise TransportError("the service is stopping; not sent") from None

    def update_layout(self, layout: Mapping[str, Any]) -> object:
        shown = [str(r.get("uid", "-")) for r in layout.get("layoutConfig") or []]
        who = (
            f"regions for {', '.join(shown)}" if shown else f"mode {layout.get('mixedVideoLayout')}"
        )
        try:
            answer = self.recording.update_layout(layout)
        except ApiError as exc:
            log.info("push %s (%s): %s", self.sid, who, exc)
            raise
        log.info("push %s (%s): accepted", self.sid, who)
        self._acknowledged(self.sid, dict(layout))
        return answer


def check_drawable(layout: Layout, spec: AttachSpec, hosts: list[str]) -> None:
    """RequestError 422 unless the layout compiles and draws (fonts, logos, cards: in
    memory, nothing published) for `hosts`, and for stand-ins when nobody is there yet,
    so a layout that cannot draw a name fails now, not at the first join."""
    for people in (hosts, None) if not hosts else (hosts,):
        try:
            compile_full(layout, people, spec.roles, names=spec.names)
        except LayoutkitError as exc:
            who = f"the {len(hosts)} people in" if people is not None else "stand-ins for"
            raise RequestError(
                422, f"the layout does not compile for {who} {spec.cname}: {exc}", field="layout"
            ) from None
        except Exception as exc:  # a broken font or image found while drawing
            raise RequestError(
                422,
                f"the layout cannot be drawn: {type(exc).__name__}: {exc}",
                field="layout",
            ) from None


__all__ = ["MAX_ERRORS", "Attached", "RecordingTarget", "check_drawable", "describe"]
