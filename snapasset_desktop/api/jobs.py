"""Jobs over HTTP: create one or a batch, list, look at, retry, cancel, reprioritise, pause.

Every route is a call to `JobService` (or the library, for assets); the API adds
only how HTTP says things. `submit_job` is the one place a request body becomes
a job, through the services' request builder, as the window and the CLI make theirs.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from snapasset_desktop.api.errors import Refused, refusal
from snapasset_desktop.api.schemas import (
    MAX_PAGE,
    BatchBody,
    JobBody,
    PriorityBody,
    parsed,
    whole_number,
)
from snapasset_desktop.api.state import ApiState, api_state
from snapasset_desktop.api.views import events_url, job_view
from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.library.models import JOB_STATUSES, AssetRecord, JobRecord
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.jobs import BatchResult

T = TypeVar("T")
JOB_ID = re.compile(r"^j_[0-9A-Za-z_]{1,60}$")


# -- the engine's side (run in the thread pool) -----------------------------------------


def submit_job(context: AppContext, body: JobBody) -> JobRecord:
    """The one place a request body becomes a job."""
    spec = context.specs.build(body.prompt, body.platforms, **body.builder_options())
    return context.jobs.submit(spec, priority=body.priority, run_at=body.starts_at)


def submit_batch(context: AppContext, body: BatchBody) -> BatchResult:
    lines = [
        BatchLine(number, job.prompt, tuple(job.platforms))
        for number, job in enumerate(body.jobs, start=1)
    ]
    return context.jobs.submit_batch(
        lines, body.platforms, name=body.name, priority=body.priority, **body.builder_options()
    )


def find_job(context: AppContext, job_id: str) -> JobRecord:
    """The job, or a refusal that says 404."""
    if not JOB_ID.match(job_id):
        raise SnapAssetError(f"No job “{job_id[:80]}” here.", kind="not_found")
    try:
        return context.jobs.get(job_id)
    except InvalidInput as exc:  # what the store says of an id it doesn't hold
        raise SnapAssetError(exc.message, kind="not_found") from exc


def final_view(context: AppContext, job_id: str) -> tuple[JobRecord, list[AssetRecord]]:
    """The job and, once it completed, its assets (in Redis mode, brought home first)."""
    job = find_job(context, job_id)
    if job.status != "completed":
        return job, []
    context.queue.settle(job_id)
    return job, context.library.assets_for_job(job_id)


def _changing(change: Callable[[str], T], context: AppContext, job_id: str) -> T:
    """Run `change` on an existing job; what the store refuses is a conflict (409)."""
    find_job(context, job_id)
    try:
        return change(job_id)
    except InvalidInput as exc:
        raise SnapAssetError(exc.message, kind="conflict") from exc


# -- the routes ---------------------------------------------------------------------------


def meter(request: Request, state: ApiState, count: int) -> None:
    """Take `count` creations from the caller's allowance, or refuse with 429 (422 for a
    batch that could never fit in a minute)."""
    per_minute = state.limiter.per_minute
    if per_minute and count > per_minute:
        raise Refused(
            refusal(
                422,
                "validation",
                f"That is {count:,} jobs at once; the API takes at most {per_minute:,} a "
                "minute from one token (Settings → Local API). Send them in smaller batches.",
                field="jobs",
            )
        )
    wait = state.limiter.take(request.scope.get("state", {}).get("token_key", ""), count)
    if wait is not None:
        raise Refused(
            refusal(
                429,
                "rate_limit",
                f"Slow down: this token may create {per_minute:,} jobs a minute. Try again "
                "in a moment.",
                retry_after=wait,
            )
        )


async def create_job(request: Request) -> JSONResponse:
    state = api_state(request)
    body = await parsed(request, JobBody)
    meter(request, state, 1)
    job = await run_in_threadpool(submit_job, state.context, body)
    return JSONResponse(
        {"id": job.id, "status": job.status, "events_url": events_url(job.id)}, status_code=202
    )


async def create_batch(request: Request) -> JSONResponse:
    state = api_state(request)
    body = await parsed(request, BatchBody)
    meter(request, state, len(body.jobs))
    result = await run_in_threadpool(submit_batch, state.context, body)
    return JSONResponse(
        {
            "batch": result.batch_id,
            "jobs": [{"id": job_id, "events_url": events_url(job_id)} for job_id in result.job_ids],
            "refused": [{"job": number - 1, "reason": reason} for number, reason in result.refused],
        },
        status_code=202,
    )


async def list_jobs(request: Request) -> JSONResponse:
    state = api_state(request)
    query = request.query_params
    statuses = [s for part in query.getlist("status") for s in part.split(",") if s]
    unknown = [s for s in statuses if s not in JOB_STATUSES]
    if unknown:
        message = f"“{unknown[0]}” isn't a status; use {', '.join(JOB_STATUSES)}."
        raise Refused(refusal(422, "validation", message, field="status"))
    limit = whole_number(query.get("limit", "50"), "limit", 1, MAX_PAGE)
    before = _cursor(query.get("cursor"))
    jobs = await run_in_threadpool(
        state.context.jobs.list, statuses or None, limit + 1, before=before
    )
    page, more = jobs[:limit], len(jobs) > limit
    return JSONResponse(
        {
            "jobs": [job_view(job) for job in page],
            "next_cursor": _next_cursor(page[-1]) if more else None,
        }
    )


async def get_job(request: Request) -> JSONResponse:
    state = api_state(request)
    job, assets = await run_in_threadpool(final_view, state.context, request.path_params["job_id"])
    return JSONResponse(job_view(job, assets))


async def retry_job(request: Request) -> JSONResponse:
    context = api_state(request).context
    job_id = request.path_params["job_id"]
    job = await run_in_threadpool(_changing, context.jobs.retry, context, job_id)
    return JSONResponse(job_view(job), status_code=202)


async def cancel_job(request: Request) -> JSONResponse:
    context = api_state(request).context
    job_id = request.path_params["job_id"]
    outcome = await run_in_threadpool(_changing, context.jobs.cancel, context, job_id)
    return JSONResponse({"id": job_id, "outcome": outcome}, status_code=202)


async def change_job(request: Request) -> JSONResponse:
    context = api_state(request).context
    job_id = request.path_params["job_id"]
    body = await parsed(request, PriorityBody)

    def reprioritise(job_id: str) -> list[JobRecord]:
        changed = context.jobs.set_priority([job_id], body.priority)
        if not changed:
            job = context.jobs.get(job_id)
            raise InvalidInput(f"Only waiting jobs change priority; this one is {job.status}.")
        return changed

    changed = await run_in_threadpool(_changing, reprioritise, context, job_id)
    return JSONResponse(job_view(changed[0]))


async def pause_queue(request: Request) -> JSONResponse:
    context = api_state(request).context
    await run_in_threadpool(context.jobs.pause)
    return JSONResponse({"paused": True})


async def resume_queue(request: Request) -> JSONResponse:
    context = api_state(request).context
    waiting = await run_in_threadpool(context.jobs.resume)
    return JSONResponse({"paused": False, "waiting": waiting})


def _next_cursor(job: JobRecord) -> str:
    raw = json.dumps([job.created_at, job.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(text: str | None) -> tuple[float, str] | None:
    """The (created_at, id) a page follows, from the previous page's `next_cursor`."""
    if not text:
        return None
    try:
        created_at, job_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return float(created_at), str(job_id)
    except (ValueError, TypeError):
        message = "That cursor isn't one this API gave out; start again without it."
        raise Refused(refusal(422, "validation", message, field="cursor")) from None
