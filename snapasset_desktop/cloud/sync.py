"""Cloud sync: upload a finished job, "Sync now" for what is missing, pull what is only remote.

Objects go to the bucket under the signed-in user's prefix,
`<user id>/<yyyy>/<mm>/<job>/<platform>.<ext>` (the month of the job, UTC),
with their image content type and upsert on; then a `generations` row and
its `assets` rows are upserted, so running any step again changes nothing.
What was uploaded is remembered per file with its hash (`cloud.state`): the
same bytes are never sent twice, and an interrupted sync resumes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from postgrest.types import ReturnMethod
from supabase import Client

from snapasset_desktop.cloud.errors import CloudError, cloud_error
from snapasset_desktop.cloud.session import NOT_SIGNED_IN, CloudSession, CloudUser
from snapasset_desktop.cloud.state import SyncState, UploadError
from snapasset_desktop.errors import Canceled, InvalidInput, SnapAssetError
from snapasset_desktop.imaging.decode import image_info
from snapasset_desktop.library.base import check_name
from snapasset_desktop.library.models import SOURCE_PLATFORM, AssetRecord, JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.secrets import SecretSource
from snapasset_desktop.settings import SettingsStore
from snapasset_desktop.spec import JobSpec

log = logging.getLogger(__name__)

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
GENERATIONS = "generations"
ASSETS = "assets"
PAGE = 500

SyncProgress = Callable[[int, int, str], None]  # done, total, what is happening


@dataclass
class SyncReport:
    jobs: int = 0  # jobs uploaded (or pulled)
    files: int = 0  # files sent (or downloaded)
    failed: dict[str, str] = field(default_factory=dict)  # job id -> the reason


@dataclass
class CloudHealth:
    configured: bool
    enabled: bool
    reachable: bool | None  # None: not asked (not configured)
    latency_ms: float | None
    signed_in_as: str | None
    user_id: str | None
    last_sync: float | None
    session_kept: str  # "keyring", "session" (this run only) or "missing"
    message: str

    @property
    def problem(self) -> str | None:
        if not self.enabled:
            return None
        if not self.configured or self.signed_in_as is None or self.reachable is False:
            return self.message
        return None


def remote_path(user_id: str, job: JobRecord, asset: AssetRecord) -> str:
    made = datetime.fromtimestamp(job.created_at, UTC)
    name = PurePosixPath(asset.path).name  # `<platform>[-v<n>].<ext>`, as in the library
    return f"{user_id}/{made:%Y}/{made:%m}/{job.id}/{name}"


def _iso(when: float | None) -> str | None:
    return datetime.fromtimestamp(when, UTC).isoformat() if when else None


class CloudSync:
    """The queue's uploader (`upload_job`) and the "Sync now" / pull actions."""

    def __init__(self, session: CloudSession, library: Library, settings: SettingsStore) -> None:
        self.session = session
        self.library = library
        self.settings = settings
        self.state = SyncState(library)

    @property
    def bucket(self) -> str:
        return self.settings.current.supabase_bucket.strip() or "snapasset"

    def enabled(self) -> bool:
        return bool(self.settings.current.cloud_sync)

    def active(self) -> bool:
        """On, set up and signed in: finished jobs upload."""
        return self.enabled() and self.session.configured() and self.session.user() is not None

    def uploader(self) -> CloudSync | None:
        return self if self.active() else None

    # -- upload ------------------------------------------------------------------------

    def upload_job(
        self,
        job: JobRecord,
        *,
        on_progress: Callable[[float], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> int:
        """Send the job's files that aren't in the cloud yet, then its rows; returns files sent.

        Raises CloudError: transient (retry later) or not (see `record_failure`)."""
        assets = self.library.assets_for_job(job.id, include_source=True)
        bucket = self.bucket

        def work(client: Client, user: CloudUser) -> int:
            todo = [
                a
                for a in assets
                if not self.state.uploaded(job.id, a.platform, a.variant, user.id, a.sha256)
            ]
            files = client.storage.from_(bucket)
            for index, asset in enumerate(todo):
                if should_cancel and should_cancel():
                    raise Canceled()
                path = remote_path(user.id, job, asset)
                files.upload(
                    path,
                    self._read(asset),
                    {
                        "content-type": CONTENT_TYPES.get(asset.format, "application/octet-stream"),
                        "cache-control": "31536000",
                        "upsert": "true",
                    },
                )
                self.state.mark_file(
                    job.id, asset.platform, asset.variant, user.id, asset.sha256, path
                )
                if on_progress:
                    on_progress((index + 1) / (len(todo) + 1))
            client.table(GENERATIONS).upsert(
                generation_row(job, user), on_conflict="id", returning=ReturnMethod.minimal
            ).execute()
            if assets:
                client.table(ASSETS).upsert(
                    [asset_row(job, user, a) for a in assets],
                    on_conflict="generation_id,platform,variant",
                    returning=ReturnMethod.minimal,
                ).execute()
            self.state.mark_job(job.id, user.id)
            if on_progress:
                on_progress(1.0)
            return len(todo)

        sent = self.session.call(work, what="Uploading to the cloud", bucket=bucket)
        log.info("job uploaded", extra={"job_id": job.id, "files": sent})
        return sent

    def record_failure(self, job_id: str, error: SnapAssetError) -> None:
        """Keep why the job's upload failed; its local assets are untouched."""
        user = self.session.user()
        self.state.mark_error(job_id, user.id if user else "", error.kind, error.message)
        log.warning(
            "upload failed",
            extra={"job_id": job_id, "kind": error.kind, "detail": error.detail or error.message},
        )

    def upload_error(self, job_id: str) -> UploadError | None:
        return self.state.upload_error(job_id)

    def _read(self, asset: AssetRecord) -> bytes:
        try:
            return self.library.asset_path(asset).read_bytes()
        except OSError as exc:
            raise CloudError(
                f"{asset.path} is missing from the library, so it can't be uploaded.",
                detail=str(exc),
                kind="storage",
            ) from None

    # -- sync now ----------------------------------------------------------------------

    def sync_now(
        self,
        on_progress: SyncProgress | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> SyncReport:
        """Upload every finished job (or file) not in the cloud yet.

        A job that fails for its own reasons is reported and skipped; the network,
        the sign-in or the project failing stops the sync (the next one resumes)."""
        user = self._user()
        missing = self.state.missing_jobs(user.id)
        report = SyncReport()
        for index, job_id in enumerate(missing):
            if should_cancel and should_cancel():
                raise Canceled("Sync stopped; the next sync picks up where this one ended.")
            if on_progress:
                on_progress(index, len(missing), "Uploading finished jobs")
            job = self.library.get_job(job_id)
            try:
                report.files += self.upload_job(job, should_cancel=should_cancel)
            except CloudError as exc:
                if exc.transient or exc.kind in ("auth", "setup", "network", "timeout"):
                    raise
                self.record_failure(job_id, exc)
                report.failed[job_id] = exc.message
                continue
            report.jobs += 1
        if on_progress:
            on_progress(len(missing), len(missing), "Up to date")
        self.state.set_last_sync(time.time())
        return report

    # -- pull --------------------------------------------------------------------------

    def remote_only(self) -> list[dict[str, Any]]:
        """Generation rows this user may read that this library doesn't have complete."""
        user = self._user()

        def fetch(client: Client, _user: CloudUser) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = []
            while True:
                reply = (
                    client.table(GENERATIONS)
                    .select("*")
                    .order("created_at")
                    .range(len(rows), len(rows) + PAGE - 1)
                    .execute()
                )
                page = table_rows(reply.data)
                rows.extend(page)
                if len(page) < PAGE:
                    return rows

        rows = self.session.call(fetch, what="Reading the cloud library")
        return [
            row
            for row in rows
            if isinstance(row.get("id"), str) and not self.state.synced(row["id"], user.id)
        ]

    def pull(
        self,
        on_progress: SyncProgress | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> SyncReport:
        """Download generations made elsewhere (another machine, a teammate) into the library."""
        user = self._user()
        generations = self.remote_only()
        report = SyncReport()
        for index, row in enumerate(generations):
            if should_cancel and should_cancel():
                raise Canceled("Sync stopped; the next sync picks up where this one ended.")
            if on_progress:
                on_progress(index, len(generations), "Downloading from the cloud")
            try:
                report.files += self._pull_one(row, user)
            except CloudError as exc:
                if exc.transient or exc.kind in ("auth", "setup", "network", "timeout"):
                    raise
                report.failed[row["id"]] = exc.message
                continue
            except InvalidInput as exc:  # a row or file this library can't take
                log.warning("cloud generation skipped", extra={"job_id": row["id"], "detail": exc})
                report.failed[row["id"]] = exc.message
                continue
            report.jobs += 1
        if on_progress:
            on_progress(len(generations), len(generations), "Up to date")
        self.state.set_last_sync(time.time())
        return report

    def _pull_one(self, row: dict[str, Any], user: CloudUser) -> int:
        job_id = check_name(row["id"], "job id")
        bucket = self.bucket

        def fetch(client: Client, _user: CloudUser) -> list[tuple[dict[str, Any], bytes]]:
            reply = client.table(ASSETS).select("*").eq("generation_id", job_id).execute()
            files = client.storage.from_(bucket)
            return [
                (asset, files.download(str(asset["storage_path"])))
                for asset in table_rows(reply.data)
            ]

        # Everything is downloaded before the library changes, so a cut leaves nothing half.
        downloaded = self.session.call(fetch, what="Downloading from the cloud", bucket=bucket)
        checked = []
        for asset, data in downloaded:
            platform = str(asset.get("platform", ""))
            if platform != SOURCE_PLATFORM:
                check_name(platform, "platform name")
            variant = int(asset.get("variant") or 0)
            width, height, fmt = image_info(data, what=f"the cloud copy of {platform}")
            checked.append((platform, variant, width, height, fmt, data, asset))
        self._ensure_job(job_id, row)
        for platform, variant, width, height, fmt, data, asset in checked:
            if platform == SOURCE_PLATFORM:
                self.library.store_source(job_id, data, fmt, width, height, variant=variant)
                stored = next(
                    a
                    for a in self.library.assets_for_job(job_id, include_source=True)
                    if a.is_source and a.variant == variant
                )
            else:
                stored = self.library.save_asset(
                    job_id,
                    platform,
                    data,
                    fmt=fmt,
                    width=width,
                    height=height,
                    variant=variant,
                    warning=asset.get("warning"),
                )
            self.state.mark_file(
                job_id, platform, variant, user.id, stored.sha256, str(asset["storage_path"])
            )
        self.state.mark_job(job_id, user.id, pulled=True)
        log.info("pulled a generation", extra={"job_id": job_id, "files": len(checked)})
        return len(checked)

    def _ensure_job(self, job_id: str, row: dict[str, Any]) -> None:
        try:
            self.library.get_job(job_id)
            return  # an earlier pull was cut short, or it was made here: fill it in
        except InvalidInput:
            pass
        focus = row.get("focus_x"), row.get("focus_y")
        self.library.create_job(_pulled_spec(row), job_id=job_id, status="completed")
        self.library.update_job(
            job_id,
            stage="save",
            progress=100.0,
            finished_at=time.time(),
            focus_x=focus[0],
            focus_y=focus[1],
        )

    # -- health ------------------------------------------------------------------------

    def health(self, *, probe: bool = True) -> CloudHealth:
        configured = self.session.configured()
        user = self.session.user() if configured else None
        source = self.session.session_source()
        reachable, latency, message = None, None, ""
        if configured and probe:
            try:
                latency = self.session.probe()
                reachable = True
            except CloudError as exc:
                reachable, message = False, exc.message
        if not configured:
            message = "Cloud sync isn't set up (Settings → Cloud sync)."
        elif reachable is False:
            message = f"Supabase can't be reached: {message}"
        elif user is None:
            message = NOT_SIGNED_IN
        elif source is SecretSource.SESSION:
            message = (
                f"Signed in as {user.email or user.id}, for this session only (no system keyring)."
            )
        else:
            message = f"Signed in as {user.email or user.id}."
        return CloudHealth(
            configured=configured,
            enabled=self.enabled(),
            reachable=reachable,
            latency_ms=latency,
            signed_in_as=(user.email or user.id) if user else None,
            user_id=user.id if user else None,
            last_sync=self.state.last_sync(),
            session_kept=source.value if source is not SecretSource.ENVIRONMENT else "missing",
            message=message,
        )

    def upload_counts(self, since: float) -> tuple[int, int]:
        return self.state.counts(since)

    def _user(self) -> CloudUser:
        user = self.session.user()
        if user is None:
            raise CloudError(NOT_SIGNED_IN, kind="auth")
        return user


def table_rows(data: object) -> list[dict[str, Any]]:
    """A table's reply as rows; anything else is the server misbehaving, said as such."""
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        return data
    raise CloudError(
        "The cloud answered in a way SnapAsset doesn't understand; try again later.",
        detail=f"expected a list of rows, got {type(data).__name__}",
        kind="bad_response",
    )


def generation_row(job: JobRecord, user: CloudUser) -> dict[str, Any]:
    # The spec goes whole but for the imported file's name: a local name is nobody's business.
    spec = replace(job.spec, file_name=None)
    return {
        "id": job.id,
        "user_id": user.id,
        "prompt": spec.prompt,
        "platforms": list(spec.platforms),
        "params": spec.to_dict(),
        "model": spec.model or None,
        "focus_x": job.focus_x,
        "focus_y": job.focus_y,
        "created_at": _iso(job.created_at),
        "finished_at": _iso(job.finished_at or time.time()),
    }


def _pulled_spec(row: dict[str, Any]) -> JobSpec:
    """The spec of a generation in the cloud: its `params` are a spec, or (uploaded by an
    earlier SnapAsset) the shared part of a params dict, read with its prompt, platforms
    and focal point."""
    params = row.get("params")
    if isinstance(params, dict) and "version" in params:
        return JobSpec.from_dict(params)
    platforms = [p for p in row.get("platforms") or [] if isinstance(p, str)]
    focus = row.get("focus_x"), row.get("focus_y")
    return JobSpec.from_legacy(
        params or {},
        str(row.get("prompt") or ""),
        platforms,
        None if None in focus else focus,  # type: ignore[arg-type]
    )


def asset_row(job: JobRecord, user: CloudUser, asset: AssetRecord) -> dict[str, Any]:
    return {
        "generation_id": job.id,
        "user_id": user.id,
        "platform": asset.platform,
        "variant": asset.variant,
        "width": asset.width,
        "height": asset.height,
        "format": asset.format,
        "bytes": asset.bytes,
        "sha256": asset.sha256,
        "storage_path": remote_path(user.id, job, asset),
        "warning": asset.warning,
    }


__all__ = ["CloudError", "CloudHealth", "CloudSync", "SyncReport", "cloud_error"]
