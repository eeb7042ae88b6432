"""Who Agora shows where. Agora gives every region without a `uid` to the channel's users in
join order, hidden people included, so when the participants are known every region names
its user (`bind_regions`); built-in modes show everyone, so to hide someone their geometry
is sent as a custom layout (`as_custom`). The built-in modes' geometry reproduces
`docs/agora.md`; where sources disagree the choice is a constant below."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from layoutkit.geometry import Fit, ResolvedRegion, round6
from layoutkit.wire.layout import LayoutRegion
from layoutkit.wire.rules import MAX_REGIONS, MixedVideoLayout, RenderMode, ToWire, layout_json

EMPTY_PICTURE = LayoutRegion(
    x_axis=0.0, y_axis=0.0, width=0.0, height=0.0, alpha=1.0, render_mode=RenderMode.CROP
)
"""What a custom layout sends when nobody is to be shown: Agora needs at least one region
in mode 3, and a region of zero size draws nothing whoever Agora puts in it."""


@dataclass(frozen=True)
class Binding:
    """The outcome of binding people to regions, one entry per region in paint order."""

    uids: tuple[str | None, ...]  # the uid sent, or None for a region left to Agora
    sent: tuple[bool, ...]  # False: nobody for this region, left out of layoutConfig
    not_shown: tuple[str, ...]  # people to show for whom no region was left
    agora_replaced: bool  # `fill: agora` regions were bound because someone is hidden


def bind_regions(
    named: Sequence[str | None],
    agora_fill: Sequence[bool],
    people: Sequence[str],
    hidden: Collection[str] = (),
    *,
    drawable: Sequence[bool] | None = None,
) -> Binding:
    """Bind `people` (everyone in the channel, in join order) to regions.

    `named[i]` is the uid the layout gives region i (its `uid`, or the uid its role is
    bound to), None when it names nobody. Named regions show their user when that user is
    present and not hidden, and are left out otherwise. The other regions take the people
    still unplaced, in join order; `fill: agora` regions are left to Agora, which fills
    them the same way, unless someone is hidden. A region that is not `drawable` (no
    area on the canvas) takes nobody and is left out; the user it names is not shown.
    """
    present = set(people)
    visible = [p for p in people if p not in hidden]
    named_uids = {uid for uid in named if uid is not None}
    free = deque(p for p in visible if p not in named_uids)
    replace_agora = bool(set(hidden) & present) and any(agora_fill)
    uids: list[str | None] = []
    sent: list[bool] = []
    left_to_agora = 0
    lost: list[str] = []  # named in a region Agora draws nothing of
    shown = set(visible)
    for uid, agora, area in zip(named, agora_fill, drawable or [True] * len(named), strict=True):
        if not area:
            uids.append(uid)
            sent.append(False)
            if uid is not None and uid in shown:
                lost.append(uid)
        elif uid is not None:
            uids.append(uid)
            sent.append(uid in present and uid not in hidden)
        elif agora and not replace_agora:
            uids.append(None)
            sent.append(True)
            left_to_agora += 1
        else:
            person = free.popleft() if free else None
            uids.append(person)
            sent.append(person is not None)
    order = {uid: i for i, uid in enumerate(people)}
    not_shown = tuple(sorted([*lost, *list(free)[left_to_agora:]], key=order.__getitem__))
    return Binding(tuple(uids), tuple(sent), not_shown, replace_agora)


def as_custom(regions: Sequence[ResolvedRegion]) -> list[LayoutRegion]:
    """A built-in mode's picture as an explicit custom layoutConfig: the regions that
    show someone, in paint order, each naming its user."""
    return [
        wire_region(r.uid, r.x, r.y, r.width, r.height, r.alpha, r.fit)
        for r in regions
        if r.uid is not None
    ]


def wire_region(
    uid: str | None, x: float, y: float, width: float, height: float, alpha: float, fit: Fit
) -> LayoutRegion:
    """A `layoutConfig` region (rounded already)."""
    render_mode = RenderMode.FIT if fit == "fit" else RenderMode.CROP
    return LayoutRegion(
        uid=uid,
        x_axis=x,
        y_axis=y,
        width=width,
        height=height,
        alpha=alpha,
        render_mode=render_mode,
    )


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
