"""A styled compilation's images: drawn (`render.style`), made `Asset`s (content-named
JPEGs within Agora's limits), published, and their URLs put into the payload.

The URLs go in only once every file is published (`assets.publish_all` gives all of
them or an error), so no payload ever names a file that is not there yet. Without a
publisher the payload leaves the images out and says so in a warning; `preview_payload`
gives the preview the payload as it will be once published, with the images in memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from layoutkit.assets import Asset, Publisher, publish_all
from layoutkit.compile.compilation import Compilation, InMemory, sorted_issues, strict_issue
from layoutkit.compile.style import Styler
from layoutkit.errors import Issue, LayoutValidationError, RenderError
from layoutkit.styleplan import StylePlan
from layoutkit.wire.layout import BackgroundConfig, LayoutFields
from layoutkit.wire.rules import RenderMode, WireJson

_Payload = TypeVar("_Payload", bound=LayoutFields)

PREVIEW_URL = "layoutkit-preview:"
"""What a preview calls an image that is not published (never sent anywhere)."""
NOT_PUBLISHED = (
    "this layout draws {what} into images Agora downloads, and nothing publishes them, so "
    "the payload leaves them out and the recording would not show them; give "
    "--assets-dir DIR --assets-url https://... (or --assets-command), assets= in Python"
)


def finish_style(
    compiled: Compilation, styler: Styler, assets: Publisher | InMemory | None, strict: bool
) -> Compilation:
    """A styled compilation's images drawn and (given a publisher) published; its
    render warnings (errors with `strict`) among its issues."""
    if compiled.style is None:
        return compiled
    drawn, issues = render_assets(compiled.style, styler)
    issues += styler.covered(compiled.regions)
    if assets is None:
        issues.append(not_published(compiled, styler))
    if strict:
        issues = [strict_issue(i) for i in issues]
    every = sorted_issues([*compiled.issues, *issues])
    if any(i.severity == "error" for i in every):
        raise LayoutValidationError(every)
    compiled = replace(compiled, issues=every, assets=drawn)
    if assets is None or isinstance(assets, InMemory):
        return compiled
    return publish(compiled, assets)


def render_assets(plan: StylePlan, styler: Styler) -> tuple[tuple[Asset, ...], list[Issue]]:
    """The plan's images as assets (the background when anything is drawn on it, then
    a card per person), and the render's warnings located at their layout values.
    A missing or unreadable logo, card image or font is a located LayoutValidationError."""
    # the drawing (Pillow) is loaded only for a layout that has images to draw: a plain
    # layout's compile never needs it (start-up, benchmarks/startup.py)
    from layoutkit.render.style import render_style

    try:
        images = render_style(plan)
    except RenderError as exc:
        text = f"{exc.source}: {exc.message}" if exc.source else exc.message
        if exc.hint:
            text += f" ({exc.hint})"
        raise LayoutValidationError([styler.locate(text, "error")]) from None
    issues = [styler.locate(warning) for warning in images.warnings]
    assets: list[Asset] = []
    if plan.marks:
        assets.append(Asset(images.background, kind="background"))
    for card in plan.cards:
        assets.append(Asset(images.cards[card.uid], kind="card", uid=card.uid))
    return tuple(assets), issues


def not_published(compiled: Compilation, styler: Styler) -> Issue:
    """The warning of a styled compilation given no publisher, at its first style value."""
    plan = compiled.style
    parts = []
    if plan is not None and plan.marks:
        parts.append("the canvas background (frames, labels, decor)")
    if plan is not None and plan.cards:
        parts.append("video-off cards")
    return styler.marks.issue(
        "warning", styler.first_path, NOT_PUBLISHED.format(what=" and ".join(parts))
    )


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


__all__ = [
    "PREVIEW_URL",
    "InMemory",
    "finish_style",
    "not_published",
    "preview_payload",
    "publish",
    "render_assets",
    "with_urls",
]
