"""The payload commands: `lint` checks Agora payloads (JSON) for the mistakes Agora accepts
silently; `import twilio|agora` makes a layout file from a Twilio composition or an Agora
payload. A file named `-` is standard input (`<stdin>` in messages)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from layoutkit.cli import options as opt
from layoutkit.errors import FileReadError, safe_text
from layoutkit.importers import MAX_SOURCE_BYTES, Imported, one_line
from layoutkit.payload_lint import MAX_PAYLOAD_BYTES, check_payload_bytes, format_issue
from layoutkit.safefiles import check_output, read_limited, write_atomic
from layoutkit.wire.rules import DEFAULT_HEIGHT, DEFAULT_WIDTH

STDIN = "-"
STDIN_NAME = "<stdin>"


def _read_stdin(limit: int, what: str) -> bytes:
    """Standard input, at most `limit` bytes (FileReadError past it)."""
    with click.open_file(STDIN, "rb") as stream:
        data = bytes(stream.read(limit + 1))
    if len(data) > limit:
        mib = limit >> 20
        raise FileReadError(
            f"standard input is over {mib} MiB; {what} are limited to {mib} MiB",
            source=STDIN_NAME,
        )
    return data


@click.command(name="lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def lint_command(files: tuple[str, ...], strict: bool) -> None:
    """Check JSON payloads before they reach Agora.

    A file (- reads standard input) holds a start or updateLayout body or its
    clientRequest, a transcodingConfig, or a layoutConfig array.

    Reports FILE:LINE:COLUMN: error|warning: FIELD: MESSAGE at each offending value:
    Agora's documented rules, and the mistakes it accepts without a word (string user
    accounts as uids, a transcodingConfig beside recordingConfig, a landscape layout on
    the default portrait canvas, regions sent with a built-in mode, regions off the
    canvas, bound and unbound regions mixed, PNG or HTTP images, #allstream# as a uid,
    too many regions, a uid twice, misspelt keys). Exit status 1 when a file has an error.
    """
    if files.count(STDIN) > 1:
        raise click.UsageError("standard input (-) can be read once; give - once")
    failed = False
    for name in files:
        source = STDIN_NAME if name == STDIN else name
        try:
            if name == STDIN:
                raw = _read_stdin(MAX_PAYLOAD_BYTES, "payloads")
            else:
                raw = read_limited(Path(name), MAX_PAYLOAD_BYTES, what="payload file")
        except FileReadError as exc:
            for issue in exc.issues:
                click.echo(issue.format())
            click.echo(f"{safe_text(source)}: fails (1 error)")
            failed = True
            continue
        report = check_payload_bytes(raw, source)
        for issue in report.issues:
            click.echo(format_issue(issue))
        click.echo(report.summary(strict=strict))
        failed = failed or not report.ok(strict=strict)
    if failed:
        sys.exit(1)


@click.group(name="import")
def import_group() -> None:
    """Make a layout from a Twilio or Agora payload.

    The payload is a Twilio composition or an Agora layout payload."""


import_options = opt.stack(
    click.option(
        "-o",
        "--output",
        metavar="LAYOUT.yaml",
        help="Write the layout here (atomically) instead of to standard output.",
    ),
    click.option("--force", is_flag=True, help="Replace the output file if it exists."),
)


@import_group.command()
@click.argument("file", type=click.Path(allow_dash=True))
@import_options
def twilio(file: str, output: str | None, force: bool) -> None:
    """Make a layout from a Twilio composition.

    FILE is the Composition resource's JSON (or a create request's) with video_layout and
    resolution, or just its video_layout; `-` reads standard input. What is not carried
    over exactly is reported on standard error and as comments at the top of the layout."""
    from layoutkit.importers import from_twilio

    target = _target(output, force, file)
    data, name = _input(file)
    _finish(from_twilio(data, name=name), target)


@import_group.command()
@click.argument("file", type=click.Path(allow_dash=True))
@click.option(
    "--canvas",
    metavar="WxH",
    help="The recorded canvas, e.g. 1280x720 (default: the payload's width and height, "
    f"else Agora's {DEFAULT_WIDTH}x{DEFAULT_HEIGHT}).",
)
@import_options
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
        with opt.bad_parameter("--canvas"):
            size = parse_canvas(canvas)
    target = _target(output, force, file)
    data, name = _input(file)
    _finish(from_agora(data, canvas=size, name=name), target)


def _input(file: str) -> tuple[str | bytes, str | None]:
    """What to import and its name: the path, or the bytes of standard input for `-`."""
    if file != STDIN:
        return file, None

    return _read_stdin(MAX_SOURCE_BYTES, "imports"), STDIN_NAME


def _target(output: str | None, force: bool, source: str) -> Path | None:
    """Where to write (None: standard output); an existing file needs --force, and a FIFO,
    device or folder is refused even with it, as is the file being imported (it would
    replace the source). Checked before anything is imported."""
    if output is None or output == "-":
        return None

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
    write_atomic(target, result.yaml.encode("utf-8"))
    click.echo(f"wrote {one_line(str(target))}", err=True)
