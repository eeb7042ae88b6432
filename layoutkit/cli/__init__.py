"""The `layoutkit` command line: thin commands over the Python API, one module per group
of commands (`layouts`, `api`, `demo`, `live`, `library`, `service`), each named in
`COMMANDS` here; `options` holds what they share.

Exit codes: 0 success, 1 layout/compile/render error, 2 usage error, 3 API error.
A command's module loads only when that command runs (or help lists the commands), and
heavy modules load inside the commands, so `layoutkit compile` loads neither the client
nor the service, and `layoutkit --version` starts fast.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Sequence
from typing import Any

import click

from layoutkit import __version__
from layoutkit.errors import LayoutkitError

COMMANDS: dict[str, tuple[str, str]] = {
    # command name: (module in layoutkit.cli, the command object in it)
    "validate": ("layouts", "validate"),
    "compile": ("layouts", "compile_command"),
    "regions": ("layouts", "regions"),
    "preview": ("layouts", "preview"),
    "schema": ("layouts", "schema"),
    "record": ("api", "record"),
    "emulator": ("api", "emulator"),
    "demo": ("demo", "demo"),
    "presets": ("library", "presets"),
    "new": ("library", "new"),
    "gallery": ("library", "gallery"),
    "apply": ("live", "apply"),
    "play": ("live", "play"),
    "watch": ("live", "watch"),
    "serve": ("service", "serve"),
    "lint": ("lint", "lint_command"),
    "import": ("importing", "import_group"),
}
"""Every command, loaded from its module the first time it is asked for (click's lazy
subcommands: `get_command` imports, `list_commands` names them without importing)."""


class MessageGroup(click.Group):
    """A group that turns a LayoutkitError from any of its commands into its message and
    exit code (no traceback), whether it runs under `layoutkit` or on its own."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LayoutkitError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(exc.exit_code)


class _Group(MessageGroup):
    """The `layoutkit` group: loads each command from `COMMANDS` when it is first asked
    for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"layoutkit.cli.{module}"), name)
            self.add_command(command, cmd_name)
        return command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="layoutkit")
def cli() -> None:
    """Design Agora Cloud Recording composite layouts: validate, compile, preview."""


def main(argv: Sequence[str] | None = None) -> None:
    """The console entry point."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="layoutkit")
    finally:
        # The process ends here: its objects go with it, so spare the interpreter's last
        # garbage collection over all of them (milliseconds once many modules are loaded).
        gc.freeze()


__all__ = ["COMMANDS", "MessageGroup", "cli", "main"]
