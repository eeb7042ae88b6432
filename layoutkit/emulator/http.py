"""The emulator's own small HTTP vocabulary: a parsed request, a response, JSON helpers
and Agora's two error shapes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from layoutkit.httpd import JSON, MAX_BODY, MAX_INT_DIGITS, Request, Response, loads, reply


def service_error(status: int, code: int, reason: str, **echo: Any) -> Response:
    """`{"code": int, "reason": str}`, optionally echoing cname/uid/resourceId/sid."""
    return reply(
        status, {**{k: v for k, v in echo.items() if v is not None}, "code": code, "reason": reason}
    )


class ControlError(Exception):
    """A control API request refused: the status and the message (`{"error": ...}`)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def control_answer(work: Callable[[], Response]) -> Response:
    """What a control API handler answers, or the error it raised."""
    try:
        return work()
    except ControlError as exc:
        return reply(exc.status, {"error": exc.message})


def gateway_error(status: int, message: str) -> Response:
    """`{"message": str}`: the gateway's shape (401, 404 route, 429)."""
    return reply(status, {"message": message})


def invalid(reason: str) -> Response:
    return service_error(400, 2, reason)


def describe(exc: ValidationError, prefix: str = "") -> str:
    """A one-line account of validation errors, naming each field (under `prefix`, the
    path of the validated part in the whole body)."""
    parts = []
    for error in exc.errors():
        path = [prefix] if prefix else []
        path += [str(p) for p in error["loc"] if not str(p).startswith("function-")]
        where = ".".join(path)
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


class BodyError(Exception):
    """A request body that cannot be read as a JSON object."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or BodyError with Agora's answer."""
    if request.truncated or len(request.body) > MAX_BODY:
        raise BodyError(invalid(f"request body over {MAX_BODY // 1024} KiB"))
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind != "application/json":
        raise BodyError(
            service_error(400, 8, f"Content-Type {kind!r}: send application/json;charset=utf-8")
        )
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(invalid("request body is not UTF-8")) from None
    if not text.strip():
        raise BodyError(invalid("request body is empty; send a JSON object"))
    try:
        data = loads(text)
    except RecursionError:
        raise BodyError(invalid("request body is nested too deeply")) from None
    except json.JSONDecodeError as exc:
        raise BodyError(
            invalid(
                f"request body is not valid JSON ({exc.msg} at line "
                f"{exc.lineno} column {exc.colno})"
            )
        ) from None
    except ValueError as exc:  # an integer past MAX_INT_DIGITS
        raise BodyError(invalid(f"request body: {exc}")) from None
    if not isinstance(data, dict):
        raise BodyError(
            invalid(
                "request body must be a JSON object, not "
                f"{type(data).__name__ if data is not None else 'null'}"
            )
        )
    return data


__all__ = [
    "JSON",
    "MAX_BODY",
    "MAX_INT_DIGITS",
    "BodyError",
    "ControlError",
    "Request",
    "Response",
    "control_answer",
    "describe",
    "gateway_error",
    "invalid",
    "json_body",
    "loads",
    "reply",
    "service_error",
]
