"""Names and published images in the live side: the Director publishes a styled layout's
images before the layout naming them is pushed (over real HTTP to the emulator), reuses
what is published, pushes nothing when publishing fails; scenarios with names; the
service's names (`POST /recordings` `names`, `PUT /recordings/{sid}/names/{uid}`). While
images publish slowly or fail: an older change whose images publish late never replaces
(or clears the retry of) a newer one that failed; `status` and `flush` say pending while
the latest change waits for its picture; a closed Director takes no events; the service
answers attach and name changes while a channel's publish hangs, counts a change whose
images were not published as unsent, stops upload commands still running, keeps the join
order over a restart and caps the names kept."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from service_helpers import (
    NOTIFY_SECRET,
    TOKEN,
    attach,
    attach_body,
    described,
    envelope,
    make_emulator,
    record,
    service_client,
    signature_headers,
    status_when,
)

from layoutkit.assets import Asset, CallablePublisher, CommandPublisher, FolderPublisher
from layoutkit.cli import cli
from layoutkit.client import CloudRecordingClient, Recording
from layoutkit.emulator import EmulatorServer
from layoutkit.errors import AssetError, CompileError, LayoutValidationError
from layoutkit.layout.loader import parse_layout
from layoutkit.live.director import Director, DirectorOptions
from layoutkit.live.roster import Event
from layoutkit.live.scenario import load_scenario, play_scenario
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET
from layoutkit.service import DirectorService

BASE = "http://assets.test/show"  # served by the emulator from the publisher's folder
STYLED = """canvas: 1280x720
decor:
  - {text: "The Show", x: 0, y: 0, width: 100%, height: 60px}
card: {color: "#334455"}
regions:
  - grid: {y: 60px, columns: 2, gap: 16px, padding: 16px, roles: [host, guest],
           frame: {width: 6px, color: "#FFCC00"}, label: {height: 48px, background: "#000000"}}
"""
LAYOUT = parse_layout(STYLED)


def image_urls(payload: Mapping[str, Any] | None) -> list[str]:
    """Every image URL a layout payload names: the background, then the cards."""
    payload = payload or {}
    urls = [payload["backgroundImage"]] if "backgroundImage" in payload else []
    return urls + [c["image_url"] for c in payload.get("backgroundConfig", [])]


def card_url(payload: Mapping[str, Any] | None, uid: str) -> str:
    cards = (payload or {}).get("backgroundConfig", [])
    found = [c["image_url"] for c in cards if c["uid"] == uid]
    assert len(found) == 1, cards
    return str(found[0])


def file_of(folder: Path, url: str) -> Path:
    assert url.startswith(BASE + "/"), url
    return folder / url.removeprefix(BASE + "/")


class Checking:
    """The Director's target: before passing a layout on to the recording (the emulator
    over HTTP), it notes every image URL the layout names whose file is not in the
    folder yet; `sent` keeps every layout passed on."""

    def __init__(self, recording: Recording, folder: Path) -> None:
        self.recording, self.folder = recording, folder
        self.sent: list[dict[str, Any]] = []
        self.missing: list[str] = []

    def update_layout(self, layout: Mapping[str, Any]) -> object:
        urls = image_urls(layout)
        self.missing += [url for url in urls if not file_of(self.folder, url).is_file()]
        self.sent.append(dict(layout))
        return self.recording.update_layout(layout)


class Counting:
    """A publisher into a folder that counts the files it is asked to publish (each new
    one once: the publisher remembers the rest) and fails while `failing` is set."""

    def __init__(self, folder: Path) -> None:
        self.folder = FolderPublisher(folder, BASE, allow_http=True)
        self.uploads: list[str] = []
        self.failing = False
        self.publisher = CallablePublisher(self._upload, allow_http=True)

    def _upload(self, asset: Asset) -> str:
        if self.failing:
            raise OSError("the bucket is unreachable")
        self.uploads.append(asset.name)
        return self.folder.publish(asset)


@pytest.fixture
def recording(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, tmp_path: Path
) -> Recording:
    agora_emulator.add_assets(BASE, tmp_path / "assets")
    agora_emulator.join("room", 1)
    return agora_client.record("room", 99)


def audit_steps(audit: io.StringIO) -> list[str]:
    return [json.loads(line)["step"] for line in audit.getvalue().splitlines()]


# --- the Director --------------------------------------------------------------------------


def test_a_join_publishes_the_background_and_the_card_before_the_layout_naming_them(
    agora_emulator: EmulatorServer, recording: Recording, tmp_path: Path
) -> None:
    folder = tmp_path / "assets"
    target = Checking(recording, folder)
    publisher = FolderPublisher(folder, BASE, allow_http=True)
    with Director(target, LAYOUT, names={1001: "Ada Lovelace"}, assets=publisher) as director:
        director.join(1001, "host")
        assert director.flush(timeout=10)
        assert director.names == {"1001": "Ada Lovelace"}
    assert target.sent and target.missing == []
    layout = agora_emulator.layout_of(recording.sid)
    assert layout == director.acknowledged == target.sent[-1]
    urls = image_urls(layout)
    assert len(urls) == 2 and card_url(layout, "1001") in urls  # background and 1001's card
    assert all(file_of(folder, url).is_file() for url in urls)
    statuses = agora_emulator.state.assets.resolve(urls)
    assert {status for status, _ in statuses.values()} == {"resolved"}
    assert director.warnings == [] and director.last_error is None


def test_set_name_publishes_a_new_background_and_pushes_it(
    agora_emulator: EmulatorServer, recording: Recording, tmp_path: Path
) -> None:
    folder = tmp_path / "assets"
    target = Checking(recording, folder)
    publisher = FolderPublisher(folder, BASE, allow_http=True)
    with Director(target, LAYOUT, assets=publisher) as director:
        director.join(1001, "host")
        director.set_name(1001, "Ada Lovelace")
        assert director.flush(timeout=10)
        before = agora_emulator.layout_of(recording.sid)
        director.set_name("1001", "  Grace Hopper ")  # trimmed, as every name
        assert director.flush(timeout=10)
        after = agora_emulator.layout_of(recording.sid)
        assert director.names == {"1001": "Grace Hopper"}
    assert before["backgroundImage"] != after["backgroundImage"]  # a new hash, a new file
    assert card_url(before, "1001") != card_url(after, "1001")
    assert before["layoutConfig"] == after["layoutConfig"]
    assert all(file_of(folder, url).is_file() for url in image_urls(before) + image_urls(after))
    assert target.missing == []


def test_a_bad_name_is_refused_and_changes_nothing(recording: Recording, tmp_path: Path) -> None:
    with pytest.raises(CompileError, match="names"):
        Director(recording, LAYOUT, names={"1001": "two\nlines"})
    with Director(recording, LAYOUT) as director:
        for uid, name in ((1001, ""), (1001, "x" * 500), ("nope", "Ada"), (0, "Ada")):
            with pytest.raises(CompileError, match="names"):
                director.set_name(uid, name)
        director.handle(Event("join", "1002", name="bad\u200bname"))  # an event: a warning
        assert director.names == {} and director.participants == []
        assert any("control characters" in w for w in director.warnings)


def test_an_unchanged_picture_publishes_nothing_new(
    agora_emulator: EmulatorServer, recording: Recording, tmp_path: Path
) -> None:
    counting = Counting(tmp_path / "assets")
    with Director(recording, LAYOUT, names={1001: "Ada"}, assets=counting.publisher) as director:
        director.join(1001)
        assert director.flush(timeout=10)
        first = agora_emulator.layout_of(recording.sid)
        assert len(counting.uploads) == 2  # the background and 1001's card
        director.camera_off(1001)  # the same picture: nothing published, nothing pushed
        director.set_name(1001, "Ada")
        assert director.flush(timeout=10)
        assert len(counting.uploads) == 2 and director.pushes == 1
        director.join(1002)
        assert director.flush(timeout=10)
        grown = len(counting.uploads)
        assert grown > 2 and director.pushes == 2
        director.leave(1002)  # back to the first picture: its files are reused
        assert director.flush(timeout=10)
        assert len(counting.uploads) == grown and director.pushes == 3
    assert agora_emulator.layout_of(recording.sid) == first
    assert len(set(counting.uploads)) == len(counting.uploads)  # no file published twice


def failed_once(director: Director) -> None:
    """Wait (at most 30 s) until the director's worker reports its latest change's error."""
    deadline = time.monotonic() + 30
    while director.last_error is None and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_failed_publish_pushes_nothing_and_is_tried_again_until_it_succeeds(
    agora_emulator: EmulatorServer, recording: Recording, tmp_path: Path
) -> None:
    folder = tmp_path / "assets"
    counting = Counting(folder)
    counting.failing = True
    target = Checking(recording, folder)
    audit = io.StringIO()
    options = DirectorOptions(backoff=0.05)
    with Director(
        target, LAYOUT, assets=counting.publisher, audit=audit, options=options
    ) as director:
        director.join(1001)
        failed_once(director)  # the worker tried to publish the join's images
        assert not director.flush(timeout=0.5)  # the join's images are not published yet
        assert target.sent == [] and director.pushes == 0
        assert director.status == "pending" and director.publishing
        assert director.last_error is not None
        assert "cannot publish the layout's images" in director.last_error
        assert "the bucket is unreachable" in director.last_error
        assert any("trying again in" in w for w in director.warnings)
        assert set(audit_steps(audit)) == {"publish-failed"}
        counting.failing = False  # the outage ends: no new event is needed
        assert director.flush(timeout=10)
        assert director.last_error is None and director.pushes == 1 and not director.publishing
        assert [r["uid"] for r in agora_emulator.layout_of(recording.sid)["layoutConfig"]] == [
            "1001"
        ]
        director.join(1002)
        assert director.flush(timeout=10) and director.pushes == 2
        pushed = agora_emulator.layout_of(recording.sid)
        assert [r["uid"] for r in pushed["layoutConfig"]] == ["1001", "1002"]
        counting.failing = True  # a failure after a push keeps the pushed state on air
        director.set_name(1002, "Grace")
        failed_once(director)
        assert not director.flush(timeout=0.5)
        assert director.pushes == 2 and director.last_error is not None
        assert director.acknowledged == pushed
        director.close()  # stops trying (leaving the block would wait for the publish)
    assert agora_emulator.layout_of(recording.sid) == pushed
    assert target.missing == [] and len(target.sent) == 2
    steps = audit_steps(audit)
    assert steps.count("sent") == 2 and steps[-1] == "publish-failed"


def test_people_who_join_during_a_publishing_outage_are_shown_once_it_ends(
    agora_emulator: EmulatorServer, recording: Recording, tmp_path: Path
) -> None:
    folder = tmp_path / "assets"
    counting = Counting(folder)
    target = Checking(recording, folder)
    options = DirectorOptions(backoff=0.05)
    with Director(target, LAYOUT, assets=counting.publisher, options=options) as director:
        director.join(1001)
        assert director.flush(timeout=10)
        counting.failing = True
        director.join(1002)
        director.join(1003)
        assert not director.flush(timeout=0.3)
        counting.failing = False
        assert director.flush(timeout=10)  # no event came: the retry publishes and pushes
        shown = agora_emulator.layout_of(recording.sid)["layoutConfig"]
        assert [r["uid"] for r in shown] == ["1001", "1002"]  # the layout has two cells
        assert director.status == "applied"
    assert target.missing == []


def test_a_styled_layout_without_a_publisher_is_pushed_without_images_with_one_warning(
    agora_emulator: EmulatorServer, recording: Recording
) -> None:
    audit = io.StringIO()
    with Director(recording, LAYOUT, audit=audit) as director:
        director.join(1001)
        assert director.flush(timeout=10)
        director.join(1002)
        assert director.flush(timeout=10)
    told = [w for w in director.warnings if "no publisher was given" in w]
    assert len(told) == 1
    assert audit_steps(audit).count("no-publisher") == 1
    assert image_urls(agora_emulator.layout_of(recording.sid)) == []
    assert director.pushes == 2


def test_a_slow_publish_holds_up_only_its_own_director(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient, tmp_path: Path
) -> None:
    """The publishing happens in the director's own thread: the event returns at once,
    another director (its own thread) goes on meanwhile, and `status` answers."""
    release, inside = threading.Event(), threading.Event()

    def slow(asset: Asset) -> str:
        inside.set()
        assert release.wait(10)
        return FolderPublisher(tmp_path, BASE, allow_http=True).publish(asset)

    agora_emulator.join("room", 1)
    agora_emulator.join("other", 2)
    plain = parse_layout("canvas: 640x360\nregions:\n  - grid: {rows: 2, columns: 2}\n")
    slow_director = Director(
        agora_client.record("room", 99), LAYOUT, assets=CallablePublisher(slow, allow_http=True)
    )
    other = Director(agora_client.record("other", 98), plain)
    try:
        slow_director.join(1001)  # returns before the publish
        assert inside.wait(10)
        assert slow_director.status == "pending" and slow_director.publishing
        assert not slow_director.flush(timeout=0.01)  # answers at once: not there yet
        other.join(2002)
        assert other.flush(timeout=10) and other.pushes == 1
        assert slow_director.publishing
        release.set()
        assert slow_director.flush(timeout=10) and slow_director.pushes == 1
    finally:
        release.set()
        slow_director.close()
        other.close()


# --- scenarios -----------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


SCENARIO = """names: {"1001": Ada Lovelace}
events:
  - {at: 0s, join: "1001", role: host}
  - {at: 5s, join: "1002", role: guest, name: Grace Hopper}
  - {at: 9s, camera_off: "1002"}
  - {at: 10s, name: Rear Admiral Hopper, uid: "1002"}
  - {at: 12s, name: Rear Admiral Hopper, uid: "1002"}
"""


def test_a_scenario_gives_names_and_renames(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path / "show.yaml", SCENARIO))
    assert scenario.names == {"1001": "Ada Lovelace"}
    assert [t.event.name for t in scenario.events] == [
        None,
        "Grace Hopper",
        None,
        "Rear Admiral Hopper",
        "Rear Admiral Hopper",
    ]
    steps, warnings = play_scenario(scenario, LAYOUT)
    assert warnings == []
    # the rename changes only the images: a step of its own; the camera going off shows
    # 1002's card (a step of the picture only, nothing sent); the same name again changes
    # nothing
    assert [(step.at, step.sent) for step in steps] == [
        (0, True),
        (5, True),
        (9, False),
        (10, True),
    ]
    assert steps[3].events == ("name 1002: Rear Admiral Hopper",)
    assert steps[1].payload == steps[3].payload  # the images are not in a preview payload
    assert steps[3].compilation.names == {"1001": "Ada Lovelace", "1002": "Rear Admiral Hopper"}
    backgrounds = [
        next(a.name for a in step.compilation.assets if a.kind == "background") for step in steps
    ]
    assert len(set(backgrounds)) == 3
    assert not any("publish" in i.message for s in steps for i in s.compilation.issues)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('names: {"1001": ""}\nevents: [{at: 0, join: "1001"}]', "names.1001"),
        ("names: [Ada]\nevents: [{at: 0, join: '1001'}]", "names maps uids to names"),
        ('events: [{at: 0, leave: "1001", name: Ada}]', "a leave gives no name"),
        ('events: [{at: 0, name: Ada, role: host, uid: "1"}]', "a role change or a name"),
        ('events: [{at: 0, name: Ada, uid: "x"}]', "events[0].uid"),
        ('events: [{at: 0, join: "1", name: "a\\nb"}]', "one line"),
    ],
)
def test_bad_names_in_a_scenario_are_located(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LayoutValidationError) as caught:
        load_scenario(write(tmp_path / "bad.yaml", text))
    assert message in str(caught.value)


def test_play_takes_names_and_pushes_with_a_publisher(
    agora_emulator: EmulatorServer, recording: Recording, tmp_path: Path
) -> None:
    write(tmp_path / "layout.yaml", STYLED)
    scenario = write(tmp_path / "show.yaml", "layout: layout.yaml\n" + SCENARIO)
    folder = tmp_path / "assets"
    env = {
        "AGORA_APP_ID": APP_ID,
        "AGORA_CUSTOMER_ID": CUSTOMER_ID,
        "AGORA_CUSTOMER_SECRET": CUSTOMER_SECRET,
        "AGORA_BASE_URL": agora_emulator.url,
    }
    result = CliRunner(env=env).invoke(
        cli,
        [
            "play",
            str(scenario),
            "--no-pictures",
            "--json",
            "--name",
            "1001=Countess Lovelace",
            "--push",
            "--speed",
            "100",
            *("--assets-dir", str(folder), "--assets-url", BASE, "--assets-allow-http"),
            *("--resource-id", recording.resource_id, "--sid", recording.sid),
            *("--cname", recording.cname, "--uid", str(recording.uid)),
        ],
    )
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)
    assert [step["events"] for step in steps][-1] == ["name 1002: Rear Admiral Hopper"]
    assert "pushed" in result.stderr and "warning" not in result.stderr
    layout = agora_emulator.layout_of(recording.sid)
    urls = image_urls(layout)
    assert len(urls) == 3 and all(file_of(folder, url).is_file() for url in urls)


# --- the service ---------------------------------------------------------------------------


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorServer]:
    running = make_emulator(notify=False)
    running.add_assets(BASE, tmp_path / "assets")
    yield running
    running.stop()


@pytest.fixture
def service(emulator: EmulatorServer, tmp_path: Path) -> Iterator[DirectorService]:
    publisher = FolderPublisher(tmp_path / "assets", BASE, allow_http=True)
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, token=TOKEN, assets=publisher
    ) as running:
        yield running


def put_name(
    service: DirectorService, sid: str, uid: str, body: Any, token: str | None = TOKEN
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.put(
        f"{service.url}/recordings/{sid}/names/{uid}", json=body, headers=headers, timeout=10
    )


def test_the_service_takes_names_at_attach_and_by_put(
    service: DirectorService, emulator: EmulatorServer, tmp_path: Path
) -> None:
    emulator.join("room", 11)
    emulator.join("room", 12)
    room = record(emulator, "room")
    status = attach(service.url, room, TOKEN, layout=STYLED, names={"11": "Ada"})
    assert status["names"] == {"11": "Ada"}
    first = status_when(service.url, room.sid, lambda s: s["acknowledged"], token=TOKEN)
    background = first["acknowledged"]["backgroundImage"]
    answer = put_name(service, room.sid, "12", {"name": "Grace Hopper"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["names"] == {"11": "Ada", "12": "Grace Hopper"}
    now = status_when(
        service.url,
        room.sid,
        lambda s: s["acknowledged"]["backgroundImage"] != background and s["pending"] is None,
        token=TOKEN,
    )
    layout = emulator.layout_of(room.sid)
    assert layout == now["acknowledged"]
    assert all(file_of(tmp_path / "assets", url).is_file() for url in image_urls(layout))
    assert described(service.url, room.sid, TOKEN)["names"]["12"] == "Grace Hopper"


def test_put_name_needs_the_token_a_good_name_and_a_known_recording(
    service: DirectorService, emulator: EmulatorServer
) -> None:
    emulator.join("room", 11)
    room = record(emulator, "room")
    attach(service.url, room, TOKEN, layout=STYLED)
    assert put_name(service, room.sid, "11", {"name": "Ada"}, token=None).status_code == 401
    assert put_name(service, room.sid, "11", {"name": "Ada"}, token="wrong").status_code == 401
    for body, field, text in (
        ({"name": ""}, "name", "is empty"),
        ({"name": "two\nlines"}, "name", "one line"),
        ({"name": 7}, "name", "is text"),
        ({}, "name", "is missing"),
        ({"name": "Ada", "extra": 1}, "extra", "unknown field"),
    ):
        answer = put_name(service, room.sid, "11", body)
        assert answer.status_code == 400, answer.text
        assert answer.json()["field"] == field and text in answer.json()["error"]
    answer = put_name(service, room.sid, "abc", {"name": "Ada"})
    assert answer.status_code == 400 and "abc" in answer.json()["error"]
    answer = put_name(service, "no-such-sid", "11", {"name": "Ada"})
    assert answer.status_code == 404 and answer.json()["field"] == "sid"
    answer = requests.get(
        f"{service.url}/recordings/{room.sid}/names/11",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 405
    assert described(service.url, room.sid, TOKEN)["names"] == {}
    assert put_name(service, room.sid, "11", {"name": " Ada "}).status_code == 200
    assert described(service.url, room.sid, TOKEN)["names"] == {"11": "Ada"}


def test_a_bad_name_at_attach_is_400(service: DirectorService, emulator: EmulatorServer) -> None:
    room = record(emulator, "room")
    answer = requests.post(
        f"{service.url}/recordings",
        json={
            "cname": room.cname,
            "uid": str(room.uid),
            "resource_id": room.resource_id,
            "sid": room.sid,
            "layout": STYLED,
            "names": {"11": ""},
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 400 and answer.json()["field"] == "names.11"


def test_a_layout_sent_as_text_may_read_no_local_file(
    service: DirectorService, emulator: EmulatorServer, tmp_path: Path
) -> None:
    secret = tmp_path / "private.png"
    secret.write_bytes((Path(__file__).parent.parent / "presets/images/on-air.png").read_bytes())
    room = record(emulator, "room")
    logo = f"decor:\n  - {{image: {secret}, x: 0, y: 0, w: 9px, h: 9px}}\n"
    body = {
        "cname": room.cname,
        "uid": str(room.uid),
        "resource_id": room.resource_id,
        "sid": room.sid,
        "layout": STYLED.replace("decor:\n", logo),
    }
    answer = requests.post(
        f"{service.url}/recordings",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 422, answer.text
    assert "may name no local files" in answer.json()["error"]
    published = tmp_path / "assets"
    assert not published.exists() or not any(published.iterdir())  # nothing was published


def test_names_set_by_put_survive_a_restart(emulator: EmulatorServer, tmp_path: Path) -> None:
    db = tmp_path / "service.db"
    publisher = FolderPublisher(tmp_path / "assets", BASE, allow_http=True)
    emulator.join("room", 11)
    room = record(emulator, "room")
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, db=db, assets=publisher
    ) as first:
        attach(first.url, room, layout=STYLED, names={"11": "Ada"})
        answer = requests.put(
            f"{first.url}/recordings/{room.sid}/names/11", json={"name": "Grace"}, timeout=10
        )
        assert answer.status_code == 200, answer.text
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, db=db, assets=publisher
    ) as second:
        assert described(second.url, room.sid)["names"] == {"11": "Grace"}


# --- while images publish slowly or fail ------------------------------------------------------


SLOW_BASE = "http://cdn.invalid/show"
GRID_STYLED = "canvas: 640x360\nregions:\n  - grid: {columns: 3, label: {height: 20px}}\n"
GRID_LAYOUT = parse_layout(GRID_STYLED)


def uids_on_air(emulator: EmulatorServer, sid: str) -> list[str]:
    return [r.get("uid") for r in emulator.layout_of(sid).get("layoutConfig", [])]


class Switchboard:
    """A publisher whose behaviour each thread is told: `hold` threads wait for `gate`
    and then publish, `fail` threads raise (and every other while `failing_everywhere`);
    the rest publish into `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = FolderPublisher(folder, SLOW_BASE, allow_http=True)
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
    with Director(recording, GRID_LAYOUT, assets=board.publisher, options=options) as director:
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
    director = Director(agora_client.record("room", 99), GRID_LAYOUT, assets=board.publisher)
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
def emulator_without_assets() -> Iterator[EmulatorServer]:
    running = make_emulator(notify=False)
    running.add_assets(SLOW_BASE, Path("/nonexistent"))
    yield running
    running.stop()


def notify(url: str, body: bytes) -> requests.Response:
    return requests.post(url, data=body, headers=signature_headers(body), timeout=10)


def test_attach_and_names_are_answered_while_a_channel_publish_hangs(
    emulator_without_assets: EmulatorServer, tmp_path: Path
) -> None:
    gate = threading.Event()
    gate.set()

    def upload(asset: Asset) -> str:
        assert gate.wait(30)
        return FolderPublisher(tmp_path / "a", SLOW_BASE, allow_http=True).publish(asset)

    publisher = CallablePublisher(upload, allow_http=True)
    with DirectorService(
        service_client(emulator_without_assets), notify_secret=NOTIFY_SECRET, assets=publisher
    ) as service:
        first = record(emulator_without_assets, "room")
        attach(service.url, first, layout=GRID_STYLED)
        gate.clear()  # the channel's publish hangs from now on
        assert notify(service.notifications_url, envelope(103, "room", 11)).status_code == 200
        second = record(emulator_without_assets, "room", uid="900002")
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
    emulator_without_assets: EmulatorServer, tmp_path: Path
) -> None:
    def broken(asset: Asset) -> str:
        raise OSError("the bucket is down")

    service = DirectorService(
        service_client(emulator_without_assets),
        notify_secret=NOTIFY_SECRET,
        assets=CallablePublisher(broken, allow_http=True),
        flush_timeout=0.5,
    ).start()
    room = record(emulator_without_assets, "room")
    attach(service.url, room, layout=GRID_STYLED)
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


def test_a_restart_keeps_the_join_order(
    emulator_without_assets: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "service.db"
    emulator_without_assets.join("room", 11)  # in the user list at attach, never in a callback
    room = record(emulator_without_assets, "room")
    plain = "canvas: 640x360\nregions:\n  - grid: {columns: 2}\n"
    with DirectorService(
        service_client(emulator_without_assets), notify_secret=NOTIFY_SECRET, db=db
    ) as one:
        attach(one.url, room, layout=plain)
        emulator_without_assets.join("room", 12)
        assert notify(one.notifications_url, envelope(103, "room", 12)).status_code == 200
        status_when(one.url, room.sid, lambda s: s["participants"] == ["11", "12"])
        one.hub.flush(10)
    before = uids_on_air(emulator_without_assets, room.sid)
    assert before == ["11", "12"]
    with DirectorService(
        service_client(emulator_without_assets), notify_secret=NOTIFY_SECRET, db=db
    ) as two:
        status_when(two.url, room.sid, lambda s: s["participants"] == ["11", "12"])
        two.hub.flush(10)
    assert uids_on_air(emulator_without_assets, room.sid) == before


def test_the_names_a_recording_keeps_are_capped(emulator_without_assets: EmulatorServer) -> None:
    with DirectorService(
        service_client(emulator_without_assets), notify_secret=NOTIFY_SECRET
    ) as service:
        room = record(emulator_without_assets, "room")
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
