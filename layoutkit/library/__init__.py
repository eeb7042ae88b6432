"""The preset catalogue and the static gallery built from it."""

from __future__ import annotations

__all__: list[str] = []
