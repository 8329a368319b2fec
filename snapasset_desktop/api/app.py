"""The Starlette application: the route table, its middleware, and how refusals are said.

Order of the middleware, outermost first: the Host check (against DNS rebinding,
while bound to loopback), CORS (only for the origins Settings lists), the body
size limit, then the token. Routes answer in the services' words; errors a route
does not turn into a status itself become one here by their kind.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from snapasset_desktop.api import assets, jobs, monitor, streams
from snapasset_desktop.api.errors import Refused, error_response, refusal
from snapasset_desktop.api.openapi import Endpoint, docs_page, openapi_document
from snapasset_desktop.api.schemas import BatchBody, JobBody, PriorityBody
from snapasset_desktop.api.security import BearerAuth, BodyLimit, BodyTooLarge, too_large
from snapasset_desktop.api.state import ApiState, api_state
from snapasset_desktop.api.views import PREFIX
from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.settings import cors_origins

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]


async def events_ticket(request: Request) -> JSONResponse:
    ticket, expires = api_state(request).token.ticket()
    return JSONResponse({"ticket": ticket, "expires_at": expires})


Handler = Callable[[Request], Awaitable[Response]]

# Each endpoint with its handler; None: built with the app (the OpenAPI document, the docs).
ENDPOINTS: list[tuple[Endpoint, Handler | None]] = [
    (
        Endpoint(
            "GET",
            "/health",
            "Is SnapAsset working? (no token needed)",
            token=False,
            answers=(200, 503),
        ),
        monitor.health,
    ),
    (
        Endpoint("POST", f"{PREFIX}/jobs", "Create a job", JobBody, answers=(202, 429, 503)),
        jobs.create_job,
    ),
    (
        Endpoint(
            "GET",
            f"{PREFIX}/jobs",
            "List jobs, newest first (?status=&limit=&cursor=)",
            answers=(200, 422),
        ),
        jobs.list_jobs,
    ),
    (
        Endpoint(
            "GET",
            f"{PREFIX}/jobs/{{job_id}}",
            "A job: status, stage, progress, assets",
            answers=(200, 404),
        ),
        jobs.get_job,
    ),
    (
        Endpoint(
            "PATCH",
            f"{PREFIX}/jobs/{{job_id}}",
            "Change a waiting job's priority",
            PriorityBody,
            answers=(200, 404, 409),
        ),
        jobs.change_job,
    ),
    (
        Endpoint(
            "POST",
            f"{PREFIX}/jobs/{{job_id}}/retry",
            "Run a failed or canceled job again",
            answers=(202, 404, 409),
        ),
        jobs.retry_job,
    ),
    (
        Endpoint(
            "POST",
            f"{PREFIX}/jobs/{{job_id}}/cancel",
            "Cancel a waiting or running job",
            answers=(202, 404),
        ),
        jobs.cancel_job,
    ),
    (
        Endpoint(
            "GET",
            f"{PREFIX}/jobs/{{job_id}}/events",
            "A job's live events (SSE)",
            answers=(200, 204, 404),
            stream=True,
        ),
        streams.job_events,
    ),
    (
        Endpoint(
            "POST",
            f"{PREFIX}/batches",
            "Create a batch of jobs",
            BatchBody,
            answers=(202, 429, 503),
        ),
        jobs.create_batch,
    ),
    (
        Endpoint("GET", f"{PREFIX}/events", "Every job's live events (SSE)", stream=True),
        streams.all_events,
    ),
    (
        Endpoint(
            "POST",
            f"{PREFIX}/events/ticket",
            "A ticket for ?ticket= on the event streams (valid 60 s)",
        ),
        events_ticket,
    ),
    (Endpoint("POST", f"{PREFIX}/queue/pause", "Pause the queue"), jobs.pause_queue),
    (Endpoint("POST", f"{PREFIX}/queue/resume", "Resume the queue"), jobs.resume_queue),
    (
        Endpoint(
            "GET",
            f"{PREFIX}/assets",
            "Find assets (?job=&platform=&search=&limit=&cursor=)",
            answers=(200, 422),
        ),
        assets.list_assets,
    ),
    (
        Endpoint(
            "GET",
            f"{PREFIX}/assets/{{asset_id}}",
            "An asset's file (ETag)",
            answers=(200, 304, 404),
        ),
        assets.get_asset,
    ),
    (
        Endpoint("GET", f"{PREFIX}/stats", "Throughput, timings, success and retry rates, errors"),
        monitor.stats,
    ),
    (Endpoint("GET", f"{PREFIX}/openapi.json", "This description, as OpenAPI 3.1"), None),
    (Endpoint("GET", "/docs", "This description, as a page (no token needed)", token=False), None),
]


def create_app(state: ApiState) -> Starlette:
    document = openapi_document([endpoint for endpoint, _ in ENDPOINTS])
    page = docs_page(document)

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(document)

    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(page)

    handlers = {f"{PREFIX}/openapi.json": openapi, "/docs": docs}
    routes = [
        Route(endpoint.path, handler or handlers[endpoint.path], methods=[endpoint.method])
        for endpoint, handler in ENDPOINTS
    ]
    middleware = []
    if state.loopback:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS))
    origins = cors_origins(state.context.settings.current)
    if origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["GET", "POST", "PATCH"],
                allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            )
        )
    middleware += [Middleware(BodyLimit), Middleware(BearerAuth, token=state.token)]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            SnapAssetError: _snapasset_error,
            Refused: _refused,
            BodyTooLarge: _body_too_large,
            404: _not_found,
            405: _not_allowed,
        },
    )
    app.state.api = state
    return app


async def _snapasset_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SnapAssetError)
    return error_response(exc)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return exc.response


async def _body_too_large(request: Request, exc: Exception) -> Response:
    return JSONResponse(too_large(), status_code=413)


async def _not_found(request: Request, exc: Exception) -> Response:
    return refusal(404, "not_found", f"Nothing at {request.url.path[:100]}; see /docs.")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return refusal(405, "method", f"{request.method} isn't allowed on {request.url.path[:100]}.")
