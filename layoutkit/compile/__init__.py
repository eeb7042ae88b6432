"""Compiling a layout: participants → placed regions → who goes where → the wire
payload, warnings, what Agora draws, and the report across counts. Imports layout and wire."""

from __future__ import annotations

__all__: list[str] = []
