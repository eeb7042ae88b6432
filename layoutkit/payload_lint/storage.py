"""A start request's `storageConfig`, every wire-model error at its own value.

The wire model checks its fields one by one, then the rules that tie them together (the
region of the vendor, the endpoint of an S3-compatible store) on the whole object, and
those only when every field is right; the prefix folders it checks as one list. So one bad
field hides another, and the whole-object errors point at the object's `{`. Here each
rule is run on its own: the whole-object rules on a copy with the bad fields put right
(each error then placed at the value it is about: `region`, `extensionParams.endpoint`),
and each `fileNamePrefix` entry alone (the error at that entry).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from layoutkit.jsonmarks import JsonPath as Path
from layoutkit.payload_lint.shapes import CLIENT, Shape, WireProblem, validate, value_at
from layoutkit.wire.base import json_context
from layoutkit.wire.storage import REGIONS, StorageConfig

STORAGE = "storageConfig"
PREFIX = "fileNamePrefix"
_PLACEHOLDERS = {"bucket": "b", "accessKey": "a", "secretKey": "s", "stsToken": "t"}
_MAX_ROUNDS = 4  # the whole-object rules: region, then endpoint (one at a time)


def storage_path(shape: Shape) -> Path | None:
    """Where a shape's storageConfig is (None: the shape has none)."""
    return {Shape.START_BODY: (CLIENT, STORAGE), Shape.START_CLIENT: (STORAGE,)}.get(shape)


def locate_storage(data: Any, shape: Shape, problems: list[WireProblem]) -> list[WireProblem]:
    """`problems` with the storageConfig's whole-object and prefix errors replaced by the
    same errors, each at its value, and the ones they hid."""
    path = storage_path(shape)
    storage = value_at(data, path) if path is not None else None
    if path is None or not isinstance(storage, Mapping):
        return problems
    prefix_path = (*path, PREFIX)
    kept = [p for p in problems if not (p.kind == "value_error" and p.path in (path, prefix_path))]
    return kept + storage_problems(storage, path)


def storage_problems(storage: Mapping[str, Any], path: Path) -> list[WireProblem]:
    """The whole-object and prefix errors of one storageConfig, each at its value."""
    context = json_context(mode="mix")
    base = _repaired(storage, context)
    if base is None:
        return []  # the vendor or region itself is wrong: its field error says so
    found: list[WireProblem] = []
    for _ in range(_MAX_ROUNDS):
        whole = [p for p in validate(StorageConfig, base, context, ()) if not p.path]
        if not whole:
            break
        problem = whole[0]
        where = _place(problem.message, storage)
        found.append(WireProblem((*path, *where), problem.message, problem.kind))
        regions = REGIONS.get(base["vendor"])
        if where == ("region",) and regions is not None:
            base["region"] = int(next(iter(regions)))  # put right, to check the rest
        else:
            break
    prefix = storage.get(PREFIX)
    if isinstance(prefix, list) and all(isinstance(entry, str) for entry in prefix):
        found.extend(_prefix_problems(prefix, base, (*path, PREFIX), context))
    return found


def _repaired(storage: Mapping[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    """A copy of `storage` whose fields the model takes (strings filled in, the prefix
    left out), or None when the vendor or region is what is wrong."""
    base = dict(storage)
    base.pop(PREFIX, None)
    for key, value in _PLACEHOLDERS.items():
        if key in base and (not isinstance(base[key], str) or not base[key]):
            base[key] = value
        if key != "stsToken" and key not in base:
            base[key] = value
    for problem in validate(StorageConfig, base, context, ()):
        if problem.kind == "missing" or problem.path[:1] in (("vendor",), ("region",)):
            return None
        if problem.path[:1] == ("extensionParams",) or not problem.path:
            continue
        base[str(problem.path[0])] = _PLACEHOLDERS.get(str(problem.path[0]), "x")
    if not isinstance(base.get("extensionParams"), dict | None):
        base.pop("extensionParams")
    return base


def _place(message: str, storage: Mapping[str, Any]) -> Path:
    """The value a whole-object error is about (as far as the object goes)."""
    if message.startswith("region "):
        return ("region",)
    if "extensionParams" in message:
        params = storage.get("extensionParams")
        if isinstance(params, Mapping) and "endpoint" in params:
            return ("extensionParams", "endpoint")
        if params is not None:
            return ("extensionParams",)
    return ()


def _prefix_problems(
    prefix: Sequence[str], base: Mapping[str, Any], path: Path, context: dict[str, Any]
) -> list[WireProblem]:
    """Each entry checked alone (its error at the entry), then the length of them all."""
    found: list[WireProblem] = []
    for index, entry in enumerate(prefix):
        for problem in validate(StorageConfig, {**base, PREFIX: [entry]}, context, ()):
            if problem.path[:1] == (PREFIX,):
                found.append(WireProblem((*path, index), problem.message, problem.kind))
    filler = ["a" * max(len(entry), 1) for entry in prefix]
    for problem in validate(StorageConfig, {**base, PREFIX: filler}, context, ()):
        if problem.path[:1] == (PREFIX,):
            found.append(WireProblem(path, problem.message, problem.kind))
    return found


__all__ = ["locate_storage", "storage_path", "storage_problems"]
