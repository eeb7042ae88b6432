"""The emulator's Notifications sender: it POSTs signed events to a URL the way Agora
does (a JSON envelope of `noticeId`, ending in `:eventType` as Agora's do, `productId`,
`eventType`, `notifyMs`, stamped again on each resend, and `payload`; `Agora-Signature` =
hex HMAC-SHA1 and `Agora-Signature-V2` = hex HMAC-SHA256 of the raw body with the secret),
from a background thread fed by a bounded queue. Anything but a 200 within the timeout,
or no connection, is sent again after growing intervals, a bounded number of times.
Agora's reference gives the envelope no `sid`; real traffic often carries one, which the
`envelopeSid` switch adds. Faults for tests: duplicates, reordering, delays, failed first
attempts, drawn from a seeded random generator. The secret is kept only to sign: never
logged, shown or put in a repr."""

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
from dataclasses import dataclass, field
from typing import Any

from layoutkit.emulator.http import ControlError, Request, Response, reply
from layoutkit.emulator.presence import RTC_EVENT_TYPES, Event, health_check
from layoutkit.wire.rules import check_url

log = logging.getLogger("layoutkit.emulator.notify")

RETRY_INTERVALS = (1.0, 2.0, 4.0)  # seconds before each retry (3 retries)
TIMEOUT = 10.0  # Agora wants a 200 within 10 s
MAX_QUEUE = 1000  # notices waiting to be sent; past it new ones are dropped
MAX_KEPT = 1000  # notices listed by `/_emulator/notifications` (the newest)
HOLD = 1.0  # seconds a notice held back for reordering waits for the next one
MAX_DELAY = 60.0


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
    whether envelopes carry a `sid` as real traffic often does (`envelope_sid`)."""

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


def notice_id(event_type: int) -> str:
    """A new notice id shaped as Agora's: three numbers, the last the event type."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.randbelow(10**4)}:{event_type}"


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
        """The notice as `/_emulator/notifications` lists it: `body` is the last one sent
        (before a first attempt, the envelope without `notifyMs`)."""
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
            envelope: dict[str, Any] = {
                "noticeId": notice_id(event.event_type),
                "productId": event.product_id,
                "eventType": event.event_type,
            }
            if faults.envelope_sid:
                envelope["sid"] = secrets.token_hex(16)
            envelope["payload"] = event.payload
            notice = Notice(envelope["noticeId"], event.event_type, envelope)
            if faults.fail > 0:
                faults.fail -= 1
                notice.fail_first = True
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
                self._queue(
                    Notice(notice.notice_id, notice.event_type, envelope, duplicate=True),
                    now + faults.delay,
                )
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

    # --- listing ---------------------------------------------------------------------------

    def listed(self) -> list[dict[str, Any]]:
        """Every notice kept (the newest MAX_KEPT), in the order they were made."""
        with self._cond:
            return [n.to_json() for n in self._kept]

    def current_faults(self) -> dict[str, Any]:
        with self._cond:
            return self.faults.to_json()

    def pending(self) -> int:
        with self._cond:
            return len(self._due) + (self._held is not None)

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


OFF = "notifications are off: start with a notify URL and secret"


def control(sender: NotificationSender | None, request: Request, body: Any) -> Response:
    """`GET /_emulator/notifications`: what was sent and how it went;
    `POST /_emulator/notifications/faults {"duplicate", "reorder", "delay", "fail",
    "seed", "envelopeSid"}` sets the faults (`DELETE` clears them)."""
    if sender is None:
        raise ControlError(400, OFF)
    if request.method == "GET":
        faults = sender.current_faults()
        return reply(
            200,
            {
                "url": sender.url,
                "pending": sender.pending(),
                "faults": faults,
                "notifications": sender.listed(),
            },
        )
    if request.method == "DELETE":
        sender.set_faults(Faults())
        return reply(200, {"faults": Faults().to_json()})
    if not isinstance(body, dict):
        raise ControlError(400, "send a JSON object")
    chosen, seed = faults_of(body), body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ControlError(400, "seed: a whole number")
    sender.set_faults(chosen, seed)
    return reply(200, {"faults": chosen.to_json()})


def faults_of(body: dict[str, Any]) -> Faults:
    """The notification faults a control request asks for."""
    ratios = {}
    for name in ("duplicate", "reorder"):
        value = body.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ControlError(400, f"{name}: a ratio from 0 to 1")
        ratios[name] = float(value)
    delay, fail = body.get("delay", 0), body.get("fail", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= MAX_DELAY:
        raise ControlError(400, f"delay: seconds from 0 to {MAX_DELAY:g}")
    if isinstance(fail, bool) or not isinstance(fail, int) or not 0 <= fail <= 1000:
        raise ControlError(400, "fail: a whole number from 0 to 1000")
    envelope_sid = body.get("envelopeSid", False)
    if not isinstance(envelope_sid, bool):
        raise ControlError(400, "envelopeSid: true or false")
    return Faults(ratios["duplicate"], ratios["reorder"], float(delay), fail, envelope_sid)


def health_check_types(body: Any) -> tuple[int, ...] | str:
    """The event types a health check asks for (`{"eventTypes": [...]}`, by default
    every RTC channel event type), or what is wrong with the request."""
    if not isinstance(body, dict):
        return "send a JSON object"
    kinds = body.get("eventTypes", list(RTC_EVENT_TYPES))
    known = ", ".join(map(str, RTC_EVENT_TYPES))
    if (
        not isinstance(kinds, list)
        or not kinds
        or any(isinstance(k, bool) or k not in RTC_EVENT_TYPES for k in kinds)
        or len(set(kinds)) < len(kinds)
    ):
        return f"eventTypes: a list of different RTC channel event types ({known})"
    return tuple(kinds)


def health(sender: NotificationSender | None, body: Any) -> Response:
    """`POST /_emulator/notifications/health-check {"eventTypes": [...]}`: the Console's
    health check, one callback per subscribed event type (channel `test_webhook`, uid
    12121212); answers which were sent."""
    if sender is None:
        raise ControlError(400, OFF)
    kinds = health_check_types(body)
    if isinstance(kinds, str):
        raise ControlError(400, kinds)
    notices = [sender.submit(event) for event in health_check(kinds)]
    return reply(200, {"sent": [n.event_type for n in notices]})
