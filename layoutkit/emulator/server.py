"""A threaded HTTP server for the emulator, on 127.0.0.1 by default, startable from
Python (`with EmulatorServer() as emulator: emulator.url`) or `layoutkit emulator`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from layoutkit.emulator.app import EmulatorApp
from layoutkit.emulator.control import served_hosts
from layoutkit.emulator.http import Response, gateway_error, service_error
from layoutkit.emulator.notify import (
    RETRY_INTERVALS,
    TIMEOUT,
    Faults,
    NotificationSender,
    health_check_types,
)
from layoutkit.emulator.presence import RTC_EVENT_TYPES, Presence, RecordingEvents, health_check
from layoutkit.emulator.state import (
    DEFAULT_LOG_SIZE,
    FAILOVER_SECONDS,
    FAULT_KINDS,
    RATE_LIMIT,
    EmulatorState,
    Fault,
    FaultKind,
    MediaState,
    Profile,
    Recording,
    Role,
)
from layoutkit.httpd import READ_TIMEOUT, Handler, ThreadedServer, handler_for

log = logging.getLogger("layoutkit.emulator")
TICK = 0.2  # seconds between checks for what is due (idle recordings, finished failovers)


class _Handler(Handler):
    """One connection to the emulator (`layoutkit.httpd.Handler`), errors in the
    gateway's JSON shape."""

    server_version = "layoutkit-emulator"
    name = "emulator"


_Server = ThreadedServer


def _error(status: int, message: str) -> Response:
    """The errors the server answers itself: a bug of ours in the service's shape, the
    others in the gateway's."""
    if status == 500:
        return service_error(500, 500, "emulator internal error (see the emulator log)")
    return gateway_error(status, message)


class EmulatorServer:
    """The emulator on a real socket. `port=0` picks a free port; `url` says where."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        app_ids: tuple[str, ...] = (),
        customer_id: str | None = None,
        customer_secret: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        rate_limit: int | None = RATE_LIMIT,
        log_size: int = DEFAULT_LOG_SIZE,
        read_timeout: float = READ_TIMEOUT,
        notify_url: str | None = None,
        notify_secret: str | None = None,
        notify_retry_intervals: tuple[float, ...] = RETRY_INTERVALS,
        notify_timeout: float = TIMEOUT,
        notify_seed: int | None = None,
        notify_envelope_sid: bool = False,
        assets: Mapping[str, Path | str] | None = None,
    ) -> None:
        """`log_size`: how many API requests the request log keeps (the newest);
        `read_timeout`: seconds a client may stall mid-request or idle between requests.
        `notify_url` and `notify_secret`: POST signed Agora Notifications there: the RTC
        channel events of joins, leaves and role changes, and the Cloud Recording events
        session_exit and session_failover (retried after `notify_retry_intervals` seconds
        when not answered 200 within `notify_timeout`; `notify_seed` makes the faults
        repeatable; `notify_envelope_sid` adds a `sid` to each envelope, as real traffic
        often has and Agora's reference does not give).
        `assets`: base URL -> local folder, the files standing in for the layouts' image
        URLs in the composite (see `layoutkit.emulator.assets`; ValueError for a base
        that is not an http(s) URL without query string or fragment)."""
        if (notify_url is None) != (notify_secret is None):
            raise ValueError("give notify_url and notify_secret together")
        self.state = EmulatorState(
            app_ids=app_ids,
            customer_id=customer_id,
            customer_secret=customer_secret,
            clock=clock,
            rate_limit=rate_limit,
            log_size=log_size,
        )
        for base, folder in (assets or {}).items():
            self.state.assets.add(base, folder)
        self.app = EmulatorApp(self.state)
        self.notifications: NotificationSender | None = None
        if notify_url is not None and notify_secret is not None:
            sender = NotificationSender(
                notify_url,
                notify_secret,
                retry_intervals=notify_retry_intervals,
                timeout=notify_timeout,
                seed=notify_seed,
            )
            if notify_envelope_sid:
                sender.set_faults(Faults(envelope_sid=True))
            self._send_events(sender)
            self.notifications = self.app.notifications = sender
        handler = handler_for(_Handler, self.app, _error, timeout=read_timeout)
        self._server = _Server((host, port), handler)
        self.app.hosts = served_hosts(host, self._server.server_address[1])
        self._thread: threading.Thread | None = None
        self._sending = False
        self._ticking = threading.Event()
        self._ticker: threading.Thread | None = None

    def _send_events(self, sender: NotificationSender) -> None:
        """Every change of who is in a channel, and every Cloud Recording event, becomes
        a notice (submitted under the state's lock: they leave in order)."""
        presence = Presence(self.state)
        recording_events = RecordingEvents()

        def changed() -> None:
            for event in presence.events():
                sender.submit(event)

        def recording_event(recording: Recording, kind: int, details: dict[str, Any]) -> None:
            sender.submit(recording_events.event(recording, kind, details))

        self.state.on_change = changed
        self.state.on_recording_event = recording_event

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> Self:
        """Serve in a background thread."""
        self._start_sender()
        self._thread = self._server.serve_in_thread("emulator")
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._start_sender()
        self._server.serve_forever(poll_interval=0.2)

    def _start_sender(self) -> None:
        """With Notifications on, the sender's thread, and a thread that makes what is due
        happen on time (a recording idle past maxIdleTime ends, a failover finishes), so
        their events are sent without waiting for the next request."""
        if self.notifications is not None and not self._sending:
            self._sending = True
            self.notifications.start()
            self._ticker = threading.Thread(target=self._tick, name="emulator-tick", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._ticking.wait(TICK):
            try:
                self.state.tick()
            except Exception:  # a bug of ours must not stop the clock
                log.exception("emulator tick failed")

    def stop(self) -> None:
        self._ticking.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        if self.notifications is not None:
            self.notifications.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"EmulatorServer({self.url})"

    # --- shortcuts to the state, for tests and demos ------------------------------------

    def join(
        self,
        cname: str,
        uid: str | int,
        *,
        app_id: str | None = None,
        publishing: bool = True,
        media: MediaState | None = None,
        role: Role | None = None,
        profile: Profile | None = None,
    ) -> None:
        """A participant joins the channel and sends video (or `media`: video_off,
        audio_only, not_publishing; `publishing=False` is not_publishing), as a host or
        (`role="audience"`) an audience member, who sends nothing. The first to join an
        empty channel sets its `profile`: "live" (the default) or "communication", where
        everyone is a user (ValueError for another profile later, or for a role there)."""
        self.state.join(
            self._app(app_id),
            cname,
            str(uid),
            publishing=publishing,
            media=media,
            role=role,
            profile=profile,
        )

    def set_role(
        self, cname: str, uid: str | int, role: Role, *, app_id: str | None = None
    ) -> None:
        """A participant becomes a host or an audience member."""
        if not self.state.set_role(self._app(app_id), cname, str(uid), role):
            raise ValueError(f"uid {uid} is not in channel {cname}")

    def set_media(
        self, cname: str, uid: str | int, media: MediaState, *, app_id: str | None = None
    ) -> None:
        """A participant turns the camera off or on, goes audio only, stops publishing."""
        if not self.state.set_media(self._app(app_id), cname, str(uid), media):
            raise ValueError(f"uid {uid} is not in channel {cname}")

    def leave(self, cname: str, uid: str | int, *, app_id: str | None = None) -> None:
        self.state.leave(self._app(app_id), cname, str(uid))

    def inject(self, kind: Fault, count: int = 1) -> None:
        """The next `count` API requests fail: "500", "504", "timeout", "drop", or with
        an `Answer(status, code, reason)`."""
        self.state.inject(kind, count)

    def chaos(
        self, ratio: float, kinds: tuple[FaultKind, ...] = FAULT_KINDS, seed: int | None = None
    ) -> None:
        """Fail about `ratio` of the API requests with a random kind of `kinds`."""
        self.state.set_chaos(ratio, kinds, seed)

    def add_assets(self, base: str, folder: Path | str) -> None:
        """Serve the image URLs `base` + a file name from `folder` from now on (a base
        given again gets the new folder); thread-safe, at any time."""
        self.state.assets.add(base, folder)

    def failover(self, sid: str, seconds: float = FAILOVER_SECONDS) -> str:
        """Agora's failover of the running recording `sid`: its recorder leaves, rejoins
        after `seconds` with a new random uid (returned), and meanwhile query, update,
        updateLayout and stop answer 404; Cloud Recording event 12 tells the new uid.
        ValueError for an unknown, ended or failing-over recording."""
        with self.state.lock:
            self.state.tick()
            recording = self.state.recordings.get(sid)
            if recording is None:
                raise ValueError(f"no recording with sid {sid}")
            return self.state.failover(recording, seconds)

    def health_check(self, event_types: tuple[int, ...] = RTC_EVENT_TYPES) -> list[int]:
        """The Console's health check: one callback per event type in `event_types`
        (every RTC channel event type by default), for channel `test_webhook` and uid
        12121212. The event types sent; ValueError without Notifications or for an
        event type that is not an RTC channel event's."""
        if self.notifications is None:
            raise ValueError("notifications are off: give notify_url and notify_secret")
        kinds = health_check_types({"eventTypes": list(event_types)})
        if isinstance(kinds, str):
            raise ValueError(kinds)
        return [self.notifications.submit(e).event_type for e in health_check(kinds)]

    def layout_of(self, sid: str) -> dict[str, Any]:
        """The current layout of a recording, as the last start or updateLayout set it."""
        with self.state.lock:
            return dict(self.state.recordings[sid].layout)

    def _app(self, app_id: str | None) -> str:
        if app_id is not None:
            return app_id
        if len(self.state.app_ids) == 1:
            return self.state.app_ids[0]
        raise ValueError("give app_id: the emulator serves more than one App ID")
