"""The service's core: many recordings of one App ID, each kept in its layout by its own
Director, all fed by Agora Notifications and all sharing one fair rate limiter.

- `notify(body, headers)`: a callback is verified (401 otherwise), parsed, written to the
  store (503 when it cannot be, so Agora sends it again), turned into roster events by
  the channel's stream (duplicates, stale and out-of-order events, the recorder and the
  audience dropped); 200, and the channel's worker hands the events to its Directors.
- `attach(request)`: a running recording joins (409 if it is attached already, 422 if
  its layout does not load or compile for who is in the channel); its Director starts
  from the channel's hosts: those the notifications showed, else Agora's user list.
- `set_name(sid, uid, name)`: the name a styled layout writes for a person (kept with
  the recording; Notifications carry no names), after the channel's events so far.
- `resume()`: after a restart, the kept callbacks are replayed to rebuild each channel,
  each channel with an attached recording is resynchronised from the user list, then
  every recording's Director starts and pushes the layout for who is there.
- Every push takes a turn on one `FairLimiter` (round-robin across recordings, at most
  `rate_limit` requests per `window`), so no channel starves and the App ID's limit
  holds; the service's client makes one attempt per call, so each request is one turn.
- With `HubOptions.assets`, every Director publishes its styled layout's images there
  (one publisher for all, which remembers what is published).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layoutkit.compile.compiler import compile_full
from layoutkit.errors import ApiError, LayoutkitError, NotificationError, TransportError
from layoutkit.layout.loader import Layout
from layoutkit.live.director import Director
from layoutkit.live.notifications import (
    Notification,
    NotificationRouter,
    UnknownEventError,
    parse_notification,
    verify_signature,
)
from layoutkit.live.roster import Event
from layoutkit.live.scheduler import FairLimiter, LimiterClosedError
from layoutkit.service.handoff import Handoff
from layoutkit.service.spec import (
    MAX_NAMES,
    AttachSpec,
    RequestError,
    checked_name,
    load_spec_layout,
    parse_spec,
)
from layoutkit.service.store import Store, StoreError

if TYPE_CHECKING:
    from layoutkit.assets import Publisher
    from layoutkit.client import CloudRecordingClient, Recording

log = logging.getLogger("layoutkit.service")
MAX_ERRORS = 20  # recent errors kept per recording
Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class HubOptions:
    """`notify_secret`: the Notifications secret the callbacks are signed with;
    `layouts`: the folder `file` names are read from; `rate_limit` per `window` seconds:
    the App ID's allowance shared by every recording; `resync`: read Agora's user list
    when a channel's hosts are not known from notifications (attach, restart);
    `assets`: where every Director publishes a styled layout's images (None: the
    layouts are pushed without them, with a warning)."""

    notify_secret: str
    layouts: Path | None = None
    rate_limit: int = 10
    window: float = 1.15
    resync: bool = True
    flush_timeout: float = 10.0  # seconds shutdown waits for pending layouts, in all
    assets: Publisher | None = None

    def __repr__(self) -> str:  # the secret never shows
        return f"HubOptions(layouts={self.layouts!r}, rate_limit={self.rate_limit})"


@dataclass
class Attached:
    """One recording the service keeps in its layout."""

    spec: AttachSpec
    director: Director | None  # None when its layout cannot be loaded after a restart
    auto: bool
    attached_at: float
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_ERRORS))


class _Turns:
    """The Director's target: a fair turn (taken before the Director chooses the state,
    so the latest state goes out), the push, then the acknowledged layout kept."""

    def __init__(self, hub: DirectorHub, sid: str, recording: Recording) -> None:
        self.hub, self.sid, self.recording = hub, sid, recording

    def take_turn(self) -> None:
        try:
            self.hub.limiter.acquire(self.sid)
        except LimiterClosedError:  # stopping: the Director treats it as transient
            raise TransportError("the service is stopping; not sent") from None

    def update_layout(self, layout: Mapping[str, Any]) -> object:
        answer = self.recording.update_layout(layout)
        self.hub.acknowledged(self.sid, dict(layout))
        return answer


class DirectorHub:
    """Directors for the recordings of one App ID, fed by its Notifications."""

    def __init__(
        self,
        client: CloudRecordingClient,
        store: Store,
        options: HubOptions,
        *,
        on_grant: Callable[[Hashable, float], None] | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.options = options
        self.limiter = FairLimiter(options.rate_limit, options.window, on_grant=on_grant)
        self.router = NotificationRouter()
        self.on_change: Callable[[str, list[str], bool], None] | None = None  # auto-record
        self._lock = threading.RLock()  # streams, the recordings and event order
        self._recordings: dict[str, Attached] = {}
        self._attaching: set[str] = set()  # sids being attached (checked, not yet kept)
        # channel -> the uids of every recorder attached there, detached ones included (a
        # detached recording may still run): Agora's user list names them as hosts
        self._recorders: dict[str, set[str]] = {}
        self._handoff = Handoff(self._lock)  # events routed, handed to directors after
        self._closed = False
        self.received = 0  # callbacks accepted (200)
        self.unsent: list[str] = []  # after close: the sids whose latest layout was not sent

    # --- notifications -----------------------------------------------------------------------

    def notify(self, body: bytes, headers: Mapping[str, str]) -> Answer:
        """Handle one callback: (HTTP status, JSON answer)."""
        if not verify_signature(body, headers, self.options.notify_secret):
            log.warning("notification refused: bad or missing signature")
            return 401, {"error": "the signature does not match the body and the secret"}
        try:
            notification = parse_notification(body)
        except UnknownEventError as exc:  # another product's events: taken, not used
            log.info("notification ignored: %s", exc.message)
            return 200, {"ok": True, "ignored": exc.message}
        except NotificationError as exc:
            log.warning("notification refused: %s", exc.message)
            return 400, {"error": exc.message, "field": exc.field}
        try:
            seq = self.store.add_notification(
                notification.notice_id, notification.channel_name, body
            )
        except StoreError as exc:
            log.error("notification not kept, answered 503 so Agora sends it again: %s", exc)
            return 503, {"error": "the service cannot keep the notification now; retry"}
        applied = self._apply(notification)
        try:
            self.store.mark_done(seq)
        except StoreError as exc:  # kept already: a restart replays it
            log.error("%s", exc)
        with self._lock:
            self.received += 1
        return 200, {"ok": True, "events": applied}

    def _apply(self, notification: Notification) -> int:
        """Route a callback to its channel's directors; the number of roster events.

        Routing (the channel's stream) happens under the hub's lock; the directors get
        the events outside it (`_queue`, `service.handoff`): a slow compile for one channel never
        holds up another channel's callbacks (or `/healthz`)."""
        with self._lock:
            if self._closed:
                return 0
            channel, events = self.router.handle(notification)
            if not self._on_channel(channel):
                log.info("notification for %r (no recording attached): followed", channel)
            self._queue(channel, events)
            stream = self.router.stream(channel)
            hosts = stream.hosts if stream is not None else []
            destroyed = notification.event_type == 102
        self._handoff.hand_later(channel)  # answered now; a slow publish waits in a worker
        if self.on_change is not None and (events or destroyed):
            self.on_change(channel, hosts, destroyed)
        return len(events)

    def _queue(self, channel: str, events: list[Event]) -> None:
        """Queue `events` for the directors attached to `channel` now (under `_lock`)."""
        self._handoff.put(channel, events, self._on_channel(channel))

    def _on_channel(self, channel: str) -> list[Attached]:
        return [a for a in self._recordings.values() if a.spec.cname == channel]

    # --- attaching -------------------------------------------------------------------------

    def attach(self, data: Mapping[str, Any], *, auto: bool = False) -> dict[str, Any]:
        """Attach a running recording (the JSON of `POST /recordings`); its status.
        RequestError: 400 a bad field, 409 attached already, 422 a layout that does not
        load or compile, 503 the store cannot keep it."""
        spec = parse_spec(data)
        layout = load_spec_layout(spec, self.options.layouts)
        with self._lock:  # the sid is taken now: a second attach of it is a 409 at once
            if spec.sid in self._recordings or spec.sid in self._attaching:
                raise RequestError(409, f"recording {spec.sid} is attached already", field="sid")
            self._attaching.add(spec.sid)
        try:
            hosts = self.hosts_of(spec.cname, exclude={spec.uid})
            try:
                compile_full(layout, hosts, spec.roles, names=spec.names)
            except LayoutkitError as exc:
                raise RequestError(
                    422,
                    f"the layout does not compile for the {len(hosts)} people in "
                    f"{spec.cname}: {exc}",
                    field="layout",
                ) from None
            try:
                self.store.add_recording(spec.sid, spec.cname, spec.data(), auto=auto)
            except StoreError as exc:
                raise RequestError(503, exc.message) from None
            director = self._director(spec, layout, hosts)  # compiles: outside the lock
            with self._lock:
                self._register(Attached(spec, director, auto, time.time()), hosts)
        finally:
            with self._lock:
                self._attaching.discard(spec.sid)
        self._handoff.hand_later(spec.cname)  # never behind a slow publish of the channel
        log.info("attached %r (%r, %s)", spec.sid, spec.cname, spec.layout_name)
        return self.describe(spec.sid)

    def _director(self, spec: AttachSpec, layout: Layout, hosts: list[str]) -> Director:
        """A Director for the recording, started from `hosts` (it compiles for them)."""
        from layoutkit.client import Recording

        recording = Recording(self.client, spec.resource_id, spec.sid, "mix", spec.cname, spec.uid)
        return Director(
            _Turns(self, spec.sid, recording),
            layout,
            spec.roles,
            options=spec.director_options(),
            participants=hosts,
            names=spec.names,
            assets=self.options.assets,
        )

    def _register(self, item: Attached, seeded: list[str]) -> None:
        """Keep a recording whose director started from `seeded` (under `_lock`): its
        channel is pinned (who is in a directed channel is never forgotten), its recorder
        is no host there for any director, and the events that came while the director
        was being built are queued for it (the caller hands them over after the lock)."""
        cname, uid = item.spec.cname, item.spec.uid
        self._recordings[item.spec.sid] = item
        self.router.pin(cname)
        self._recorders.setdefault(cname, set()).add(uid)
        stream = self.router.stream(cname)
        self._queue(cname, stream.drop(uid) if stream is not None else [])
        now = self._shown(cname)
        missed = [Event("leave", u) for u in seeded if u not in now]
        missed += [Event("join", u) for u in now if u not in seeded]
        self._handoff.put(cname, missed, [item])

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
        """Read the channel's user list and make its stream (and directors) agree; the
        events that took them there. The recorders known here (and `exclude`) are never
        hosts. An API error is logged and changes nothing."""
        try:
            users = self.client.channel_users(cname)
        except ApiError as exc:
            log.warning("user list of %s unavailable, kept what is known: %s", cname, exc)
            return []
        with self._lock:
            recorders = (exclude or set()) | self._recorders.get(cname, set())
            shown = [u for u in users.shown if u not in recorders]
            events = self.router.open(cname).resync(shown)
            self._queue(cname, events)
        self._handoff.hand_later(cname)
        return events

    def detach(self, sid: str) -> bool:
        """Stop directing a recording (the recording itself goes on); False if unknown."""
        with self._lock:  # the stored row goes with the entry, so a new attach can follow
            item = self._recordings.pop(sid, None)
            if item is None:
                return False
            if not self._on_channel(item.spec.cname):
                self.router.unpin(item.spec.cname)
            try:
                self.store.remove_recording(sid)
            except StoreError as exc:
                log.error("%s", exc)
        if item.director is not None:
            item.director.close()
        log.info("detached %r", sid)
        return True

    def set_name(self, sid: str, uid: object, name: object) -> dict[str, Any]:
        """Show `name` for `uid` in recording `sid` (its Director recompiles and pushes
        when the picture changes); the recording's state. RequestError: 400 a bad uid or
        name, 404 not attached, 409 its layout could not be loaded after a restart."""
        with self._lock:
            item = self._recordings.get(sid)
        if item is None:
            raise RequestError(404, f"no recording {sid} is attached", field="sid")
        key, text = checked_name(uid, name, "name")
        with self._lock:
            if item.director is None:
                raise RequestError(
                    409,
                    f"recording {sid} has no director: its layout could not be loaded after "
                    "a restart (see its errors); detach it and attach it again",
                    field="sid",
                )
            if key not in item.spec.names and len(item.spec.names) >= MAX_NAMES:
                raise RequestError(
                    400, f"a recording keeps at most {MAX_NAMES} names", field="name"
                )
            item.spec = replace(item.spec, names={**item.spec.names, key: text})
            # after the channel's events so far, in its worker: never in this request
            self._handoff.put(item.spec.cname, [Event("name", key, None, text)], [item])
            try:
                self.store.set_spec(sid, item.spec.data())
            except StoreError as exc:  # the name applies now; a restart would lose it
                log.error("%s", exc)
        self._handoff.hand_later(item.spec.cname)
        return self.describe(sid)

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
        """A recording's state: who is in it, the last acknowledged layout, what is
        pending, recent errors (RequestError 404 when it is not attached)."""
        item = self.attached(sid)
        if item is None:
            raise RequestError(404, f"no recording {sid} is attached", field="sid")
        spec, director = item.spec, item.director
        errors = list(item.errors)
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
        }
        if director is None:
            return found | {"status": "broken", "participants": [], "errors": errors}
        errors += director.warnings[-MAX_ERRORS:]
        if director.last_refusal:
            errors.append(director.last_refusal)
        if director.stopped:
            errors.append(director.stopped)
        if director.last_error and director.last_error not in errors:
            errors.append(director.last_error)
        return (
            found
            | {  # names: what the service was told (applied in the channel's order)
                "status": director.status,
                "participants": director.participants,
                "acknowledged": director.acknowledged,
                "pending": director.pending,
                "pushes": director.pushes,
                "errors": errors[-MAX_ERRORS:],
            }
        )

    # --- restart and shutdown ----------------------------------------------------------------

    def resume(self) -> int:
        """Rebuild from the store: replay the kept callbacks, resynchronise each channel
        with an attached recording from the user list, restart its Director. The number
        of recordings resumed."""
        replayed = 0
        with self._lock:
            for kept in self.store.notifications():
                try:
                    notification = parse_notification(kept.body)
                except NotificationError:
                    continue
                self.router.handle(notification)
                replayed += 1
        stored = self.store.recordings()
        with self._lock:  # the recorders are known before any user list is read
            for row in stored:
                spec = parse_spec(row.spec)
                self._recordings[spec.sid] = Attached(spec, None, row.auto, row.attached_at)
                self._recorders.setdefault(spec.cname, set()).add(spec.uid)
        for cname in sorted({row.cname for row in stored}):
            if self.options.resync:
                self.resync(cname)
        for row in stored:
            item = self._recordings[row.sid]
            try:
                layout = load_spec_layout(item.spec, self.options.layouts)
            except RequestError as exc:
                item.errors.append(f"after a restart: {exc.message}")
                log.error("recording %s not resumed: %s", row.sid, exc.message)
                continue
            with self._lock:
                hosts = self._shown(item.spec.cname)
            known = [u for u in self.store.order(row.sid) if u in hosts]  # their join order
            hosts = known + [u for u in hosts if u not in known]
            director = self._director(item.spec, layout, hosts)  # compiles: outside the lock
            with self._lock:
                self._register(Attached(item.spec, director, row.auto, row.attached_at), hosts)
            self._handoff.hand_later(item.spec.cname)
        log.info("resumed %d recordings (%d notifications replayed)", len(stored), replayed)
        return len(stored)

    def flush(self, timeout: float) -> bool:
        """Wait until every event is handed over and every recording's latest layout is
        finished (or `timeout`)."""
        deadline = time.monotonic() + timeout
        if not self._handoff.wait(timeout):
            return False
        with self._lock:
            directors = [a.director for a in self._recordings.values() if a.director]
        done = True
        for director in directors:
            done = director.flush(max(deadline - time.monotonic(), 0.0)) and done
        return done

    def close(self) -> None:
        """Finish what is pending (up to `flush_timeout`), stop every Director, close the
        limiter and the store. The recordings themselves go on."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.flush(self.options.flush_timeout)
        closer = getattr(self.options.assets, "close", None)
        if callable(closer):  # uploads still running are stopped, not left behind
            closer()
        self.limiter.close()
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


__all__ = ["MAX_ERRORS", "Attached", "DirectorHub", "HubOptions", "LimiterClosedError"]
