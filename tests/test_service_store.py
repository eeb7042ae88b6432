"""The director service's SQLite store: recordings and notifications kept across
restarts, one process per file, clear refusals, nothing secret written."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    TOKEN,
    attach,
    envelope,
    make_emulator,
    record,
    service_client,
    shows_exactly,
    signature_headers,
    wait_until,
)

from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import CUSTOMER_SECRET
from layoutkit.service import DirectorService, Store
from layoutkit.service.store import StoreError

SPEC = {"cname": "room", "uid": "900001", "resource_id": "rid", "sid": "s1", "preset": "solo"}
LAYOUT = {"mixedVideoLayout": 3, "backgroundColor": "#000000", "layoutConfig": [{"uid": "7"}]}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    kept = Store(tmp_path / "svc.db")
    yield kept
    kept.close()


def test_recordings_are_added_listed_and_removed(store: Store) -> None:
    store.add_recording("s1", "room", SPEC, auto=False)
    store.add_recording("s2", "hall", {**SPEC, "sid": "s2", "cname": "hall"}, auto=True)
    listed = store.recordings()
    assert [(r.sid, r.cname, r.auto) for r in listed] == [
        ("s1", "room", False),
        ("s2", "hall", True),
    ]
    assert listed[0].spec == SPEC
    assert listed[0].acknowledged is None
    assert listed[0].attached_at <= listed[1].attached_at
    with pytest.raises(StoreError, match="s1 is attached already"):
        store.add_recording("s1", "room", SPEC, auto=False)
    assert store.remove_recording("s1") is True
    assert store.remove_recording("s1") is False
    assert [r.sid for r in store.recordings()] == ["s2"]


def test_everything_survives_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "svc.db"
    first = Store(path)
    first.add_recording("s1", "room", SPEC, auto=True)
    first.set_acknowledged("s1", LAYOUT)
    seq = first.add_notification("n1", "room", b'{"eventType": 103}')
    first.mark_done(seq)
    first.close()
    again = Store(path)
    try:
        (kept,) = again.recordings()
        assert (kept.sid, kept.auto, kept.spec) == ("s1", True, SPEC)
        assert kept.acknowledged == LAYOUT
        assert [(n.notice_id, n.body, n.done) for n in again.notifications()] == [
            ("n1", b'{"eventType": 103}', True)
        ]
    finally:
        again.close()


def test_the_latest_acknowledged_layout_is_kept(store: Store) -> None:
    store.add_recording("s1", "room", SPEC, auto=False)
    store.set_acknowledged("s1", {"mixedVideoLayout": 1})
    store.set_acknowledged("s1", LAYOUT)
    assert store.recordings()[0].acknowledged == LAYOUT


def test_notifications_are_kept_in_arrival_order_and_marked_done(store: Store) -> None:
    bodies = [f'{{"n": {i}}}'.encode() for i in range(5)]
    seqs = [store.add_notification(f"id{i}", "room", body) for i, body in enumerate(bodies)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    store.mark_done(seqs[1])
    store.mark_done(seqs[3])
    kept = list(store.notifications())
    assert [n.notice_id for n in kept] == [f"id{i}" for i in range(5)]
    assert [n.body for n in kept] == bodies
    assert [n.done for n in kept] == [False, True, False, True, False]
    assert [n.seq for n in kept] == seqs


def test_a_kept_notice_id_is_known_until_pruned() -> None:
    store = Store(None, max_notifications=5)
    try:
        store.add_notification("2000001428:4330:103", "room", b"{}")
        assert store.has_notice("2000001428:4330:103")
        assert not store.has_notice("2000001428:4330:104")
        for i in range(1000):
            store.add_notification(f"n{i}", "room", b"{}")
        assert not store.has_notice("2000001428:4330:103")  # pruned with the oldest rows
    finally:
        store.close()


def test_a_stored_row_that_cannot_be_read_is_named_and_the_others_load(tmp_path: Path) -> None:
    db = tmp_path / "service.db"
    store = Store(db)
    store.add_recording("good", "room", SPEC, auto=False)
    store.add_recording("bad", "room", SPEC, auto=False)
    store._write("UPDATE recordings SET spec='{not json' WHERE sid='bad'")
    rows = {row.sid: row for row in store.recordings()}
    store.close()
    assert rows["good"].problem is None and rows["good"].spec == SPEC
    assert rows["bad"].spec == {}
    assert rows["bad"].problem is not None
    assert str(db) in rows["bad"].problem and "recording bad" in rows["bad"].problem


def test_old_notifications_are_pruned_past_the_limit() -> None:
    store = Store(None, max_notifications=5)
    try:
        for i in range(999):
            store.add_notification(f"n{i}", "room", b"{}")
        assert len(list(store.notifications())) == 999  # pruned in batches, not per insert
        store.add_notification("n999", "room", b"{}")
        kept = [n.notice_id for n in store.notifications()]
        assert kept == ["n995", "n996", "n997", "n998", "n999"]  # the newest stay
    finally:
        store.close()


def test_a_second_store_on_the_same_file_is_refused(store: Store) -> None:
    assert store.path is not None
    with pytest.raises(StoreError) as refused:
        Store(store.path)
    assert str(store.path) in refused.value.message
    assert "another" in refused.value.message
    store.add_recording("s1", "room", SPEC, auto=False)  # the first one still works
    assert [r.sid for r in store.recordings()] == ["s1"]


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    text = b"these are my notes, not a database\n" * 200
    path.write_bytes(text)
    with pytest.raises(StoreError) as refused:
        Store(path)
    message = refused.value.message
    assert str(path) in message and "not a layoutkit service database" in message
    assert "Traceback" not in message
    assert path.read_bytes() == text  # left as it was


def test_a_database_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    db.close()
    with pytest.raises(StoreError, match="another version of layoutkit"):
        Store(path)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as refused:
        Store(tmp_path)
    assert str(tmp_path) in refused.value.message
    assert "not a regular file" in refused.value.message


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path / "svc.db")
    store.close()
    with pytest.raises(StoreError, match="is closed"):
        store.recordings()
    with pytest.raises(StoreError, match="is closed"):
        store.add_notification("n", "room", b"{}")


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    running = make_emulator()
    yield running
    running.stop()


def test_nothing_secret_is_written_to_the_database(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    path = tmp_path / "svc.db"
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, token=TOKEN, db=path
    ) as service:
        assert emulator.notifications is not None
        emulator.notifications.url = service.notifications_url
        emulator.join("room", 11)
        emulator.join("room", 12)
        recording = record(emulator, "room")
        attach(service.url, recording, token=TOKEN)
        emulator.join("room", 13)
        wait_until(lambda: shows_exactly(emulator, recording.sid, "room"), what="the picture")
        body = envelope(103, "room", 14)
        forged = requests.post(  # a refused callback is not kept either
            service.notifications_url,
            data=body,
            headers=signature_headers(body, "wrong-secret"),
            timeout=5,
        )
        assert forged.status_code == 401
        kept = service.store  # the live store's rows
        assert len(kept.recordings()) == 1
        assert len(list(kept.notifications())) >= 3
    files = [path, *tmp_path.glob("svc.db-*")]  # the WAL and its index too, if left
    written = b"".join(p.read_bytes() for p in files if p.is_file())
    assert b"room" in written  # the check reads the real bytes
    for secret in (CUSTOMER_SECRET, NOTIFY_SECRET, TOKEN):
        assert secret.encode() not in written, secret
    stored = Store(path)
    try:
        (row,) = stored.recordings()
        assert set(row.spec) <= {
            "cname", "uid", "resource_id", "sid", "mode", "preset", "vars", "roles", "options",
        }  # fmt: skip
        assert json.dumps(row.spec).find("secret") == -1
    finally:
        stored.close()
