"""What every route reaches through the app: the engine, the token, the feed, the meters."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from snapasset_desktop.api.feed import EventFeed
from snapasset_desktop.api.security import CreationLimiter
from snapasset_desktop.api.tokens import ApiToken
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import Monitor


@dataclass
class ApiState:
    context: AppContext
    token: ApiToken
    feed: EventFeed
    limiter: CreationLimiter
    monitor: Monitor
    started_at: float
    loopback: bool = True


def api_state(request: Request) -> ApiState:
    return request.app.state.api
