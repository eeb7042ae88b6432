"""`layoutkit demo`: the whole flow with no account. Starts the emulator on a free port,
acquires, starts a mix recording with a layout, lets people join and leave while pushing
the layout compiled for who is there, queries, stops, and writes a preview of each step.

The emulator runs on a manual clock, so the recording's minutes pass in an instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
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


@dataclass(frozen=True)
class DemoStep:
    name: str
    picture: Path


def run_demo(out_dir: Path, say: Callable[[str], None] = print) -> list[DemoStep]:
    """Run the demo; write one PNG per step into `out_dir`; return the steps."""
    from layoutkit.client import CloudRecordingClient, RetryPolicy
    from layoutkit.compile.compiler import compile_start
    from layoutkit.emulator import EmulatorServer, ManualClock
    from layoutkit.layout.loader import parse_layout
    from layoutkit.render import write_png

    out_dir.mkdir(parents=True, exist_ok=True)
    layout = parse_layout(DEMO_LAYOUT)
    clock = ManualClock()
    steps: list[DemoStep] = []
    with EmulatorServer(
        app_ids=(APP_ID,), customer_id=CUSTOMER_ID, customer_secret=CUSTOMER_SECRET, clock=clock
    ) as emulator:
        say(f"emulator listening on {emulator.url} (App ID {APP_ID})")
        client = CloudRecordingClient(
            APP_ID,
            CUSTOMER_ID,
            CUSTOMER_SECRET,
            base_url=emulator.url,
            retry=RetryPolicy(attempts=3, backoff=0.01),
            on_request=lambda method, url: say(f"  -> {method} {_short(url)}"),
        )
        emulator.join(CNAME, ROLES["host"])
        people = [ROLES["host"]]
        say(f"1001 (host) joins {CNAME}; acquire and start a mix recording")
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
        recording = client.start(resource, request)
        say(f"recording started: sid {recording.sid}")

        def snapshot(name: str) -> None:
            answer = client.session.get(
                f"{emulator.url}/_emulator/recordings/{recording.sid}/composite.png", timeout=10
            )
            path = out_dir / f"{len(steps) + 1:02d}-{name}.png"
            write_png(path, answer.content)
            steps.append(DemoStep(name, path))
            say(f"  preview: {path}")

        snapshot("host-alone")
        events = (
            ("1002", True, "1002 (guest) joins"),
            ("1003", True, "1003 joins and shares a screen"),
            ("1002", False, "1002 (guest) leaves"),
        )
        for uid, joins, what in events:
            clock.advance(10)
            if joins:
                emulator.join(CNAME, uid)
                people.append(uid)
            else:
                emulator.leave(CNAME, uid)
                people.remove(uid)
            say(f"{what}; push the layout compiled for {', '.join(people)}")
            recording.update_layout(_compiled(layout, people))
            snapshot(f"{len(people)}-people" + ("-screen" if "1003" in people else ""))
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
    say(f"{len(steps)} previews in {out_dir}")
    return steps


def _short(url: str) -> str:
    """The URL with long ids cut to their first 8 characters."""
    return "/".join(p if len(p) <= 24 else f"{p[:8]}..." for p in url.split("/"))


def _compiled(layout: Layout, people: list[str]) -> dict[str, object]:
    from layoutkit.compile.compiler import compile_layout

    return compile_layout(layout, people, ROLES).to_wire()


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
    help="Where to write the previews of each step.",
)
@click.option(
    "--service",
    is_flag=True,
    help="Show the director service instead: Notifications drive the layouts of three "
    "channels (two attached, one recorded by a rule).",
)
def demo(out_dir: str, service: bool) -> None:
    """Record a demo session against a local emulator: no account needed."""
    if service:
        from layoutkit.cli.demo_service import run_service_demo

        results = run_service_demo(Path(out_dir), say=click.echo)
        if not all(results.values()):
            raise click.ClickException("a recording does not show the people in its channel")
        return
    run_demo(Path(out_dir), say=click.echo)


__all__ = ["DEMO_LAYOUT", "DemoStep", "demo", "run_demo"]
