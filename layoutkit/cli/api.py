"""Commands that talk to the Cloud Recording API (`record ...`) and run the emulator. Each
`record` command prints the endpoint it calls on standard error and the answer as JSON on
standard output; API errors exit with status 3."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from layoutkit.cli import options as opt
from layoutkit.errors import LayoutkitError
from layoutkit.safefiles import read_limited
from layoutkit.wire.api import ALL_STREAMS, MAX_SUBSCRIBE, RecordingMode, UpdateClientRequest
from layoutkit.wire.rules import check_uid, check_url

MAX_JSON_BYTES = 1 << 20  # a request body file
STORAGE_EXAMPLE = (
    '{"vendor": 1, "region": 0, "bucket": "my-bucket", "accessKey": "...", "secretKey": "..."}'
)
IDS = ("--resource-id", "--sid", "--cname", "--uid")  # what names a running recording
LISTS = {
    "--subscribe-audio": "Record only these users' audio ('#allstream#': everyone's).",
    "--unsubscribe-audio": "Record everyone's audio but these users'.",
    "--subscribe-video": "Record only these users' video ('#allstream#': everyone's).",
    "--unsubscribe-video": "Record everyone's video but these users'.",
}


def _json_file(path: str | None, what: str) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(read_limited(Path(path), MAX_JSON_BYTES, what="JSON file"))
    except LayoutkitError as exc:
        raise click.BadParameter(f"{path}: {exc.message}", param_hint=what) from None
    except ValueError as exc:
        raise click.BadParameter(f"{path}: not JSON ({exc})", param_hint=what) from None
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path}: give a JSON object", param_hint=what)
    return data


@dataclass(frozen=True)
class _Running:
    """The running recording a command names (`running_options`)."""

    resource_id: str
    sid: str
    cname: str
    uid: str
    mode: RecordingMode

    @property
    def ids(self) -> tuple[str, str, str, str]:
        """resource id, sid, cname, uid: the client's first arguments for it."""
        return self.resource_id, self.sid, self.cname, self.uid


def _running_options(
    *payload: Callable[[Any], Any], mode_help: str = "The recording's mode."
) -> Callable[[opt.F], opt.F]:
    """The options naming a running recording (after `payload`, a `--payload` option),
    passed on as `running`."""
    return opt.packed(
        "running", _Running, *payload, opt.recording_options(*IDS), opt.mode_option(mode_help)
    )


def _payload_option(help: str) -> Callable[[opt.F], opt.F]:
    return click.option("--payload", "payload_file", metavar="JSON", help=help)


@click.group()
def record() -> None:
    """Call the Cloud Recording REST API.

    The commands are acquire, start, update, update-layout, query and stop."""


@record.command()
@click.option("--cname", required=True, help="The channel to record.")
@click.option("--uid", required=True, help="The recorder's uid in the channel.")
@click.option(
    "--resource-expired-hour",
    type=click.IntRange(1, 720),
    help="How many hours the resource id stays usable (Agora's default: 72).",
)
@opt.account_options
def acquire(cname: str, uid: str, resource_expired_hour: int | None, account: opt.Account) -> None:
    """Get a resource id (start within 5 minutes)."""
    resource = account.client().acquire(cname, uid, resource_expired_hour=resource_expired_hour)
    opt.echo_json(
        {"cname": resource.cname, "uid": resource.uid, "resourceId": resource.resource_id}
    )


@record.command()
@opt.recording_options("--resource-id", "--cname", "--uid")
@opt.mode_option("The mode to record in.")
@click.option("--request", "request_file", metavar="JSON", help="A clientRequest to start with.")
@click.option(
    "--storage",
    "storage_file",
    metavar="FILE",
    help="The storageConfig, a JSON file: where Agora uploads the files (or give it in --request).",
)
@click.option(
    "--layout",
    "layout_file",
    metavar="LAYOUT.yaml",
    help="Compile this layout into recordingConfig.transcodingConfig (mix).",
)
@opt.layout_options
@opt.account_options
@opt.compile_args
def start(
    resource_id: str,
    cname: str,
    uid: str,
    mode: RecordingMode,
    request_file: str | None,
    storage_file: str | None,
    layout_file: str | None,
    account: opt.Account,
    args: opt.CompileArgs,
) -> None:
    """Start recording with a resource id. Agora needs a storageConfig: --storage FILE, or
    one in the --request file."""
    request = _json_file(request_file, "--request")
    _put_storage(request, storage_file)
    if layout_file is not None:
        transcoding = args.compile(layout_file, live=True).transcoding_json
        request.setdefault("recordingConfig", {})["transcodingConfig"] = transcoding
    client = account.client()
    recording = client.start(resource_id, request, mode=mode, cname=cname, uid=uid)
    ids = {"cname": recording.cname, "uid": recording.uid, "resourceId": recording.resource_id}
    opt.echo_json({**ids, "sid": recording.sid})


def _put_storage(request: dict[str, Any], storage_file: str | None) -> None:
    """The --storage file into the request; a usage error saying how to give a
    storageConfig when there is none, or two."""
    if storage_file is None:
        if request.get("storageConfig") is None:
            raise click.UsageError(
                "Agora needs a storageConfig (where it uploads the files): give --storage "
                f"FILE, a JSON file such as {STORAGE_EXAMPLE}, or --request FILE with "
                "storageConfig in it"
            )
        return
    if request.get("storageConfig") is not None:
        raise click.UsageError(
            "the --request file has a storageConfig and --storage gives another: keep one"
        )
    request["storageConfig"] = _json_file(storage_file, "--storage")


@record.command(name="update-layout")
@click.argument("layout_file", metavar="[LAYOUT.yaml]", required=False)
@_running_options(
    _payload_option("A ready clientRequest instead of a layout file."),
    mode_help="The recording's mode (Agora takes updateLayout in mix mode only).",
)
@opt.layout_options
@opt.account_options
@opt.compile_args
def update_layout(
    layout_file: str | None,
    payload_file: str | None,
    account: opt.Account,
    args: opt.CompileArgs,
    running: _Running,
) -> None:
    """Replace the layout of a running mix recording."""
    if (layout_file is None) == (payload_file is None):
        raise click.UsageError("give a LAYOUT file or --payload JSON (one of them)")
    if layout_file is not None:
        payload = args.compile(layout_file, live=True).payload_json
    else:
        payload = _json_file(payload_file, "--payload")
    opt.echo_json(account.client().update_layout(*running.ids, payload, running.mode).to_wire())


def _uid_list(value: str, option: str) -> list[str]:
    """UID,UID,... (or '#allstream#') -> the uid strings; BadParameter naming the uid."""
    uids = [part.strip() for part in value.split(",") if part.strip()]
    if not 1 <= len(uids) <= MAX_SUBSCRIBE:
        raise click.BadParameter(
            f"give 1 to {MAX_SUBSCRIBE} uids, e.g. {option} 1001,1002 (or '{ALL_STREAMS}')",
            param_hint=option,
        )
    try:
        return [uid if uid == ALL_STREAMS else check_uid(uid) for uid in uids]
    except ValueError as exc:
        raise click.BadParameter(
            f"{exc} (or '{ALL_STREAMS}' for everyone)", param_hint=option
        ) from None


def _subscription(payload_file: str | None, lists: dict[str, str | None]) -> dict[str, Any]:
    """The update clientRequest from --payload or the list options (one of the two)."""
    given = {name: value for name, value in lists.items() if value is not None}
    if (payload_file is None) == (not given):
        raise click.UsageError(
            "give the lists (--subscribe-audio, --unsubscribe-audio, --subscribe-video, "
            "--unsubscribe-video) or --payload JSON (one of them)"
        )
    if payload_file is not None:
        return _json_file(payload_file, "--payload")
    for media in ("audio", "video"):
        if f"subscribe_{media}" in given and f"unsubscribe_{media}" in given:
            raise click.UsageError(
                f"give --subscribe-{media} (only these users' {media}) or "
                f"--unsubscribe-{media} (everyone's but theirs), not both"
            )

    names = [(option, option[2:].replace("-", "_")) for option in LISTS]
    uids = {name: _uid_list(given[name], option) for option, name in names if name in given}
    return UpdateClientRequest.lists(**uids).to_wire()


@record.command(name="update")
@_running_options(
    _payload_option(
        'A ready clientRequest ({"streamSubscribe": ...}) instead of the list options.'
    ),
    mode_help="The recording's mode (Agora takes subscription lists in mix and individual modes).",
)
@opt.stack(*(click.option(name, metavar="UID,UID,...", help=text) for name, text in LISTS.items()))
@opt.account_options
def update(
    payload_file: str | None, account: opt.Account, running: _Running, **lists: str | None
) -> None:
    """Replace the subscription lists of a recording.

    This works for a running mix or individual recording.

    The lists say whose audio and whose video the recording takes from now on. For each
    media, list the users to record or the users to leave out, not both (at most 32
    uids; '#allstream#', quoted, records everyone). Each call replaces the whole
    subscription: a media given no list is then recorded from nobody, so give both. For
    example, only 1001's and 1002's audio, and everyone's video but 1003's:

    \b
      layoutkit record update --resource-id RID --sid SID --cname room --uid 99 \\
        --subscribe-audio 1001,1002 --unsubscribe-video 1003
    """
    payload = _subscription(payload_file, lists)
    opt.echo_json(account.client().update(*running.ids, payload, running.mode).to_wire())


@record.command()
@opt.recording_options("--resource-id", "--sid")
@opt.mode_option()
@opt.account_options
def query(resource_id: str, sid: str, mode: RecordingMode, account: opt.Account) -> None:
    """Show a recording's status and files."""
    opt.echo_json(account.client().query(resource_id, sid, mode).to_wire())


@record.command()
@_running_options()
@opt.account_options
def stop(running: _Running, account: opt.Account) -> None:
    """Stop a recording; prints the uploaded files."""
    answer = account.client().stop(*running.ids, running.mode)
    if answer.already_stopped:
        click.echo(
            "note: Agora asked for the stop again, and the repeat was answered 400 code 49: "
            "an earlier try (or the recording's own exit) stopped the recording, so no file "
            "list comes with this answer (the files are in the storage)",
            err=True,
        )
    opt.echo_json(answer.to_wire())


def _asset_folders(values: tuple[str, ...]) -> dict[str, Path]:
    """`--assets URL=DIR` values -> {base URL: folder}; BadParameter naming the problem."""
    from layoutkit.emulator.state import check_base

    found: dict[str, Path] = {}
    for value in values:
        url, equals, folder = value.partition("=")
        # a URL or a folder holding "=": the first split whose right side is a folder
        splits = [i for i, c in enumerate(value) if c == "="]
        for at in splits:
            if Path(value[at + 1 :]).expanduser().is_dir():
                url, equals, folder = value[:at], "=", value[at + 1 :]
                break
        if not equals or not url.strip() or not folder:
            raise click.BadParameter(
                f"{value!r}: give URL=DIR, e.g. https://cdn.example.com/show/=./published",
                param_hint="--assets",
            )
        with opt.bad_parameter("--assets"):
            base = check_base(url)
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise click.BadParameter(f"{folder!r} is not a folder", param_hint="--assets")
        found[base] = path.absolute()
    return found


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@opt.port_option(8080)
@click.option("--customer-id", help="Require these credentials (default: accept any).")
@click.option(
    "--customer-secret",
    envvar="EMULATOR_CUSTOMER_SECRET",
    show_envvar=True,
    help="The customer secret required with --customer-id.",
)
@click.option("--app-id", "app_ids", multiple=True, help="Serve only these App IDs.")
@click.option(
    "--log-size",
    type=click.IntRange(1, 10_000_000),
    default=10_000,
    show_default=True,
    help="How many API requests the request log keeps (the newest).",
)
@click.option(
    "--notify-url",
    help="POST signed Agora Notifications (joins, leaves, role changes) to this URL.",
)
@click.option(
    "--notify-secret",
    envvar="EMULATOR_NOTIFY_SECRET",
    show_envvar=True,
    help="The Notifications secret the signatures are made with.",
)
@click.option("--notify-seed", type=int, help="Seed the Notifications faults' random draws.")
@click.option(
    "--assets",
    "assets",
    multiple=True,
    metavar="URL=DIR",
    callback=lambda _ctx, _param, values: _asset_folders(values),
    help="Serve image URLs URL/<name> from DIR/<name> in the composite (repeatable).",
)
def emulator(
    host: str,
    port: int,
    customer_id: str | None,
    customer_secret: str | None,
    app_ids: tuple[str, ...],
    log_size: int,
    notify_url: str | None,
    notify_secret: str | None,
    notify_seed: int | None,
    assets: dict[str, Path],
) -> None:
    """Run a local Cloud Recording API emulator (Ctrl-C stops it)."""
    from layoutkit.emulator import EmulatorServer

    if (customer_id is None) != (customer_secret is None):
        raise click.UsageError("give --customer-id and --customer-secret together")
    if (notify_url is None) != (notify_secret is None):
        raise click.UsageError("give --notify-url and --notify-secret together")
    if notify_url is not None:
        try:
            check_url(notify_url)
        except ValueError as exc:
            raise click.UsageError(f"--notify-url: {exc}") from None
    try:
        server = EmulatorServer(
            host,
            port,
            app_ids=app_ids,
            customer_id=customer_id,
            customer_secret=customer_secret,
            log_size=log_size,
            notify_url=notify_url,
            notify_secret=notify_secret,
            notify_seed=notify_seed,
            assets=assets,
        )
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    people = f"{server.url}/_emulator/apps/<appid>/channels/<channel>/participants"
    lines = [
        f"Cloud Recording emulator on {server.url}",
        f"  API:     {server.url}/v1/apps/<appid>/cloud_recording/...",
        f"  control: {server.url}/_emulator/state",
        f"  users:   {server.url}/dev/v1/channel/user/<appid>/<channel>",
        "  add someone to a channel (a recording needs someone in it):",
        f"    curl -X POST {people} -H 'Content-Type: application/json' -d '{{\"uid\": \"1001\"}}'",
        f"  remove them:  curl -X DELETE {people}/1001",
        *(f"  images:  {base}<name> from {folder}" for base, folder in assets.items()),
    ]
    if notify_url is not None:
        lines.append(f"  notifications to {notify_url} ({server.url}/_emulator/notifications)")
    click.echo("\n".join(lines), err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.stop()
