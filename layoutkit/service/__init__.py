"""`layoutkit serve`: Agora Notifications drive a Director per attached recording, all
of one App ID sharing its rate limit fairly; kept in SQLite across restarts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from layoutkit.service.hub import DirectorHub, HubOptions
    from layoutkit.service.server import DirectorService
    from layoutkit.service.store import Store

_EXPORTS = {
    "DirectorHub": "hub",
    "HubOptions": "hub",
    "DirectorService": "server",
    "Store": "store",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'layoutkit.service' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"layoutkit.service.{module}"), name)


__all__ = ["DirectorHub", "DirectorService", "HubOptions", "Store"]
