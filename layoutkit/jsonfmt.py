"""JSON as layoutkit prints it: one line per flat object or list (a region per line)."""

from __future__ import annotations

import json


def format_json(data: object, indent: int = 0) -> str:
    """Indented JSON that keeps flat objects and lists on one line."""
    if isinstance(data, dict):
        values: list[object] = list(data.values())
    elif isinstance(data, list):
        values = list(data)
    else:
        values = []
    flat = all(not isinstance(v, dict | list) for v in values)
    if flat:
        return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    pad = "  " * (indent + 1)
    if isinstance(data, dict):
        items = [f"{pad}{json.dumps(k)}: {format_json(v, indent + 1)}" for k, v in data.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    assert isinstance(data, list)
    items = [f"{pad}{format_json(v, indent + 1)}" for v in data]
    return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"


__all__ = ["format_json"]
