"""The documentation lives in the project and stays true: every console and pycon
example of README.md and docs/ works as written, docs/cli.md is what the click commands
print, the figures of docs/agora.md are what scripts/docs-figures draws, the links
between the pages resolve, and nothing points at files outside the project."""

from __future__ import annotations

import doctest
import importlib.machinery
import importlib.util
import json
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

import click
import pytest
from click.testing import CliRunner
from tool_helpers import default_sigint

from layoutkit.cli import cli
from layoutkit.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ["README.md", *(f"docs/{p.name}" for p in sorted(DOCS.glob("*.md")))]
BLOCK_RE = re.compile(r"```(console|pycon)\n(.*?)```", re.S)
# the emulator the pages' `record` and `curl` examples talk to, as the pages name it
EMULATOR_URL = "http://127.0.0.1:8080"
ACCOUNT = {
    "AGORA_APP_ID": "my-app-id",
    "AGORA_CUSTOMER_ID": "me",
    "AGORA_CUSTOMER_SECRET": "s3cret",
}
# what a command's JSON answer gives the later commands of its block, as shell variables
CARRIED = {"resourceId": "RESOURCE_ID", "sid": "SID"}
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


@pytest.mark.parametrize("page", PAGES)
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


def examples(kind: str) -> list[tuple[str, int, str]]:
    """(page, line, body) of every `kind` block (console or pycon) of every page."""
    found = []
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for match in BLOCK_RE.finditer(text):
            if match.group(1) == kind:
                found.append((page, text.count("\n", 0, match.start()) + 1, match.group(2)))
    return found


def commands_of(body: str) -> list[tuple[str, str]]:
    """A console block's commands (after `$ `), each with the output shown under it."""
    found: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        else:
            assert found, f"output before the first command: {line}"
            found[-1][1].append(line)
    return [(command, "\n".join(output)) for command, output in found]


def curl(argv: list[str], base: str) -> str:
    """What `curl -s [-X METHOD] [-H 'K: V'] [-d BODY] URL` prints (the answer's body)."""
    method, headers, data, url = "GET", {}, None, ""
    args = iter(argv[1:])
    for arg in args:
        if arg == "-X":
            method = next(args)
        elif arg == "-H":
            key, _, value = next(args).partition(":")
            headers[key.strip()] = value.strip()
        elif arg == "-d":
            data = next(args).encode()
        elif arg != "-s":
            url = arg.replace(EMULATOR_URL, base)
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return str(answer.read().decode())
    except urllib.error.HTTPError as error:
        return str(error.read().decode())


@contextmanager
def emulator_for(body: str) -> Iterator[str | None]:
    """An emulator for a block that calls the API (`record`, `curl`), else None."""
    if not re.search(r"^\$ (layoutkit record|curl) ", body, re.M):
        yield None
        return
    emulator = EmulatorServer().start()
    try:
        yield emulator.url
    finally:
        emulator.stop()


def matches(command: str, got: str, expected: str) -> None:
    """Output as shown: "[...]" stands for text that changes from run to run."""
    lines, patterns = got.rstrip("\n").splitlines(), expected.rstrip("\n").splitlines()
    assert len(lines) == len(patterns), (command, got)
    for line, pattern in zip(lines, patterns, strict=True):
        regex = ".*".join(re.escape(part) for part in pattern.split("[...]"))
        assert re.fullmatch(regex, line), (command, line, pattern)


CONSOLE_PAGES = sorted({page for page, _, _ in examples("console")})


def test_the_pages_have_examples() -> None:
    assert len(examples("console")) >= 20
    assert set(CONSOLE_PAGES) >= {"README.md", "docs/api.md", "docs/compile.md"}


@pytest.mark.parametrize("page", CONSOLE_PAGES)
def test_the_console_examples_of_a_page_print_what_they_show(
    page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A page's console blocks read as one shell session: their commands run in order in
    one scratch folder that sees the examples (and docs/), so what one writes the next
    reads, and an answer's ids are `$RESOURCE_ID` and `$SID` from then on; `record` and
    `curl` commands talk to an emulator standing in for the one the pages start on port
    8080."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "docs").symlink_to(DOCS)
    monkeypatch.chdir(tmp_path)
    bodies = [body for where, _, body in examples("console") if where == page]
    carried: dict[str, str] = {}
    with emulator_for("\n".join(bodies)) as base:
        env = {**ACCOUNT, "AGORA_BASE_URL": base} if base else {}
        for command, expected in (c for body in bodies for c in commands_of(body)):
            argv = [
                re.sub(r"\$(\w+)", lambda m: carried[m.group(1)], a) for a in shlex.split(command)
            ]
            if argv[0] == "curl":
                assert base is not None
                output = curl(argv, base) + "\n"
            else:
                assert argv[0] == "layoutkit", command
                output = CliRunner(env=env).invoke(cli, argv[1:]).output
            if base is not None:
                output = output.replace(base, EMULATOR_URL)
            matches(command, output, expected)
            for key, name in CARRIED.items():
                for value in re.findall(rf'"{key}": "([^"]+)"', output):
                    carried[name] = value


PYCON_PAGES = sorted({page for page, _, _ in examples("pycon")})


@pytest.mark.parametrize("page", PYCON_PAGES)
def test_the_python_examples_of_a_page_pass(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's pycon blocks read as one session, run from the project's folder."""
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    names: dict[str, object] = {}
    for _, line, body in (example for example in examples("pycon") if example[0] == page):
        test = parser.get_doctest(body, names, f"{page} line {line}", page, line)
        runner.run(test, clear_globs=False)
        names.update(test.globs)
    summary = runner.summarize(verbose=False)
    assert summary.attempted > 0
    assert summary.failed == 0


def help_of(path: list[str]) -> str:
    """What `layoutkit ... --help` prints in a terminal wider than click wraps at."""
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, [*path, "--help"], prog_name="layoutkit")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", [[], ["validate"], ["record", "start"], ["serve"]])
def test_the_cli_page_shows_help_at_the_width_it_is_printed(path: list[str]) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = f"## {' '.join(['layoutkit', *path])}\n\n```text\n"
    assert section + help_of(path) + "```" in text


def every_command() -> Iterator[tuple[str, click.Command]]:
    def walk(
        command: click.Command, ctx: click.Context, path: str
    ) -> Iterator[tuple[str, click.Command]]:
        yield path, command
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                yield from walk(
                    sub, click.Context(sub, info_name=name, parent=ctx), f"{path} {name}"
                )

    yield from walk(cli, click.Context(cli, info_name="layoutkit"), "layoutkit")


def test_every_option_says_what_it_is() -> None:
    silent = [
        f"{path} {param.opts[0]}"
        for path, command in every_command()
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden and not param.help
    ]
    assert not silent


def test_the_command_lists_are_not_cut_mid_phrase() -> None:
    """Each command's first sentence fits the command list `--help` prints at 80 columns."""
    for path, command in every_command():
        if isinstance(command, click.Group):
            listed = help_of(path.split()[1:]).split("Commands:\n", 1)[1]
            assert "..." not in listed, (path, listed)


def test_record_shortens_the_resource_id_it_echoes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "storage.json").write_text(
        json.dumps({"vendor": 1, "region": 0, "bucket": "b", "accessKey": "AK", "secretKey": "SK"})
    )
    with emulator_for("$ layoutkit record start") as base:
        assert base is not None
        runner = CliRunner(env={**ACCOUNT, "AGORA_BASE_URL": base})
        acquired = runner.invoke(cli, ["record", "acquire", "--cname", "room", "--uid", "99"])
        resource_id = json.loads(acquired.stdout)["resourceId"]
        assert len(resource_id) > 200
        ids = ["--resource-id", resource_id, "--cname", "room", "--uid", "99"]
        started = runner.invoke(cli, ["record", "start", *ids, "--storage", "storage.json"])
    assert started.exit_code == 0, started.output
    assert json.loads(started.stdout)["resourceId"] == resource_id  # the answer keeps it whole
    echoed = started.stderr.splitlines()[0]
    assert (
        resource_id not in echoed and f"/resourceid/{resource_id[:8]}.../mode/mix/start" in echoed
    )
    assert len(echoed) < 120


def banner_of(server: subprocess.Popen[str]) -> list[str]:
    """The lines a server prints on standard error up to the one that says how to remove
    someone (each waited for at most 60 s, so a banner without it fails, never hangs)."""
    assert server.stderr is not None
    stream, lines = server.stderr, queue.Queue[str]()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    banner = [lines.get(timeout=60)]
    while "remove" not in banner[-1]:
        banner.append(lines.get(timeout=60))
    return banner


def test_the_emulator_banner_says_how_to_add_and_remove_people(tmp_path: Path) -> None:
    """The curl commands `layoutkit emulator` prints at start-up add and remove someone."""
    command = [sys.executable, "-m", "layoutkit", "emulator", "--port", "0"]
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, cwd=tmp_path, preexec_fn=default_sigint
    ) as server:
        try:
            banner = banner_of(server)
            base = banner[0].split(" on ")[1].strip()
            said = [line[line.index("curl ") :] for line in banner if "curl " in line]
            assert len(said) == 2, banner
            add, remove = (
                shlex.split(line.replace("<appid>", "app").replace("<channel>", "room"))
                for line in said
            )
            joined = {"participants": [{"uid": "1001", "media": "video"}]}
            assert json.loads(curl(add, base)) == joined
            assert json.loads(curl(remove, base)) == {"participants": []}
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()  # fail, never hang in the `with` that waits for it
                raise
