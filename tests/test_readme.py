"""The README is the front door: short, the install and test commands first (the test
command exactly as CI runs it), a tour in the order a newcomer works (`new`, `validate`,
`preview`, `compile`, a recording against the emulator, live) and a map of every docs
page. Its examples run with those of docs/ (tests/test_docs.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAX_LINES = 200


def test_the_readme_is_short() -> None:
    assert len(README.splitlines()) <= MAX_LINES


def test_the_first_two_commands_are_install_and_tests() -> None:
    first_block = README.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert "layoutkit" in first_block[0] and "pip install" in first_block[0]
    assert "pytest" in first_block[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert first_block[1].strip() in ci
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_the_tour_goes_from_a_new_file_to_a_live_recording() -> None:
    commands = re.findall(r"^\$ layoutkit (\S+(?: \S+)?)", README, re.M)
    steps = ["new", "validate", "preview", "compile", "record start", "apply"]
    at = [next(i for i, c in enumerate(commands) if c.startswith(step)) for step in steps]
    assert at == sorted(at), commands


def test_the_readme_maps_every_docs_page() -> None:
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)\)", README))
    assert linked == pages
