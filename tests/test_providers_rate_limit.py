"""A 429's retry-after holds back every request to that server, and the fake enforces limits."""

from __future__ import annotations

import time

import pytest

from snapasset_desktop.errors import ProviderError
from snapasset_desktop.providers.base import ImageRequest
from snapasset_desktop.providers.openai_provider import OpenAIProvider
from tests.helpers.fake_openai import FakeOpenAIServer, error


def test_a_retry_after_holds_back_other_jobs_requests() -> None:
    with FakeOpenAIServer() as server:
        server.script([error(429, headers={"retry-after-ms": "400"})])
        first = OpenAIProvider(api_key=server.api_key, base_url=server.base_url)
        second = OpenAIProvider(api_key=server.api_key, base_url=server.base_url)
        request = ImageRequest(prompt="a fox", size="1024x1024")
        with pytest.raises(ProviderError) as refused:
            first.generate(request)
        refused_at = time.monotonic()
        assert refused.value.kind == "rate_limit"
        assert len(second.generate(request)) == 1  # another job, same server: it waits
        assert time.monotonic() - refused_at >= 0.35
        assert server.early == 0
        assert len(server.requests) == 2


def test_the_fake_server_refuses_beyond_its_rate_limit() -> None:
    with FakeOpenAIServer(rate_limit=(1, 30.0)) as server:
        provider = OpenAIProvider(api_key=server.api_key, base_url=server.base_url)
        request = ImageRequest(prompt="a fox", size="1024x1024")
        assert len(provider.generate(request)) == 1
        with pytest.raises(ProviderError) as refused:
            provider.generate(request)
        assert refused.value.kind == "rate_limit"
        assert refused.value.retry_after is not None and 1 <= refused.value.retry_after <= 30
        assert server.rate_limited == 1
