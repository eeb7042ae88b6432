"""`lint`: check Agora layout payloads (JSON) for the mistakes Agora accepts silently."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from layoutkit.errors import safe_text

STDIN = "-"
STDIN_NAME = "<stdin>"


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
    from layoutkit.errors import FileReadError
    from layoutkit.payload_lint import (
        MAX_PAYLOAD_BYTES,
        check_payload_bytes,
        format_issue,
    )
    from layoutkit.safefiles import read_limited

    if files.count(STDIN) > 1:
        raise click.UsageError("standard input (-) can be read once; give - once")
    failed = False
    for name in files:
        source = STDIN_NAME if name == STDIN else name
        try:
            if name == STDIN:
                raw = _read_stdin(MAX_PAYLOAD_BYTES)
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


def _read_stdin(limit: int) -> bytes:
    """Standard input, at most `limit` bytes (FileReadError past it)."""
    from layoutkit.errors import FileReadError

    with click.open_file(STDIN, "rb") as stream:
        data = bytes(stream.read(limit + 1))
    if len(data) > limit:
        raise FileReadError(
            f"standard input is over {limit >> 20} MiB; payloads are limited to {limit >> 20} MiB",
            source=STDIN_NAME,
        )
    return data


__all__ = ["lint_command"]
