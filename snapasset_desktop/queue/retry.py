"""When a failed attempt is worth another, and how long to wait first.

Transient failures (network, timeouts, 408/409/429/5xx, disk hiccups) are
retried with exponential backoff — by default 3 attempts in all, waiting 2 s
then 4 s — and never sooner than the server's `retry-after`. Permanent ones
(bad input, refusals, auth, quota) fail at once. The SDK's own retries are off
(see providers.openai_provider), so a job never makes more than `attempts`
(the job's `max_attempts`) API requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.settings import Settings

MAX_DELAY = 300.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    first_delay: float = 2.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            attempts=max(1, settings.retry_attempts), first_delay=max(0.0, settings.retry_delay)
        )

    def delay(self, error: SnapAssetError, attempt: int) -> float:
        """How long to wait after failed attempt number `attempt` (1-based)."""
        backoff = self.first_delay * 2 ** (attempt - 1)
        return min(MAX_DELAY, max(backoff, error.retry_after or 0.0))
