"""The local API, for tests: a real server on loopback, a real HTTP client, an SSE reader.

with running_api(context) as api:
    job = api.post("/api/v1/jobs", json={...}).json()
    for event in api.events(f"/api/v1/jobs/{job['id']}/events"):
        ...
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from snapasset_desktop.api.server import ApiServer
from snapasset_desktop.api.tokens import ApiToken
from snapasset_desktop.secrets import API_TOKEN
from snapasset_desktop.services.context import AppContext

TOKEN = "test-token-for-the-local-api-0123456789"
READ_TIMEOUT = 20.0  # a stream that says nothing (not even a heartbeat) for this long fails


@dataclass(frozen=True)
class SseEvent:
    event: str
    data: dict[str, Any]
    id: int | None


class ApiClient(httpx.Client):
    def __init__(self, server: ApiServer, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        super().__init__(base_url=server.url, headers=headers, timeout=READ_TIMEOUT)
        self.server = server

    def events(self, path: str, **options: Any) -> Iterator[SseEvent]:
        """The stream's events as they come, until the server ends it or the caller stops."""
        with self.stream("GET", path, **options) as response:
            response.raise_for_status()
            assert response.headers["content-type"].startswith("text/event-stream")
            yield from parse_sse(response.iter_lines())


def parse_sse(lines: Iterator[str]) -> Iterator[SseEvent]:
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if "event" in fields:
                raw_id = fields.get("id")
                yield SseEvent(
                    fields["event"],
                    json.loads(fields.get("data", "{}")),
                    (int(raw_id) if raw_id is not None else None),
                )
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


@contextmanager
def running_api(context: AppContext, token: str = TOKEN) -> Iterator[ApiClient]:
    """A started server on a free loopback port with `token`, and a client that sends it."""
    context.secrets.set(API_TOKEN, token)
    server = ApiServer(context, ApiToken(context.secrets), port=0)
    server.start()
    try:
        with ApiClient(server, token) as client:
            yield client
    finally:
        server.stop()
