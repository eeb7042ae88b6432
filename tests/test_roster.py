"""The participant set and its events."""

from __future__ import annotations

from layoutkit.live.roster import MAX_PEOPLE, Event, Roster


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
    assert roster.apply(Event("speaker", "9")) is not None
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


def test_camera_states_and_who_is_hidden() -> None:
    roster = Roster()
    for uid in ("1", "2", "3", "4"):
        roster.apply(Event("join", uid))
    roster.apply(Event("camera_off", "2"))  # the microphone stays on: sends only audio
    roster.apply(Event("audio_only", "3"))  # the same, said at once
    roster.apply(Event("camera_off", "4"))
    roster.apply(Event("audio_off", "4"))  # sends nothing: not "audio only"
    assert roster.hidden() == set()
    assert roster.hidden(hide_camera_off=True) == {"2", "3", "4"}
    assert roster.hidden(hide_audio_only=True) == {"2", "3"}
    assert roster.video_off() == {"2", "3", "4"} and roster.audio_only_uids() == {"2", "3"}
    roster.apply(Event("camera_on", "3"))
    roster.apply(Event("audio_on", "4"))  # video off, audio on: now audio only
    assert roster.hidden(hide_audio_only=True) == {"2", "4"}


def test_the_audio_only_event_and_the_two_states_agree() -> None:
    roster = Roster()
    roster.apply(Event("join", "1"))
    roster.apply(Event("audio_only", "1"))
    person = roster.people["1"]
    assert (person.video, person.audio, person.audio_only) == (False, True, True)
    roster.apply(Event("audio_off", "1"))
    assert (person.video, person.audio, person.audio_only) == (False, False, False)
    roster.apply(Event("camera_on", "1"))
    roster.apply(Event("audio_on", "1"))
    assert (person.video, person.audio, person.audio_only) == (True, True, False)


def test_a_report_before_the_join_applies_when_they_join() -> None:
    roster = Roster()
    assert roster.apply(Event("camera_off", "7")) is None  # the app was quicker
    assert roster.apply(Event("audio_off", "7")) is None
    assert list(roster.people) == [] and roster.video_off() == frozenset()
    roster.apply(Event("join", "7"))
    person = roster.people["7"]
    assert (person.video, person.audio) == (False, False) and roster.waiting == {}
    roster.apply(Event("leave", "7"))
    roster.apply(Event("share", "7"))  # back, sharing: a fresh start
    assert roster.people["7"].video and roster.people["7"].audio


def test_reports_kept_for_people_not_here_are_bounded_oldest_first() -> None:
    roster = Roster()
    for uid in range(1, MAX_PEOPLE + 11):
        roster.apply(Event("camera_off", str(uid)))
    assert len(roster.waiting) == MAX_PEOPLE
    assert "1" not in roster.waiting and str(MAX_PEOPLE + 10) in roster.waiting
    roster.apply(Event("camera_on", "11"))  # reported again: now the newest
    roster.apply(Event("camera_off", "999"))
    assert "11" in roster.waiting and "12" not in roster.waiting


def test_the_speaker_event_binds_the_role_and_keeps_the_others() -> None:
    roster = Roster(roles={"host": "1", "speaker": "2"})
    roster.apply(Event("join", "1"))
    roster.apply(Event("join", "2"))
    assert roster.apply(Event("speaker", "1")) is None
    assert roster.roles == {"host": "1", "speaker": "1"}
