"""What the commands share: the option decorators, parsing their values, compiling a layout
file for a command (`CompileArgs`), the account (`Account`), and printing issues (warnings
not with `-q`) and JSON."""

from __future__ import annotations

import contextlib
import functools
import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar

import click

from layoutkit.errors import safe_text
from layoutkit.jsonmarks import format_json
from layoutkit.wire.rules import MAX_REGIONS, check_uid

if TYPE_CHECKING:
    from layoutkit.assets import Publisher
    from layoutkit.client import CloudRecordingClient
    from layoutkit.compile.compiler import Compilation
    from layoutkit.errors import Issue
    from layoutkit.layout.loader import Layout

F = TypeVar("F", bound=Callable[..., Any])
MODES = click.Choice(["mix", "individual", "web"])
RECORDING_HELP = {
    "--resource-id": "The resource id acquire gave (valid for 5 minutes before start).",
    "--sid": "The recording's sid, which start gave.",
    "--cname": "The channel the recording is in.",
    "--uid": "The recorder's uid: the uid the recording joins the channel with.",
}
"""What each option naming a recording says in `--help`, for every command that has it."""


def stack(*decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    """The decorators as one, applied so that `--help` lists their options in order."""

    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def packed(
    into: str, cls: Any, *decorators: Callable[[Any], Any], make: Callable[..., Any] | None = None
) -> Callable[[F], F]:
    """The options `decorators` add (and any others of the command named by the fields of
    the dataclass `cls`), passed on to the command as one `into=make(**their values)`."""
    names = [f.name for f in fields(cls)]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[into] = (make or cls)(**{n: kwargs.pop(n) for n in names if n in kwargs})
            return func(*args, **kwargs)

        return stack(*decorators)(wrapper)  # type: ignore[return-value]

    return decorate


def recording_options(*names: str, required: bool = True) -> Callable[[F], F]:
    """The options naming a running recording (`RECORDING_HELP`), in the order given."""
    return stack(*(click.option(n, required=required, help=RECORDING_HELP[n]) for n in names))


def mode_option(help: str = "The recording's mode.") -> Callable[[F], F]:
    return click.option("--mode", type=MODES, default="mix", show_default=True, help=help)


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


@contextlib.contextmanager
def bad_parameter(option: str) -> Iterator[None]:
    """A ValueError (or OverflowError) inside is a usage error naming `option`."""
    try:
        yield
    except (ValueError, OverflowError) as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def split_pair(value: str, option: str, example: str) -> tuple[str, str]:
    name, sep, rest = value.partition("=")
    if not sep or not name.strip() or not rest.strip():
        raise click.BadParameter(f"{value!r}: write {example}", param_hint=option)
    return name.strip(), rest.strip()


def parse_roles(values: Sequence[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for value in values:
        role, uid = split_pair(value, "--role", "ROLE=UID, e.g. --role host=1001")
        with bad_parameter("--role"):
            roles[role] = check_uid(uid)
    return roles


def check_known_roles(layout: Layout, roles: dict[str, str]) -> None:
    """A usage error for a --role the layout does not know (with "did you mean")."""
    from layoutkit.layout.roles import unknown_role_message

    message = unknown_role_message(layout, roles)
    if message is not None:
        raise click.BadParameter(safe_text(message), param_hint="--role")


def load(path: str, vars_: Sequence[str]) -> Layout:
    from layoutkit.layout.loader import load_layout
    from layoutkit.layout.templating import parse_var

    result: dict[str, Any] = {}
    for value in vars_:
        with bad_parameter("--var"):
            name, result[name] = parse_var(value)
    return load_layout(path, vars=result)


def parse_uids(value: str | None, option: str = "--participants") -> list[str] | None:
    """UID,UID,... -> the uids (None for None); BadParameter naming the option."""
    if value is None:
        return None
    with bad_parameter(option):
        return [check_uid(uid.strip()) for uid in value.split(",") if uid.strip()]


def parse_hidden(values: Sequence[str], option: str = "--hide") -> list[str]:
    """Uids given to a repeatable option, each value one uid or UID,UID,..."""
    return parse_uids(",".join(values), option) or []


QUIET = "layoutkit.quiet"  # the click context's meta key that -q sets


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[QUIET] = True
    return value


quiet_option = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    callback=_set_quiet,
    help="Print no warnings or notes (errors still print).",
)


def quiet() -> bool:
    """Whether the running command was given -q."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool(ctx.meta.get(QUIET))


def warn(text: str) -> None:
    """A warning or note on standard error, unless -q."""
    if not quiet():
        click.echo(text, err=True)


def echo_issues(issues: Sequence[Issue]) -> None:
    """Issues on standard error, the warnings only without -q."""
    hush = quiet()
    for issue in issues:
        if not (hush and issue.severity == "warning"):
            click.echo(issue.format(), err=True)


def echo_json(data: object) -> None:
    click.echo(format_json(data))


def note_strangers(result: Compilation, option: str, uids: Sequence[str]) -> None:
    """A warning for uids an option names who are not among the participants."""
    strangers = [uid for uid in dict.fromkeys(uids) if uid not in result.participants]
    if strangers:
        warn(
            f"warning: {option} {', '.join(strangers)}: not among the participants "
            f"({', '.join(result.participants) or 'none'}), so it changes nothing here"
        )


def echo_compiled(result: Compilation, *, note: bool = True) -> None:
    """The compilation's warnings, and (with `note`) a note when its uids were made up."""
    echo_issues(result.issues)
    if note and result.placeholders and result.participants:
        warn(
            f"note: uids {', '.join(result.participants)} stand in for the participants; "
            "replace them with your users' uids, or pass --participants UID,UID,... "
            "(in join order) to compile for real people"
        )


vars_option = click.option(
    "--var",
    "vars_",
    multiple=True,
    metavar="NAME=VALUE",
    help="A template variable (VALUE read as YAML: 8 is a number).",
)
role_option = click.option(
    "--role", "roles", multiple=True, metavar="ROLE=UID", help="Bind a role to a uid."
)
people_options = stack(
    click.option(
        "--count", type=click.IntRange(0, MAX_REGIONS), help="Stand-in participant count."
    ),
    click.option("--participants", metavar="UID,UID,...", help="Participants' uids in join order."),
    role_option,
    click.option(
        "--hide",
        "hide",
        multiple=True,
        metavar="UID",
        help="Leave this participant out of the picture (repeat, or UID,UID,...).",
    ),
)
name_option = click.option(
    "--name",
    "names",
    multiple=True,
    metavar="UID=NAME",
    help="The name a styled layout writes for this person (repeat).",
)


def _check_timeout(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """`--assets-timeout`: seconds above 0, at most an hour (BadParameter otherwise)."""
    if value is None:
        return None
    from layoutkit.assets.command import check_timeout
    from layoutkit.errors import AssetError

    try:
        return check_timeout(value, what="the time a publish command may take")
    except AssetError as exc:
        raise click.BadParameter(exc.message, param_hint="--assets-timeout") from None


assets_options = stack(
    click.option(
        "--assets-dir",
        metavar="DIR",
        help="Publish styled layouts' images (backgrounds, cards) into DIR ...",
    ),
    click.option("--assets-url", metavar="URL", help="... which is served at this https URL."),
    click.option(
        "--assets-command",
        metavar="CMD",
        help="Or publish each new image by running CMD ({path} and {name} "
        "replaced; no shell), e.g. 'aws s3 cp {path} s3://bucket/{name}'.",
    ),
    click.option(
        "--assets-timeout",
        type=float,
        metavar="SECONDS",
        callback=_check_timeout,
        help="Stop an --assets-command still running after this long (its whole "
        "process group) and fail; at most 3600 (an hour).  [default: 120]",
    ),
    click.option(
        "--assets-allow-http",
        is_flag=True,
        help="Accept an http assets URL (a local emulator; Agora needs https).",
    ),
)


style_options = stack(name_option, assets_options)
"""`--name` and the assets options: who the people are, where a styled layout's images go."""
layout_options = stack(people_options, style_options, vars_option, quiet_option)
"""The options of a layout a command compiles and sends."""


def parse_names(values: Sequence[str]) -> dict[str, str]:
    """`--name UID=NAME` values -> uid -> name (BadParameter when one is not that)."""
    from layoutkit.compile.compiler import check_name
    from layoutkit.errors import CompileError

    names: dict[str, str] = {}
    for value in values:
        uid, sep, name = value.partition("=")
        if not sep or not uid.strip():
            raise click.BadParameter(
                f"{safe_text(value)!r}: write UID=NAME, e.g. --name '1001=Ada Lovelace'",
                param_hint="--name",
            )
        try:
            key, text = check_name(uid.strip(), name)
        except CompileError as exc:
            raise click.BadParameter(safe_text(exc.message), param_hint="--name") from None
        names[key] = text
    return names


def _check_assets(
    folder: str | None, url: str | None, command: str | None, timeout: float | None
) -> None:
    if folder is not None and command is not None:
        raise click.UsageError("give --assets-dir or --assets-command, not both")
    if timeout is not None and command is None:
        raise click.UsageError(
            "--assets-timeout is how long each --assets-command run may take: give it with "
            "--assets-command CMD (--assets-dir needs none)"
        )
    if url is None and (folder is not None or command is not None):
        raise click.UsageError(
            "--assets-dir and --assets-command need --assets-url: the public https URL "
            "the files are served at"
        )
    if url is not None and folder is None and command is None:
        raise click.UsageError(
            "--assets-url needs --assets-dir DIR (where the files go) or --assets-command CMD"
        )
    if command is not None:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise click.BadParameter(
                f"cannot split it: {exc}", param_hint="--assets-command"
            ) from None
        if not argv:
            raise click.BadParameter("the command is empty", param_hint="--assets-command")


@dataclass(frozen=True)
class CompileArgs:
    """What the people, `--var`, `--name` and assets options gave a command (`compile_args`
    passes it on as `args`)."""

    count: int | None = None
    participants: str | None = None
    roles: Sequence[str] = ()
    hide: Sequence[str] = ()
    vars_: Sequence[str] = ()
    names: dict[str, str] = field(default_factory=dict)
    assets_dir: str | None = None
    assets_url: str | None = None
    assets_command: str | None = None
    assets_allow_http: bool = False
    assets_timeout: float | None = None

    @classmethod
    def given(cls, names: Sequence[str] = (), **values: Any) -> CompileArgs:
        """The options' values, checked: the assets options, then `--name`."""
        args = cls(**values)
        _check_assets(args.assets_dir, args.assets_url, args.assets_command, args.assets_timeout)
        return replace(args, names=parse_names(names))

    def publisher(self) -> Publisher | None:
        """The publisher the options name, or None (AssetError for a bad folder or URL,
        naming the option)."""
        if self.assets_url is None:
            return None  # (without importing the publishers: a plain compile starts fast)
        from layoutkit.assets import CommandPublisher, FolderPublisher, check_base_url
        from layoutkit.assets.command import DEFAULT_TIMEOUT

        http = self.assets_allow_http
        check_base_url(self.assets_url, what="--assets-url", allow_http=http)
        if self.assets_command is None:
            assert self.assets_dir is not None  # checked on arrival
            return FolderPublisher(self.assets_dir, self.assets_url, allow_http=http)
        timeout = DEFAULT_TIMEOUT if self.assets_timeout is None else self.assets_timeout
        argv = shlex.split(self.assets_command)
        return CommandPublisher(argv, self.assets_url, timeout=timeout, allow_http=http)

    def one_of_count_or_participants(self) -> None:
        if self.count is not None and self.participants is not None:
            raise click.UsageError("give --count or --participants, not both")

    def compile(
        self, path: str, strict: bool = False, *, live: bool = False, publish: bool = True
    ) -> Compilation:
        """Compile for the options and print the issues. `live`: the payload goes to a
        recording, so the participants must be the real ones. With `publish` False, a
        styled layout's images are drawn for a preview and published nowhere."""
        from layoutkit.compile.compiler import InMemory, compile_full

        self.one_of_count_or_participants()
        if live and self.participants is None:
            raise click.UsageError(
                "a recording needs the real participants: pass --participants UID,UID,... "
                "(the uids in the channel, in join order; --participants '' when nobody has "
                "joined yet). --count would name made-up uids, who are not in the channel"
            )
        people = parse_uids(self.participants)
        bound = parse_roles(self.roles)
        layout = load(path, self.vars_)
        check_known_roles(layout, bound)
        result = compile_full(
            layout,
            people,
            bound,
            count=self.count,
            strict=strict,
            hidden=parse_hidden(self.hide),
            names=self.names,
            assets=self.publisher() if publish else InMemory(),
        )
        if live and publish and not result.published:
            raise click.UsageError(
                "this layout draws names, frames, logos or cards into images Agora downloads; "
                "a recording shows them only once they are published: give --assets-dir DIR "
                "--assets-url https://... (or --assets-command CMD --assets-url ...)"
            )
        echo_compiled(result, note=not live)
        if not live:  # a recording's names may come before the people (a Director keeps them)
            note_strangers(result, "--name", list(self.names))
        return result


compile_args = packed("args", CompileArgs, make=CompileArgs.given)
"""The command's options that `CompileArgs` has, passed on as `args`."""


def echo_request(method: str, url: str) -> None:
    click.echo(f"-> {method} {short_url(url)}", err=True)


@dataclass(frozen=True)
class Account:
    """Where and as whom to call Agora's API, as `account_options` gave it."""

    app_id: str | None
    customer_id: str | None
    customer_secret: str | None
    base_url: str

    def client(self, **options: Any) -> CloudRecordingClient:
        """A client of the API; by default it says each request on standard error."""
        from layoutkit.client import CloudRecordingClient

        options.setdefault("on_request", echo_request)
        secret = self.customer_secret
        return CloudRecordingClient(
            self.app_id, self.customer_id, secret, base_url=self.base_url, **options
        )


account_options = packed(
    "account",
    Account,
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
)
"""`--app-id`, `--customer-id`, `--customer-secret` (each from its environment variable
too) and `--base-url`, passed on as `account`."""
