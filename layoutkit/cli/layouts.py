"""The layout commands: `validate`, `compile`, `regions`, `preview`, `schema`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from layoutkit.cli import options as opt
from layoutkit.errors import LayoutError, safe_text
from layoutkit.wire.rules import MAX_REGIONS

if TYPE_CHECKING:
    from layoutkit.cameras import CameraShape
    from layoutkit.compile.report import ValidationReport
    from layoutkit.errors import Issue


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--count",
    type=click.IntRange(1, MAX_REGIONS),
    help=f"Check this count only (default: the file's `counts`, else 1..{MAX_REGIONS}).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@opt.role_option
@opt.vars_option
@opt.quiet_option
def validate(
    files: tuple[str, ...],
    count: int | None,
    strict: bool,
    roles: tuple[str, ...],
    vars_: tuple[str, ...],
) -> None:
    """Check layout files at every participant count.

    Each file is checked at every count from 1 to 17 (or its `counts:`), with no role
    bound and with the roles its variants and template branches depend on."""
    from layoutkit.compile.report import validate_layout

    bound = opt.parse_roles(roles)
    counts = (count,) if count is not None else None
    failed = False
    for path in files:
        try:
            layout = opt.load(path, vars_)
            opt.check_known_roles(layout, bound)
            report = validate_layout(layout, counts, bound, strict=strict)
        except LayoutError as exc:
            issues: list[Issue] = getattr(exc, "issues", None) or []
            for issue in issues:
                click.echo(issue.format())
            if not issues:
                click.echo(f"{exc}")
            errors = sum(1 for i in issues if i.severity == "error") or 1
            click.echo(f"{safe_text(path)}: fails ({errors} error{'s' if errors != 1 else ''})")
            failed = True
            continue
        _print_report(report.without_warnings() if opt.quiet() else report)
        failed = failed or not report.ok
    if failed:
        sys.exit(1)


def _print_report(report: ValidationReport) -> None:
    """Each issue with where it occurs (`[at counts 2-9 with screen]`, left out when it
    occurs everywhere checked), then a summary line."""
    from layoutkit.compile.report import count_ranges

    for finding in report.findings:
        text = finding.issue.format()
        where = report.where(finding.at)
        if where is not None:
            head, _, rest = text.partition("\n")
            text = f"{head} [at {safe_text(where)}]" + (f"\n{rest}" if rest else "")
        click.echo(text)
    errors = sum(1 for i in report.issues if i.severity == "error")
    warnings = len(report.issues) - errors
    tally = ", ".join(
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((errors, "error"), (warnings, "warning"))
        if n
    )
    source = safe_text(report.source)
    if report.ok:
        scope = safe_text(report.scope())
        click.echo(f"{source}: ok at {scope}" + (f" ({tally})" if tally else ""))
    elif report.failing_at:
        where = report.where(report.failing_at) or count_ranges(report.failing)
        click.echo(f"{source}: fails at {safe_text(where)} ({tally})")
    else:
        click.echo(f"{source}: fails ({tally})")


@click.command(name="compile")
@click.argument("file", type=click.Path(dir_okay=False))
@opt.people_options
@click.option(
    "--as",
    "as_",
    type=click.Choice(["update", "start", "layout-config"]),
    default="update",
    show_default=True,
    help="updateLayout clientRequest, start transcodingConfig, or the bare layoutConfig array.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@opt.style_options
@opt.vars_option
@opt.quiet_option
@opt.compile_args
def compile_command(file: str, as_: str, strict: bool, args: opt.CompileArgs) -> None:
    """Print the JSON Agora takes for a layout.

    With --assets-dir and --assets-url, a styled layout's images are published and named
    in it."""
    result = args.compile(file, strict)
    if as_ == "start":
        opt.echo_json(result.transcoding_json)
    elif as_ == "layout-config":
        if result.assets:  # the bare array has no place for the images
            message = (
                f"{file}: the bare layoutConfig leaves out the images this layout draws "
                "(backgroundImage, backgroundConfig); send the whole clientRequest (--as "
                "update) or transcodingConfig (--as start)"
            )
            if strict:
                raise click.ClickException(message + " (--strict)")
            opt.warn(f"warning: {message}")
        opt.echo_json(result.payload_json.get("layoutConfig", []))
    else:
        opt.echo_json(result.payload_json)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@opt.people_options
@opt.vars_option
@opt.quiet_option
@opt.compile_args
def regions(file: str, args: opt.CompileArgs) -> None:
    """Print the rectangles Agora will draw, with their users.

    The rectangles come in paint order, each naming the user drawn there."""
    opt.echo_json([region.to_json() for region in args.compile(file, publish=False).regions])


def _parse_cameras(values: Sequence[str]) -> dict[str, CameraShape]:
    """`--camera KEY=SHAPE`: KEY a uid or a role; SHAPE `W:H`, `screen` or `screen:W:H`."""
    from layoutkit.cameras import parse_camera_shape
    from layoutkit.wire.rules import check_uid

    cameras: dict[str, CameraShape] = {}
    for value in values:
        key, shape = opt.split_pair(
            value, "--camera", "UID=W:H or ROLE=W:H, e.g. --camera 1002=9:16 or 1003=screen"
        )
        with opt.bad_parameter("--camera"):
            cameras[check_uid(key) if key.isdigit() else key] = parse_camera_shape(shape)
    return cameras


def _parse_images(values: Sequence[str]) -> dict[str, Path]:
    from layoutkit.wire.rules import check_url

    images: dict[str, Path] = {}
    for value in values:
        key, path = opt.split_pair(value, "--image", "UID=PATH or URL=PATH")
        try:
            if not key.isdigit():
                check_url(key)
        except ValueError:
            raise click.BadParameter(
                f"{key!r} is neither a uid nor an http(s) URL", param_hint="--image"
            ) from None
        images[key] = Path(path)
    return images


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    metavar="OUT.png",
    help="Where to write the PNG (default FILE-STEM.png; - for standard output).",
)
@opt.people_options
@click.option(
    "--sheet",
    is_flag=True,
    help=f"Draw the layout at every count it declares (counts:, else 1..{MAX_REGIONS}) on "
    "one sheet.",
)
@click.option("--clean", is_flag=True, help="Only what the recording shows: no labels, outlines.")
@click.option(
    "--camera",
    "cameras",
    multiple=True,
    metavar="UID=SHAPE",
    help="A participant's (or a role's) camera shape: W:H (default 16:9; a phone is "
    "9:16), or screen / screen:W:H for a shared screen drawn as a slide. Wins over the "
    "layout's preview: cameras.",
)
@click.option(
    "--image",
    "images",
    multiple=True,
    metavar="UID_OR_URL=PATH",
    help="A real picture for a participant, or a local file for an image URL.",
)
@click.option(
    "--video-off",
    "video_off",
    multiple=True,
    metavar="UID",
    help="Draw this participant with the camera off (repeat, or UID,UID,...).",
)
@click.option(
    "--audio-only",
    "audio_only",
    multiple=True,
    metavar="UID",
    help="Draw this participant as audio only (repeat, or UID,UID,...).",
)
@click.option("--scale", type=float, default=1.0, show_default=True, help="Shrink (or grow).")
@opt.name_option
@opt.vars_option
@opt.quiet_option
@opt.compile_args
def preview(
    file: str,
    output: str | None,
    sheet: bool,
    clean: bool,
    cameras: tuple[str, ...],
    images: tuple[str, ...],
    video_off: tuple[str, ...],
    audio_only: tuple[str, ...],
    scale: float,
    args: opt.CompileArgs,
) -> None:
    """Draw the recorded canvas as a PNG, as Agora will compose it.

    A styled layout's names, frames, logos and video-off cards are drawn too."""
    from layoutkit.preview import (
        PreviewOptions,
        compile_preview,
        draw_compilation,
        render_sheet_png,
    )
    from layoutkit.render import encode_png, write_png

    args.one_of_count_or_participants()
    options = PreviewOptions(
        scale=scale,
        clean=clean,
        cameras=_parse_cameras(cameras),
        images=_parse_images(images),
        video_off=frozenset(opt.parse_hidden(video_off, "--video-off")),
        audio_only=frozenset(opt.parse_hidden(audio_only, "--audio-only")),
    )
    bound = opt.parse_roles(args.roles)
    layout = opt.load(file, args.vars_)
    opt.check_known_roles(layout, bound)
    if sheet:
        data = render_sheet_png(layout, bound, options=options)
    else:
        people = opt.parse_uids(args.participants)
        hidden = opt.parse_hidden(args.hide)
        compiled = compile_preview(
            layout, people, bound, count=args.count, hidden=hidden, names=args.names
        )
        opt.echo_compiled(compiled, note=False)
        opt.note_strangers(compiled, "--name", list(args.names))
        opt.note_strangers(compiled, "--video-off", sorted(options.video_off, key=int))
        opt.note_strangers(compiled, "--audio-only", sorted(options.audio_only, key=int))
        data = encode_png(draw_compilation(compiled, options))
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output) if output else Path(Path(file).stem + ".png")
    write_png(target, data)
    click.echo(f"wrote {target}", err=True)


@click.command()
def schema() -> None:
    """Print the JSON Schema of the layout format, for editors.

    Save it beside your layouts (`layoutkit schema > layoutkit.schema.json`) and name it
    on a layout's first line (docs/format.md#editor-schema)."""
    from layoutkit.layout.schema import layout_json_schema

    opt.echo_json(layout_json_schema())
