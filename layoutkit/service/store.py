"""The service's SQLite database (`path`, or memory when None): the attached recordings
(their attach requests, whether the service started them, the last layout acknowledged)
and every verified callback, written and synced before it is answered so a restart can
replay it (about `max_notifications` kept; in memory only their noticeIds). The
connection takes an exclusive lock, so a second `layoutkit serve` on the same file is
refused. Nothing secret is stored."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layoutkit.errors import LayoutkitError

SCHEMA_VERSION = 1
MAX_NOTIFICATIONS = 200_000
MEMORY_NOTIFICATIONS = 10_000  # the noticeIds an in-memory store keeps, at most
_PRUNE_EVERY = 1_000  # inserts between two prunings of the notifications table
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recordings (
    sid TEXT PRIMARY KEY,
    cname TEXT NOT NULL,
    spec TEXT NOT NULL,
    auto INTEGER NOT NULL DEFAULT 0,
    attached_at REAL NOT NULL,
    acknowledged TEXT
);
CREATE TABLE IF NOT EXISTS notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at REAL NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS notifications_by_notice ON notifications (notice_id);
"""


class StoreError(LayoutkitError):
    """The service's database cannot be used (locked, corrupt, a write failed)."""


@dataclass(frozen=True)
class StoredRecording:
    """A kept recording; `problem` says why its row cannot be used (then `spec` is {})."""

    sid: str
    cname: str
    spec: dict[str, Any]
    auto: bool
    attached_at: float
    acknowledged: dict[str, Any] | None
    problem: str | None = None


@dataclass(frozen=True)
class StoredNotification:
    seq: int
    notice_id: str
    channel: str
    body: bytes
    done: bool


def _json(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    found = json.loads(text)
    if not isinstance(found, dict):
        raise ValueError(f"not a JSON object but {type(found).__name__}")
    return found


class Store:
    def __init__(
        self, path: str | Path | None = None, *, max_notifications: int = MAX_NOTIFICATIONS
    ) -> None:
        self.path = None if path is None else Path(path)
        self.max_notifications = (
            max_notifications if path is not None else min(max_notifications, MEMORY_NOTIFICATIONS)
        )
        self._lock = threading.Lock()
        self._inserts = 0
        self._closed = False
        self._db = self._open()

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "the in-memory database"

    def _open(self) -> sqlite3.Connection:
        where = self._where()
        if self.path is not None and self.path.exists() and not self.path.is_file():
            raise StoreError(f"{where} is not a regular file: give a file path with --db")
        try:
            db = sqlite3.connect(
                ":memory:" if self.path is None else str(self.path),
                timeout=1.0,
                check_same_thread=False,
                isolation_level=None,  # transactions are explicit
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{where}: cannot open it ({exc}); check the path") from None
        try:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("BEGIN IMMEDIATE")  # takes the lock now; exclusive mode keeps it
            db.execute("COMMIT")
            db.executescript(_SCHEMA)
            found = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if found is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif found[0] != str(SCHEMA_VERSION):
                db.close()
                raise StoreError(
                    f"{where} was written by another version of layoutkit (schema "
                    f"{found[0]}, this one reads {SCHEMA_VERSION}): give another --db"
                )
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" in str(exc):
                raise StoreError(
                    f"{where} is in use by another process (another `layoutkit serve`?): "
                    "stop it, or give another --db"
                ) from None
            raise StoreError(f"{where}: {exc}; move the file away or give another --db") from None
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(
                f"{where} is not a layoutkit service database, or it is corrupt ({exc}): "
                "move it away (the service starts a new one) or give another --db"
            ) from None
        return db

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            if self._closed:
                raise StoreError(f"{self._where()} is closed")
            try:
                return self._db.execute(sql, args)
            except sqlite3.Error as exc:
                raise StoreError(f"{self._where()}: a write failed ({exc})") from None

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._closed:
                raise StoreError(f"{self._where()} is closed")
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self._where()}: a read failed ({exc})") from None

    # --- recordings ------------------------------------------------------------------------

    def add_recording(self, sid: str, cname: str, spec: dict[str, Any], *, auto: bool) -> None:
        try:
            self._write(
                "INSERT INTO recordings (sid, cname, spec, auto, attached_at) VALUES (?,?,?,?,?)",
                (sid, cname, json.dumps(spec), int(auto), time.time()),
            )
        except StoreError as exc:
            if "UNIQUE" in exc.message:
                raise StoreError(f"recording {sid} is attached already") from None
            raise

    def remove_recording(self, sid: str) -> bool:
        self._write("DELETE FROM meta WHERE key=?", (f"order:{sid}",))
        return self._write("DELETE FROM recordings WHERE sid=?", (sid,)).rowcount > 0

    def set_order(self, sid: str, uids: list[str]) -> None:
        """Keep the join order of a recording's participants, for a restart."""
        self._write(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (f"order:{sid}", json.dumps(uids)),
        )

    def order(self, sid: str) -> list[str]:
        rows = self._read("SELECT value FROM meta WHERE key=?", (f"order:{sid}",))
        found = json.loads(rows[0][0]) if rows else []
        return [str(u) for u in found] if isinstance(found, list) else []

    def set_spec(self, sid: str, spec: dict[str, Any]) -> None:
        self._write("UPDATE recordings SET spec=? WHERE sid=?", (json.dumps(spec), sid))

    def set_acknowledged(self, sid: str, payload: dict[str, Any]) -> None:
        self._write("UPDATE recordings SET acknowledged=? WHERE sid=?", (json.dumps(payload), sid))

    def recordings(self) -> list[StoredRecording]:
        """Every kept recording, in attach order."""
        rows = self._read(
            "SELECT sid, cname, spec, auto, attached_at, acknowledged FROM recordings "
            "ORDER BY attached_at, sid"
        )
        return [self._recording(*row) for row in rows]

    def _recording(
        self, sid: Any, cname: Any, spec: Any, auto: Any, at: Any, ack: Any
    ) -> StoredRecording:
        try:
            return StoredRecording(
                str(sid), str(cname), _json(spec) or {}, bool(auto), float(at), _json(ack)
            )
        except (TypeError, ValueError) as exc:  # JSONDecodeError is a ValueError
            problem = f"{self._where()}: recording {sid}: its stored row cannot be read ({exc})"
            return StoredRecording(str(sid), str(cname), {}, bool(auto), 0.0, None, problem)

    # --- notifications ---------------------------------------------------------------------

    def add_notification(self, notice_id: str, channel: str, body: bytes) -> int:
        """Write a verified callback (synced to disk); its number."""
        kept = body if self.path is not None else b""
        cursor = self._write(
            "INSERT INTO notifications (notice_id, channel, body, received_at) VALUES (?,?,?,?)",
            (notice_id, channel, kept, time.time()),
        )
        self._inserts += 1
        if self._inserts % _PRUNE_EVERY == 0:
            self._prune()
        return int(cursor.lastrowid or 0)

    def has_notice(self, notice_id: str) -> bool:
        rows = self._read("SELECT 1 FROM notifications WHERE notice_id=? LIMIT 1", (notice_id,))
        return bool(rows)

    def mark_done(self, seq: int) -> None:
        self._write("UPDATE notifications SET done=1 WHERE seq=?", (seq,))

    def notifications(self) -> Iterator[StoredNotification]:
        rows = self._read(
            "SELECT seq, notice_id, channel, body, done FROM notifications ORDER BY seq"
        )
        for seq, notice, channel, body, done in rows:
            yield StoredNotification(seq, notice, channel, bytes(body), bool(done))

    def _prune(self) -> None:
        self._write(
            "DELETE FROM notifications WHERE seq <= (SELECT MAX(seq) FROM notifications) - ?",
            (self.max_notifications,),
        )

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __repr__(self) -> str:
        return f"Store({self._where()})"
