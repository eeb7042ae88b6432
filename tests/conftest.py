"""Shared fixtures: example layouts written to a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def write_layout(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text to tmp_path/NAME and return the path."""

    def write(text: str, name: str = "layout.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
