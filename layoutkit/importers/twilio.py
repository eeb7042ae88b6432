"""Twilio compositions (`video_layout`) -> a layoutkit layout.

What is read: the Composition resource as Twilio's REST API returns it (or the JSON of a
create request, in the JSON names or the REST form names `VideoLayout`, `Resolution`, ...,
`VideoLayout` as JSON text) with `video_layout` and `resolution`, just `{video_layout,
resolution}`, or just the `video_layout` map of named regions. What it becomes:

- the canvas is `resolution` (Twilio's default 640x480; each side 16..1280 and at most
  921,600 pixels, as Twilio allows);
- each region keeps its pixels (`x: 120px`, ...; width and height default to the rest of
  the canvas, and a region running past the canvas is cut at its edge);
- `z_pos` becomes the list order (paint order), ties kept in file order;
- a track name without `*` becomes a role (`role: teacher-screen-video`), a region with
  wildcards shows whoever is left; a region that can hold several sources (wildcards,
  several names, `max_rows`/`max_columns`) becomes a grid sized as Twilio sizes it for each
  count (`twilio_grid`), or a region per cell when `cells_excluded` leaves gaps;
- Twilio letterboxes every source, so every region is `fit: fit`.

What does not carry over exactly (reuse policies other than the default, `trim`, more
than 17 people, ties in z, track-name patterns other than `*` and exclusions by pattern,
sources by SID, a grid that reflows per count where Twilio keeps each source in its cell,
a wildcard region that an earlier one leaves empty, ...) is reported in `Imported.notes`
and as comments at the top of the YAML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from layoutkit.importers.output import Imported, header
from layoutkit.importers.source import JsonPath, Problems, Source, kind_of, read_source
from layoutkit.importers.twilio_grid import TwilioRegion, capacity_notes, plan
from layoutkit.importers.twilio_yaml import layout_lines
from layoutkit.wire.profile import MAX_REGIONS

DEFAULT_RESOLUTION = (640, 480)
MIN_SIDE, MAX_SIDE, MAX_PIXELS = 16, 1280, 921_600
Z_RANGE = (-99, 99)
REUSE = ("none", "show_oldest", "show_newest")
COMPOSITION_KEYS = (
    "account_sid",
    "audio_sources",
    "audio_sources_excluded",
    "bitrate",
    "date_completed",
    "date_created",
    "date_deleted",
    "duration",
    "encryption_key",
    "format",
    "links",
    "media_external_location",
    "resolution",
    "room_sid",
    "sid",
    "size",
    "status",
    "status_callback",
    "status_callback_method",
    "trim",
    "url",
    "video_layout",
)
REGION_KEYS = (
    "x_pos",
    "y_pos",
    "z_pos",
    "width",
    "height",
    "max_columns",
    "max_rows",
    "cells_excluded",
    "reuse",
    "video_sources",
    "video_sources_excluded",
)
_RESOLUTION_RE = re.compile(r"^\s*(\d{1,6})\s*x\s*(\d{1,6})\s*$")
_BIG_RESOLUTION_RE = re.compile(r"^\s*\d+\s*x\s*\d+\s*$")
_FORM_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
MAX_INTEGER = 2**31 - 1  # Twilio's integers are 32-bit
_SID_RE = re.compile(r"^(MT[0-9a-fA-F]{32}|MT[0-9A-Z]{4,32})$")


def from_twilio(data_or_path: object, *, name: str | None = None) -> Imported:
    """A Twilio composition as a layoutkit layout: `data_or_path` is a path to a JSON
    file, JSON text, or the data (a dict). Raises a LayoutError for input Twilio would not
    take, every problem located (file, line, column) where the input is text."""
    source = read_source(data_or_path, name=name, what="composition file")
    return _Importer(source).run()


class _Importer:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems = Problems(source)
        self.notes: list[str] = []
        self.canvas = DEFAULT_RESOLUTION
        self._sources: dict[str, list[str]] = {}
        self._excluded_sources: dict[str, list[str]] = {}
        self._keys: dict[str, str] = {}  # snake_case name -> the form name written
        self._left_out: list[tuple[JsonPath, str, str]] = []  # left out: where, why, the fix

    def run(self) -> Imported:
        layout, base, kind = self._shape()
        regions = self._regions(layout, base)
        self.problems.raise_if_any()
        regions = self._assign_sources(regions, base)
        self.problems.raise_if_any()
        variants = plan(regions)
        self.notes.extend(capacity_notes(regions, self._sources))
        label = Path(self.source.name).name if self.source.text is not None else self.source.name
        intro = [
            f"Imported by `layoutkit import twilio` from {label}, {kind}. Twilio letterboxes "
            "every source, so every region is fit: fit; z_pos is the list order."
        ]
        text = "\n".join(
            [*header(intro, self.notes), *layout_lines(regions, variants, label, self.canvas)]
        )
        return Imported(text + "\n", tuple(self.notes), self.source.name, kind, self.canvas)

    # -- the shape of the input --------------------------------------------------------

    def _shape(self) -> tuple[Mapping[str, object], JsonPath, str]:
        data = self.source.data
        if not isinstance(data, Mapping):
            self.problems.add(
                (),
                f"expected a JSON object (a composition, or its video_layout), got {kind_of(data)}",
            )
            self.problems.raise_if_any()
        assert isinstance(data, Mapping)
        forms = {_snake(k): k for k in data if _snake(k) != k and _snake(k) in COMPOSITION_KEYS}
        if forms:  # a create request in the REST API's form names (VideoLayout, Resolution)
            self._keys = forms
            data = {_snake(k) if _snake(k) in forms else k: v for k, v in data.items()}
        if not any(key in COMPOSITION_KEYS for key in data):
            self.canvas = DEFAULT_RESOLUTION
            return data, (), "a Twilio video_layout"
        unknown = {self._key(k): v for k, v in data.items() if k not in COMPOSITION_KEYS}
        self.problems.unknown_keys(unknown, (), COMPOSITION_KEYS, "a composition")
        self._resolution(data)
        self._composition_notes(data)
        layout = data.get("video_layout")
        key = self._key("video_layout")
        if isinstance(layout, str) and layout.lstrip().startswith("{"):
            inner = read_source(layout, name=f"{self.source.name} ({key})")
            layout = inner.data  # the create request's VideoLayout parameter is JSON text
        if not isinstance(layout, Mapping):
            what = "missing" if layout is None else f"{kind_of(layout)}, not an object"
            self.problems.add(
                (key,) if "video_layout" in data else (),
                f"video_layout is {what}; it maps region names to regions",
            )
            self.problems.raise_if_any()
        assert isinstance(layout, Mapping)
        kind = "a Twilio create request" if self._keys else "a Twilio composition"
        return layout, (key,), kind

    def _key(self, name: str) -> str:
        """The key as written: `video_layout`, or its form name (`VideoLayout`)."""
        return self._keys.get(name, name)

    def _resolution(self, data: Mapping[str, object]) -> None:
        value = data.get("resolution")
        if value is None:
            return
        path = (self._key("resolution"),)
        match = _RESOLUTION_RE.match(value) if isinstance(value, str) else None
        if isinstance(value, str) and match is None and _BIG_RESOLUTION_RE.match(value):
            self.problems.add(
                path,
                f"{value!r} is too big: Twilio takes each side {MIN_SIDE}..{MAX_SIDE}, at most "
                f'{MAX_PIXELS:,} pixels (write e.g. "1280x720")',
            )
            return
        if match is None:
            self.problems.add(
                path,
                f'expected "WIDTHxHEIGHT", e.g. "1280x720", got {kind_of(value)}'
                if not isinstance(value, str)
                else f'{value!r} is not "WIDTHxHEIGHT"; write e.g. "1280x720"',
            )
            return
        width, height = int(match.group(1)), int(match.group(2))
        if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE) or (
            width * height > MAX_PIXELS
        ):
            self.problems.add(
                path,
                f"{width}x{height} is over Twilio's limits (each side "
                f"{MIN_SIDE}..{MAX_SIDE}, at most {MAX_PIXELS:,} pixels, e.g. 1280x720 or "
                "1024x768); Twilio would refuse this composition",
            )
            return
        self.canvas = (width, height)

    def _composition_notes(self, data: Mapping[str, object]) -> None:
        if data.get("trim") not in (None, False):  # trim: false keeps every stretch, as live
            self.notes.append(
                f"trim: {json.dumps(data['trim'])}: Twilio cuts the silent stretches out of "
                "a finished composition; a live recording has no such setting."
            )
        audio = data.get("audio_sources")
        if audio not in (None, "*", ["*"]) or data.get("audio_sources_excluded") not in (
            None,
            [],
        ):
            self.notes.append(
                "audio_sources, audio_sources_excluded: Agora records everyone's audio in "
                "the mix; to leave someone's audio out, unsubscribe them in the start "
                "request (unsubscribeAudioUids)."
            )

    # -- the regions -------------------------------------------------------------------

    def _regions(self, layout: Mapping[str, object], base: JsonPath) -> list[TwilioRegion]:
        if not layout:
            self.problems.add(base, "video_layout has no regions; add at least one")
            return []
        if len(layout) > MAX_REGIONS:
            self.problems.add(
                base,
                f"{len(layout)} regions: Agora draws at most {MAX_REGIONS} people in a "
                f"picture, so a layout takes at most {MAX_REGIONS} regions; make a grid of "
                "several (one region with max_rows/max_columns) or leave some out",
            )
            return []
        regions: list[TwilioRegion] = []
        for key, spec in layout.items():
            name = str(key)
            path = (*base, name)
            if not isinstance(spec, Mapping):
                self.problems.add(
                    path,
                    f"expected a region object, got {kind_of(spec)}; e.g. "
                    '{"video_sources": ["*"]}',
                )
                continue
            self.problems.unknown_keys(spec, path, REGION_KEYS, "a region")
            region = self._region(name, spec, path)
            if region is not None:
                regions.append(region)
        # paint order: z_pos ascending, ties in file order (a stable sort)
        regions.sort(key=lambda r: r.z)
        self._note_ties(regions)
        return regions

    def _integer(
        self, spec: Mapping[str, object], path: JsonPath, key: str, low: int, high: int | None
    ) -> int | None:
        value = spec.get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add((*path, key), f"expected an integer, got {kind_of(value)}")
            return None
        if abs(value) > MAX_INTEGER:
            self.problems.add(
                (*path, key), f"{value:.6g} is too big: Twilio takes integers up to {MAX_INTEGER}"
            )
            return None
        if value < low or (high is not None and value > high):
            if key in ("width", "height"):
                text = f"{value}: a region needs a size of at least 1 pixel"
            else:
                span = f"{low}..{high}" if high is not None else f"{low} or more"
                text = f"{value} is out of range; it takes {span}"
            self.problems.add((*path, key), text)
            return None
        return value

    def _names(self, spec: Mapping[str, object], path: JsonPath, key: str) -> list[str]:
        value = spec.get(key)
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            self.problems.add(
                (*path, key), 'expected an array of track names (or SIDs), e.g. ["*"]'
            )
            return []
        return [v for v in items if isinstance(v, str)]

    def _region(self, name: str, spec: Mapping[str, object], path: JsonPath) -> TwilioRegion | None:
        cw, ch = self.canvas
        x = self._integer(spec, path, "x_pos", 0, None) or 0
        y = self._integer(spec, path, "y_pos", 0, None) or 0
        width = self._integer(spec, path, "width", 1, None)
        height = self._integer(spec, path, "height", 1, None)
        z = self._integer(spec, path, "z_pos", *Z_RANGE) or 0
        max_rows = self._integer(spec, path, "max_rows", 1, None)
        max_columns = self._integer(spec, path, "max_columns", 1, None)
        excluded = self._cells_excluded(spec, path)
        reuse = spec.get("reuse", "show_oldest")
        if reuse not in REUSE:
            self.problems.add((*path, "reuse"), f"{reuse!r} is not one of {', '.join(REUSE)}")
        elif reuse != "show_oldest":
            self.notes.append(
                f"{name}: reuse {reuse}: layoutkit keeps the people who joined first in the "
                "cells (Twilio's default, show_oldest); "
                + (
                    "showing the newest instead is not carried over."
                    if reuse == "show_newest"
                    else "a cell freed when someone leaves is filled again."
                )
            )
        sources = self._names(spec, path, "video_sources")
        excluded_sources = self._names(spec, path, "video_sources_excluded")
        if x >= cw or y >= ch:
            self.notes.append(f"{name}: it starts outside the {cw}x{ch} canvas; left out.")
            key, at, side = ("x_pos", x, cw) if x >= cw else ("y_pos", y, ch)
            self._left_out.append(
                (
                    (*path, key),
                    f"{at} starts outside the {cw}x{ch} canvas",
                    f"{key} at most {side - 1}",
                )
            )
            return None
        w = cw - x if width is None else width
        h = ch - y if height is None else height
        if x + w > cw or y + h > ch:
            self.notes.append(
                f"{name}: it runs past the {cw}x{ch} canvas; cut at the canvas edge "
                f"({min(w, cw - x)}x{min(h, ch - y)} instead of {w}x{h})."
            )
            w, h = min(w, cw - x), min(h, ch - y)
        if not sources:
            self.notes.append(f"{name}: no video_sources, so it shows nobody; left out.")
            self._left_out.append(
                (path, "no video_sources, so it shows nobody", 'add video_sources, e.g. ["*"]')
            )
            return None
        self._excluded_sources[name] = excluded_sources
        self._sources[name] = sources
        return TwilioRegion(name, x, y, w, h, z, max_rows, max_columns, excluded)

    def _cells_excluded(self, spec: Mapping[str, object], path: JsonPath) -> frozenset[int]:
        value = spec.get("cells_excluded")
        if value is None:
            return frozenset()
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
        ):
            self.problems.add(
                (*path, "cells_excluded"),
                "expected an array of cell numbers (0 is the top-left cell, counted row by row)",
            )
            return frozenset()
        return frozenset(v for v in value if isinstance(v, int))

    def _note_ties(self, regions: Sequence[TwilioRegion]) -> None:
        for i, a in enumerate(regions):
            for b in regions[i + 1 :]:
                overlap = min(a.x + a.width, b.x + b.width) > max(a.x, b.x) and min(
                    a.y + a.height, b.y + b.height
                ) > max(a.y, b.y)
                if a.z == b.z and overlap:
                    self.notes.append(
                        f"{a.name}, {b.name}: the same z_pos ({a.z}) and they overlap; "
                        f"Twilio leaves their order open, here {b.name} is painted over "
                        f"{a.name} (file order)."
                    )

    # -- who is shown where --------------------------------------------------------------

    def _assign_sources(self, regions: list[TwilioRegion], base: JsonPath) -> list[TwilioRegion]:
        """Each region's exact track names become roles (a track in two regions stays in
        the first, in paint order); a region with wildcards shows whoever is left."""
        taken: dict[str, str] = {}
        out: list[TwilioRegion] = []
        for region in regions:
            roles: list[str] = []
            patterns: list[str] = []
            for track in self._sources[region.name]:
                if "*" in track:
                    patterns.append(track)
                elif track in taken:
                    self.notes.append(
                        f"{region.name}: {track} is also in {taken[track]}; Twilio draws it "
                        f"in both, layoutkit shows a person once (in {taken[track]})."
                    )
                elif track not in roles:
                    roles.append(track)
                    taken[track] = region.name
                    if _SID_RE.match(track):
                        self.notes.append(
                            f"{region.name}: {track} is a track SID; it became the role "
                            f"{track}: bind it to the person's uid with --role {track}=UID. "
                            "Until it is bound, it counts as one of the people present and "
                            f"is filled first: with 1 person, that person is drawn in "
                            f"{region.name} ({region.width}x{region.height})."
                        )
            room = region.cells()
            if room is not None and room < len(roles):
                shown, hidden = roles[:room], roles[room:]
                self.notes.append(
                    f"{region.name}: {room} free cells for {len(roles)} tracks; "
                    f"{', '.join(hidden)} not shown (nor by Twilio at once)."
                )
                for track in hidden:
                    del taken[track]
                roles = shown
            if room == 0:
                self.notes.append(f"{region.name}: every cell is excluded; left out.")
                continue
            if not roles and not patterns:
                self.notes.append(f"{region.name}: its tracks all have a region already; left out.")
                continue
            named = [p for p in patterns if p != "*"]
            if named:
                self.notes.append(
                    f"{region.name}: video_sources {', '.join(named)}: layoutkit cannot pick "
                    "people by track name, so the pattern cannot be kept; the region shows "
                    "whoever is left (people without a role); bind people with roles instead."
                )
            out.append(replace(region, roles=tuple(roles), crowd=bool(patterns)))
        if not out and self._left_out:  # say why, where each region was left out
            for path, why, fix in self._left_out:
                self.problems.add(path, f"{why}, and no region is left to show anyone ({fix})")
        elif not out:
            self.problems.add(
                base,
                "no region shows anyone (each needs video_sources, inside the canvas); "
                'give one region video_sources, e.g. ["*"]',
            )
        if len(taken) > MAX_REGIONS:
            self.problems.add(
                base,
                f"the regions name {len(taken)} tracks: Agora draws at most {MAX_REGIONS} "
                "people in a picture; name fewer, or use a wildcard (*) for the rest",
            )
        self._note_patterns(out, taken)
        return out

    def _note_patterns(self, regions: Sequence[TwilioRegion], taken: Mapping[str, str]) -> None:
        for region in regions:
            excluded = self._excluded_sources.get(region.name, [])
            patterns = [t for t in self._sources[region.name] if "*" in t]
            doubled = [
                role
                for role, home in taken.items()
                if home != region.name
                and any(_matches(p, role) for p in patterns)
                and not any(_matches(e, role) for e in excluded)
            ]
            if doubled:
                self.notes.append(
                    f"{region.name}: {', '.join(patterns)} also matches {', '.join(doubled)}, "
                    "whom Twilio would draw here too; layoutkit shows a person once."
                )
            loose = [e for e in excluded if "*" in e or e not in taken]
            if loose:
                self.notes.append(
                    f"{region.name}: video_sources_excluded {', '.join(loose)}: layoutkit "
                    "cannot leave people out by track name; hide them when compiling "
                    "(--hide UID) instead."
                )


def _snake(key: str) -> str:
    """A REST form name as the JSON name: `VideoLayout` -> `video_layout`."""
    return _FORM_RE.sub("_", key).lower() if key[:1].isupper() else key


def _matches(pattern: str, name: str) -> bool:
    """Twilio's wildcard: `*` matches any run of characters (none included)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, name) is not None


__all__ = [
    "COMPOSITION_KEYS",
    "DEFAULT_RESOLUTION",
    "MAX_PIXELS",
    "MAX_SIDE",
    "MIN_SIDE",
    "REGION_KEYS",
    "from_twilio",
]
