"""The OpenAI provider: the official SDK's `images.generate`, streamed when previews are wanted.

Retries live in one layer only: the job queue's (`queue.retry.RetryPolicy`, for
the app, workers and `generate --wait` alike). The SDK's own retries are switched off
(`max_retries=0`) because they are invisible to the progress display, would
multiply with the job's attempts (3 attempts × 3 SDK tries = 9 requests), and
retry a 429 `insufficient_quota` that can never succeed. So one job attempt is
exactly one HTTP request, and a job makes at most `retry_attempts` requests.
A ProviderError's `transient` flag tells the queue which failures are worth another attempt.

Requests take turns per account (`providers.pacing`): with the account's images
per minute known they are spaced to stay under it, and a 429's `retry-after`
holds back every request to that account — in this process, or in every process
that shares the queue backend whose pacer is given.

Cancel is cooperative: checked before the request, while it waits its turn, and
between stream events (OpenAI sends a partial every few seconds); a canceled
stream is closed, which drops the connection so the server stops the work. A
non-streamed request cannot be interrupted once sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import threading
from io import BytesIO
from typing import TYPE_CHECKING, Any

from PIL import Image, UnidentifiedImageError

from snapasset_desktop.errors import Canceled, ProviderError, SnapAssetError
from snapasset_desktop.providers.base import (
    CancelCheck,
    ExpandRequest,
    GeneratedImage,
    ImageRequest,
    PartialCallback,
    WaitCallback,
    validate_expand_request,
    validate_request,
)
from snapasset_desktop.providers.openai_errors import map_openai_error
from snapasset_desktop.providers.pacing import RequestPacer, interval_for, process_pacer, server_key

if TYPE_CHECKING:
    import openai

__all__ = ["OpenAIProvider", "decode_image", "map_openai_error"]

log = logging.getLogger(__name__)

NO_KEY_MESSAGE = (
    "No OpenAI key yet — add one in Settings (or set OPENAI_API_KEY), "
    "or switch to the offline placeholder provider."
)
NOT_AN_IMAGE_MESSAGE = "OpenAI sent back something that isn't an image."


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


def _call_errors() -> tuple[type[Exception], ...]:
    """What a call raises that `map_openai_error` explains: the SDK's own errors, and what
    parsing a broken body or SSE line raises — narrower than ValueError so a caller's own
    bug inside `on_partial` is not mistaken for a bad answer."""
    import openai
    import pydantic

    return openai.OpenAIError, json.JSONDecodeError, UnicodeDecodeError, pydantic.ValidationError


def _usage(model: Any) -> dict | None:
    usage = getattr(model, "usage", None)
    return usage.model_dump(exclude_none=True) if usage is not None else None


_CLIENTS: dict[tuple[str, str | None, float, int], openai.OpenAI] = {}
_CLIENTS_LOCK = threading.Lock()
_CLIENTS_KEPT = 8


def _shared_client(
    api_key: str, base_url: str | None, timeout: float, max_retries: int
) -> openai.OpenAI:
    """One SDK client per configuration in the process, safe across threads.

    Building one loads the TLS trust store (~25 ms of CPU holding the GIL) and opens
    its own connections: a client per job paid that at every job start, reconnected
    every time, and delayed the paced requests of the jobs already sending."""
    key = (api_key, base_url, timeout, max_retries)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            import openai  # lazy: ~0.7 s, paid on first generation, not at app start

            client = openai.OpenAI(
                api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
            )
            if len(_CLIENTS) >= _CLIENTS_KEPT:  # the oldest may still be in use: not closed
                del _CLIENTS[next(iter(_CLIENTS))]
            _CLIENTS[key] = client
        return client


def _forget_client(client: openai.OpenAI) -> None:
    with _CLIENTS_LOCK:
        for key in [key for key, known in _CLIENTS.items() if known is client]:
            del _CLIENTS[key]


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
        pacer: RequestPacer | None = None,
        requests_per_minute: int = 0,
    ) -> None:
        self._api_key = (api_key or "").strip() or None
        # None lets the SDK fall back to OPENAI_BASE_URL, then api.openai.com.
        self.base_url = (base_url or "").strip() or None
        self.timeout = timeout
        self.pacer = pacer if pacer is not None else process_pacer()
        self.interval = interval_for(requests_per_minute)  # 0: follow retry-after only
        self.server_key = server_key(
            self.base_url or os.environ.get("OPENAI_BASE_URL"), self._api_key
        )
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
                self._client = _shared_client(
                    self._api_key, self.base_url, self.timeout, self._max_retries
                )
            return self._client

    def close(self) -> None:
        """Release this configuration's pooled connections (the next generate opens new
        ones). The client is shared in the process: call it when nothing is generating."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            _forget_client(client)
            client.close()

    def generate(
        self,
        request: ImageRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
        on_wait: WaitCallback | None = None,
    ) -> list[GeneratedImage]:
        request = validate_request(request)
        client = self._client_in_turn(should_cancel, on_wait)
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
        except _call_errors() as exc:
            raise self._call_failed(exc, request.model) from exc

    def expand(
        self,
        request: ExpandRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
        on_wait: WaitCallback | None = None,
    ) -> GeneratedImage:
        """An expansion through the edit endpoint (`images.edit`, image and mask as PNG
        files), streamed when previews are wanted; paced, canceled and mapped to
        ProviderError like `generate`, one attempt being one request."""
        request = validate_expand_request(request)
        client = self._client_in_turn(should_cancel, on_wait)
        params: dict[str, Any] = {
            "model": request.model,
            "prompt": request.prompt,
            "image": ("image.png", request.image, "image/png"),
            "mask": ("mask.png", request.mask, "image/png"),
            "size": request.size,
            "quality": request.quality,
            "output_format": request.output_format,
            "n": 1,
        }
        try:
            if on_partial is not None and request.partial_images > 0:
                stream = client.images.edit(
                    **params, stream=True, partial_images=request.partial_images
                )
                return _read_edit_stream(stream, request, on_partial, should_cancel)
            response = client.images.edit(**params)
            if not response.data:
                raise _bad_response(NOT_AN_IMAGE_MESSAGE, "edit response had no data items")
            output_format = response.output_format or request.output_format
            return decode_image(response.data[0].b64_json, output_format, _usage(response))
        except _call_errors() as exc:
            raise self._call_failed(exc, request.model) from exc

    def _client_in_turn(
        self, should_cancel: CancelCheck | None, on_wait: WaitCallback | None
    ) -> openai.OpenAI:
        """The SDK client once this request's turn at the account has come (canceled
        before it waits, and while it waits)."""
        client = self._sdk_client()
        if should_cancel is not None and should_cancel():
            raise Canceled()
        self.pacer.turn(self.server_key, self.interval, should_cancel, on_wait=on_wait)
        return client

    def _call_failed(self, exc: Exception, model: str) -> ProviderError:
        """The SDK's failure as a ProviderError; a 429's retry-after holds the account."""
        error = map_openai_error(exc, model=model, secret=self._api_key)
        if error.kind == "rate_limit" and error.retry_after:
            self._hold(error.retry_after)
        return error

    def _hold(self, seconds: float) -> None:
        """Every request to this account waits out a 429's retry-after, not only this job."""
        try:
            self.pacer.hold(self.server_key, seconds)
        except SnapAssetError as exc:  # the 429 itself is what the job must report
            log.warning("could not share a retry-after", extra={"detail": exc.detail})

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
                    _pass_on_partial(event, output_format, on_partial)
                elif kind == "image_generation.completed":
                    images.append(decode_image(event.b64_json, output_format, _usage(event)))
                # Once every image is in, a late cancel would only throw away paid work.
                if len(images) < request.n and should_cancel is not None and should_cancel():
                    raise Canceled()
        if len(images) < request.n:
            raise _bad_response(
                "OpenAI's answer stopped before the image arrived.",
                f"stream ended with {len(images)} of {request.n} images",
            )
        return images


def _pass_on_partial(event: Any, output_format: str, on_partial: PartialCallback) -> None:
    """A streamed preview to `on_partial`; a broken one is not worth failing the job (the
    final image decides), so it is logged and skipped."""
    try:
        partial = decode_image(event.b64_json, output_format)
    except ProviderError as exc:
        log.warning("unusable partial image skipped", extra={"detail": exc.detail})
    else:
        on_partial(event.partial_image_index, partial.data)


def _read_edit_stream(
    stream: Any,
    request: ExpandRequest,
    on_partial: PartialCallback,
    should_cancel: CancelCheck | None,
) -> GeneratedImage:
    """The edited image from `images.edit(stream=True)`, previews passed on as they come."""
    with stream:  # closing drops the connection, so a canceled job stops OpenAI's work too
        for event in stream:
            kind = getattr(event, "type", None)
            output_format = getattr(event, "output_format", None) or request.output_format
            if kind == "image_edit.completed":
                return decode_image(event.b64_json, output_format, _usage(event))
            if kind == "image_edit.partial_image":
                _pass_on_partial(event, output_format, on_partial)
            if should_cancel is not None and should_cancel():
                raise Canceled()
    raise _bad_response(
        "OpenAI's answer stopped before the image arrived; retrying.",
        "edit stream ended without the edited image",
    )
