"""Frames, name strips, decor and video-off cards: the video rectangles Agora is sent
(`Insetter`, before binding), the `StylePlan` of the images around and instead of the video
(`Styler`, after), and those images drawn, published and named in the payload."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any, TypeVar

from layoutkit.compile.place import DraftRegion, Step
from layoutkit.errors import Issue, LayoutValidationError, RenderError
from layoutkit.geometry import MIN_FONT_PX, Length, Rect, ResolvedRegion
from layoutkit.layout.loader import Layout
from layoutkit.layout.model import Canvas, CardSpec, DecorSpec, LabelSpec, LayoutDocument
from layoutkit.layout.templating import evaluate_expression
from layoutkit.layout.yaml import Path, SourceMap
from layoutkit.styleplan import (
    CardPlan,
    FillMark,
    FrameMark,
    ImageMark,
    Mark,
    PixelRect,
    StylePlan,
    TextMark,
)
from layoutkit.wire.layout import BackgroundConfig, LayoutFields
from layoutkit.wire.rules import RenderMode, WireJson

if TYPE_CHECKING:  # publishing and the images load them when a layout has any
    from layoutkit.assets import Asset, Publisher
    from layoutkit.compile.compiler import Compilation


TEXT_SHARE = 0.6
"""A label's text size when not given: this share of its strip's height."""
MIN_LEGIBLE_PX = 9
"""How far text shrinks to fit when `min_size` is not given (then it is cut)."""
_SIMPLE_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*")


@dataclass(frozen=True)
class StyledCell:
    """A region with a frame or a label: its cell (the region as written), the box the
    frame is drawn in, the video rectangle inside it, and the label's strip, in canvas
    pixels."""

    draft: DraftRegion
    cell: PixelRect
    framed: PixelRect
    video: PixelRect
    strip: PixelRect | None


def pixel_rect(rect: Rect, canvas: Canvas) -> PixelRect:
    """A rectangle in canvas fractions, in whole pixels (`Rect.to_pixels`, as the preview
    draws it), kept inside the canvas and at least 1×1."""
    cw, ch = canvas.width, canvas.height
    left, top, right, bottom = rect.to_pixels(cw, ch)
    left, top = min(max(left, 0), cw - 1), min(max(top, 0), ch - 1)
    right, bottom = min(max(right, left + 1), cw), min(max(bottom, top + 1), ch)
    return PixelRect(left, top, right - left, bottom - top)


def _on_canvas(rect: Rect) -> bool:
    """Whether Agora draws anything of a rectangle (in canvas fractions)."""
    return rect.width > 0 and rect.height > 0 and rect.x < 1 and rect.y < 1


def _px(length: Length, axis: int) -> int:
    return round(length.to_pixels(axis))


class Insetter(Step):
    """Step 1: the video rectangle of each region with a frame or a label."""

    def inset(
        self, drafts: Sequence[DraftRegion]
    ) -> tuple[list[DraftRegion], list[StyledCell | None]]:
        """The drafts with their video rectangles, and each one's styled cell (None for
        a region without a frame or a label)."""
        out: list[DraftRegion] = []
        cells: list[StyledCell | None] = []
        for draft in drafts:
            styled = self._cell(draft) if draft.frame or draft.label else None
            cells.append(styled)
            if styled is None:
                out.append(draft)
                continue
            v, cw, ch = styled.video, self.canvas.width, self.canvas.height
            out.append(
                replace(draft, x=v.x / cw, y=v.y / ch, width=v.width / cw, height=v.height / ch)
            )
        return out, cells

    def _cell(self, draft: DraftRegion) -> StyledCell | None:
        cw, ch = self.canvas.width, self.canvas.height
        if not _on_canvas(draft.rect):
            return None  # Agora draws nothing there; the compiler says so
        cell = pixel_rect(draft.rect, self.canvas)
        framed, strip = cell, None
        if draft.label is not None:
            height = _px(draft.label.height, ch)
            where = (*draft.path, "label", "height")
            if height < 1:
                self.error(where, f"the label strip comes to {height} px; make it at least 1px")
                return None
            if height >= cell.height:
                self.error(
                    where,
                    f"a {height} px label strip leaves no room for video in a region "
                    f"{cell.height} px tall; make the strip lower or the region taller",
                )
                return None
            rest = cell.height - height
            if draft.label.position == "below":
                framed = PixelRect(cell.x, cell.y, cell.width, rest)
                strip = PixelRect(cell.x, cell.y + rest, cell.width, height)
            else:
                strip = PixelRect(cell.x, cell.y, cell.width, height)
                framed = PixelRect(cell.x, cell.y + height, cell.width, rest)
        video = framed
        if draft.frame is not None:
            width = _px(draft.frame.width, cw)
            where = (*draft.path, "frame", "width")
            if width < 1:
                self.error(where, f"the frame comes to {width} px wide; make it at least 1px")
                return None
            side = min(framed.width, framed.height)
            if 2 * width >= side:
                self.error(
                    where,
                    f"a frame {width} px wide does not fit around video in a "
                    f"{framed.width}×{framed.height} px box: it must be under half its "
                    f"smaller side ({side} px); make the frame thinner or the region larger",
                )
                return None
            video = PixelRect(
                framed.x + width,
                framed.y + width,
                framed.width - 2 * width,
                framed.height - 2 * width,
            )
        return StyledCell(draft, cell, framed, video, strip)


@dataclass(frozen=True)
class Placed:
    """A region as sent: its draft (with the video rectangle), the user it shows (None:
    nobody, or Agora's filling), whether it is in the payload, and its styled cell."""

    draft: DraftRegion
    uid: str | None
    sent: bool
    styled: StyledCell | None


class Styler(Step):
    """Step 2: the StylePlan for the people placed. `names`: uid -> name; `roles`: role
    -> uid (bound roles); `layout`: its template variables and the files it may name."""

    def __init__(
        self,
        doc: LayoutDocument,
        marks: SourceMap,
        names: Mapping[str, str],
        roles: Mapping[str, str],
        layout: Layout,
    ) -> None:
        super().__init__(doc.canvas, marks)
        self.doc, self.names, self.layout = doc, names, layout
        self.roles_of: dict[str, list[str]] = {}
        for role, uid in roles.items():
            self.roles_of.setdefault(uid, []).append(role)
        self.places: dict[str, Path] = {}  # `where` of a mark -> its layout path
        self.first_path: Path = ()  # the first style value, where notes about all go
        self.decor_items: list[tuple[Path, PixelRect, str]] = []  # images and texts drawn

    def error(self, path: Path, message: str) -> None:
        issue = self.marks.issue("error", path, message)
        if issue not in self.issues:  # one card's problem, once for all its people
            self.issues.append(issue)

    def where(self, path: Path) -> str:
        """The place of a layout value as `file:line:column` (what render messages lead
        with), remembered so render messages can be located again (`locate`)."""
        mark = self.marks.find(path)
        text = f"{mark.source}:{mark.line}:{mark.column}" if mark else "<layout>"
        self.places.setdefault(text, path)
        return text

    def local_path(self, value: str, path: Path) -> str:
        """A file named in the layout, relative to the file that names it; an error when
        the layout may name no files, or none outside its folder (`Layout.files_root`)."""
        file = FilePath(value).expanduser()
        mark = self.marks.find(path)
        if not file.is_absolute() and mark is not None and FilePath(mark.source).is_file():
            file = FilePath(mark.source).parent / file
        if not self.layout.files_allowed:
            self.error(
                path,
                "this layout was given as text and may name no local files; put it and its "
                "files in the service's layouts folder and name it as a file",
            )
        elif self.layout.files_root is not None:
            root = self.layout.files_root.resolve()
            if not file.resolve().is_relative_to(root):
                self.error(path, f"{value!r} is outside the layouts folder; keep files in it")
        return str(file)

    def plan(
        self,
        background: str,
        placed: Sequence[Placed],
        builtin: Sequence[ResolvedRegion] = (),
    ) -> StylePlan | None:
        """The plan for a custom layout's `placed` regions, or a built-in mode's `builtin`
        regions (only the layout's decor and card apply to those). None when the layout
        draws nothing around or instead of the video."""
        doc = self.doc
        canvas = doc.canvas
        marks: list[Mark] = []
        for index, item in enumerate(doc.decor or []):
            mark = self._decor(item, ("decor", index))
            if mark is not None:
                marks.append(mark)
        cards: list[CardPlan] = []
        for number, place in enumerate(placed, 1):
            if not place.sent:
                continue
            draft, uid = place.draft, place.uid
            if place.styled is not None:
                marks.extend(self._cell_marks(place.styled, uid, number))
            spec, spec_path = self._card_spec(draft)
            if uid is None or spec is None:
                continue
            if draft.placeholder is not None:
                if draft.card is not None:
                    self.error(
                        (*draft.path, "card"),
                        "give placeholder (an image URL) or card, not both: each person "
                        "has one video-off picture",
                    )
                continue
            video = pixel_rect(draft.rect, canvas)
            cards.append(self._card(spec, spec_path, uid, draft.role, number, video))
        cards.extend(self._builtin_cards(builtin))
        if not marks and not cards:
            return None
        self.first_path = _first_style(doc, placed)
        font = None if doc.font is None else self.local_path(doc.font, ("font",))
        font_where = "" if doc.font is None else self.where(("font",))
        return StylePlan(
            canvas.width,
            canvas.height,
            background,
            tuple(marks),
            tuple(cards),
            font=font,
            font_where=font_where,
        )

    def _builtin_cards(self, builtin: Sequence[ResolvedRegion]) -> list[CardPlan]:
        """The layout's card for each person a built-in mode's regions show."""
        card = self.doc.card
        if card is None:
            return []
        cards: list[CardPlan] = []
        for number, region in enumerate(builtin, 1):
            if region.uid is None or not _on_canvas(region.rect):
                continue
            box = pixel_rect(region.rect, self.doc.canvas)
            cards.append(self._card(card, ("card",), region.uid, None, number, box))
        return cards

    def _card_spec(self, draft: DraftRegion) -> tuple[CardSpec | None, Path]:
        if draft.card is not None:
            return draft.card, (*draft.path, "card")
        return self.doc.card, ("card",)

    def role_of(self, uid: str, role: str | None) -> str | None:
        """The region's role, else the first role bound to the person."""
        return role or next(iter(self.roles_of.get(uid, [])), None)

    def name_of(self, uid: str, role: str | None) -> str:
        given = self.names.get(uid)
        if given:
            return given
        role = self.role_of(uid, role)
        if role:
            return role.replace("-", " ").replace("_", " ").capitalize()
        return f"User {uid}"

    def text(
        self, expression: str, path: Path, uid: str | None, role: str | None, index: int
    ) -> str:
        """The text of a label or card for this person (nothing for an empty region)."""
        if uid is None:
            return ""
        role = self.role_of(uid, role)
        names: dict[str, Any] = dict(self.layout.vars)
        names.update(
            name=self.name_of(uid, role),
            role=role or "",
            uid=uid,
            index=index,
        )
        simple = _SIMPLE_NAME.fullmatch(expression)
        if simple and simple.group(1) in names:
            return str(names[simple.group(1)])
        try:
            return evaluate_expression(expression, names)
        except ValueError as exc:
            self.error(path, str(exc))
            return ""

    def _cell_marks(self, styled: StyledCell, uid: str | None, number: int) -> list[Mark]:
        draft = styled.draft
        out: list[Mark] = []
        frame = draft.frame
        if frame is not None:
            width = (styled.framed.width - styled.video.width) // 2
            out.append(FrameMark(styled.framed, width, frame.color))
        label = draft.label
        if label is not None and styled.strip is not None:
            path = (*draft.path, "label", "text")
            text = self.text(label.text, path, uid, draft.role, number)
            if text or label.background is not None:
                out.append(self._text_mark(label, styled.strip, text, path))
        return out

    def _text_mark(
        self, spec: LabelSpec | DecorSpec, rect: PixelRect, text: str, path: Path
    ) -> TextMark:
        size = spec.size or max(MIN_FONT_PX, round(rect.height * TEXT_SHARE))
        low = spec.min_size or max(MIN_LEGIBLE_PX, size // 2)
        low = min(low, size)
        return TextMark(
            rect, text, size, low, spec.color, spec.background, spec.align, self.where(path)
        )

    def _decor(self, item: DecorSpec, path: Path) -> Mark | None:
        given = [k for k in ("image", "text", "fill") if getattr(item, k) is not None]
        if len(given) != 1:
            what = " and ".join(given) if given else "none of image, text and fill"
            self.error(
                path, f"a decor item is one thing: give image, text or fill (this has {what})"
            )
            return None
        rect = self._decor_rect(item, path)
        if rect is None:
            return None
        if item.image is not None:
            where = (*path, "image")
            file = self.local_path(item.image, where)
            self.decor_items.append((path, rect, f"the image {item.image}"))
            return ImageMark(rect, file, item.fit, self.where(where))
        if item.fill is not None:
            return FillMark(rect, item.fill)
        self.decor_items.append((path, rect, f"the text {item.text!r}"))
        return self._text_mark(item, rect, item.text or "", (*path, "text"))

    def covered(self, regions: Sequence[ResolvedRegion]) -> list[Issue]:
        """Warnings for decor images and texts the video covers (opaque regions that
        show someone are painted over the background, and so over them)."""
        canvas = self.doc.canvas
        issues = []
        for path, rect, what in self.decor_items:
            for number, region in enumerate(regions, 1):
                if region.uid is None or region.alpha < 1 or not _on_canvas(region.rect):
                    continue
                box = pixel_rect(region.rect, canvas)
                if rect.overlaps(box):
                    issues.append(
                        self.marks.issue(
                            "warning",
                            path,
                            f"{what} lies under the video of uid {region.uid} (region "
                            f"{number}), which hides what it covers; move it where no video "
                            "is",
                        )
                    )
                    break
        return issues

    def _decor_rect(self, item: DecorSpec, path: Path) -> PixelRect | None:
        cw, ch = self.doc.canvas.width, self.doc.canvas.height
        ok = True
        spans: list[tuple[int, int]] = []
        for start, end, size, axis, names in (
            (item.x, item.right, item.width, cw, ("x", "right", "width")),
            (item.y, item.bottom, item.height, ch, ("y", "bottom", "height")),
        ):
            if start is not None and end is not None:
                self.error((*path, names[1]), f"give {names[0]} or {names[1]}, not both")
                ok = False
                continue
            length = _px(size, axis)
            first = _px(start, axis) if start is not None else None
            if end is not None:
                first = axis - _px(end, axis) - length
            first = first or 0
            if length < 1 or first < 0 or first + length > axis:
                self.error(
                    (*path, names[2] if length < 1 else (names[1] if end else names[0])),
                    f"the item's {names[2]} {length} px at {first} px does not fit the "
                    f"canvas's {axis} px; keep decor inside the canvas",
                )
                ok = False
                continue
            spans.append((first, length))
        if not ok:
            return None
        (x, w), (y, h) = spans
        return PixelRect(x, y, w, h)

    def _card(
        self, spec: CardSpec, path: Path, uid: str, role: str | None, number: int, box: PixelRect
    ) -> CardPlan:
        text = self.text(spec.text, (*path, "text"), uid, role, number)
        image = None
        where = self.where(path)
        if spec.image is not None:
            image = self.local_path(spec.image, (*path, "image"))
            where = self.where((*path, "image"))
        return CardPlan(
            uid,
            box.width,
            box.height,
            spec.color,
            text,
            initials(self.name_of(uid, role)),  # the person's, whatever the text says
            spec.text_color,
            image,
            where,
        )

    def locate(self, warning: str, severity: str = "warning") -> Issue:
        """A render message led by a mark's `where`, as an issue located at its value."""
        for where, path in sorted(self.places.items(), key=lambda item: -len(item[0])):
            if warning.startswith(where + ": "):
                return self.marks.issue(severity, path, warning[len(where) + 2 :])  # type: ignore[arg-type]
        return self.marks.issue(severity, (), warning)  # type: ignore[arg-type]


def _first_style(doc: LayoutDocument, placed: Sequence[Placed]) -> Path:
    if doc.decor:
        return ("decor",)
    for place in placed:
        for key in ("frame", "label", "card"):
            if getattr(place.draft, key) is not None:
                return (*place.draft.path, key)
    return ("card",) if doc.card is not None else ()


def initials(name: str) -> str:
    """`Ada Lovelace` -> `AL`, `Host` -> `H`, `User 12` -> `U1`: the first characters of
    the first and last words that start with a letter or a digit."""
    words = [w for w in name.split() if w[:1].isalnum()]
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()


_Payload = TypeVar("_Payload", bound=LayoutFields)

PREVIEW_URL = "layoutkit-preview:"
"""What a preview calls an image that is not published (never sent anywhere)."""
NOT_PUBLISHED = (
    "this layout draws {what} into images Agora downloads, and nothing publishes them, so "
    "the payload leaves them out and the recording would not show them; give "
    "--assets-dir DIR --assets-url https://... (or --assets-command), assets= in Python"
)


def render_assets(plan: StylePlan, styler: Styler) -> tuple[tuple[Asset, ...], list[Issue]]:
    """The plan's images as assets (the background when anything is drawn on it, then
    a card per person), and the render's warnings located at their layout values.
    A missing or unreadable logo, card image or font is a located LayoutValidationError."""
    # the drawing (Pillow) and the assets are loaded only for a layout that has images to
    # draw: a plain layout's compile never needs them (start-up, benchmarks/startup.py)
    from layoutkit.assets import Asset
    from layoutkit.render.style import render_style

    try:
        images = render_style(plan)
    except RenderError as exc:
        text = f"{exc.source}: {exc.message}" if exc.source else exc.message
        if exc.hint:
            text += f" ({exc.hint})"
        raise LayoutValidationError([styler.locate(text, "error")]) from None
    issues = [styler.locate(warning) for warning in images.warnings]
    background = [Asset(images.background, kind="background")] if plan.marks else []
    cards = [Asset(images.cards[c.uid], kind="card", uid=c.uid) for c in plan.cards]
    return (*background, *cards), issues


def not_published(plan: StylePlan, styler: Styler) -> Issue:
    """The warning of a styled compilation given no publisher, at its first style value."""
    parts = [("the canvas background (frames, labels, decor)", plan.marks)]
    what = " and ".join(text for text, there in [*parts, ("video-off cards", plan.cards)] if there)
    return styler.marks.issue("warning", styler.first_path, NOT_PUBLISHED.format(what=what))


def with_urls(payload: _Payload, assets: Sequence[Asset], urls: Mapping[str, str]) -> _Payload:
    """`payload` (a clientRequest or a transcodingConfig) naming the assets' URLs:
    the background as `backgroundImage`, each card in `backgroundConfig`. The URLs are
    taken as given: a publisher's (checked by `assets.publish_all`) or a preview's own
    names (`PREVIEW_URL`), never sent."""
    update: dict[str, Any] = {}
    cards: list[BackgroundConfig] = []
    for asset in assets:
        url = urls[asset.name]
        if asset.kind == "background":
            update["background_image"] = url
        elif asset.uid is not None:  # a card, the person's
            cards.append(
                BackgroundConfig.model_construct(
                    uid=asset.uid, image_url=url, render_mode=RenderMode.CROP
                )
            )
    if cards:
        update["background_config"] = [*(payload.background_config or []), *cards]
    return payload.model_copy(update=update)


def publish(compiled: Compilation, publisher: Publisher) -> Compilation:
    """`compiled` with its assets published and their URLs in the payload (AssetError,
    and nothing named, when one cannot be published)."""
    from layoutkit.assets import publish_all

    urls = publish_all(publisher, compiled.assets)
    return replace(
        compiled,
        payload=with_urls(compiled.payload, compiled.assets, urls),
        transcoding=with_urls(compiled.transcoding, compiled.assets, urls),
        urls=urls,
    )


def preview_payload(compiled: Compilation) -> tuple[WireJson, dict[str, bytes]]:
    """The payload as Agora will have it once the assets are published, and each image
    URL's bytes, for drawing it."""
    if not compiled.assets:
        return compiled.payload_json, {}
    if compiled.urls:
        return compiled.payload_json, {compiled.urls[a.name]: a.data for a in compiled.assets}
    urls = {asset.name: PREVIEW_URL + asset.name for asset in compiled.assets}
    payload = with_urls(compiled.payload, compiled.assets, urls).to_wire()
    return payload, {urls[asset.name]: asset.data for asset in compiled.assets}
