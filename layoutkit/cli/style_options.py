"""`--name UID=NAME` and the assets options (`--assets-dir DIR --assets-url URL`, or
`--assets-command CMD --assets-url URL [--assets-timeout SECONDS]`): who the people are,
for the names a styled layout draws, and where its images are published. A command
decorated with `style_options` receives them as one `StyleArgs` (`style=`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

from layoutkit.errors import safe_text

if TYPE_CHECKING:
    from layoutkit.assets import Publisher

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class StyleArgs:
    """What the style options gave: `names` (uid -> name) and where to publish images."""

    names: dict[str, str] = field(default_factory=dict)
    assets_dir: str | None = None
    assets_url: str | None = None
    assets_command: str | None = None
    allow_http: bool = False
    assets_timeout: float | None = None

    def publisher(self) -> Publisher | None:
        """The publisher the options name, or None (AssetError for a bad folder or URL,
        naming the option)."""
        if self.assets_url is None:
            return None  # (without importing the publishers: a plain compile starts fast)
        from layoutkit.assets import CommandPublisher, FolderPublisher, check_base_url
        from layoutkit.assets.command import DEFAULT_TIMEOUT

        check_base_url(self.assets_url, what="--assets-url", allow_http=self.allow_http)
        if self.assets_command is not None:
            import shlex

            return CommandPublisher(
                shlex.split(self.assets_command),
                self.assets_url,
                timeout=DEFAULT_TIMEOUT if self.assets_timeout is None else self.assets_timeout,
                allow_http=self.allow_http,
            )
        assert self.assets_dir is not None  # checked by style_options
        return FolderPublisher(self.assets_dir, self.assets_url, allow_http=self.allow_http)


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
        import shlex

        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise click.BadParameter(
                f"cannot split it: {exc}", param_hint="--assets-command"
            ) from None
        if not argv:
            raise click.BadParameter("the command is empty", param_hint="--assets-command")


def style_options(*, assets: bool, names: bool = True) -> Callable[[F], F]:
    """`--name` (unless not `names`) and, with `assets`, the publishing options, passed
    on as `style`."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            folder = kwargs.pop("assets_dir", None)
            url = kwargs.pop("assets_url", None)
            command = kwargs.pop("assets_command", None)
            allow_http = kwargs.pop("assets_allow_http", False)
            timeout = kwargs.pop("assets_timeout", None)
            _check_assets(folder, url, command, timeout)
            given = parse_names(kwargs.pop("names", ()))
            kwargs["style"] = StyleArgs(given, folder, url, command, allow_http, timeout)
            return func(*args, **kwargs)

        options = []
        if names:
            options.append(
                click.option(
                    "--name",
                    "names",
                    multiple=True,
                    metavar="UID=NAME",
                    help="The name a styled layout writes for this person (repeat).",
                )
            )
        if assets:
            options += [
                click.option(
                    "--assets-dir",
                    metavar="DIR",
                    help="Publish styled layouts' images (backgrounds, cards) into DIR ...",
                ),
                click.option(
                    "--assets-url",
                    metavar="URL",
                    help="... which is served at this https URL.",
                ),
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
            ]
        decorated: Any = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate


__all__ = ["StyleArgs", "parse_names", "style_options"]
