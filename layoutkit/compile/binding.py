"""Who goes in which region: the participants bound to a layout's regions, explicitly.

Agora gives every `layoutConfig` region without a `uid` to the channel's users in the
order they joined, so a payload that leaves uids out shows whoever Agora thinks joined
first, hidden people included. When the participants are known, every region that shows
someone therefore names that person, and a region with nobody for it is left out (the
background shows there). A region marked `fill: agora` is sent without a uid because the
author asked for Agora's filling, except while someone is hidden: then it is bound like
the others, since Agora would give it to the hidden person.

Built-in modes (floating, adaptive, vertical) show every user in the channel; to leave
someone out, the same geometry is sent as a custom layout for the people shown.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from layoutkit.geometry import ResolvedRegion
from layoutkit.wire.layout import LayoutRegion
from layoutkit.wire.rules import RenderMode

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
        LayoutRegion(
            uid=region.uid,
            x_axis=region.x,
            y_axis=region.y,
            width=region.width,
            height=region.height,
            alpha=region.alpha,
            render_mode=RenderMode.FIT if region.fit == "fit" else RenderMode.CROP,
        )
        for region in regions
        if region.uid is not None
    ]


__all__ = ["EMPTY_PICTURE", "Binding", "as_custom", "bind_regions"]
