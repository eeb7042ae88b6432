"""`layoutkit serve`: the director service (Agora Notifications in, updateLayout out, a
JSON API to attach recordings), until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from layoutkit.cli.options import account_options, port_option
from layoutkit.cli.style_options import StyleArgs, style_options

if TYPE_CHECKING:
    from layoutkit.service.autorecord import AutoRule

SECRET_ENV = "AGORA_NOTIFICATIONS_SECRET"
TOKEN_ENV = "LAYOUTKIT_SERVICE_TOKEN"
MAX_CONFIG_BYTES = 1 << 20


def _rules(path: str | None) -> list[AutoRule]:
    """The auto-record rules of a config file (YAML: `auto_record: [...]`)."""
    if path is None:
        return []
    from layoutkit.layout.yaml import parse_yaml
    from layoutkit.safefiles import read_limited
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


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@port_option(8088)
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
@click.option(
    "--resync-interval",
    type=click.FloatRange(min=5, max=86_400),
    default=60,
    show_default=True,
    metavar="SECONDS",
    help="Read each directed channel's user list this often (jittered), so a callback "
    "that never arrived is corrected.",
)
@click.option(
    "--notify-window",
    type=click.FloatRange(min=30, max=86_400),
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="A callback Agora sent longer ago than this (notifyMs) is taken for a replay: "
    "answered 200 and ignored.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Log every notification (type, channel, uid, what it did) and every push.",
)
@style_options(assets=True, names=False)
@account_options
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
    app_id: str | None,
    customer_id: str | None,
    customer_secret: str | None,
    base_url: str,
    style: StyleArgs,
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
    from layoutkit.client import CloudRecordingClient, RetryPolicy
    from layoutkit.service.server import DirectorService

    publisher = style.publisher()  # a bad folder or URL is refused before the service starts

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
    client = CloudRecordingClient(
        app_id,
        customer_id,
        customer_secret,
        base_url=base_url,
        retry=RetryPolicy(attempts=1),  # every request is one fair turn; directors retry
        rate_limit=rate_limit,
    )
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
    click.echo(f"layoutkit director service on {service.url}", err=True)
    click.echo(f"  notifications: POST {service.notifications_url}", err=True)
    click.echo(f"  recordings:    {service.url}/recordings", err=True)
    kept = db if db is not None else "memory (give --db FILE to resume after a restart)"
    click.echo(f"  state:         {kept}; {service.resumed} recordings resumed", err=True)
    if rules:
        patterns = ", ".join(rule.channels for rule in rules)
        click.echo(f"  auto-record:   channels {patterns}", err=True)


__all__ = ["serve"]
