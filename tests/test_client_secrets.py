"""Secrets stay secret: Unicode secrets, no chained requests exceptions, redaction by
shape (names, URL query values, URL userinfo), and base URLs with credentials refused."""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Iterator

import pytest
import requests
from agora_rules import VALID_START

from layoutkit.client import CloudRecordingClient, RetryPolicy, redact, redact_text
from layoutkit.emulator import EmulatorServer, ManualClock
from layoutkit.errors import ApiError, AuthenticationError, TransportError
from layoutkit.pytest_plugin import APP_ID, CUSTOMER_ID, CUSTOMER_SECRET

UNICODE_SECRET = "пароль-密码-🔑-sécret"
FAST = RetryPolicy(attempts=1)


def header_of(key: str, secret: str) -> str:
    return base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")


def chain(error: BaseException) -> Iterator[BaseException]:
    """The error and every exception reachable through __cause__ and __context__."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__]
    yield from seen


def assert_hidden(error: BaseException, *secrets: str) -> None:
    for item in chain(error):
        assert not isinstance(item, requests.RequestException), "requests' error is chained"
        texts = [str(item), repr(item), repr(item.args), repr(vars(item))]
        for text in texts:
            for secret in secrets:
                assert secret not in text


@pytest.fixture
def unicode_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(
        app_ids=(APP_ID,),
        customer_id=CUSTOMER_ID,
        customer_secret=UNICODE_SECRET,
        clock=ManualClock(),
    ) as server:
        yield server


def test_a_non_latin1_secret_is_sent_as_utf8(
    unicode_emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = CloudRecordingClient(
        APP_ID, CUSTOMER_ID, UNICODE_SECRET, base_url=unicode_emulator.url, retry=FAST
    )
    resource = client.acquire("room", 7)  # was: UnicodeEncodeError holding the secret
    assert resource.resource_id
    wrong = CloudRecordingClient(
        APP_ID, CUSTOMER_ID, UNICODE_SECRET + "ü", base_url=unicode_emulator.url, retry=FAST
    )
    with pytest.raises(AuthenticationError) as info:
        wrong.acquire("room", 7)
    secrets = (UNICODE_SECRET, header_of(CUSTOMER_ID, UNICODE_SECRET))
    assert_hidden(info.value, *secrets)
    for text in (caplog.text, repr(client), repr(wrong), str(vars(client))):
        for secret in secrets:
            assert secret not in text


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_errors_carry_no_request_headers() -> None:
    client = CloudRecordingClient(
        APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url=f"http://127.0.0.1:{closed_port()}"
    )
    client._transport.retry = FAST
    with pytest.raises(TransportError, match="cannot connect") as info:
        client.acquire("room", 7)
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert_hidden(info.value, CUSTOMER_SECRET, header_of(CUSTOMER_ID, CUSTOMER_SECRET))


def test_timeouts_carry_no_request_headers(agora_emulator: EmulatorServer) -> None:
    client = CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=agora_emulator.url,
        timeout=0.2,
        retry=FAST,
    )
    agora_emulator.state.fault_delay = 0.5
    agora_emulator.inject("timeout")
    with pytest.raises(TransportError, match="no answer within") as info:
        client.acquire("room", 7)
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert_hidden(info.value, CUSTOMER_SECRET, header_of(CUSTOMER_ID, CUSTOMER_SECRET))


SHAPED = {
    "extensionServices": [
        {
            "serviceName": "aliyun_vod_service",
            "serviceParam": {
                "apiKey": "apikey-shaped-1",
                "password": "password-shaped-2",
                "privateKey": "private-shaped-3",
                "auth_token": "auth-shaped-4",
                "callback": "https://hooks.example.com/cb?token=query-shaped-5&room=7",
                "upload": "https://uploader:userinfo-shaped-6@store.example.com/bucket",
                "signed": "https://s.example.com/o?X-Amz-Signature=sig-shaped-7&key=key-shaped-8",
            },
        }
    ]
}
SHAPED_SECRETS = [f"shaped-{n}" for n in range(1, 9)]


def test_secrets_in_extension_config_are_redacted_by_shape(
    agora_emulator: EmulatorServer,
    agora_client: CloudRecordingClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    agora_emulator.join("httpClient463224", 1001)
    request = {**VALID_START["clientRequest"], "extensionServiceConfig": SHAPED}
    try:
        agora_client.start(agora_client.acquire("httpClient463224", "527841"), request)
    except ApiError as error:  # whatever the emulator says of it, nothing may leak
        assert_hidden(error, *SHAPED_SECRETS)
    assert "extensionServiceConfig" in caplog.text  # the body was logged...
    for secret in SHAPED_SECRETS:  # ...without its secrets
        assert secret not in caplog.text
    assert "https://***@store.example.com/bucket" in caplog.text
    assert "room=7" in caplog.text and "serviceName" in caplog.text


def test_redaction_keeps_what_is_not_secret() -> None:
    kept = {"cname": "room", "uid": "7", "region": 3, "monkey": "m", "keyframes": 2}
    assert redact(kept) == kept
    assert redact_text("https://api.sd-rtn.com/v1/apps/x?room=7") == (
        "https://api.sd-rtn.com/v1/apps/x?room=7"
    )
    assert redact_text("ftp://a:b@c/d?password=p&passwd=q") == (
        "ftp://***@c/d?password=***&passwd=***"
    )
    assert redact_text("Authorization: Basic dXNlcjpwYXNzd29yZA==") == ("Authorization: Basic ***")


def test_a_base_url_with_credentials_is_refused() -> None:
    with pytest.raises(ApiError, match="customer_id and customer_secret") as info:
        CloudRecordingClient(
            APP_ID, CUSTOMER_ID, CUSTOMER_SECRET, base_url="https://me:pa55word@api.sd-rtn.com"
        )
    assert_hidden(info.value, "pa55word", "me:")


def test_on_request_sees_redacted_urls(agora_emulator: EmulatorServer) -> None:
    seen: list[str] = []
    client = CloudRecordingClient(
        APP_ID,
        CUSTOMER_ID,
        CUSTOMER_SECRET,
        base_url=agora_emulator.url + "/x;token=semi-secret",
        retry=FAST,
        on_request=lambda method, url: seen.append(url),
    )
    with pytest.raises(ApiError) as info:
        client.acquire("room", 7)
    assert seen and all("semi-secret" not in url for url in seen)
    assert_hidden(info.value, "semi-secret", CUSTOMER_SECRET)
    assert "semi-secret" not in repr(client)
