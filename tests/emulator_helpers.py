"""What the emulator tests share: a `storageConfig` (Agora's current start reference
requires one, and the emulator refuses a start without it) and a start body with it; a
receiver of Notifications on loopback, and an emulator that sends it its events.

Two fixtures: `receiver` (a running `Receiver`) and `emulator`, which stands in for
conftest's: on conftest's manual `clock`, sending its Notifications to `receiver`. A test
module takes them by importing them as themselves (`from emulator_helpers import emulator
as emulator`), which re-exports them: a module's own fixtures win over conftest's."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

SECRET = "n0tify-s3cret"
FAST = (0.05, 0.1, 0.2)  # retry intervals for tests

STORAGE: dict[str, Any] = {
    "vendor": 1,
    "region": 0,
    "bucket": "recordings",
    "accessKey": "test-access-key",
    "secretKey": "test-secret-key",
}


def with_storage(client_request: dict[str, Any] | None = None) -> dict[str, Any]:
    """A start's clientRequest with `STORAGE` added."""
    return {**(client_request or {}), "storageConfig": STORAGE}


def start_body(cname: str = "room", uid: str = "527841", **client: Any) -> dict[str, Any]:
    """A start body for `cname` and `uid` with `STORAGE` and the `client` fields."""
    return {"cname": cname, "uid": uid, "clientRequest": with_storage(client)}


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records every POST and answers `statuses`
    in turn (then 200); `refuse[event_type]` more of that event type answered 500."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: list[int] = []
        self.refuse: dict[int, int] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.received.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    status = outer.statuses.pop(0) if outer.statuses else 200
                    kind = json.loads(body).get("eventType")
                    if outer.refuse.get(kind, 0) > 0:
                        outer.refuse[kind] -= 1
                        status = 500
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/agora/events"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def wait(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        with self.lock:
            raise AssertionError(f"{len(self.received)} notifications, wanted {count}")

    def events(self, count: int) -> list[tuple[int, Any]]:
        got = self.wait(count)[:count]
        return [(r.json["eventType"], r.json["payload"].get("uid")) for r in got]

    def bodies(self) -> list[dict[str, Any]]:
        """Every envelope received so far, in order."""
        with self.lock:
            return [r.json for r in self.received]

    def wait_for(self, event_type: int, count: int = 1, timeout: float = 5.0) -> list[Any]:
        """Every envelope so far once `count` of `event_type` have come."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.bodies()
            if sum(b["eventType"] == event_type for b in got) >= count:
                return got
            time.sleep(0.01)
        kinds = [b["eventType"] for b in self.bodies()]
        raise AssertionError(f"no {count} of event {event_type} among {kinds}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def notifying_emulator(receiver: Receiver, **kwargs: Any) -> EmulatorServer:
    """A started emulator for APP_ID with the test credentials, no rate limit, sending its
    Notifications to `receiver` (retried after FAST intervals); `kwargs` go to it."""
    return EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        rate_limit=None,
        notify_url=receiver.url,
        notify_secret=SECRET,
        notify_retry_intervals=FAST,
        **kwargs,
    ).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A `Receiver` for the test, closed after it."""
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def emulator(receiver: Receiver, clock: ManualClock) -> Iterator[EmulatorServer]:
    """In place of conftest's `emulator`: one on the manual `clock` that sends its
    Notifications to `receiver`."""
    running = notifying_emulator(receiver, clock=clock)
    yield running
    running.stop()


__all__ = [
    "FAST",
    "SECRET",
    "STORAGE",
    "Received",
    "Receiver",
    "emulator",
    "notifying_emulator",
    "receiver",
    "start_body",
    "with_storage",
]
