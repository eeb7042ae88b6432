"""What the director service's tests share: an emulator that sends Notifications, a
client of it like the one `layoutkit serve` makes, signed callbacks, polling with a
deadline, and reading the emulator's picture of a recording over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
import requests

from layoutkit.client import CloudRecordingClient, Recording, RetryPolicy
from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET
from layoutkit.service import DirectorService
from layoutkit.service.autorecord import AutoRule, parse_rules

T = TypeVar("T")

NOTIFY_SECRET = "n0tify-s3cret-for-service-tests"
TOKEN = "t0ken-of-the-director-service"
RECORDER = "900001"  # every recording's own uid
FAST = (0.05, 0.1, 0.2)  # the emulator's notification retry intervals
STORAGE = {"vendor": 1, "region": 0, "bucket": "bucket", "accessKey": "ak", "secretKey": "sk"}
START = {"storageConfig": STORAGE, "recordingConfig": {"channelType": 1}}
NOWHERE = "http://127.0.0.1:9/agora/notifications"  # until the service's URL is known
FAST_OPTIONS = {"not_found_grace": 0.5}
_ids = itertools.count(1)


def wait_until(condition: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
    """Poll `condition` until it gives a true value (returned); AssertionError after
    `timeout` seconds, naming `what` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}: {value!r}")
        time.sleep(0.02)


def make_emulator(*, notify: bool = True, **kwargs: Any) -> EmulatorServer:
    """A started emulator of APP_ID on the real clock, without its rate limit (the tests
    check the service's own pacing); with `notify`, it sends Notifications to NOWHERE
    until the test points `notifications.url` at a service."""
    extra: dict[str, Any] = {}
    if notify:
        extra = {
            "notify_url": NOWHERE,
            "notify_secret": NOTIFY_SECRET,
            "notify_retry_intervals": FAST,
            "notify_timeout": 5.0,
        }
    emulator = EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        rate_limit=None,
        **extra,
        **kwargs,
    )
    if emulator.notifications is not None:
        emulator.notifications.hold = 0.2  # a notice held back for reordering waits less
    return emulator.start()


@pytest.fixture(name="emulator")
def quiet_emulator() -> Iterator[EmulatorServer]:
    """The `emulator` of a test that posts the callbacks itself: one that sends none."""
    running = make_emulator(notify=False)
    yield running
    running.stop()


@pytest.fixture(name="guarded")
def guarded_service(emulator: EmulatorServer) -> Iterator[DirectorService]:
    """A service of `emulator` on loopback with the bearer token TOKEN."""
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, token=TOKEN) as s:
        yield s


def auto_rules(channels: str, **extra: Any) -> list[AutoRule]:
    """One auto-record rule for `channels`: grid-3x3, RECORDER, the test storage."""
    rule = {"channels": channels, "preset": "grid-3x3", "uid": RECORDER}
    return parse_rules([rule | {"request": {"storageConfig": STORAGE}} | extra], "service.yaml")


def service_client(emulator: EmulatorServer) -> CloudRecordingClient:
    """The client `layoutkit serve` makes (one attempt per call: each request is one fair
    turn), without a pace of its own, so only the service's limiter paces it."""
    return CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=emulator.url,
        timeout=5.0,
        retry=RetryPolicy(attempts=1),
        rate_limit=100_000,
    )


def own_client(emulator: EmulatorServer) -> CloudRecordingClient:
    """The tests' own client, to start recordings."""
    return CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=emulator.url,
        timeout=5.0,
        retry=RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02),
        rate_limit=100_000,
    )


def record(emulator: EmulatorServer, cname: str, uid: str = RECORDER) -> Recording:
    """A running mix recording of `cname` (recorder `uid`)."""
    return own_client(emulator).record(cname, uid, START)


def attach_body(recording: Recording, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cname": recording.cname,
        "uid": str(recording.uid),
        "resource_id": recording.resource_id,
        "sid": recording.sid,
        "options": dict(FAST_OPTIONS),
    }
    if not {"preset", "file", "layout"} & set(extra):
        body["preset"] = "grid-3x3"
    return body | extra


def attach(url: str, recording: Recording, token: str | None = None, **extra: Any) -> Any:
    """POST /recordings for `recording`; its answer's JSON (201 asserted)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.post(
        f"{url}/recordings", json=attach_body(recording, **extra), headers=headers, timeout=30
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def described(url: str, sid: str, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.get(f"{url}/recordings/{sid}", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def status_when(
    url: str,
    sid: str,
    condition: Callable[[dict[str, Any]], bool],
    *,
    token: str | None = None,
    timeout: float = 10.0,
    what: str = "",
) -> dict[str, Any]:
    """GET /recordings/{sid} until `condition` holds for it; that status."""
    found: list[dict[str, Any]] = []

    def holds() -> bool:
        found[:] = [described(url, sid, token)]
        return condition(found[0])

    wait_until(holds, timeout, what or f"the status of {sid}")
    return found[0]


def refused(answer: requests.Response, status: int, field: str | None = None) -> str:
    """The message of a refusal with `status` (and `field`, when given)."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) <= {"error", "field"}
    if field is not None:
        assert body.get("field") == field, body
    message: str = body["error"]
    assert message and "Traceback" not in message
    return message


def nothing_pending(status: dict[str, Any]) -> bool:
    """No layout waits to be sent: none compiled and unsent (`pending`), and none still to
    be compiled (a recording's Director compiles its first state on its own thread, and
    says `pending` until it has)."""
    return status["pending"] is None and status["status"] != "pending"


def emulated(emulator: EmulatorServer, sid: str) -> dict[str, Any]:
    """The emulator's view of a recording (`/_emulator/recordings/{sid}`)."""
    answer = requests.get(f"{emulator.url}/_emulator/recordings/{sid}", timeout=30)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def picture(emulator: EmulatorServer, sid: str) -> list[str | None]:
    """The uids Agora would draw for the recording now, region by region (None: a region
    with nobody in it)."""
    return [region["uid"] for region in emulated(emulator, sid)["picture"]]


def hosts(emulator: EmulatorServer, cname: str) -> list[str]:
    """The channel's hosts as the emulator knows them (the recorders are not members)."""
    with emulator.state.lock:
        members = emulator.state.channel(APP_ID, cname).participants
        return [m.uid for m in members if m.role == "host"]


def layout_uids(layout: dict[str, Any] | None) -> list[str | None]:
    return [region.get("uid") for region in (layout or {}).get("layoutConfig", [])]


def shows_exactly(emulator: EmulatorServer, sid: str, cname: str) -> bool:
    """The recording's picture and layout show the channel's hosts, each once, and
    nobody else (no empty region, never the recorder)."""
    want = sorted(hosts(emulator, cname))
    found = emulated(emulator, sid)
    drawn = [region["uid"] for region in found["picture"]]
    return (
        sorted(u or "" for u in drawn) == want
        and sorted(u or "" for u in layout_uids(found["layout"])) == want
    )


def notices_settled(emulator: EmulatorServer) -> bool:
    """Every notification the emulator made has been delivered or given up on."""
    answer = requests.get(f"{emulator.url}/_emulator/notifications", timeout=30).json()
    statuses = {n["status"] for n in answer["notifications"]}
    return answer["pending"] == 0 and statuses <= {"delivered", "failed", "dropped"}


def envelope(event_type: int, cname: str, uid: int | None = None, **extra: Any) -> bytes:
    """A channel event's body as Agora sends it."""
    payload: dict[str, Any] = {"channelName": cname, "ts": int(time.time())}
    if uid is not None:
        payload |= {"uid": uid, "platform": 7, "clientSeq": next(_ids)}
    body = {
        "noticeId": f"test-{next(_ids)}",
        "productId": 1,
        "eventType": event_type,
        "notifyMs": int(time.time() * 1000),
        "sid": "",
        "payload": payload | extra,
    }
    return json.dumps(body).encode()


def signature_headers(body: bytes, secret: str = NOTIFY_SECRET) -> dict[str, str]:
    """Agora's two signatures of `body`, computed here, not with layoutkit's code."""
    key = secret.encode()
    return {
        "Content-Type": "application/json",
        "Agora-Signature": hmac.new(key, body, hashlib.sha1).hexdigest(),
        "Agora-Signature-V2": hmac.new(key, body, hashlib.sha256).hexdigest(),
    }


def most_in_window(times: list[float], window: float) -> int:
    """The largest number of `times` inside any half-open span of `window` seconds."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


__all__ = [
    "FAST",
    "FAST_OPTIONS",
    "NOTIFY_SECRET",
    "RECORDER",
    "START",
    "STORAGE",
    "TOKEN",
    "attach",
    "attach_body",
    "auto_rules",
    "described",
    "emulated",
    "envelope",
    "guarded_service",
    "hosts",
    "layout_uids",
    "make_emulator",
    "most_in_window",
    "nothing_pending",
    "notices_settled",
    "own_client",
    "picture",
    "quiet_emulator",
    "record",
    "service_client",
    "shows_exactly",
    "signature_headers",
    "status_when",
    "wait_until",
]
