"""The live event streams: `GET /api/v1/events` and `GET /api/v1/jobs/{id}/events` (SSE).

A stream opens with `connected`, then sends `update`s and `final`s as the event
log has them, each with the log's sequence number as its `id:`. A reconnect with
`Last-Event-ID` (the header EventSource sends, or `?last_event_id=`) first
replays from the durable log what came after that id, so nothing is lost and
nothing repeated; without one, a job's stream starts from the job's state now.
Progress that a later event of the same job supersedes in the same page is
dropped (the worker already sends at most ten a second per job). A comment every
`HEARTBEAT_SECONDS` keeps proxies from closing an idle stream. A job's stream ends
after its `final`; reconnecting after that gets 204, which tells EventSource to stop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from snapasset_desktop.api.feed import Dropped, EventFeed, Outage, Subscription
from snapasset_desktop.api.jobs import final_view, find_job
from snapasset_desktop.api.state import api_state
from snapasset_desktop.api.views import final_data, is_final, update_data
from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.library.models import AssetRecord, Event, JobRecord
from snapasset_desktop.services.context import AppContext

HEARTBEAT_SECONDS = 15.0
RECONNECT_MS = 3000
REPLAY_PAGE = 500
SUPERSEDED = ("progress", "partial")
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse(event: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def all_events(request: Request) -> Response:
    state = api_state(request)
    after = last_event_id(request)
    stream = _stream(state.context, state.feed, job_id=None, after=after)
    return StreamingResponse(stream, media_type="text/event-stream", headers=HEADERS)


async def job_events(request: Request) -> Response:
    state = api_state(request)
    job = await run_in_threadpool(find_job, state.context, request.path_params["job_id"])
    after = last_event_id(request)
    if job.finished and after is not None:
        told = await run_in_threadpool(_final_after, state.context, job.id, after)
        if not told:
            return Response(status_code=204)  # its final was sent before: EventSource stops
    stream = _stream(state.context, state.feed, job_id=job.id, after=after)
    return StreamingResponse(stream, media_type="text/event-stream", headers=HEADERS)


def last_event_id(request: Request) -> int | None:
    """Where a reconnecting client left off: the Last-Event-ID header, or the query's
    `last_event_id` (a new EventSource, say after a ticket expired, can't set the header)."""
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw.strip())


def _final_after(context: AppContext, job_id: str, after: int) -> bool:
    """Whether the log has the job's end after `after` (else the client has had it)."""
    event_log = context.queue.event_log
    cursor = after
    while events := event_log.read(cursor, REPLAY_PAGE):
        if any(event.job_id == job_id and is_final(event) for event in events):
            return True
        cursor = events[-1].seq
    return False


async def _stream(
    context: AppContext, feed: EventFeed, *, job_id: str | None, after: int | None
) -> AsyncIterator[bytes]:
    subscription = feed.subscribe()  # first: whatever is appended from now on reaches us
    try:
        async for chunk in _follow(context, subscription, job_id=job_id, after=after):
            yield chunk
    except SnapAssetError as exc:  # the log or the job store is away: say so, and end
        yield sse("error", {"message": exc.message, "transient": exc.transient})
    finally:
        feed.unsubscribe(subscription)


async def _follow(
    context: AppContext, subscription: Subscription, *, job_id: str | None, after: int | None
) -> AsyncIterator[bytes]:
    """`connected`, then the replay or the job as it is, then the live events."""
    if after is None:
        cursor = await run_in_threadpool(context.queue.event_log.last_seq)
    else:
        cursor = after
    yield f"retry: {RECONNECT_MS}\n".encode() + sse(
        "connected", {"job": job_id, "last_event_id": cursor}, cursor
    )
    if after is None and job_id is not None:
        job, assets = await run_in_threadpool(final_view, context, job_id)
        if job.finished:
            yield sse("final", _final(job, assets), cursor)
            return
        yield sse("update", _state(job), cursor)
    else:
        while page := await run_in_threadpool(context.queue.event_log.read, cursor):
            cursor = page[-1].seq
            for chunk, ended in await _messages(context, page, job_id):
                yield chunk
                if ended:
                    return
    while True:
        try:
            delivery = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_SECONDS)
        except TimeoutError:
            yield b": keep-alive\n\n"
            continue
        if isinstance(delivery, Outage):
            yield sse("error", {"message": delivery.message, "transient": True}, cursor)
            continue
        if isinstance(delivery, Dropped):
            yield sse("error", {"message": delivery.reason, "transient": True}, cursor)
            return
        page = [event for event in delivery if event.seq > cursor]
        if not page:
            continue
        cursor = page[-1].seq
        for chunk, ended in await _messages(context, page, job_id):
            yield chunk
            if ended:
                return


async def _messages(
    context: AppContext, page: list[Event], job_id: str | None
) -> list[tuple[bytes, bool]]:
    """The SSE messages for a page of the log: (bytes, whether the job's stream ends)."""
    messages = []
    for event in _coalesced(page):
        if job_id is not None and event.job_id != job_id:
            continue
        if is_final(event):
            assert event.job_id is not None
            job, assets = await run_in_threadpool(final_view, context, event.job_id)
            messages.append(
                (sse("final", _final(job, assets, event), event.seq), job_id is not None)
            )
            continue
        data = update_data(event)
        if data is not None:
            messages.append((sse("update", data, event.seq), False))
    return messages


def _coalesced(page: list[Event]) -> list[Event]:
    """The page without progress that a later progress of the same job supersedes."""
    kept: list[Event | None] = []
    pending: dict[str, int] = {}  # job -> index in kept of its latest progress
    for event in page:
        if event.job_id is not None and event.type in SUPERSEDED:
            if event.job_id in pending:
                kept[pending[event.job_id]] = None
            pending[event.job_id] = len(kept)
        else:
            pending.pop(event.job_id or "", None)
        kept.append(event)
    return [event for event in kept if event is not None]


def _state(job: JobRecord) -> dict[str, Any]:
    """An `update` from the job's record, for a stream that starts without a cursor."""
    return {
        "job": job.id,
        "status": job.status,
        "stage": job.stage,
        "progress": job.progress,
        "message": None,
    }


def _final(job: JobRecord, assets: list[AssetRecord], event: Event | None = None) -> dict[str, Any]:
    """A `final` as the event told it (the job may have been retried since)."""
    data = final_data(job, assets)
    if event is not None:
        data["status"], data["at"] = event.type, event.created_at
        failure = {"kind": event.data.get("kind"), "message": event.data.get("message")}
        data["error"] = failure if event.type == "failed" else None
        if event.type != "completed":
            data["assets"] = []
    return data
