"""What a hostile or careless user found in the director service, each fixed: a directed
channel is never forgotten however many others send events, tokens that are empty or
padded are refused, a proxy or a foreign Host cannot reach /recordings without a token,
ids that cannot stand in a URL are refused, a NUL in a file name is a 400, a slow layout
holds up only its own channel, a DELETE and a POST of one sid race cleanly, a malformed
eventType is a 400, duplicate keys are refused, and broken auto-record rules fail at
start-up."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from service_helpers import (
    NOTIFY_SECRET,
    STORAGE,
    TOKEN,
    attach_body,
    envelope,
    record,
    service_client,
    signature_headers,
    status_when,
    wait_until,
)
from service_helpers import (
    quiet_emulator as quiet_emulator,
)

from layoutkit.assets import Asset, CallablePublisher, FolderPublisher
from layoutkit.emulator import EmulatorServer
from layoutkit.live.channels import NotificationRouter
from layoutkit.service import DirectorService
from layoutkit.service.autorecord import ConfigError, parse_rules


@pytest.fixture
def service(emulator: EmulatorServer, tmp_path: Path) -> Iterator[DirectorService]:
    (tmp_path / "ok.yaml").write_text("canvas: 640x360\nregions: []\n", encoding="utf-8")
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, layouts=tmp_path
    ) as running:
        yield running


def notify(service: DirectorService, body: bytes) -> requests.Response:
    return requests.post(
        service.notifications_url, data=body, headers=signature_headers(body), timeout=10
    )


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
        assert notify(service, envelope(103, "room", uid)).status_code == 200
    running = record(emulator, "room")
    body = attach_body(running)
    assert requests.post(f"{service.url}/recordings", json=body, timeout=10).status_code == 201
    service.hub.router.max_channels = 5  # as if 1,000 channels had come and gone
    for index in range(20):
        assert notify(service, envelope(103, f"other-{index}", 5)).status_code == 200
    assert notify(service, envelope(104, "room", 11)).status_code == 200
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
    answer = notify(service, body)
    assert answer.status_code == 200 and "eventType" in answer.json()["ignored"]
    assert service.hub.intake.counts.unusable == 1
    other = notify(
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
        assert notify(service, envelope(103, "slow", 21)).status_code == 200
        assert requests.get(f"{service.url}/healthz", timeout=10).status_code == 200
        assert notify(service, envelope(103, "elsewhere", 31)).status_code == 200
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
