"""`layoutkit demo`: the whole flow with no account, against the emulator: a mix recording
whose layout follows people joining and leaving, a preview of each step; with `--service`,
the director service following three channels, each recording's picture checked against
the people in its channel."""

from __future__ import annotations

import logging
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from layoutkit.cli.options import short_url
from layoutkit.client import CloudRecordingClient, Recording, RetryPolicy
from layoutkit.compile.compiler import Compilation, compile_full, compile_start
from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.emulator.state import RECORDER_PLATFORM, seats
from layoutkit.errors import OutputError
from layoutkit.layout.loader import parse_layout
from layoutkit.library.presets import load
from layoutkit.preview import PreviewOptions, draw_compilation
from layoutkit.render import write_png
from layoutkit.safefiles import kind_of
from layoutkit.service.autorecord import parse_rules
from layoutkit.service.server import DirectorService
from layoutkit.wire.replies import RecordingStatus

Say = Callable[[str], None]
DEMO_LAYOUT = """\
name: demo-stage
title: A host, guests beside, a screen share when there is one
canvas: 1280x720
background: "#101820"
variants:
  - when: 1
    regions:
      - {role: host, x: 0, y: 0, width: 1, height: 1}
  - when: {count: 2+, roles: [screen]}
    regions:
      - {role: screen, x: 0, y: 0, width: 75%, height: 1, fit: fit}
      - grid: {x: 75%, width: 25%, rows: 3, columns: 1, gap: 8px, padding: 8px, aspect: "16:9"}
  - when: 2+
    regions:
      - {role: host, x: 0, y: 0, width: 1, height: 1}
      - grid: {x: 72%, y: 4%, width: 26%, height: 92%, rows: 3, columns: 1, gap: 12px,
               aspect: "16:9"}
"""
APP_ID = "demo-app-id"
ACCOUNT = (APP_ID, "demo-customer", "demo-secret")  # App ID, customer id and secret
CNAME = "demo-room"
RECORDER_UID = "99999"
# Agora requires a storageConfig; the emulator uploads nothing
STORAGE = {"vendor": 1, "region": 0, "bucket": "demo", "accessKey": "demo", "secretKey": "demo"}
ROLES = {"host": "1001", "screen": "1003"}
SHARER = ROLES["screen"]  # who shares a screen (drawn as a slide)
EVENTS = (  # (uid, joins or leaves, what the demo says)
    ("1002", True, "1002 (guest) joins"),
    (SHARER, True, f"{SHARER} joins and shares a screen"),
    ("1002", False, "1002 (guest) leaves"),
)
EVERYONE = tuple(dict.fromkeys([ROLES["host"], *(uid for uid, _, _ in EVENTS)]))  # join order

NOTIFY_SECRET = "demo-notifications-secret"
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
WORDS = {
    "join": "joins",
    "leave": "leaves",
    "audience": "joins the audience",
    "host": "becomes a host",
}


def out_folder(path: Path) -> Path:
    """`path`, the folder the demo writes into, made if missing; OutputError, before
    anything is written, when it is something else (a file, a FIFO, a device) or cannot
    be made. A FIFO is looked at, never opened."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot use it as the output folder ({exc.strerror})") from None
    if mode is not None and not stat.S_ISDIR(mode):
        raise OutputError(
            f"{path}: is {kind_of(mode)}, not a folder; -o must be a folder",
            hint="give a folder to write the pictures into; it is made if missing",
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot make the output folder ({exc.strerror})") from None
    return path


@click.command()
@click.option(
    "-o",
    "--output",
    "out_dir",
    default="demo-output",
    show_default=True,
    help="The folder to write the previews of each step into (made if missing).",
)
@click.option(
    "--service",
    is_flag=True,
    help="Show the director service instead: Notifications drive the layouts of three "
    "channels (two attached, one recorded by a rule).",
)
def demo(out_dir: str, service: bool) -> None:
    """Record a demo session against a local emulator.

    No Agora account is needed."""
    folder = out_folder(Path(out_dir))  # not a folder: an error before anything runs
    if not service:
        run_demo(folder, click.echo)
    elif not all(run_service_demo(folder, click.echo).values()):
        raise click.ClickException("a recording does not show the people in its channel")


def run_demo(out_dir: Path, say: Say) -> None:
    """The plain demo: one PNG per step in `out_dir`."""
    layout = parse_layout(DEMO_LAYOUT)
    clock = ManualClock()
    with EmulatorServer(
        app_ids=(APP_ID,), customer_id=ACCOUNT[1], customer_secret=ACCOUNT[2], clock=clock
    ) as emulator:
        say(f"emulator listening on {emulator.url} (App ID {APP_ID})")
        client = CloudRecordingClient(
            *ACCOUNT,
            base_url=emulator.url,
            retry=RetryPolicy(attempts=3, backoff=0.01),
            on_request=lambda method, address: say(f"  -> {method} {short_url(address)}"),
        )
        people = [ROLES["host"]]
        emulator.join(CNAME, people[0])
        say(f"1001 (host) joins {CNAME}; acquire and start a mix recording")
        resource = client.acquire(CNAME, RECORDER_UID)
        transcoding = compile_start(layout, people, ROLES).to_wire()
        config = {"channelType": 0, "maxIdleTime": 30, "transcodingConfig": transcoding}
        request = {
            "recordingConfig": config,
            "recordingFileConfig": {"avFileType": ["hls", "mp4"]},
            "storageConfig": STORAGE,
        }
        recording = client.start(resource, request)
        say(f"recording started: sid {recording.sid}")
        pictures = [_picture(out_dir, 1, "host-alone", compile_full(layout, people, ROLES), say)]
        for uid, joins, what in EVENTS:
            clock.advance(10)
            if joins:
                emulator.join(CNAME, uid)
                people.append(uid)
            else:
                emulator.leave(CNAME, uid)
                people.remove(uid)
            say(f"{what}; push the layout compiled for {', '.join(people)}")
            compiled = compile_full(layout, people, ROLES)
            recording.update_layout(compiled.payload_json)
            name = f"{len(people)}-people" + ("-screen" if SHARER in people else "")
            pictures.append(_picture(out_dir, len(pictures) + 1, name, compiled, say))
        _finish(recording, clock, say)
    say(f"{len(pictures)} previews in {out_dir}")


def _picture(folder: Path, number: int, name: str, compiled: Compilation, say: Say) -> Path:
    """The layout compiled for who is there, as pushed; who shares a screen is drawn as a
    shared screen, and everyone keeps a colour."""
    sharing = frozenset({SHARER}) & set(compiled.participants)
    path = folder / f"{number:02d}-{name}.png"
    write_png(path, draw_compilation(compiled, PreviewOptions(screens=sharing, colors=EVERYONE)))
    say(f"  preview: {path}")
    return path


def _finish(recording: Recording, clock: ManualClock, say: Say) -> None:
    """Query the recording, then stop it and say the files it uploaded."""
    status = recording.query().server_response.status
    name = RecordingStatus(status).name.lower().replace("_", " ") if status is not None else "?"
    say(f"query: status {status} ({name})")
    clock.advance(30)
    stopped = recording.stop()
    files = stopped.server_response.file_list
    names = [f.file_name for f in files] if isinstance(files, list) else [files]
    say(
        f"stopped: uploading {stopped.server_response.uploading_status}; files: "
        f"{', '.join(str(n) for n in names)}"
    )


def run_service_demo(out_dir: Path, say: Say, *, pause: float = 0.15) -> dict[str, bool]:
    """The service demo: one composite PNG per recording in `out_dir`; channel -> whether
    its recorded picture shows exactly the hosts in it."""
    emulator = EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=ACCOUNT[1],
        customer_secret=ACCOUNT[2],
        notify_url="http://127.0.0.1:9/agora/notifications",  # the service's, set below
        notify_secret=NOTIFY_SECRET,
        notify_retry_intervals=(0.2, 0.5, 1.0),
    )
    client = CloudRecordingClient(*ACCOUNT, base_url=emulator.url, retry=RetryPolicy(attempts=1))
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
            _act(emulator, channel, what, uid, say)
        sids = _attach(emulator, service, client, say)
        for channel, what, uid in CHURN[2:]:
            _act(emulator, channel, what, uid, say)
            time.sleep(pause)
        sids |= _wait(service, say)
        results = _check(emulator, service, sids, out_dir, say)
        _last_leaves(emulator, service, say)
    quiet.setLevel(level)
    return results


def _act(emulator: EmulatorServer, channel: str, what: str, uid: int, say: Say) -> None:
    if what == "join":
        emulator.join(channel, uid)
    elif what == "leave":
        emulator.leave(channel, uid)
    elif what == "audience":
        emulator.join(channel, uid, role="audience")
    else:
        emulator.set_role(channel, uid, "host")
    say(f"  {channel}: {uid} {WORDS[what]}")


def _attach(
    emulator: EmulatorServer, service: DirectorService, client: Any, say: Say
) -> dict[str, str]:
    """Start a recording of each attached channel with its layout's canvas and the
    layout for who is there, then attach it (POST /recordings)."""
    sids = {}
    for index, (channel, preset) in enumerate(ATTACHED.items()):
        uid = f"90000{index + 1}"
        hosts = [s.uid for s in seats(emulator.state, APP_ID, channel).values()]
        transcoding = compile_start(load(preset), hosts).to_wire()
        request = {"recordingConfig": {"transcodingConfig": transcoding}, "storageConfig": STORAGE}
        recording = client.record(channel, uid, request)
        ids = {"resource_id": recording.resource_id, "sid": recording.sid}
        body = {"cname": channel, "uid": uid, **ids, "preset": preset}
        answer = client.session.post(f"{service.url}/recordings", json=body, timeout=10)
        say(f"POST /recordings {channel} ({preset}): {answer.status_code}")
        sids[channel] = recording.sid
    return sids


def _wait(service: DirectorService, say: Say) -> dict[str, str]:
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
    emulator: EmulatorServer, service: DirectorService, sids: dict[str, str], out: Path, say: Say
) -> dict[str, bool]:
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
        path = out / f"service-{channel}.png"
        png = session.get(f"{emulator.url}/_emulator/recordings/{sid}/composite.png", timeout=10)
        write_png(path, png.content)
        say(f"    composite: {path}")
    turns = service.hub.limiter.granted
    say(f"{service.hub.received} notifications taken; {turns} API turns on the shared limiter")
    return results


def _last_leaves(emulator: EmulatorServer, service: DirectorService, say: Say) -> None:
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
