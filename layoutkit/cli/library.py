"""The preset library and its gallery: `presets list|show`, `new`, `gallery`."""

from __future__ import annotations

import re
from pathlib import Path

import click

from layoutkit.cli import cli


@cli.group(invoke_without_command=True)
@click.pass_context
def presets(ctx: click.Context) -> None:
    """The preset library: `presets list`, `presets show NAME`."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command)


@presets.command(name="list")
@click.option("--tag", help="Only presets with this tag.")
@click.option("--count", type=click.IntRange(1, 17), help="Only presets for this many people.")
def list_command(tag: str | None, count: int | None) -> None:
    """List the presets: name, counts, title, tags."""
    from layoutkit import presets as library

    found = library.find(tag=tag, count=count)
    width = max((len(p.name) for p in found), default=4)
    for preset in found:
        click.echo(
            f"{preset.name:<{width}}  {preset.count_range:>5}  {preset.title}  "
            f"[{', '.join(preset.tags)}]"
        )
    if not found:
        click.echo("no preset matches", err=True)


@presets.command()
@click.argument("name")
def show(name: str) -> None:
    """Show a preset: what it is for, its variables and its YAML."""
    from layoutkit import presets as library

    preset = library.info(name)
    click.echo(f"{preset.name}: {preset.title}")
    click.echo(f"  {preset.description}")
    click.echo(f"  counts: {preset.count_range}    tags: {', '.join(preset.tags)}")
    for variable, text in preset.variables:
        click.echo(f"  --var {variable}=...  {text}")
    click.echo("")
    click.echo(library.source(name).rstrip("\n"))


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--from", "preset", required=True, metavar="PRESET", help="The preset to copy.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def new(file: str, preset: str, force: bool) -> None:
    """Write a new layout file starting from a preset."""
    from layoutkit import presets as library
    from layoutkit.safefiles import check_output, write_atomic

    target = Path(file)
    check_output(target)  # a FIFO, device or folder is refused, even with --force
    if target.exists() and not force:
        raise click.ClickException(f"{file} exists; pick another name or add --force")
    text = library.source(preset)
    stem = re.sub(r"[^a-z0-9]+", "-", target.stem.lower()).strip("-") or "my-layout"
    text = re.sub(r"^name: *\S+", f"name: {stem}", text, count=1, flags=re.MULTILINE)
    write_atomic(target, text.encode("utf-8"))
    click.echo(
        f"wrote {file} from preset {preset}; check it with: layoutkit validate {file}", err=True
    )


@cli.command()
@click.option("-o", "--output", default="gallery", show_default=True, help="The site's folder.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes (default: one per core).")
def gallery(output: str, workers: int | None) -> None:
    """Build the static preset gallery (open OUTPUT/index.html)."""
    from layoutkit.gallery import build_gallery

    names = build_gallery(Path(output), workers=workers)
    click.echo(f"wrote {output}/index.html and {len(names)} preset pages", err=True)


__all__ = ["gallery", "list_command", "new", "presets", "show"]
