"""What the commands share: the option decorators (`--var`, `--count`, `--participants`,
`--role`, `--hide`, `-q`), parsing their values, loading and compiling a layout file for a
command, and printing issues (warnings not with `-q`) and JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from layoutkit.errors import safe_text
from layoutkit.jsonmarks import format_json
from layoutkit.wire.rules import MAX_REGIONS

if TYPE_CHECKING:
    from layoutkit.cli.style_options import StyleArgs
    from layoutkit.compile.compiler import Compilation
    from layoutkit.errors import Issue
    from layoutkit.layout.loader import Layout

F = TypeVar("F", bound=Callable[..., Any])
RECORDING_HELP = {
    "--resource-id": "The resource id acquire gave (valid for 5 minutes before start).",
    "--sid": "The recording's sid, which start gave.",
    "--cname": "The channel the recording is in.",
    "--uid": "The recorder's uid: the uid the recording joins the channel with.",
    "--mode": "The recording's mode.",
}
"""What each option naming a recording says in `--help`, for every command that has it."""


def port_option(default: int) -> Callable[[F], F]:
    """`--port`, the port a local server listens on."""
    return click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=default,
        show_default=True,
        help="The port to listen on (0: any free port).",
    )


def short_url(url: str) -> str:
    """The URL with long ids (a 300-character resource id) cut to their first 8
    characters, as the commands echo it."""
    return "/".join(p if len(p) <= 24 else f"{p[:8]}..." for p in url.split("/"))


def _split_pair(value: str, option: str, example: str) -> tuple[str, str]:
    name, sep, rest = value.partition("=")
    if not sep or not name.strip() or not rest.strip():
        raise click.BadParameter(f"{value!r}: write {example}", param_hint=option)
    return name.strip(), rest.strip()


def _parse_roles(values: Sequence[str]) -> dict[str, str]:
    from layoutkit.wire.rules import check_uid

    roles: dict[str, str] = {}
    for value in values:
        role, uid = _split_pair(value, "--role", "ROLE=UID, e.g. --role host=1001")
        try:
            roles[role] = check_uid(uid)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--role") from None
    return roles


def _check_known_roles(layout: Layout, roles: dict[str, str]) -> None:
    """A usage error for a --role the layout does not know (with "did you mean")."""
    from layoutkit.layout.roles import unknown_role_message

    message = unknown_role_message(layout, roles)
    if message is not None:
        raise click.BadParameter(safe_text(message), param_hint="--role")


def _parse_vars(values: Sequence[str]) -> dict[str, Any]:
    from layoutkit.layout.template_context import parse_var

    result: dict[str, Any] = {}
    for value in values:
        try:
            name, parsed = parse_var(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--var") from None
        result[name] = parsed
    return result


def _parse_participants(value: str | None, option: str = "--participants") -> list[str] | None:
    if value is None:
        return None
    from layoutkit.wire.rules import check_uid

    uids = [part.strip() for part in value.split(",") if part.strip()]
    try:
        return [check_uid(uid) for uid in uids]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _vars_option(func: F) -> F:
    return click.option(
        "--var",
        "vars_",
        multiple=True,
        metavar="NAME=VALUE",
        help="A template variable (VALUE read as YAML: 8 is a number).",
    )(func)


QUIET = "layoutkit.quiet"  # the click context's meta key that -q sets


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[QUIET] = True
    return value


def quiet_option(func: F) -> F:
    """`-q`/`--quiet`: the command prints no warnings or notes (errors still print)."""
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        help="Print no warnings or notes (errors still print).",
    )(func)


def quiet() -> bool:
    """Whether the running command was given -q."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool(ctx.meta.get(QUIET))


def warn(text: str) -> None:
    """A warning or note on standard error, unless -q."""
    if not quiet():
        click.echo(text, err=True)


def _people_options(func: F) -> F:
    func = click.option(
        "--hide",
        "hide",
        multiple=True,
        metavar="UID",
        help="Leave this participant out of the picture (repeat, or UID,UID,...).",
    )(func)
    func = click.option(
        "--role", "roles", multiple=True, metavar="ROLE=UID", help="Bind a role to a uid."
    )(func)
    func = click.option(
        "--participants", metavar="UID,UID,...", help="Participants' uids in join order."
    )(func)
    return click.option(
        "--count", type=click.IntRange(0, MAX_REGIONS), help="Stand-in participant count."
    )(func)


def _load(path: str, vars_: Sequence[str]) -> Layout:
    from layoutkit.layout.loader import load_layout

    return load_layout(path, vars=_parse_vars(vars_))


def _compile(
    path: str,
    count: int | None,
    participants: str | None,
    roles: Sequence[str],
    vars_: Sequence[str],
    strict: bool = False,
    *,
    hide: Sequence[str] = (),
    live: bool = False,
    style: StyleArgs | None = None,
    publish: bool = True,
) -> Compilation:
    """Compile for the command's people options and print the issues. `live`: the
    payload goes to a recording, so the participants must be the real ones. `style`:
    the names and where a styled layout's images are published (with `publish` False,
    they are drawn for a preview and published nowhere)."""
    from layoutkit.cli.style_options import StyleArgs
    from layoutkit.compile.compilation import InMemory
    from layoutkit.compile.compiler import compile_full

    if count is not None and participants is not None:
        raise click.UsageError("give --count or --participants, not both")
    if live and participants is None:
        raise click.UsageError(
            "a recording needs the real participants: pass --participants UID,UID,... "
            "(the uids in the channel, in join order; --participants '' when nobody has "
            "joined yet). --count would name made-up uids, who are not in the channel"
        )
    people = _parse_participants(participants)
    bound = _parse_roles(roles)
    layout = _load(path, vars_)
    _check_known_roles(layout, bound)
    style = style or StyleArgs()
    result = compile_full(
        layout,
        people,
        bound,
        count=count,
        strict=strict,
        hidden=_parse_hidden(hide),
        names=style.names,
        assets=style.publisher() if publish else InMemory(),
    )
    if live and publish and not result.published:
        raise click.UsageError(
            "this layout draws names, frames, logos or cards into images Agora downloads; "
            "a recording shows them only once they are published: give --assets-dir DIR "
            "--assets-url https://... (or --assets-command CMD --assets-url ...)"
        )
    _echo_issues(result, note=not live)
    if not live:  # a recording's names may come before the people (a Director keeps them)
        _note_strangers(result, "--name", list(style.names))
    return result


def _parse_hidden(values: Sequence[str], option: str = "--hide") -> list[str]:
    """Uids given to a repeatable option, each value one uid or UID,UID,..."""
    return _parse_participants(",".join(values), option) or []


def _note_strangers(result: Compilation, option: str, uids: Sequence[str]) -> None:
    """A warning for uids an option names who are not among the participants."""
    strangers = [uid for uid in dict.fromkeys(uids) if uid not in result.participants]
    if strangers:
        warn(
            f"warning: {option} {', '.join(strangers)}: not among the participants "
            f"({', '.join(result.participants) or 'none'}), so it changes nothing here"
        )


def _echo_issues(result: Compilation, *, note: bool = True) -> None:
    """The compilation's warnings, and (with `note`) a note when its uids were made up."""
    echo_issues(result.issues)
    if note and result.placeholders and result.participants:
        warn(
            f"note: uids {', '.join(result.participants)} stand in for the participants; "
            "replace them with your users' uids, or pass --participants UID,UID,... "
            "(in join order) to compile for real people"
        )


def echo_issues(issues: Sequence[Issue]) -> None:
    """Issues on standard error, the warnings only without -q."""
    hush = quiet()
    for issue in issues:
        if not (hush and issue.severity == "warning"):
            click.echo(issue.format(), err=True)


def _echo_json(data: object) -> None:
    click.echo(format_json(data))


def account_options(func: F) -> F:
    """`--app-id`, `--customer-id`, `--customer-secret` (each from its environment
    variable too) and `--base-url`: where and as whom to call Agora's API."""
    options = [
        click.option("--app-id", envvar="AGORA_APP_ID", show_envvar=True, help="The App ID."),
        click.option(
            "--customer-id",
            envvar="AGORA_CUSTOMER_ID",
            show_envvar=True,
            help="RESTful API customer id.",
        ),
        click.option(
            "--customer-secret",
            envvar="AGORA_CUSTOMER_SECRET",
            show_envvar=True,
            help="RESTful API customer secret (prefer the environment variable).",
        ),
        click.option(
            "--base-url",
            envvar="AGORA_BASE_URL",
            show_envvar=True,
            default="https://api.sd-rtn.com",
            show_default=True,
            help="Agora's API, or an emulator's URL.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


__all__ = [
    "RECORDING_HELP",
    "_compile",
    "_echo_issues",
    "_echo_json",
    "_load",
    "_note_strangers",
    "_parse_hidden",
    "_parse_participants",
    "_parse_roles",
    "_parse_vars",
    "_people_options",
    "_vars_option",
    "account_options",
    "echo_issues",
    "port_option",
    "quiet",
    "quiet_option",
    "short_url",
    "warn",
]
