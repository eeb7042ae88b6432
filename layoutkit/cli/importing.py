"""`layoutkit import twilio|agora`: start from what people already have, a Twilio
composition or an Agora start or updateLayout payload, and get a layout file.

The input is a file, or standard input for `-` (named `<stdin>` in messages). The layout
goes to standard output (or `-o FILE`, written atomically and never over an
existing file without `--force`); what was not carried over exactly goes to standard
error, and is also written as comments at the top of the layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from layoutkit.cli import MessageGroup
from layoutkit.wire.rules import DEFAULT_HEIGHT, DEFAULT_WIDTH

if TYPE_CHECKING:
    from layoutkit.importers import Imported


@click.group(name="import", cls=MessageGroup)
def import_group() -> None:
    """Make a layout from a Twilio or Agora payload.

    The payload is a Twilio composition or an Agora layout payload."""


_output_option = click.option(
    "-o",
    "--output",
    metavar="LAYOUT.yaml",
    help="Write the layout here (atomically) instead of to standard output.",
)
_force_option = click.option("--force", is_flag=True, help="Replace the output file if it exists.")


STDIN = "-"
STDIN_NAME = "<stdin>"


@import_group.command()
@click.argument("file", type=click.Path(allow_dash=True))
@_output_option
@_force_option
def twilio(file: str, output: str | None, force: bool) -> None:
    """Make a layout from a Twilio composition.

    FILE is the Composition resource's JSON (or a create request's) with video_layout and
    resolution, or just its video_layout; `-` reads standard input. What is not carried
    over exactly is reported on standard error and as comments at the top of the layout."""
    from layoutkit.importers import from_twilio

    target = _target(output, force, file)
    _finish(from_twilio(_input(file), name=_name(file)), target)


@import_group.command()
@click.argument("file", type=click.Path(allow_dash=True))
@click.option(
    "--canvas",
    metavar="WxH",
    help="The recorded canvas, e.g. 1280x720 (default: the payload's width and height, "
    f"else Agora's {DEFAULT_WIDTH}x{DEFAULT_HEIGHT}).",
)
@_output_option
@_force_option
def agora(file: str, canvas: str | None, output: str | None, force: bool) -> None:
    """Make a layout from an Agora layout payload.

    FILE is a start request (or its transcodingConfig), an updateLayout request (or its
    clientRequest), or a layoutConfig array (`-` reads standard input); the layout compiles
    back to the same payload. What has no place in a layout is reported on standard error
    and as comments at the top of the layout."""
    from layoutkit.importers import from_agora
    from layoutkit.importers.agora import parse_canvas

    size = None
    if canvas is not None:
        try:
            size = parse_canvas(canvas)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--canvas") from None
    target = _target(output, force, file)
    _finish(from_agora(_input(file), canvas=size, name=_name(file)), target)


def _name(file: str) -> str | None:
    return STDIN_NAME if file == STDIN else None


def _input(file: str) -> str | bytes:
    """What to import: the path, or the bytes of standard input for `-` (at most the
    importers' limit, FileReadError past it)."""
    if file != STDIN:
        return file
    from layoutkit.errors import FileReadError
    from layoutkit.importers.source import MAX_SOURCE_BYTES

    with click.open_file(STDIN, "rb") as stream:
        data = bytes(stream.read(MAX_SOURCE_BYTES + 1))
    if len(data) > MAX_SOURCE_BYTES:
        limit = MAX_SOURCE_BYTES >> 20
        raise FileReadError(
            f"standard input is over {limit} MiB; imports are limited to {limit} MiB",
            source=STDIN_NAME,
        )
    return data


def _target(output: str | None, force: bool, source: str) -> Path | None:
    """Where to write (None: standard output); an existing file needs --force, and a FIFO,
    device or folder is refused even with it, as is the file being imported (it would
    replace the source). Checked before anything is imported."""
    if output is None or output == "-":
        return None
    from layoutkit.importers.output import one_line
    from layoutkit.safefiles import check_output

    target = Path(output)
    final = check_output(target)
    if source != STDIN and _same_file(final, Path(source)):
        raise click.ClickException(
            f"-o {one_line(output)} is the file being imported; writing there would replace "
            "it (pick another name for the layout)"
        )
    if target.exists() and not force:
        raise click.ClickException(
            f"{one_line(output)} exists; pick another name or add --force to replace it"
        )
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def _finish(result: Imported, target: Path | None) -> None:
    """The report on standard error (each line one line: see `one_line`), the layout
    to its place."""
    from layoutkit.importers.output import one_line

    click.echo(result.summary(), err=True)
    if result.notes:
        click.echo("not carried over exactly:", err=True)
        for note in result.notes:
            click.echo(f"  - {one_line(note)}", err=True)
    else:
        click.echo("everything was carried over exactly", err=True)
    if target is None:
        click.echo(result.yaml, nl=False)
        return
    from layoutkit.safefiles import write_atomic

    write_atomic(target, result.yaml.encode("utf-8"))
    click.echo(f"wrote {one_line(str(target))}", err=True)


__all__ = ["agora", "import_group", "twilio"]
