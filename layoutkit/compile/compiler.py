"""Compiling a layout for one participant set: the participants (given in join order, or made
up from a count), roles, hidden people and names checked; the regions placed and bound; the
payload built once as the wire models; a `Compilation` with the regions Agora will draw and
located issues (errors raise, warnings are kept)."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from layoutkit.compile.modes import (
    EMPTY_PICTURE,
    as_custom,
    bind_regions,
    resolve_builtin,
    resolve_payload,
    wire_region,
)
from layoutkit.compile.place import (
    DraftRegion,
    Expander,
    Step,
    bitrate_for,
    lint_regions,
    lint_settings,
)
from layoutkit.compile.style import (
    Insetter,
    Placed,
    StyledCell,
    Styler,
    not_published,
    publish,
    render_assets,
)
from layoutkit.errors import CompileError, Issue, LayoutValidationError
from layoutkit.geometry import ResolvedRegion, round6, round_span
from layoutkit.layout.loader import Layout, ParsedLayout
from layoutkit.layout.model import Entry, GridEntry, LayoutDocument, Variant
from layoutkit.layout.roles import no_variant_message, pick_variant
from layoutkit.layout.templating import merge_repeats
from layoutkit.layout.yaml import Path
from layoutkit.styleplan import StylePlan
from layoutkit.wire.layout import (
    BackgroundConfig,
    LayoutRegion,
    TranscodingConfig,
    UpdateLayoutClientRequest,
)
from layoutkit.wire.rules import MAX_REGIONS, MixedVideoLayout, WireJson, check_uid

if TYPE_CHECKING:  # the images of a styled layout load them when it has any
    from layoutkit.assets import Asset, Publisher

ALL_COUNTS = tuple(range(1, MAX_REGIONS + 1))
DEFAULT_COUNT = 4
MAX_COUNT = 64


def declared_counts(document: LayoutDocument) -> tuple[int, ...]:
    """The counts a layout says it is made for (within 1..17), else 1..17."""
    if document.counts is None:
        return ALL_COUNTS
    return tuple(n for n in ALL_COUNTS if n in document.counts)


def choose_participants(
    layout: Layout,
    participants: Sequence[str | int] | None,
    roles: Mapping[str, str],
    count: int | None,
) -> tuple[str, ...]:
    """The participants in join order: as given, or `count` of them made up from the uids
    the layout and the roles name, then 1, 2, 3, ... (the format's `--count` rule)."""
    if participants is not None:
        uids = tuple(_uid_arg(p, "participants") for p in participants)
        dupes = sorted({u for u in uids if uids.count(u) > 1})
        if dupes:
            raise CompileError(f"participants: uid {dupes[0]} is listed twice")
        return uids
    if count is None:
        count = default_count(layout.document)
    if not 0 <= count <= MAX_COUNT:
        raise CompileError(f"count {count} is outside 0..{MAX_COUNT}")
    named = list(dict.fromkeys([*roles.values(), *_named_uids(layout.document)]))[:count]
    return (*named, *itertools.islice(_fresh_uids(named), count - len(named)))


def default_count(document: LayoutDocument) -> int:
    """The region count of a custom layout without variants, else 4; moved into the
    layout's declared `counts` when it falls outside them."""
    count = DEFAULT_COUNT
    if document.variants is None and document.effective_mode == MixedVideoLayout.CUSTOM:
        total = 0
        for entry in document.regions or []:
            if isinstance(entry, GridEntry):
                g = entry.grid
                total += g.rows * g.columns if g.cells is None else g.cells
            else:
                total += 1
        count = max(1, min(total, MAX_REGIONS))
    declared = document.counts
    if declared is not None and count not in declared:
        high = declared.high if declared.high is not None else MAX_REGIONS
        count = max(declared.low, 1) if count < declared.low else min(high, MAX_REGIONS)
    return count


def stand_in_uids(
    document: LayoutDocument, roles: Sequence[str], taken: Collection[str] = ()
) -> dict[str, str]:
    """Made-up uids for `roles` (1, 2, 3, ... skipping the uids the layout names and
    `taken`), for checking a layout with those roles bound: bound roles' uids go first
    among made-up participants (`choose_participants`), so with at least as many people
    as roles, everyone bound is there."""
    return dict(zip(roles, _fresh_uids({*_named_uids(document), *taken}), strict=False))


def _fresh_uids(taken: Collection[str]) -> Iterator[str]:
    """1, 2, 3, ... skipping the uids `taken`."""
    return (str(n) for n in itertools.count(1) if str(n) not in taken)


def _named_uids(document: LayoutDocument) -> list[str]:
    uids: list[str] = []
    for entries in [document.regions or [], *[v.regions or [] for v in document.variants or []]]:
        for entry in entries:
            if isinstance(entry, GridEntry):
                uids.extend(entry.grid.uids or [])
            elif entry.uid is not None:
                uids.append(entry.uid)
    return uids


def _uid_arg(value: object, what: str) -> str:
    try:
        return check_uid(value)
    except ValueError as exc:
        raise CompileError(f"{what}: {exc}") from None


def check_roles(roles: Mapping[str, str | int] | None) -> dict[str, str]:
    return {str(k): _uid_arg(v, f"role {k}") for k, v in (roles or {}).items()}


def check_hidden(hidden: Collection[str | int] | None, people: Sequence[str]) -> frozenset[str]:
    uids = frozenset(_uid_arg(h, "hidden") for h in hidden or ())
    strangers = sorted(uids - set(people), key=int)
    if strangers:
        raise CompileError(
            f"hidden: uid {strangers[0]} is not among the participants "
            f"({', '.join(people) or 'none'}); hide only people in the channel"
        )
    return uids


MAX_NAME_CHARS = 100
Names = Mapping[str, str] | Mapping[int, str] | Mapping[str | int, str]
"""uid -> the name to show for them (uids as text or as numbers)."""


def check_name(uid: str | int, name: object) -> tuple[str, str]:
    """A uid and the name to show for it (`--name UID=NAME`, `names=`), checked: the uid
    as in a layout, the name text of 1 to MAX_NAME_CHARS characters on one line."""
    key = _uid_arg(uid, "names")
    if not isinstance(name, str):
        raise CompileError(f"names: the name of uid {key} is text, not {type(name).__name__}")
    text = name.strip()
    if not text:
        raise CompileError(f"names: the name of uid {key} is empty; give a name, or leave it out")
    if len(text) > MAX_NAME_CHARS:
        raise CompileError(
            f"names: the name of uid {key} has {len(text)} characters; at most {MAX_NAME_CHARS}"
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        raise CompileError(
            f"names: the name of uid {key} has control characters or line breaks; "
            "give it on one line"
        )
    return key, text


def check_names(names: Names | None) -> dict[str, str]:
    """uid -> name, each checked (`check_name`)."""
    return dict(check_name(uid, name) for uid, name in (names or {}).items())


@dataclass(frozen=True)
class Compilation:
    """Everything compiling a layout for one participant set gives: updateLayout's
    `clientRequest` (`payload`) and start's `transcodingConfig` (`transcoding`) as wire
    models, their JSON made once (`payload_json`, `transcoding_json`: read-only), the
    regions Agora will draw, and the warnings. A styled layout also gives `style`, what its
    images draw, and `assets`, those images (the background, then a card per person),
    whose URLs are in the payload only when published (`urls`)."""

    payload: UpdateLayoutClientRequest
    transcoding: TranscodingConfig
    regions: list[ResolvedRegion]
    participants: tuple[str, ...]
    roles: dict[str, str]
    document: LayoutDocument
    variant: int | None
    issues: list[Issue] = field(default_factory=list)
    hidden: frozenset[str] = frozenset()  # participants left out on purpose
    not_shown: tuple[str, ...] = ()  # participants to show for whom no region was left
    placeholders: bool = False  # the participants were made up (`count`), not given
    role_holders: dict[str, str] = field(default_factory=dict)  # role -> uid its region shows
    names: dict[str, str] = field(default_factory=dict)  # uid -> name, as given
    style: StylePlan | None = None
    cells: tuple[tuple[str | None, StyledCell], ...] = ()  # (uid, cell) of framed/labelled regions
    assets: tuple[Asset, ...] = ()
    urls: dict[str, str] = field(default_factory=dict)  # asset name -> published URL

    @property
    def published(self) -> bool:
        """Whether the payload names the style's images (all of them are published)."""
        return bool(self.urls) or not self.assets

    @property
    def shown(self) -> tuple[str, ...]:
        """The participants meant to be seen (everyone but the hidden), in join order."""
        return tuple(p for p in self.participants if p not in self.hidden)

    @property
    def canvas(self) -> tuple[int, int]:
        return self.document.canvas.width, self.document.canvas.height

    @cached_property
    def payload_json(self) -> WireJson:
        """updateLayout's `clientRequest` as the JSON sent to Agora."""
        return self.payload.to_wire()

    @cached_property
    def transcoding_json(self) -> WireJson:
        """start's `transcodingConfig` as the JSON sent to Agora."""
        return self.transcoding.to_wire()


def strict_issue(issue: Issue) -> Issue:
    """A warning made an error by --strict."""
    if issue.severity != "warning":
        return issue
    return replace(issue, severity="error", message=issue.message + " (--strict)")


def issue_order(issue: Issue) -> tuple[bool, str, int, int]:
    """Errors first, then in file order."""
    return issue.severity != "error", issue.source, issue.line or 0, issue.column or 0


def _settled(issues: list[Issue], strict: bool) -> list[Issue]:
    """The issues made errors by `strict`, in `issue_order`, one issue for what a template
    loop repeated; LayoutValidationError when there is an error."""
    issues = [strict_issue(i) for i in issues] if strict else issues
    issues = sorted(merge_repeats(issues), key=issue_order)
    if any(i.severity == "error" for i in issues):
        raise LayoutValidationError(issues)
    return issues


class InMemory:
    """Not a publisher: a styled layout's images stay in `Compilation.assets`, unnamed in
    the payload, and no warning is given (what previews compile with)."""


def compile_layout(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    **options: Any,
) -> UpdateLayoutClientRequest:
    """The updateLayout `clientRequest` for these participants (`compile_full`'s options)."""
    return compile_full(layout, participants, roles, **options).payload


def compile_start(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    **options: Any,
) -> TranscodingConfig:
    """The `transcodingConfig` of a start request (canvas, fps, bitrate and the layout)."""
    return compile_full(layout, participants, roles, **options).transcoding


def resolve_regions(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    **options: Any,
) -> list[ResolvedRegion]:
    """The rectangles Agora will draw for these participants, in paint order."""
    return compile_full(layout, participants, roles, **options).regions


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
    return _finish_style(compiled, compiler.styler, assets, strict)


def _finish_style(
    compiled: Compilation, styler: Styler, assets: Publisher | InMemory | None, strict: bool
) -> Compilation:
    """A styled compilation's images drawn and (given a publisher) published; its
    render warnings among its issues."""
    assert compiled.style is not None
    drawn, issues = render_assets(compiled.style, styler)
    issues += styler.covered(compiled.regions)
    if assets is None:
        issues.append(not_published(compiled.style, styler))
    every = _settled([*compiled.issues, *issues], strict)
    compiled = replace(compiled, issues=every, assets=drawn)
    if assets is None or isinstance(assets, InMemory):
        return compiled
    return publish(compiled, assets)


class _Compiler(Step):
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
        super().__init__(parsed.document.canvas, parsed.marks)
        self.doc = parsed.document
        self.names = names
        self.layout = layout  # its variables and the files it may draw
        self.styler: Styler | None = None  # made for a styled layout
        self.placed: list[Placed] = []
        self.people = people
        self.hidden = hidden
        self.shown = tuple(p for p in people if p not in hidden)
        self.roles = roles
        self.strict = strict
        self.placeholders = placeholders
        self.not_shown: tuple[str, ...] = ()
        self.role_holders: dict[str, str] = {}
        self.cells: list[StyledCell | None] = []
        self._no_variant = False

    def run(self) -> Compilation:
        doc = self.doc
        lint_settings(self, doc)
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
            self.styler = Styler(doc, self.marks, self.names, self.roles, self.layout)
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
        issues = _settled(self.issues, self.strict)
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
            issues,
            self.hidden,
            self.not_shown,
            self.placeholders,
            self.role_holders,
            self.names,
            style,
            tuple((p.uid, p.styled) for p in self.placed if p.sent and p.styled is not None),
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
            box = (_clamp(x), _clamp(y), _clamp(w), _clamp(h))
            every.append(wire_region(uid, *box, round6(draft.alpha), draft.fit))
            if draft.placeholder is None:
                continue
            if uid is None and draft.agora_fill:
                self.warn(
                    (*draft.path, "placeholder"),
                    "a placeholder needs the region's user, but fill: agora leaves the "
                    "region to Agora; Agora sets placeholders per uid, so it is left out",
                )
            elif sent:
                mode = every[-1].render_mode
                backgrounds.append(
                    BackgroundConfig(uid=uid, image_url=draft.placeholder, render_mode=mode)
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
