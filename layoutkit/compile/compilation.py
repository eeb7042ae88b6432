"""What compiling a layout for one participant set gives (`compile.compiler`), and how its
issues are ordered and made strict."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from layoutkit.assets import Asset
from layoutkit.compile.style import StyledCell
from layoutkit.errors import Issue
from layoutkit.geometry import ResolvedRegion
from layoutkit.layout.model import LayoutDocument
from layoutkit.layout.templating import merge_repeats
from layoutkit.styleplan import StylePlan
from layoutkit.wire.layout import TranscodingConfig, UpdateLayoutClientRequest
from layoutkit.wire.rules import WireJson


@dataclass(frozen=True)
class Compilation:
    """Everything compiling a layout for one participant set gives.

    `payload` is updateLayout's `clientRequest` and `transcoding` start's
    `transcodingConfig`; `payload_json` and `transcoding_json` are the JSON sent to
    Agora (their `to_wire()`, made once; treat them as read-only).

    A styled layout (frames, labels, decor, cards) also gives `style`, what its images
    draw, and `assets`, those images (the canvas background, then a card per person).
    `urls` (and `published`) say whether their URLs are in the payload (they are when compiled with
    a publisher, `assets=`); without one the payload leaves them out, and the preview
    draws them from `assets` (`compile.assets.preview_payload`)."""

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


def sorted_issues(issues: list[Issue]) -> list[Issue]:
    """Errors first, in file order; one issue for what a template loop repeated."""
    return sorted(
        merge_repeats(issues),
        key=lambda i: (i.severity != "error", i.source, i.line or 0, i.column or 0),
    )


class InMemory:
    """Not a publisher: a styled layout's images stay in `Compilation.assets`, unnamed in
    the payload, and no warning is given (what previews compile with)."""


__all__ = ["Compilation", "InMemory", "sorted_issues", "strict_issue"]
