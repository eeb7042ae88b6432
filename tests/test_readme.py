"""Every example in the README works as written: console blocks give the shown output,
pycon blocks pass as doctests."""

from __future__ import annotations

import doctest
import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from layoutkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK_RE = re.compile(r"```(console|pycon)\n(.*?)```", re.S)


def console_examples() -> list[tuple[str, str]]:
    examples: list[tuple[str, str]] = []
    for kind, body in BLOCK_RE.findall(README):
        if kind != "console":
            continue
        command: str | None = None
        output: list[str] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            examples.append((command, "\n".join(output)))
    return examples


CONSOLE = console_examples()


def test_the_readme_has_examples() -> None:
    assert len(CONSOLE) >= 6
    assert "```pycon" in README


@pytest.mark.parametrize(("command", "expected"), CONSOLE, ids=[c for c, _ in CONSOLE])
def test_console_example(
    command: str, expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # run in a scratch folder that sees the examples, so written files land there
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(command)
    assert argv[0] == "layoutkit"
    result = CliRunner().invoke(cli, argv[1:])
    got = result.output.rstrip("\n").splitlines()
    want = expected.rstrip("\n").splitlines()
    assert len(got) == len(want), result.output
    for line, pattern in zip(got, want, strict=True):
        # "[...]" in the README stands for text that changes from run to run
        regex = ".*".join(re.escape(part) for part in pattern.split("[...]"))
        assert re.fullmatch(regex, line), (line, pattern)


def test_pycon_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    blocks = [body for kind, body in BLOCK_RE.findall(README) if kind == "pycon"]
    names: dict[str, object] = {}  # the blocks read as one session
    for index, body in enumerate(blocks):
        test = parser.get_doctest(body, names, f"README pycon block {index}", "README.md", 0)
        runner.run(test, clear_globs=False)
        names.update(test.globs)
    summary = runner.summarize(verbose=False)
    assert summary.attempted > 0
    assert summary.failed == 0


def test_the_first_two_commands_are_install_and_tests() -> None:
    first_block = README.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert "layoutkit" in first_block[0] and "pip install" in first_block[0]
    assert "pytest" in first_block[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert first_block[1].strip() in ci
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
