"""Creating jobs and running them in this process.

`GenerationService` is how the CLI (and, until the queue runs them, the
window) turns a request or an imported image into a job and its assets. It
owns the job's status on this synchronous path: active while running, then
completed, failed (with the designer-readable reason) or canceled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from snapasset_desktop.errors import Canceled, ImageError, InvalidInput, SnapAssetError
from snapasset_desktop.imaging.decode import MAX_FILE_BYTES, image_info
from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.pipeline import (
    JobRunner,
    Progress,
    ProgressCallback,
    describe_failure,
)
from snapasset_desktop.services.requests import IMPORT_PROVIDER, GenerationRequest
from snapasset_desktop.services.retry import RetryPolicy

log = logging.getLogger(__name__)


class GenerationService:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.library = context.library

    def runner(self) -> JobRunner:
        return JobRunner(self.library, self.context.platforms, self.context.provider)

    def create_job(self, request: GenerationRequest, *, batch_id: str | None = None) -> JobRecord:
        params = request.params() | {"partial_images": self.context.settings.current.partial_images}
        return self.library.create_job(
            request.prompt,
            request.platform_ids,
            params,
            batch_id=batch_id,
            max_attempts=self.context.settings.current.retry_attempts,
            focus=request.render.focus,
        )

    def import_image(self, path: Path, request: GenerationRequest) -> JobRecord:
        """Copy an image into the library as a job's source, ready to render."""
        data = _read_image_file(path)
        width, height, fmt = image_info(data, what=path.name)
        params = request.params() | {
            "provider": IMPORT_PROVIDER,
            "model": "",
            "size": f"{width}x{height}",
            "file_name": path.name,
        }
        job = self.library.create_job(
            request.prompt or path.stem,
            request.platform_ids,
            params,
            focus=request.render.focus,
        )
        self.library.store_source(job.id, data, variant=0, fmt=fmt)
        return job

    def run_now(
        self,
        job_id: str,
        *,
        on_progress: ProgressCallback | None = None,
        should_cancel: Callable[[], bool] | None = None,
        wait: Callable[[float], None] = time.sleep,
    ) -> list[AssetRecord]:
        """Run a job here and now, retrying transient failures by the retry policy.

        Raises the job's SnapAssetError after recording it as failed or canceled.
        """
        policy = RetryPolicy.from_settings(self.context.settings.current)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(job_id, on_progress, should_cancel)
            except SnapAssetError as error:
                if isinstance(error, Canceled) or not policy.should_retry(error, attempt):
                    raise
                delay = policy.delay(error, attempt)
                self.library.update_job(job_id, status="retrying")
                if on_progress:
                    job = self.library.get_job(job_id)
                    on_progress(
                        Progress(
                            job_id,
                            job.stage or "validate",
                            job.progress,
                            f"{error.message} (retrying in {delay:.0f} s)",
                        )
                    )
                wait(delay)

    def _attempt(
        self,
        job_id: str,
        on_progress: ProgressCallback | None,
        should_cancel: Callable[[], bool] | None,
    ) -> list[AssetRecord]:
        job = self.library.get_job(job_id)
        started = time.time()
        self.library.update_job(
            job_id,
            status="active",
            attempts=job.attempts + 1,
            started_at=started,
            error_kind=None,
            error_message=None,
            error_detail=None,
        )
        try:
            assets = self.runner().run(job_id, on_progress=on_progress, should_cancel=should_cancel)
        except BaseException as exc:
            error = describe_failure(exc)
            status = "canceled" if isinstance(error, Canceled) else "failed"
            self.library.update_job(
                job_id,
                status=status,
                finished_at=time.time(),
                error_kind=error.kind,
                error_message=error.message,
                error_detail=error.detail,
                history=[*job.history, _attempt_record(job.attempts + 1, started, error)],
            )
            log.info(
                "attempt ended",
                extra={
                    "job_id": job_id,
                    "status": status,
                    "kind": error.kind,
                    "detail": error.detail,
                },
            )
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise error from exc
        self.library.update_job(job_id, status="completed", finished_at=time.time(), progress=100)
        log.info(
            "job completed", extra={"job_id": job_id, "seconds": round(time.time() - started, 2)}
        )
        return assets

    def rerender(
        self,
        job_id: str,
        *,
        focus: tuple[float, float] | None = None,
        platform_ids: Sequence[str] | None = None,
    ) -> list[AssetRecord]:
        """Render a finished job again (new focal point or platforms) — no API call."""
        job = self.library.get_job(job_id)
        if not self.library.source_images(job_id):
            raise InvalidInput("This job has no stored source image to re-render from.")
        changes: dict[str, object] = {}
        if focus is not None:
            changes.update(focus_x=focus[0], focus_y=focus[1])
        if platform_ids:
            changes["platforms"] = [p.id for p in self.context.platforms.resolve(platform_ids)]
        if changes:
            self.library.update_job(job.id, **changes)
        return self.run_now(job_id)


def _attempt_record(number: int, started: float, error: SnapAssetError) -> dict[str, object]:
    return {
        "attempt": number,
        "started_at": started,
        "ended_at": time.time(),
        "kind": error.kind,
        "message": error.message,
    }


def _read_image_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageError(
                f"{path.name} is {size / 2**20:.0f} MB — too large to import "
                f"(the limit is {MAX_FILE_BYTES / 2**20:.0f} MB)."
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"There is no file called {path}.") from None
    except IsADirectoryError:
        raise ImageError(f"{path} is a folder, not an image.") from None
    except PermissionError:
        raise ImageError(f"SnapAsset isn't allowed to read {path}.") from None
