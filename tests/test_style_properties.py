"""Properties of styled layouts: for the styled presets at every count, and for random
grids with random frames and labels, each region's video rectangle lies inside its cell,
never overlaps its own label strip, is what the payload sends, and the frame's band is
exactly the space between the video and the frame's box."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from layoutkit import parse_layout
from layoutkit.compile.compiler import Compilation, InMemory, compile_full
from layoutkit.compile.style import StyledCell
from layoutkit.library import presets
from layoutkit.render.compose import pixel_box
from layoutkit.styleplan import FrameMark, PixelRect, TextMark

STYLED = [name for name in presets.names() if "styled" in presets.info(name).tags]


def inside(inner: PixelRect, outer: PixelRect) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.right <= outer.right
        and inner.bottom <= outer.bottom
    )


def overlap(a: PixelRect, b: PixelRect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def check(compiled: Compilation) -> int:
    """Assert the properties of every framed or labelled region; how many there were."""
    width, height = compiled.canvas
    sent = {r.uid: pixel_box(r, width, height) for r in compiled.regions if r.uid is not None}
    plan = compiled.style
    frames = [m for m in plan.marks if isinstance(m, FrameMark)] if plan else []
    strips = [m.rect for m in plan.marks if isinstance(m, TextMark)] if plan else []
    cell: StyledCell
    for uid, cell in compiled.cells:
        video = cell.video
        assert inside(video, cell.cell) and inside(video, cell.framed)
        if cell.strip is not None:
            assert inside(cell.strip, cell.cell)
            assert not overlap(video, cell.strip)
            assert cell.strip.height + cell.framed.height == cell.cell.height
        if uid is not None:
            assert sent[uid] == video.box()  # Agora is sent exactly the video rectangle
        if cell.draft.frame is not None:
            band = video.x - cell.framed.x
            assert band >= 1
            assert (cell.framed.right - video.right, cell.framed.bottom - video.bottom) == (
                band,
                band,
            )
            assert video.y - cell.framed.y == band
            if uid is not None:
                assert any(f.rect == cell.framed and f.width == band for f in frames)
        if cell.strip is not None and uid is not None and cell.draft.label is not None:
            assert cell.strip in strips or cell.draft.label.background is None
    return len(compiled.cells)


def test_there_are_three_styled_presets() -> None:
    assert set(STYLED) >= {"talk-show", "framed-panel", "classroom-cards"}


def test_styled_presets_at_every_count_keep_the_video_inside_its_cell_and_off_its_label() -> None:
    checked = 0
    for name in STYLED:
        layout = presets.load(name)
        for count in presets.info(name).counts:
            compiled = compile_full(layout, count=count, assets=InMemory())
            assert compiled.style is not None, (name, count)
            checked += check(compiled)
    assert checked > 60


@settings(max_examples=60, deadline=None)
@given(
    canvas=st.sampled_from(["640x360", "1280x720", "1920x1080", "720x1280"]),
    rows=st.integers(1, 4),
    columns=st.integers(1, 4),
    gap=st.integers(0, 24),
    frame=st.one_of(st.none(), st.integers(1, 12)),
    label=st.one_of(st.none(), st.integers(8, 60)),
    above=st.booleans(),
    people=st.integers(1, 16),
)
def test_random_styled_grids_keep_the_properties(
    canvas: str,
    rows: int,
    columns: int,
    gap: int,
    frame: int | None,
    label: int | None,
    above: bool,
    people: int,
) -> None:
    style = ""
    if frame is not None:
        style += f', frame: {{width: {frame}px, color: "#FFCC00"}}'
    if label is not None:
        position = "above" if above else "below"
        style += f", label: {{height: {label}px, position: {position}}}"
    text = (
        f"canvas: {canvas}\nregions:\n  - grid: {{rows: {rows}, columns: {columns}, "
        f"gap: {gap}px, padding: {gap}px{style}}}\n"
    )
    uids = [str(100 + i) for i in range(people)]
    try:
        compiled = compile_full(parse_layout(text), uids, assets=InMemory())
    except Exception as exc:  # a frame or strip too large for tiny cells: a located error
        assert "does not fit" in str(exc) or "no room for video" in str(exc), str(exc)
        return
    check(compiled)
    if frame is not None or label is not None:
        assert len(compiled.cells) == min(people, rows * columns)
