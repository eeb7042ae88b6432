"""What the tests of `layoutkit import twilio` and `layoutkit import agora` share: running
the command group, and the check that bad input is one located message and no file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from layoutkit.cli import cli


def run(*args: str) -> Result:
    """`layoutkit import ARGS...`, standard output and standard error apart."""
    return CliRunner().invoke(cli, ["import", *args])


def assert_refused(tmp_path: Path, command: str, file_name: str, text: str, message: str) -> None:
    """`layoutkit import COMMAND FILE -o OUT` of `text` fails with exit status 1 and
    `message` (with the file's name) on standard error, no traceback and nothing written."""
    source = tmp_path / file_name
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = run(command, str(source), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert str(source) in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


__all__ = ["assert_refused", "run"]
