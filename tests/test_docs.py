"""The documentation lives in the project and stays true: docs/cli.md is what the click
commands print, the figures of docs/agora.md are what scripts/docs-figures draws, the
links between the pages resolve, and nothing points at files outside the project."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCRIPTS = ("docs-cli", "docs-figures")
# the reference files the project was built from, which users never have; spelled in
# pieces so that this file does not name them itself
OUTSIDE = (
    "../" + "shared",
    *(
        name + ".md"
        for name in (
            "agora-" + "behaviour",
            "layout-" + "format",
            "real-" + "traffic",
            "agora-" + "current",
            "cloud-recording-rest-api" + ".zh",
            "pe" + "ers",
        )
    ),
)
LINK_RE = re.compile(r"\]\(([^)\s]+)\)|(?:href|src)=\"([^\"]+)\"")
CITATION_RE = re.compile(r"docs/(agora|format|cli)\.md#([\w-]+)")


@cache
def script(name: str) -> ModuleType:
    """A script of scripts/ (no .py suffix) loaded as a module."""
    path = ROOT / "scripts" / name
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def project_files() -> list[Path]:
    """Every file of the project, tracked or new (not ignored), except .ci/."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        said = getattr(exc, "stderr", b"") or b""
        why = said.decode("utf-8", "replace").strip().splitlines()[:1] or [str(exc)]
        pytest.skip(
            f"git cannot list the project's files here ({why[0]}): this check runs in a "
            "git clone the user owns (as CI does)"
        )
    names = [n for n in listed.decode("utf-8").split("\0") if n and not n.startswith(".ci/")]
    return [ROOT / n for n in names if (ROOT / n).is_file()]


def text_of(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def test_the_scripts_are_executable_python() -> None:
    for name in SCRIPTS:
        path = ROOT / "scripts" / name
        assert path.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")
        assert os.access(path, os.X_OK), f"chmod +x scripts/{name}"


def test_the_cli_page_is_what_the_commands_print() -> None:
    expected = str(script("docs-cli").render())
    committed = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert committed == expected, "docs/cli.md is out of date: run scripts/docs-cli"


def test_the_cli_page_has_every_command() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in ("validate", "compile", "regions", "preview", "schema", "record update-layout"):
        assert f"## layoutkit {command}\n" in text


@pytest.mark.parametrize("name", sorted(script("docs-figures").FIGURES))
def test_each_figure_is_what_the_script_draws(name: str) -> None:
    module = script("docs-figures")
    path = DOCS / "figures" / name
    assert path.exists(), f"docs/figures/{name} is missing: run scripts/docs-figures"
    why = module.differs(path.read_bytes(), module.FIGURES[name]())
    assert why is None, f"docs/figures/{name} is out of date ({why}): run scripts/docs-figures"


def test_the_figure_comparison_sees_a_change() -> None:
    module = script("docs-figures")
    floating = (DOCS / "figures" / "floating-hidden.png").read_bytes()
    other = (DOCS / "figures" / "custom-hidden.png").read_bytes()
    assert module.differs(floating, floating) is None
    assert module.differs(floating, other) is not None
    assert module.differs(floating, (DOCS / "figures" / "floating.png").read_bytes())


def test_every_figure_is_drawn_by_the_script_and_shown() -> None:
    drawn = set(script("docs-figures").FIGURES)
    committed = {p.name for p in (DOCS / "figures").glob("*.png")}
    assert committed == drawn, "remove figures the script no longer draws"
    pages = (DOCS / "agora.md").read_text(encoding="utf-8")
    pages += (DOCS / "format.md").read_text(encoding="utf-8")
    for name in drawn:
        assert f"(figures/{name})" in pages, f"neither docs/agora.md nor format.md shows {name}"


@pytest.mark.parametrize("page", ["README.md", "docs/format.md", "docs/agora.md", "docs/cli.md"])
def test_the_links_of_a_page_resolve(page: str) -> None:
    source = ROOT / page
    text = re.sub(r"```.*?```", "", source.read_text(encoding="utf-8"), flags=re.S)
    for match in LINK_RE.finditer(text):
        link = match.group(1) or match.group(2)
        if re.match(r"[a-z]+:", link):
            continue  # a URL
        target, _, anchor = link.partition("#")
        path = (source.parent / target).resolve() if target else source
        assert path.exists(), f"{page}: {link} leads nowhere"
        if anchor and path.suffix == ".md":
            assert anchor in anchors(path), f"{page}: no heading for #{anchor} in {target}"


def test_citations_of_the_docs_name_sections_that_exist() -> None:
    for path in project_files():
        text = text_of(path)
        if text is None:
            continue
        for page, anchor in CITATION_RE.findall(text):
            where = path.relative_to(ROOT)
            assert anchor in anchors(DOCS / f"{page}.md"), f"{where}: docs/{page}.md#{anchor}"


def test_nothing_points_outside_the_project() -> None:
    offenders = []
    for path in project_files():
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            found = [name for name in OUTSIDE if name in line]
            if found:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {', '.join(found)}")
    assert not offenders, (
        "users have only this project: cite docs/format.md or docs/agora.md instead\n"
        + "\n".join(offenders)
    )


@pytest.mark.parametrize("page", ["docs/format.md", "docs/agora.md"])
def test_the_yaml_examples_of_a_page_are_valid_layouts(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import layoutkit

    text = (ROOT / page).read_text(encoding="utf-8")
    # the examples' files (a logo), where an example's relative paths point
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "logo.png").write_bytes(
        (ROOT / "presets" / "images" / "on-air.png").read_bytes()
    )
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert blocks
    for index, block in enumerate(blocks):
        layout = layoutkit.parse_layout(block, source=f"{page} yaml block {index}")
        report = layoutkit.validate_layout(layout)
        assert report.ok, [issue.format() for issue in report.issues]
