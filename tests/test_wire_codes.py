"""The catalogue of Agora's error codes and the documented status/code answers of each
endpoint, held to docs/agora.md#status-and-error-codes and the zh reference."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest

from layoutkit.client import answer
from layoutkit.emulator import EmulatorApp, EmulatorState, ManualClock
from layoutkit.errors import ApiStatusError, AuthenticationError, NotFoundError, RateLimitError
from layoutkit.httpd import Request
from layoutkit.wire import CodeInfo, describe_code
from layoutkit.wire.replies import CODES, ENDPOINT_ERRORS, GATEWAY_MESSAGES
from layoutkit.wire.rules import CNAME_PUNCTUATION

DOCUMENTED_CODES = [2, 7, 8, 49, 50, 53, 62, 65, 109, 110, 400, 401, 404, 405, 406]
DOCUMENTED_CODES += [432, 433, 435, 500, 501, 502, 504, 1001, 1003, 1013, 1028]

# docs/agora.md#status-and-error-codes (docs.agora.io status-codes, 2026-06-17)
DOCUMENTED_ANSWERS: dict[str, set[tuple[int, int]]] = {
    "acquire": {(400, 2), (400, 400), (400, 401), (400, 405), (400, 406)}
    | {(500, 500), (500, 501), (500, 504)},
    "start": {(201, 7), (206, 65), (400, 2), (400, 53), (500, 502), (500, 62)},
    "query": {(206, 65), (400, 2), (404, 404), (504, 62)},
    "update": {(206, 65), (400, 2), (404, 404), (504, 62)},
    "updateLayout": {(206, 65), (400, 2), (404, 404), (504, 62)},
    "stop": {(206, 65), (206, 435), (400, 2), (400, 49), (404, 404), (504, 62)},
}
# Agora's own reason strings where the table gives one.
AGORA_REASONS = {
    7: "already started",
    49: "invalid operation",
    53: "task conflict",
    62: "request timeout",
    65: "request not completed",
    400: "invalid_appid",
    401: "invalid_channel_name",
    404: "failed to find worker",
    405: "no_active_status",
    406: "vendor_over_load",
    435: "no recorded data",
    500: "internal_error",
    502: "Failed to allocate worker",
    504: "allocate_timeout",
}


@pytest.mark.parametrize("code", DOCUMENTED_CODES)
def test_every_documented_code_has_a_reason_and_a_hint(code: int) -> None:
    info = describe_code(code)
    assert isinstance(info, CodeInfo) and info.code == code
    assert info.reason.strip() and info.hint.strip() and info.hint != info.reason


@pytest.mark.parametrize("code", [None, 0, 1, 200, 9999, -2])
def test_unknown_codes_have_no_description(code: int | None) -> None:
    assert describe_code(code) is None


def test_the_catalogue_is_keyed_by_its_own_codes_and_frozen() -> None:
    assert all(key == info.code for key, info in CODES.items())
    with pytest.raises(dataclasses.FrozenInstanceError):
        CODES[2].hint = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(("code", "reason"), sorted(AGORA_REASONS.items()))
def test_reasons_use_agoras_wording(code: int, reason: str) -> None:
    info = describe_code(code)
    assert info is not None and info.reason == reason


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (433, ("acquire", "5 minutes")),
        (1001, ("acquire",)),
        (53, ("uid",)),
        (7, ("start",)),
        (404, ("ended", "acquire")),
        (109, ("token",)),
        (8, ("Content-Type", "cloud_recording")),
        (1028, ("layoutConfig",)),
        (49, ("already stopped", "duplicate stop", "do not stop it again")),
    ],
)
def test_hints_say_what_to_do(code: int, words: tuple[str, ...]) -> None:
    info = describe_code(code)
    assert info is not None and all(word in info.hint for word in words)


def test_the_1013_hint_lists_the_channel_name_charset() -> None:
    info = describe_code(1013)
    assert info is not None and "64" in info.hint
    assert all(char in info.hint for char in CNAME_PUNCTUATION)


def test_endpoint_answers_are_the_documented_table() -> None:
    assert {name: {(s, c) for s, c, _ in rows} for name, rows in ENDPOINT_ERRORS.items()} == (
        DOCUMENTED_ANSWERS
    )
    for rows in ENDPOINT_ERRORS.values():
        assert len({(s, c) for s, c, _ in rows}) == len(rows)


@pytest.mark.parametrize(
    ("endpoint", "status", "code", "reason"),
    [(e, s, c, r) for e, rows in ENDPOINT_ERRORS.items() for s, c, r in rows],
)
def test_every_endpoint_answer_is_described(
    endpoint: str, status: int, code: int, reason: str
) -> None:
    assert status in (201, 206) or 400 <= status <= 599
    assert reason and describe_code(code) is not None
    if code in AGORA_REASONS:
        assert reason == AGORA_REASONS[code]


def gateway_answers() -> dict[str, tuple[int, str]]:
    """What the emulator's gateway answers in each situation it refuses a request in:
    situation -> (HTTP status, the `message` of its body)."""
    state = EmulatorState(
        app_ids=("app",), customer_id="id", customer_secret="s3", clock=ManualClock(), rate_limit=1
    )
    app = EmulatorApp(state)
    acquire = "/v1/apps/{}/cloud_recording/acquire"
    good = "Basic " + base64.b64encode(b"id:s3").decode()
    wrong = "Basic " + base64.b64encode(b"id:nope").decode()

    def ask(path: str, auth: str | None) -> tuple[int, str]:
        headers = {"content-type": "application/json"} | ({"authorization": auth} if auth else {})
        response = app.handle(Request("POST", path, headers, b"{}"))
        return response.status, json.loads(response.body).get("message", "")

    answers = {
        "no route": ask("/v1/apps/app/cloud_recording/nowhere", good),
        "no credentials": ask(acquire.format("app"), None),
        "wrong credentials": ask(acquire.format("app"), wrong),
        "unknown App ID": ask(acquire.format("other"), good),
    }
    ask(acquire.format("app"), good)  # the one request the limit lets through this second
    answers["over the rate limit"] = ask(acquire.format("app"), good)
    return answers


def test_the_gateway_answers_with_the_catalogued_messages() -> None:
    answers = gateway_answers()
    assert {situation: status for situation, (status, _) in answers.items()} == {
        "no route": 404,
        "no credentials": 401,
        "wrong credentials": 401,
        "unknown App ID": 400,
        "over the rate limit": 429,
    }
    seen: dict[int, list[str]] = {}
    for status, message in answers.values():
        seen.setdefault(status, []).append(message)
    # every message the gateway sends is catalogued under its status, and none other is
    assert {s: sorted(m) for s, m in seen.items()} == {
        s: sorted(m) for s, m in GATEWAY_MESSAGES.items()
    }


@pytest.mark.parametrize(
    ("status", "message"), [(s, m) for s, messages in GATEWAY_MESSAGES.items() for m in messages]
)
def test_the_client_reads_each_gateway_message(status: int, message: str) -> None:
    expected = {401: AuthenticationError, 404: NotFoundError, 429: RateLimitError}
    body = json.dumps({"message": message}).encode()
    with pytest.raises(ApiStatusError) as info:
        answer("acquire", status, body, None)
    assert type(info.value) is expected.get(status, ApiStatusError)
    assert (info.value.status_code, info.value.code, info.value.reason) == (status, None, message)
