"""`layoutkit demo`: the whole flow with no account. Starts the emulator on a free port,
acquires, starts a mix recording with a layout, lets people join and leave while pushing
the layout compiled for who is there, queries, stops, and writes a preview of each step:
the layout pushed, drawn as the preview code draws it, the screen sharer as a shared
screen (a slide), not a camera.

The emulator runs on a manual clock, so the recording's minutes pass in an instant.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from layoutkit.cli.options import short_url
from layoutkit.errors import OutputError

if TYPE_CHECKING:
    from layoutkit.client import CloudRecordingClient, Recording
    from layoutkit.compile.compiler import Compilation
    from layoutkit.emulator import ManualClock
    from layoutkit.layout.loader import Layout

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
CUSTOMER_ID = "demo-customer"
CUSTOMER_SECRET = "demo-secret"
CNAME = "demo-room"
RECORDER_UID = "99999"
ROLES = {"host": "1001", "screen": "1003"}
DEMO_STORAGE = {  # Agora requires one; the emulator uploads nothing
    "vendor": 1,
    "region": 0,
    "bucket": "demo-bucket",
    "accessKey": "demo-access-key",
    "secretKey": "demo-secret-key",
}
SHARER = ROLES["screen"]  # who shares a screen (drawn as a slide)
EVENTS = (  # (uid, joins or leaves, what the demo says)
    ("1002", True, "1002 (guest) joins"),
    (SHARER, True, f"{SHARER} joins and shares a screen"),
    ("1002", False, "1002 (guest) leaves"),
)
EVERYONE = tuple(dict.fromkeys([ROLES["host"], *(uid for uid, _, _ in EVENTS)]))  # join order


@dataclass(frozen=True)
class DemoStep:
    name: str
    picture: Path


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
        from layoutkit.safefiles import kind_of

        raise OutputError(
            f"{path}: is {kind_of(mode)}, not a folder; -o must be a folder",
            hint="give a folder to write the pictures into; it is made if missing",
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot make the output folder ({exc.strerror})") from None
    return path


@dataclass
class _Pictures:
    """The demo's previews: one PNG per step in `folder`."""

    folder: Path
    say: Callable[[str], None]
    steps: list[DemoStep] = field(default_factory=list)

    def take(self, name: str, compiled: Compilation) -> None:
        """The layout compiled for who is there, as pushed; who shares a screen is drawn
        as a shared screen."""
        from layoutkit.preview import PreviewOptions, draw_compilation
        from layoutkit.render import write_png

        sharing = frozenset({SHARER}) & set(compiled.participants)
        options = PreviewOptions(screens=sharing, colors=EVERYONE)  # each keeps a colour
        path = self.folder / f"{len(self.steps) + 1:02d}-{name}.png"
        write_png(path, draw_compilation(compiled, options))
        self.steps.append(DemoStep(name, path))
        self.say(f"  preview: {path}")


def run_demo(out_dir: Path, say: Callable[[str], None] = print) -> list[DemoStep]:
    """Run the demo; write one PNG per step into `out_dir` (OutputError when it is not a
    folder); return the steps."""
    from layoutkit.emulator import EmulatorServer, ManualClock
    from layoutkit.layout.loader import parse_layout

    pictures = _Pictures(out_folder(out_dir), say)
    layout = parse_layout(DEMO_LAYOUT)
    clock = ManualClock()
    with EmulatorServer(
        app_ids=(APP_ID,), customer_id=CUSTOMER_ID, customer_secret=CUSTOMER_SECRET, clock=clock
    ) as emulator:
        say(f"emulator listening on {emulator.url} (App ID {APP_ID})")
        client = _client(emulator.url, say)
        people = [ROLES["host"]]
        emulator.join(CNAME, people[0])
        say(f"1001 (host) joins {CNAME}; acquire and start a mix recording")
        recording = _start(client, layout, people)
        say(f"recording started: sid {recording.sid}")
        pictures.take("host-alone", _compiled(layout, people))
        for uid, joins, what in EVENTS:
            clock.advance(10)
            if joins:
                emulator.join(CNAME, uid)
                people.append(uid)
            else:
                emulator.leave(CNAME, uid)
                people.remove(uid)
            say(f"{what}; push the layout compiled for {', '.join(people)}")
            compiled = _compiled(layout, people)
            recording.update_layout(compiled.payload_json)
            pictures.take(
                f"{len(people)}-people" + ("-screen" if SHARER in people else ""), compiled
            )
        _finish(recording, clock, say)
    say(f"{len(pictures.steps)} previews in {out_dir}")
    return pictures.steps


def _client(url: str, say: Callable[[str], None]) -> CloudRecordingClient:
    """A client of the emulator that says each request it makes."""
    from layoutkit.client import CloudRecordingClient, RetryPolicy

    return CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=url,
        retry=RetryPolicy(attempts=3, backoff=0.01),
        on_request=lambda method, address: say(f"  -> {method} {short_url(address)}"),
    )


def _start(client: CloudRecordingClient, layout: Layout, people: list[str]) -> Recording:
    """Acquire and start a mix recording with the layout compiled for `people`."""
    from layoutkit.compile.compiler import compile_start

    resource = client.acquire(CNAME, RECORDER_UID)
    request = {
        "recordingConfig": {
            "channelType": 0,
            "maxIdleTime": 30,
            "transcodingConfig": compile_start(layout, people, ROLES).to_wire(),
        },
        "recordingFileConfig": {"avFileType": ["hls", "mp4"]},
        "storageConfig": DEMO_STORAGE,
    }
    return client.start(resource, request)


def _finish(recording: Recording, clock: ManualClock, say: Callable[[str], None]) -> None:
    """Query the recording, then stop it and say the files it uploaded."""
    status = recording.query().server_response.status
    say(f"query: status {status} ({_status_name(status)})")
    clock.advance(30)
    stopped = recording.stop()
    files = stopped.server_response.file_list
    names = [f.file_name for f in files] if isinstance(files, list) else [files]
    say(
        f"stopped: uploading {stopped.server_response.uploading_status}; files: "
        f"{', '.join(str(n) for n in names)}"
    )


def _compiled(layout: Layout, people: list[str]) -> Compilation:
    from layoutkit.compile.compiler import compile_full

    return compile_full(layout, people, ROLES)


def _status_name(status: int | None) -> str:
    from layoutkit.wire.replies import RecordingStatus

    return RecordingStatus(status).name.lower().replace("_", " ") if status is not None else "?"


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
    if service:
        from layoutkit.cli.demo_service import run_service_demo

        results = run_service_demo(folder, say=click.echo)
        if not all(results.values()):
            raise click.ClickException("a recording does not show the people in its channel")
        return
    run_demo(folder, say=click.echo)


__all__ = ["DEMO_LAYOUT", "DemoStep", "demo", "out_folder", "run_demo"]
