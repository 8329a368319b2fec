"""Refusals as HTTP answers: `{"error": {"kind", "message", "field"}}` with the right status.

The message is the same sentence the window and the CLI show; the technical
detail goes to the log only.
"""

from __future__ import annotations

import logging
import math

from starlette.responses import JSONResponse

from snapasset_desktop.errors import SnapAssetError

log = logging.getLogger(__name__)

# Statuses by what went wrong, when the route does not know better (404, 409).
STATUS_BY_KIND = {"not_found": 404, "conflict": 409, "rate_limit": 429, "storage": 503}
UNPROCESSABLE = 422


class Refused(Exception):
    """A request the API answers with `response` instead of going on."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def refusal(
    status: int,
    kind: str,
    message: str,
    *,
    field: str | None = None,
    retry_after: float | None = None,
) -> JSONResponse:
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    body = {"error": {"kind": kind, "message": message, "field": field}}
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(exc: SnapAssetError, status: int | None = None) -> JSONResponse:
    """`status`: what the route knows the failure means (a job not found is 404)."""
    status = status or STATUS_BY_KIND.get(exc.kind) or (503 if exc.transient else UNPROCESSABLE)
    log.info(
        "API request refused", extra={"status": status, "kind": exc.kind, "detail": exc.detail}
    )
    field = "platforms" if exc.kind == "unknown_platform" else None
    retry_after = exc.retry_after if status in (429, 503) else None
    return refusal(status, exc.kind, exc.message, field=field, retry_after=retry_after)
