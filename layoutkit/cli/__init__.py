"""The `layoutkit` command line: thin commands over the Python API, a module per group of
commands, each loaded only when its command runs (`COMMANDS`). Exit codes: 0 success,
1 layout/compile/render error, 2 usage error, 3 API error."""

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
    "serve": ("live", "serve"),
    "lint": ("payloads", "lint_command"),
    "import": ("payloads", "import_group"),
}


class _Group(click.Group):
    """The `layoutkit` group: loads each command from `COMMANDS` when it is first asked
    for, and turns a LayoutkitError into its message and exit code (no traceback)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"layoutkit.cli.{module}"), name)
            self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LayoutkitError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="layoutkit")
def cli() -> None:
    """Design Agora Cloud Recording composite layouts: validate, compile, preview."""


def main(argv: Sequence[str] | None = None) -> None:
    """The console entry point."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="layoutkit")
    finally:
        # The process ends here: spare the interpreter's last garbage collection over all
        # its objects (milliseconds once many modules are loaded).
        gc.freeze()


__all__ = ["COMMANDS", "cli", "main"]
