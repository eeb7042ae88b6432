"""What `POST /recordings` takes: a running recording (cname, uid, resource id, sid, mode),
its layout (a preset, a file in the layouts folder, or YAML text), roles, names and
Director options, checked field by field (`RequestError` names the field and the fix)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from layoutkit.compile.compiler import check_name
from layoutkit.errors import CompileError, LayoutkitError
from layoutkit.layout.loader import Layout, load_layout, parse_layout
from layoutkit.live.director import DirectorOptions
from layoutkit.live.roster import MAX_HOLD, MAX_INTERVAL
from layoutkit.wire.rules import check_cname, check_uid

MAX_LAYOUT_TEXT = 256 * 1024  # bytes of YAML in the `layout` field
_ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,1024}")
OPTION_FIELDS: dict[str, type] = {
    "debounce": float,
    "hide_camera_off": bool,
    "hide_audio_only": bool,
    "not_found_grace": float,
    "speaker_hold": float,
    "speaker_interval": float,
}
MAX_SECONDS = 86_400.0  # the longest a seconds option may be, unless OPTION_MAXIMA says less
OPTION_MAXIMA: dict[str, float] = {"speaker_hold": MAX_HOLD, "speaker_interval": MAX_INTERVAL}


class RequestError(LayoutkitError):
    """A request the service cannot take; `status` is the HTTP answer."""

    def __init__(self, status: int, message: str, *, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.status = status
        self.field = field


@dataclass(frozen=True)
class AttachSpec:
    """A checked attach request. `data()` is what the store keeps (no secrets in it)."""

    cname: str
    uid: str
    resource_id: str
    sid: str
    preset: str | None = None
    file: str | None = None
    layout: str | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    mode: str = "mix"
    names: dict[str, str] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None and (v or k != "names")}

    @property
    def layout_name(self) -> str:
        if self.preset is not None:
            return f"preset {self.preset}"
        if self.file is not None:
            return f"file {self.file}"
        return "inline layout"

    def director_options(self) -> DirectorOptions:
        return DirectorOptions(**self.options)


_KEYS = {"resourceId", *AttachSpec.__dataclass_fields__}  # the fields of an attach request


def _text(data: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise RequestError(400, "is missing; give it as a string", field=name)
        return None
    if not isinstance(value, str) or not value.strip():
        raise RequestError(400, "must be a non-empty string", field=name)
    if len(value) > 4096 and name != "layout":
        raise RequestError(400, "is over 4096 characters", field=name)
    return value


def _mapping(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RequestError(400, "must be a JSON object", field=name)
    return dict(value)


def _options(data: Mapping[str, Any]) -> dict[str, Any]:
    options = _mapping(data, "options")
    for key, value in options.items():
        kind = OPTION_FIELDS.get(key)
        if kind is None:
            known = ", ".join(OPTION_FIELDS)
            raise RequestError(
                400, f"unknown option; the options are {known}", field=f"options.{key}"
            )
        if kind is bool and not isinstance(value, bool):
            raise RequestError(400, "must be true or false", field=f"options.{key}")
        if kind is float:
            options[key] = _seconds(key, value)
    return options


def _seconds(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RequestError(400, "must be a number of seconds", field=f"options.{key}")
    top = OPTION_MAXIMA.get(key, MAX_SECONDS)
    if not 0 <= value <= top:  # also refuses nan
        raise RequestError(400, f"must be 0..{top:g} seconds", field=f"options.{key}")
    return float(value)


def _roles(data: Mapping[str, Any]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for name, uid in _mapping(data, "roles").items():
        if not name:
            raise RequestError(400, "a role name must not be empty", field="roles")
        try:
            roles[name] = check_uid(uid)
        except ValueError as exc:
            raise RequestError(400, str(exc), field=f"roles.{name}") from None
    return roles


def checked_name(uid: object, name: object, where: str) -> tuple[str, str]:
    """A uid and its name, checked; RequestError 400 at `where`."""
    try:
        return check_name(uid if isinstance(uid, str | int) else str(uid), name)
    except CompileError as exc:
        raise RequestError(400, exc.message.removeprefix("names: "), field=where) from None


MAX_NAMES = 1000  # the names one recording keeps


def _names(data: Mapping[str, Any]) -> dict[str, str]:
    given = _mapping(data, "names")
    if len(given) > MAX_NAMES:
        raise RequestError(400, f"gives {len(given)} names; at most {MAX_NAMES}", field="names")
    return dict(checked_name(uid, name, f"names.{uid}") for uid, name in given.items())


def _id(value: str | None, name: str) -> str:
    if value is None or not _ID_RE.fullmatch(value):
        raise RequestError(
            400,
            "is not an id Agora gives (letters, digits, - _ and . only, at most 1024): "
            "copy it from the answer of acquire or start",
            field=name,
        )
    return value


def parse_spec(data: Mapping[str, Any]) -> AttachSpec:
    """Check an attach request field by field (RequestError 400 naming the field)."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise RequestError(
            400, f"unknown field; the fields are {', '.join(sorted(_KEYS))}", field=unknown[0]
        )
    cname = _text(data, "cname") or ""
    try:
        check_cname(cname)
    except ValueError as exc:
        raise RequestError(400, str(exc), field="cname") from None
    try:
        uid = check_uid(data.get("uid"))
    except ValueError as exc:
        raise RequestError(400, f"{exc} (the recording's own uid)", field="uid") from None
    resource_id = _id(
        _text(data, "resource_id", required=False) or _text(data, "resourceId"), "resource_id"
    )
    mode = _text(data, "mode", required=False) or "mix"
    if mode != "mix":
        raise RequestError(
            400, f"{mode!r}: only a mix recording has a layout; give mode mix", field="mode"
        )
    sources = [name for name in ("preset", "file", "layout") if data.get(name) is not None]
    if len(sources) != 1:
        raise RequestError(
            400,
            "give exactly one of preset (a preset name), file (a file in the service's "
            "layouts folder) or layout (YAML text)",
            field="/".join(sources) or "preset",
        )
    layout = _text(data, "layout", required=False)
    if layout is not None and len(layout.encode("utf-8")) > MAX_LAYOUT_TEXT:
        raise RequestError(400, f"is over {MAX_LAYOUT_TEXT // 1024} KiB", field="layout")
    vars_ = _mapping(data, "vars")
    return AttachSpec(
        cname=cname,
        uid=uid,
        resource_id=resource_id or "",
        sid=_id(_text(data, "sid"), "sid"),
        mode=mode,
        preset=_text(data, "preset", required=False),
        file=_text(data, "file", required=False),
        layout=layout,
        vars=vars_,
        roles=_roles(data),
        options=_options(data),
        names=_names(data),
    )


def load_spec_layout(spec: AttachSpec, layouts: Path | None) -> Layout:
    """The spec's layout; RequestError 422 when it does not load, 400 for a file outside
    the layouts folder."""
    try:
        if spec.preset is not None:
            from layoutkit.library.presets import load

            return load(spec.preset, spec.vars)
        if spec.file is not None:
            loaded = load_layout(_layout_file(spec.file, layouts), spec.vars)
            loaded.files_root = layouts  # its logos and fonts: inside the folder only
            return loaded
        given = parse_layout(spec.layout or "", spec.vars, source="layout")
        given.files_allowed = False  # text from a request reads no file of this machine
        return given
    except RequestError:
        raise
    except LayoutkitError as exc:
        raise RequestError(422, str(exc), field=_source_field(spec)) from None


def _source_field(spec: AttachSpec) -> str:
    return "preset" if spec.preset is not None else "file" if spec.file is not None else "layout"


def _layout_file(name: str, layouts: Path | None) -> Path:
    if layouts is None:
        raise RequestError(
            400,
            "the service has no layouts folder: start it with --layouts DIR, or send the "
            "YAML as layout, or name a preset",
            field="file",
        )
    if not name.isprintable():
        raise RequestError(
            400, "name a .yaml file inside the service's layouts folder", field="file"
        )
    folder = layouts.resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or not name.endswith((".yaml", ".yml")):
        raise RequestError(
            400, "name a .yaml file inside the service's layouts folder", field="file"
        )
    return path
