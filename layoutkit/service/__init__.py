"""`layoutkit serve`: Agora Notifications drive a Director per attached recording, all
of one App ID sharing its rate limit fairly; kept in SQLite across restarts."""

from __future__ import annotations

from layoutkit.service.hub import DirectorHub, HubOptions
from layoutkit.service.server import DirectorService
from layoutkit.service.store import Store

__all__ = ["DirectorHub", "DirectorService", "HubOptions", "Store"]
