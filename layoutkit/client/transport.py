"""HTTP for the client: Basic auth, a rate limit shared by every thread, retries with
backoff where repeating is safe, and Agora's answers turned into the error tree.
Secrets never reach logs, reprs or error texts: `redact` (JSON values) and `redact_text`
(any text) hide them by name and by shape, and requests' exceptions, which carry the
request with its headers, are never chained to ours."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from pydantic import ValidationError
from requests.auth import AuthBase

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
from layoutkit.wire.replies import GatewayError, ServiceError

log = logging.getLogger("layoutkit.client")

SECRET_KEYS = frozenset(
    {"token", "secret", "salt", "stsToken", "accessKey", "secretKey", "customer_secret"}
)
REDACTED = "***"
JSON_UTF8 = "application/json;charset=utf-8"
RETRY_STATUSES = frozenset({500, 502, 503, 504})
NOT_COMPLETED = (206, 65)  # Agora: "request not completed", repeat the request
ASKED_AGAIN = frozenset({NOT_COMPLETED, (504, 62)})  # Agora: repeat the request (stop too)
TRANSIENT: tuple[type[ApiError], ...] = (
    TransportError,
    ServerError,
    RateLimitError,
    NotCompletedError,
)

# a name is secret when, squeezed to lower-case letters and digits, it contains one of
# these, or one of its words (camelCase, snake_case, kebab-case) is one of SECRET_WORDS,
# or its last word is "key" (accessKey, privateKey, api_key, key)
SECRET_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
    "signature",
    "authorization",
)
SECRET_WORDS = frozenset({"auth", "pwd", "salt", "sts", "sig", "cookie"})
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#]*@")
_PARAM = re.compile(r"(?<![\w.~-])([\w.~\[\]-]+)=([^&#\s'\"]*)")
_HEADER = re.compile(r"(?i)\b(basic|bearer|digest)\s+[A-Za-z0-9+/=._~-]{6,}")


def is_secret_name(name: str) -> bool:
    """Whether a key or parameter name looks like it holds a secret."""
    squeezed = re.sub(r"[^a-z0-9]", "", name.lower())
    if name in SECRET_KEYS or any(part in squeezed for part in SECRET_PARTS):
        return True
    words = [w.lower() for w in _WORDS.findall(name)]
    return bool(words) and (words[-1] == "key" or any(w in SECRET_WORDS for w in words))


def redact_text(text: str) -> str:
    """Text with URL userinfo (`https://user:pass@host` -> `https://***@host`), secret
    `name=value` pairs (query strings and the like) and Authorization values hidden."""
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
    text = _PARAM.sub(
        lambda m: f"{m.group(1)}={REDACTED}" if is_secret_name(m.group(1)) else m.group(0), text
    )
    return _HEADER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def redact(value: Any) -> Any:
    """A copy of a JSON value with every secret-looking field replaced by *** and every
    string passed through `redact_text`."""
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and is_secret_name(k) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; an ApiError when it carries credentials."""
    try:
        parts = urlsplit(base_url)
    except ValueError:
        raise ApiError(f"base_url {redact_text(base_url)!r} is not a URL") from None
    if "@" in parts.netloc:
        raise ApiError(
            f"base_url {redact_text(base_url)!r} carries credentials (user:password@); "
            "pass them as customer_id and customer_secret instead"
        )
    return base_url.rstrip("/")


class BasicAuth(AuthBase):
    """HTTP Basic auth with the credentials encoded as UTF-8 by us (requests would encode
    them as Latin-1 and raise an error holding the secret). Holds only the header value,
    and never shows it."""

    def __init__(self, key: str, secret: str) -> None:
        token = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"BasicAuth({REDACTED})"


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


def asked_again(exc: ApiError) -> bool:
    """Whether the answer is one of Agora's "repeat the request": 206 with code 65
    (request not completed) or 504 with code 62 (request timeout)."""
    return isinstance(exc, ApiStatusError) and (exc.status_code, exc.code) in ASKED_AGAIN


class AskedAgain:
    """The retry rule of a call that is repeated only when Agora asks for it (stop):
    `asked_again`, counting the answers that asked (`times`), so that the caller knows a
    later answer came to a repeated request."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self, exc: ApiError) -> bool:
        if asked_again(exc):
            self.times += 1
            return True
        return False


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
        self.base_url = check_base_url(base_url)
        self._auth = BasicAuth(*auth)
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
        retry_if: Callable[[ApiError], bool] | None = None,
    ) -> dict[str, Any]:
        """The JSON object of a successful answer; ApiError subclasses otherwise.

        `repeatable` calls (query, update, updateLayout, the user list) are retried on
        connection errors, timeouts, 5xx and 206 with code 65 (NotCompletedError); a call
        that is not is retried on the transient failures `retry_if` accepts (stop: the
        answers in which Agora asks for it again, `AskedAgain`). Every call is retried on
        429, which the gateway answers before anything is done. When the retries run out
        the last of those exceptions is raised (all of them are transient, `TRANSIENT`).
        """
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            try:
                return self._once(endpoint, method, url, body)
            except TRANSIENT as exc:
                retry = (
                    isinstance(exc, RateLimitError)
                    or repeatable
                    or (retry_if is not None and retry_if(exc))
                )
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
        shown = redact_text(url)
        if self.on_request is not None:
            self.on_request(method, shown)
        log.debug("%s %s %s", method, shown, json.dumps(redact(body)) if body is not None else "")
        # Agora's references give every request, a GET too, Content-Type application/json
        # (the channel management API answers 415 without it)
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json" if body is None else JSON_UTF8,
        }
        failure = ""
        try:
            response = self.session.request(
                method,
                url,
                data=json.dumps(body).encode("utf-8") if body is not None else None,
                headers=headers,
                auth=self._auth,
                timeout=self.timeout,
            )
        except requests.Timeout:
            failure = f"no answer within {self.timeout:g} s"
        except requests.ConnectionError:
            failure = f"cannot connect to {redact_text(self.base_url)}"
        except (requests.RequestException, ValueError) as exc:  # UnicodeError is a ValueError
            failure = f"request failed ({type(exc).__name__})"
        if failure:
            # raised outside the except blocks: requests' exception (its request carries
            # the Authorization header) is neither the cause nor the context of ours
            raise TransportError(f"{endpoint}: {failure}") from None
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


def error_fields(body: Any) -> tuple[int | None, str | None]:
    """The code and reason of an error body, read with the wire's error shapes: the
    service's `{"code", "reason"}` (`ServiceError`, with the reason perhaps nested in
    `serverResponse.payload.message`) or the gateway's `{"message"}` (`GatewayError`).
    (None, None) for a body of neither shape."""
    code: int | None = None
    reason: str | None = None
    try:
        service = ServiceError.model_validate(body)
    except ValidationError:
        pass
    else:
        code, reason = service.code, service.message()
    if not reason:
        with contextlib.suppress(ValidationError):
            reason = GatewayError.model_validate(body).message or None
    return code, reason


def status_error(endpoint: str, status: int, body: Any, request_id: str | None) -> ApiStatusError:
    code, reason = error_fields(body)
    info = describe_code(code, endpoint)
    text = f"{endpoint}: HTTP {status}"
    if code is not None:
        text += f", code {code}"
    detail = reason or (info.reason if info else None)
    if detail:
        text += f": {redact_text(str(detail))}"
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
        reason=redact_text(reason) if reason is not None else None,
        body=redact(body),
        request_id=request_id,
        hint=hint,
    )


def _status_hint(status: int) -> str | None:
    return {
        401: "check the customer id and secret (AGORA_CUSTOMER_ID, AGORA_CUSTOMER_SECRET)",
        404: "check the URL, the resource id and the sid; the recording may have ended",
        429: "more than 10 requests per second for this App ID; slow down",
    }.get(status)
