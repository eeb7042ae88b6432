"""What the service does with a callback before anyone acts on it: hear it, judge it, keep it.

Agora answers to its callbacks decide what it does next: anything but 200 within 10 s is
sent again, at growing intervals, three more times. So the answer says only what a retry
could change:

| callback | answer | kept |
|---|---|---|
| the signature does not match the body and the secret | 401 | no |
| signed, unusable (not JSON, a field missing or wrong): logged, counted | 200 | no |
| signed, another product's or an event not followed | 200 | no |
| signed, the Console's health test (channel `test_webhook`) | 200 | no |
| signed, sent over `window` seconds ago (`notifyMs`), or its `noticeId` seen | 200 | no |
| signed and usable, but the store cannot keep it now (Agora sends it again) | 503 | no |
| signed and usable | 200 once kept | yes |

A `noticeId` is looked up in the store, so a replayed callback is ignored however many
others came between, and after a restart too. `Verdict.gap` says a callback was lost to
the service (unusable or unkept): who is in some channel may now be wrong, and the hub
reads the user lists again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from layoutkit.errors import NotificationError
from layoutkit.live.notifications import (
    Notification,
    UnknownEventError,
    parse_notification,
    verify_signature,
)
from layoutkit.service.store import Store, StoreError

log = logging.getLogger("layoutkit.service")
NOTIFY_WINDOW = 600.0
"""Seconds a callback stays acceptable after Agora sent it (its `notifyMs`, renewed on each
resend): Agora resends for minutes, never days; a replay of an older one is ignored."""
Answer = tuple[int, dict[str, Any]]


@dataclass
class Counts:
    """What the intake has heard, by outcome (the `/healthz` counts)."""

    kept: int = 0
    refused: int = 0  # bad signature (401)
    unusable: int = 0  # signed, but no use can be made of it (200)
    ignored: int = 0  # other products, events not followed, health tests (200)
    stale: int = 0  # older than the window, or a noticeId seen before (200)
    unkept: int = 0  # the store could not keep it (503)

    def as_json(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass(frozen=True)
class Verdict:
    """The answer to give, and (when kept) the notification to act on and its row."""

    answer: Answer
    notification: Notification | None = None
    seq: int = 0
    gap: bool = False  # a callback was lost: resynchronise


@dataclass
class Intake:
    """Verify, parse, judge and keep callbacks (see the module). `clock` gives Unix time in
    seconds (for `notifyMs`)."""

    secret: str = field(repr=False)
    store: Store
    window: float = NOTIFY_WINDOW
    clock: Callable[[], float] = time.time
    counts: Counts = field(default_factory=Counts)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, body: bytes, headers: Mapping[str, str]) -> Verdict:
        if not verify_signature(body, headers, self.secret):
            self._count("refused")
            log.warning("notification refused: bad or missing signature")
            return Verdict((401, {"error": "the signature does not match the body and the secret"}))
        try:
            notification = parse_notification(body)
        except UnknownEventError as exc:
            self._count("ignored")
            log.info("notification ignored: %s", exc.message)
            return Verdict((200, {"ok": True, "ignored": exc.message}))
        except NotificationError as exc:  # signed by Agora: no retry can fix it
            self._count("unusable")
            log.warning("notification signed but unusable, answered 200: %s", exc.message)
            return Verdict((200, {"ok": True, "ignored": exc.message}), gap=True)
        return self._judge(notification, body)

    def _judge(self, notification: Notification, body: bytes) -> Verdict:
        reason = self._reason_to_ignore(notification)
        if reason is not None:
            log.info("notification %s ignored: %s", notification.summary(), reason)
            return Verdict((200, {"ok": True, "ignored": reason}))
        try:
            seq = self.store.add_notification(
                notification.notice_id, notification.channel_name, body
            )
        except StoreError as exc:
            self._count("unkept")
            log.error("notification not kept, answered 503 so Agora sends it again: %s", exc)
            return Verdict(
                (503, {"error": "the service cannot keep the notification now; retry"}), gap=True
            )
        self._count("kept")
        return Verdict((200, {"ok": True}), notification, seq)

    def _reason_to_ignore(self, notification: Notification) -> str | None:
        if notification.is_health_test:
            self._count("ignored")
            return "the Agora Console's health test"
        sent = notification.notify_ms
        if sent is not None and abs(self.clock() - sent / 1000) > self.window:
            self._count("stale")
            return f"sent over {self.window:g} s ago (notifyMs {sent}): a replay"
        try:
            seen = self.store.has_notice(notification.notice_id)
        except StoreError as exc:  # cannot tell: the channel streams drop repeats anyway
            log.error("%s", exc)
            seen = False
        if seen:
            self._count("stale")
            return f"noticeId {notification.notice_id!r} was taken before"
        return None

    def _count(self, outcome: str) -> None:
        with self._lock:
            setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)


__all__ = ["NOTIFY_WINDOW", "Counts", "Intake", "Verdict"]
