"""A pytest plugin (entry point `pytest11`): `agora_emulator`, a running Cloud
Recording emulator on 127.0.0.1, and `agora_client`, a client bound to it. pytest loads it
in every project that installs layoutkit, so the client and the emulator (and requests)
are imported only inside the fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from layoutkit.client import CloudRecordingClient
    from layoutkit.emulator import EmulatorServer

APP_ID = "test-app-id"
CUSTOMER_ID = "test-customer-id"
CUSTOMER_SECRET = "test-customer-secret"
STORAGE = {
    "vendor": 1,
    "region": 0,
    "bucket": "layoutkit-test-bucket",
    "accessKey": "test-access-key",
    "secretKey": "test-secret-key",
}
"""The storageConfig `agora_client` puts into every start (Agora requires one; the
emulator uploads nothing)."""


@pytest.fixture
def agora_emulator() -> Iterator[EmulatorServer]:
    """A running emulator for one App ID (`APP_ID`), with test credentials."""
    from layoutkit.emulator import EmulatorServer

    with EmulatorServer(
        app_ids=(APP_ID,), customer_id=CUSTOMER_ID, customer_secret=CUSTOMER_SECRET
    ) as server:
        yield server


@pytest.fixture
def agora_client(agora_emulator: EmulatorServer) -> CloudRecordingClient:
    """A client of `agora_emulator`, with short retry delays and `STORAGE` for starts."""
    from layoutkit.client import CloudRecordingClient, RetryPolicy

    return CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=agora_emulator.url,
        timeout=5.0,
        retry=RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.1),
        storage=STORAGE,
    )
