"""`DirectorHub`: the recordings of one App ID, each kept in its layout by its own Director,
fed by Agora Notifications and sharing one fair rate limiter.

A callback is verified and kept before it is acted on, and answered only with what a
retry could change: 401 a bad signature; 200 for what is unusable, not followed, the
Console's health test, older than `notify_window` or a `noticeId` seen (not kept); 503
when the store cannot keep it (Agora sends it again). A lost callback is a gap: the user
lists are read again. RTC events become roster events by the channel's stream and are
routed, under the hub's lock (which keeps a channel's events in order), through an index
of the channel's recordings to their Directors, whose workers compile and push; Cloud
Recording's own events end a recording (11) or follow its recorder (12). After a restart
`resume` replays the kept callbacks, reads each directed channel's user list and starts
every Director in the join order it last had."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layoutkit.compile.compiler import compile_full
from layoutkit.errors import ApiError, LayoutkitError, NotificationError, TransportError
from layoutkit.layout.loader import Layout
from layoutkit.live.channels import NotificationRouter
from layoutkit.live.director import Director
from layoutkit.live.notifications import (
    Notification,
    RecordingPayload,
    UnknownEventError,
    parse_notification,
    verify_signature,
)
from layoutkit.live.roster import Event
from layoutkit.live.scheduler import FairLimiter, LimiterClosedError
from layoutkit.service.spec import (
    MAX_NAMES,
    AttachSpec,
    RequestError,
    checked_name,
    load_spec_layout,
    parse_spec,
)
from layoutkit.service.store import Store, StoredRecording, StoreError
from layoutkit.wire.replies import USER_LIST_RATE
from layoutkit.wire.rules import check_uid

if TYPE_CHECKING:
    from layoutkit.assets import Publisher
    from layoutkit.client import CloudRecordingClient, Recording

log = logging.getLogger("layoutkit.service")
Answer = tuple[int, dict[str, Any]]
MAX_ENDED = 1_000  # ended recordings still described by GET /recordings/{sid}
MAX_ERRORS = 20  # recent errors (and warnings, and events) kept per recording
RESYNC_GRACE = 10.0  # seconds a user's callback outweighs Agora's (lagging) user list
NOTIFY_WINDOW = 600.0  # seconds after its `notifyMs` a callback is taken for a replay
RESYNC_INTERVAL = 60.0  # seconds between two reads of a directed channel's user list
GAP_DELAY = 1.0  # seconds after a gap before the channels are read (callbacks come in bursts)
JITTER = 0.1
OUTCOMES = ("kept", "refused", "unusable", "ignored", "stale", "unkept")


@dataclass
class Attached:
    """One recording the service keeps in its layout; `director` is None when its layout
    cannot be loaded after a restart, `ended` why Agora ended it (event 11)."""

    spec: AttachSpec
    director: Director | None
    auto: bool
    attached_at: float = field(default_factory=time.time)
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_ERRORS))
    events: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=MAX_ERRORS))
    ended: str | None = None

    def note(self, event: str) -> None:
        self.events.append({"at": datetime.now(UTC).isoformat(timespec="seconds"), "event": event})


def describe(item: Attached) -> dict[str, Any]:
    """The JSON of `GET /recordings/{sid}`: `errors` (refusals, a stop, a change that cannot
    be compiled or published) apart from `warnings` (what the operator should know)."""
    spec, director = item.spec, item.director
    found: dict[str, Any] = {
        "sid": spec.sid,
        "cname": spec.cname,
        "uid": spec.uid,
        "resource_id": spec.resource_id,
        "mode": spec.mode,
        "layout": spec.layout_name,
        "roles": spec.roles,
        "names": spec.names,
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
        broken = {"status": "broken", "participants": [], "errors": list(item.errors)}
        return found | broken | {"warnings": []}
    errors = dict.fromkeys(
        t for t in (director.last_refusal, director.stopped, director.last_error) if t
    )
    return found | {
        "status": director.status,
        "participants": director.participants,
        "acknowledged": director.acknowledged,
        "pending": director.pending,
        "pushes": director.pushes,
        "errors": [*item.errors, *errors][-MAX_ERRORS:],
        "warnings": director.warnings[-MAX_ERRORS:],
    }


class RecordingTarget:
    """A Director's target: a fair turn, the push, the answer logged and kept."""

    def __init__(
        self,
        recording: Recording,
        limiter: FairLimiter,
        acknowledged: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self.recording, self.sid = recording, recording.sid
        self._limiter = limiter
        self._acknowledged = acknowledged

    def take_turn(self) -> None:
        try:
            self._limiter.acquire(self.sid)
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
    """RequestError 422 unless the layout compiles and draws (in memory) for `hosts`, or
    for stand-ins when nobody is there yet, so a bad layout fails now, not at a join."""
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
                422, f"the layout cannot be drawn: {type(exc).__name__}: {exc}", field="layout"
            ) from None


class Reconciler:
    """When to read each directed channel's user list (`channels()`), so one lost callback
    never leaves a channel wrong for good: every `interval` seconds (jittered, so hundreds
    of channels do not ask at once), and all soon after a gap. `due(now)` is pure
    bookkeeping on `clock`; `start()` runs a thread that reads what is due."""

    def __init__(
        self,
        channels: Callable[[], list[str]],
        resync: Callable[[str], object],
        *,
        interval: float = RESYNC_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("the resync interval must be positive")
        self.interval = interval
        self._channels = channels
        self._resync = resync
        self._clock = clock
        self._rng = rng or random.Random()
        self._next: dict[str, float] = {}  # channel -> when it is due
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reads = 0  # user lists read

    def _later(self, now: float) -> float:
        return now + self.interval * (1 + self._rng.uniform(-JITTER, JITTER))

    def add(self, channel: str) -> None:
        """`channel` is directed from now on: first read one (jittered) period later."""
        now = self._clock()
        with self._lock:
            self._next.setdefault(channel, self._later(now))

    def gap(self) -> None:
        """A callback was lost: read every directed channel soon."""
        soon = self._clock() + GAP_DELAY
        directed = self._channels()  # outside the lock: the hub's lock is taken first
        with self._lock:
            for channel in directed:
                self._next[channel] = min(self._next.get(channel, soon), soon)

    def due(self, now: float | None = None) -> list[str]:
        """The channels to read now (each then due one interval later); a new channel is
        first due one interval on."""
        now = self._clock() if now is None else now
        directed = set(self._channels())
        found = []
        with self._lock:
            for channel in list(self._next):
                if channel not in directed:
                    del self._next[channel]
            for channel in sorted(directed):
                when = self._next.setdefault(channel, self._later(now))
                if when <= now:
                    found.append(channel)
                    self._next[channel] = self._later(now)
        return found

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="layoutkit-reconcile", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            for channel in self.due():
                if self._stop.is_set():
                    break
                try:
                    self._resync(channel)
                except Exception as exc:  # one channel's failure never stops the others
                    log.error("reconciling %r failed: %s: %s", channel, type(exc).__name__, exc)
                self.reads += 1

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


@dataclass(frozen=True)
class HubOptions:
    """`layouts`: the folder `file` names are read from; `rate_limit` per `window`: the App
    ID's allowance shared by every recording; `resync`: read Agora's user lists (attach,
    restart, gaps, every `resync_interval`); `assets`: where styled layouts' images go."""

    notify_secret: str
    layouts: Path | None = None
    rate_limit: int = 10
    window: float = 1.15
    resync: bool = True
    resync_interval: float = RESYNC_INTERVAL
    notify_window: float = NOTIFY_WINDOW
    flush_timeout: float = 10.0  # seconds shutdown waits for pending layouts, in all
    assets: Publisher | None = None

    def __repr__(self) -> str:  # the secret never shows
        return f"HubOptions(layouts={self.layouts!r}, rate_limit={self.rate_limit})"


class DirectorHub:
    """Directors for the recordings of one App ID, fed by its Notifications. `clock`
    (monotonic seconds) paces reconciliation; `wall` (Unix seconds) judges `notifyMs`."""

    def __init__(
        self,
        client: CloudRecordingClient,
        store: Store,
        options: HubOptions,
        *,
        on_grant: Callable[[Hashable, float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.store = store
        self.options = options
        self.limiter = FairLimiter(options.rate_limit, options.window, on_grant=on_grant)
        self.user_limiter = FairLimiter(USER_LIST_RATE, 1.0)  # never updateLayout's turns
        self.router = NotificationRouter(clock=clock)
        self.outcomes = dict.fromkeys(OUTCOMES, 0)  # callbacks by outcome (`/healthz`)
        self._count_lock = threading.Lock()
        self._clock = clock
        self._wall = wall
        self.on_change: Callable[[str, list[str], bool], None] | None = None  # auto-record
        self.on_end: Callable[[str, str], None] | None = None  # (channel, sid): it ended
        self._lock = threading.RLock()  # streams, the recordings and event order
        self._recordings: dict[str, Attached] = {}
        self._by_channel: dict[str, dict[str, Attached]] = {}  # cname -> sid -> recording
        self._ended: OrderedDict[str, Attached] = OrderedDict()
        self._attaching: set[str] = set()  # sids checked, not yet kept
        # channel -> the uids of every recorder attached there, detached ones included (a
        # detached recording may still run): Agora's user list names them as hosts
        self._recorders: dict[str, set[str]] = {}
        self.reconciler: Reconciler | None = None
        if options.resync and options.resync_interval > 0:
            self.reconciler = Reconciler(
                self._directed, self.resync, interval=options.resync_interval, clock=clock
            )
        self._closed = False
        self.unsent: list[str] = []  # after close: the sids whose latest layout was not sent

    @property
    def received(self) -> int:
        """Callbacks kept and acted on."""
        return self.outcomes["kept"]

    # --- notifications -----------------------------------------------------------------------

    def notify(self, body: bytes, headers: Mapping[str, str]) -> Answer:
        """Handle one callback: (HTTP status, JSON answer)."""
        answer, kept = self._take(body, headers)
        if kept is None:
            return answer
        notification, seq = kept
        applied = self._apply(notification)
        try:
            self.store.mark_done(seq)
        except StoreError as exc:  # kept already: a restart replays it
            log.error("%s", exc)
        return 200, {"ok": True, "events": applied}

    def _count(self, outcome: str, *, gap: bool = False) -> None:
        with self._count_lock:
            self.outcomes[outcome] += 1
        if gap and self.reconciler is not None:
            self.reconciler.gap()  # a callback was lost: the user lists say who is there

    def _take(
        self, body: bytes, headers: Mapping[str, str]
    ) -> tuple[Answer, tuple[Notification, int] | None]:
        """Verify, parse, judge and keep a callback: the answer, and what to act on."""
        if not verify_signature(body, headers, self.options.notify_secret):
            self._count("refused")
            log.warning("notification refused: bad or missing signature")
            return (401, {"error": "the signature does not match the body and the secret"}), None
        try:
            notification = parse_notification(body)
        except UnknownEventError as exc:
            self._count("ignored")
            log.info("notification ignored: %s", exc.message)
            return (200, {"ok": True, "ignored": exc.message}), None
        except NotificationError as exc:  # signed by Agora: no retry can fix it
            self._count("unusable", gap=True)
            log.warning("notification signed but unusable, answered 200: %s", exc.message)
            return (200, {"ok": True, "ignored": exc.message}), None
        reason = self._reason_to_ignore(notification)
        if reason is not None:
            log.info("notification %s ignored: %s", notification.summary(), reason)
            return (200, {"ok": True, "ignored": reason}), None
        try:
            seq = self.store.add_notification(
                notification.notice_id, notification.channel_name, body
            )
        except StoreError as exc:
            self._count("unkept", gap=True)
            log.error("notification not kept, answered 503 so Agora sends it again: %s", exc)
            return (503, {"error": "the service cannot keep the notification now; retry"}), None
        self._count("kept")
        return (200, {"ok": True}), (notification, seq)

    def _reason_to_ignore(self, notification: Notification) -> str | None:
        if notification.is_health_test:
            self._count("ignored")
            return "the Agora Console's health test"
        sent, window = notification.notify_ms, self.options.notify_window
        if sent is not None and abs(self._wall() - sent / 1000) > window:
            self._count("stale")
            return f"sent over {window:g} s ago (notifyMs {sent}): a replay"
        try:
            seen = self.store.has_notice(notification.notice_id)
        except StoreError as exc:  # cannot tell: the channel streams drop repeats anyway
            log.error("%s", exc)
            seen = False
        if seen:
            self._count("stale")
            return f"noticeId {notification.notice_id!r} was taken before"
        return None

    def _apply(self, notification: Notification) -> int:
        """Act on a kept callback; the number of roster events it gave."""
        if isinstance(notification.payload, RecordingPayload):
            self._recording_event(notification, notification.payload)
            return 0
        with self._lock:
            if self._closed:
                return 0
            channel, events = self.router.handle(notification)
            receivers = self._on_channel(channel)
            _deliver(events, receivers)
            destroyed = notification.event_type == 102
            changed = self.on_change is not None and (events or destroyed)
            hosts = self._shown(channel) if changed else []
        if log.isEnabledFor(logging.INFO):  # `serve -v`; else nothing is formatted
            done = ", ".join(str(e) for e in events) or "no change"
            log.info(
                "notification %s: %s for %d recordings",
                notification.summary(),
                done,
                len(receivers),
            )
        if changed and self.on_change is not None:
            self.on_change(channel, hosts, destroyed)
        return len(events)

    def _on_channel(self, channel: str) -> list[Attached]:
        return list(self._by_channel.get(channel, {}).values())

    def _keep(self, item: Attached) -> None:
        self._recordings[item.spec.sid] = item
        self._by_channel.setdefault(item.spec.cname, {})[item.spec.sid] = item

    def _drop(self, sid: str) -> Attached | None:
        """No longer keep recording `sid` (under `_lock`); unpins a channel left empty."""
        item = self._recordings.pop(sid, None)
        if item is not None:
            here = self._by_channel.get(item.spec.cname, {})
            here.pop(sid, None)
            if not here:
                self._by_channel.pop(item.spec.cname, None)
                self.router.unpin(item.spec.cname)
            try:
                self.store.remove_recording(sid)
            except StoreError as exc:
                log.error("%s", exc)
        return item

    def _directed(self) -> list[str]:
        with self._lock:
            return sorted(self._by_channel)

    def _recording_event(self, notification: Notification, payload: RecordingPayload) -> None:
        with self._lock:
            item = self._recordings.get(payload.sid)
        if item is None:
            log.info("notification %s: no such recording attached", notification.summary())
            return
        log.info("notification %s: %s", notification.summary(), payload.describe())
        if notification.event_type == 11:
            self._end(item, f"Agora ended the recording: {payload.describe()}")
        elif payload.new_uid is not None:
            text = (
                f"session_failover: the recorder rejoined as uid {payload.new_uid}; "
                "layout sent again"
            )
            with self._lock:
                item.note(text)
                self.mark_recorder(item.spec.cname, str(payload.new_uid))
                if item.director is not None:
                    item.director.resend(text)

    def _end(self, item: Attached, reason: str) -> None:
        """Stop directing a recording that ended (at once: no push is sent after it)."""
        sid, cname = item.spec.sid, item.spec.cname
        with self._lock:
            if self._drop(sid) is None:
                return
            item.ended = reason
            item.note(reason)
            self._ended[sid] = item
            while len(self._ended) > MAX_ENDED:
                self._ended.popitem(last=False)
        if item.director is not None:
            item.director.close(timeout=0.0)
        if self.on_end is not None:
            self.on_end(cname, sid)

    def mark_recorder(self, cname: str, uid: str) -> None:
        """`uid` records `cname`: never laid out."""
        with self._lock:
            self._recorders.setdefault(cname, set()).add(uid)
            _deliver(self.router.open(cname).mark_recorder(uid), self._on_channel(cname))

    # --- attaching -------------------------------------------------------------------------

    def attach(self, data: Mapping[str, Any], *, auto: bool = False) -> dict[str, Any]:
        """Attach a running recording (the JSON of `POST /recordings`); its status.
        RequestError: 400 a bad field, 409 attached already, 422 a layout that does not
        load, compile or draw, 503 the store cannot keep it."""
        spec = parse_spec(data)
        layout = load_spec_layout(spec, self.options.layouts)
        with self._lock:  # the sid is taken now: a second attach of it is a 409 at once
            if spec.sid in self._recordings or spec.sid in self._attaching:
                raise RequestError(409, f"recording {spec.sid} is attached already", field="sid")
            self._attaching.add(spec.sid)
        try:
            check_drawable(layout, spec, self.hosts_of(spec.cname, exclude={spec.uid}))
            try:
                self.store.add_recording(spec.sid, spec.cname, spec.data(), auto=auto)
            except StoreError as exc:
                raise RequestError(503, exc.message) from None
            self._register(Attached(spec, self._director(spec, layout), auto))
        finally:
            with self._lock:
                self._attaching.discard(spec.sid)
        log.info("attached %r (%r, %s)", spec.sid, spec.cname, spec.layout_name)
        return self.describe(spec.sid)

    def _director(self, spec: AttachSpec, layout: Layout) -> Director:
        from layoutkit.client import Recording

        recording = Recording(self.client, spec.resource_id, spec.sid, "mix", spec.cname, spec.uid)
        return Director(
            RecordingTarget(recording, self.limiter, self.acknowledged),
            layout,
            spec.roles,
            options=spec.director_options(),
            names=spec.names,
            assets=self.options.assets,
        )

    def _register(self, item: Attached, order: list[str] | None = None) -> None:
        """Keep a recording: its channel pinned, its recorder no host, its Director seeded
        with the channel's hosts now (in `order` first), before any later event."""
        cname = item.spec.cname
        with self._lock:
            self.router.pin(cname)
            if self.reconciler is not None:
                self.reconciler.add(cname)
            self.mark_recorder(cname, item.spec.uid)
            self._keep(item)
            hosts = self._shown(cname)
            if order:
                known = [u for u in order if u in hosts]
                hosts = known + [u for u in hosts if u not in known]
            if item.director is not None and hosts:
                item.director.seed(hosts)

    def _shown(self, cname: str, exclude: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """The channel's hosts in join order, without any recorder (under `_lock`)."""
        stream = self.router.stream(cname)
        recorders = self._recorders.get(cname, set()) | exclude
        return [u for u in (stream.hosts if stream else []) if u not in recorders]

    def hosts_of(self, cname: str, *, exclude: set[str]) -> list[str]:
        """Who is shown in the channel now: the hosts the notifications showed, else
        (with `resync`) Agora's user list; never a recorder of ours."""
        with self._lock:
            if self.router.stream(cname) is not None or not self.options.resync:
                return self._shown(cname, exclude)
        self.resync(cname, exclude=exclude)
        with self._lock:
            return self._shown(cname, exclude)

    def resync(self, cname: str, *, exclude: set[str] | None = None) -> list[Event]:
        """Read the channel's user list (a turn on the user-list limiter) and make its
        stream and Directors agree; callbacks since `RESYNC_GRACE` seconds ago win. An
        API error is logged and changes nothing."""
        since = self._clock() - RESYNC_GRACE
        try:
            self.user_limiter.acquire(("users", cname))
            users = self.client.channel_users(cname)
        except LimiterClosedError:
            return []
        except ApiError as exc:
            log.warning("user list of %s unavailable, kept what is known: %s", cname, exc)
            return []
        with self._lock:
            recorders = (exclude or set()) | self._recorders.get(cname, set())
            shown = [u for u in users.shown if u not in recorders]
            events = self.router.open(cname).resync(shown, since=since)
            receivers = self._on_channel(cname)
            _deliver(events, receivers)
            if events:
                text = "reconciled with Agora's user list: " + ", ".join(map(str, events))
                for item in receivers:
                    item.note(text)
        if events:
            log.info("user list of %s: %s", cname, ", ".join(map(str, events)))
        return events

    def detach(self, sid: str) -> bool:
        """Stop directing a recording (the recording itself goes on); False if unknown."""
        with self._lock:
            item = self._drop(sid)
            if item is None:
                return self._ended.pop(sid, None) is not None
        if item.director is not None:
            item.director.close()
        log.info("detached %r", sid)
        return True

    # --- what the app knows ------------------------------------------------------------------

    def _director_of(self, sid: str) -> tuple[Attached, Director]:
        """The attached recording `sid` and its Director (RequestError 404 / 409)."""
        with self._lock:
            item = self._recordings.get(sid)
        if item is None:
            raise RequestError(404, f"no recording {sid} is attached", field="sid")
        if item.director is None:
            raise RequestError(
                409,
                f"recording {sid} has no director: its layout could not be loaded after "
                "a restart (see its errors); detach it and attach it again",
                field="sid",
            )
        return item, item.director

    def set_name(self, sid: str, uid: object, name: object) -> dict[str, Any]:
        """Show `name` for `uid` in recording `sid`; its state. RequestError: 400 a bad
        uid or name, 404 not attached, 409 its layout could not be loaded."""
        item, director = self._director_of(sid)
        key, text = checked_name(uid, name, "name")
        with self._lock:  # after the channel's events so far
            if key not in item.spec.names and len(item.spec.names) >= MAX_NAMES:
                raise RequestError(
                    400, f"a recording keeps at most {MAX_NAMES} names", field="name"
                )
            item.spec = replace(item.spec, names={**item.spec.names, key: text})
            try:
                self.store.set_spec(sid, item.spec.data())
            except StoreError as exc:  # the name applies now; a restart would lose it
                log.error("%s", exc)
            director.handle(Event("name", key, None, text))
        return self.describe(sid)

    def set_media(
        self, sid: str, uid: object, *, video: bool | None = None, audio: bool | None = None
    ) -> dict[str, Any]:
        """The app's report of `uid`'s camera and microphone; the recording's state."""
        item, director = self._director_of(sid)
        key = _checked_uid(uid)
        item.note(f"reported: {key} video {_word(video)}, audio {_word(audio)}")
        with self._lock:
            director.set_media(key, video=video, audio=audio)
        return self.describe(sid)

    def set_speaker(self, sid: str, uid: object) -> dict[str, Any]:
        """The active speaker the app reports (None: nobody speaks); the state."""
        _, director = self._director_of(sid)
        key = None if uid is None else _checked_uid(uid)
        with self._lock:
            director.set_speaker(key)
        return self.describe(sid)

    def attached(self, sid: str) -> Attached | None:
        with self._lock:
            return self._recordings.get(sid)

    def acknowledged(self, sid: str, payload: dict[str, Any]) -> None:
        """A push was acknowledged: keep it and the join order, for a restart."""
        item = self.attached(sid)
        try:
            self.store.set_acknowledged(sid, payload)
            if item is not None and item.director is not None:
                self.store.set_order(sid, item.director.participants)
        except StoreError as exc:
            log.error("%s", exc)

    def sids(self) -> list[str]:
        with self._lock:
            return list(self._recordings)

    def describe(self, sid: str) -> dict[str, Any]:
        """A recording's state; RequestError 404 unless attached or recently ended."""
        with self._lock:
            item = self._recordings.get(sid) or self._ended.get(sid)
            if item is None:
                raise RequestError(404, f"no recording {sid} is attached", field="sid")
            return describe(item)

    def counts(self) -> dict[str, Any]:
        """What `/healthz` shows: recordings, channels followed, callbacks by outcome."""
        with self._lock:
            found: dict[str, Any] = {
                "recordings": len(self._recordings),
                "channels": len(self.router.channels),
            }
        with self._count_lock:
            found["notifications"] = dict(self.outcomes)
        if self.reconciler is not None:
            found["user_lists_read"] = self.reconciler.reads
        return found

    # --- restart and shutdown ----------------------------------------------------------------

    def resume(self) -> int:
        """Rebuild from the store after a restart; the number of recordings resumed. A
        stored recording that cannot be read is skipped, named; one whose layout cannot
        be loaded stays attached, `broken`."""
        replayed = 0
        for kept in self.store.notifications():
            try:
                notification = parse_notification(kept.body)
            except NotificationError:
                continue
            with self._lock:
                self.router.handle(notification, replayed=True)
            replayed += 1
        usable = [item for row in self.store.recordings() if (item := self._stored(row))]
        with self._lock:  # the recorders are known before any user list is read
            for item in usable:
                self._keep(item)
                self._recorders.setdefault(item.spec.cname, set()).add(item.spec.uid)
        if self.options.resync:
            for cname in sorted({item.spec.cname for item in usable}):
                self.resync(cname)
        for item in usable:
            self._restart(item)
        log.info("resumed %d recordings (%d notifications replayed)", len(usable), replayed)
        return len(usable)

    def _stored(self, row: StoredRecording) -> Attached | None:
        problem = row.problem
        if problem is None:
            try:
                return Attached(parse_spec(row.spec), None, row.auto, row.attached_at)
            except RequestError as exc:
                where = self.store.path or "the in-memory database"
                problem = f"{where}: recording {row.sid}: {exc.message}"
        log.error("skipped a stored recording: %s; detach it with DELETE /recordings/SID", problem)
        return None

    def _restart(self, item: Attached) -> None:
        sid = item.spec.sid
        if self.attached(sid) is None:
            return
        try:
            layout = load_spec_layout(item.spec, self.options.layouts)
        except RequestError as exc:
            item.errors.append(f"after a restart: {exc.message}")
            log.error("recording %s not resumed: %s", sid, exc.message)
            return
        item.director = self._director(item.spec, layout)
        self._register(item, self.store.order(sid))

    def start(self) -> None:
        """Start reconciling (after `resume`)."""
        if self.reconciler is not None:
            self.reconciler.start()

    def flush(self, timeout: float) -> bool:
        """Wait until every recording's latest layout is finished (or `timeout`)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            directors = [a.director for a in self._recordings.values() if a.director]
        done = True
        for director in directors:
            done = director.flush(max(deadline - time.monotonic(), 0.0)) and done
        return done

    def close(self) -> None:
        """Finish what is pending (up to `flush_timeout`), stop every Director, close the
        limiters and the store. The recordings themselves go on."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.reconciler is not None:
            self.reconciler.close()
        self.flush(self.options.flush_timeout)
        closer = getattr(self.options.assets, "close", None)
        if callable(closer):  # uploads still running are stopped, not left behind
            closer()
        self.limiter.close()
        self.user_limiter.close()
        with self._lock:
            items = [a for a in self._recordings.values() if a.director is not None]
        self.unsent = [a.spec.sid for a in items if a.director and a.director.status == "pending"]
        for item in items:
            if item.director is not None:
                item.director.close(timeout=2.0)
        self.store.close()

    def __repr__(self) -> str:
        return f"DirectorHub({len(self._recordings)} recordings, {self.store!r})"


def _deliver(events: list[Event], receivers: list[Attached]) -> None:
    """Hand `events` to the Directors of `receivers`, in order (under the hub's lock)."""
    for item in receivers:
        if item.director is not None:
            for event in events:
                item.director.handle(event)


def _checked_uid(uid: object) -> str:
    try:
        return check_uid(uid if isinstance(uid, str) else str(uid))
    except ValueError as exc:
        raise RequestError(400, str(exc), field="uid") from None


def _word(value: bool | None) -> str:
    return "unchanged" if value is None else ("on" if value else "off")
