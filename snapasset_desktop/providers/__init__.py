"""Image providers: turn an ImageRequest into image bytes (OpenAI, or an offline placeholder).

`create_provider` builds the one the settings name. Building is cheap and never
touches the network or imports the OpenAI SDK; a missing key only surfaces
when a generation is attempted, so the UI can always construct a provider.
"""

from __future__ import annotations

import os

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.logs import register_secret
from snapasset_desktop.providers.alt_text import (
    AltTextWriter,
    FileNameAltText,
    OpenAIAltText,
    PromptAltText,
)
from snapasset_desktop.providers.base import (
    MAX_PROMPT_CHARS,
    RETIRED_MODELS,
    SUPPORTED_MODELS,
    CancelCheck,
    ExpandRequest,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    PartialCallback,
    check_model,
    expansion_prompt,
    parse_size,
    validate_expand_request,
    validate_prompt,
    validate_request,
)
from snapasset_desktop.providers.openai_provider import OpenAIProvider
from snapasset_desktop.providers.pacing import RequestPacer
from snapasset_desktop.providers.placeholder import PlaceholderProvider
from snapasset_desktop.secrets import OPENAI_KEY, SecretStore
from snapasset_desktop.settings import Settings

__all__ = [
    "MAX_PROMPT_CHARS",
    "PROVIDERS",
    "RETIRED_MODELS",
    "SUPPORTED_MODELS",
    "CancelCheck",
    "ExpandRequest",
    "GeneratedImage",
    "ImageProvider",
    "ImageRequest",
    "OpenAIProvider",
    "PartialCallback",
    "PlaceholderProvider",
    "check_model",
    "create_alt_text_writer",
    "create_provider",
    "expansion_prompt",
    "parse_size",
    "validate_expand_request",
    "validate_prompt",
    "validate_request",
]

PROVIDERS = ("openai", "placeholder")


def create_provider(
    name: str,
    *,
    settings: Settings,
    secrets: SecretStore | None = None,
    pacer: RequestPacer | None = None,
) -> ImageProvider:
    """The provider called `name`, configured from settings and the secret store.

    `pacer`: whose turns OpenAI requests take — the queue backend's, so every process
    on it shares them; None: this process's own."""
    key = (name or "").strip().lower()
    if key == "placeholder":
        return PlaceholderProvider()
    if key == "openai":
        store = secrets if secrets is not None else SecretStore()
        api_key = store.get(OPENAI_KEY)
        register_secret(api_key)  # masked in every log line, even inside an echoed error
        return OpenAIProvider(
            api_key=api_key,
            base_url=settings.openai_base_url.strip() or os.environ.get("OPENAI_BASE_URL") or None,
            timeout=settings.openai_timeout,
            max_retries=0,  # the job's RetryPolicy owns retries
            pacer=pacer,
            requests_per_minute=settings.openai_images_per_minute,
        )
    raise InvalidInput(f"“{name}” isn't an image provider; choose one of {', '.join(PROVIDERS)}.")


def create_alt_text_writer(
    provider: str, *, settings: Settings, secrets: SecretStore | None = None
) -> AltTextWriter:
    """Who suggests alt text for a job made by `provider` ("openai", "placeholder", "import"):
    OpenAI describes real pictures; the placeholder's labels, and imports with no key,
    are described offline from the prompt or the file name."""
    if provider == "placeholder":
        return PromptAltText()
    store = secrets if secrets is not None else SecretStore()
    api_key = store.get(OPENAI_KEY)
    if provider == "import" and not api_key:
        return FileNameAltText()
    register_secret(api_key)
    return OpenAIAltText(
        api_key=api_key,
        base_url=settings.openai_base_url.strip() or os.environ.get("OPENAI_BASE_URL") or None,
        timeout=min(settings.openai_timeout, 60.0),
    )
