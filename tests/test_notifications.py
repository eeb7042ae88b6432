"""Agora Notifications (channel events): signatures, parsing, and the stream of roster
events (duplicates, order, stale events, the recorder, the audience)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layoutkit.errors import LayoutkitError, NotificationError
from layoutkit.live.channels import ChannelStream, NotificationRouter
from layoutkit.live.notifications import (
    ChannelPayload,
    Notification,
    RecordingPayload,
    UserPayload,
    parse_notification,
    parse_verified,
    sign,
    verify_signature,
)
from layoutkit.live.roster import Event, Roster

SECRET = "notif-s3cret"
_ids = itertools.count()


def body_of(event_type: int, **payload: Any) -> bytes:
    payload.setdefault("channelName", "studio")
    payload.setdefault("ts", 1_700_000_000)
    if event_type not in (101, 102):
        payload.setdefault("platform", 7)
        payload.setdefault("clientSeq", next(_ids))
    envelope = {
        "noticeId": payload.pop("noticeId", f"n{next(_ids)}"),
        "productId": 1,
        "eventType": event_type,
        "notifyMs": 1_700_000_000_123,
        "sid": "5A1B2C",
        "payload": payload,
    }
    return json.dumps(envelope).encode()


def notice(event_type: int, **payload: Any) -> Notification:
    return parse_notification(body_of(event_type, **payload))


def expected_headers(body: bytes, secret: str) -> tuple[str, str]:
    """Agora's documented algorithm, computed here independently of the module."""
    key = secret.encode()
    return (
        hmac.new(key, body, hashlib.sha256).hexdigest(),
        hmac.new(key, body, hashlib.sha1).hexdigest(),
    )


# signatures


def test_sign_gives_agoras_two_headers() -> None:
    body = body_of(103, uid=1001)
    v2, v1 = expected_headers(body, SECRET)
    assert sign(body, SECRET) == {"Agora-Signature-V2": v2, "Agora-Signature": v1}


def test_a_correctly_signed_body_is_accepted() -> None:
    body = body_of(103, uid=1001)
    v2, v1 = expected_headers(body, SECRET)
    assert verify_signature(body, {"Agora-Signature-V2": v2, "Agora-Signature": v1}, SECRET)


def test_a_body_changed_by_one_byte_is_refused() -> None:
    body = body_of(103, uid=1001)
    headers = dict(
        zip(("Agora-Signature-V2", "Agora-Signature"), expected_headers(body, SECRET), strict=True)
    )
    changed = body.replace(b"1001", b"1002")
    assert len(changed) == len(body) and changed != body
    assert not verify_signature(changed, headers, SECRET)
    assert not verify_signature(body + b" ", headers, SECRET)


def test_the_wrong_secret_is_refused() -> None:
    body = body_of(104, uid=1001)
    assert not verify_signature(body, sign(body, SECRET), "another secret")


def test_a_missing_signature_is_refused() -> None:
    body = body_of(103, uid=1001)
    assert not verify_signature(body, {}, SECRET)
    assert not verify_signature(body, {"Content-Type": "application/json"}, SECRET)
    assert not verify_signature(body, {"Agora-Signature-V2": ""}, SECRET)


def test_an_empty_secret_verifies_nothing() -> None:
    body = body_of(103, uid=1001)
    assert not verify_signature(body, sign(body, ""), "")


@pytest.mark.parametrize(
    "name", ["Agora-Signature-V2", "agora-signature-v2", "AGORA-SIGNATURE-V2", "aGoRa-SiGnAtUrE-v2"]
)
def test_header_names_are_case_insensitive(name: str) -> None:
    body = body_of(103, uid=1001)
    v2, _ = expected_headers(body, SECRET)
    assert verify_signature(body, {name: v2}, SECRET)
    assert verify_signature(body, {name: v2.upper()}, SECRET)  # hex digits in either case


@pytest.mark.parametrize("name", ["Agora-Signature", "agora-signature", "AGORA-SIGNATURE"])
def test_the_sha1_signature_alone_is_accepted(name: str) -> None:
    body = body_of(103, uid=1001)
    _, v1 = expected_headers(body, SECRET)
    assert verify_signature(body, {name: v1}, SECRET)
    assert not verify_signature(body + b"\n", {name: v1}, SECRET)


def test_a_wrong_v2_is_refused_even_with_a_right_sha1() -> None:
    body = body_of(103, uid=1001)
    _, v1 = expected_headers(body, SECRET)
    assert not verify_signature(
        body, {"Agora-Signature-V2": "0" * 64, "Agora-Signature": v1}, SECRET
    )


def test_non_ascii_signature_is_refused_not_raised() -> None:
    body = body_of(103, uid=1001)
    assert not verify_signature(body, {"Agora-Signature-V2": "é" * 64}, SECRET)


def test_parse_verified_refuses_a_bad_signature() -> None:
    body = body_of(103, uid=1001)
    assert parse_verified(body, sign(body, SECRET), SECRET).payload == notice_payload(body)
    with pytest.raises(NotificationError) as caught:
        parse_verified(body, sign(body, "other"), SECRET)
    assert caught.value.field == "Agora-Signature-V2"


def notice_payload(body: bytes) -> ChannelPayload | UserPayload | RecordingPayload:
    return parse_notification(body).payload


# parsing


def test_parse_a_host_join() -> None:
    got = notice(103, uid=1001, platform=1, clientSeq=42, ts=1_700_000_005, noticeId="abc")
    assert got.notice_id == "abc" and got.event_type == 103 and got.product_id == 1
    assert got.event_name == "host joined" and got.sid == "5A1B2C"
    assert got.payload == UserPayload("studio", 1001, 1, 42, 1_700_000_005)
    assert isinstance(got.payload, UserPayload) and got.payload.platform_name == "Android"


def test_parse_a_leave_with_its_reason_and_a_channel_event() -> None:
    left = notice(104, uid=7, reason=1).payload
    assert isinstance(left, UserPayload) and left.reason == 1
    created = notice(101).payload
    assert created == ChannelPayload("studio", 1_700_000_000)


def test_the_recorder_is_recognised() -> None:
    recorder = notice(103, uid=99, platform=6, clientType=10).payload
    assert isinstance(recorder, UserPayload) and recorder.is_recorder
    on_premise = notice(103, uid=98, platform=6, clientType=3).payload
    assert isinstance(on_premise, UserPayload) and on_premise.is_recorder
    linux_user = notice(103, uid=97, platform=6).payload
    assert isinstance(linux_user, UserPayload) and not linux_user.is_recorder


@pytest.mark.parametrize("body", [b"not json", b"{", b"\xff\xfe", b"[1, 2]", b"", b"null"])
def test_a_body_that_is_not_a_json_object(body: bytes) -> None:
    with pytest.raises(NotificationError, match="body is not"):
        parse_notification(body)


def test_an_unknown_event_type_is_named() -> None:
    with pytest.raises(NotificationError) as caught:
        parse_notification(body_of(109, uid=1))
    assert caught.value.field == "eventType"
    assert "event type 109 of productId 1 is not followed" in str(caught.value) and isinstance(
        caught.value, LayoutkitError
    )
    assert caught.value.exit_code == 1


@pytest.mark.parametrize(
    ("drop", "field"),
    [
        ("noticeId", "noticeId"),
        ("productId", "productId"),
        ("eventType", "eventType"),
        ("payload", "payload"),
        ("payload.uid", "payload.uid"),
        ("payload.clientSeq", "payload.clientSeq"),
        ("payload.channelName", "payload.channelName"),
        ("payload.ts", "payload.ts"),
    ],
)
def test_a_missing_field_is_named(drop: str, field: str) -> None:
    data = json.loads(body_of(103, uid=1001))
    if drop.startswith("payload."):
        del data["payload"][drop.removeprefix("payload.")]
    else:
        del data[drop]
    with pytest.raises(NotificationError, match=f"^{field}: missing") as caught:
        parse_notification(json.dumps(data).encode())
    assert caught.value.field == field


@pytest.mark.parametrize("uid", ["1001", 10.5, True, 0, -1, 2**32, None])
def test_a_mistyped_uid_is_named(uid: object) -> None:
    with pytest.raises(NotificationError, match=r"^payload\.uid: expected an integer") as caught:
        parse_notification(body_of(103, uid=uid))
    assert caught.value.field == "payload.uid"


def test_an_oversized_body_is_refused() -> None:
    with pytest.raises(NotificationError, match="over"):
        parse_notification(b" " * 70_000)


# the stream


def feed(stream: ChannelStream, *notifications: Notification) -> list[Event]:
    return [event for n in notifications for event in stream.apply(n)]


def test_joins_and_leaves_become_roster_events() -> None:
    stream = ChannelStream("studio")
    events = feed(stream, notice(103, uid=1), notice(107, uid=2), notice(104, uid=1))
    assert events == [Event("join", "1"), Event("join", "2"), Event("leave", "1")]
    events = feed(stream, notice(108, uid=2), notice(101))
    assert events == [Event("leave", "2")] and stream.hosts == []


def test_duplicates_are_dropped() -> None:
    stream = ChannelStream("studio")
    join = notice(103, uid=1, noticeId="same")
    assert feed(stream, join, join, join) == [Event("join", "1")]
    assert stream.duplicates == 2


def test_the_notice_memory_is_bounded() -> None:
    stream = ChannelStream("studio", max_notices=2)
    first = notice(101, noticeId="a")
    feed(stream, first, notice(101, noticeId="b"), notice(101, noticeId="c"))
    assert len(stream._notice_set) == 2  # "a" forgotten
    feed(stream, first)
    assert stream.duplicates == 0


def test_a_leave_arriving_before_its_join_leaves_the_user_absent() -> None:
    stream = ChannelStream("studio")
    join, leave = notice(103, uid=5, clientSeq=10), notice(104, uid=5, clientSeq=11)
    assert feed(stream, leave, join) == []
    assert stream.hosts == [] and stream.stale == 1


def test_stale_events_never_undo_newer_state() -> None:
    stream = ChannelStream("studio")
    feed(stream, notice(103, uid=5, clientSeq=10), notice(104, uid=5, clientSeq=20))
    feed(stream, notice(103, uid=5, clientSeq=30))
    assert stream.hosts == ["5"]
    assert feed(stream, notice(104, uid=5, clientSeq=25), notice(104, uid=5, clientSeq=30)) == []
    assert stream.hosts == ["5"] and stream.stale == 2


def test_the_recorder_never_joins() -> None:
    stream = ChannelStream("studio")
    events = feed(
        stream,
        notice(103, uid=99, platform=6, clientType=10),
        notice(107, uid=98, platform=6, clientType=3),
        notice(103, uid=3, platform=6),
    )
    assert events == [Event("join", "3")] and stream.hosts == ["3"] and stream.ignored == 2


def test_the_audience_is_not_shown() -> None:
    stream = ChannelStream("studio")
    assert feed(stream, notice(105, uid=8), notice(106, uid=8), notice(105, uid=9)) == []
    assert stream.hosts == []


def test_audience_becoming_host_and_back() -> None:
    stream = ChannelStream("studio")
    events = feed(stream, notice(105, uid=8), notice(111, uid=8), notice(112, uid=8))
    assert events == [Event("join", "8"), Event("leave", "8")]
    assert feed(stream, notice(111, uid=8)) == [Event("join", "8")] and stream.hosts == ["8"]


def test_channel_destroyed_clears_everyone() -> None:
    stream = ChannelStream("studio")
    feed(stream, notice(103, uid=1), notice(103, uid=2), notice(105, uid=3))
    assert feed(stream, notice(102, ts=1_700_000_100)) == [Event("leave", "1"), Event("leave", "2")]
    assert stream.hosts == []
    # a join from before the destruction arriving late is stale; a new session's is not
    assert feed(stream, notice(103, uid=4, ts=1_700_000_050)) == []
    assert feed(stream, notice(103, uid=4, ts=1_700_000_200)) == [Event("join", "4")]


def test_hosts_are_in_join_order_by_ts_then_arrival() -> None:
    stream = ChannelStream("studio")
    feed(
        stream,
        notice(103, uid=3, ts=20),
        notice(103, uid=1, ts=10),
        notice(103, uid=2, ts=20),
    )
    assert stream.hosts == ["1", "3", "2"]


def test_another_channels_notification_is_refused() -> None:
    with pytest.raises(NotificationError, match=r"payload\.channelName"):
        ChannelStream("studio").apply(notice(103, uid=1, channelName="lobby"))


def test_the_user_memory_is_bounded_forgetting_non_hosts_first() -> None:
    stream = ChannelStream("studio", max_users=2)
    feed(stream, notice(103, uid=1), notice(105, uid=2), notice(103, uid=3))
    assert stream.hosts == ["1", "3"] and len(stream._users) == 2
    assert feed(stream, notice(103, uid=4)) == [] and stream.ignored == 1  # all are hosts


def test_the_router_keeps_a_stream_per_channel_and_is_bounded() -> None:
    router = NotificationRouter(max_channels=2)
    assert router.handle(notice(103, uid=1, channelName="a")) == ("a", [Event("join", "1")])
    assert router.handle(notice(103, uid=1, channelName="b")) == ("b", [Event("join", "1")])
    router.handle(notice(101, channelName="a"))
    router.handle(notice(101, channelName="c"))
    assert router.channels == ["a", "c"]  # b, the least recently used, forgotten
    stream = router.stream("a")
    assert stream is not None and stream.hosts == ["1"]


def test_the_router_verifies_raw_bodies() -> None:
    router = NotificationRouter()
    body = body_of(103, uid=1001, channelName="studio")
    assert router.handle_body(body, sign(body, SECRET), SECRET) == (
        "studio",
        [Event("join", "1001")],
    )
    with pytest.raises(NotificationError):
        router.handle_body(body, {}, SECRET)


# the property: any arrival order, any duplicates, the newest event per user wins

NEXT = {"out": [103, 105], "host": [104, 112], "audience": [106, 111]}
AFTER = {103: "host", 104: "out", 105: "audience", 106: "out", 111: "host", 112: "audience"}


@st.composite
def user_sequence(draw: st.DrawFn, uid: int) -> list[Notification]:
    state, seq, ts = "out", draw(st.integers(0, 100)), 1_700_000_000
    notes = []
    for _ in range(draw(st.integers(0, 6))):
        event_type = draw(st.sampled_from(NEXT[state]))
        seq += draw(st.integers(1, 5))
        ts += draw(st.integers(0, 3))
        notes.append(notice(event_type, uid=uid, clientSeq=seq, ts=ts))
        state = AFTER[event_type]
    return notes


def seq_of(notification: Notification) -> int:
    assert isinstance(notification.payload, UserPayload)
    return notification.payload.client_seq


Delivery = tuple[dict[int, list[Notification]], list[Notification]]


@st.composite
def deliveries(draw: st.DrawFn) -> Delivery:
    users = {uid: draw(user_sequence(uid)) for uid in range(1, draw(st.integers(1, 5)) + 1)}
    sent = [n for notes in users.values() for n in notes]
    if sent:
        sent += draw(st.lists(st.sampled_from(sent), max_size=len(sent)))  # sent again
    return users, draw(st.permutations(sent))


@settings(max_examples=200, deadline=None)
@given(deliveries())
def test_any_interleaving_ends_as_each_users_events_in_order(case: Delivery) -> None:
    users, arrivals = case
    expected = set()
    for uid, notes in users.items():
        state = "out"
        for n in sorted(notes, key=seq_of):
            state = AFTER[n.event_type]
        if state == "host":
            expected.add(str(uid))
    stream, roster = ChannelStream("studio"), Roster()
    for n in arrivals:
        for event in stream.apply(n):
            assert roster.apply(event) is None  # never a join twice or a leave of nobody
    assert set(stream.hosts) == expected
    assert set(roster.people) == expected


def test_a_user_list_older_than_a_recent_callback_does_not_undo_it() -> None:
    now = [100.0]
    stream = ChannelStream("studio", clock=lambda: now[0])
    feed(stream, notice(103, uid=5), notice(103, uid=6))
    now[0] = 200.0
    feed(stream, notice(104, uid=6))  # left at 200; a list read just before still has them
    assert stream.resync(["5", "6"], since=195.0) == []  # 6 stays gone
    assert stream.hosts == ["5"]
    assert stream.resync([], since=195.0) == [Event("leave", "5")]  # 5's join was long ago
    now[0] = 300.0
    assert stream.resync(["6"], since=295.0) == [Event("join", "6")]  # the list wins later


def test_resync_never_makes_a_recorder_a_host() -> None:
    stream = ChannelStream("studio")
    stream.mark_recorder(900001)
    assert stream.resync(["900001", "7"]) == [Event("join", "7")]
    feed(stream, notice(107, uid=900001))  # a communication channel: no clientType
    assert stream.hosts == ["7"]
