"""`layoutkit demo --service`: the director service with no account. The emulator plays
Agora (the Cloud Recording API, the user list and signed Notifications); the service
follows three channels: two recordings attached through its JSON API, and a third
channel it records by itself (an auto-record rule). People join, leave and change role;
at the end each recording's picture, as the emulator resolves it, is checked against the
people in its channel, and a composite PNG of each is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from layoutkit.emulator import EmulatorServer
    from layoutkit.service.server import DirectorService

APP_ID = "demo-app-id"
CUSTOMER_ID = "demo-customer"
CUSTOMER_SECRET = "demo-secret"
NOTIFY_SECRET = "demo-notifications-secret"
STORAGE = {"vendor": 1, "region": 0, "bucket": "demo", "accessKey": "demo", "secretKey": "demo"}
ATTACHED = {"class-a": "grid-3x3", "class-b": "speaker-strip"}
AUTO_PATTERN, AUTO_CHANNEL, AUTO_PRESET = "town-*", "town-hall", "gallery-auto"
# (channel, what happens, uid): join/leave as a host, or become host/audience
CHURN = [
    ("class-a", "join", 2001),
    ("class-b", "join", 3001),
    ("class-a", "join", 2002),
    ("town-hall", "join", 4001),
    ("class-b", "audience", 3002),
    ("class-a", "join", 2003),
    ("town-hall", "join", 4002),
    ("class-b", "host", 3002),
    ("class-a", "leave", 2001),
    ("town-hall", "join", 4003),
    ("class-b", "join", 3003),
    ("class-a", "join", 2004),
    ("town-hall", "leave", 4002),
    ("class-b", "leave", 3001),
]


def run_service_demo(
    out_dir: Path, say: Callable[[str], None] = print, *, pause: float = 0.15
) -> dict[str, bool]:
    """Run the demo; one composite PNG per recording in `out_dir` (OutputError when it is
    not a folder); channel -> whether its recorded picture shows exactly the hosts in it."""
    from layoutkit.cli.demo import out_folder
    from layoutkit.client import CloudRecordingClient, RetryPolicy
    from layoutkit.emulator import EmulatorServer
    from layoutkit.service.autorecord import parse_rules
    from layoutkit.service.server import DirectorService

    out_folder(out_dir)  # not a folder: OutputError before anything runs
    emulator = EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=CUSTOMER_SECRET,
        notify_url="http://127.0.0.1:9/agora/notifications",  # the service's, set below
        notify_secret=NOTIFY_SECRET,
        notify_retry_intervals=(0.2, 0.5, 1.0),
    )
    client = CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=emulator.url,
        retry=RetryPolicy(attempts=1),
    )
    rule = {"channels": AUTO_PATTERN, "preset": AUTO_PRESET, "uid": "900003"}
    rules = parse_rules([{**rule, "request": {"storageConfig": STORAGE}}], "demo")
    service = DirectorService(client, notify_secret=NOTIFY_SECRET, rules=rules)
    assert emulator.notifications is not None
    emulator.notifications.url = service.notifications_url
    quiet = logging.getLogger("layoutkit.live")  # the empty town hall's layout warning
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    with emulator, service:
        say(f"emulator (Agora) on {emulator.url}; director service on {service.url}")
        say(f"auto-record rule: channels {AUTO_PATTERN} -> preset {AUTO_PRESET}")
        for channel, what, uid in CHURN[:2]:  # each class starts with its teacher
            _act(emulator, channel, what, uid)
            say(f"  {channel}: {uid} {_WORDS[what]}")
        sids = _attach(emulator, service, client, say)
        for channel, what, uid in CHURN[2:]:
            _act(emulator, channel, what, uid)
            say(f"  {channel}: {uid} {_WORDS[what]}")
            time.sleep(pause)
        sids |= _wait(service, say)
        results = _check(emulator, service, sids, out_dir, say)
        _last_leaves(emulator, service, say)
    quiet.setLevel(level)
    return results


_WORDS = {
    "join": "joins",
    "leave": "leaves",
    "audience": "joins the audience",
    "host": "becomes a host",
}


def _act(emulator: EmulatorServer, channel: str, what: str, uid: int) -> None:
    if what == "join":
        emulator.join(channel, uid)
    elif what == "leave":
        emulator.leave(channel, uid)
    elif what == "audience":
        emulator.join(channel, uid, role="audience")
    else:
        emulator.set_role(channel, uid, "host")


def _attach(
    emulator: EmulatorServer, service: DirectorService, client: Any, say: Callable[[str], None]
) -> dict[str, str]:
    """Start a recording of each attached channel with its layout's canvas and the
    layout for who is there, then attach it (POST /recordings)."""
    from layoutkit.compile.compiler import compile_start
    from layoutkit.emulator.state import seats
    from layoutkit.library.presets import load

    sids = {}
    for index, (channel, preset) in enumerate(ATTACHED.items()):
        uid = f"90000{index + 1}"
        hosts = [s.uid for s in seats(emulator.state, APP_ID, channel).values()]
        transcoding = compile_start(load(preset), hosts).to_wire()
        request = {"recordingConfig": {"transcodingConfig": transcoding}, "storageConfig": STORAGE}
        recording = client.record(channel, uid, request)
        body = {
            "cname": channel,
            "uid": uid,
            "resource_id": recording.resource_id,
            "sid": recording.sid,
            "preset": preset,
        }
        answer = client.session.post(f"{service.url}/recordings", json=body, timeout=10)
        say(f"POST /recordings {channel} ({preset}): {answer.status_code}")
        sids[channel] = recording.sid
    return sids


def _wait(service: DirectorService, say: Callable[[str], None]) -> dict[str, str]:
    """Wait until every recording's latest layout is acknowledged; the auto-started ones."""
    deadline = time.monotonic() + 15
    auto: dict[str, str] = {}
    while time.monotonic() < deadline:
        states = [service.hub.describe(sid) for sid in service.hub.sids()]
        auto = {s["cname"]: s["sid"] for s in states if s["auto"]}
        settled = all(s["status"] in ("applied", "idle") and not s["pending"] for s in states)
        if settled and AUTO_CHANNEL in auto and service.hub.flush(0.5):
            break
        time.sleep(0.2)
    if AUTO_CHANNEL in auto:
        say(f"auto-record: the service started {auto[AUTO_CHANNEL][:8]}... for {AUTO_CHANNEL}")
    return auto


def _check(
    emulator: EmulatorServer,
    service: DirectorService,
    sids: dict[str, str],
    out_dir: Path,
    say: Callable[[str], None],
) -> dict[str, bool]:
    from layoutkit.emulator.state import RECORDER_PLATFORM, seats
    from layoutkit.render import write_png

    session = service.hub.client.session
    results = {}
    say("what each recording shows, as the emulator resolves its layout:")
    for channel, sid in sorted(sids.items()):
        people = seats(emulator.state, APP_ID, channel).values()
        hosts = [s.uid for s in people if s.role == "host" and s.platform != RECORDER_PLATFORM]
        state = session.get(f"{emulator.url}/_emulator/recordings/{sid}", timeout=10).json()
        shown = [str(region["uid"]) for region in state["picture"]]
        results[channel] = sorted(shown) == sorted(hosts)
        mark = "matches" if results[channel] else "DIFFERS from"
        say(f"  {channel}: shows {', '.join(shown) or 'nobody'}; {mark} the hosts in it")
        path = out_dir / f"service-{channel}.png"
        png = session.get(f"{emulator.url}/_emulator/recordings/{sid}/composite.png", timeout=10)
        write_png(path, png.content)
        say(f"    composite: {path}")
    turns = service.hub.limiter.granted
    say(f"{service.hub.received} notifications taken; {turns} API turns on the shared limiter")
    return results


def _last_leaves(
    emulator: EmulatorServer, service: DirectorService, say: Callable[[str], None]
) -> None:
    """Everyone leaves the auto-recorded channel: the service stops its recording."""
    for uid in (4001, 4003):
        emulator.leave(AUTO_CHANNEL, uid)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any(service.hub.describe(s)["auto"] for s in service.hub.sids()):
            say(f"{AUTO_CHANNEL} emptied: the service stopped its recording")
            return
        time.sleep(0.1)
    say(f"{AUTO_CHANNEL} emptied, but its recording is still attached after 10 s")


__all__ = ["run_service_demo"]
