"""Who is in each channel, from its Agora Notifications: a `ChannelStream` per channel
turns its callbacks into the roster events of its hosts, and a `NotificationRouter` keeps
a bounded set of streams by channel name. Duplicates (by `noticeId`) and stale events (by
each user's `clientSeq`) change nothing, so whether someone is shown follows their newest
event whatever the arrival order. Recorders and the audience are never shown."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from layoutkit.errors import NotificationError
from layoutkit.live.notifications import (
    RTC_PRODUCT,
    ChannelPayload,
    Notification,
    RecordingPayload,
    UserPayload,
    parse_verified,
)
from layoutkit.live.roster import Event

MAX_DESTROYED = 10_000  # destroyed channels whose destruction time is remembered
MAX_RECORDERS = 1_000  # recorder uids remembered per channel (failovers add one each)
HOST_EVENTS = frozenset({103, 107, 111})  # after these the user is shown


@dataclass
class _User:
    seq: int  # the clientSeq of the last applied event
    host: bool = False
    order: tuple[int, int] = (0, 0)  # (ts, arrival) of the event that made them a host
    changed: float | None = None  # when their last callback was applied (the stream's clock)


class ChannelStream:
    """One channel's notifications → the `Event`s that keep a roster of its hosts.

    103 / 107 / 111 make a user a host (a `join`); 104 / 108 / 112 and the audience's 105 /
    106 make them not one; 102 is everyone leaving, and user events dated before it are
    stale. A recorder (platform 6 with clientType 10 or 3, or a uid `mark_recorder` was
    told of) is never a host. `hosts` are in join order (the `ts` of the event that made
    them a host, then arrival); at most `max_users` uids are remembered, hosts last."""

    def __init__(
        self,
        channel: str,
        *,
        max_notices: int = 1_000,
        max_users: int = 10_000,
        destroyed_ts: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.channel = channel
        self.max_users = max_users
        self._notices: deque[str] = deque(maxlen=max_notices)
        self._notice_set: set[str] = set()
        self._users: OrderedDict[int, _User] = OrderedDict()
        self._recorders: set[int] = set()
        self._arrivals = 0
        self._destroyed_ts = destroyed_ts
        self._clock = clock
        self.duplicates = 0
        self.stale = 0
        self.ignored = 0  # the recorder, or a new uid while every remembered one is a host

    @property
    def hosts(self) -> list[str]:
        shown = [(u.order, uid) for uid, u in self._users.items() if u.host]
        return [str(uid) for _, uid in sorted(shown)]

    def _remember(self, notice_id: str) -> bool:
        if notice_id in self._notice_set:
            return False
        if len(self._notices) == self._notices.maxlen:
            self._notice_set.discard(self._notices[0])
        self._notices.append(notice_id)
        self._notice_set.add(notice_id)
        return True

    def apply(self, notification: Notification, *, replayed: bool = False) -> list[Event]:
        """The roster events `notification` gives (often none). `replayed`: a callback
        kept before a restart, which a user list read now may correct."""
        if notification.channel_name != self.channel:
            raise NotificationError(
                f"{notification.channel_name!r} is not this stream's channel {self.channel!r}",
                field="payload.channelName",
            )
        if not self._remember(notification.notice_id):
            self.duplicates += 1
            return []
        payload = notification.payload
        if isinstance(payload, RecordingPayload):
            return []
        if isinstance(payload, ChannelPayload):
            return self._destroyed(payload.ts) if notification.event_type == 102 else []
        if payload.is_recorder or payload.uid in self._recorders:
            self.ignored += 1
            return []
        return self._user_event(notification.event_type, payload, replayed)

    @property
    def destroyed_ts(self) -> int | None:
        return self._destroyed_ts

    def _destroyed(self, ts: int) -> list[Event]:
        self._destroyed_ts = max(ts, self._destroyed_ts or ts)
        events = []
        for uid in self.hosts:
            user = self._users[int(uid)]
            if user.order[0] <= ts:  # a host who joined after it is in the next session
                user.host = False
                events.append(Event("leave", uid))
        return events

    def _user_event(self, event_type: int, payload: UserPayload, replayed: bool) -> list[Event]:
        uid, seq = payload.uid, payload.client_seq
        user = self._users.get(uid)
        too_old = self._destroyed_ts is not None and payload.ts < self._destroyed_ts
        if too_old or (user is not None and seq <= user.seq):
            self.stale += 1
            return []
        if user is None:
            if not self._make_room():
                self.ignored += 1
                return []
            user = self._users[uid] = _User(seq)
        self._users.move_to_end(uid)
        user.seq = seq
        self._arrivals += 1
        user.changed = None if replayed else self._clock()  # a replay is no news
        host = event_type in HOST_EVENTS
        if host == user.host:
            return []
        user.host = host
        if host:
            user.order = (payload.ts, self._arrivals)
            return [Event("join", str(uid))]
        return [Event("leave", str(uid))]

    def resync(self, hosts: Sequence[str | int], since: float | None = None) -> list[Event]:
        """The events (leaves, then joins) that make the hosts those of Agora's user list
        (`hosts`, in its order). Hosts it did not know join after those it did. A user
        whose callback was applied at or after `since` keeps what it said: the list may
        be older than that callback."""
        wanted: list[int] = []
        for uid in hosts:
            number = int(uid)
            if number not in wanted and number not in self._recorders:
                wanted.append(number)
        fresh = {
            n
            for n, u in self._users.items()
            if since is not None and u.changed is not None and u.changed >= since
        }
        wanted = [n for n in wanted if n not in fresh]
        events = [
            Event("leave", uid)
            for uid in self.hosts
            if int(uid) not in wanted and int(uid) not in fresh
        ]
        for event in events:
            self._users[int(event.uid)].host = False
        return events + self._resync_joins(wanted)

    def _resync_joins(self, wanted: list[int]) -> list[Event]:
        last = max((u.order[0] for u in self._users.values() if u.host), default=0)
        events = []
        for number in wanted:
            user = self._users.get(number)
            if user is not None and user.host:
                continue
            if user is None:
                if not self._make_room():
                    self.ignored += 1
                    continue
                user = self._users[number] = _User(0)
            self._arrivals += 1
            user.host, user.order = True, (last, self._arrivals)
            events.append(Event("join", str(number)))
        return events

    def mark_recorder(self, uid: str | int) -> list[Event]:
        """`uid` is a recorder: never a host from now on; its `leave` if it was one."""
        number = int(uid)
        if len(self._recorders) < MAX_RECORDERS:
            self._recorders.add(number)
        user = self._users.get(number)
        if user is None or not user.host:
            return []
        user.host = False
        return [Event("leave", str(number))]

    def _make_room(self) -> bool:
        if len(self._users) < self.max_users:
            return True
        for uid, user in self._users.items():
            if not user.host:
                del self._users[uid]
                return True
        return False


class NotificationRouter:
    """A `ChannelStream` per channel name; past `max_channels`, the one used least
    recently and not pinned (a directed channel) is forgotten. A destroyed channel not
    pinned is forgotten at once, and when it was destroyed is remembered, so late events
    of its last session stay stale."""

    def __init__(
        self,
        *,
        max_channels: int = 1_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_channels = max_channels
        self._streams: OrderedDict[str, ChannelStream] = OrderedDict()
        self._pinned: set[str] = set()
        self._destroyed: OrderedDict[str, int] = OrderedDict()  # channel -> ts of its 102
        self._clock = clock

    def pin(self, channel: str) -> ChannelStream:
        self._pinned.add(channel)
        return self.open(channel)

    def unpin(self, channel: str) -> None:
        self._pinned.discard(channel)

    @property
    def channels(self) -> list[str]:
        return list(self._streams)

    def stream(self, channel: str) -> ChannelStream | None:
        return self._streams.get(channel)

    def open(self, channel: str) -> ChannelStream:
        stream = self._streams.get(channel)
        if stream is None:
            if len(self._streams) - len(self._pinned & self._streams.keys()) >= self.max_channels:
                oldest = next((c for c in self._streams if c not in self._pinned), None)
                if oldest is not None:
                    del self._streams[oldest]
            stream = ChannelStream(
                channel, destroyed_ts=self._destroyed.get(channel), clock=self._clock
            )
            self._streams[channel] = stream
        self._streams.move_to_end(channel)
        return stream

    def handle(
        self, notification: Notification, *, replayed: bool = False
    ) -> tuple[str, list[Event]]:
        channel = notification.channel_name
        stream = self.open(channel)
        events = stream.apply(notification, replayed=replayed)
        if notification.event_type == 102 and notification.product_id == RTC_PRODUCT:
            self._forget_destroyed(stream)
        return channel, events

    def _forget_destroyed(self, stream: ChannelStream) -> None:
        if stream.destroyed_ts is None or stream.channel in self._pinned:
            return
        self._destroyed[stream.channel] = stream.destroyed_ts
        self._destroyed.move_to_end(stream.channel)
        while len(self._destroyed) > MAX_DESTROYED:
            self._destroyed.popitem(last=False)
        del self._streams[stream.channel]

    def handle_body(
        self, body: bytes, headers: Mapping[str, str], secret: str
    ) -> tuple[str, list[Event]]:
        return self.handle(parse_verified(body, headers, secret))
