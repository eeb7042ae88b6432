"""Live layout commands: `apply` (one push), `play` (a scenario: payload sequence,
storyboard, animation, optionally pushed live), `watch` (re-validate, re-render and
optionally push each time a layout file is saved) and `serve` (the director service:
Agora Notifications in, updateLayout out, a JSON API to attach recordings)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import click

from layoutkit.cli import options as opt
from layoutkit.errors import LayoutkitError, RenderError
from layoutkit.safefiles import check_output, read_limited

if TYPE_CHECKING:
    from layoutkit.assets import Publisher
    from layoutkit.client import Recording
    from layoutkit.live.director import DirectorOptions
    from layoutkit.live.scenario import Scenario, Step
    from layoutkit.service.autorecord import AutoRule


@dataclass(frozen=True)
class _Target:
    """The running recording the options name, to push into."""

    resource_id: str | None
    sid: str | None
    cname: str | None
    uid: str | None

    def recording(self, account: opt.Account) -> Recording:
        """The recording (all four coordinates are needed)."""
        from layoutkit.client import Recording

        rid, sid, cname, uid = self.resource_id, self.sid, self.cname, self.uid
        if rid is None or sid is None or cname is None or uid is None:
            raise click.UsageError("pushing needs --resource-id, --sid, --cname and --uid")
        return Recording(account.client(), rid, sid, "mix", cname, uid)


def _target_options(required: bool) -> Callable[[opt.F], opt.F]:
    """The account and the recording to push into, passed on as `account` and `target`."""
    ids = opt.recording_options("--resource-id", "--sid", "--cname", "--uid", required=required)
    return opt.stack(opt.account_options, opt.packed("target", _Target, ids))


@click.command()
@click.argument("layout_file", metavar="LAYOUT.yaml")
@opt.layout_options
@_target_options(required=True)
@opt.compile_args
def apply(layout_file: str, args: opt.CompileArgs, account: opt.Account, target: _Target) -> None:
    """Push a layout into a running recording (one updateLayout).

    A styled layout's images are published first (--assets-dir and --assets-url)."""
    payload = args.compile(layout_file, live=True).payload_json
    target.recording(account).update_layout(payload)
    regions = len(payload.get("layoutConfig", []))
    click.echo(
        f"applied: mode {payload['mixedVideoLayout']}, {regions} regions, to sid {target.sid}",
        err=True,
    )
    opt.echo_json(payload)


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
@opt.style_options
@opt.quiet_option
@_target_options(required=False)
@opt.compile_args
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
    args: opt.CompileArgs,
    account: opt.Account,
    target: _Target,
) -> None:
    """Play a scenario: its payloads, a storyboard and a GIF.

    The scenario's events are turned into the updateLayout payloads they cause.

    A styled layout writes the scenario's names (`names:`, `name` events; --name gives
    more, over the scenario's); with --push its images are published (--assets-dir and
    --assets-url, or --assets-command) before each layout naming them is pushed. With
    --push, each body is printed as the recording takes it, at the scenario's time then
    (with --json, all of them at the end)."""
    from layoutkit.live.scenario import load_scenario, play_scenario, scenario_layout

    path = Path(scenario_file)
    if audit is not None:
        check_output(Path(audit))  # the audit log is appended to: a FIFO or device is refused
    scenario = load_scenario(path)
    if args.names:  # --name over the scenario's `names:`; its `name` events come later
        scenario = replace(scenario, names={**scenario.names, **args.names})
    publisher = args.publisher()  # a bad folder or URL is refused before anything runs
    if publisher is not None and not push:
        opt.warn("note: the --assets options publish only with --push")
    layout = scenario_layout(scenario, layout_file)
    steps, warnings = play_scenario(
        scenario, layout, hide_camera_off=hide_camera_off, hide_audio_only=hide_audio_only
    )
    for warning in warnings:
        opt.warn(f"warning: {warning}")
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
        from layoutkit.live.director import DirectorOptions

        hides = DirectorOptions(hide_camera_off=hide_camera_off, hide_audio_only=hide_audio_only)
        recording = target.recording(account)
        _push_live(scenario, layout, recording, hides, publisher, audit, speed, as_json)


def _echo_steps(steps: Sequence[Step], as_json: bool) -> None:
    """The payloads the scenario causes, with their times and events."""
    from layoutkit.live.scenario import format_time

    if as_json:
        opt.echo_json([step.to_json() for step in steps])
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
    opt.echo_issues(found)


_STYLE_FIELDS = ("label", "card", "decor", "font", "frame")


class _Pushes(io.StringIO):
    """The director's audit stream (JSON lines): each line goes on to the --audit file,
    if any; each `sent` line, a body the recording took, is printed (or, for --json, kept
    in `pushed`) at the scenario's time then."""

    def __init__(self, audit: IO[str] | None, speed: float, as_json: bool) -> None:
        super().__init__()
        self.audit, self.speed, self.as_json = audit, speed, as_json
        self.start = time.monotonic()
        self.pushed: list[dict[str, Any]] = []

    def write(self, text: str) -> int:
        from layoutkit.live.scenario import format_time

        if self.audit is not None:
            self.audit.write(text)
        for entry in map(json.loads, text.splitlines()):
            if entry.get("step") == "sent":
                at = round((time.monotonic() - self.start) * self.speed, 3)
                cause, payload = entry["event"], entry["payload"]
                self.pushed.append({"at": at, "events": [cause], "payload": payload})
                if not self.as_json:
                    click.echo(f"{format_time(at)}  {cause}\n          {_one_line(payload)}")
        return len(text)

    def flush(self) -> None:
        if self.audit is not None:
            self.audit.flush()


def _push_live(
    scenario: Scenario,
    layout: Any,
    recording: Recording,
    options: DirectorOptions,
    publisher: Publisher | None,
    audit: str | None,
    speed: float,
    as_json: bool,
) -> None:
    """Play the scenario's events into the recording through a Director, in real time
    (sped up by `speed`), printing each body as it is pushed."""
    from layoutkit.live.director import Director

    with ExitStack() as files:
        log = None
        if audit is not None:
            log = files.enter_context(check_output(Path(audit)).open("a", encoding="utf-8"))
        pushes = _Pushes(log, speed, as_json)
        director = Director(
            recording,
            layout,
            scenario.roles,
            options=options,
            audit=pushes,
            names=scenario.names,
            assets=publisher,
        )
        try:
            for timed in scenario.events:
                time.sleep(max(0, pushes.start + timed.at / speed - time.monotonic()))
                director.handle(timed.event)
            ok = director.flush(timeout=60)
        finally:
            director.close()
    if as_json:
        opt.echo_json(pushes.pushed)
    for warning in director.warnings:
        opt.warn(f"warning: {warning}")
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
@opt.people_options
@opt.style_options
@opt.vars_option
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
@opt.quiet_option
@_target_options(required=False)
@opt.compile_args
def watch(
    layout_file: str,
    output: str | None,
    push: bool,
    poll: float,
    polls: int | None,
    args: opt.CompileArgs,
    account: opt.Account,
    target: _Target,
) -> None:
    """Check and draw a layout again each time it is saved.

    With --push, each valid version is pushed live (a styled layout's images published
    first, given --assets-dir and --assets-url)."""
    from layoutkit.layout.loader import MAX_FILE_BYTES
    from layoutkit.preview import PreviewOptions, draw_compilation
    from layoutkit.render import write_png

    source = Path(layout_file)
    if source.exists():  # a FIFO, device or folder is refused now (a missing file is awaited)
        read_limited(source, MAX_FILE_BYTES, what="layout file")
    png = Path(output or source.stem + ".png")
    check_output(png)  # refuses a FIFO, device or folder as the preview, before watching
    recording = target.recording(account) if push else None

    def changed() -> None:
        """Any failure of one save is reported; watching goes on."""
        stamp = time.strftime("%H:%M:%S")
        try:
            compiled = args.compile(layout_file, live=push, publish=push)
            write_png(png, draw_compilation(compiled, PreviewOptions()))
            message = f"[{stamp}] ok: wrote {png}"
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


SECRET_ENV = "AGORA_NOTIFICATIONS_SECRET"
TOKEN_ENV = "LAYOUTKIT_SERVICE_TOKEN"
MAX_CONFIG_BYTES = 1 << 20


def _rules(path: str | None) -> list[AutoRule]:
    """The auto-record rules of a config file (YAML: `auto_record: [...]`)."""
    if path is None:
        return []
    from layoutkit.layout.yaml import parse_yaml
    from layoutkit.service.autorecord import ConfigError, parse_rules

    raw = read_limited(Path(path), MAX_CONFIG_BYTES, what="config file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: the file is not UTF-8 text; save it as UTF-8") from None
    data, _ = parse_yaml(text, path)  # located errors; alias bombs and repeated keys refused
    if data is None:
        data = {}
    if not isinstance(data, dict) or set(data) - {"auto_record"}:
        raise ConfigError(f"{path}: the config file holds one key, auto_record: a list of rules")
    return parse_rules(data.get("auto_record"), path)


def _seconds_option(name: str, least: float, default: float, help: str) -> Callable[[opt.F], opt.F]:
    return click.option(
        name,
        type=click.FloatRange(min=least, max=86_400),
        default=default,
        show_default=True,
        metavar="SECONDS",
        help=help,
    )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@opt.port_option(8088)
@click.option(
    "--db",
    metavar="FILE",
    help="SQLite file that keeps the attached recordings and the notifications, so a "
    "restart resumes them (default: in memory, lost at exit).",
)
@click.option(
    "--layouts",
    metavar="DIR",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of layout files that POST /recordings may name with `file`.",
)
@click.option(
    "--config",
    "config_file",
    metavar="FILE",
    help="YAML with auto_record rules: record channels matching a pattern by itself.",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(1, 10),
    default=10,
    show_default=True,
    help="Requests per second to Agora for the App ID, at most Agora's 10 (counted over "
    "1.15 s, a margin); give less when other code calls Agora with the same App ID.",
)
@click.option(
    "--no-resync",
    is_flag=True,
    help="Never read Agora's user list (attach, restart, gaps, every --resync-interval).",
)
@_seconds_option(
    "--resync-interval",
    5,
    60,
    "Read each directed channel's user list this often (jittered), so a callback "
    "that never arrived is corrected.",
)
@_seconds_option(
    "--notify-window",
    30,
    600,
    "A callback Agora sent longer ago than this (notifyMs) is taken for a replay: "
    "answered 200 and ignored.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Log every notification (type, channel, uid, what it did) and every push.",
)
@opt.assets_options
@opt.account_options
@opt.compile_args
def serve(
    host: str,
    port: int,
    db: str | None,
    layouts: str | None,
    config_file: str | None,
    rate_limit: int,
    no_resync: bool,
    resync_interval: float,
    notify_window: float,
    verbose: bool,
    account: opt.Account,
    args: opt.CompileArgs,
) -> None:
    """Run the director service for Agora Notifications.

    Agora Notifications at POST /agora/notifications keep every attached recording's
    layout right (POST/GET/DELETE /recordings; names with
    PUT /recordings/SID/names/UID). Styled layouts' images are published with
    --assets-dir DIR --assets-url URL (or --assets-command CMD --assets-url URL).

    Secrets come from the environment only: AGORA_NOTIFICATIONS_SECRET (the
    Notifications secret, required) and LAYOUTKIT_SERVICE_TOKEN (the bearer token of
    /recordings, required unless --host is a loopback address). Put it behind an HTTPS
    proxy for Agora (see docs/service.md). SIGTERM or Ctrl-C stops it cleanly."""
    from layoutkit.client import RetryPolicy
    from layoutkit.service.server import DirectorService

    publisher = args.publisher()  # a bad folder or URL is refused before the service starts

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    token = os.environ.get(TOKEN_ENV)
    if token is not None and not token.strip():
        raise click.UsageError(f"{TOKEN_ENV} is set but empty: give a long random token")
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise click.UsageError(
            f"set {SECRET_ENV} to the Notifications secret (Agora Console, Notifications)"
        )
    rules = _rules(config_file)
    # every request is one fair turn (directors retry)
    client = account.client(retry=RetryPolicy(attempts=1), rate_limit=rate_limit, on_request=None)
    try:
        service = DirectorService(
            client,
            notify_secret=secret,
            host=host,
            port=port,
            token=token,
            db=db,
            layouts=layouts,
            rules=rules,
            rate_limit=rate_limit,
            resync=not no_resync,
            resync_interval=resync_interval,
            notify_window=notify_window,
            assets=publisher,
        )
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    _announce(service, db, rules)
    if publisher is not None:
        timeout = getattr(publisher, "timeout", None)  # a command's, --assets-timeout
        how = "--assets-dir" if timeout is None else f"--assets-command, {timeout:g} s at most"
        click.echo(f"  images:        styled layouts' images published ({how})", err=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=service.shutdown, name="layoutkit-sigterm").start()

    previous: Any = signal.signal(signal.SIGTERM, stop)
    try:
        service.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        service.stop()
    unsent = service.hub.unsent
    if unsent:
        click.echo(
            f"stopped: state written; {len(unsent)} recordings still had a layout to send "
            f"(Agora did not take it in time): {', '.join(unsent[:10])}; a restart with the "
            "same --db sends it",
            err=True,
        )
        raise SystemExit(1)
    click.echo("stopped: pending layouts sent, state written", err=True)


def _announce(service: Any, db: str | None, rules: list[AutoRule]) -> None:
    kept = db if db is not None else "memory (give --db FILE to resume after a restart)"
    lines = [
        f"layoutkit director service on {service.url}",
        f"  notifications: POST {service.notifications_url}",
        f"  recordings:    {service.url}/recordings",
        f"  state:         {kept}; {service.resumed} recordings resumed",
    ]
    if rules:
        lines.append(f"  auto-record:   channels {', '.join(rule.channels for rule in rules)}")
    click.echo("\n".join(lines), err=True)
