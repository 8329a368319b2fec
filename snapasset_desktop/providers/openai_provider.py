"""The OpenAI provider: the official SDK's `images.generate`, streamed when previews are wanted.

Retries live in one layer only: the job queue's (`queue.retry.RetryPolicy`, for
the app, workers and `generate --wait` alike). The SDK's own retries are switched off
(`max_retries=0`) because they are invisible to the progress display, would
multiply with the job's attempts (3 attempts × 3 SDK tries = 9 requests), and
retry a 429 `insufficient_quota` that can never succeed. So one job attempt is
exactly one HTTP request, and a job makes at most `retry_attempts` requests.
A ProviderError's `transient` flag tells the queue which failures are worth another attempt.

Cancel is cooperative: checked before the request and between stream events
(OpenAI sends a partial every few seconds); a canceled stream is closed, which
drops the connection so the server stops the work. A non-streamed request
cannot be interrupted once sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import time
from io import BytesIO
from typing import TYPE_CHECKING, Any

from PIL import Image, UnidentifiedImageError

from snapasset_desktop.errors import Canceled, ProviderError
from snapasset_desktop.providers.base import (
    CancelCheck,
    GeneratedImage,
    ImageRequest,
    PartialCallback,
    validate_request,
)
from snapasset_desktop.providers.openai_errors import map_openai_error

if TYPE_CHECKING:
    import openai

__all__ = ["OpenAIProvider", "decode_image", "map_openai_error"]

log = logging.getLogger(__name__)

NO_KEY_MESSAGE = (
    "No OpenAI key yet — add one in Settings (or set OPENAI_API_KEY), "
    "or switch to the offline placeholder provider."
)
NOT_AN_IMAGE_MESSAGE = "OpenAI sent back something that isn't an image; retrying."


def _bad_response(message: str, detail: str) -> ProviderError:
    return ProviderError(message, detail=detail, kind="bad_response", transient=True)


def decode_image(b64: str | None, output_format: str, usage: dict | None = None) -> GeneratedImage:
    """Base64 from the API → checked image bytes with their size; garbage is a transient error."""
    if not b64:
        raise _bad_response(NOT_AN_IMAGE_MESSAGE, "empty b64_json")
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad_response(NOT_AN_IMAGE_MESSAGE, f"b64_json is not base64: {exc}") from exc
    if not data:
        raise _bad_response(NOT_AN_IMAGE_MESSAGE, "b64_json decodes to no bytes")
    try:
        # verify() checks structure and checksums without decoding every pixel.
        with Image.open(BytesIO(data)) as image:
            width, height = image.size
            actual_format = (image.format or output_format).lower()
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _bad_response(
            NOT_AN_IMAGE_MESSAGE, f"{len(data)} bytes, not an image: {type(exc).__name__}: {exc}"
        ) from exc
    return GeneratedImage(
        data=data,
        output_format="jpeg" if actual_format == "jpg" else actual_format,
        width=width,
        height=height,
        usage=usage,
    )


def _garbled_answer_errors() -> tuple[type[Exception], ...]:
    """What parsing a broken body or SSE line raises; narrower than ValueError so a
    caller's own bug inside `on_partial` is not mistaken for a bad answer."""
    import pydantic

    return json.JSONDecodeError, UnicodeDecodeError, pydantic.ValidationError


def _usage(model: Any) -> dict | None:
    usage = getattr(model, "usage", None)
    return usage.model_dump(exclude_none=True) if usage is not None else None


class _RetryAfterGate:
    """A server's `retry-after`, honoured by every request this process sends it.

    One job's 429 says the account is over its limit: the other jobs running at
    the same time would only be refused too (and keep the limit tripped), so they
    wait out the same `retry-after` before sending."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str | None, float] = {}

    def hold(self, server: str | None, seconds: float) -> None:
        with self._lock:
            until = time.monotonic() + seconds
            self._until[server] = max(self._until.get(server, 0.0), until)

    def wait(self, server: str | None, should_cancel: CancelCheck | None) -> None:
        while True:
            with self._lock:
                remaining = self._until.get(server, 0.0) - time.monotonic()
            if remaining <= 0:
                return
            if should_cancel is not None and should_cancel():
                raise Canceled()
            time.sleep(min(remaining, 0.25))  # short naps: a cancel is noticed quickly


_RETRY_AFTER = _RetryAfterGate()


class OpenAIProvider:
    """Generates with OpenAI (or any OpenAI-compatible server at `base_url`)."""

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 180.0,
        max_retries: int = 0,
    ) -> None:
        self._api_key = (api_key or "").strip() or None
        # None lets the SDK fall back to OPENAI_BASE_URL, then api.openai.com.
        self.base_url = (base_url or "").strip() or None
        self.timeout = timeout
        self._max_retries = max_retries
        self._client: openai.OpenAI | None = None
        self._lock = threading.Lock()

    @property
    def has_key(self) -> bool:
        return self._api_key is not None

    @property
    def max_retries(self) -> int:
        """SDK-level retries per request; the job queue sets 0 and retries jobs itself."""
        return self._max_retries

    @max_retries.setter
    def max_retries(self, value: int) -> None:
        with self._lock:
            self._max_retries = value
            self._client = None  # rebuilt on next use with the new budget

    def _sdk_client(self) -> openai.OpenAI:
        if self._api_key is None:
            raise ProviderError(NO_KEY_MESSAGE, kind="auth", transient=False, detail="no api key")
        with self._lock:
            if self._client is None:
                import openai  # lazy: ~0.7 s, paid on first generation, not at app start

                self._client = openai.OpenAI(
                    api_key=self._api_key,
                    base_url=self.base_url,
                    timeout=self.timeout,
                    max_retries=self._max_retries,
                )
            return self._client

    def close(self) -> None:
        """Release pooled connections (the next generate opens new ones)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def generate(
        self,
        request: ImageRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> list[GeneratedImage]:
        request = validate_request(request)
        client = self._sdk_client()
        if should_cancel is not None and should_cancel():
            raise Canceled()
        _RETRY_AFTER.wait(self.base_url, should_cancel)
        import openai

        params: dict[str, Any] = {
            "model": request.model,
            "prompt": request.prompt,
            "size": request.size,
            "quality": request.quality,
            "background": request.background,
            "output_format": request.output_format,
            "n": request.n,
        }
        try:
            if on_partial is not None and request.partial_images > 0:
                return self._generate_streamed(client, params, request, on_partial, should_cancel)
            response = client.images.generate(**params)
            images = [
                decode_image(item.b64_json, response.output_format or request.output_format)
                for item in response.data or []
            ]
            if not images:
                raise _bad_response(NOT_AN_IMAGE_MESSAGE, "response had no data items")
            images[0].usage = _usage(response)  # usage covers the whole request
            return images
        except (openai.OpenAIError, *_garbled_answer_errors()) as exc:
            error = map_openai_error(exc, model=request.model, secret=self._api_key)
            if error.kind == "rate_limit" and error.retry_after:
                _RETRY_AFTER.hold(self.base_url, error.retry_after)
            raise error from exc

    def _generate_streamed(
        self,
        client: openai.OpenAI,
        params: dict[str, Any],
        request: ImageRequest,
        on_partial: PartialCallback,
        should_cancel: CancelCheck | None,
    ) -> list[GeneratedImage]:
        images: list[GeneratedImage] = []
        stream = client.images.generate(
            **params, stream=True, partial_images=request.partial_images
        )
        with stream:  # closing drops the connection, so a canceled job stops OpenAI's work too
            for event in stream:
                kind = getattr(event, "type", None)
                output_format = getattr(event, "output_format", None) or request.output_format
                if kind == "image_generation.partial_image":
                    try:
                        partial = decode_image(event.b64_json, output_format)
                    except ProviderError as exc:
                        # A broken preview is not worth failing the job; the final image decides.
                        log.warning("unusable partial image skipped", extra={"detail": exc.detail})
                    else:
                        on_partial(event.partial_image_index, partial.data)
                elif kind == "image_generation.completed":
                    images.append(decode_image(event.b64_json, output_format, _usage(event)))
                # Once every image is in, a late cancel would only throw away paid work.
                if len(images) < request.n and should_cancel is not None and should_cancel():
                    raise Canceled()
        if len(images) < request.n:
            raise _bad_response(
                "OpenAI's answer stopped before the image arrived; retrying.",
                f"stream ended with {len(images)} of {request.n} images",
            )
        return images
