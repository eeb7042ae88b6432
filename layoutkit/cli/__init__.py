"""The `layoutkit` command line: thin commands over the Python API, one module per group
of commands (`layouts`, `api`, `demo`, `live`, `library`), each added to `cli` here;
`options` holds what they share.

Exit codes: 0 success, 1 layout/compile/render error, 2 usage error, 3 API error.
Heavy modules load inside the commands, so `layoutkit --version` starts fast.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import click

from layoutkit import __version__
from layoutkit.cli import api, demo, layouts, library, live
from layoutkit.errors import LayoutkitError


class _Group(click.Group):
    """Turns a LayoutkitError from any command into its message and exit code."""

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


for _command in (
    layouts.validate,
    layouts.compile_command,
    layouts.regions,
    layouts.preview,
    layouts.schema,
    api.record,
    api.emulator,
    demo.demo,
    library.presets,
    library.new,
    library.gallery,
    live.apply,
    live.play,
    live.watch,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """The console entry point."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="layoutkit")
    finally:
        # The process ends here: its objects go with it, so spare the interpreter's last
        # garbage collection over all of them (about 20 ms once pydantic is loaded).
        gc.freeze()


__all__ = ["cli", "main"]
