"""The geometry of Agora's built-in composite modes for 1..17 users.

Agora computes these layouts itself; this module reproduces them from
`docs/agora.md` (its floating, adaptive or "best fit", and vertical sections), so that
`regions` and previews show where each user will be. Users are given in join order;
users past the 17th are not drawn. Where the sources disagree, the choice is a constant
below, easy to change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from layoutkit.geometry import Fit, ResolvedRegion, round6
from layoutkit.wire.rules import MAX_REGIONS, MixedVideoLayout, RenderMode, ToWire, layout_json

MAX_USERS = MAX_REGIONS

# Floating: small windows are 23.5% of the canvas on each axis with 1.2% gaps (the doc's
# reading; the on-prem demo scales heights by W/H, which cannot fit 4 rows on 16:9).
FLOATING_SMALL = 0.235
FLOATING_GAP = 0.012
FLOATING_COLUMNS = 4

# Vertical, 10..17 users: the official figure fills the outer (right) column first; the
# demo code fills the inner one first. Set to False to follow the demo.
VERTICAL_OUTER_COLUMN_FIRST = True

# Vertical tiers by the number of small users: (most smalls, small width, small height).
VERTICAL_TIERS: tuple[tuple[int, float, float], ...] = (
    (4, 1 / 5, 1 / 4),
    (6, 1 / 7, 1 / 6),
    (8, 1 / 9, 1 / 8),
    (16, 1 / 10, 1 / 8),
)


def _region(
    uid: str | None, x: float, y: float, w: float, h: float, fit: Fit = "crop"
) -> ResolvedRegion:
    return ResolvedRegion(uid, round6(x), round6(y), round6(w), round6(h), fit)


def floating(participants: Sequence[str]) -> list[ResolvedRegion]:
    """The first user fills the canvas; the others float on top in rows of four, from
    the bottom-left corner upwards."""
    users = list(participants)[:MAX_USERS]
    if not users:
        return []
    regions = [_region(users[0], 0.0, 0.0, 1.0, 1.0)]
    step = FLOATING_SMALL + FLOATING_GAP
    for k, uid in enumerate(users[1:]):
        col, row = k % FLOATING_COLUMNS, k // FLOATING_COLUMNS
        x = FLOATING_GAP + col * step
        y = 1.0 - (row + 1) * step
        regions.append(_region(uid, x, y, FLOATING_SMALL, FLOATING_SMALL))
    return regions


def adaptive(participants: Sequence[str]) -> list[ResolvedRegion]:
    """Equal cells in a grid that grows with the count (1, 2 halves, 2×2, 3×3, 4×4, and
    a 4×4 + 1 layout for 17); a partial last row is not re-centred."""
    users = list(participants)[:MAX_USERS]
    n = len(users)
    if n == 0:
        return []
    if n == 1:
        return [_region(users[0], 0.0, 0.0, 1.0, 1.0)]
    if n == 2:
        return [_region(users[0], 0.0, 0.0, 0.5, 1.0), _region(users[1], 0.5, 0.0, 0.5, 1.0)]
    if n == MAX_USERS:
        regions = [
            _region(uid, 0.1 + 0.2 * (i % 4), 0.2 * (i // 4), 0.2, 0.2)
            for i, uid in enumerate(users[:16])
        ]
        regions.append(_region(users[16], 0.4, 0.8, 0.2, 0.2))
        return regions
    side = 2 if n <= 4 else 3 if n <= 9 else 4
    cell = 1.0 / side
    return [
        _region(uid, (i % side) * cell, (i // side) * cell, cell, cell)
        for i, uid in enumerate(users)
    ]


def vertical(participants: Sequence[str], focus: str | None) -> list[ResolvedRegion]:
    """`focus` (maxResolutionUid) large on the left, fitted; the others in one or two
    columns on the right, top to bottom in join order, cropped. Without the focus user in
    the channel the large area is an empty slot (uid None) showing the background."""
    users = list(participants)
    large = focus if focus is not None and focus in users else None
    smalls = [u for u in users if u != large]
    limit = VERTICAL_TIERS[-1][0]
    smalls = smalls[: min(limit, MAX_USERS - (1 if large else 0))]
    count, small_w, small_h = next(t for t in VERTICAL_TIERS if len(smalls) <= t[0])
    rows = round(1 / small_h)
    columns = -(-count // rows)
    # the large region and the column(s) of smalls fill the width exactly
    regions = [_region(large, 0.0, 0.0, 1.0 - columns * small_w, 1.0, "fit")]
    for k, uid in enumerate(smalls):
        column = k // rows  # 0 = the first column filled
        if columns > 1:
            outer = column == 0 if VERTICAL_OUTER_COLUMN_FIRST else column == 1
            x = 1.0 - small_w if outer else 1.0 - 2 * small_w
        else:
            x = 1.0 - small_w
        regions.append(_region(uid, x, (k % rows) * small_h, small_w, small_h))
    return regions


def resolve_custom(
    config: Sequence[Mapping[str, Any]], participants: Sequence[str]
) -> list[ResolvedRegion]:
    """Who Agora shows where in a custom layout (undocumented; the most plausible reading
    of docs/agora.md#assumptions): a region with a uid shows that user, or nothing when the
    user is absent; the other users fill the uid-less regions in join order; users left
    over are not drawn. `config` is the `layoutConfig` as JSON (a region's `uid` absent,
    null or "" means none)."""
    present = set(participants)
    bound = {uid for entry in config if (uid := entry.get("uid"))}
    queue = [p for p in participants if p not in bound]
    regions: list[ResolvedRegion] = []
    for entry in config:
        shown: str | None
        uid = entry.get("uid") or None
        if uid is not None:
            shown = uid if uid in present else None
        else:
            shown = queue.pop(0) if queue else None
        alpha = entry.get("alpha")
        regions.append(
            ResolvedRegion(
                shown,
                float(entry["x_axis"]),
                float(entry["y_axis"]),
                float(entry["width"]),
                float(entry["height"]),
                "fit" if entry.get("render_mode") == RenderMode.FIT else "crop",
                1.0 if alpha is None else float(alpha),
            )
        )
    return regions


def resolve_builtin(
    mode: MixedVideoLayout | int, participants: Sequence[str], focus: str | None = None
) -> list[ResolvedRegion]:
    """The regions Agora draws in a built-in mode, in paint order."""
    kind = MixedVideoLayout(mode)
    if kind == MixedVideoLayout.FLOATING:
        return floating(participants)
    if kind == MixedVideoLayout.ADAPTIVE:
        return adaptive(participants)
    if kind == MixedVideoLayout.VERTICAL:
        return vertical(participants, focus)
    raise ValueError("mode 3 (custom) has no built-in geometry; its regions are the layoutConfig")


def resolve_payload(
    layout: Mapping[str, Any] | ToWire, participants: Sequence[str]
) -> list[ResolvedRegion]:
    """What Agora draws from a layout payload for the users in the channel (in join
    order): the one dispatch between the built-in modes and the custom layout, shared by
    the compiler, the previews and the emulator. `layout` is the payload as JSON (what the
    compiler builds) or a wire model (`UpdateLayoutClientRequest`, `TranscodingConfig`)."""
    payload = layout_json(layout)
    mode = MixedVideoLayout(payload.get("mixedVideoLayout") or 0)
    if mode == MixedVideoLayout.CUSTOM:
        return resolve_custom(payload.get("layoutConfig") or [], participants)
    return resolve_builtin(mode, participants, payload.get("maxResolutionUid"))


__all__ = [
    "FLOATING_GAP",
    "FLOATING_SMALL",
    "MAX_USERS",
    "VERTICAL_OUTER_COLUMN_FIRST",
    "VERTICAL_TIERS",
    "adaptive",
    "floating",
    "resolve_builtin",
    "resolve_custom",
    "resolve_payload",
    "vertical",
]
