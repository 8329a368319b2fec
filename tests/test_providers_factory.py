"""create_provider: the provider the settings name, wired to the key store and base URL."""

from __future__ import annotations

import pytest

from snapasset_desktop.errors import InvalidInput, ProviderError
from snapasset_desktop.providers import (
    PROVIDERS,
    ImageRequest,
    OpenAIProvider,
    PlaceholderProvider,
    create_provider,
)
from snapasset_desktop.secrets import OPENAI_KEY, SecretStore
from snapasset_desktop.settings import Settings
from tests.helpers.fake_openai import FakeOpenAIServer


def test_placeholder() -> None:
    provider = create_provider(" Placeholder ", settings=Settings())
    assert isinstance(provider, PlaceholderProvider) and provider.name == "placeholder"


def test_unknown_provider_lists_the_choices() -> None:
    with pytest.raises(InvalidInput) as caught:
        create_provider("midjourney", settings=Settings())
    assert PROVIDERS == ("openai", "placeholder")
    assert "openai, placeholder" in caught.value.message


def test_openai_without_a_key_builds_but_refuses_to_generate() -> None:
    provider = create_provider("openai", settings=Settings(openai_base_url="http://127.0.0.1:9"))
    assert isinstance(provider, OpenAIProvider) and not provider.has_key
    with pytest.raises(ProviderError) as caught:
        provider.generate(ImageRequest(prompt="x"))
    assert caught.value.kind == "auth"


def test_openai_uses_key_store_settings_url_and_timeout(fake_openai: FakeOpenAIServer) -> None:
    secrets = SecretStore()
    secrets.set(OPENAI_KEY, fake_openai.api_key)  # no keyring in tests: kept for the session
    settings = Settings(openai_base_url=fake_openai.base_url, openai_timeout=42.0)
    provider = create_provider("openai", settings=settings, secrets=secrets)
    assert isinstance(provider, OpenAIProvider)
    assert provider.timeout == 42.0
    [result] = provider.generate(ImageRequest(prompt="x", size="256x256"))
    assert (result.width, result.height) == (256, 256)
    assert len(fake_openai.requests) == 1


def test_openai_falls_back_to_environment(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    provider = create_provider("openai", settings=Settings())
    assert isinstance(provider, OpenAIProvider)
    assert provider.base_url == fake_openai.base_url
    provider.generate(ImageRequest(prompt="x", size="128x128"))
    assert fake_openai.requests[0].headers["authorization"] == f"Bearer {fake_openai.api_key}"
