"""Layout + participants and roles -> Agora's payload, the regions Agora will draw, and
located issues (errors stop compilation; warnings are reported beside the result).

The payload is built once, as the wire models Agora's requests are checked by
(`Compilation.payload`, `transcoding`); the JSON sent is what they give
(`payload_json`, `transcoding_json`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from layoutkit.assets import Publisher
from layoutkit.compile.assets import finish_style
from layoutkit.compile.binding import EMPTY_PICTURE, as_custom, bind_regions
from layoutkit.compile.compilation import Compilation, InMemory, sorted_issues, strict_issue
from layoutkit.compile.lint import bitrate_for, lint_document, lint_regions
from layoutkit.compile.modes import resolve_builtin, resolve_payload
from layoutkit.compile.participants import (
    ALL_COUNTS,
    Names,
    check_hidden,
    check_names,
    check_roles,
    choose_participants,
    declared_counts,
    default_count,
)
from layoutkit.compile.place import DraftRegion, Expander
from layoutkit.compile.style import Insetter, Placed, StyledCell, Styler
from layoutkit.errors import Issue, LayoutValidationError
from layoutkit.geometry import ResolvedRegion, round6, round_span
from layoutkit.layout.loader import Layout, ParsedLayout
from layoutkit.layout.model import Entry, LayoutDocument, Variant
from layoutkit.layout.roles import no_variant_message, pick_variant
from layoutkit.layout.yaml import Path
from layoutkit.wire.layout import (
    BackgroundConfig,
    LayoutRegion,
    TranscodingConfig,
    UpdateLayoutClientRequest,
)
from layoutkit.wire.rules import (
    MAX_AREA_PX,
    MAX_REGIONS,
    MAX_SIDE_PX,
    MixedVideoLayout,
    RenderMode,
    check_uid,
)


def compile_layout(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    strict: bool = False,
    hidden: Collection[str | int] | None = None,
    names: Names | None = None,
    assets: Publisher | None = None,
) -> UpdateLayoutClientRequest:
    """The updateLayout `clientRequest` for these participants (uids in join order),
    leaving out the `hidden` ones."""
    return compile_full(
        layout,
        participants,
        roles,
        count=count,
        strict=strict,
        hidden=hidden,
        names=names,
        assets=assets,
    ).payload


def compile_start(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    strict: bool = False,
    hidden: Collection[str | int] | None = None,
    names: Names | None = None,
    assets: Publisher | None = None,
) -> TranscodingConfig:
    """The `transcodingConfig` of a start request (canvas, fps, bitrate and the layout)."""
    return compile_full(
        layout,
        participants,
        roles,
        count=count,
        strict=strict,
        hidden=hidden,
        names=names,
        assets=assets,
    ).transcoding


def resolve_regions(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    hidden: Collection[str | int] | None = None,
) -> list[ResolvedRegion]:
    """The rectangles Agora will draw for these participants, in paint order."""
    return compile_full(layout, participants, roles, count=count, hidden=hidden).regions


def compile_full(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    strict: bool = False,
    hidden: Collection[str | int] | None = None,
    names: Names | None = None,
    assets: Publisher | InMemory | None = None,
) -> Compilation:
    """Compile and keep everything: payload, start config, regions, warnings.

    `participants` are everyone in the channel in join order (without them, `count`
    made-up ones: see `choose_participants`); `hidden` are those of them to leave out of
    the picture. Every region that shows someone names that person's uid, so the
    recording does not depend on Agora's join-order filling.

    A styled layout (frames, labels, decor, cards) writes `names` (uid -> name) into its
    images; `assets` publishes them and puts their URLs in the payload (without it, the
    payload leaves them out, with a warning).

    Raises LayoutValidationError (a LayoutError) for problems in the file, CompileError
    for bad participants, roles or names, AssetError when publishing fails.
    """
    bound = check_roles(roles)
    people = choose_participants(layout, participants, bound, count)
    hide = check_hidden(hidden, people)
    given = check_names(names)
    shown = [p for p in people if p not in hide]
    parsed = layout.parse(shown, {r: u for r, u in bound.items() if u not in hide})
    compiler = _Compiler(layout, parsed, people, bound, strict, hide, participants is None, given)
    compiled = compiler.run()
    if compiled.style is None or compiler.styler is None:
        return compiled
    return finish_style(compiled, compiler.styler, assets, strict)


class _Compiler:
    def __init__(
        self,
        layout: Layout,
        parsed: ParsedLayout,
        people: tuple[str, ...],
        roles: dict[str, str],
        strict: bool,
        hidden: frozenset[str],
        placeholders: bool,
        names: dict[str, str],
    ) -> None:
        self.doc = parsed.document
        self.names = names
        self.layout = layout  # its variables and the files it may draw
        self.styler: Styler | None = None  # made for a styled layout (`_style`)
        self.placed: list[Placed] = []
        self.marks = parsed.marks
        self.people = people
        self.hidden = hidden
        self.shown = tuple(p for p in people if p not in hidden)
        self.roles = roles
        self.strict = strict
        self.placeholders = placeholders
        self.issues: list[Issue] = []
        self.not_shown: tuple[str, ...] = ()
        self.role_holders: dict[str, str] = {}
        self.cells: list[StyledCell | None] = []
        self._no_variant = False

    def error(self, path: Path, message: str) -> None:
        self.issues.append(self.marks.issue("error", path, message))

    def warn(self, path: Path, message: str) -> None:
        self.issues.append(self.marks.issue("warning", path, message))

    def run(self) -> Compilation:
        doc = self.doc
        self._check_canvas()
        self.issues.extend(lint_document(self.doc, self.marks))
        index, variant = self._pick_variant()
        base: Path = ("variants", index) if index is not None else ()
        mode = self._mode(variant)
        focus = variant.focus if variant and variant.focus is not None else doc.focus
        focus_path: Path = (*base, "focus") if variant and variant.focus is not None else ("focus",)
        background = variant.background if variant and variant.background else doc.background
        entries, entries_path = self._entries(variant, base, mode)
        drafts = self._drafts(mode, entries, entries_path, base)
        focus_uid = self._focus(focus, focus_path, mode)
        if doc.decor or doc.card or any(d.frame or d.label or d.card for d in drafts):
            self._style()
        layout_config, backgrounds = self._bind(drafts, entries_path)
        builtin: list[ResolvedRegion] = []
        if mode != MixedVideoLayout.CUSTOM:
            builtin = resolve_builtin(mode, self.shown, focus_uid)
            mode, layout_config = self._builtin(mode, builtin)
        style = None
        if self.styler is not None:
            style = self.styler.plan(background, self.placed, builtin)
            self.issues.extend(self.styler.issues)
        if style is not None and style.marks and doc.background_image is not None:
            self.error(
                ("background_image",),
                "the layout draws its own background (frames, labels or decor), and Agora "
                "takes one background image; put the picture in decor as a local image",
            )
        if self.strict:
            self.issues = [strict_issue(i) for i in self.issues]
        if any(i.severity == "error" for i in self.issues):
            raise LayoutValidationError(sorted_issues(self.issues))
        payload, transcoding = build_payload(
            self.doc, mode, background, layout_config, backgrounds, focus_uid
        )
        return Compilation(
            payload,
            transcoding,
            resolve_payload(payload, self.people),
            self.people,
            self.roles,
            doc,
            index,
            sorted_issues(self.issues),
            self.hidden,
            self.not_shown,
            self.placeholders,
            self.role_holders,
            self.names,
            style,
            tuple((p.uid, p.styled) for p in self.placed if p.sent and p.styled is not None),
        )

    def _style(self) -> None:
        """Make the Styler of a styled layout (frames, labels, cards, decor)."""
        layout = self.layout
        styler = Styler(self.doc, self.marks, self.names, self.roles, layout.vars)
        styler.files_root, styler.files_allowed = layout.files_root, layout.files_allowed
        self.styler = styler

    def _check_canvas(self) -> None:
        w, h = self.doc.canvas.width, self.doc.canvas.height
        if w > MAX_SIDE_PX or h > MAX_SIDE_PX or w * h > MAX_AREA_PX:
            self.error(
                ("canvas",),
                f"canvas {w}×{h} is above what Agora records: at most 1920 "
                "on a side and 1920×1080 pixels in area (e.g. 1280x720, 1080x1920)",
            )

    def _pick_variant(self) -> tuple[int | None, Variant | None]:
        variants = self.doc.variants
        if not variants:
            return None, None
        n = len(self.shown)
        present = {role for role, uid in self.roles.items() if uid in self.shown}
        index = pick_variant(variants, n, present)
        if index is not None:
            return index, variants[index]
        if self.doc.regions is None and self.doc.mode in (None, MixedVideoLayout.CUSTOM):
            self._no_variant = True
            self.error(("variants",), no_variant_message([n], present, variants))
        return None, None

    def _mode(self, variant: Variant | None) -> MixedVideoLayout:
        if variant is not None and variant.mode is not None:
            return variant.mode
        if variant is not None and variant.regions is not None:
            return MixedVideoLayout.CUSTOM
        return self.doc.effective_mode

    def _entries(
        self, variant: Variant | None, base: Path, mode: MixedVideoLayout
    ) -> tuple[list[Entry] | None, Path]:
        if variant is not None and variant.regions is not None:
            return list(variant.regions), (*base, "regions")
        if variant is not None and variant.mode not in (None, MixedVideoLayout.CUSTOM):
            return None, (*base, "regions")
        regions = self.doc.regions
        return (list(regions) if regions is not None else None), ("regions",)

    def _role_uid(self, role: str, path: Path, what: str) -> str | None:
        uid = self.roles.get(role)
        if uid is None and self.strict:
            self.error(
                path,
                f"role {role!r} is used but never bound; bind it with "
                f"--role {role}=UID (roles= in Python)",
            )
        elif uid is None and what == "focus":
            self.warn(
                path,
                f"focus role {role!r} is not bound, so the large region shows the "
                f"background; bind it with --role {role}=UID",
            )
        elif uid is not None and uid not in self.people:
            self.warn(
                path,
                f"role {role!r} is bound to uid {uid}, who is not among the participants "
                f"({', '.join(self.people) or 'none'}), so its region is left out; "
                "check the uid, or add it to the participants",
            )
        return uid

    def _focus(self, focus: str | None, path: Path, mode: MixedVideoLayout) -> str | None:
        if focus is None:
            return None
        if mode != MixedVideoLayout.VERTICAL:
            self.warn(path, f"focus only applies to mode vertical (this is {mode.name.lower()})")
            return None
        if focus.strip().isdigit():
            try:
                uid: str | None = check_uid(focus)
            except ValueError as exc:
                self.error(path, str(exc))
                return None
        else:
            uid = self._role_uid(focus, path, "focus")
        if uid is not None and uid in self.hidden:
            self.warn(
                path,
                f"the focus, uid {uid}, is hidden, so the large region shows the "
                "background; focus someone shown, or stop hiding them",
            )
        return uid

    def _drafts(
        self, mode: MixedVideoLayout, entries: list[Entry] | None, entries_path: Path, base: Path
    ) -> list[DraftRegion]:
        """The regions of a custom layout; an error for regions in a built-in mode, or
        for a custom one without them."""
        if mode != MixedVideoLayout.CUSTOM:
            if entries:
                self.error(
                    entries_path,
                    f"regions are only for mode custom, not {mode.name.lower()}; "
                    "remove them or set mode: custom",
                )
            return []
        if not entries:
            if not self._no_variant:
                where = entries_path if entries is not None else base
                self.error(where, "mode custom has no regions for this participant count")
            return []
        return self._expand(entries, entries_path)

    def _expand(self, entries: list[Entry], entries_path: Path) -> list[DraftRegion]:
        """The regions of a custom layout with grids expanded and frames or labels inset;
        an error if they come to none, or to more than Agora draws."""
        expander = Expander(self.doc.canvas, self.marks)
        drafts = expander.expand(entries, entries_path)
        self.issues.extend(expander.issues)
        if any(d.frame or d.label for d in drafts):
            insetter = Insetter(self.doc.canvas, self.marks)
            drafts, self.cells = insetter.inset(drafts)
            self.issues.extend(insetter.issues)
        if not drafts and not any(i.severity == "error" for i in expander.issues):
            self.error(
                entries_path,
                "the regions come to no region once grids are expanded (a grid "
                "with cells: 0?); mode custom needs at least one",
            )
        if len(drafts) > MAX_REGIONS:
            self.error(
                entries_path,
                f"{len(drafts)} regions after expanding grids; Agora draws at most {MAX_REGIONS}",
            )
        return drafts

    def _named(self, drafts: list[DraftRegion]) -> list[str | None]:
        """The uid each region names, by uid or by role; an error for a uid named twice."""
        named: list[str | None] = []
        first_at: dict[str, Path] = {}
        for draft in drafts:
            uid = draft.uid
            if draft.role is not None:
                uid = self._role_uid(draft.role, (*draft.path, _role_key(draft)), "region")
            if uid is not None:
                if uid in first_at:
                    self.error(draft.path, f"uid {uid} has two regions; each user gets one")
                first_at.setdefault(uid, draft.path)
            named.append(uid)
        return named

    def _bind(
        self, drafts: list[DraftRegion], entries_path: Path
    ) -> tuple[list[LayoutRegion], list[BackgroundConfig]]:
        """The layoutConfig of a custom layout, every region that shows someone naming
        that person (see `binding`), and the backgroundConfig of its placeholders."""
        if not drafts:
            return [], []
        named = self._named(drafts)
        boxes = [(*round_span(d.x, d.width), *round_span(d.y, d.height)) for d in drafts]
        drawable = [x < 1 and y < 1 and w > 0 and h > 0 for x, w, y, h in boxes]
        binding = bind_regions(
            named, [d.agora_fill for d in drafts], self.people, self.hidden, drawable=drawable
        )
        if binding.agora_replaced:
            where = next(d.path for d in drafts if d.agora_fill)
            self.warn(
                (*where, "fill"),
                f"while {_people(sorted(self.hidden & set(self.people), key=int))} "
                "is hidden, the fill: agora regions name their users, since Agora would "
                "give them to hidden people too",
            )
        self._note_not_shown(binding.not_shown, sum(drawable), entries_path)
        every: list[LayoutRegion] = []
        backgrounds: list[BackgroundConfig] = []
        cells = self.cells or [None] * len(drafts)
        for draft, uid, sent, (x, w, y, h), cell in zip(
            drafts, binding.uids, binding.sent, boxes, cells, strict=True
        ):
            if self.styler is not None:
                self.placed.append(Placed(draft, uid, sent, cell))
            if draft.role is not None and uid is not None and sent:
                self.role_holders.setdefault(draft.role, uid)
            render_mode = RenderMode.FIT if draft.fit == "fit" else RenderMode.CROP
            every.append(
                LayoutRegion(
                    uid=uid,
                    x_axis=_clamp(x),
                    y_axis=_clamp(y),
                    width=_clamp(w),
                    height=_clamp(h),
                    alpha=round6(draft.alpha),
                    render_mode=render_mode,
                )
            )
            if draft.placeholder is None:
                continue
            if uid is None and draft.agora_fill:
                self.warn(
                    (*draft.path, "placeholder"),
                    "a placeholder needs the region's user, but fill: agora leaves the "
                    "region to Agora; Agora sets placeholders per uid, so it is left out",
                )
            elif sent:
                backgrounds.append(
                    BackgroundConfig(uid=uid, image_url=draft.placeholder, render_mode=render_mode)
                )
        self.issues.extend(lint_regions(drafts, every, self.doc, self.marks))
        config = [entry for entry, sent in zip(every, binding.sent, strict=True) if sent]
        return config or [EMPTY_PICTURE], backgrounds

    def _builtin(
        self, mode: MixedVideoLayout, drawn: list[ResolvedRegion]
    ) -> tuple[MixedVideoLayout, list[LayoutRegion]]:
        """A built-in mode as it is, or, while someone is hidden, its geometry for the
        people shown sent as a custom layout (built-in modes show everyone)."""
        placed = {r.uid for r in drawn if r.uid is not None}
        missing = tuple(p for p in self.shown if p not in placed)
        self._note_not_shown(missing, len(placed), ("mode",))
        if not self.hidden:
            return mode, []
        return MixedVideoLayout.CUSTOM, as_custom(drawn) or [EMPTY_PICTURE]

    def _note_not_shown(self, missing: tuple[str, ...], slots: int, path: Path) -> None:
        self.not_shown = missing
        if not missing:
            return
        if self.placeholders:
            self.warn(
                path,
                f"more people than regions: people past the first {slots} to show are not "
                "shown; add regions, or a variant for larger counts",
            )
        else:
            self.warn(
                path,
                f"{len(self.shown)} people to show and room for {slots}: "
                f"{_people(missing)} not shown; add regions, or a variant for this count",
            )


def build_payload(
    doc: LayoutDocument,
    mode: MixedVideoLayout,
    background: str,
    config: list[LayoutRegion],
    backgrounds: list[BackgroundConfig],
    focus_uid: str | None,
) -> tuple[UpdateLayoutClientRequest, TranscodingConfig]:
    """The clientRequest and the transcodingConfig for a mode, the canvas colour, the
    layoutConfig (custom) and the backgroundConfig (placeholders)."""
    fields = {
        "mixed_video_layout": mode,
        "max_resolution_uid": focus_uid if mode == MixedVideoLayout.VERTICAL else None,
        "background_color": background,
        "background_image": doc.background_image,
        "default_user_background_image": doc.placeholder_image,
        "layout_config": config if mode == MixedVideoLayout.CUSTOM else None,
        "background_config": backgrounds or None,
    }
    canvas = doc.canvas
    transcoding = TranscodingConfig(
        **fields, width=canvas.width, height=canvas.height, fps=doc.fps, bitrate=bitrate_for(doc)
    )
    return UpdateLayoutClientRequest(**fields), transcoding


def _role_key(draft: DraftRegion) -> str:
    """Where a region's role was written: `role`, or a grid's `roles` list."""
    return "roles" if draft.path and draft.path[-1] == "grid" else "role"


def _people(uids: Sequence[str]) -> str:
    names = [f"uid {u}" for u in uids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


__all__ = [
    "ALL_COUNTS",
    "Compilation",
    "choose_participants",
    "compile_full",
    "compile_layout",
    "compile_start",
    "declared_counts",
    "default_count",
    "resolve_regions",
]
