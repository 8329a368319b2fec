"""Shared pytest fixtures for tests that need helpers from tests/helpers.

Register once in tests/conftest.py with `pytest_plugins = ["tests.helpers.fixtures"]`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.fake_openai import FakeOpenAIServer


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A started fake OpenAI server on loopback; `fake_openai.base_url` / `.api_key` to use it."""
    with FakeOpenAIServer() as server:
        yield server
