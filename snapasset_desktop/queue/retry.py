"""When a failed attempt is worth another, how long to wait first, and how to say so.

Transient failures (network, timeouts, 408/409/429/5xx, disk hiccups) are
retried with exponential backoff — by default 3 attempts in all, waiting 2 s
then 4 s — and never sooner than the server's `retry-after`. Permanent ones
(bad input, refusals, auth, quota) fail at once. The SDK's own retries are off
(see providers.openai_provider), so a job never makes more than `attempts`
(the job's `max_attempts`) API requests.

An error's message says what went wrong, never what happens next: only the
queue knows whether another attempt follows, so the words for that are here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.formatting import duration
from snapasset_desktop.providers.pacing import HORIZON
from snapasset_desktop.settings import Settings

MAX_DELAY = 300.0  # our own backoff stops growing here
# A server's retry-after is honoured up to the pacer's horizon: the pacer holds every
# request that long (and drops longer holds), so the job waits exactly what it says.
MAX_RETRY_AFTER = HORIZON


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
        backoff = min(MAX_DELAY, self.first_delay * 2 ** (attempt - 1))
        return max(backoff, min(MAX_RETRY_AFTER, error.retry_after or 0.0))


def wait_text(seconds: float) -> str:
    """A wait as the retry notice says it: "12 s", or "about 7 min" for 400 s."""
    if seconds < 100:
        return f"{max(1, math.ceil(seconds))} s"
    return f"about {duration(seconds)}"


def retrying_text(reason: str, delay: float) -> str:
    """ "OpenAI is rate-limiting us — retrying in 12 s.": the cause, then the real wait."""
    return f"{reason.rstrip('.')} — retrying in {wait_text(delay)}."


def final_text(error: SnapAssetError, attempts: int) -> str:
    """What a job that failed for good says: a transient cause after several attempts
    says it gave up, so nobody waits for a retry that will not come."""
    if not error.transient or attempts < 2:
        return error.message
    return f"{error.message.rstrip('.')} — gave up after {attempts} attempts."
