"""Shared pytest fixtures for tests that need helpers from tests/helpers.

Register once in tests/conftest.py with `pytest_plugins = ["tests.helpers.fixtures"]`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.cloud import cloud_env, memory_keyring  # noqa: F401 - cloud-sync fixtures
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.redis_server import RedisServer


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A started fake OpenAI server on loopback; `fake_openai.base_url` / `.api_key` to use it."""
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A started redis-server of this test's own on a free loopback port (no persistence)."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url
