"""The director service against hostile or careless use (the callback and recording side;
the HTTP side is in test_service_http_hostile): replays, channels without end (a directed
channel is never forgotten however many others send events), stored rows and rules that
cannot be used (broken auto-record rules fail at start-up), slow publishers and slow
layouts (each holds up only its own channel), layouts that cannot be drawn, a recorder
without clientType; tokens that are empty or padded, a proxy or a foreign Host without a
token, ids that cannot stand in a URL, a NUL in a file name, a DELETE and a POST of one
sid racing, a malformed eventType, duplicate keys; and what `serve -v` logs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    RECORDER,
    STORAGE,
    TOKEN,
    attach,
    attach_body,
    described,
    envelope,
    layout_uids,
    record,
    service_client,
    signature_headers,
    status_when,
    wait_until,
)
from service_helpers import (
    quiet_emulator as quiet_emulator,
)
from style_helpers import damaged_font, write_png

from layoutkit.assets import Asset, CallablePublisher, FolderPublisher
from layoutkit.emulator import EmulatorServer
from layoutkit.live.channels import NotificationRouter
from layoutkit.pytest_plugin import APP_ID
from layoutkit.service import DirectorService, Store
from layoutkit.service.autorecord import ConfigError, parse_rules


def post(service: DirectorService, body: bytes) -> requests.Response:
    return requests.post(
        service.notifications_url, data=body, headers=signature_headers(body), timeout=10
    )


def with_fields(body: bytes, **fields: Any) -> bytes:
    data = json.loads(body)
    data.update(fields)
    return json.dumps(data).encode()


def test_a_replayed_old_callback_is_acknowledged_and_ignored(emulator: EmulatorServer) -> None:
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET) as service:
        hour_ago = int((time.time() - 3600) * 1000)
        answer = post(service, with_fields(envelope(103, "paid", 7), notifyMs=hour_ago))
        assert answer.status_code == 200 and "replay" in answer.json()["ignored"]
        assert service.hub.router.stream("paid") is None


def test_a_seen_notice_id_is_ignored_however_many_channels_came_between(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "service.db"
    first = envelope(103, "paid", 7)
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db) as one:
        assert post(one, first).json() == {"ok": True, "events": 1}
        for n in range(1_100):  # more channels than the router keeps streams for
            one.hub.notify(*_signed(envelope(101, f"other-{n}")))
        assert post(one, first).json()["ignored"].startswith("noticeId")
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db) as two:
        assert "ignored" in post(two, first).json()  # durably: after a restart too


def _signed(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, signature_headers(body)


def test_channels_that_end_leave_nothing_behind(emulator: EmulatorServer) -> None:
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET) as service:
        for n in range(2_000):
            cname = f"room-{n}"
            for body in (envelope(101, cname), envelope(103, cname, 5), envelope(104, cname, 5)):
                assert service.hub.notify(*_signed(body))[0] == 200
            assert service.hub.notify(*_signed(envelope(102, cname)))[0] == 200
        assert service.hub.flush(30)
        assert service.hub.router.channels == []
        assert service.hub._by_channel == {}


def test_a_bad_stored_row_is_skipped_named_and_the_service_starts(
    emulator: EmulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "service.db"
    good, bad = record(emulator, "good"), record(emulator, "bad")
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db) as one:
        attach(one.url, good)
        attach(one.url, bad)
    invalid = record(emulator, "invalid")
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db) as one:
        attach(one.url, invalid)
    store = Store(db)
    store._write("UPDATE recordings SET spec='{oops' WHERE sid=?", (bad.sid,))
    spec = json.dumps(attach_body(invalid) | {"uid": "not-a-uid"})  # JSON, no longer valid
    store._write("UPDATE recordings SET spec=? WHERE sid=?", (spec, invalid.sid))
    store.close()
    with (
        caplog.at_level(logging.ERROR, "layoutkit.service"),
        DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, db=db) as two,
    ):
        assert two.resumed == 1 and two.hub.sids() == [good.sid]
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 2
    assert all(str(db) in line for line in skipped)
    assert bad.sid in skipped[0] and invalid.sid in skipped[1] and "uid" in skipped[1]


def test_an_auto_record_request_agora_would_refuse_fails_at_start_up(
    emulator: EmulatorServer,
) -> None:
    storage = {"vendor": 1, "region": 0, "bucket": "b", "accessKey": "a", "secretKey": "s"}
    with pytest.raises(ConfigError) as caught:
        parse_rules(
            [
                {
                    "channels": "town-*",
                    "preset": "grid-3x3",
                    "uid": RECORDER,
                    "request": {"storageConfig": storage, "recordingConfig": {"maxIdleTime": 1}},
                }
            ],
            "service.yaml",
        )
    assert "service.yaml: auto_record[0].request.recordingConfig.maxIdleTime" in str(caught.value)


def test_attach_answers_without_waiting_on_a_hanging_publisher(emulator: EmulatorServer) -> None:
    release = threading.Event()

    def hanging(asset: Asset) -> str:
        release.wait(60)
        return f"https://cdn.example.com/{asset.name}"

    emulator.join("slow", 1001, app_id=APP_ID)
    recording = record(emulator, "slow")
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, assets=CallablePublisher(hanging)
    ) as service:
        started = time.monotonic()
        state = attach(service.url, recording, preset="talk-show")
        assert time.monotonic() - started < 10  # the publisher holds for 60 s
        assert state["status"] == "pending"
        release.set()
        status_when(service.url, recording.sid, lambda s: s["status"] == "applied")


def test_a_layout_with_a_damaged_font_is_refused_at_attach_not_at_the_first_join(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    damaged_font(layouts / "broken.ttf")
    (layouts / "named.yaml").write_text(
        "canvas: 1280x720\nfont: broken.ttf\n"
        "regions:\n  - grid: {columns: 2, rows: 1, label: {text: name}}\n",
        encoding="utf-8",
    )
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, layouts=layouts
    ) as service:
        answer = requests.post(
            f"{service.url}/recordings",
            json=attach_body(record(emulator, "fonts"), file="named.yaml"),
            timeout=10,
        )
        assert answer.status_code == 422, answer.text
        assert "broken.ttf" in answer.json()["error"] and answer.json()["field"] == "layout"
        assert service.hub.sids() == []


def test_a_reported_camera_off_hides_the_person_with_hide_camera_off(
    emulator: EmulatorServer,
) -> None:
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, resync=False
    ) as service:
        recording = record(emulator, "cams")
        options = {"hide_camera_off": True, "debounce": 0}
        attach(service.url, recording, preset="grid-2x2", options=options)
        for uid in (1001, 1002):
            assert post(service, envelope(103, "cams", uid)).ok
        url = f"{service.url}/recordings/{recording.sid}/participants/1002"
        assert requests.put(url, json={"video": False}, timeout=5).status_code == 200
        assert service.hub.flush(10)
        assert layout_uids(emulator.layout_of(recording.sid)) == ["1001"]
        assert requests.put(url, json={"video": True}, timeout=5).status_code == 200
        assert service.hub.flush(10)
        assert layout_uids(emulator.layout_of(recording.sid)) == ["1001", "1002"]


def test_a_layout_text_naming_a_local_font_is_refused_even_in_an_empty_channel(
    emulator: EmulatorServer,
) -> None:
    layout = (
        "canvas: 1280x720\nfont: /usr/share/fonts/any.ttf\n"
        "regions:\n  - grid: {columns: 2, rows: 1, label: {text: name}}\n"
    )
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET) as service:
        answer = requests.post(
            f"{service.url}/recordings",
            json=attach_body(record(emulator, "empty"), layout=layout),
            timeout=10,
        )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "layout" and "any.ttf" in answer.json()["error"]


def test_the_recordings_own_uid_joining_without_client_type_is_never_drawn(
    emulator: EmulatorServer,
) -> None:
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, resync=False
    ) as service:
        recording = record(emulator, "talk")
        attach(service.url, recording)
        assert post(service, envelope(107, "talk", 1001)).ok
        assert post(service, envelope(107, "talk", int(RECORDER))).ok  # no clientType
        assert service.hub.flush(10)
        assert described(service.url, recording.sid)["participants"] == ["1001"]


def test_verbose_logs_every_notification_and_push_without_secrets(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.INFO, "layoutkit"),
        DirectorService(
            service_client(emulator), notify_secret=NOTIFY_SECRET, resync=False
        ) as service,
    ):
        recording = record(emulator, "loud")
        attach(service.url, recording, options={"debounce": 0})
        assert post(service, envelope(103, "loud", 1001)).ok
        assert service.hub.flush(10)
    lines = [r.getMessage() for r in caplog.records]
    assert any(
        "103 host joined in 'loud' uid 1001" in line and "join 1001" in line for line in lines
    )
    assert any(f"push {recording.sid} (regions for 1001): accepted" in line for line in lines)
    assert not any(NOTIFY_SECRET in line for line in lines)


def test_warnings_are_listed_apart_from_errors(emulator: EmulatorServer) -> None:
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, resync=False
    ) as service:
        recording = record(emulator, "many")
        attach(service.url, recording, preset="grid-2x2", options={"debounce": 0})
        for uid in range(1, 6):  # five hosts for four cells: one is left out
            assert post(service, envelope(103, "many", uid)).ok
        assert service.hub.flush(10)
        status = described(service.url, recording.sid)
    assert status["errors"] == []
    assert any("not shown" in w for w in status["warnings"])


ATTACH_A_HUGE_LOGO = """
import re, sys
sys.path.insert(0, sys.argv[2])
from service_helpers import NOTIFY_SECRET, attach, make_emulator, record, service_client
from service_helpers import status_when
from layoutkit.pytest_plugin import APP_ID
from layoutkit.service import DirectorService
emulator = make_emulator(notify=False)
emulator.join("logo", 1001, app_id=APP_ID)
with DirectorService(
    service_client(emulator), notify_secret=NOTIFY_SECRET, layouts=sys.argv[1]
) as service:
    recording = record(emulator, "logo")
    attach(service.url, recording, file="logo.yaml")
    status_when(service.url, recording.sid, lambda s: s["status"] == "applied", timeout=60)
    with open("/proc/self/status") as status:
        print("peak-kib", re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
emulator.stop()
"""


def test_attaching_a_layout_with_a_7000_px_logo_stays_under_300_mb(tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    write_png(layouts / "logo.png", 7000, 7000, bytes((200, 30, 30, 160)) * 7000)
    (layouts / "logo.yaml").write_text(
        "canvas: 1280x720\ndecor:\n  - {image: logo.png, x: 10px, y: 10px, width: 300px,"
        " height: 100px}\nregions:\n  - grid: {columns: 2, rows: 1}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", ATTACH_A_HUGE_LOGO, str(layouts), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    peak_mib = int(done.stdout.split("peak-kib")[-1]) / 1024
    assert peak_mib < 300, peak_mib  # 249 MB held after the attach when decoded whole


@pytest.fixture
def service(emulator: EmulatorServer, tmp_path: Path) -> Iterator[DirectorService]:
    (tmp_path / "ok.yaml").write_text("canvas: 640x360\nregions: []\n", encoding="utf-8")
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, layouts=tmp_path
    ) as running:
        yield running


def test_a_pinned_channel_outlives_any_number_of_others() -> None:
    router = NotificationRouter(max_channels=2)
    router.pin("directed")
    for name in ("a", "b", "c", "d"):
        router.open(name)
    assert "directed" in router.channels and len(router.channels) == 3
    router.unpin("directed")
    router.open("e")
    assert "directed" not in router.channels


def test_a_directed_channel_keeps_its_people_while_others_churn(
    service: DirectorService, emulator: EmulatorServer
) -> None:
    for uid in (11, 12):
        assert post(service, envelope(103, "room", uid)).status_code == 200
    running = record(emulator, "room")
    body = attach_body(running)
    assert requests.post(f"{service.url}/recordings", json=body, timeout=10).status_code == 201
    service.hub.router.max_channels = 5  # as if 1,000 channels had come and gone
    for index in range(20):
        assert post(service, envelope(103, f"other-{index}", 5)).status_code == 200
    assert post(service, envelope(104, "room", 11)).status_code == 200
    final = status_when(service.url, running.sid, lambda s: s["participants"] == ["12"])
    assert final["participants"] == ["12"]


@pytest.mark.parametrize("token", ["", "   ", " padded "])
def test_an_empty_or_padded_token_is_refused(emulator: EmulatorServer, token: str) -> None:
    with pytest.raises(ConfigError, match="token"):
        DirectorService(
            service_client(emulator), notify_secret=NOTIFY_SECRET, host="0.0.0.0", token=token
        )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-Forwarded-For": "203.0.113.9"}, 401),
        ({"Forwarded": "for=203.0.113.9;proto=https"}, 401),
        ({"Host": "layouts.example.com"}, 403),
    ],
)
def test_without_a_token_recordings_answer_only_local_requests(
    service: DirectorService, headers: dict[str, str], status: int
) -> None:
    answer = requests.get(f"{service.url}/recordings", headers=headers, timeout=5)
    assert answer.status_code == status, answer.text
    assert "token" in answer.json()["error"].lower() or "localhost" in answer.json()["error"]
    assert requests.get(f"{service.url}/recordings", timeout=5).status_code == 200


def test_a_token_service_still_takes_its_token_through_a_proxy(emulator: EmulatorServer) -> None:
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, token=TOKEN
    ) as guarded:
        headers = {"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "203.0.113.9"}
        answer = requests.get(f"{guarded.url}/recordings", headers=headers, timeout=5)
        assert answer.status_code == 200


@pytest.mark.parametrize("field", ["sid", "resource_id"])
@pytest.mark.parametrize("value", ["a/b", "x?y", "sp ace", "pct%41", "x\ny"])
def test_ids_that_cannot_stand_in_a_url_are_refused(
    service: DirectorService, emulator: EmulatorServer, field: str, value: str
) -> None:
    body = attach_body(record(emulator, "room")) | {field: value}
    answer = requests.post(f"{service.url}/recordings", json=body, timeout=5)
    assert answer.status_code == 400 and answer.json()["field"] == field


def test_a_nul_in_a_file_name_is_a_400(service: DirectorService, emulator: EmulatorServer) -> None:
    body = attach_body(record(emulator, "room"))
    body.pop("preset")
    answer = requests.post(
        f"{service.url}/recordings", json=body | {"file": "ok\u0000.yaml"}, timeout=5
    )
    assert answer.status_code == 400 and answer.json()["field"] == "file"


def test_duplicate_keys_are_refused(service: DirectorService, emulator: EmulatorServer) -> None:
    body = json.dumps(attach_body(record(emulator, "room")))
    doubled = body[:-1] + ', "cname": "other"}'
    answer = requests.post(
        f"{service.url}/recordings",
        data=doubled,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 400 and answer.json()["field"] == "cname"


@pytest.mark.parametrize("kind", ['"103"', "true", "1.5"])
def test_a_malformed_event_type_is_answered_200_and_counted_unusable(
    service: DirectorService, kind: str
) -> None:
    body = envelope(103, "room", 11).replace(b'"eventType": 103', f'"eventType": {kind}'.encode())
    answer = post(service, body)
    assert answer.status_code == 200 and "eventType" in answer.json()["ignored"]
    assert service.hub.outcomes["unusable"] == 1
    other = post(
        service, envelope(103, "room", 11).replace(b'"eventType": 103', b'"eventType": 201')
    )
    assert other.status_code == 200 and "ignored" in other.json()


def test_a_slow_channel_holds_up_no_other(emulator: EmulatorServer, tmp_path: Path) -> None:
    """A channel whose Director waits on a publish that does not finish: its callbacks
    are still answered, and other channels' callbacks are answered and applied; once the
    publish goes through, the slow channel's picture follows. No timing is compared: the
    slow channel waits until the test lets it go."""
    gate = threading.Event()
    gate.set()
    folder = tmp_path / "assets"

    def upload(asset: Asset) -> str:
        assert gate.wait(30), "the test never let the publish go"
        return FolderPublisher(folder, "http://cdn.invalid/a", allow_http=True).publish(asset)

    publisher = CallablePublisher(upload, allow_http=True)
    styled = "canvas: 640x360\nregions:\n  - grid: {columns: 2, label: {height: 20px}}\n"
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, assets=publisher
    ) as service:
        slow, other = record(emulator, "slow"), record(emulator, "elsewhere")
        body = attach_body(slow)
        body.pop("preset")
        for answer in (
            requests.post(f"{service.url}/recordings", json=body | {"layout": styled}, timeout=10),
            requests.post(f"{service.url}/recordings", json=attach_body(other), timeout=10),
        ):
            assert answer.status_code == 201, answer.text
        gate.clear()  # from now on, the slow channel's publish waits
        assert post(service, envelope(103, "slow", 21)).status_code == 200
        assert requests.get(f"{service.url}/healthz", timeout=10).status_code == 200
        assert post(service, envelope(103, "elsewhere", 31)).status_code == 200
        status_when(service.url, other.sid, lambda s: s["participants"] == ["31"])
        assert not gate.is_set()  # all of it while the slow publish was still waiting
        gate.set()
        status_when(service.url, slow.sid, lambda s: s["participants"] == ["21"])


def test_delete_and_post_of_one_sid_race_without_a_503(
    service: DirectorService, emulator: EmulatorServer
) -> None:
    body = attach_body(record(emulator, "room"))
    url = f"{service.url}/recordings"
    assert requests.post(url, json=body, timeout=5).status_code == 201
    statuses: list[int] = []

    def post() -> None:
        statuses.append(requests.post(url, json=body, timeout=10).status_code)

    for _ in range(10):
        threads = [threading.Thread(target=post) for _ in range(2)]
        deleting = threading.Thread(
            target=lambda: requests.delete(f"{url}/{body['sid']}", timeout=10)
        )
        for thread in [deleting, *threads]:
            thread.start()
        for thread in [deleting, *threads]:
            thread.join(10)
    assert set(statuses) <= {201, 409}, statuses


def test_a_rule_whose_layout_cannot_load_fails_at_start_up(emulator: EmulatorServer) -> None:
    rule: dict[str, Any] = {"channels": "auto-*", "layout": "regions: [", "uid": "900009"}
    rules = parse_rules([rule | {"request": {"storageConfig": STORAGE}}], "service.yaml")
    with pytest.raises(ConfigError, match=r"auto_record\[0\] \(auto-\*\)\.layout"):
        DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, rules=rules)


def test_head_healthz(service: DirectorService) -> None:
    assert requests.head(f"{service.url}/healthz", timeout=5).status_code == 200


def test_ipv6_loopback(emulator: EmulatorServer) -> None:
    try:
        service = DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET, host="::1")
    except OSError as exc:  # a machine without IPv6
        pytest.skip(f"no IPv6 loopback here: {exc}")
    with service:
        assert service.url.startswith("http://[::1]:")
        wait_until(lambda: requests.get(f"{service.url}/healthz", timeout=5).ok)
