"""Cloud Recording events (Notifications productId 3) as Agora sends them: 11
session_exit when a recording ends, 12 session_failover when a failover gives the
recorder a new uid. The payload has Agora's common fields (docs.agora.io/en/
cloud-recording/reference/ncs-events): `cname`, `uid` (the recording's uid, a string),
`sid`, `sequence` (from 0, per recording), `sendts` (milliseconds), `serviceType` (0, the
cloud recording service, for both) and the event's `details`."""

from __future__ import annotations

import time
from typing import Any

from layoutkit.emulator.presence import Event
from layoutkit.emulator.state import Recording

PRODUCT_CLOUD_RECORDING = 3
SERVICE_CLOUD_RECORDING = 0  # serviceType of events 11 and 12


class RecordingEvents:
    """Numbers each recording's events with its own `sequence` and wraps them as Events."""

    def __init__(self) -> None:
        self._sequence: dict[str, int] = {}

    def event(self, recording: Recording, kind: int, details: dict[str, Any]) -> Event:
        sequence = self._sequence.get(recording.sid, 0)
        self._sequence[recording.sid] = sequence + 1
        payload = {
            "cname": recording.cname,
            "uid": recording.uid,
            "sid": recording.sid,
            "sequence": sequence,
            "sendts": int(time.time() * 1000),
            "serviceType": SERVICE_CLOUD_RECORDING,
            "details": dict(details),
        }
        return Event(kind, recording.app_id, payload, PRODUCT_CLOUD_RECORDING)


__all__ = ["PRODUCT_CLOUD_RECORDING", "SERVICE_CLOUD_RECORDING", "RecordingEvents"]
