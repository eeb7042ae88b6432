"""`layoutkit serve` as an object: the hub, its store, the auto-recorder and the HTTP
server, started and stopped together.

`DirectorService(client, notify_secret=...)` listens on 127.0.0.1 by default; any other
address needs a bearer token. `stop()` (also on SIGTERM from the command line) stops
taking connections, lets the requests in flight finish, sends what is pending (up to
`flush_timeout`), then closes the Directors and the database.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from layoutkit.httpd import Handler, Request, Response, ThreadedServer, handler_for
from layoutkit.service.app import ServiceApp, error
from layoutkit.service.autorecord import AutoRecorder, AutoRule, ConfigError, check_rules
from layoutkit.service.hub import DirectorHub, HubOptions
from layoutkit.service.intake import NOTIFY_WINDOW
from layoutkit.service.reconcile import RESYNC_INTERVAL
from layoutkit.service.store import Store

if TYPE_CHECKING:
    from layoutkit.assets import Publisher
    from layoutkit.client import CloudRecordingClient

log = logging.getLogger("layoutkit.service")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(Handler):
    server_version = "layoutkit-service"
    name = "service"


class _Counting:
    """The app, counting the requests in flight (a clean stop waits for them)."""

    def __init__(self, app: ServiceApp) -> None:
        self.app = app
        self.in_flight = 0
        self._cond = threading.Condition()

    def handle(self, request: Request) -> Response:
        with self._cond:
            self.in_flight += 1
        try:
            return self.app.handle(request)
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.in_flight == 0, timeout)


class DirectorService:
    """The director service on a socket (see the module)."""

    def __init__(
        self,
        client: CloudRecordingClient,
        *,
        notify_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        db: str | Path | None = None,
        layouts: str | Path | None = None,
        rules: list[AutoRule] | None = None,
        rate_limit: int = 10,
        window: float = 1.15,
        resync: bool = True,
        resync_interval: float = RESYNC_INTERVAL,
        notify_window: float = NOTIFY_WINDOW,
        flush_timeout: float = 10.0,
        on_grant: Callable[[Hashable, float], None] | None = None,
        assets: Publisher | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`assets`: where every Director publishes a styled layout's images;
        `resync_interval`: seconds between two reads of each directed channel's user
        list (with `resync`); `notify_window`: seconds after which a callback is taken
        for a replay; `clock` paces the reconciliation (tests hold it)."""
        if not notify_secret:
            raise ConfigError(
                "give the Notifications secret (--notify-secret-env or "
                "AGORA_NOTIFICATIONS_SECRET): callbacks are checked with it"
            )
        if token is not None and (not token.strip() or token != token.strip()):
            raise ConfigError(
                "the bearer token is empty or starts or ends with spaces: give a long "
                "random token (e.g. `openssl rand -hex 24`)"
            )
        if token is None and not is_loopback(host):
            raise ConfigError(
                f"listening on {host} needs a bearer token for /recordings: set "
                "LAYOUTKIT_SERVICE_TOKEN, or listen on 127.0.0.1"
            )
        options = HubOptions(
            notify_secret=notify_secret,
            layouts=None if layouts is None else Path(layouts),
            rate_limit=rate_limit,
            window=window,
            resync=resync,
            resync_interval=resync_interval,
            notify_window=notify_window,
            flush_timeout=flush_timeout,
            assets=assets,
        )
        if rules:
            check_rules(rules, options.layouts)  # before anything is opened
        self.store = Store(db)
        self.hub = DirectorHub(client, self.store, options, on_grant=on_grant, clock=clock)
        self.auto: AutoRecorder | None = None
        try:
            self.resumed = self.hub.resume()
            if rules:
                self.auto = AutoRecorder(self.hub, rules)
                self.auto.adopt()
            self.hub.start()
            self._app = _Counting(ServiceApp(self.hub, token))
            handler = handler_for(_Handler, self._app, error)
            self._server = ThreadedServer((host, port), handler)
        except BaseException:
            self.hub.close()
            raise
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def notifications_url(self) -> str:
        return f"{self.url}/agora/notifications"

    def start(self) -> Self:
        """Serve in a background thread (once: a second call changes nothing)."""
        if self._thread is None:
            self._thread = self._server.serve_in_thread("layoutkit-service")
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until `shutdown()` (from another thread or a signal)."""
        self._server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop taking connections (serve_forever returns); `stop()` does the rest."""
        self._server.shutdown()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking connections, let requests in flight finish, send what is pending,
        close the Directors and the store."""
        if self._stopped:
            return
        self._stopped = True
        started = time.monotonic()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        if not self._app.wait_idle(timeout):
            log.warning("stopping with requests still in flight after %gs", timeout)
        self._server.server_close()
        if self.auto is not None:
            self.auto.close()
        self.hub.close()
        log.info("service stopped in %.1fs", time.monotonic() - started)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"DirectorService({self.url})"


__all__ = ["DirectorService", "is_loopback"]
