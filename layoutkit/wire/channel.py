"""Agora's channel management REST API, the part the service needs: the users in a
channel (`GET /dev/v1/channel/user/{appid}/{channelName}[/hosts_only]`), the way to learn
who is in a channel after a gap in the Notifications or a restart.

The answer has three documented shapes (docs.agora.io, rtc/query-user-list and
query-host-list): `{"channel_exist": false}` with no other field; communication
(`mode` 1): `total` and `users`; live broadcast (`mode` 2): `broadcasters`, `audience`
(the first 10,000) and `audience_total`, without `total` (`/hosts_only`: `broadcasters`
only). The request needs `Content-Type: application/json` (Agora answers 415 without it),
and the account may ask 20 times per second (all App IDs together)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from layoutkit.wire.base import WireModel

COMMUNICATION = 1  # `mode`: the communication profile (everyone is a user)
LIVE_BROADCAST = 2  # `mode`: the live-broadcast profile (hosts and audience)
USER_LIST_PATH = "/dev/v1/channel/user/{app_id}/{cname}"
HEALTH_CHANNEL = "test_webhook"
"""The channel of Agora Console's Notifications health test (one callback per subscribed
event type), which a service answers and never acts on."""
HEALTH_UID = 12121212
"""The uid of the health test's user events."""
USER_LIST_RATE = 20
"""Agora's limit on the user list: 20 queries per second per account (not per App ID),
apart from Cloud Recording's 10 per second per App ID."""
HOSTS_ONLY = "/hosts_only"  # appended: the hosts of a live-broadcast channel only
AUDIENCE_LISTED = 10_000  # `audience` lists at most this many; `audience_total` counts all


class ChannelUsers(WireModel):
    """`data` of the user list. Uids are numbers. A field the answer's shape lacks is
    empty (the lists) or None (the counts): `total` is there in communication only,
    `audience_total` in live broadcast only."""

    channel_exist: bool
    mode: Literal[1, 2] | None = None
    total: int | None = Field(None, ge=0)
    users: list[int] = Field(default_factory=list)
    broadcasters: list[int] = Field(default_factory=list)
    audience: list[int] = Field(default_factory=list)
    audience_total: int | None = Field(None, ge=0)

    @property
    def shown(self) -> list[str]:
        """The uids a layout may show, in the order listed: the hosts in live broadcast,
        everyone in communication; none when the channel does not exist."""
        found = self.users if self.mode == COMMUNICATION else self.broadcasters
        return [str(uid) for uid in found]


class ChannelUsersResponse(WireModel):
    success: bool
    data: ChannelUsers
