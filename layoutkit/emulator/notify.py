"""Agora Notifications as the emulator sends them. Events come from comparing who is in
each channel before and after every change (the RTC channel events, each payload with
exactly the fields Agora's channel event reference gives its type), from the Cloud
Recording events 11 and 12, and from the Console's health check. A background thread
POSTs each, signed (`Agora-Signature`: hex HMAC-SHA1, `Agora-Signature-V2`: hex
HMAC-SHA256 of the raw body), in Agora's envelope, and sends it again after growing
intervals until answered 200 in time. Faults for tests: duplicates, reordering, delays,
failed first attempts, an envelope `sid`. The secret is never logged, shown or repr'd."""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import logging
import random
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from layoutkit.emulator.state import (
    RECORDER_PLATFORM,
    EmulatorState,
    Recording,
    Seat,
    number,
    seats,
)
from layoutkit.wire.replies import HEALTH_CHANNEL, HEALTH_UID
from layoutkit.wire.rules import check_url

log = logging.getLogger("layoutkit.emulator.notify")

RETRY_INTERVALS = (1.0, 2.0, 4.0)  # seconds before each retry (3 retries)
TIMEOUT = 10.0  # Agora wants a 200 within 10 s
MAX_QUEUE = 1000  # notices waiting to be sent; past it new ones are dropped
MAX_KEPT = 1000  # notices listed by `/_emulator/notifications` (the newest)
HOLD = 1.0  # seconds a notice held back for reordering waits for the next one
MAX_DELAY = 60.0
PRODUCT_RTC, PRODUCT_CLOUD_RECORDING = 1, 3  # the envelope's productId
SERVICE_CLOUD_RECORDING = 0  # serviceType of events 11 and 12
# Agora's Notifications event types for RTC channel events
CHANNEL_CREATED, CHANNEL_DESTROYED = 101, 102
HOST_JOINED, HOST_LEFT, AUDIENCE_JOINED, AUDIENCE_LEFT = 103, 104, 105, 106
USER_JOINED, USER_LEFT = 107, 108  # communication profile
AUDIENCE_TO_HOST, HOST_TO_AUDIENCE = 111, 112
RTC_EVENT_TYPES = (101, 102, 103, 104, 105, 106, 107, 108, 111, 112)
JOINS = {"host": HOST_JOINED, "audience": AUDIENCE_JOINED, "user": USER_JOINED}
LEAVES = {"host": HOST_LEFT, "audience": AUDIENCE_LEFT, "user": USER_LEFT}
LEAVE_REASON = 1  # the user left normally
# the Console's health check: one callback per subscribed event type, for this user
HEALTH_PLATFORM = 1  # as Agora's examples of these callbacks
HEALTH_DURATION = 600


@dataclass(frozen=True)
class Event:
    """One Notifications event before it is wrapped: its type, product and payload."""

    event_type: int
    app_id: str
    payload: dict[str, Any]
    product_id: int = PRODUCT_RTC


def user_payload(
    kind: int, cname: str, seat: Seat, client_seq: int, ts: int, **leave: int
) -> dict[str, Any]:
    """The payload of a user's event `kind`, in the order of Agora's examples: role
    changes carry no platform, a communication user no client type; `leave` adds
    `reason` and `duration`."""
    payload: dict[str, Any] = {"channelName": cname, "uid": number(seat.uid)}
    if kind not in (AUDIENCE_TO_HOST, HOST_TO_AUDIENCE):
        payload["platform"] = seat.platform
        linux = seat.platform == RECORDER_PLATFORM and seat.client_type is not None
        if linux and kind not in (USER_JOINED, USER_LEFT):
            payload["clientType"] = seat.client_type
    tail = {"clientSeq": client_seq, "reason": leave.get("reason"), "ts": ts}
    tail["duration"] = leave.get("duration")
    return payload | {key: value for key, value in tail.items() if value is not None}


class Notifier:
    """Sends what happens in the state as events (the state calls it under its lock, so
    they leave in order): each change of who is in which channel, each user's events
    numbered with an increasing `clientSeq` (like Agora's, a millisecond count); each
    recording's events numbered with its own `sequence`."""

    def __init__(self, state: EmulatorState, sender: NotificationSender) -> None:
        self.state, self.sender = state, sender
        self._last: dict[tuple[str, str], dict[str, Seat]] = {}  # who was in each channel
        self._seq: dict[tuple[str, str, str], int] = {}
        self._joined: dict[tuple[str, str, str], float] = {}
        self._sequence: dict[str, int] = {}

    def changed(self) -> None:
        """Who joined, left or changed role since the last call."""
        keys = set(self.state.channels)
        keys |= {(r.app_id, r.cname) for r in self.state.recordings.values()}
        taken = {key: seats(self.state, *key) for key in keys}
        now = {key: found for key, found in taken.items() if found}
        before, self._last = self._last, now
        for key in [*before, *(k for k in now if k not in before)]:
            for event in self._channel(key, before.get(key, {}), now.get(key, {})):
                self.sender.submit(event)

    def recording_event(self, recording: Recording, kind: int, details: dict[str, Any]) -> None:
        sequence = self._sequence.get(recording.sid, 0)
        self._sequence[recording.sid] = sequence + 1
        payload = {
            "cname": recording.cname,
            "uid": recording.uid,
            "sid": recording.sid,
            "sequence": sequence,
            "sendts": int(time.time() * 1000),
            "serviceType": SERVICE_CLOUD_RECORDING,
            "details": dict(details),
        }
        self.sender.submit(Event(kind, recording.app_id, payload, PRODUCT_CLOUD_RECORDING))

    def _channel(
        self, key: tuple[str, str], old: dict[str, Seat], new: dict[str, Seat]
    ) -> list[Event]:
        app_id, cname = key
        now = time.time()
        found: list[Event] = []
        if not old and new:
            found.append(Event(CHANNEL_CREATED, app_id, {"channelName": cname, "ts": int(now)}))
        last = None
        for uid, seat in old.items():
            if uid not in new or _other_kind(seat, new[uid]):
                found.append(self._left(app_id, cname, seat, now))
                last = uid
        for uid, seat in new.items():
            was = old.get(uid)
            if was is None or _other_kind(was, seat):
                found.append(self._user(JOINS[seat.role], app_id, cname, seat, now))
                self._joined[(app_id, cname, uid)] = now
            elif was.role != seat.role:
                kind = AUDIENCE_TO_HOST if seat.role == "host" else HOST_TO_AUDIENCE
                found.append(self._user(kind, app_id, cname, seat, now))
        if old and not new and last is not None:
            payload = {"channelName": cname, "lastUid": number(last), "ts": int(now)}
            found.append(Event(CHANNEL_DESTROYED, app_id, payload))
        return found

    def _next_seq(self, key: tuple[str, str, str], now: float) -> int:
        seq = max(self._seq.get(key, 0) + 1, int(now * 1000))
        self._seq[key] = seq
        return seq

    def _user(self, kind: int, app_id: str, cname: str, seat: Seat, now: float) -> Event:
        seq = self._next_seq((app_id, cname, seat.uid), now)
        return Event(kind, app_id, user_payload(kind, cname, seat, seq, int(now)))

    def _left(self, app_id: str, cname: str, seat: Seat, now: float) -> Event:
        key = (app_id, cname, seat.uid)
        reason = self.state.leave_reasons.pop(key, LEAVE_REASON)
        duration = int(now - self._joined.pop(key, now))
        seq = self._next_seq(key, now)
        kind = LEAVES[seat.role]
        payload = user_payload(kind, cname, seat, seq, int(now), reason=reason, duration=duration)
        return Event(kind, app_id, payload)


def _other_kind(was: Seat, now: Seat) -> bool:
    """A user of a communication channel and a host or audience member of a live one are
    not the same presence (the channel was destroyed and made again in between)."""
    return (was.role == "user") != (now.role == "user")


def health_check(event_types: Sequence[int] = RTC_EVENT_TYPES) -> list[Event]:
    """The callbacks of the Console's health check: one per event type, for channel
    `test_webhook` and uid 12121212, shaped as Agora's examples of each type."""
    now = time.time()
    seat = Seat(str(HEALTH_UID), "host", HEALTH_PLATFORM)
    found = []
    for kind in event_types:
        if kind == CHANNEL_CREATED:
            payload: dict[str, Any] = {"channelName": HEALTH_CHANNEL, "ts": int(now)}
        elif kind == CHANNEL_DESTROYED:
            payload = {"channelName": HEALTH_CHANNEL, "lastUid": HEALTH_UID, "ts": int(now)}
        else:
            leave = {"reason": LEAVE_REASON, "duration": HEALTH_DURATION}
            extra = leave if kind in LEAVES.values() else {}
            payload = user_payload(kind, HEALTH_CHANNEL, seat, int(now * 1000), int(now), **extra)
        found.append(Event(kind, "", payload))
    return found


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not a 200: it is answered as an error (and retried)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# straight to the URL: no proxy from the environment, no redirects followed
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def sign(secret: str, body: bytes) -> tuple[str, str]:
    """The two signature headers' values: hex HMAC-SHA1 and hex HMAC-SHA256 of `body`."""
    key = secret.encode("utf-8")
    return (
        hmac.new(key, body, hashlib.sha1).hexdigest(),
        hmac.new(key, body, hashlib.sha256).hexdigest(),
    )


@dataclass
class Faults:
    """Ratios of notices sent twice or swapped with the next one, seconds every notice
    waits before its first attempt, how many next notices lose their first attempt, and
    whether envelopes carry a `sid` as real traffic often does."""

    duplicate: float = 0.0
    reorder: float = 0.0
    delay: float = 0.0
    fail: int = 0
    envelope_sid: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "duplicate": self.duplicate,
            "reorder": self.reorder,
            "delay": self.delay,
            "fail": self.fail,
            "envelopeSid": self.envelope_sid,
        }


def _number(body: dict[str, Any], name: str, most: float, whole: bool, error: str) -> Any:
    value = body.get(name, 0)
    kinds = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or not 0 <= value <= most:
        raise ValueError(error)
    return value


def faults_of(body: dict[str, Any]) -> Faults:
    """The notification faults a control request asks for (ValueError naming the field)."""
    duplicate, reorder = (
        float(_number(body, name, 1, False, f"{name}: a ratio from 0 to 1"))
        for name in ("duplicate", "reorder")
    )
    delay = _number(body, "delay", MAX_DELAY, False, f"delay: seconds from 0 to {MAX_DELAY:g}")
    fail = _number(body, "fail", 1000, True, "fail: a whole number from 0 to 1000")
    envelope_sid = body.get("envelopeSid", False)
    if not isinstance(envelope_sid, bool):
        raise ValueError("envelopeSid: true or false")
    return Faults(duplicate, reorder, float(delay), fail, envelope_sid)


@dataclass
class Notice:
    """One delivery of an event: its envelope without `notifyMs`, which each attempt
    stamps (a duplicate shares the noticeId and payload), and its attempts."""

    notice_id: str
    event_type: int
    envelope: dict[str, Any]
    duplicate: bool = False
    fail_first: bool = False
    status: str = "queued"  # queued, held, retrying, delivered, failed, dropped
    attempts: list[dict[str, Any]] = field(default_factory=list)
    body: bytes | None = None  # the last body sent

    def render(self, notify_ms: int) -> bytes:
        """The body of an attempt at `notify_ms`, in the field order of Agora's example."""
        envelope = dict(self.envelope)
        payload = envelope.pop("payload")
        return json.dumps(
            {**envelope, "notifyMs": notify_ms, "payload": payload}, separators=(",", ":")
        ).encode("utf-8")

    def to_json(self) -> dict[str, Any]:
        """The notice as listed: `body` is the last one sent (before a first attempt, the
        envelope without `notifyMs`)."""
        return {
            "noticeId": self.notice_id,
            "eventType": self.event_type,
            "duplicate": self.duplicate,
            "status": self.status,
            "attempts": list(self.attempts),
            "body": json.loads(self.body) if self.body is not None else dict(self.envelope),
        }


class NotificationSender:
    """Sends notices to `url` in a background thread (`start`, `stop`)."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        retry_intervals: tuple[float, ...] = RETRY_INTERVALS,
        timeout: float = TIMEOUT,
        max_queue: int = MAX_QUEUE,
        hold: float = HOLD,
        seed: int | None = None,
    ) -> None:
        check_url(url)  # ValueError: not an http(s) URL
        if not secret:
            raise ValueError("notify secret: give the Notifications secret")
        self.url = url
        self._secret = secret
        self.retry_intervals = retry_intervals
        self.timeout = timeout
        self.max_queue = max_queue
        self.hold = hold
        self.faults = Faults()
        self._rng = random.Random(seed)
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, Notice, int]] = []  # (when, order, notice, attempt)
        self._order = itertools.count()
        self._held: tuple[float, Notice] | None = None
        self._kept: deque[Notice] = deque(maxlen=MAX_KEPT)
        self._stopping = False
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"NotificationSender({self.url!r})"

    # --- the producer side (called under the emulator state's lock: never blocks) ----------

    def set_faults(self, faults: Faults, seed: int | None = None) -> None:
        with self._cond:
            self.faults = faults
            if seed is not None:
                self._rng = random.Random(seed)

    def submit(self, event: Event) -> Notice:
        """Wrap an event in Agora's envelope and queue it (with the faults applied)."""
        with self._cond:
            faults = self.faults
            kind = event.event_type
            notice_id = f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.randbelow(10**4)}:{kind}"
            envelope: dict[str, Any] = {
                "noticeId": notice_id,
                "productId": event.product_id,
                "eventType": kind,
            }
            if faults.envelope_sid:
                envelope["sid"] = secrets.token_hex(16)
            envelope["payload"] = event.payload
            notice = Notice(notice_id, kind, envelope, fail_first=faults.fail > 0)
            faults.fail = max(0, faults.fail - 1)
            twice = faults.duplicate > 0 and self._rng.random() < faults.duplicate
            swap = faults.reorder > 0 and self._rng.random() < faults.reorder
            now = time.monotonic()
            held, self._held = self._held, None
            if swap and held is None:
                notice.status = "held"
                self._kept.append(notice)
                self._held = (now, notice)
            else:
                self._queue(notice, now + faults.delay)
            if twice:
                self._queue(Notice(notice_id, kind, envelope, duplicate=True), now + faults.delay)
            if held is not None:  # the one held back goes after this one
                held[1].status = "queued"
                self._schedule(held[1], now + faults.delay, 0)
            self._cond.notify_all()
        return notice

    def _queue(self, notice: Notice, when: float) -> None:
        self._kept.append(notice)
        if len(self._due) >= self.max_queue:
            notice.status = "dropped"
            log.warning("notification queue full: event %s dropped", notice.event_type)
            return
        self._schedule(notice, when, 0)

    def _schedule(self, notice: Notice, when: float, attempt: int) -> None:
        heapq.heappush(self._due, (when, next(self._order), notice, attempt))

    def health_check(self, kinds: Any) -> list[int]:
        """The Console's health check: a callback per event type of `kinds` (for channel
        `test_webhook` and uid 12121212); the types sent. ValueError for anything but a
        list of different RTC channel event types."""
        if (
            not isinstance(kinds, list)
            or not kinds
            or any(isinstance(k, bool) or k not in RTC_EVENT_TYPES for k in kinds)
            or len(set(kinds)) < len(kinds)
        ):
            known = ", ".join(map(str, RTC_EVENT_TYPES))
            raise ValueError(f"eventTypes: a list of different RTC channel event types ({known})")
        return [self.submit(event).event_type for event in health_check(kinds)]

    def pending(self) -> int:
        with self._cond:
            return len(self._due) + (self._held is not None)

    def report(self) -> dict[str, Any]:
        """What `/_emulator/notifications` shows: the URL, the faults, every notice kept
        (the newest MAX_KEPT) in the order they were made."""
        with self._cond:
            return {
                "url": self.url,
                "pending": self.pending(),
                "faults": self.faults.to_json(),
                "notifications": [n.to_json() for n in self._kept],
            }

    # --- the sending thread ----------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="emulator-notify", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _next(self) -> tuple[Notice, int] | None:
        """The next attempt due, waiting for it; None once stopping."""
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._held is not None and now - self._held[0] >= self.hold:
                    self._held[1].status = "queued"
                    self._schedule(self._held[1], now, 0)
                    self._held = None
                if self._due and self._due[0][0] <= now:
                    _, _, notice, attempt = heapq.heappop(self._due)
                    return notice, attempt
                waits = [self._due[0][0] - now] if self._due else []
                if self._held is not None:
                    waits.append(self._held[0] + self.hold - now)
                self._cond.wait(max(0.0, min(waits)) if waits else None)
            return None

    def _run(self) -> None:
        while (found := self._next()) is not None:
            notice, attempt = found
            body = notice.render(int(time.time() * 1000))
            outcome = self._attempt(notice, attempt, body)
            with self._cond:
                notice.body = body
                notice.attempts.append(outcome)
                if outcome.get("status") == 200:
                    notice.status = "delivered"
                elif attempt < len(self.retry_intervals):
                    notice.status = "retrying"
                    when = time.monotonic() + self.retry_intervals[attempt]
                    self._schedule(notice, when, attempt + 1)
                else:
                    notice.status = "failed"
                    log.warning(
                        "notification %s (event %s) not delivered after %d attempts",
                        notice.notice_id,
                        notice.event_type,
                        attempt + 1,
                    )

    def _attempt(self, notice: Notice, attempt: int, body: bytes) -> dict[str, Any]:
        sent = time.time()
        if attempt == 0 and notice.fail_first and not notice.duplicate:
            return {"time": sent, "status": None, "error": "failed (injected)"}
        sha1, sha256 = sign(self._secret, body)
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Agora-Signature": sha1,
                "Agora-Signature-V2": sha256,
                "User-Agent": "layoutkit-emulator",
            },
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                answer.read(65536)
                return {"time": sent, "status": answer.status}
        except urllib.error.HTTPError as exc:
            exc.close()
            return {"time": sent, "status": exc.code}
        except (OSError, ValueError) as exc:  # refused, reset, timed out, bad URL
            reason = getattr(exc, "reason", exc)
            return {"time": sent, "status": None, "error": type(reason).__name__}
