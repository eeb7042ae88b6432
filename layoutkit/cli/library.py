"""The preset library and its gallery: `presets list|show`, `new`, `gallery`."""

from __future__ import annotations

import re
from pathlib import Path

import click

from layoutkit.wire.profile import MAX_REGIONS

SCHEMA_FILE = "layoutkit.schema.json"
"""Where `new` points a new file's `$schema` line by default: next to the file."""
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@click.group(invoke_without_command=True)
@click.pass_context
def presets(ctx: click.Context) -> None:
    """The preset library: `presets list`, `presets show NAME`."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command)


@presets.command(name="list")
@click.option("--tag", help="Only presets with this tag.")
@click.option(
    "--count", type=click.IntRange(1, MAX_REGIONS), help="Only presets for this many people."
)
def list_command(tag: str | None, count: int | None) -> None:
    """List the presets: name, counts, title, tags."""
    from layoutkit.library import presets as library

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
    from layoutkit.library import presets as library

    preset = library.info(name)
    click.echo(f"{preset.name}: {preset.title}")
    click.echo(f"  {preset.description}")
    click.echo(f"  counts: {preset.count_range}    tags: {', '.join(preset.tags)}")
    for variable, text in preset.variables:
        click.echo(f"  --var {variable}=...  {text}")
    click.echo("")
    click.echo(library.source(name).rstrip("\n"))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--from", "preset", required=True, metavar="PRESET", help="The preset to copy.")
@click.option(
    "--schema",
    "schema",
    default=SCHEMA_FILE,
    show_default=True,
    metavar="PATH|URL",
    help="The JSON Schema FILE's first line points editors at, relative to FILE; "
    "written there if it does not exist.",
)
@click.option("--no-schema", is_flag=True, help="Write no schema line and no schema file.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def new(file: str, preset: str, schema: str, no_schema: bool, force: bool) -> None:
    """Write a new layout file starting from a preset.

    Its first line, `# yaml-language-server: $schema=./layoutkit.schema.json`, gives
    editors (VS Code's YAML extension) the format's JSON Schema; the schema file is
    written next to FILE unless it exists (refresh it with `layoutkit schema`)."""
    from layoutkit.library import presets as library
    from layoutkit.safefiles import check_output, write_atomic

    target = Path(file)
    check_output(target)  # a FIFO, device or folder is refused, even with --force
    if target.exists() and not force:
        raise click.ClickException(f"{file} exists; pick another name or add --force")
    schema_file = None if no_schema else _schema_file(target, schema)
    text = library.source(preset)
    stem = re.sub(r"[^a-z0-9]+", "-", target.stem.lower()).strip("-") or "my-layout"
    text = re.sub(r"^name: *\S+", f"name: {stem}", text, count=1, flags=re.MULTILINE)
    if not no_schema:
        text = f"# yaml-language-server: $schema={_modeline_path(schema)}\n{text}"
    write_atomic(target, text.encode("utf-8"))
    click.echo(
        f"wrote {file} from preset {preset}; check it with: layoutkit validate {file}", err=True
    )
    home = library.path_of(preset).parent
    for name in library.local_files(preset):  # the logo a styled preset draws, beside it
        copy = target.parent / name
        if not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(copy, (home / name).read_bytes())
            click.echo(f"wrote {copy}, which the layout draws", err=True)
    if schema_file is not None and not schema_file.exists():
        from layoutkit.jsonfmt import format_json
        from layoutkit.layout.schema import layout_json_schema

        write_atomic(schema_file, (format_json(layout_json_schema()) + "\n").encode("utf-8"))
        click.echo(f"wrote {schema_file}, the JSON Schema named on the first line", err=True)


def _schema_file(target: Path, schema: str) -> Path | None:
    """The schema file to write for `--schema` (None for a URL), checked before writing."""
    from layoutkit.safefiles import check_output

    if not schema or any(c.isspace() or not c.isprintable() for c in schema):
        raise click.BadParameter(
            "give a path or URL without spaces (it goes on one line after $schema=)",
            param_hint="--schema",
        )
    if _URL_RE.match(schema):
        return None
    path = target.parent / schema
    check_output(path)  # a folder, FIFO or device is refused before anything is written
    return path


def _modeline_path(schema: str) -> str:
    """As the editor reads it: a URL or an explicit path as given, else `./PATH`."""
    if _URL_RE.match(schema) or schema.startswith(("/", "./", "../")):
        return schema
    return f"./{schema}"


@click.command()
@click.option("-o", "--output", default="gallery", show_default=True, help="The site's folder.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes (default: one per core).")
def gallery(output: str, workers: int | None) -> None:
    """Build the static preset gallery (open OUTPUT/index.html)."""
    from layoutkit.library.gallery import build_gallery

    names = build_gallery(Path(output), workers=workers)
    click.echo(f"wrote {output}/index.html and {len(names)} preset pages", err=True)


__all__ = ["gallery", "list_command", "new", "presets", "show"]
