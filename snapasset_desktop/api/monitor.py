"""`GET /health` (no token: nothing in it names a path, a prompt or a key) and
`GET /api/v1/stats`, both from the services' Monitor."""

from __future__ import annotations

import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from snapasset_desktop.api.state import ApiState, api_state

WAITING = ("queued", "retrying")


def _health(state: ApiState) -> tuple[dict[str, Any], int]:
    health = state.monitor.health()
    counts = state.context.library.job_counts()
    status = "ok" if health.ok else ("degraded" if health.backend_ok else "down")
    services: dict[str, Any] = {
        "queue": {
            "backend": health.backend,
            "ok": health.backend_ok,
            "latency_ms": health.backend_latency_ms,
            "paused": health.paused,
            "workers": len(health.workers),
        }
    }
    if health.supabase is not None:
        services["supabase"] = {"ok": bool(health.supabase.get("reachable"))}
    body = {
        "status": status,
        "uptime": round(time.time() - state.started_at, 1),
        "services": services,
        "queues": {
            "jobs": {
                "waiting": sum(counts.get(status, 0) for status in WAITING),
                "active": counts.get("active", 0),
            }
        },
    }
    return body, 200 if health.backend_ok else 503


async def health(request: Request) -> JSONResponse:
    body, status = await run_in_threadpool(_health, api_state(request))
    return JSONResponse(body, status_code=status)


def _stats(state: ApiState) -> dict[str, Any]:
    stats = state.monitor.stats()
    failed_last_hour = sum(int(minute["failed"]) for minute in stats.timeline)
    return {
        "at": stats.at,
        "backend": stats.backend,
        "throughput_per_minute": stats.throughput_per_minute,
        "throughput_per_hour": stats.throughput_per_hour,
        "avg_processing_seconds": stats.avg_job_seconds,
        "avg_turnaround_seconds": stats.avg_turnaround_seconds,
        "success_rate": stats.success_rate,
        "failed_per_hour": failed_last_hour if stats.queue_figures else None,
        "retry_rate": stats.retry_rate,
        "errors_by_type": stats.errors_by_kind,
        "counts": stats.counts,
        "queue_depth": stats.queue_depth,
        "oldest_waiting_seconds": stats.oldest_waiting_seconds,
        "avg_stage_seconds": stats.avg_stage_seconds,
        "figures_available": stats.queue_figures,
    }


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_stats, api_state(request)))
