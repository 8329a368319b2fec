"""Fixtures for cloud-sync tests: a fake Supabase project, an in-memory keyring, a context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import keyring
import pytest

from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_supabase import FakeSupabase
from tests.helpers.memory_keyring import MemoryKeyring

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery staple"


@dataclass
class CloudEnv:
    server: FakeSupabase
    ctx: AppContext
    keyring: MemoryKeyring
    user_id: str

    def sign_in(self) -> None:
        self.ctx.cloud.session.configure(self.server.url, self.server.anon_key)
        self.ctx.cloud.session.sign_in(EMAIL, PASSWORD)
        self.ctx.settings.update(cloud_sync=True)

    def submit(self, prompt: str = "a lighthouse", platforms=("x-post", "instagram-story")):
        request = self.ctx.specs.build(prompt, list(platforms))
        return self.ctx.jobs.submit(request)

    def run(self, job_id: str) -> str | None:
        return self.ctx.queue.executor.execute(job_id)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def cloud_env(isolated_dirs, memory_keyring: MemoryKeyring) -> Iterator[CloudEnv]:
    write_settings(provider="placeholder", retry_delay=0.01)
    with FakeSupabase() as server:
        user_id = server.add_user(EMAIL, PASSWORD, team="studio")
        ctx = AppContext.open()
        ctx.cloud.session.timeout = 2.0
        try:
            yield CloudEnv(server, ctx, memory_keyring, user_id)
        finally:
            ctx.close()
