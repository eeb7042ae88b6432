"""What the client tests share: a storageConfig (Agora requires one at start), clients
of an emulator that carry it, the emulator's control API over HTTP (faults, the request
log), what one-at-a-time per recording looks like there, and `layoutkit record` run
against an emulator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import requests
from click.testing import CliRunner

from layoutkit.cli import cli
from layoutkit.client import CloudRecordingClient, OnePerRecording, Recording, RetryPolicy
from layoutkit.emulator import EmulatorServer
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

STORAGE = {
    "vendor": 1,
    "region": 0,
    "bucket": "recordings",
    "accessKey": "ak-storage-secret-1",
    "secretKey": "sk-storage-secret-2",
}
STORAGE_SECRETS = ("ak-storage-secret-1", "sk-storage-secret-2")


def client_of(
    emulator: EmulatorServer, attempts: int = 4, *, rate_limit: int = 100_000, **more: Any
) -> CloudRecordingClient:
    """A client of `emulator` with short retry delays and the test storage for its starts
    (unless `more` gives another), with no pacing of its own unless `rate_limit` says so."""
    return CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=emulator.url,
        retry=RetryPolicy(attempts=attempts, backoff=0.01, max_backoff=0.02),
        rate_limit=rate_limit,
        **{"storage": STORAGE, **more},
    )


def faults(emulator: EmulatorServer, body: dict[str, Any]) -> requests.Response:
    """Queue faults with the emulator's control API (`POST /_emulator/faults`)."""
    return requests.post(f"{emulator.url}/_emulator/faults", json=body, timeout=5)


def answer_fault(emulator: EmulatorServer, status: int, code: int, reason: str) -> None:
    """The next API request is answered `status` with Agora's `code` and `reason`."""
    sent = faults(emulator, {"kind": "answer", "status": status, "code": code, "reason": reason})
    assert sent.status_code == 200, sent.text


def logged(emulator: EmulatorServer) -> list[dict[str, Any]]:
    """The emulator's request log (`GET /_emulator/requests`), oldest first."""
    answer = requests.get(f"{emulator.url}/_emulator/requests", timeout=5)
    assert answer.status_code == 200
    rows: list[dict[str, Any]] = answer.json()
    return rows


def calls(emulator: EmulatorServer, endpoint: str) -> list[int]:
    """The statuses the emulator answered to `endpoint`, in order."""
    return [row["status"] for row in logged(emulator) if row["endpoint"] == endpoint]


def assert_one_in_flight(
    emulator: EmulatorServer,
    endpoint: str,
    recordings: Sequence[Recording],
    turns: OnePerRecording,
    count: int,
) -> None:
    """The emulator answered `count` `endpoint` requests, all 200, never two at once for
    one of `recordings`; and the client's `turns` kept no lock after them."""
    state = emulator.state
    assert [r.status for r in state.requests if r.endpoint == endpoint] == [200] * count
    for recording in recordings:
        assert state.max_in_flight_sid[(endpoint, recording.sid)] == 1
    assert len(turns) == 0  # no lock left behind


def record_cli(emulator: EmulatorServer, *args: str) -> tuple[int, str, str]:
    """`layoutkit record ARGS...` against `emulator`, the account given in the environment
    as a user gives it: the exit code, standard output and standard error. Fails the test
    on an exception other than the command's exit (a traceback a user would see)."""
    env = {
        "AGORA_APP_ID": APP_ID,
        "AGORA_CUSTOMER_ID": CUSTOMER_ID,
        "AGORA_CUSTOMER_SECRET": CUSTOMER_SECRET,
        "AGORA_BASE_URL": emulator.url,
    }
    result = CliRunner(env=env).invoke(cli, ["record", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


__all__ = [
    "STORAGE",
    "STORAGE_SECRETS",
    "answer_fault",
    "assert_one_in_flight",
    "calls",
    "client_of",
    "faults",
    "logged",
    "record_cli",
]
