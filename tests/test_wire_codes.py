"""The catalogue of Agora's error codes and the documented status/code answers of each
endpoint, held to agora-behaviour.md §7, real-traffic.md §5.3 and the zh reference."""

from __future__ import annotations

import dataclasses

import pytest

from layoutkit.wire import CodeInfo, describe_code
from layoutkit.wire.base import CNAME_PUNCTUATION
from layoutkit.wire.catalog import CODES, ENDPOINT_ERRORS, GATEWAY_MESSAGES

DOCUMENTED_CODES = [2, 7, 8, 49, 50, 53, 62, 65, 109, 110, 400, 401, 404, 405, 406]
DOCUMENTED_CODES += [432, 433, 435, 500, 501, 502, 504, 1001, 1003, 1013, 1028]

# agora-behaviour.md §7 = real-traffic.md §5.3 (docs.agora.io status-codes, 2026-06-17)
DOCUMENTED_ANSWERS: dict[str, set[tuple[int, int]]] = {
    "acquire": {(400, 2), (400, 400), (400, 401), (400, 405), (400, 406)}
    | {(500, 500), (500, 501), (500, 504)},
    "start": {(201, 7), (206, 65), (400, 2), (400, 53), (500, 502), (500, 62)},
    "query": {(206, 65), (400, 2), (404, 404), (504, 62)},
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


def test_gateway_messages_are_the_documented_ones() -> None:
    assert GATEWAY_MESSAGES == {
        400: ["appid is invalid"],
        401: ["Unauthorized", "Invalid authentication credentials"],
        404: ["no Route matched with those values"],
        429: ["API rate limit exceeded"],
    }
