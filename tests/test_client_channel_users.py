"""The channel management API's user list through the client, against the emulator over
HTTP: sent with `Content-Type: application/json` (Agora answers 415 without it), read in
each shape the emulator answers: live broadcast, communication, and a channel that does
not exist (every documented shape, the host list too, is test_wire_channel.py)."""

from __future__ import annotations

import time
from typing import Any

import requests
from client_helpers import client_of, logged

from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.wire.replies import COMMUNICATION, LIVE_BROADCAST, USER_LIST_RATE


def headers_sent(client: CloudRecordingClient) -> list[dict[str, str]]:
    """The headers of every request the client sends from now on, as they left."""
    seen: list[dict[str, str]] = []

    def keep(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        seen.append(dict(response.request.headers))

    client.session.hooks["response"].append(keep)
    return seen


def test_the_user_list_is_asked_for_as_json(agora_emulator: EmulatorServer) -> None:
    client = client_of(agora_emulator)
    seen = headers_sent(client)
    agora_emulator.join("room", 1001)
    client.channel_users("room")
    client.channel_users("room", hosts_only=True)
    assert [h.get("Content-Type") for h in seen] == ["application/json"] * 2
    assert [h.get("Accept") for h in seen] == ["application/json"] * 2
    assert [row["path"] for row in logged(agora_emulator)] == [
        "/dev/v1/channel/user/test-app-id/room",
        "/dev/v1/channel/user/test-app-id/room/hosts_only",
    ]


def test_a_live_broadcast_channel_lists_hosts_and_audience(
    agora_emulator: EmulatorServer,
) -> None:
    client = client_of(agora_emulator)
    agora_emulator.join("room", 1001)
    agora_emulator.join("room", 1002, role="audience")
    agora_emulator.join("room", 1003)
    users = client.channel_users("room")
    assert users.channel_exist and users.mode == LIVE_BROADCAST
    assert (users.broadcasters, users.audience) == ([1001, 1003], [1002])
    assert users.shown == ["1001", "1003"]
    hosts = client.channel_users("room", hosts_only=True)
    assert hosts.shown == ["1001", "1003"] and hosts.audience == []


def test_a_channel_that_does_not_exist_shows_nobody(agora_emulator: EmulatorServer) -> None:
    users = client_of(agora_emulator).channel_users("nobody-here")
    assert users.channel_exist is False
    assert users.shown == [] and users.users == [] and users.broadcasters == []


def test_a_communication_channel_lists_every_user(agora_emulator: EmulatorServer) -> None:
    agora_emulator.join("meeting", 1001, profile="communication")
    agora_emulator.join("meeting", 1002)
    users = client_of(agora_emulator).channel_users("meeting")
    assert users.mode == COMMUNICATION and users.total == 2
    assert users.users == [1001, 1002] and users.shown == ["1001", "1002"]
    assert users.broadcasters == [] and users.audience_total is None


def test_the_user_list_has_its_own_rate_limit_apart_from_cloud_recordings(
    agora_emulator: EmulatorServer,
) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    client = CloudRecordingClient(
        "test-app-id",
        "test-customer-id",
        "test-customer-secret",
        base_url=agora_emulator.url,
        rate_limit=1,
        sleep=sleep,
    )
    agora_emulator.join("room", 1001)
    for _ in range(USER_LIST_RATE):  # Agora's 20 a second: none waits for a slot
        client.channel_users("room")
    assert waits == []
    client.acquire("room", 9)  # Cloud Recording's own limit (1 here) is untouched by them
    assert waits == []
    client.channel_users("room")  # the 21st in the window waits for its slot
    assert waits
