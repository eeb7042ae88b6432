"""Seeding a Director (`seed`): built without participants it compiles, publishes and
sends nothing until it is seeded or given an event; a seed is one state for everyone,
in any thread, and skips people an event brought in first."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from director_helpers import Target, spy_compiles

from layoutkit import parse_layout
from layoutkit.assets import Asset, CallablePublisher, FolderPublisher
from layoutkit.live.director import Director

STYLED = parse_layout("""
canvas: 1280x720
card: {color: "#334455"}
regions:
  - grid: {columns: 2, gap: 16px, label: {height: 48px, background: "#000000"}}
""")
PLAIN = parse_layout("""
canvas: 1280x720
regions:
  - grid: {rows: 2, columns: 2, gap: 4px}
""")
BASE = "http://assets.test/show"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The participants of each of the director's compiles, in order."""
    seen: list[list[str]] = []
    spy_compiles(monkeypatch, before=seen.append)
    return seen


def test_without_participants_nothing_is_compiled_published_or_sent(
    compiles: list[list[str]], tmp_path: Path
) -> None:
    uploads: list[str] = []
    folder = FolderPublisher(tmp_path, BASE, allow_http=True)

    def upload(asset: Asset) -> str:
        uploads.append(asset.name)
        return folder.publish(asset)

    target = Target()
    publisher = CallablePublisher(upload, allow_http=True)
    with Director(target, STYLED, names={1: "Ada"}, assets=publisher) as director:
        assert director.flush(timeout=10)
        assert (compiles, uploads, target.sent) == ([], [], [])
        assert director.status == "idle" and director.pending is None
        director.seed([1, 2])
        assert director.flush(timeout=10)
        assert compiles == [["1", "2"]] and uploads and len(target.sent) == 1


def test_a_seed_is_one_state_for_everyone_and_skips_who_is_here(
    compiles: list[list[str]],
) -> None:
    target = Target()
    with Director(target, PLAIN) as director:
        director.join(2)  # an event came before the seed
        assert director.flush(timeout=10)
        director.seed(["1", " 0002", "bad", "3"])
        assert director.flush(timeout=10)
        assert director.participants == ["2", "1", "3"]
        assert compiles == [["2"], ["2", "1", "3"]] and len(target.sent) == 2
        assert len(director.warnings) == 1 and "bad" in director.warnings[0]
        director.seed([2, 3])  # nobody new: nothing changes
        director.seed([])
        assert director.flush(timeout=10)
        assert len(compiles) == 2 and len(target.sent) == 2


def test_a_seed_in_a_worker_thread_and_participants_in_the_constructor_agree(
    compiles: list[list[str]],
) -> None:
    seeded, given = Target(), Target()
    with Director(seeded, PLAIN) as later:
        worker = threading.Thread(target=later.seed, args=([1001, 1002],))
        worker.start()
        worker.join(10)
        assert later.flush(timeout=10)
    with Director(given, PLAIN, participants=[1001, 1002]) as director:
        assert director.flush(timeout=10)
    assert seeded.sent == given.sent and len(given.sent) == 1
    assert compiles == [["1001", "1002"], ["1001", "1002"]]
