"""Agora's built-in modes against the tables of docs/agora.md, for 1..17 users.

The expected values are the reference's tables written out, not the module's formulas."""

from __future__ import annotations

import pytest

from layoutkit.compile.modes import adaptive, floating, resolve_builtin, vertical
from layoutkit.geometry import ResolvedRegion
from layoutkit.wire import MixedVideoLayout

USERS = [str(1000 + i) for i in range(1, 21)]

# §2 floating: user # -> (x, y); user 1 is (0, 0, 1, 1), every small is 0.235 × 0.235.
FLOATING_TABLE = {
    2: (0.012, 0.753), 3: (0.259, 0.753), 4: (0.506, 0.753), 5: (0.753, 0.753),
    6: (0.012, 0.506), 7: (0.259, 0.506), 8: (0.506, 0.506), 9: (0.753, 0.506),
    10: (0.012, 0.259), 11: (0.259, 0.259), 12: (0.506, 0.259), 13: (0.753, 0.259),
    14: (0.012, 0.012), 15: (0.259, 0.012), 16: (0.506, 0.012), 17: (0.753, 0.012),
}  # fmt: skip

T, TT = 0.333333, 0.666667  # thirds as rounded to 6 decimals
# §3 adaptive: per-N region lists (x, y, w, h), in join order.
GRID3 = [(0, 0), (T, 0), (TT, 0), (0, T), (T, T), (TT, T), (0, TT), (T, TT), (TT, TT)]
GRID4 = [(0.25 * c, 0.25 * r) for r in range(4) for c in range(4)]
ADAPTIVE_TABLE: dict[int, list[tuple[float, float, float, float]]] = {
    1: [(0, 0, 1, 1)],
    2: [(0, 0, 0.5, 1), (0.5, 0, 0.5, 1)],
    3: [(0, 0, 0.5, 0.5), (0.5, 0, 0.5, 0.5), (0, 0.5, 0.5, 0.5)],
    4: [(0, 0, 0.5, 0.5), (0.5, 0, 0.5, 0.5), (0, 0.5, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5)],
    **{n: [(x, y, T, T) for x, y in GRID3[:n]] for n in range(5, 10)},
    **{n: [(x, y, 0.25, 0.25) for x, y in GRID4[:n]] for n in range(10, 17)},
    17: [(0.1 + 0.2 * (i % 4), 0.2 * (i // 4), 0.2, 0.2) for i in range(16)]
    + [(0.4, 0.8, 0.2, 0.2)],
}  # fmt: skip

# §4 vertical: users (incl. large) -> (small w, small h, small slots per column, large w).
VERTICAL_TABLE = {
    **dict.fromkeys(range(1, 6), (0.2, 0.25, 4, 0.8)),
    **dict.fromkeys((6, 7), (0.142857, 0.166667, 6, 0.857143)),
    **dict.fromkeys((8, 9), (0.111111, 0.125, 8, 0.888889)),
    **dict.fromkeys(range(10, 18), (0.1, 0.125, 8, 0.8)),
}


def boxes(regions: list[ResolvedRegion]) -> list[tuple[str | None, float, float, float, float]]:
    return [(r.uid, r.x, r.y, r.width, r.height) for r in regions]


@pytest.mark.parametrize("n", range(1, 18))
def test_floating_matches_the_table(n: int) -> None:
    users = USERS[:n]
    expected = [(users[0], 0.0, 0.0, 1.0, 1.0)] + [
        (users[k - 1], *FLOATING_TABLE[k], 0.235, 0.235) for k in range(2, n + 1)
    ]
    regions = floating(users)
    assert boxes(regions) == expected
    assert all(r.fit == "crop" and r.alpha == 1.0 for r in regions)


def test_floating_draws_17_at_most() -> None:
    regions = floating(USERS[:20])
    assert len(regions) == 17
    assert all(r.x + r.width <= 1 and r.y + r.height <= 1 for r in regions)


@pytest.mark.parametrize("n", range(1, 18))
def test_adaptive_matches_the_table(n: int) -> None:
    users = USERS[:n]
    expected = [
        (u, *(round(v, 6) for v in box)) for u, box in zip(users, ADAPTIVE_TABLE[n], strict=True)
    ]
    regions = adaptive(users)
    assert boxes(regions) == expected
    assert [r.uid for r in regions] == users
    assert all(r.fit == "crop" for r in regions)


@pytest.mark.parametrize("n", range(1, 18))
def test_vertical_matches_the_table(n: int) -> None:
    users = USERS[:n]
    focus = users[0]
    small_w, small_h, rows, large_w = VERTICAL_TABLE[n]
    regions = vertical(users, focus)
    assert (regions[0].uid, regions[0].fit) == (focus, "fit")
    assert (regions[0].x, regions[0].y, regions[0].width, regions[0].height) == (
        0.0,
        0.0,
        large_w,
        1.0,
    )
    smalls = regions[1:]
    assert [r.uid for r in smalls] == users[1:]
    for k, region in enumerate(smalls):
        # 10..17 users: the figure labels the outer column (x = 0.9) 1-8, the inner (0.8) 9-16
        x = round(1 - small_w, 6) if k < rows else 0.8
        assert (region.x, region.y, region.width, region.height) == (
            x,
            round((k % rows) / rows, 6),
            small_w,
            small_h,
        )
        assert region.fit == "crop"


def test_vertical_focus_in_the_middle_of_the_join_order() -> None:
    regions = vertical(["1", "2", "3"], "2")
    assert boxes(regions) == [
        ("2", 0.0, 0.0, 0.8, 1.0),
        ("1", 0.8, 0.0, 0.2, 0.25),
        ("3", 0.8, 0.25, 0.2, 0.25),
    ]


def test_vertical_without_the_focus_user_leaves_the_large_area_empty() -> None:
    regions = vertical(["1", "2", "3", "4", "5"], "99")
    assert regions[0].uid is None and regions[0].fit == "fit"
    # 5 smalls need the 6-slot tier
    assert regions[0].width == pytest.approx(0.857143)
    assert [r.uid for r in regions[1:]] == ["1", "2", "3", "4", "5"]
    assert vertical([], None) == [ResolvedRegion(None, 0.0, 0.0, 0.8, 1.0, "fit")]


def test_vertical_17_without_focus_drops_the_17th() -> None:
    regions = vertical(USERS[:17], None)
    assert len(regions) == 17  # the empty large slot and 16 smalls
    assert USERS[16] not in [r.uid for r in regions]


def test_resolve_builtin_dispatches_by_int_and_enum() -> None:
    assert resolve_builtin(0, ["1", "2"]) == floating(["1", "2"])
    assert resolve_builtin(MixedVideoLayout.ADAPTIVE, ["1", "2"]) == adaptive(["1", "2"])
    assert resolve_builtin(2, ["1", "2"], "2") == vertical(["1", "2"], "2")
    with pytest.raises(ValueError, match="custom"):
        resolve_builtin(3, ["1"])
