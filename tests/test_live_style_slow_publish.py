"""The live side while images publish slowly or fail: an older change whose images
publish late never replaces (or clears the retry of) a newer one that failed; `status`
and `flush` say pending while the latest change waits for its picture; a closed Director
takes no events; the service answers attach and name changes while a channel's publish
hangs, counts a change whose images were not published as unsent, stops upload
commands still running, keeps the join order over a restart and caps the names kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    attach,
    attach_body,
    envelope,
    make_emulator,
    record,
    service_client,
    signature_headers,
    status_when,
)

from layoutkit.assets import Asset, CallablePublisher, CommandPublisher, FolderPublisher
from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.errors import AssetError
from layoutkit.layout.loader import parse_layout
from layoutkit.live.director import Director, DirectorOptions
from layoutkit.service import DirectorService

BASE = "http://cdn.invalid/show"
STYLED = "canvas: 640x360\nregions:\n  - grid: {columns: 3, label: {height: 20px}}\n"
LAYOUT = parse_layout(STYLED)


def uids_on_air(emulator: EmulatorServer, sid: str) -> list[str]:
    return [r.get("uid") for r in emulator.layout_of(sid).get("layoutConfig", [])]


class Switchboard:
    """A publisher whose behaviour each thread is told: `hold` threads wait for `gate`
    and then publish, `fail` threads raise (and every other while `failing_everywhere`);
    the rest publish into `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = FolderPublisher(folder, BASE, allow_http=True)
        self.gate = threading.Event()
        self.hold: set[int] = set()
        self.fail: set[int] = set()
        self.failing_everywhere = False
        self.publisher = CallablePublisher(self._upload, allow_http=True)

    def _upload(self, asset: Asset) -> str:
        me = threading.get_ident()
        if me in self.hold:
            assert self.gate.wait(20)
        elif me in self.fail or self.failing_everywhere:
            raise OSError("the bucket is down")
        return self.folder.publish(asset)


def test_an_older_change_published_late_never_hides_a_newer_one_that_failed(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, tmp_path: Path
) -> None:
    board = Switchboard(tmp_path / "assets")
    recording = agora_client.record("room", 99)
    options = DirectorOptions(backoff=0.05)
    with Director(recording, LAYOUT, assets=board.publisher, options=options) as director:
        director.join(1001)
        assert director.flush(timeout=10)

        def join_held() -> None:  # its publish waits for the gate
            board.hold.add(threading.get_ident())
            director.join(1002)
            board.hold.discard(threading.get_ident())  # a later thread may get its ident

        def join_failing() -> None:  # its publish fails
            board.fail.add(threading.get_ident())
            director.join(1003)
            board.fail.discard(threading.get_ident())

        older = threading.Thread(target=join_held, daemon=True)
        newer = threading.Thread(target=join_failing, daemon=True)
        board.failing_everywhere = True  # the newer change's retries fail too, for now
        older.start()
        while not director.publishing:  # the older change is in its publish
            time.sleep(0.01)
        newer.start()
        newer.join(10)
        board.gate.set()  # the older change's publish goes through now
        older.join(10)
        assert director.status == "pending" and director.publishing
        assert not director.flush(timeout=0.3)
        board.failing_everywhere = False  # the retry of the newer change goes through
        assert director.flush(timeout=10)
        assert uids_on_air(agora_emulator, recording.sid) == ["1001", "1002", "1003"]
        final: str = director.status  # read again (mypy would keep the earlier value)
        assert final == "applied" and director.last_error is None


def test_a_closed_director_takes_no_events(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, tmp_path: Path
) -> None:
    board = Switchboard(tmp_path / "assets")
    director = Director(agora_client.record("room", 99), LAYOUT, assets=board.publisher)
    director.join(1001)
    assert director.flush(timeout=10)
    published = len(list((tmp_path / "assets").iterdir()))
    director.close()
    director.join(1002)
    assert director.participants == ["1001"]
    assert any("closed; ignored" in w for w in director.warnings)
    assert len(list((tmp_path / "assets").iterdir())) == published  # nothing more uploaded


# --- the service ----------------------------------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    running = make_emulator(notify=False)
    running.add_assets(BASE, Path("/nonexistent"))
    yield running
    running.stop()


def notify(url: str, body: bytes) -> requests.Response:
    return requests.post(url, data=body, headers=signature_headers(body), timeout=10)


def test_attach_and_names_are_answered_while_a_channel_publish_hangs(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    gate = threading.Event()
    gate.set()

    def upload(asset: Asset) -> str:
        assert gate.wait(30)
        return FolderPublisher(tmp_path / "a", BASE, allow_http=True).publish(asset)

    publisher = CallablePublisher(upload, allow_http=True)
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, assets=publisher
    ) as service:
        first = record(emulator, "room")
        attach(service.url, first, layout=STYLED)
        gate.clear()  # the channel's publish hangs from now on
        assert notify(service.notifications_url, envelope(103, "room", 11)).status_code == 200
        second = record(emulator, "room", uid="900002")
        answer = requests.post(
            f"{service.url}/recordings", json=attach_body(second), timeout=5
        )  # a plain preset on the same channel: not behind the hung publish
        assert answer.status_code == 201, answer.text
        named = requests.put(
            f"{service.url}/recordings/{first.sid}/names/11", json={"name": "Ada"}, timeout=5
        )
        assert named.status_code == 200 and named.json()["names"] == {"11": "Ada"}
        assert not gate.is_set()
        gate.set()
        status_when(service.url, first.sid, lambda s: s["participants"] == ["11"])


def test_a_change_whose_images_were_not_published_is_unsent_at_stop(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    def broken(asset: Asset) -> str:
        raise OSError("the bucket is down")

    service = DirectorService(
        service_client(emulator),
        notify_secret=NOTIFY_SECRET,
        assets=CallablePublisher(broken, allow_http=True),
        flush_timeout=0.5,
    ).start()
    room = record(emulator, "room")
    attach(service.url, room, layout=STYLED)
    assert notify(service.notifications_url, envelope(103, "room", 11)).status_code == 200
    status_when(service.url, room.sid, lambda s: s["participants"] == ["11"])
    service.stop()
    assert service.hub.unsent == [room.sid]


def test_stopping_stops_upload_commands_still_running(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    script = tmp_path / "slow.sh"
    script.write_text(f'touch "{marker}"; sleep 30; cp "$1" /dev/null\n')
    publisher = CommandPublisher(["sh", str(script), "{path}"], "https://cdn.example.com/x")
    failed: list[str] = []

    def publish() -> None:
        try:
            publisher.publish(Asset(b"\xff\xd8\xff" + b"0" * 16))
        except AssetError as exc:
            failed.append(exc.message)

    worker = threading.Thread(target=publish, daemon=True)
    started = time.monotonic()
    worker.start()
    while not marker.exists() and time.monotonic() - started < 10:
        time.sleep(0.02)
    publisher.close()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 10
    assert failed and "killed by signal" in failed[0]
    with pytest.raises(AssetError, match="closed"):
        publisher.publish(Asset(b"\xff\xd8\xff" + b"1" * 16))


def test_a_restart_keeps_the_join_order(emulator: EmulatorServer, tmp_path: Path) -> None:
    db = tmp_path / "service.db"
    emulator.join("room", 11)  # in the user list at attach, never in a callback
    room = record(emulator, "room")
    plain = "canvas: 640x360\nregions:\n  - grid: {columns: 2}\n"
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db) as one:
        attach(one.url, room, layout=plain)
        emulator.join("room", 12)
        assert notify(one.notifications_url, envelope(103, "room", 12)).status_code == 200
        status_when(one.url, room.sid, lambda s: s["participants"] == ["11", "12"])
        one.hub.flush(10)
    before = uids_on_air(emulator, room.sid)
    assert before == ["11", "12"]
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db) as two:
        status_when(two.url, room.sid, lambda s: s["participants"] == ["11", "12"])
        two.hub.flush(10)
    assert uids_on_air(emulator, room.sid) == before


def test_the_names_a_recording_keeps_are_capped(emulator: EmulatorServer) -> None:
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET) as service:
        room = record(emulator, "room")
        many = {str(uid): "Guest" for uid in range(1, 1002)}
        body = attach_body(room) | {"names": many}
        answer = requests.post(f"{service.url}/recordings", json=body, timeout=10)
        assert answer.status_code == 400 and answer.json()["field"] == "names"
        attach(service.url, room, names={str(uid): "Guest" for uid in range(1, 1001)})
        over = requests.put(
            f"{service.url}/recordings/{room.sid}/names/5000", json={"name": "One more"}, timeout=5
        )
        assert over.status_code == 400 and "at most 1000 names" in over.json()["error"]
        again = requests.put(
            f"{service.url}/recordings/{room.sid}/names/7", json={"name": "Renamed"}, timeout=5
        )
        assert again.status_code == 200  # a name already kept may change
