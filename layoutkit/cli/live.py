"""Live layout commands: `apply` (one push), `play` (a scenario: payload sequence,
storyboard, animation, optionally pushed live), `watch` (re-validate, re-render and
optionally push each time a layout file is saved)."""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from layoutkit.cli.api import _client
from layoutkit.cli.options import (
    RECORDING_HELP,
    _compile,
    _echo_json,
    _people_options,
    _vars_option,
    account_options,
    echo_issues,
    quiet_option,
    warn,
)
from layoutkit.cli.style_options import StyleArgs, style_options
from layoutkit.errors import LayoutkitError, RenderError

if TYPE_CHECKING:
    from layoutkit.assets import Publisher
    from layoutkit.client import Recording
    from layoutkit.live.scenario import Scenario, Step

F = TypeVar("F", bound=Callable[..., Any])


def _target_options(required: bool) -> Callable[[F], F]:
    def add(func: F) -> F:
        for name in ("--uid", "--cname", "--sid", "--resource-id"):
            func = click.option(
                name,
                required=required,
                help=RECORDING_HELP[name],
            )(func)
        return account_options(func)

    return add


def _recording(
    resource_id: str | None,
    sid: str | None,
    cname: str | None,
    uid: str | None,
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
) -> Recording:
    """The running recording the options name (all four coordinates are needed)."""
    from layoutkit.client import Recording

    if resource_id is None or sid is None or cname is None or uid is None:
        raise click.UsageError("pushing needs --resource-id, --sid, --cname and --uid")
    client = _client(app_id, customer_id, customer_secret, base_url)
    return Recording(client, resource_id, sid, "mix", cname, uid)


@click.command()
@click.argument("layout_file", metavar="LAYOUT.yaml")
@_people_options
@style_options(assets=True)
@_vars_option
@quiet_option
@_target_options(required=True)
def apply(
    layout_file: str,
    count: int | None,
    participants: str | None,
    roles: tuple[str, ...],
    hide: tuple[str, ...],
    vars_: tuple[str, ...],
    resource_id: str,
    sid: str,
    cname: str,
    uid: str,
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
    style: StyleArgs,
) -> None:
    """Push a layout into a running recording (one updateLayout).

    A styled layout's images are published first (--assets-dir and --assets-url)."""
    payload = _compile(
        layout_file, count, participants, roles, vars_, hide=hide, live=True, style=style
    ).payload_json
    recording = _recording(
        resource_id, sid, cname, uid, app_id, customer_id, customer_secret, base_url
    )
    recording.update_layout(payload)
    regions = len(payload.get("layoutConfig", []))
    click.echo(
        f"applied: mode {payload['mixedVideoLayout']}, {regions} regions, to sid {sid}", err=True
    )
    _echo_json(payload)


@click.command()
@click.argument("scenario_file", metavar="SCENARIO.yaml", type=click.Path(dir_okay=False))
@click.option(
    "--layout",
    "layout_file",
    metavar="LAYOUT.yaml",
    help="The layout to play (default: the scenario's `layout:`).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the steps as a JSON array (with --push, the bodies pushed).",
)
@click.option("--storyboard", metavar="PNG", help="Default: SCENARIO-storyboard.png.")
@click.option("--gif", metavar="GIF", help="Default: SCENARIO.gif.")
@click.option("--no-pictures", is_flag=True, help="Write neither storyboard nor GIF.")
@click.option("--scale", type=float, default=0.5, show_default=True, help="Of the pictures.")
@click.option("--hide-camera-off", is_flag=True, help="Leave camera-off people out.")
@click.option("--hide-audio-only", is_flag=True, help="Leave audio-only people out.")
@click.option("--push", is_flag=True, help="Play the events live into a recording.")
@click.option(
    "--speed",
    type=click.FloatRange(min=0.01),
    default=1.0,
    show_default=True,
    help="With --push: how much faster than real time.",
)
@click.option("--audit", metavar="JSONL", help="With --push: the audit log of every push.")
@style_options(assets=True)
@quiet_option
@_target_options(required=False)
def play(
    scenario_file: str,
    layout_file: str | None,
    as_json: bool,
    storyboard: str | None,
    gif: str | None,
    no_pictures: bool,
    scale: float,
    hide_camera_off: bool,
    hide_audio_only: bool,
    push: bool,
    speed: float,
    audit: str | None,
    resource_id: str | None,
    sid: str | None,
    cname: str | None,
    uid: str | None,
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
    style: StyleArgs,
) -> None:
    """Play a scenario: its payloads, a storyboard and a GIF.

    The scenario's events are turned into the updateLayout payloads they cause.

    A styled layout writes the scenario's names (`names:`, `name` events; --name gives
    more, over the scenario's); with --push its images are published (--assets-dir and
    --assets-url, or --assets-command) before each layout naming them is pushed. With
    --push, each body is printed as the recording takes it, at the scenario's time then
    (with --json, all of them at the end)."""
    from layoutkit.live.scenario import load_scenario, play_scenario, scenario_layout
    from layoutkit.safefiles import check_output

    path = Path(scenario_file)
    if audit is not None:
        check_output(Path(audit))  # the audit log is appended to: a FIFO or device is refused
    scenario = load_scenario(path)
    if style.names:  # --name over the scenario's `names:`; its `name` events come later
        scenario = replace(scenario, names={**scenario.names, **style.names})
    publisher = style.publisher()  # a bad folder or URL is refused before anything runs
    if publisher is not None and not push:
        warn("note: the --assets options publish only with --push")
    layout = scenario_layout(scenario, layout_file)
    steps, warnings = play_scenario(
        scenario, layout, hide_camera_off=hide_camera_off, hide_audio_only=hide_audio_only
    )
    for warning in warnings:
        warn(f"warning: {warning}")
    _echo_style_issues(steps)
    if push and publisher is None and any(step.compilation.assets for step in steps):
        raise click.UsageError(
            "the layout draws names, frames, logos or cards into images Agora downloads; "
            "to play it live, give --assets-dir DIR --assets-url https://... (or "
            "--assets-command CMD --assets-url ...) to publish them"
        )
    if not push:  # pushed, the bodies are printed as they are sent
        _echo_steps(steps, as_json)
    if not no_pictures and steps:
        _write_pictures(steps, path, scale, storyboard, gif)
    if push:
        recording = _recording(
            resource_id, sid, cname, uid, app_id, customer_id, customer_secret, base_url
        )
        live = _Live(speed, audit, hide_camera_off, hide_audio_only, publisher, as_json)
        _push_live(scenario, layout, recording, live)


def _echo_steps(steps: Sequence[Step], as_json: bool) -> None:
    """The payloads the scenario causes, with their times and events."""
    from layoutkit.live.scenario import format_time

    if as_json:
        _echo_json([step.to_json() for step in steps])
        return
    for step in steps:
        click.echo(f"{format_time(step.at)}  {'; '.join(step.events)}")
        if step.sent:
            click.echo(f"          {_one_line(step.payload)}")
        else:
            click.echo("          (a video-off picture shows or goes: nothing to send)")


def _one_line(payload: object) -> str:
    return json.dumps(payload, separators=(",", ":"))


def _write_pictures(
    steps: Sequence[Step], path: Path, scale: float, storyboard: str | None, gif: str | None
) -> None:
    """The storyboard and the animated GIF of the steps."""
    from layoutkit.preview import PreviewOptions, animation_gif, storyboard_png
    from layoutkit.render import write_png
    from layoutkit.safefiles import write_atomic

    options = PreviewOptions(clean=True, scale=scale)
    board = Path(storyboard or f"{path.stem}-storyboard.png")
    movie = Path(gif or f"{path.stem}.gif")
    try:
        write_png(board, storyboard_png(steps, options))
        write_atomic(movie, animation_gif(steps, options))
    except RenderError as exc:  # say which scenario made the pictures
        raise RenderError(f"{path}: {exc.message}") from None
    click.echo(f"wrote {board} and {movie}", err=True)


def _echo_style_issues(steps: Sequence[Step]) -> None:
    """What drawing the steps' names, frames and cards found (text cut, characters the
    font cannot draw), each once."""
    seen: set[str] = set()
    found = []
    for step in steps:
        for issue in step.compilation.issues:
            text = issue.format()
            if text not in seen and any(k in issue.field for k in _STYLE_FIELDS):
                seen.add(text)
                found.append(issue)
    echo_issues(found)


_STYLE_FIELDS = ("label", "card", "decor", "font", "frame")


@dataclass(frozen=True)
class _Live:
    """How `play --push` plays the scenario live."""

    speed: float
    audit: str | None
    hide_camera_off: bool
    hide_audio_only: bool
    publisher: Publisher | None
    as_json: bool


class _Pushes(io.StringIO):
    """The director's audit stream (`live.director`: JSON lines): each line goes on to the
    --audit file, if any; each `sent` line holds a body the recording took and the event
    that made it, which `show` prints (or, for --json, `pushed` keeps) as it comes."""

    def __init__(self, audit: IO[str] | None, speed: float, as_json: bool) -> None:
        super().__init__()
        self.audit, self.speed, self.as_json = audit, speed, as_json
        self.start = time.monotonic()
        self.pushed: list[dict[str, Any]] = []

    def write(self, text: str) -> int:
        if self.audit is not None:
            self.audit.write(text)
        for line in text.splitlines():
            entry = json.loads(line)
            if entry.get("step") == "sent":
                self.show(entry["event"], entry["payload"])
        return len(text)

    def flush(self) -> None:
        if self.audit is not None:
            self.audit.flush()

    def show(self, cause: str, payload: dict[str, Any]) -> None:
        """One body the recording took, at the scenario's time now."""
        from layoutkit.live.scenario import format_time

        at = round((time.monotonic() - self.start) * self.speed, 3)
        self.pushed.append({"at": at, "events": [cause], "payload": payload})
        if not self.as_json:
            click.echo(f"{format_time(at)}  {cause}\n          {_one_line(payload)}")


def _push_live(scenario: Scenario, layout: Any, recording: Recording, live: _Live) -> None:
    """Play the scenario's events into the recording through a Director, in real time
    (sped up by `live.speed`), printing each body as it is pushed."""
    from layoutkit.live.director import Director, DirectorOptions
    from layoutkit.safefiles import check_output

    options = DirectorOptions(
        hide_camera_off=live.hide_camera_off, hide_audio_only=live.hide_audio_only
    )
    with ExitStack() as files:
        audit = None
        if live.audit is not None:
            target = check_output(Path(live.audit))
            audit = files.enter_context(target.open("a", encoding="utf-8"))
        pushes = _Pushes(audit, live.speed, live.as_json)
        director = Director(
            recording,
            layout,
            scenario.roles,
            options=options,
            audit=pushes,
            names=scenario.names,
            assets=live.publisher,
        )
        try:
            for timed in scenario.events:
                wait = pushes.start + timed.at / live.speed - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                director.handle(timed.event)
            ok = director.flush(timeout=60)
        finally:
            director.close()
    if live.as_json:
        _echo_json(pushes.pushed)
    _report_push(director, ok)


def _report_push(director: Any, ok: bool) -> None:
    """The director's warnings, and whether everything was pushed (exit 1 if not)."""
    for warning in director.warnings:
        warn(f"warning: {warning}")
    if not ok:
        why = director.stopped or director.last_error or "timed out"
        raise click.ClickException(f"not all pushed: {why}")
    if director.last_error is not None:
        raise click.ClickException(f"not all pushed: {director.last_error}")
    click.echo(f"pushed {director.pushes} layouts live", err=True)


def _fingerprint(path: Path) -> str | None:
    """The contents' hash, or why the file cannot be read (a change too, reported); None
    while it is missing. Never blocks: FIFOs and devices are not read."""
    from layoutkit.layout.loader import MAX_FILE_BYTES
    from layoutkit.safefiles import read_limited

    if not path.exists():
        return None
    try:  # a little over the loader's limit, so a file growing past it is seen to change
        return hashlib.sha256(read_limited(path, MAX_FILE_BYTES + 1)).hexdigest()
    except LayoutkitError as exc:
        return f"unreadable: {exc.message}"
    except OSError as exc:
        return f"unreadable: {exc}"


def _watch_file(path: Path, on_change: Callable[[], None], poll: float, polls: int | None) -> None:
    """Call `on_change` now and after every change of the file's contents (a missing file
    is waited for), for `polls` polls or until interrupted."""
    seen = _fingerprint(path)
    on_change()
    done = 0
    while polls is None or done < polls:
        time.sleep(poll)
        done += 1
        current = _fingerprint(path)
        if current != seen and current is not None:
            seen = current
            on_change()


@click.command()
@click.argument("layout_file", metavar="LAYOUT.yaml", type=click.Path(dir_okay=False))
@click.option("-o", "--output", help="The preview PNG (default LAYOUT-STEM.png).")
@_people_options
@style_options(assets=True)
@_vars_option
@click.option("--push", is_flag=True, help="Also push each valid version live.")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=0.5,
    show_default=True,
    metavar="SECONDS",
    help="How often to look at the file for a change.",
)
@click.option("--polls", type=int, hidden=True, help="Stop after this many polls (tests).")
@quiet_option
@_target_options(required=False)
def watch(
    layout_file: str,
    output: str | None,
    count: int | None,
    participants: str | None,
    roles: tuple[str, ...],
    hide: tuple[str, ...],
    vars_: tuple[str, ...],
    push: bool,
    poll: float,
    polls: int | None,
    resource_id: str | None,
    sid: str | None,
    cname: str | None,
    uid: str | None,
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
    style: StyleArgs,
) -> None:
    """Check and draw a layout again each time it is saved.

    With --push, each valid version is pushed live (a styled layout's images published
    first, given --assets-dir and --assets-url)."""
    from layoutkit.layout.loader import MAX_FILE_BYTES
    from layoutkit.preview import PreviewOptions, draw_compilation
    from layoutkit.render import write_png
    from layoutkit.safefiles import check_output, read_limited

    source = Path(layout_file)
    if source.exists():  # a FIFO, device or folder is refused now (a missing file is awaited)
        read_limited(source, MAX_FILE_BYTES, what="layout file")
    target = Path(output or source.stem + ".png")
    check_output(target)  # refuses a FIFO, device or folder as the preview, before watching
    recording = None
    if push:
        recording = _recording(
            resource_id, sid, cname, uid, app_id, customer_id, customer_secret, base_url
        )

    def changed() -> None:
        """Any failure of one save is reported; watching goes on."""
        stamp = time.strftime("%H:%M:%S")
        try:
            compiled = _compile(
                layout_file,
                count,
                participants,
                roles,
                vars_,
                hide=hide,
                live=push,
                style=style,
                publish=push,
            )
            write_png(target, draw_compilation(compiled, PreviewOptions()))
            message = f"[{stamp}] ok: wrote {target}"
            if recording is not None:
                recording.update_layout(compiled.payload_json)
                message += f"; pushed to sid {recording.sid}"
            click.echo(message)
        except LayoutkitError as exc:
            click.echo(f"[{stamp}] {exc}")
        except Exception as exc:  # one bad save must not stop the watch
            click.echo(f"[{stamp}] {layout_file}: error: {type(exc).__name__}: {exc}")

    click.echo(f"watching {layout_file} (Ctrl-C stops)", err=True)
    try:
        _watch_file(source, changed, poll, polls)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


__all__ = ["apply", "play", "watch"]
