"""The monthly spend cap: what each generation cost, and pausing the queue at the cap.

Every OpenAI call a job makes — its generation, each expansion, its alt text — is
priced (`providers.pricing`: the API's reported usage, else an estimate) and added
both to the job (`cost_usd`) and to this calendar month's total, in the job store's
own storage (the library in SQLite mode, Redis in Redis mode) so every worker
sharing the queue counts the same money. Before a job starts, and after each charge,
a month at or over the cap pauses the queue with a sentence saying so. Jobs already
running finish (their images are paid for), so the month can end slightly over the cap.

Resuming while over the cap is the designer's decision to go on: the cap then
stays lifted for the rest of the month, unless it is raised (a new cap applies
afresh). Placeholder and imported images cost nothing and are not counted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis

from snapasset_desktop.library.store import Library
from snapasset_desktop.providers.alt_text import AltTextWriter, Description
from snapasset_desktop.providers.base import (
    CancelCheck,
    ExpandRequest,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    PartialCallback,
    WaitCallback,
    parse_size,
)
from snapasset_desktop.providers.composition import expansion_cost
from snapasset_desktop.providers.pricing import (
    cost_from_usage,
    format_usd,
    request_cost,
    text_request_cost,
)
from snapasset_desktop.queue.events import Emitter
from snapasset_desktop.queue.redis_store import DEFAULT_PREFIX, redis_errors
from snapasset_desktop.settings import Settings

log = logging.getLogger(__name__)

METERED_PROVIDERS = ("openai",)
_KEEP_MONTHS = 70 * 86_400  # Redis keeps a month's total a little over two months


def month_of(when: float) -> str:
    """The local calendar month, e.g. "2026-03"."""
    return time.strftime("%Y-%m", time.localtime(when))


class SpendLedger(Protocol):
    def charge(self, job_id: str, usd: float, month: str) -> float: ...
    def month_total(self, month: str) -> float: ...
    def override(self, month: str) -> float | None: ...
    def set_override(self, month: str, cap: float) -> None: ...


class SqliteSpendLedger:
    """The month's total in the library's `meta` table; the job's cost on its row."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def charge(self, job_id: str, usd: float, month: str) -> float:
        with self.library.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET cost_usd = COALESCE(cost_usd, 0) + ? WHERE id = ?", (usd, job_id)
            )
            row = conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
                " SET value = CAST(value AS REAL) + CAST(excluded.value AS REAL) RETURNING value",
                (f"spend:{month}", repr(float(usd))),
            ).fetchone()
        return float(row[0])

    def month_total(self, month: str) -> float:
        return float(self.library.get_meta(f"spend:{month}") or 0.0)

    def override(self, month: str) -> float | None:
        value = self.library.get_meta(f"spend-override:{month}")
        return float(value) if value else None

    def set_override(self, month: str, cap: float) -> None:
        self.library.set_meta(f"spend-override:{month}", repr(float(cap)))


_CHARGE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBYFLOAT', KEYS[1], 'cost_usd', ARGV[1])
end
local total = redis.call('INCRBYFLOAT', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return total
"""


class RedisSpendLedger:
    """The month's total at `spend:<month>`; the job's cost in its hash."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._charge = client.register_script(_CHARGE)

    @redis_errors
    def charge(self, job_id: str, usd: float, month: str) -> float:
        keys = [f"{self.prefix}job:{job_id}", f"{self.prefix}spend:{month}"]
        return float(self._charge(keys=keys, args=[repr(float(usd)), _KEEP_MONTHS]))

    @redis_errors
    def month_total(self, month: str) -> float:
        return float(self.client.get(f"{self.prefix}spend:{month}") or 0.0)

    @redis_errors
    def override(self, month: str) -> float | None:
        value = self.client.get(f"{self.prefix}spend-override:{month}")
        return float(value) if value else None

    @redis_errors
    def set_override(self, month: str, cap: float) -> None:
        self.client.set(f"{self.prefix}spend-override:{month}", repr(float(cap)), ex=_KEEP_MONTHS)


class Budget:
    """Charges jobs and keeps the queue paused while the month is over the cap."""

    def __init__(
        self,
        ledger: SpendLedger,
        settings: Callable[[], Settings],
        store: Any,
        emitter: Emitter,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ledger = ledger
        self.settings = settings
        self.store = store
        self.emitter = emitter
        self.clock = clock

    def month(self) -> str:
        return month_of(self.clock())

    def spent(self) -> float:
        return self.ledger.month_total(self.month())

    def charge(self, job_id: str, usd: float) -> None:
        total = self.ledger.charge(job_id, usd, self.month())
        log.info("generation charged", extra={"job_id": job_id, "usd": round(usd, 4)})
        if self._over(total):
            self.enforce()

    def exceeded(self) -> str | None:
        """The sentence to show when this month is at or over the cap (None: carry on)."""
        cap = self.settings().monthly_budget_usd
        if cap <= 0 or not self._over(self.spent()):
            return None
        return (
            f"Monthly budget of {format_usd(cap)} reached — the queue is paused. "
            "Raise the budget in Settings or resume to continue."
        )

    def _over(self, total: float) -> bool:
        cap = self.settings().monthly_budget_usd
        if cap <= 0 or total < cap:
            return False
        lifted = self.ledger.override(self.month())
        return lifted is None or lifted < cap

    def enforce(self) -> bool:
        """Pause the queue if the month is over the cap; True when it is."""
        message = self.exceeded()
        if message is None:
            return False
        if not self.store.is_paused():
            self.store.set_paused(True)
            self.emitter.emit(None, "paused", reason="budget", message=message)
            log.warning("monthly budget reached; queue paused", extra={"spent": self.spent()})
        return True

    def lift_for_this_month(self) -> None:
        """The designer resumed over the cap: let this month run past it."""
        if self.exceeded() is not None:
            self.ledger.set_override(self.month(), self.settings().monthly_budget_usd)

    def guard(self) -> None:
        """Before a job starts; a ledger that can't be read never stops the work."""
        try:
            self.enforce()
        except Exception:
            log.warning("could not check the monthly budget", exc_info=True)

    def metered(self, job_id: str, provider: ImageProvider) -> ImageProvider:
        if getattr(provider, "name", "") not in METERED_PROVIDERS:
            return provider
        return MeteredProvider(provider, lambda usd: self.charge(job_id, usd))

    def metered_alt_text(self, job_id: str, writer: AltTextWriter) -> AltTextWriter:
        if writer.origin not in METERED_PROVIDERS:
            return writer
        return MeteredAltText(writer, lambda usd: self.charge(job_id, usd))


class MeteredAltText:
    """Prices each alt-text answer from OpenAI; offline suggestions cost nothing."""

    def __init__(self, inner: AltTextWriter, on_cost: Callable[[float], None]) -> None:
        self.inner = inner
        self.origin = inner.origin
        self.on_cost = on_cost

    def describe(self, image: bytes, *, prompt: str, file_name: str | None) -> Description:
        answer = self.inner.describe(image, prompt=prompt, file_name=file_name)
        try:
            self.on_cost(text_request_cost(answer.model, answer.usage))
        except Exception:
            log.warning("could not record what an alt-text request cost", exc_info=True)
        return answer


class MeteredProvider:
    """Prices each generation and expansion after it succeeds; metering never fails a
    paid-for image."""

    def __init__(self, inner: ImageProvider, on_cost: Callable[[float], None]) -> None:
        self.inner = inner
        self.name = inner.name
        self.on_cost = on_cost

    def generate(
        self,
        request: ImageRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
        on_wait: WaitCallback | None = None,
    ) -> list[GeneratedImage]:
        images = self.inner.generate(
            request, on_partial=on_partial, should_cancel=should_cancel, on_wait=on_wait
        )
        try:
            self.on_cost(
                request_cost(
                    request.model,
                    request.quality,
                    request.size,
                    n=request.n,
                    prompt=request.prompt,
                    usages=[image.usage for image in images],
                )
            )
        except Exception:
            log.warning("could not record what a generation cost", exc_info=True)
        return images

    def expand(
        self,
        request: ExpandRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
        on_wait: WaitCallback | None = None,
    ) -> GeneratedImage:
        image = self.inner.expand(
            request, on_partial=on_partial, should_cancel=should_cancel, on_wait=on_wait
        )
        try:
            reported = cost_from_usage(request.model, image.usage) if image.usage else None
            size = parse_size(request.size) or (1024, 1024)
            estimate = expansion_cost(request.model, request.quality, size, prompt=request.prompt)
            self.on_cost(estimate if reported is None else reported)
        except Exception:
            log.warning("could not record what an expansion cost", exc_info=True)
        return image
