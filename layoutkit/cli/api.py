"""Commands that talk to the Cloud Recording API (`record ...`) and run the emulator
(`demo` is `cli/demo.py`). Each `record` command prints the endpoint it calls on standard error and
the answer as JSON on standard output; API errors exit with status 3."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from layoutkit.cli.options import (
    RECORDING_HELP,
    _compile,
    _echo_json,
    _people_options,
    _vars_option,
    account_options,
    port_option,
    quiet_option,
    short_url,
)
from layoutkit.cli.style_options import StyleArgs, style_options

if TYPE_CHECKING:
    from layoutkit.client import CloudRecordingClient
    from layoutkit.wire.api import RecordingMode

F = TypeVar("F", bound=Callable[..., Any])
MODES = click.Choice(["mix", "individual", "web"])
MAX_JSON_BYTES = 1 << 20  # a request body file
STORAGE_EXAMPLE = (
    '{"vendor": 1, "region": 0, "bucket": "my-bucket", "accessKey": "...", "secretKey": "..."}'
)
IDS = ("--resource-id", "--sid", "--cname", "--uid")  # what names a running recording
LIST_OPTIONS = (
    ("--subscribe-audio", "subscribe_audio"),
    ("--unsubscribe-audio", "unsubscribe_audio"),
    ("--subscribe-video", "subscribe_video"),
    ("--unsubscribe-video", "unsubscribe_video"),
)


def _client(
    app_id: str | None, customer_id: str | None, customer_secret: str | None, base_url: str
) -> CloudRecordingClient:
    from layoutkit.client import CloudRecordingClient

    return CloudRecordingClient(
        app_id,
        customer_id,
        customer_secret,
        base_url=base_url,
        on_request=lambda method, url: click.echo(f"-> {method} {short_url(url)}", err=True),
    )


def _json_file(path: str | None, what: str) -> dict[str, Any]:
    if path is None:
        return {}
    from layoutkit.errors import LayoutkitError
    from layoutkit.safefiles import read_limited

    try:
        data = json.loads(read_limited(Path(path), MAX_JSON_BYTES, what="JSON file"))
    except LayoutkitError as exc:
        raise click.BadParameter(f"{path}: {exc.message}", param_hint=what) from None
    except ValueError as exc:
        raise click.BadParameter(f"{path}: not JSON ({exc})", param_hint=what) from None
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path}: give a JSON object", param_hint=what)
    return data


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
@account_options
def acquire(
    cname: str,
    uid: str,
    resource_expired_hour: int | None,
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
) -> None:
    """Get a resource id (start within 5 minutes)."""
    client = _client(app_id, customer_id, customer_secret, base_url)
    resource = client.acquire(cname, uid, resource_expired_hour=resource_expired_hour)
    _echo_json({"cname": resource.cname, "uid": resource.uid, "resourceId": resource.resource_id})


@record.command()
@click.option("--resource-id", required=True, help=RECORDING_HELP["--resource-id"])
@click.option("--cname", required=True, help=RECORDING_HELP["--cname"])
@click.option("--uid", required=True, help=RECORDING_HELP["--uid"])
@click.option("--mode", type=MODES, default="mix", show_default=True, help="The mode to record in.")
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
@_people_options
@style_options(assets=True)
@_vars_option
@quiet_option
@account_options
def start(
    resource_id: str,
    cname: str,
    uid: str,
    mode: str,
    request_file: str | None,
    storage_file: str | None,
    layout_file: str | None,
    count: int | None,
    participants: str | None,
    roles: tuple[str, ...],
    hide: tuple[str, ...],
    vars_: tuple[str, ...],
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
    style: StyleArgs,
) -> None:
    """Start recording with a resource id. Agora needs a storageConfig: --storage FILE, or
    one in the --request file."""
    request = _json_file(request_file, "--request")
    _put_storage(request, storage_file)
    if layout_file is not None:
        compiled = _compile(
            layout_file, count, participants, roles, vars_, hide=hide, live=True, style=style
        )
        request.setdefault("recordingConfig", {})["transcodingConfig"] = compiled.transcoding_json
    client = _client(app_id, customer_id, customer_secret, base_url)
    recording = client.start(
        resource_id,
        request,
        mode=mode,  # type: ignore[arg-type]
        cname=cname,
        uid=uid,
    )
    _echo_json(
        {
            "cname": recording.cname,
            "uid": recording.uid,
            "resourceId": recording.resource_id,
            "sid": recording.sid,
        }
    )


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


@dataclass(frozen=True)
class _Running:
    """The running recording an update command changes, as `_running_options` gave it."""

    resource_id: str
    sid: str
    cname: str
    uid: str
    mode: RecordingMode

    @property
    def ids(self) -> tuple[str, str, str, str]:
        """resource id, sid, cname, uid: the client's first arguments for it."""
        return self.resource_id, self.sid, self.cname, self.uid


def _running_options(payload_help: str, mode_help: str) -> Callable[[F], F]:
    """`--payload` (a ready clientRequest, `payload_help`) and the options that name a
    running recording: `--resource-id`, `--sid`, `--cname`, `--uid` and `--mode`
    (`mode_help`: which modes Agora takes the change in), passed on as `running`."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            names = ("resource_id", "sid", "cname", "uid", "mode")
            kwargs["running"] = _Running(*(kwargs.pop(name) for name in names))
            return func(*args, **kwargs)

        options = [
            click.option("--payload", "payload_file", metavar="JSON", help=payload_help),
            *(click.option(name, required=True, help=RECORDING_HELP[name]) for name in IDS),
            click.option("--mode", type=MODES, default="mix", show_default=True, help=mode_help),
        ]
        decorated: Any = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return cast("F", decorated)

    return decorate


@record.command(name="update-layout")
@click.argument("layout_file", metavar="[LAYOUT.yaml]", required=False)
@_running_options(
    "A ready clientRequest instead of a layout file.",
    "The recording's mode (Agora takes updateLayout in mix mode only).",
)
@_people_options
@style_options(assets=True)
@_vars_option
@quiet_option
@account_options
def update_layout(
    layout_file: str | None,
    payload_file: str | None,
    count: int | None,
    participants: str | None,
    roles: tuple[str, ...],
    hide: tuple[str, ...],
    vars_: tuple[str, ...],
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
    style: StyleArgs,
    running: _Running,
) -> None:
    """Replace the layout of a running mix recording."""
    if (layout_file is None) == (payload_file is None):
        raise click.UsageError("give a LAYOUT file or --payload JSON (one of them)")
    if layout_file is not None:
        payload = _compile(
            layout_file, count, participants, roles, vars_, hide=hide, live=True, style=style
        ).payload_json
    else:
        payload = _json_file(payload_file, "--payload")
    client = _client(app_id, customer_id, customer_secret, base_url)
    _echo_json(client.update_layout(*running.ids, payload, running.mode).to_wire())


def _uid_list(value: str | None, option: str) -> list[str] | None:
    """UID,UID,... (or '#allstream#') -> the uid strings; BadParameter naming the uid."""
    if value is None:
        return None
    from layoutkit.wire.api import ALL_STREAMS, MAX_SUBSCRIBE
    from layoutkit.wire.rules import check_uid

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
    from layoutkit.wire.api import UpdateClientRequest

    uids = {
        name: _uid_list(value, option)
        for option, name in LIST_OPTIONS
        if (value := given.get(name)) is not None
    }
    return UpdateClientRequest.lists(**uids).to_wire()


def _list_options(func: F) -> F:
    helps = {
        "--subscribe-audio": "Record only these users' audio ('#allstream#': everyone's).",
        "--unsubscribe-audio": "Record everyone's audio but these users'.",
        "--subscribe-video": "Record only these users' video ('#allstream#': everyone's).",
        "--unsubscribe-video": "Record everyone's video but these users'.",
    }
    for option, name in reversed(LIST_OPTIONS):
        func = click.option(option, name, metavar="UID,UID,...", help=helps[option])(func)
    return func


@record.command(name="update")
@_running_options(
    'A ready clientRequest ({"streamSubscribe": ...}) instead of the list options.',
    "The recording's mode (Agora takes subscription lists in mix and individual modes).",
)
@_list_options
@account_options
def update(
    payload_file: str | None,
    subscribe_audio: str | None,
    unsubscribe_audio: str | None,
    subscribe_video: str | None,
    unsubscribe_video: str | None,
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
    running: _Running,
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
    lists = {
        "subscribe_audio": subscribe_audio,
        "unsubscribe_audio": unsubscribe_audio,
        "subscribe_video": subscribe_video,
        "unsubscribe_video": unsubscribe_video,
    }
    payload = _subscription(payload_file, lists)
    client = _client(app_id, customer_id, customer_secret, base_url)
    _echo_json(client.update(*running.ids, payload, running.mode).to_wire())


@record.command()
@click.option("--resource-id", required=True, help=RECORDING_HELP["--resource-id"])
@click.option("--sid", required=True, help=RECORDING_HELP["--sid"])
@click.option("--mode", type=MODES, default="mix", show_default=True, help=RECORDING_HELP["--mode"])
@account_options
def query(
    resource_id: str,
    sid: str,
    mode: str,
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
) -> None:
    """Show a recording's status and files."""
    client = _client(app_id, customer_id, customer_secret, base_url)
    _echo_json(client.query(resource_id, sid, mode).to_wire())  # type: ignore[arg-type]


@record.command()
@click.option("--resource-id", required=True, help=RECORDING_HELP["--resource-id"])
@click.option("--sid", required=True, help=RECORDING_HELP["--sid"])
@click.option("--cname", required=True, help=RECORDING_HELP["--cname"])
@click.option("--uid", required=True, help=RECORDING_HELP["--uid"])
@click.option("--mode", type=MODES, default="mix", show_default=True, help=RECORDING_HELP["--mode"])
@account_options
def stop(
    resource_id: str,
    sid: str,
    cname: str,
    uid: str,
    mode: str,
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
) -> None:
    """Stop a recording; prints the uploaded files."""
    client = _client(app_id, customer_id, customer_secret, base_url)
    answer = client.stop(resource_id, sid, cname, uid, mode)  # type: ignore[arg-type]
    if answer.already_stopped:
        click.echo(
            "note: Agora asked for the stop again, and the repeat was answered 400 code 49: "
            "an earlier try (or the recording's own exit) stopped the recording, so no file "
            "list comes with this answer (the files are in the storage)",
            err=True,
        )
    _echo_json(answer.to_wire())


def _asset_folders(values: tuple[str, ...]) -> dict[str, Path]:
    """`--assets URL=DIR` values -> {base URL: folder}; BadParameter naming the problem."""
    from layoutkit.emulator.assets import check_base

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
        try:
            base = check_base(url)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--assets") from None
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise click.BadParameter(f"{folder!r} is not a folder", param_hint="--assets")
        found[base] = path.absolute()
    return found


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@port_option(8080)
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
        from layoutkit.wire.rules import check_url

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
    click.echo(f"Cloud Recording emulator on {server.url}", err=True)
    click.echo(f"  API:     {server.url}/v1/apps/<appid>/cloud_recording/...", err=True)
    click.echo(f"  control: {server.url}/_emulator/state", err=True)
    click.echo(f"  users:   {server.url}/dev/v1/channel/user/<appid>/<channel>", err=True)
    people = f"{server.url}/_emulator/apps/<appid>/channels/<channel>/participants"
    click.echo("  add someone to a channel (a recording needs someone in it):", err=True)
    click.echo(
        f"    curl -X POST {people} -H 'Content-Type: application/json' -d '{{\"uid\": \"1001\"}}'",
        err=True,
    )
    click.echo(f"  remove them:  curl -X DELETE {people}/1001", err=True)
    for base, folder in assets.items():
        click.echo(f"  images:  {base}<name> from {folder}", err=True)
    if notify_url is not None:
        click.echo(
            f"  notifications to {notify_url} ({server.url}/_emulator/notifications)", err=True
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.stop()


__all__ = ["acquire", "emulator", "query", "record", "start", "stop", "update", "update_layout"]
