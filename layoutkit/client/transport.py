"""HTTP for the client: Basic auth, a rate limit shared by every thread, retries with
backoff where repeating is safe, and Agora's answers turned into the error tree.
Secrets never reach logs, reprs or error texts."""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from layoutkit.errors import (
    ApiError,
    ApiStatusError,
    AuthenticationError,
    NotCompletedError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from layoutkit.wire.catalog import describe_code

log = logging.getLogger("layoutkit.client")

SECRET_KEYS = frozenset(
    {"token", "secret", "salt", "stsToken", "accessKey", "secretKey", "customer_secret"}
)
REDACTED = "***"
RETRY_STATUSES = frozenset({500, 502, 503, 504})
NOT_COMPLETED = (206, 65)  # Agora: "request not completed", repeat the request
TRANSIENT: tuple[type[ApiError], ...] = (
    TransportError,
    ServerError,
    RateLimitError,
    NotCompletedError,
)


def redact(value: Any) -> Any:
    """A copy of a JSON value with every secret field replaced by ***."""
    if isinstance(value, Mapping):
        return {k: REDACTED if k in SECRET_KEYS else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class RateLimiter:
    """At most `limit` requests in any `window` seconds, across all threads. The default
    window is a little over Agora's second, so that jitter on the way cannot make the
    service count 11 requests in one of its seconds."""

    def __init__(
        self,
        limit: int = 10,
        window: float = 1.15,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait for a free slot, then take it."""
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                wait = self.window - (now - self._sent[0])
            self._sleep(max(wait, 0.001))


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. `attempts` counts the first try."""

    attempts: int = 4
    backoff: float = 0.25
    max_backoff: float = 4.0

    def delay(self, attempt: int) -> float:
        base: float = min(self.max_backoff, self.backoff * 2.0**attempt)
        return base * (0.5 + random.random() / 2)


class Transport:
    """Sends one API call, with rate limit and retries, and returns the JSON body."""

    def __init__(
        self,
        base_url: str,
        auth: tuple[str, str],
        session: requests.Session | None,
        timeout: float,
        limiter: RateLimiter,
        retry: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[str, str], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self.session = session or requests.Session()
        self.timeout = timeout
        self.limiter = limiter
        self.retry = retry
        self._sleep = sleep
        self.on_request = on_request

    def call(
        self,
        endpoint: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        repeatable: bool,
    ) -> dict[str, Any]:
        """The JSON object of a successful answer; ApiError subclasses otherwise.

        `repeatable` calls (query, updateLayout) are retried on connection errors,
        timeouts, 5xx and 206 with code 65 (NotCompletedError); every call is retried on
        429, which the gateway answers before anything is done. When the retries run out
        the last of those exceptions is raised (all of them are transient, `TRANSIENT`).
        """
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            try:
                return self._once(endpoint, method, url, body)
            except TRANSIENT as exc:
                retry = isinstance(exc, RateLimitError) or repeatable
                attempt += 1
                if not retry or attempt >= self.retry.attempts:
                    raise
                delay = self.retry.delay(attempt - 1)
                if isinstance(exc, RateLimitError):  # wait for the service's window to pass
                    delay = max(delay, self.limiter.window)
                log.info("%s: %s; retry %d in %.2fs", endpoint, exc.message, attempt, delay)
                self._sleep(delay)

    def _once(
        self, endpoint: str, method: str, url: str, body: dict[str, Any] | None
    ) -> dict[str, Any]:
        self.limiter.acquire()
        if self.on_request is not None:
            self.on_request(method, url)
        log.debug("%s %s %s", method, url, json.dumps(redact(body)) if body is not None else "")
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json;charset=utf-8"
        try:
            response = self.session.request(
                method,
                url,
                data=json.dumps(body).encode("utf-8") if body is not None else None,
                headers=headers,
                auth=self._auth,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise TransportError(f"{endpoint}: no answer within {self.timeout:g} s") from exc
        except requests.ConnectionError as exc:
            raise TransportError(f"{endpoint}: cannot connect to {self.base_url}") from exc
        except requests.RequestException as exc:
            raise TransportError(f"{endpoint}: request failed ({type(exc).__name__})") from exc
        log.debug("%s answered %d", endpoint, response.status_code)
        return answer(
            endpoint, response.status_code, response.content, response.headers.get("X-Request-ID")
        )


def answer(endpoint: str, status: int, content: bytes, request_id: str | None) -> dict[str, Any]:
    """A successful body, or the exception an error answer stands for."""
    try:
        body: Any = json.loads(content) if content else None
    except ValueError:
        body = None
    if status == 200 and isinstance(body, dict):
        return body
    if status == 200:
        raise ApiError(f"{endpoint}: the service answered 200 without a JSON object")
    raise status_error(endpoint, status, body, request_id)


def status_error(endpoint: str, status: int, body: Any, request_id: str | None) -> ApiStatusError:
    code = reason = None
    if isinstance(body, dict):
        raw = body.get("code")
        code = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
        reason = body.get("reason") or body.get("message")
        server = body.get("serverResponse")
        nested = server.get("payload") if isinstance(server, dict) else None
        if reason is None and isinstance(nested, dict):
            reason = nested.get("message")
    info = describe_code(code, endpoint)
    text = f"{endpoint}: HTTP {status}"
    if code is not None:
        text += f", code {code}"
    detail = reason or (info.reason if info else None)
    if detail:
        text += f": {detail}"
    cls: type[ApiStatusError] = ApiStatusError
    if status == 401:
        cls = AuthenticationError
    elif status == 404:
        cls = NotFoundError
    elif status == 429:
        cls = RateLimitError
    elif status >= 500:
        cls = ServerError
    elif (status, code) == NOT_COMPLETED:
        cls = NotCompletedError
    hint = info.hint if info else _status_hint(status)
    return cls(
        text,
        status_code=status,
        code=code,
        reason=reason,
        body=body,
        request_id=request_id,
        hint=hint,
    )


def _status_hint(status: int) -> str | None:
    return {
        401: "check the customer id and secret (AGORA_CUSTOMER_ID, AGORA_CUSTOMER_SECRET)",
        404: "check the URL, the resource id and the sid; the recording may have ended",
        429: "more than 10 requests per second for this App ID; slow down",
    }.get(status)


__all__ = [
    "REDACTED",
    "SECRET_KEYS",
    "TRANSIENT",
    "RateLimiter",
    "RetryPolicy",
    "Transport",
    "answer",
    "redact",
    "status_error",
]
