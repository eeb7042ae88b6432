"""The service's core: many recordings of one App ID, each kept in its layout by its own
Director, all fed by Agora Notifications and all sharing one fair rate limiter.

- `notify(body, headers)`: a callback is judged and kept (`service.intake`: 401 a bad
  signature, 200 for what no retry can fix, 503 when it cannot be kept), then acted on:
  RTC channel events become roster events by the channel's stream (duplicates, stale and
  out-of-order events, recorders and the audience dropped), routed through an index of
  the channel's recordings to their Directors; Cloud Recording's own events end a
  recording (11) or follow its recorder to a new uid (12).
- `attach(request)`: a running recording joins (409 if it is attached already, 422 if
  its layout does not load, compile or draw for who is in the channel); its Director is
  seeded with the channel's hosts (those the notifications showed, else Agora's user
  list).
- What the app knows and Agora does not tell: `set_name` (the name a styled layout
  writes), `set_media` (camera and microphone), `set_speaker` (the active speaker); each
  applied after the channel's events so far.

The hub only routes: under its lock (which keeps a channel's events in order) it hands
each event to the Directors of the channel, which change their participant set and
return; each Director's own worker compiles, publishes and pushes (`live.director`), so
a callback is answered at once, however long a publisher takes.
- Reconciliation (`service.reconcile`): every directed channel's user list is read
  periodically and after any gap, on a limiter of its own; differences become events.
- `resume()`: after a restart, the kept callbacks are replayed to rebuild each channel,
  each channel with an attached recording is resynchronised from the user list, then
  every recording's Director starts and pushes the layout for who is there. A stored
  recording that cannot be read is skipped, named.
- Every push takes a turn on one `FairLimiter` (round-robin across recordings, at most
  `rate_limit` requests per `window`), so no channel starves and the App ID's limit
  holds; the service's client makes one attempt per call, so each request is one turn.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layoutkit.errors import ApiError
from layoutkit.layout.loader import Layout
from layoutkit.live.channels import NotificationRouter
from layoutkit.live.director import Director
from layoutkit.live.notifications import Notification, RecordingPayload
from layoutkit.live.roster import Event
from layoutkit.live.scheduler import FairLimiter, LimiterClosedError
from layoutkit.service.intake import NOTIFY_WINDOW, Intake
from layoutkit.service.reconcile import RESYNC_INTERVAL, Reconciler
from layoutkit.service.recordings import Attached, RecordingTarget, check_drawable, describe
from layoutkit.service.spec import (
    MAX_NAMES,
    AttachSpec,
    RequestError,
    checked_name,
    load_spec_layout,
    parse_spec,
)
from layoutkit.service.store import Store, StoreError
from layoutkit.wire.replies import USER_LIST_RATE
from layoutkit.wire.rules import check_uid

if TYPE_CHECKING:
    from layoutkit.assets import Publisher
    from layoutkit.client import CloudRecordingClient

log = logging.getLogger("layoutkit.service")
Answer = tuple[int, dict[str, Any]]
MAX_ENDED = 1_000  # ended recordings still described by GET /recordings/{sid}
RESYNC_GRACE = 10.0
"""Seconds a user's callback outweighs Agora's user list: the list is read while callbacks
come and may lag behind them, so a user whose callback came this recently keeps it."""


@dataclass(frozen=True)
class HubOptions:
    """`notify_secret`: the Notifications secret the callbacks are signed with;
    `layouts`: the folder `file` names are read from; `rate_limit` per `window` seconds:
    the App ID's allowance shared by every recording; `resync`: read Agora's user list
    (attach, restart, gaps and every `resync_interval` seconds); `notify_window`: how
    old a callback may be (`notifyMs`) before it is taken for a replay; `assets`: where
    every Director publishes a styled layout's images (None: the layouts are pushed
    without them, with a warning)."""

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
        self.intake = Intake(options.notify_secret, store, options.notify_window, wall)
        self.router = NotificationRouter(clock=clock)
        self._clock = clock
        self.on_change: Callable[[str, list[str], bool], None] | None = None  # auto-record
        self.on_end: Callable[[str, str], None] | None = None  # (channel, sid): it ended
        self._lock = threading.RLock()  # streams, the recordings and event order
        self._recordings: dict[str, Attached] = {}
        self._by_channel: dict[str, dict[str, Attached]] = {}  # cname -> sid -> recording
        self._ended: OrderedDict[str, Attached] = OrderedDict()
        self._attaching: set[str] = set()  # sids being attached (checked, not yet kept)
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
        return self.intake.counts.kept

    # --- notifications -----------------------------------------------------------------------

    def notify(self, body: bytes, headers: Mapping[str, str]) -> Answer:
        """Handle one callback: (HTTP status, JSON answer)."""
        verdict = self.intake.take(body, headers)
        if verdict.gap and self.reconciler is not None:
            self.reconciler.gap()  # a callback was lost: the user lists say who is there
        notification = verdict.notification
        if notification is None:
            return verdict.answer
        applied = self._apply(notification)
        try:
            self.store.mark_done(verdict.seq)
        except StoreError as exc:  # kept already: a restart replays it
            log.error("%s", exc)
        return 200, {"ok": True, "events": applied}

    def _apply(self, notification: Notification) -> int:
        """Act on a kept callback; the number of roster events it gave.

        Routing (the channel's stream, its recordings' Directors) happens under the hub's
        lock, so a channel's events reach its Directors in order; a Director only
        changes its participant set here (its worker compiles and pushes)."""
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
        """The recordings attached in `channel` (under `_lock`), by the channel's index."""
        return list(self._by_channel.get(channel, {}).values())

    def _keep(self, item: Attached) -> None:
        """Keep `item` as attached, in the index of its channel (under `_lock`)."""
        self._recordings[item.spec.sid] = item
        self._by_channel.setdefault(item.spec.cname, {})[item.spec.sid] = item

    def _drop(self, sid: str) -> Attached | None:
        """No longer keep recording `sid` (under `_lock`); the item, or None if unknown."""
        item = self._recordings.pop(sid, None)
        if item is not None:
            here = self._by_channel.get(item.spec.cname, {})
            here.pop(sid, None)
            if not here:
                self._by_channel.pop(item.spec.cname, None)
        return item

    def _directed(self) -> list[str]:
        with self._lock:
            return sorted(self._by_channel)

    # --- Cloud Recording's own events --------------------------------------------------------

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
            self._failover(item, str(payload.new_uid))

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
            if not self._on_channel(cname):
                self.router.unpin(cname)
        self._forget(sid)
        if item.director is not None:
            item.director.close(timeout=0.0)
        if self.on_end is not None:
            self.on_end(cname, sid)

    def _failover(self, item: Attached, new_uid: str) -> None:
        """The recorder rejoined with `new_uid`: never a participant; the latest layout
        goes to the new worker again."""
        cname = item.spec.cname
        text = f"session_failover: the recorder rejoined as uid {new_uid}; layout sent again"
        with self._lock:
            item.note(text)
            self._mark_recorder(cname, new_uid)
            if item.director is not None:
                item.director.resend(text)

    def mark_recorder(self, cname: str, uid: str) -> None:
        """`uid` records `cname` (the auto-recorder's, before it starts): never laid out."""
        with self._lock:
            self._mark_recorder(cname, uid)

    def _mark_recorder(self, cname: str, uid: str) -> None:
        self._recorders.setdefault(cname, set()).add(uid)
        events = self.router.open(cname).mark_recorder(uid)
        _deliver(events, self._on_channel(cname))

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
            hosts = self.hosts_of(spec.cname, exclude={spec.uid})
            check_drawable(layout, spec, hosts)
            try:
                self.store.add_recording(spec.sid, spec.cname, spec.data(), auto=auto)
            except StoreError as exc:
                raise RequestError(503, exc.message) from None
            director = self._director(spec, layout)  # compiles nothing until seeded
            with self._lock:
                self._register(Attached(spec, director, auto))
        finally:
            with self._lock:
                self._attaching.discard(spec.sid)
        log.info("attached %r (%r, %s)", spec.sid, spec.cname, spec.layout_name)
        return self.describe(spec.sid)

    def _director(self, spec: AttachSpec, layout: Layout) -> Director:
        """A Director for the recording, with nobody yet (`_register` seeds it)."""
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
        """Keep a recording (under `_lock`): its channel is pinned (who is in a directed
        channel is never forgotten), its recorder is no host there for any director, and
        its Director is seeded with the hosts the channel has now (in `order` first),
        before any event that comes after."""
        cname, uid = item.spec.cname, item.spec.uid
        self.router.pin(cname)
        if self.reconciler is not None:
            self.reconciler.add(cname)
        self._mark_recorder(cname, uid)
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
        """Who is shown in the channel now, in join order: the hosts the notifications
        showed, else (with `resync`) Agora's user list; never a recorder of ours."""
        with self._lock:
            if self.router.stream(cname) is not None or not self.options.resync:
                return self._shown(cname, exclude)
        self.resync(cname, exclude=exclude)
        with self._lock:
            return self._shown(cname, exclude)

    def resync(self, cname: str, *, exclude: set[str] | None = None) -> list[Event]:
        """Read the channel's user list (a turn on the user-list limiter) and make its
        stream (and directors) agree; the events that took them there. The recorders
        known here (and `exclude`) are never hosts; callbacks that arrive while the list
        is read, or `RESYNC_GRACE` seconds before, win over it. An API error is logged and
        changes nothing."""
        since = self._clock() - RESYNC_GRACE  # what callbacks said since then stands
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
        with self._lock:  # the stored row goes with the entry, so a new attach can follow
            item = self._drop(sid)
            if item is None:
                return self._ended.pop(sid, None) is not None
            if not self._on_channel(item.spec.cname):
                self.router.unpin(item.spec.cname)
            self._forget(sid)
        if item.director is not None:
            item.director.close()
        log.info("detached %r", sid)
        return True

    def _forget(self, sid: str) -> None:
        try:
            self.store.remove_recording(sid)
        except StoreError as exc:
            log.error("%s", exc)

    # --- what the app knows ------------------------------------------------------------------

    def _live_item(self, sid: str) -> Attached:
        """The attached recording `sid` with a Director (RequestError 404 / 409)."""
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
        return item

    def _later(self, item: Attached, task: Callable[[], None]) -> dict[str, Any]:
        """Give the Director what the app reported, after the channel's events so far
        (its worker makes the picture); the recording's state."""
        with self._lock:
            task()
        return self.describe(item.spec.sid)

    def set_name(self, sid: str, uid: object, name: object) -> dict[str, Any]:
        """Show `name` for `uid` in recording `sid` (its Director recompiles and pushes
        when the picture changes); the recording's state. RequestError: 400 a bad uid or
        name, 404 not attached, 409 its layout could not be loaded after a restart."""
        item = self._live_item(sid)
        key, text = checked_name(uid, name, "name")
        with self._lock:
            if key not in item.spec.names and len(item.spec.names) >= MAX_NAMES:
                raise RequestError(
                    400, f"a recording keeps at most {MAX_NAMES} names", field="name"
                )
            item.spec = replace(item.spec, names={**item.spec.names, key: text})
            try:
                self.store.set_spec(sid, item.spec.data())
            except StoreError as exc:  # the name applies now; a restart would lose it
                log.error("%s", exc)
        director = item.director
        assert director is not None
        return self._later(item, lambda: director.handle(Event("name", key, None, text)))

    def set_media(
        self, sid: str, uid: object, *, video: bool | None = None, audio: bool | None = None
    ) -> dict[str, Any]:
        """What the app's clients report of `uid`'s camera (`video`) and microphone
        (`audio`): hiding (`hide_camera_off`, `hide_audio_only`) follows it. The
        recording's state; RequestError 400 a bad uid, 404 / 409 as `set_name`."""
        item = self._live_item(sid)
        key = _checked_uid(uid)
        item.note(f"reported: {key} video {_word(video)}, audio {_word(audio)}")
        director = item.director
        assert director is not None
        return self._later(item, lambda: director.set_media(key, video=video, audio=audio))

    def set_speaker(self, sid: str, uid: object) -> dict[str, Any]:
        """The active speaker the app's clients report (None: nobody speaks); a layout's
        `speaker` role follows it with hysteresis (`speaker_hold`, `speaker_interval`)."""
        item = self._live_item(sid)
        key = None if uid is None else _checked_uid(uid)
        director = item.director
        assert director is not None
        return self._later(item, lambda: director.set_speaker(key))

    def attached(self, sid: str) -> Attached | None:
        with self._lock:
            return self._recordings.get(sid)

    def acknowledged(self, sid: str, payload: dict[str, Any]) -> None:
        """A push was acknowledged: keep it and the participants' join order, so a
        restart knows the last layout and keeps everyone in their place."""
        with self._lock:
            item = self._recordings.get(sid)
        director = item.director if item is not None else None
        try:
            self.store.set_acknowledged(sid, payload)
            if director is not None:
                self.store.set_order(sid, director.participants)
        except StoreError as exc:
            log.error("%s", exc)

    # --- answers ---------------------------------------------------------------------------

    def sids(self) -> list[str]:
        with self._lock:
            return list(self._recordings)

    def describe(self, sid: str) -> dict[str, Any]:
        """A recording's state (`service.recordings.describe`); RequestError 404 when it
        is neither attached nor recently ended."""
        with self._lock:
            item = self._recordings.get(sid) or self._ended.get(sid)
            if item is None:
                raise RequestError(404, f"no recording {sid} is attached", field="sid")
            return describe(item)

    def counts(self) -> dict[str, Any]:
        """What `/healthz` shows: recordings, channels followed, callbacks by outcome."""
        with self._lock:
            recordings, channels = len(self._recordings), len(self.router.channels)
        found: dict[str, Any] = {"recordings": recordings, "channels": channels}
        found["notifications"] = self.intake.counts.as_json()
        if self.reconciler is not None:
            found["user_lists_read"] = self.reconciler.reads
        return found

    # --- restart and shutdown ----------------------------------------------------------------

    def resume(self) -> int:
        """Rebuild from the store after a restart (`service.restart.resume`): the number
        of recordings resumed."""
        from layoutkit.service.restart import resume

        return resume(self)

    def replay(self, notification: Notification) -> None:
        """Rebuild a channel's stream from a kept callback (`resume`): no Director yet."""
        with self._lock:
            self.router.handle(notification, replayed=True)

    def keep_stored(self, item: Attached) -> None:
        """A recording read back from the store (`resume`), its Director not yet built:
        its recorder is known at once, before any user list is read."""
        with self._lock:
            self._keep(item)
            self._recorders.setdefault(item.spec.cname, set()).add(item.spec.uid)

    def restart(self, item: Attached, layout: Layout) -> None:
        """Give a stored recording its Director again (`resume`), in the join order it
        last had."""
        director = self._director(item.spec, layout)
        with self._lock:
            self._register(
                Attached(item.spec, director, item.auto, item.attached_at),
                self.store.order(item.spec.sid),
            )

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
            items = list(self._recordings.values())
        self.unsent = [  # a push not sent, or a change whose images were not published
            a.spec.sid for a in items if a.director is not None and a.director.status == "pending"
        ]
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


__all__ = ["Attached", "DirectorHub", "HubOptions", "LimiterClosedError"]
