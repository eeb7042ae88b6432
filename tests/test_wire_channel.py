"""The user list's answer in each documented shape (docs.agora.io rtc/query-user-list and
query-host-list): a channel that does not exist (`channel_exist` false and nothing else),
communication (`mode` 1: `total`, `users`), live broadcast (`mode` 2: `broadcasters`,
`audience`, `audience_total`, no `total`), and the host list."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from layoutkit.wire.replies import COMMUNICATION, LIVE_BROADCAST, ChannelUsersResponse


def read(data: dict[str, Any]) -> ChannelUsersResponse:
    return ChannelUsersResponse.model_validate({"success": True, "data": data})


def test_a_channel_that_does_not_exist_has_no_other_field() -> None:
    users = read({"channel_exist": False}).data
    assert users.channel_exist is False and users.mode is None
    assert users.shown == [] and users.total is None and users.audience_total is None
    assert users.to_wire() == {"channel_exist": False, "users": [], "broadcasters": [],
                               "audience": []}  # fmt: skip


def test_communication_lists_every_user() -> None:
    users = read({"channel_exist": True, "mode": 1, "total": 3, "users": [906, 1001, 4294967295]})
    data = users.data
    assert data.mode == COMMUNICATION and data.total == 3
    assert data.shown == ["906", "1001", "4294967295"]
    assert data.broadcasters == [] and data.audience_total is None


def test_live_broadcast_lists_hosts_and_counts_the_audience() -> None:
    body = {
        "channel_exist": True,
        "mode": 2,
        "broadcasters": [1001, 99],
        "audience": [2001, 2002],
        "audience_total": 12_345,
    }
    data = read(body).data
    assert data.mode == LIVE_BROADCAST and data.total is None
    assert data.audience == [2001, 2002] and data.audience_total == 12_345
    assert data.shown == ["1001", "99"]  # hosts only; the caller leaves its recorders out


def test_the_host_list_has_broadcasters_only() -> None:
    data = read({"channel_exist": True, "mode": 2, "broadcasters": [1001]}).data
    assert data.shown == ["1001"] and data.audience == [] and data.audience_total is None


@pytest.mark.parametrize(
    "data",
    [
        {"mode": 1, "users": [1]},  # channel_exist is always there
        {"channel_exist": True, "mode": 3},
        {"channel_exist": True, "mode": 2, "audience_total": -1},
        {"channel_exist": True, "mode": 1, "total": -1},
        {"channel_exist": True, "mode": 1, "users": ["not a uid"]},
    ],
)
def test_what_agora_never_sends_is_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        read(data)
