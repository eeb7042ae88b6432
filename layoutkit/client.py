"""A typed client of the Agora Cloud Recording REST API: acquire, start, update (the
subscription lists), update_layout, query, stop, and the channel management API's user
list. Every request is checked with the wire models before it leaves; answers are parsed
into response models; errors map to the `layoutkit.errors` tree with Agora's code, reason
and a hint. Works against Agora or the local emulator (`base_url`).

HTTP: Basic auth, a rate limit shared by every thread, retries with backoff where
repeating is safe. Secrets never reach logs, reprs or error texts: `redact` (JSON values)
and `redact_text` (any text) hide them by name and by shape, and requests' exceptions,
which carry the request with its headers, are never chained to ours."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import quote, urlsplit

import requests
from pydantic import BaseModel, ValidationError
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
from layoutkit.wire.api import (
    AcquireClientRequest,
    AcquireRequest,
    RecordingMode,
    StartClientRequest,
    StartRequest,
    StopClientRequest,
    StopRequest,
    StorageConfig,
    UpdateClientRequest,
    UpdateRequest,
)
from layoutkit.wire.base import WireModel
from layoutkit.wire.layout import UpdateLayoutClientRequest, UpdateLayoutRequest
from layoutkit.wire.replies import (
    HOSTS_ONLY,
    USER_LIST_PATH,
    USER_LIST_RATE,
    AcquireResponse,
    ChannelUsers,
    ChannelUsersResponse,
    GatewayError,
    QueryResponse,
    ServiceError,
    StartResponse,
    StopResponse,
    UpdateLayoutResponse,
    UpdateResponse,
    describe_code,
)

if TYPE_CHECKING:
    from layoutkit.layout.loader import Layout

log = logging.getLogger("layoutkit.client")

SECRET_KEYS = frozenset(
    {"token", "secret", "salt", "stsToken", "accessKey", "secretKey", "customer_secret"}
)
REDACTED = "***"
JSON_UTF8 = "application/json;charset=utf-8"
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


class AskedAgain:
    """The retry rule of stop, repeated only when Agora asks for it (206 with code 65, 504
    with code 62), counting the answers that asked (`times`)."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self, exc: ApiError) -> bool:
        if isinstance(exc, ApiStatusError) and (exc.status_code, exc.code) in ASKED_AGAIN:
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


DEFAULT_BASE_URL = "https://api.sd-rtn.com"
RESOURCE_TTL = 300.0  # a resource id must be used by start within 5 minutes
DUPLICATE_STOP = (400, 49)  # Agora: a second stop, or a stop while the recording exits
STORAGE = "storageConfig"
NO_STORAGE = (
    "start: storageConfig is missing, and Agora's current start reference requires it "
    "(where the files are uploaded): give the clientRequest a storageConfig (vendor, "
    "region, bucket, accessKey, secretKey), or the client one for every start "
    "(CloudRecordingClient(..., storage=...))"
)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Resource:
    """An acquired resource id, with when it was acquired (by the client's clock)."""

    resource_id: str
    cname: str
    uid: str
    acquired_at: float = field(repr=False)


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0  # threads holding or waiting for `lock`


class OnePerRecording:
    """One holder at a time per recording (resource id, sid); different recordings do not
    wait for each other. A recording's lock exists only while a thread holds or waits for
    it, so the table never outgrows the recordings being updated right now (a stopped or
    ended recording leaves nothing behind)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._slots: dict[tuple[str, str], _Slot] = {}

    @contextmanager
    def hold(self, resource_id: str, sid: str) -> Iterator[None]:
        key = (resource_id, sid)
        with self._guard:
            slot = self._slots.setdefault(key, _Slot())
            slot.users += 1
        try:
            with slot.lock:
                yield
        finally:
            with self._guard:
                slot.users -= 1
                if slot.users == 0:
                    del self._slots[key]

    def __len__(self) -> int:
        with self._guard:
            return len(self._slots)


def _check(model: type[M], body: Any, what: str, **context: Any) -> M:
    try:
        return model.model_validate(body, context=context or None)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: "
            f"{str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ApiError(f"{what}: {problems}") from None


def _wire(client_request: WireModel | Mapping[str, Any]) -> dict[str, Any]:
    """A clientRequest given as a model or as a mapping, as a dict to check and send."""
    if isinstance(client_request, WireModel):
        return client_request.to_wire()
    return dict(client_request)


def _body(cname: str, uid: str | int, client_request: dict[str, Any]) -> dict[str, Any]:
    """The body of a request about a recording: its cname, its uid and the clientRequest."""
    return {"cname": cname, "uid": uid, "clientRequest": client_request}


class CloudRecordingClient:
    """Calls the Cloud Recording REST API of one App ID.

    Credentials come from the arguments or the environment (AGORA_APP_ID,
    AGORA_CUSTOMER_ID, AGORA_CUSTOMER_SECRET) and never reach logs, reprs or error texts.
    At most 10 requests per second across all threads; retries as `Transport.call` says;
    one updateLayout and one update in flight per recording (`layout_turns`,
    `update_turns`). `on_request(method, url)` is called before each request is sent,
    with secret-looking query values hidden. `storage` is the storageConfig of every start
    whose clientRequest has none (Agora requires one).
    """

    def __init__(
        self,
        app_id: str | None = None,
        customer_id: str | None = None,
        customer_secret: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        rate_limit: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[str, str], None] | None = None,
        storage: StorageConfig | Mapping[str, Any] | None = None,
    ) -> None:
        app = app_id or os.environ.get("AGORA_APP_ID")
        key = customer_id or os.environ.get("AGORA_CUSTOMER_ID")
        secret = customer_secret or os.environ.get("AGORA_CUSTOMER_SECRET")
        missing = [
            n
            for n, v in (("app id", app), ("customer id", key), ("customer secret", secret))
            if not v
        ]
        if missing or app is None or key is None or secret is None:
            raise ApiError(
                f"missing {', '.join(missing)}: pass them, or set AGORA_APP_ID, "
                "AGORA_CUSTOMER_ID and AGORA_CUSTOMER_SECRET"
            )
        self.app_id = app
        self.customer_id = key
        self.base_url = check_base_url(base_url)
        self._clock = clock
        if storage is not None and not isinstance(storage, StorageConfig):
            storage = _check(StorageConfig, dict(storage), "storage")
        self._storage = storage
        self.layout_turns = OnePerRecording()
        self.update_turns = OnePerRecording()
        session = session or requests.Session()
        self._transport, self._users = (  # the user list is another API with its own limit
            Transport(
                self.base_url,
                (key, secret),
                session,
                timeout,
                RateLimiter(limit, sleep=sleep),
                retry or RetryPolicy(),
                sleep,
                on_request,
            )
            for limit in (rate_limit, USER_LIST_RATE)
        )

    def __repr__(self) -> str:
        return (
            f"CloudRecordingClient(app_id={self.app_id!r}, customer_id={self.customer_id!r}, "
            f"base_url={redact_text(self.base_url)!r})"
        )

    @property
    def session(self) -> requests.Session:
        return self._transport.session

    def _path(self, *parts: str) -> str:
        """`/v1/apps/APPID/cloud_recording/` and `parts` after it, each quoted."""
        tail = "/".join(quote(part, safe="") for part in parts)
        return f"/v1/apps/{quote(self.app_id, safe='')}/cloud_recording/{tail}"

    # --- the six calls --------------------------------------------------------------------

    def acquire(
        self,
        cname: str,
        uid: str | int,
        *,
        resource_expired_hour: int | None = None,
        scene: int | None = None,
    ) -> Resource:
        """A resource id for one recording; start it within 5 minutes."""
        wanted = AcquireClientRequest(resourceExpiredHour=resource_expired_hour, scene=scene)
        request = _check(AcquireRequest, _body(cname, uid, wanted.to_wire()), "acquire")
        body = self._transport.call(
            "acquire", "POST", self._path("acquire"), request.to_wire(), repeatable=True
        )
        reply = _check(AcquireResponse, body, "acquire answer")
        return Resource(reply.resource_id, request.cname, request.uid, self._clock())

    def start(
        self,
        resource: Resource | str,
        client_request: StartClientRequest | Mapping[str, Any] | None = None,
        *,
        mode: RecordingMode = "mix",
        cname: str | None = None,
        uid: str | int | None = None,
    ) -> Recording:
        """Start recording. A Resource older than 5 minutes is acquired again first.
        Never retried: a repeated start would be answered "already started". The
        clientRequest needs a storageConfig, or the client's `storage` is put in; with
        neither, an ApiError before anything is sent (no resource id is used up)."""
        payload = self._start_payload(client_request)
        if isinstance(resource, Resource):
            if self._clock() - resource.acquired_at >= RESOURCE_TTL:
                resource = self.acquire(resource.cname, resource.uid)
            resource_id, cname, uid = resource.resource_id, resource.cname, resource.uid
        else:
            resource_id = resource
        if cname is None or uid is None:
            raise ApiError("start: give the cname and uid the resource id was acquired with")
        request = _check(StartRequest, _body(cname, uid, payload), "start", mode=mode)
        path = self._path("resourceid", resource_id, "mode", mode, "start")
        body = self._transport.call("start", "POST", path, request.to_wire(), repeatable=False)
        reply = _check(StartResponse, body, "start answer")
        return Recording(
            self, reply.resource_id or resource_id, reply.sid, mode, request.cname, request.uid
        )

    def _start_payload(
        self, client_request: StartClientRequest | Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """The start clientRequest as a dict, with the client's storage put in where it
        has none; an ApiError saying how to give one when neither has it."""
        payload = _wire(client_request if client_request is not None else {})
        if payload.get(STORAGE) is not None:
            return payload
        if self._storage is None:
            raise ApiError(NO_STORAGE)
        return {**payload, STORAGE: self._storage.to_wire()}

    def update(
        self,
        resource_id: str,
        sid: str,
        cname: str,
        uid: str | int,
        subscription: UpdateClientRequest | Mapping[str, Any],
        mode: RecordingMode = "mix",
    ) -> UpdateResponse:
        """Replace the subscription lists of a running recording (mix or individual):
        `{"streamSubscribe": {"audioUidList": {...}, "videoUidList": {...}}}`, or
        `UpdateClientRequest.lists(subscribe_audio=[...], unsubscribe_video=[...])`.
        For one media, a subscribe list (only these; `["#allstream#"]` for everyone) or
        an unsubscribe list (everyone but these), not both. Calls for one recording wait
        for each other, as Agora asks: one request in flight, retries included."""
        payload = _wire(subscription)
        request = _check(UpdateRequest, _body(cname, uid, payload), "update", mode=mode).to_wire()
        body = self._push("update", self.update_turns, resource_id, sid, mode, request)
        return _check(UpdateResponse, body, "update answer")

    def update_layout(
        self,
        resource_id: str,
        sid: str,
        cname: str,
        uid: str | int,
        layout: UpdateLayoutClientRequest | Mapping[str, Any],
        mode: RecordingMode = "mix",
    ) -> UpdateLayoutResponse:
        """Replace the whole layout of a running recording. Agora takes it in mix mode
        only; the request goes to the recording's own `mode` path all the same, so the
        service's answer (not a silent mix-mode call) is what comes back. Calls for one
        recording wait for each other: one request in flight, retries included."""
        payload = _wire(layout)
        request = _check(UpdateLayoutRequest, _body(cname, uid, payload), "updateLayout").to_wire()
        body = self._push("updateLayout", self.layout_turns, resource_id, sid, mode, request)
        return _check(UpdateLayoutResponse, body, "updateLayout answer")

    def _push(
        self,
        endpoint: str,
        turns: OnePerRecording,
        resource_id: str,
        sid: str,
        mode: RecordingMode,
        request: dict[str, Any],
    ) -> dict[str, Any]:
        """Send a checked change of a running recording (`update`, `updateLayout`) to its
        own mode path, taking the recording's turn in `turns`: one in flight per
        recording, retries included. Returns the answer's JSON body."""
        path = self._path("resourceid", resource_id, "sid", sid, "mode", mode, endpoint)
        with turns.hold(resource_id, sid):
            return self._transport.call(endpoint, "POST", path, request, repeatable=True)

    def query(self, resource_id: str, sid: str, mode: RecordingMode = "mix") -> QueryResponse:
        """The recording's status and files so far."""
        path = self._path("resourceid", resource_id, "sid", sid, "mode", mode, "query")
        body = self._transport.call("query", "GET", path, None, repeatable=True)
        return _check(QueryResponse, body, "query answer")

    def stop(
        self,
        resource_id: str,
        sid: str,
        cname: str,
        uid: str | int,
        mode: RecordingMode = "mix",
        *,
        async_stop: bool | None = None,
    ) -> StopResponse:
        """Stop recording; the answer lists the uploaded files. Sent again (at most
        `RetryPolicy.attempts` times in all) while Agora answers 206 with code 65 or 504
        with code 62, as it asks; when such a repeat is answered 400 with code 49, an
        earlier try (or the recording's own exit) stopped it, and the answer is
        `StopResponse.stopped_before(...)`: `already_stopped` True, no file list."""
        wanted = StopClientRequest(async_stop=async_stop).to_wire()
        request = _check(StopRequest, _body(cname, uid, wanted), "stop", mode=mode)
        path = self._path("resourceid", resource_id, "sid", sid, "mode", mode, "stop")
        asked = AskedAgain()
        try:
            body = self._transport.call(
                "stop", "POST", path, request.to_wire(), repeatable=False, retry_if=asked
            )
        except ApiStatusError as exc:
            if asked.times and (exc.status_code, exc.code) == DUPLICATE_STOP:
                return StopResponse.stopped_before(resource_id, sid, request.cname, request.uid)
            raise
        return _check(StopResponse, body, "stop answer")

    def channel_users(self, cname: str, *, hosts_only: bool = False) -> ChannelUsers:
        """Who is in the channel now (Agora's channel management API, same credentials):
        hosts and audience in live broadcast, users in communication, nobody in a channel
        that does not exist (`channel_exist` False); `.shown` is who a layout may show.
        The service reads it to resynchronise a channel after a restart. Retried like
        query."""
        path = USER_LIST_PATH.format(
            app_id=quote(self.app_id, safe=""), cname=quote(cname, safe="")
        ) + (HOSTS_ONLY if hosts_only else "")
        body = self._users.call("user list", "GET", path, None, repeatable=True)
        return _check(ChannelUsersResponse, body, "user list answer").data

    def record(
        self,
        cname: str,
        uid: str | int,
        client_request: StartClientRequest | Mapping[str, Any] | None = None,
        *,
        mode: RecordingMode = "mix",
    ) -> Recording:
        """acquire, then start: a running Recording (use it in a `with` block). A
        clientRequest without storage (and no client `storage`) is refused before the
        acquire."""
        payload = self._start_payload(client_request)
        return self.start(self.acquire(cname, uid), payload, mode=mode)


class Recording:
    """A running recording: resource id, sid, mode, cname and uid, with the calls that
    act on it. Leaving a `with` block stops it."""

    def __init__(
        self,
        client: CloudRecordingClient,
        resource_id: str,
        sid: str,
        mode: RecordingMode,
        cname: str,
        uid: str,
    ) -> None:
        self.client = client
        self.resource_id = resource_id
        self.sid = sid
        self.mode: RecordingMode = mode
        self.cname = cname
        self.uid = uid
        self.stopped: StopResponse | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"Recording(cname={self.cname!r}, uid={self.uid!r}, mode={self.mode!r}, "
            f"sid={self.sid!r})"
        )

    def update_layout(
        self,
        layout: Layout | UpdateLayoutClientRequest | Mapping[str, Any],
        participants: Sequence[str | int] | None = None,
        roles: Mapping[str, str | int] | None = None,
    ) -> UpdateLayoutResponse:
        """Push a layout: a loaded Layout (compiled for `participants` and `roles`) or
        a ready clientRequest."""
        if isinstance(layout, UpdateLayoutClientRequest | Mapping):
            payload: UpdateLayoutClientRequest | Mapping[str, Any] = layout
        else:
            from layoutkit.compile.compiler import compile_layout

            payload = compile_layout(layout, participants, roles)
        return self.client.update_layout(
            self.resource_id, self.sid, self.cname, self.uid, payload, self.mode
        )

    def update(self, subscription: UpdateClientRequest | Mapping[str, Any]) -> UpdateResponse:
        """Replace the subscription lists (`CloudRecordingClient.update`)."""
        return self.client.update(
            self.resource_id, self.sid, self.cname, self.uid, subscription, self.mode
        )

    def query(self) -> QueryResponse:
        return self.client.query(self.resource_id, self.sid, self.mode)

    def stop(self, *, async_stop: bool | None = None) -> StopResponse:
        with self._lock:
            if self.stopped is None:
                self.stopped = self.client.stop(
                    self.resource_id,
                    self.sid,
                    self.cname,
                    self.uid,
                    self.mode,
                    async_stop=async_stop,
                )
            return self.stopped

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.stopped is None:
            try:
                self.stop()
            except NotFoundError:
                if kind is None:
                    raise
