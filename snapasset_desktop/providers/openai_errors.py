"""Turn what the OpenAI SDK raises into a ProviderError a designer can read.

The `transient` flag is the contract with the job queue: connection trouble,
timeouts, 408/409/429/5xx and garbled answers are retried (with `retry_after`
from the server's headers when it gave one); auth, refusals, bad requests,
unknown models and an exhausted quota fail at once. A message says what went
wrong, not what happens next: the queue says that (`queue.retry`), because
only it knows whether another attempt follows and when. `detail` keeps the status,
error code, request id and SDK text for the log, with anything key-shaped masked.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Mapping

from snapasset_desktop.errors import ProviderError

REFUSAL_CODES = frozenset({"moderation_blocked", "content_policy_violation"})
UNKNOWN_MODEL_CODES = frozenset({"model_not_found"})
QUOTA_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached"})

_KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9_*-]{3})[A-Za-z0-9_*-]{4,}")


def redact(text: str, *secrets: str | None) -> str:
    """Mask API keys (the given ones, and anything shaped like `sk-…`)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _KEY_LIKE.sub(r"\1…[redacted]", text)


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait, from `retry-after-ms`, then `retry-after` (seconds or an HTTP date).

    Same precedence as the SDK's own retry loop, so our job queue and the SDK agree.
    """
    if not headers:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    value = headers.get("retry-after")
    parsed = email.utils.parsedate_tz(value) if value else None
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _error_body(exc: BaseException) -> Mapping[str, object]:
    body = getattr(exc, "body", None)  # the SDK already unwraps {"error": {...}}
    return body if isinstance(body, Mapping) else {}


def _server_message(exc: BaseException) -> str:
    message = _error_body(exc).get("message")
    if isinstance(message, str) and message.strip():
        return message.strip()
    return str(getattr(exc, "message", "") or exc).strip()


def _detail(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    parts = [type(exc).__name__]
    status = getattr(exc, "status_code", None)
    if status is not None:
        parts.append(f"status={status}")
    if getattr(exc, "code", None):
        parts.append(f"code={exc.code}")  # type: ignore[attr-defined]
    request_id = getattr(exc, "request_id", None)
    if request_id is None and response is not None:
        request_id = response.headers.get("x-request-id")
    if request_id:
        parts.append(f"request_id={request_id}")
    cause = exc.__cause__ or exc.__context__
    text = f"{' '.join(parts)}: {exc}"
    if cause is not None:
        text += f" (caused by {type(cause).__name__}: {cause})"
    return text


def map_openai_error(
    exc: BaseException, *, model: str | None = None, secret: str | None = None
) -> ProviderError:
    """The ProviderError (kind, message, transient, retry_after) for an SDK or parsing failure.

    `model` names the model in the sentence; `secret` (the API key) is masked if a
    server echoes it back.
    """
    import openai  # lazy: importing the SDK costs most of a second at app start

    if isinstance(exc, ProviderError):
        return exc
    detail = redact(_detail(exc), secret)
    model_name = model or "this model"

    def error(
        kind: str, message: str, transient: bool, retry_after: float | None = None
    ) -> ProviderError:
        return ProviderError(
            message, detail=detail, kind=kind, transient=transient, retry_after=retry_after
        )

    if isinstance(exc, openai.APITimeoutError):
        return error("timeout", "OpenAI took too long to answer.", True)
    if isinstance(exc, openai.APIConnectionError):
        return error("network", "Can't reach OpenAI — check your internet connection.", True)
    if isinstance(exc, openai.APIResponseValidationError):
        return error("bad_response", "OpenAI sent back a garbled answer.", True)
    code = str(getattr(exc, "code", None) or "")
    server_message = redact(_server_message(exc), secret)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        retry_after = parse_retry_after(exc.response.headers)
        if status == 401:
            return error("auth", "Your OpenAI key was rejected — check it in Settings.", False)
        if status == 403:
            return error(
                "permission",
                f"This OpenAI key may not use {model_name} "
                "(your organisation may need verification).",
                False,
            )
        if status == 404 or code in UNKNOWN_MODEL_CODES:
            return error(
                "unknown_model",
                f"OpenAI doesn't know the model “{model_name}”; pick another in Settings.",
                False,
            )
        if code in REFUSAL_CODES:
            return error(
                "refused",
                f"The image was refused by OpenAI's safety system: {server_message}",
                False,
            )
        if status == 429 and code in QUOTA_CODES:
            return error(
                "quota",
                "Your OpenAI account is out of credit (quota exhausted) — check billing.",
                False,
            )
        if status == 429:
            return error(
                "rate_limit",
                "OpenAI is rate-limiting us.",
                True,
                retry_after,
            )
        if status in (408, 409) or status >= 500:
            return error(
                "server",
                f"OpenAI had a problem on its side (error {status}).",
                True,
                retry_after,
            )
        return error(
            "invalid_request", f"OpenAI couldn't use this request: {server_message}", False
        )
    if isinstance(exc, openai.APIError):
        # An `error` event inside a stream: no HTTP status, only the error body.
        if code in REFUSAL_CODES:
            return error(
                "refused",
                f"The image was refused by OpenAI's safety system: {server_message}",
                False,
            )
        return error("server", f"OpenAI stopped while drawing the image ({server_message}).", True)
    if isinstance(exc, ValueError):
        # json.JSONDecodeError, UnicodeDecodeError, pydantic's ValidationError: a garbled answer.
        return error("bad_response", "OpenAI sent back a garbled answer.", True)
    return error(
        "provider",
        f"Something unexpected went wrong talking to OpenAI: {redact(str(exc), secret)}",
        False,
    )
