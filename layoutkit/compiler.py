"""Layout + participants and roles -> Agora's payload, the regions Agora will draw, and
located issues (errors stop compilation; warnings are reported beside the result)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from layoutkit.errors import CompileError, Issue, LayoutValidationError
from layoutkit.expand import DraftRegion, Expander
from layoutkit.geometry import ResolvedRegion, round_span
from layoutkit.lint import lint_regions
from layoutkit.loader import Layout, ParsedLayout
from layoutkit.model import Entry, GridEntry, LayoutDocument, Variant
from layoutkit.modes import resolve_builtin, resolve_custom
from layoutkit.sourcemap import Path
from layoutkit.wire.base import MixedVideoLayout, RenderMode, _check_uid
from layoutkit.wire.layout import (
    MAX_AREA_PX,
    MAX_REGIONS,
    MAX_SIDE_PX,
    BackgroundConfig,
    LayoutRegion,
    TranscodingConfig,
    UpdateLayoutClientRequest,
)

ALL_COUNTS = tuple(range(1, 18))
DEFAULT_COUNT = 4


@dataclass(frozen=True)
class Compilation:
    """Everything compiling a layout for one participant set gives."""

    payload: UpdateLayoutClientRequest
    transcoding: TranscodingConfig
    regions: list[ResolvedRegion]
    participants: tuple[str, ...]
    roles: dict[str, str]
    document: LayoutDocument
    variant: int | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def canvas(self) -> tuple[int, int]:
        return self.document.canvas.width, self.document.canvas.height


def compile_layout(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    strict: bool = False,
) -> UpdateLayoutClientRequest:
    """The updateLayout `clientRequest` for these participants (uids in join order)."""
    return compile_full(layout, participants, roles, count=count, strict=strict).payload


def compile_start(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    strict: bool = False,
) -> TranscodingConfig:
    """The `transcodingConfig` of a start request (canvas, fps, bitrate and the layout)."""
    return compile_full(layout, participants, roles, count=count, strict=strict).transcoding


def resolve_regions(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
) -> list[ResolvedRegion]:
    """The rectangles Agora will draw for these participants, in paint order."""
    return compile_full(layout, participants, roles, count=count).regions


def compile_full(
    layout: Layout,
    participants: Sequence[str | int] | None = None,
    roles: Mapping[str, str | int] | None = None,
    *,
    count: int | None = None,
    strict: bool = False,
) -> Compilation:
    """Compile and keep everything: payload, start config, regions, warnings.

    Raises LayoutValidationError (a LayoutError) for problems in the file, CompileError
    for bad participants or roles.
    """
    bound = _check_roles(roles)
    people = choose_participants(layout, participants, bound, count)
    parsed = layout.parse(people, bound)
    return _Compiler(parsed, people, bound, strict).run()


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
    if not 0 <= count <= 64:
        raise CompileError(f"count {count} is outside 0..64")
    named = list(dict.fromkeys([*roles.values(), *_named_uids(layout.document)]))
    chosen = named[:count]
    taken = set(chosen)
    n = 1
    while len(chosen) < count:
        if str(n) not in taken:
            chosen.append(str(n))
        n += 1
    return tuple(chosen)


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
        return _check_uid(value)
    except ValueError as exc:
        raise CompileError(f"{what}: {exc}") from None


def _check_roles(roles: Mapping[str, str | int] | None) -> dict[str, str]:
    return {str(k): _uid_arg(v, f"role {k}") for k, v in (roles or {}).items()}


class _Compiler:
    def __init__(
        self, parsed: ParsedLayout, people: tuple[str, ...], roles: dict[str, str], strict: bool
    ) -> None:
        self.doc = parsed.document
        self.marks = parsed.marks
        self.people = people
        self.roles = roles
        self.strict = strict
        self.issues: list[Issue] = []
        self._no_variant = False

    def error(self, path: Path, message: str) -> None:
        self.issues.append(self.marks.issue("error", path, message))

    def warn(self, path: Path, message: str) -> None:
        self.issues.append(self.marks.issue("warning", path, message))

    def run(self) -> Compilation:
        doc = self.doc
        self._check_canvas()
        index, variant = self._pick_variant()
        base: Path = ("variants", index) if index is not None else ()
        mode = self._mode(variant)
        focus = variant.focus if variant and variant.focus is not None else doc.focus
        focus_path: Path = (*base, "focus") if variant and variant.focus is not None else ("focus",)
        background = variant.background if variant and variant.background else doc.background
        entries, entries_path = self._entries(variant, base, mode)
        drafts: list[DraftRegion] = []
        if mode == MixedVideoLayout.CUSTOM:
            if not entries:
                if not self._no_variant:
                    where = entries_path if entries is not None else base
                    self.error(where, "mode custom has no regions for this participant count")
            else:
                expander = Expander(doc.canvas, self.marks)
                drafts = expander.expand(entries, entries_path)
                self.issues.extend(expander.issues)
                if len(drafts) > MAX_REGIONS:
                    self.error(
                        entries_path,
                        f"{len(drafts)} regions after expanding grids; "
                        f"Agora draws at most {MAX_REGIONS}",
                    )
        elif entries:
            self.error(
                entries_path,
                f"regions are only for mode custom, not {mode.name.lower()}; "
                "remove them or set mode: custom",
            )
        focus_uid = self._focus(focus, focus_path, mode)
        layout_config, backgrounds = self._bind(drafts)
        if mode == MixedVideoLayout.CUSTOM and drafts:
            self.issues.extend(lint_regions(drafts, layout_config, doc.canvas, self.marks))
        if self.strict:
            self.issues = [
                Issue(
                    "error",
                    i.message + " (--strict)",
                    i.source,
                    i.line,
                    i.column,
                    i.field,
                    i.snippet,
                )
                if i.severity == "warning"
                else i
                for i in self.issues
            ]
        if any(i.severity == "error" for i in self.issues):
            raise LayoutValidationError(_sorted(self.issues))
        payload, transcoding = self._payload(
            mode, background, layout_config, backgrounds, focus_uid
        )
        if mode == MixedVideoLayout.CUSTOM:
            regions = resolve_custom(layout_config, self.people)
        else:
            regions = resolve_builtin(mode, self.people, focus_uid)
        return Compilation(
            payload, transcoding, regions, self.people, self.roles, doc, index, _sorted(self.issues)
        )

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
        n = len(self.people)
        present = {role for role, uid in self.roles.items() if uid in self.people}
        for index, variant in enumerate(variants):
            if n in variant.when.count and set(variant.when.roles) <= present:
                return index, variant
        if self.doc.regions is None and self.doc.mode in (None, MixedVideoLayout.CUSTOM):
            covered = ", ".join(str(v.when.count) for v in variants)
            self._no_variant = True
            self.error(
                ("variants",),
                f"no variant matches this participant count (the variants "
                f"cover {covered}); add one, or top-level regions as a fallback",
            )
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
        return uid

    def _focus(self, focus: str | None, path: Path, mode: MixedVideoLayout) -> str | None:
        if focus is None:
            return None
        if mode != MixedVideoLayout.VERTICAL:
            self.warn(path, f"focus only applies to mode vertical (this is {mode.name.lower()})")
            return None
        if focus.strip().isdigit():
            try:
                return _check_uid(focus)
            except ValueError as exc:
                self.error(path, str(exc))
                return None
        return self._role_uid(focus, path, "focus")

    def _bind(self, drafts: list[DraftRegion]) -> tuple[list[LayoutRegion], list[BackgroundConfig]]:
        config: list[LayoutRegion] = []
        backgrounds: list[BackgroundConfig] = []
        first_at: dict[str, Path] = {}
        for draft in drafts:
            uid = draft.uid
            if draft.role is not None:
                uid = self._role_uid(draft.role, (*draft.path, _role_key(draft)), "region")
            if uid is not None:
                if uid in first_at:
                    self.error(draft.path, f"uid {uid} has two regions; each user gets one")
                first_at.setdefault(uid, draft.path)
            x, w = round_span(draft.x, draft.width)
            y, h = round_span(draft.y, draft.height)
            config.append(
                LayoutRegion(
                    uid=uid,
                    x_axis=_clamp(x),
                    y_axis=_clamp(y),
                    width=_clamp(w),
                    height=_clamp(h),
                    alpha=draft.alpha,
                    render_mode=RenderMode.FIT if draft.fit == "fit" else RenderMode.CROP,
                )
            )
            if draft.placeholder is not None:
                if uid is None:
                    self.warn(
                        (*draft.path, "placeholder"),
                        "a placeholder needs the region's "
                        "uid (or a bound role); Agora sets it per uid, so it is left out",
                    )
                else:
                    backgrounds.append(
                        BackgroundConfig(
                            uid=uid,
                            image_url=draft.placeholder,
                            render_mode=RenderMode.FIT if draft.fit == "fit" else RenderMode.CROP,
                        )
                    )
        return config, backgrounds

    def _payload(
        self,
        mode: MixedVideoLayout,
        background: str,
        config: list[LayoutRegion],
        backgrounds: list[BackgroundConfig],
        focus_uid: str | None,
    ) -> tuple[UpdateLayoutClientRequest, TranscodingConfig]:
        fields = {
            "mixedVideoLayout": mode,
            "backgroundColor": background,
            "backgroundImage": self.doc.background_image,
            "defaultUserBackgroundImage": self.doc.placeholder_image,
            "layoutConfig": config if mode == MixedVideoLayout.CUSTOM else None,
            "backgroundConfig": backgrounds or None,
            "maxResolutionUid": focus_uid if mode == MixedVideoLayout.VERTICAL else None,
        }
        canvas = self.doc.canvas
        try:
            payload = UpdateLayoutClientRequest.model_validate(fields)
            transcoding = TranscodingConfig.model_validate(
                {
                    "width": canvas.width,
                    "height": canvas.height,
                    "fps": self.doc.fps,
                    "bitrate": self.doc.bitrate,
                    **fields,
                }
            )
        except ValidationError as exc:  # a gap between our checks and the wire rules
            raise LayoutValidationError(
                [self.marks.issue("error", (), f"the compiled payload is invalid: {exc}")]
            ) from None
        return payload, transcoding


def _role_key(draft: DraftRegion) -> str:
    """Where a region's role was written: `role`, or a grid's `roles` list."""
    return "roles" if draft.path and draft.path[-1] == "grid" else "role"


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _sorted(issues: list[Issue]) -> list[Issue]:
    return sorted(
        issues, key=lambda i: (i.severity != "error", i.source, i.line or 0, i.column or 0)
    )


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
