"""Agora's error codes with a readable reason and a hint for each, and the documented
status/code answers of each endpoint (docs/agora.md#status-and-error-codes). The
client uses it to explain errors; the emulator to answer like the service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeInfo:
    code: int
    reason: str
    hint: str


_CODES = [
    CodeInfo(2, "invalid parameter", "check the request fields: types, case and required ones"),
    CodeInfo(7, "already started", "this resource id is recording already; do not start it twice"),
    CodeInfo(
        8,
        "bad HTTP request header",
        "send Content-Type application/json to a URL with /cloud_recording/ and the right method",
    ),
    CodeInfo(
        49,
        "invalid operation",
        "the recording was already stopped, so this is a duplicate stop: do not stop it "
        "again; the first stop's answer lists the files (Agora also answers it while the "
        "recording is exiting on its own: removed from the channel, or maxIdleTime)",
    ),
    CodeInfo(50, "stop timed out waiting for uploads", "query later, or stop with async_stop"),
    CodeInfo(
        53,
        "task conflict",
        "a recording with this cname and uid is running; use another recording uid",
    ),
    CodeInfo(
        62,
        "request timeout",
        "the service timed out; retry (the client repeats query, update, updateLayout and stop)",
    ),
    CodeInfo(
        65,
        "request not completed",
        "Agora asks to repeat the request (the client repeats query, update, updateLayout "
        "and stop; a start it leaves to you: one that went through answers 201 code 7)",
    ),
    CodeInfo(109, "token expired", "generate a new token for the recording uid"),
    CodeInfo(110, "token invalid", "the token must be for the recording uid and this channel"),
    CodeInfo(400, "invalid_appid", "enable Cloud Recording for this App ID"),
    CodeInfo(401, "invalid_channel_name", "check the channel name"),
    CodeInfo(
        404,
        "failed to find worker",
        "the recording has ended (stop, or maxIdleTime with nobody in the channel); "
        "acquire and start a new one",
    ),
    CodeInfo(405, "no_active_status", "the App ID is not active for Cloud Recording"),
    CodeInfo(406, "vendor_over_load", "retry later"),
    CodeInfo(
        432,
        "request parameters do not match the resource id",
        "use the App ID, cname and uid the resource id was acquired with",
    ),
    CodeInfo(433, "resource id expired", "acquire a new resource id and start within 5 minutes"),
    CodeInfo(435, "no recorded data", "nobody published in the channel, so nothing was recorded"),
    CodeInfo(500, "internal_error", "retry acquire later"),
    CodeInfo(
        501, "recording service exiting", "the recording is stopping; no more queries or updates"
    ),
    CodeInfo(502, "Failed to allocate worker", "retry start later"),
    CodeInfo(504, "allocate_timeout", "retry acquire later"),
    CodeInfo(1001, "resource id cannot be decrypted", "acquire a new resource id"),
    CodeInfo(
        1003,
        "App ID or sid does not match the resource id",
        "use the resource id, App ID and sid of one recording together",
    ),
    CodeInfo(
        1013,
        "invalid channel name",
        "channel names are 1-64 bytes of letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~,",
    ),
    CodeInfo(
        1028,
        "invalid updateLayout body",
        "check mixedVideoLayout and layoutConfig (x_axis, y_axis, width, height in [0, 1])",
    ),
]
CODES: dict[int, CodeInfo] = {info.code: info for info in _CODES}

GATEWAY_MESSAGES: dict[int, list[str]] = {
    400: ["appid is invalid"],
    401: ["Unauthorized", "Invalid authentication credentials"],
    404: ["no Route matched with those values"],
    429: ["API rate limit exceeded"],
}

# endpoint -> documented (HTTP status, code, reason) answers besides success
ENDPOINT_ERRORS: dict[str, list[tuple[int, int, str]]] = {
    "acquire": [
        (400, 2, "invalid parameter"),
        (400, 400, "invalid_appid"),
        (400, 401, "invalid_channel_name"),
        (400, 405, "no_active_status"),
        (400, 406, "vendor_over_load"),
        (500, 500, "internal_error"),
        (500, 501, "no_worker_manager_available"),
        (500, 504, "allocate_timeout"),
    ],
    "start": [
        (201, 7, "already started"),
        (206, 65, "request not completed"),
        (400, 2, "invalid parameter"),
        (400, 53, "task conflict"),
        (500, 502, "Failed to allocate worker"),
        (500, 62, "request timeout"),
    ],
    "query": [
        (206, 65, "request not completed"),
        (400, 2, "invalid parameter"),
        (404, 404, "failed to find worker"),
        (504, 62, "request timeout"),
    ],
    "update": [
        (206, 65, "request not completed"),
        (400, 2, "invalid parameter"),
        (404, 404, "failed to find worker"),
        (504, 62, "request timeout"),
    ],
    "updateLayout": [
        (206, 65, "request not completed"),
        (400, 2, "invalid parameter"),
        (404, 404, "failed to find worker"),
        (504, 62, "request timeout"),
    ],
    "stop": [
        (206, 65, "request not completed"),
        (206, 435, "no recorded data"),
        (400, 2, "invalid parameter"),
        (400, 49, "invalid operation"),
        (404, 404, "failed to find worker"),
        (504, 62, "request timeout"),
    ],
}


def describe_code(code: int | None, endpoint: str | None = None) -> CodeInfo | None:
    """What an Agora error code means and what to do about it. Some codes mean different
    things per endpoint (501 on acquire is "no_worker_manager_available", elsewhere "service
    exiting"): with `endpoint`, that endpoint's documented reason wins."""
    if code is None:
        return None
    info = CODES.get(code)
    for _, row_code, reason in ENDPOINT_ERRORS.get(endpoint or "", []):
        if row_code == code and (info is None or info.reason != reason):
            return CodeInfo(code, reason, "retry later; if it persists, ask Agora support")
    return info
