"""A start needs a storageConfig (Agora's current start reference marks it required): the
client refuses a start without one before anything is sent, says how to give it, and
puts its own `storage` into starts that have none. Against the emulator over HTTP."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import requests
from client_helpers import STORAGE, STORAGE_SECRETS, client_of, logged

from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer
from layoutkit.errors import ApiError
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET
from layoutkit.wire import StartClientRequest, StorageConfig

OTHER_STORAGE = {**STORAGE, "bucket": "elsewhere"}


def bare_client(emulator: EmulatorServer) -> CloudRecordingClient:
    """A client without storage of its own."""
    return CloudRecordingClient(APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=emulator.url)


def sent_starts(client: CloudRecordingClient) -> list[dict[str, Any]]:
    """The bodies of the start requests the client sends from now on, as they left."""
    bodies: list[dict[str, Any]] = []

    def keep(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.url and response.request.url.endswith("/start"):
            raw = response.request.body
            bodies.append(json.loads(raw if isinstance(raw, bytes | str) else b"{}"))

    client.session.hooks["response"].append(keep)
    return bodies


def test_a_start_without_storage_is_refused_before_sending(
    emulator: EmulatorServer,
) -> None:
    client = bare_client(emulator)
    resource = client.acquire("room", 99)
    for request in (None, {}, {"recordingConfig": {"maxIdleTime": 30}}, {"storageConfig": None}):
        with pytest.raises(ApiError) as info:
            client.start(resource, request)
        message = str(info.value)
        assert message.startswith("start: storageConfig is missing")
        assert "vendor, region, bucket, accessKey, secretKey" in message
        assert "storage=" in message
    assert [row["endpoint"] for row in logged(emulator)] == ["acquire"]


def test_record_without_storage_is_refused_before_the_acquire(
    emulator: EmulatorServer,
) -> None:
    with pytest.raises(ApiError, match="storageConfig is missing"):
        bare_client(emulator).record("room", 99)
    assert logged(emulator) == []


def test_the_clients_storage_goes_into_starts_without_one(emulator: EmulatorServer) -> None:
    emulator.join("room", 1001)
    client = client_of(emulator)
    bodies = sent_starts(client)
    client.record("room", 99, {"recordingConfig": {"maxIdleTime": 30}})
    client.record("room", 98)
    assert [body["clientRequest"]["storageConfig"] for body in bodies] == [STORAGE, STORAGE]
    assert bodies[0]["clientRequest"]["recordingConfig"] == {"maxIdleTime": 30}


def test_a_requests_own_storage_wins(emulator: EmulatorServer) -> None:
    emulator.join("room", 1001)
    client = client_of(emulator)
    bodies = sent_starts(client)
    client.record("room", 99, {"storageConfig": OTHER_STORAGE})
    model = StartClientRequest.model_validate({"storageConfig": OTHER_STORAGE})
    client.record("room", 98, model)
    bare = bare_client(emulator)
    bare_bodies = sent_starts(bare)
    bare.record("room", 97, model)
    stored = [b["clientRequest"]["storageConfig"] for b in [*bodies, *bare_bodies]]
    assert stored == [OTHER_STORAGE] * 3


def test_the_clients_storage_is_checked_and_kept_secret(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ApiError) as info:
        client_of(emulator, storage={**STORAGE, "region": 17})
    assert str(info.value).startswith("storage: ")
    assert "region 17 is not a region of vendor 1" in str(info.value)
    assert not any(secret in str(info.value) for secret in STORAGE_SECRETS)
    typed = client_of(emulator, storage=StorageConfig.model_validate(STORAGE))
    caplog.set_level(logging.DEBUG)
    emulator.join("room", 1001)
    recording = typed.record("room", 99)
    recording.stop()
    for text in (repr(typed), str(typed.__dict__), repr(recording), caplog.text):
        assert not any(secret in text for secret in STORAGE_SECRETS)
    assert '"accessKey": "***", "secretKey": "***"' in caplog.text  # logged, masked
