"""A local emulator of Agora's Cloud Recording REST API: same routes, statuses and
bodies, plus a `/_emulator/` control API. Shares only `wire` with the client, so it is a
second opinion on it, not a copy."""

from layoutkit.emulator.server import EmulatorApp, EmulatorServer
from layoutkit.emulator.state import Answer, EmulatorState, ManualClock

__all__ = ["Answer", "EmulatorApp", "EmulatorServer", "EmulatorState", "ManualClock"]
