"""The emulator's request log: a ring buffer of the last `maxlen` API requests, so a
flood (authenticated or not) cannot grow it without bound."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

DEFAULT_LOG_SIZE = 10_000
MAX_LOGGED_PATH = 2048  # characters of a path kept in the log


@dataclass
class LoggedRequest:
    time: float
    wall: float
    method: str
    path: str
    endpoint: str
    app_id: str | None
    status: int


class RequestLog(deque[LoggedRequest]):
    """The last `maxlen` requests, oldest first; compares equal to a list of the same."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            return list(self) == other
        return super().__eq__(other)

    __hash__ = None


__all__ = ["DEFAULT_LOG_SIZE", "MAX_LOGGED_PATH", "LoggedRequest", "RequestLog"]
