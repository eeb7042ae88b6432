"""The participant set and its events."""

from __future__ import annotations

from layoutkit.live.roster import Event, Roster


def test_join_order_roles_and_leave() -> None:
    roster = Roster()
    assert roster.apply(Event("join", "1", "host")) is None
    assert roster.apply(Event("join", "2")) is None
    assert list(roster.people) == ["1", "2"] and roster.roles == {"host": "1"}
    assert roster.apply(Event("leave", "1")) is None
    assert list(roster.people) == ["2"] and roster.roles == {}


def test_nonsense_events_are_ignored_with_a_reason() -> None:
    roster = Roster()
    roster.apply(Event("join", "1"))
    assert roster.apply(Event("join", "1")) == "1 joined twice; the second join is ignored"
    assert roster.apply(Event("leave", "9")) == "leave for 9, who is not in the channel; ignored"
    assert roster.apply(Event("camera_off", "9")) is not None
    assert roster.apply(Event("unshare", "1")) == "1 is not sharing a screen; ignored"
    assert roster.apply(Event("role", "1")) is not None
    assert list(roster.people) == ["1"]


def test_share_joins_and_takes_the_screen_role_and_unshare_gives_it_back() -> None:
    roster = Roster(roles={"host": "1"})
    roster.apply(Event("join", "1"))
    roster.apply(Event("share", "3"))
    assert list(roster.people) == ["1", "3"] and roster.roles == {"host": "1", "screen": "3"}
    roster.apply(Event("unshare", "3"))
    assert roster.roles == {"host": "1"} and "3" in roster.people


def test_role_moves_from_one_person_to_another() -> None:
    roster = Roster()
    roster.apply(Event("join", "1", "host"))
    roster.apply(Event("join", "2"))
    roster.apply(Event("role", "2", "host"))
    assert roster.roles == {"host": "2"}


def test_camera_states_and_what_is_visible() -> None:
    roster = Roster()
    for uid in ("1", "2", "3"):
        roster.apply(Event("join", uid))
    roster.apply(Event("camera_off", "2"))
    roster.apply(Event("audio_only", "3"))
    assert roster.visible() == ["1", "2", "3"]
    assert roster.visible(hide_camera_off=True) == ["1", "3"]
    assert roster.visible(hide_camera_off=True, hide_audio_only=True) == ["1"]
    assert roster.video_off() == {"2"} and roster.audio_only_uids() == {"3"}
    roster.apply(Event("camera_on", "3"))
    assert roster.visible(hide_audio_only=True) == ["1", "2", "3"]
