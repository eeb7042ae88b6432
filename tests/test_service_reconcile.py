"""Reconciliation: a directed channel's user list is read again every period and after a
gap, so a callback that never arrived is corrected; on a clock the test holds. The
reads take turns on a limiter of their own, never updateLayout's."""

from __future__ import annotations

import random

import requests
from service_helpers import (
    NOTIFY_SECRET,
    attach,
    described,
    record,
    service_client,
    signature_headers,
    status_when,
)
from service_helpers import (
    quiet_emulator as quiet_emulator,
)

from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID
from layoutkit.service import DirectorService
from layoutkit.service.hub import GAP_DELAY, JITTER, Reconciler


class HeldClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_join_never_delivered_is_corrected_within_one_period(emulator: EmulatorServer) -> None:
    clock = HeldClock()
    emulator.join("quiet", 1001, app_id=APP_ID)
    recording = record(emulator, "quiet")
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, resync_interval=60, clock=clock
    ) as service:
        attach(service.url, recording)
        status_when(service.url, recording.sid, lambda s: s["participants"] == ["1001"])
        emulator.join("quiet", 1002, app_id=APP_ID)  # its 103 is never delivered
        reconciler = service.hub.reconciler
        assert reconciler is not None
        clock.now += 60 * (1 - JITTER) - 1
        assert reconciler.due() == []  # not yet: within the period
        clock.now += 60 * 2 * JITTER + 2
        status = status_when(
            service.url,
            recording.sid,
            lambda s: s["participants"] == ["1001", "1002"],
            what="1002 found by reconciliation",
        )
        assert any("reconciled" in e["event"] and "1002" in e["event"] for e in status["events"])


def test_a_refused_callback_makes_every_directed_channel_read_soon(
    emulator: EmulatorServer,
) -> None:
    clock = HeldClock()
    emulator.join("gappy", 1001, app_id=APP_ID)
    recording = record(emulator, "gappy")
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, resync_interval=3600, clock=clock
    ) as service:
        attach(service.url, recording)
        status_when(service.url, recording.sid, lambda s: s["participants"] == ["1001"])
        emulator.leave("gappy", 1001, app_id=APP_ID)
        body = b'{"noticeId": "x", "productId": 1, "eventType": 104, "payload": {}}'
        answer = requests.post(
            service.notifications_url, data=body, headers=signature_headers(body), timeout=5
        )
        assert answer.status_code == 200 and "ignored" in answer.json()  # no retry fixes it
        clock.now += GAP_DELAY + 0.01
        status_when(service.url, recording.sid, lambda s: s["participants"] == [])


def test_reconciliation_off_reads_no_user_list(emulator: EmulatorServer) -> None:
    with DirectorService(
        service_client(emulator), notify_secret=NOTIFY_SECRET, resync=False
    ) as service:
        assert service.hub.reconciler is None
        recording = record(emulator, "off")
        attach(service.url, recording)
        assert described(service.url, recording.sid)["participants"] == []


def test_channels_are_due_once_a_jittered_period_and_forgotten_when_no_longer_directed() -> None:
    clock = HeldClock()
    directed = ["a", "b"]
    reconciler = Reconciler(
        lambda: list(directed), lambda c: None, interval=60, clock=clock, rng=random.Random(7)
    )
    assert reconciler.due() == []  # first due one period on
    clock.now += 60 * (1 + JITTER) + 0.01
    assert reconciler.due() == ["a", "b"]
    assert reconciler.due() == []  # rescheduled
    directed.remove("b")
    reconciler.gap()
    clock.now += GAP_DELAY
    assert reconciler.due() == ["a"]


def test_user_list_reads_never_take_update_layout_turns(emulator: EmulatorServer) -> None:
    emulator.join("busy", 1001, app_id=APP_ID)
    with DirectorService(service_client(emulator), notify_secret=NOTIFY_SECRET) as service:
        for _ in range(5):
            service.hub.resync("busy")
        assert service.hub.user_limiter is not service.hub.limiter
        assert service.hub.limiter.granted == 0
