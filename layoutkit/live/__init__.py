"""Live layouts: the roster of who is in the channel, the director that pushes the
latest layout, scenario timelines and file watching. Imports compile and layout."""

from __future__ import annotations

__all__: list[str] = []
