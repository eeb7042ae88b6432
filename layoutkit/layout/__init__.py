"""Reading a layout file: template → YAML with marks → the authoring model, its roles
and its JSON Schema. Imports nothing from compile, render, live, client, emulator, library
or cli."""

from __future__ import annotations

__all__: list[str] = []
