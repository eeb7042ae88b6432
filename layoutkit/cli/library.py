"""The preset library and its gallery: `presets list|show`, `new`, `gallery`."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path

import click

from layoutkit.errors import OutputError
from layoutkit.library import presets as library
from layoutkit.safefiles import check_output, kind_of, write_atomic, write_new
from layoutkit.wire.rules import MAX_REGIONS

SCHEMA_FILE = "layoutkit.schema.json"
"""Where `new` points a new file's `$schema` line by default: next to the file."""
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV}


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
    written next to FILE unless it exists (refresh it with `layoutkit schema`). The images
    a preset draws (a logo) are copied beside FILE unless they exist. All of it is written
    or nothing: anything in the way (a file named like a folder it needs) is an error
    naming it, before a file is written."""
    target = _checked_target(Path(file), force)
    schema_file = None if no_schema else _schema_file(target, schema)
    text = library.source(preset)
    stem = re.sub(r"[^a-z0-9]+", "-", target.stem.lower()).strip("-") or "my-layout"
    text = re.sub(r"^name: *\S+", f"name: {stem}", text, count=1, flags=re.MULTILINE)
    if not no_schema:
        text = f"# yaml-language-server: $schema={_modeline_path(schema)}\n{text}"
    home = library.path_of(preset).parent
    beside = [(target.parent / name, home / name) for name in library.local_files(preset)]
    extra = [(copy, source.read_bytes()) for copy, source in beside if not _kept(copy)]
    if schema_file is not None and not _kept(schema_file):
        extra.append((schema_file, _schema_bytes()))
    _write_all(target, text.encode("utf-8"), extra)
    click.echo(
        f"wrote {file} from preset {preset}; check it with: layoutkit validate {file}", err=True
    )
    for path, _ in extra:
        what = "the JSON Schema named on the first line" if path == schema_file else None
        click.echo(f"wrote {path}, {what or 'which the layout draws'}", err=True)


def _checked_target(target: Path, force: bool) -> Path:
    """`target`, once it is known that `new` may write it: in a folder that exists, and
    not there yet unless `force` (a FIFO, device or folder is refused even then)."""
    _check_folders(target)
    final = check_output(target)
    folder = final.parent if target.is_symlink() else target.parent  # as the user wrote it
    if not folder.is_dir():
        raise OutputError(
            f"{folder}: no such folder; nothing was written",
            hint="make the folder first, or give a path in a folder that exists",
        )
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; pick another name or add --force")
    return target


def _schema_bytes() -> bytes:
    from layoutkit.jsonmarks import format_json
    from layoutkit.layout.schema import layout_json_schema

    return (format_json(layout_json_schema()) + "\n").encode("utf-8")


def _kept(path: Path) -> bool:
    """Whether `new` keeps a file that exists (a logo, the schema) rather than writing it;
    something that is not a regular file there is an OutputError naming it."""
    _check_folders(path)
    check_output(path)
    return path.exists()


def _check_folders(path: Path) -> None:
    """Every folder above `path` that exists is a folder: something else in the way (a
    file named `images` where `images/logo.png` goes) is an OutputError naming it."""
    for folder in reversed(path.parents):
        try:
            mode = folder.stat().st_mode
        except FileNotFoundError:
            return  # made by `_write_all`
        except OSError as exc:
            raise OutputError(f"{folder}: cannot look at it ({exc.strerror or exc})") from None
        if not stat.S_ISDIR(mode):
            raise OutputError(
                f"{folder}: is {kind_of(mode)}, where a folder for {path} must go; "
                "nothing was written",
                hint="move or rename it, or write the layout into another folder",
            )


def _write_all(target: Path, text: bytes, extra: list[tuple[Path, bytes]]) -> None:
    """All of a new layout or nothing: the files beside it (`extra`, none of which exists)
    are written in full beside their names, then given them, then `target` is written; a
    failure on the way removes what was written and the folders made for it."""
    made: list[Path] = []  # the folders and files this call created, in order
    try:
        for path, data in extra:
            _make_folders(path.parent, made)
            _place(path, data)
            made.append(path)
        write_atomic(target, text)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                _remove(path)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        path.rmdir()  # only if still empty: what another program put there stays
    else:
        path.unlink()


def _make_folders(folder: Path, made: list[Path]) -> None:
    """Make the folders missing above and at `folder`, outermost first, adding each to
    `made` as it is made."""
    for each in [f for f in (folder, *folder.parents) if not f.exists()][::-1]:
        try:
            each.mkdir()
        except OSError as exc:
            raise OutputError(f"{each}: cannot make the folder ({exc.strerror or exc})") from None
        made.append(each)


def _place(path: Path, data: bytes) -> None:
    """`path` created holding `data`, never over anything nor through a link: written in
    full beside it, then given the name (OutputError when that fails)."""
    temporary = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
    write_new(temporary, data)
    try:
        _link(temporary, path)
    except OSError as exc:
        taken = " (something else has the name now)" if os.path.lexists(path) else ""
        raise OutputError(f"{path}: cannot write the file{taken} ({exc.strerror or exc})") from None
    finally:
        temporary.unlink(missing_ok=True)


def _link(temporary: Path, path: Path) -> None:
    """A hard link, which fails on any existing name (a link included); where the file
    system has none, a rename once the name is checked free."""
    try:
        path.hardlink_to(temporary)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS or os.path.lexists(path):
            raise
        temporary.rename(path)


def _schema_file(target: Path, schema: str) -> Path | None:
    """The schema file to write for `--schema` (None for a URL), checked before writing."""
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
    from layoutkit.library.presets import build_gallery

    names = build_gallery(Path(output), workers=workers)
    click.echo(f"wrote {output}/index.html and {len(names)} preset pages", err=True)
