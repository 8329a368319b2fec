"""Assets over HTTP: the library's files by id (with their type and an ETag), and queries.

A client names an asset by its id, never by a path; the file served is the
library's own record of it, and only if it lies inside the library's folder.
"""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from snapasset_desktop.api.errors import Refused, refusal
from snapasset_desktop.api.schemas import MAX_PAGE, whole_number
from snapasset_desktop.api.state import api_state
from snapasset_desktop.api.views import asset_view, content_type
from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.library.models import AssetQuery, AssetRecord
from snapasset_desktop.services.context import AppContext

MAX_OFFSET = 10_000_000


def _asset_file(context: AppContext, asset_id: int) -> tuple[AssetRecord, Path]:
    try:
        asset = context.library.get_asset(asset_id)
    except InvalidInput as exc:
        raise SnapAssetError(exc.message, kind="not_found") from exc
    library = context.paths.data_dir.resolve()
    path = context.library.asset_path(asset).resolve()
    if not path.is_relative_to(library) or not path.is_file():
        raise SnapAssetError(
            f"Asset #{asset_id}'s file is missing from the library.",
            kind="not_found",
            detail=str(path),
        )
    return asset, path


async def get_asset(request: Request) -> Response:
    context = api_state(request).context
    raw = request.path_params["asset_id"]
    if not raw.isdigit() or int(raw) > 2**62:
        raise SnapAssetError(f"No asset “{raw[:40]}” here.", kind="not_found")
    asset, path = await run_in_threadpool(_asset_file, context, int(raw))
    etag = f'"{asset.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    name = f"{asset.job_id}-{asset.platform}-{asset.variant}.{path.suffix.lstrip('.')}"
    return FileResponse(
        path,
        media_type=content_type(asset),
        headers=headers,
        filename=name,
        content_disposition_type="inline",
    )


async def list_assets(request: Request) -> JSONResponse:
    context = api_state(request).context
    query = request.query_params
    limit = whole_number(query.get("limit", "100"), "limit", 1, MAX_PAGE)
    offset = whole_number(query.get("cursor", "0") or "0", "cursor", 0, MAX_OFFSET)

    def search() -> list[AssetRecord]:
        platforms = [context.platforms.get(p).id for p in query.getlist("platform")]
        found = AssetQuery(
            platforms=platforms,
            text=query.get("search", ""),
            job_ids=query.getlist("job"),
        )
        return context.library.query_assets(found, limit=limit + 1, offset=offset)

    try:
        assets = await run_in_threadpool(search)
    except InvalidInput as exc:  # an unknown platform
        raise Refused(refusal(422, exc.kind, exc.message, field="platform")) from exc
    page = assets[:limit]
    return JSONResponse(
        {
            "assets": [asset_view(asset) for asset in page],
            "next_cursor": str(offset + limit) if len(assets) > limit else None,
        }
    )
