"""map_openai_error and retry-after parsing, on real SDK exception objects (no server needed)."""

from __future__ import annotations

import email.utils
import json
import time

import httpx2
import openai
import pytest

from snapasset_desktop.errors import ProviderError
from snapasset_desktop.providers.openai_errors import map_openai_error, parse_retry_after, redact

URL = "http://127.0.0.1:9/v1/images/generations"


def status_error(
    cls: type[openai.APIStatusError],
    status: int,
    *,
    code: str | None = None,
    message: str = "Something.",
    headers: dict[str, str] | None = None,
) -> openai.APIStatusError:
    """What the SDK raises for an error answer: the error body already unwrapped."""
    body = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    response = httpx2.Response(
        status,
        headers={"x-request-id": "req_123", **(headers or {})},
        content=json.dumps({"error": body}).encode(),
        request=httpx2.Request("POST", URL),
    )
    return cls(f"Error code: {status} - {message}", response=response, body=body)


def test_rate_limit_retry_after_as_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    mapped = map_openai_error(
        status_error(openai.RateLimitError, 429, headers={"retry-after": when})
    )
    assert mapped.kind == "rate_limit" and mapped.transient
    assert mapped.retry_after is not None and 25 <= mapped.retry_after <= 30


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "7"}, 0.25),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "soon"}, None),
        ({"retry-after-ms": "nan"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(httpx2.Headers(headers)) == expected


def test_retry_after_on_server_errors_is_kept() -> None:
    mapped = map_openai_error(
        status_error(openai.InternalServerError, 503, headers={"retry-after": "4"})
    )
    assert (mapped.kind, mapped.transient, mapped.retry_after) == ("server", True, 4.0)
    assert mapped.message == "OpenAI had a problem on its side (error 503)."  # no promise: the
    # queue, which knows whether another attempt follows, says what happens next


def test_model_not_found_as_a_400_is_an_unknown_model() -> None:
    mapped = map_openai_error(
        status_error(openai.BadRequestError, 400, code="model_not_found"), model="gpt-image-7"
    )
    assert mapped.kind == "unknown_model" and not mapped.transient
    assert "“gpt-image-7”" in mapped.message


def test_other_4xx_are_permanent_invalid_requests() -> None:
    mapped = map_openai_error(
        status_error(openai.UnprocessableEntityError, 422, message="Prompt too odd.")
    )
    assert (mapped.kind, mapped.transient) == ("invalid_request", False)
    assert mapped.message == "OpenAI couldn't use this request: Prompt too odd."


def test_detail_names_status_code_and_request_id() -> None:
    mapped = map_openai_error(status_error(openai.BadRequestError, 400, code="invalid_value"))
    assert "BadRequestError" in mapped.detail
    assert "status=400" in mapped.detail
    assert "code=invalid_value" in mapped.detail
    assert "request_id=req_123" in mapped.detail


def test_connection_error_keeps_its_cause_for_the_log() -> None:
    request = httpx2.Request("POST", URL)
    try:
        try:
            raise httpx2.ConnectError("[Errno 111] Connection refused")
        except httpx2.ConnectError as cause:
            raise openai.APIConnectionError(request=request) from cause
    except openai.APIConnectionError as exc:
        mapped = map_openai_error(exc)
    assert (mapped.kind, mapped.transient) == ("network", True)
    assert "Connection refused" in mapped.detail


def test_response_validation_error_is_a_bad_response() -> None:
    response = httpx2.Response(200, content=b"{}", request=httpx2.Request("POST", URL))
    mapped = map_openai_error(openai.APIResponseValidationError(response, body={}))
    assert (mapped.kind, mapped.transient) == ("bad_response", True)


def test_json_errors_are_bad_responses() -> None:
    try:
        json.loads('{"data": [')
    except ValueError as exc:
        mapped = map_openai_error(exc)
    assert (mapped.kind, mapped.transient) == ("bad_response", True)


def test_unexpected_errors_are_permanent_and_say_so() -> None:
    mapped = map_openai_error(RuntimeError("weird"))
    assert (mapped.kind, mapped.transient) == ("provider", False)
    assert "weird" in mapped.message


def test_provider_errors_pass_through_unchanged() -> None:
    original = ProviderError("Already mapped.", kind="timeout", transient=True)
    assert map_openai_error(original) is original


def test_keys_are_masked_everywhere() -> None:
    secret = "custom-key-without-prefix"
    exc = status_error(
        openai.AuthenticationError,
        401,
        message=f"Incorrect API key provided: {secret} or sk-proj-abcdefghijklmnop.",
    )
    mapped = map_openai_error(exc, secret=secret)
    for text in (mapped.message, mapped.detail):
        assert secret not in text
        assert "abcdefghijklmnop" not in text
    assert redact("key sk-abcdefghijk end") == "key sk-abc…[redacted] end"
