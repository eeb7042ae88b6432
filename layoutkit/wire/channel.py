"""Agora's channel management REST API, the part the service needs: the users in a
channel (`GET /dev/v1/channel/user/{appid}/{channelName}[/hosts_only]`), the way to learn
who is in a channel after a gap in the Notifications or a restart."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from layoutkit.wire.base import WireModel

COMMUNICATION = 1  # `mode`: the communication profile (everyone is a user)
LIVE_BROADCAST = 2  # `mode`: the live-broadcast profile (hosts and audience)
USER_LIST_PATH = "/dev/v1/channel/user/{app_id}/{cname}"


class ChannelUsers(WireModel):
    """`data` of the user list. Live broadcast: `broadcasters` (hosts, the recorders
    included) and `audience`; communication: `users`. Uids are numbers."""

    channel_exist: bool
    mode: Literal[1, 2] | None = None
    total: int = Field(0, ge=0)
    broadcasters: list[int] = Field(default_factory=list)
    audience: list[int] = Field(default_factory=list)
    users: list[int] = Field(default_factory=list)

    @property
    def shown(self) -> list[str]:
        """The uids a layout may show, in the order listed: the hosts in live broadcast,
        everyone in communication."""
        found = self.users if self.mode == COMMUNICATION else self.broadcasters
        return [str(uid) for uid in found]


class ChannelUsersResponse(WireModel):
    success: bool
    data: ChannelUsers


__all__ = [
    "COMMUNICATION",
    "LIVE_BROADCAST",
    "USER_LIST_PATH",
    "ChannelUsers",
    "ChannelUsersResponse",
]
