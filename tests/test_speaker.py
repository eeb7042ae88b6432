"""The speaker role's hysteresis (`live.roster.SpeakerFollower`), driven by times the
test chooses: flapping reports never make the role flicker, a speaker who holds gets it,
silence keeps the last speaker."""

from __future__ import annotations

from itertools import pairwise

import pytest

from layoutkit.live.roster import MAX_HOLD, MAX_INTERVAL, SpeakerFollower


def run(
    follower: SpeakerFollower, reports: list[tuple[float, str | None]], end: float
) -> list[tuple[float, str]]:
    """Feed `reports` (time, uid) in order and ask for moves at every report and at every
    `next_check` time, as the Director's timer does: the moves as (time, uid)."""
    moves: list[tuple[float, str]] = []
    pending = list(reports)
    now = 0.0
    while now <= end:
        check = follower.next_check()
        upcoming = pending[0][0] if pending else None
        if check is not None and (upcoming is None or check < upcoming) and check <= end:
            now = check
        elif upcoming is not None:
            now, uid = pending.pop(0)
            follower.report(uid, now)
        else:
            break
        moved = follower.due(now)
        if moved is not None:
            moves.append((now, moved))
    return moves


def flapping(first: str, second: str, every: float, until: float) -> list[tuple[float, str | None]]:
    count = int(until / every)
    return [(i * every, first if i % 2 == 0 else second) for i in range(count + 1)]


def test_reports_flapping_every_half_second_for_20s_never_move_the_role() -> None:
    follower = SpeakerFollower(hold=2.0, interval=4.0, holder="1001")
    moves = run(follower, flapping("1001", "1002", 0.5, 20.0), end=30.0)
    assert moves == []  # nobody held 2 s: the role stays with 1001
    assert follower.holder == "1001"


@pytest.mark.parametrize("hold", [0.0, 0.25, 0.4])
def test_flapping_moves_the_role_at_most_once_per_interval(hold: float) -> None:
    follower = SpeakerFollower(hold=hold, interval=4.0)
    moves = run(follower, flapping("1001", "1002", 0.5, 20.0), end=20.0)
    times = [at for at, _ in moves]
    assert moves  # a short hold lets the role move...
    assert all(b - a >= 4.0 for a, b in pairwise(times))  # ...rarely
    assert len(moves) <= 20.0 / 4.0 + 1


def test_a_speaker_who_holds_2s_gets_the_role_without_another_report() -> None:
    follower = SpeakerFollower(hold=2.0, interval=4.0, holder="1001")
    follower.report("1002", 0.0)
    assert follower.due(1.99) is None
    assert follower.next_check() == 2.0
    assert follower.due(2.0) == "1002"
    assert follower.holder == "1002" and follower.next_check() is None


def test_repeated_reports_of_the_same_speaker_continue_the_run() -> None:
    follower = SpeakerFollower(hold=2.0, interval=4.0)
    for tenth in range(0, 21, 3):  # every 0.3 s, as an app reports
        follower.report("1002", tenth / 10)
    assert follower.due(2.1) == "1002"


def test_a_speaker_who_held_waits_for_the_interval_then_gets_it() -> None:
    follower = SpeakerFollower(hold=2.0, interval=4.0)
    follower.report("1001", 0.0)
    assert follower.due(2.0) == "1001"
    follower.report("1002", 2.5)
    assert follower.next_check() == 6.0  # held at 4.5, but the role moved at 2.0
    assert follower.due(5.9) is None
    assert follower.due(6.0) == "1002"


def test_silence_never_moves_the_role_and_ends_a_run() -> None:
    follower = SpeakerFollower(hold=2.0, interval=4.0, holder="1001")
    follower.report(None, 0.0)
    assert follower.next_check() is None and follower.due(100.0) is None
    assert follower.holder == "1001"
    follower.report("1002", 10.0)
    follower.report(None, 11.0)  # 1002 spoke 1 s: not long enough
    assert follower.due(20.0) is None and follower.holder == "1001"


def test_the_holder_speaking_again_cancels_a_move() -> None:
    follower = SpeakerFollower(hold=2.0, interval=4.0, holder="1001")
    follower.report("1002", 0.0)
    follower.report("1001", 1.0)
    assert follower.next_check() is None and follower.due(5.0) is None


def test_someone_who_leaves_is_neither_candidate_nor_holder() -> None:
    follower = SpeakerFollower(hold=2.0, interval=4.0, holder="1001")
    follower.report("1002", 0.0)
    follower.forget("1002")
    follower.forget("1001")
    assert follower.holder is None and follower.due(10.0) is None


@pytest.mark.parametrize(
    ("hold", "interval", "words"),
    [
        (-1, 4, "speaker_hold must be 0..60"),
        (2, MAX_INTERVAL + 1, "speaker_interval must be 0..600"),
        (MAX_HOLD * 2, 4, "speaker_hold"),
        (float("nan"), 4, "speaker_hold"),
        (True, 4, "a number of seconds"),
        (2, "4s", "speaker_interval must be a number of seconds"),
    ],
)
def test_timings_out_of_range_are_refused_naming_the_option(
    hold: object, interval: object, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        SpeakerFollower(hold=hold, interval=interval)  # type: ignore[arg-type]
