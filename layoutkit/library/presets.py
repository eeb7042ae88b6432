"""The preset library, layouts people start from (shipped in the wheel), and its gallery:
a static site with a card per preset and a page per preset with its previews at each
count, its YAML and its compiled JSON (no external assets, so it works from `file://`).

```python
from layoutkit import presets
presets.names()                          # every preset name
presets.find(tag="interview", count=2)   # PresetInfo of the presets that fit
layout = presets.load("speaker-strip", vars={"side": "right"})
```
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from layoutkit.compile.compiler import InMemory, compile_full, declared_counts, default_count
from layoutkit.errors import OutputError, PresetNotFoundError, did_you_mean
from layoutkit.jsonmarks import format_json
from layoutkit.layout.loader import Layout, find_preset_file, load_layout, preset_names
from layoutkit.layout.model import GridEntry
from layoutkit.safefiles import final_target, kind_of, write_new


@dataclass(frozen=True)
class PresetInfo:
    """What a preset is for: its name, title, description, tags, the participant counts it
    supports and the template variables it takes."""

    name: str
    title: str
    description: str
    tags: tuple[str, ...]
    counts: tuple[int, ...]
    variables: tuple[tuple[str, str], ...]
    path: Path

    @property
    def count_range(self) -> str:
        low, high = self.counts[0], self.counts[-1]
        return str(low) if low == high else f"{low}-{high}"


def names() -> list[str]:
    """Every preset name, sorted."""
    return preset_names()


def path_of(name: str) -> Path:
    """The preset's YAML file; PresetNotFoundError (with "did you mean") otherwise."""
    found = find_preset_file(name) if name else None
    if found is None:
        close = did_you_mean(name, preset_names(), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see `layoutkit presets list`"
        raise PresetNotFoundError(f"no preset named {name!r}", hint=hint)
    return found


def load(name: str, vars: Mapping[str, Any] | None = None) -> Layout:
    """The preset as a Layout, with template variables (`vars`) applied."""
    return load_layout(path_of(name), vars=vars)


def source(name: str) -> str:
    """The preset's YAML text."""
    return path_of(name).read_text(encoding="utf-8")


def local_files(name: str) -> list[str]:
    """The files a preset names relative to itself (decor images, card images, its font),
    each once, in the order written: what `layoutkit new` copies beside a new layout."""
    document = load(name).document
    found: list[str | None] = [document.font]
    found += [item.image for item in document.decor or []]
    found.append(document.card.image if document.card else None)
    entries = list(document.regions or [])
    for variant in document.variants or []:
        entries += variant.regions or []
    for entry in entries:
        spec = entry.grid if isinstance(entry, GridEntry) else entry
        found.append(spec.card.image if spec.card else None)
    return [f for f in dict.fromkeys(found) if f is not None and not Path(f).is_absolute()]


@functools.cache
def _info(name: str, path: Path, stamp: float) -> PresetInfo:
    document = load_layout(path).document
    return PresetInfo(
        name=name,
        title=document.title or name,
        description=document.description or "",
        tags=tuple(document.tags),
        counts=declared_counts(document),
        variables=tuple(sorted(document.variables.items())),
        path=path,
    )


def info(name: str) -> PresetInfo:
    """The description of one preset."""
    path = path_of(name)
    return _info(name, path, path.stat().st_mtime)


def list_presets() -> list[PresetInfo]:
    """Every preset, sorted by name."""
    return [info(name) for name in names()]


def find(tag: str | None = None, count: int | None = None) -> list[PresetInfo]:
    """The presets with this tag that support this many participants."""
    return [
        preset
        for preset in list_presets()
        if (tag is None or tag in preset.tags) and (count is None or count in preset.counts)
    ]


TEMPLATES = Path(__file__).resolve().parent / "gallery_templates"
SHOT_WIDTH = 320
CARD_WIDTH = 480
# the narrowest the pages show them (style.css: the grids' minimum column widths), for
# text that stays legible as shown
SHOT_SHOWN = 260
CARD_SHOWN = 300
# every page checks that its pictures loaded, for the browser test and for anyone looking
CHECK = Markup(
    "<script>window.addEventListener('load', function () {"
    " var images = Array.prototype.slice.call(document.images);"
    " document.body.dataset.imagesTotal = images.length;"
    " document.body.dataset.imagesLoaded = images.filter(function (i) {"
    " return i.complete && i.naturalWidth > 0; }).length; });</script>"
)


@dataclass(frozen=True)
class Shot:
    file: str
    width: int
    height: int
    caption: str


def _picture(name: str, count: int, width: int, shown: int) -> tuple[bytes, int, int, str]:
    """A preset's picture `width` pixels wide, its text legible when shown `shown` wide
    (cameras as the preset's `preview:` block says). Drawing is loaded only here."""
    from layoutkit.preview import (
        PreviewOptions,
        caption,
        compile_preview,
        draw_compilation,
        text_px_for,
    )
    from layoutkit.render import encode_png

    compiled = compile_preview(load(name), count=count)
    scale = width / compiled.canvas[0]
    options = PreviewOptions(clean=True, scale=scale, min_text=text_px_for(width, shown))
    image = draw_compilation(compiled, options)
    return encode_png(image), image.width, image.height, caption(compiled)


def render_preset(name: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """One preset's page context and picture files (runs in a worker process)."""
    preset = info(name)
    layout = load(name)
    files: dict[str, bytes] = {}
    shots = []
    for count in preset.counts:
        data, width, height, text = _picture(name, count, SHOT_WIDTH, SHOT_SHOWN)
        files[f"{name}/count-{count}.png"] = data
        shots.append(Shot(f"count-{count}.png", width, height, text))
    main = default_count(layout.document)
    card, card_w, card_h, _ = _picture(name, main, CARD_WIDTH, CARD_SHOWN)
    files[f"{name}/card.png"] = card
    payload = compile_full(layout, count=main, assets=InMemory()).payload_json
    context = {
        "name": name,
        "title": preset.title,
        "description": preset.description,
        "tags": preset.tags,
        "variables": preset.variables,
        "count_text": "1 person" if preset.counts == (1,) else f"{preset.count_range} people",
        "shots": shots,
        "card_width": card_w,
        "card_height": card_h,
        "yaml": source(name),
        "json": format_json(payload),
        "json_count": main,
    }
    return context, files


def build_gallery(out_dir: Path, *, workers: int | None = None) -> list[str]:
    """Build the site into `out_dir`, replaced whole only once everything is rendered, so a
    failing preset never leaves a half-written site. `workers`: processes to render with
    (None: one per core; 1: in this process)."""
    all_names = names()
    if workers == 1:
        results = [render_preset(name) for name in all_names]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(render_preset, all_names))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    css = Markup((TEMPLATES / "style.css").read_text(encoding="utf-8"))
    pages: dict[str, bytes] = {}
    for context, files in results:
        pages.update(files)
        page = env.get_template("preset.html").render(preset=context, css=css, check=CHECK)
        pages[f"{context['name']}.html"] = page.encode("utf-8")
    index = env.get_template("index.html").render(
        presets=[context for context, _ in results], css=css, check=CHECK
    )
    pages["index.html"] = index.encode("utf-8")
    _write_site(out_dir, pages)
    return all_names


def _stage(staging: Path, files: dict[str, bytes]) -> None:
    """Write the site's files into `staging`, readable by all."""
    for relative, data in sorted(files.items()):
        target = staging / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            raise OutputError(f"{relative}: not a file name inside the gallery")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, data)
    for folder in [staging, *staging.rglob("*")]:
        os.chmod(folder, 0o755 if folder.is_dir() else 0o644)  # noqa: PTH101


def _write_site(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write the site into a staging folder next to `out_dir`, then swap it in. A symlink
    to a folder is followed (the folder it points to is replaced, the link is kept); an
    output that exists and is not a folder (a file, FIFO, device) is refused."""
    shown = out_dir
    out_dir = final_target(out_dir)
    existing = _existing_folder(shown, out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write the gallery there ({exc.strerror})") from None
    old: Path | None = None
    try:
        _stage(staging, files)
        if existing and _existing_folder(shown, out_dir):  # still a real folder: set it aside
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            out_dir.rename(old)  # over the empty folder just made
        try:
            staging.rename(out_dir)
        except OSError:
            if old is not None:
                old.rename(out_dir)
                old = None
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        if isinstance(exc, OSError):
            raise OutputError(f"{shown}: cannot write the gallery ({exc.strerror})") from None
        raise


def _existing_folder(shown: Path, out_dir: Path) -> bool:
    """Whether `out_dir` (symlinks already followed) is an existing folder; False when it
    does not exist; OutputError when it is anything else."""
    try:
        mode = out_dir.lstat().st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write the gallery there ({exc.strerror})") from None
    if not stat.S_ISDIR(mode):
        raise OutputError(
            f"{shown}: is {kind_of(mode)}, not a folder; cannot write the gallery there",
            hint="give the path of a folder (it is replaced whole) or of a new one",
        )
    return True
