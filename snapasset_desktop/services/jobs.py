"""JobService: what the window and the CLI do with jobs.

Submitting validates first (bad input is refused here, never queued), writes
the job, then enqueues its task with its priority; the rest happens in the
queue. Cancel, retry, pause, resume and priority changes go through the job
store, so they hold whichever process runs the jobs. In Redis mode every job is
also kept in the local library (the gallery and queue view), and the backend
registers it in Redis, which then holds the truth about it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.errors import ImageError, InvalidInput, SnapAssetError, StorageError
from snapasset_desktop.imaging.composition import PlatformOverride
from snapasset_desktop.imaging.decode import MAX_FILE_BYTES, image_info, load_image
from snapasset_desktop.imaging.encode import FORMATS as OUTPUT_FORMATS
from snapasset_desktop.imaging.encode import encode_image
from snapasset_desktop.imaging.layers import LayeredImage
from snapasset_desktop.library.alt_text import AltText
from snapasset_desktop.library.models import Event, JobRecord
from snapasset_desktop.queue.backend import QueueBackend
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.layers import (
    Redrawn,
    preview_platform_layers,
    redraw_job_layers,
)
from snapasset_desktop.services.limits import check_job_rate
from snapasset_desktop.services.requests import IMPORT_PROVIDER, SpecBuilder
from snapasset_desktop.spec import JobSpec
from snapasset_desktop.user_files import safe_read

log = logging.getLogger(__name__)

PRIORITIES = {"high": 10, "normal": 0, "low": -10}
WAIT_POLL = 0.1  # seconds between looks at a followed job's events
CHECK_EVERY = 1.0  # seconds between a wait's checks that the job can still run


def parse_priority(value: str | int) -> int:
    if isinstance(value, int):
        return value
    key = str(value).strip().lower()
    if key in PRIORITIES:
        return PRIORITIES[key]
    raise InvalidInput(f"Priority is high, normal or low — not “{value}”.")


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    job_ids: list[str]
    refused: list[tuple[int, str]]  # (line number, reason) for lines not queued


class JobService:
    def __init__(self, backend: QueueBackend, specs: Callable[[], SpecBuilder]) -> None:
        self.backend = backend
        self.library = backend.library
        self.store = backend.store
        self.specs = specs  # the builder for the settings and presets in force

    # -- submitting -------------------------------------------------------------------

    def submit(
        self,
        spec: JobSpec,
        *,
        priority: int | str = 0,
        run_at: float | None = None,
        retry_of: str | None = None,
    ) -> JobRecord:
        settings = self.backend.settings.current
        if run_at is not None and run_at < time.time() - 60:
            raise InvalidInput("That start time is in the past.")
        check_job_rate(self.library, settings, 1)
        self.backend.check_kits([spec])
        job = self.library.create_job(
            spec,
            priority=parse_priority(priority),
            max_attempts=settings.retry_attempts,
            run_at=run_at,
            origin=self.backend.origin,
            retry_of=retry_of,
        )
        return self._enqueue_new(job)

    def import_image(
        self,
        path: Path,
        platform_ids: Sequence[str],
        *,
        priority: int | str = "high",
        **options: Any,
    ) -> JobRecord:
        """Copy an image into the library as a new job's source, queued to render;
        `options` as the spec builder takes them (fit, format…).

        All or nothing: a file that can't be used is refused before the job exists,
        and a job whose source could not be stored is removed again.
        """
        data = safe_read(path, MAX_FILE_BYTES, "an image", error=ImageError)
        width, height, fmt = image_info(data, what=path.name)
        file_format = fmt
        if fmt not in OUTPUT_FORMATS:
            # GIF, TIFF and BMP are read but not written: the source becomes a lossless
            # PNG of what was decoded (the first frame of an animation).
            data, fmt = encode_image(load_image(data, what=path.name), "png").data, "png"
        spec = self.specs().build(
            "",  # the file's name is its prompt
            platform_ids,
            **options,
            provider=IMPORT_PROVIDER,
            file_name=path.name,
            source_size=(width, height),
            file_format=file_format,
        )
        self.backend.check_kits([spec])
        job = self.library.create_job(
            spec,
            priority=parse_priority(priority),
            status="canceled",  # not runnable until its source is stored
            origin=self.backend.origin,
        )
        try:
            self.library.store_source(job.id, data, variant=0, fmt=fmt)
            self.library.update_job(job.id, status="queued")
        except BaseException:
            self._forget(job.id)
            raise
        return self._enqueue_new(self.library.get_job(job.id))

    def _forget(self, job_id: str) -> None:
        """Remove a job whose import failed; a failure to do so is logged, not raised,
        so the designer sees why the import failed rather than why cleaning up did."""
        try:
            self.library.delete_job(job_id)
        except SnapAssetError as exc:
            log.warning(
                "could not remove a failed import", extra={"job_id": job_id, "detail": str(exc)}
            )

    def submit_batch(
        self,
        lines: Sequence[BatchLine],
        platform_ids: Sequence[str],
        *,
        name: str = "",
        priority: int | str = 0,
        **options: Any,
    ) -> BatchResult:
        """Queue many prompts as one batch; lines that can't run are reported, not queued."""
        settings = self.backend.settings.current
        specs = self.specs()
        rank = parse_priority(priority)
        rows: list[dict[str, Any]] = []
        refused: list[tuple[int, str]] = []
        for line in lines:
            try:
                platforms = list(line.platforms or platform_ids)
                spec = specs.build(line.prompt, platforms, **line.options(options))
                self.backend.check_kits([spec])
            except InvalidInput as exc:
                refused.append((line.number, exc.message))
                continue
            rows.append(
                {
                    "spec": spec,
                    "priority": rank,
                    "max_attempts": settings.retry_attempts,
                    "origin": self.backend.origin,
                }
            )
        if not rows:
            first = refused[0][1] if refused else "There are no prompts in that batch."
            raise InvalidInput(f"Nothing in that batch can be queued: {first}")
        check_job_rate(self.library, settings, len(rows))  # per job; the batch whole or not at all
        batch_id = self.library.create_batch(name or f"Batch of {len(rows)}", len(rows))
        job_ids = self.library.create_jobs(rows, batch_id=batch_id)
        if not self.backend.register_jobs(job_ids):  # Redis away: the sweeper registers them
            return BatchResult(batch_id, job_ids, refused)
        self.backend.emitter.emit_many(
            [(job_id, "queued", {"batch": batch_id}) for job_id in job_ids]
        )
        if not self.store.is_paused():
            self.backend.enqueue_many([(job_id, rank) for job_id in job_ids])
        return BatchResult(batch_id, job_ids, refused)

    def _enqueue_new(self, job: JobRecord) -> JobRecord:
        if not self.backend.register_jobs([job.id]):  # Redis away: the sweeper registers it
            return self.library.get_job(job.id)
        self.backend.emitter.emit(job.id, "queued", priority=job.priority, run_at=job.run_at)
        if not self.store.is_paused():
            self.backend.enqueue(job)
        return self.store.get(job.id)

    # -- managing ---------------------------------------------------------------------

    def cancel(self, job_id: str) -> str:
        job = self.store.get(job_id)
        outcome = self.store.request_cancel(job_id)
        if outcome == "canceled":
            self.backend.revoke(job)
            self.backend.emitter.emit(job_id, "canceled", before_start=True)
        return outcome

    def retry(self, job_id: str) -> JobRecord:
        """Run a failed or canceled job again. One that failed for something the settings
        may have fixed since (no key, a rejected key, an unknown model) takes the provider
        and model in force now, and its history says so."""
        job = self.store.get(job_id)
        if job.status == "failed":
            spec = self.specs().with_settings_after(job.spec, job.error_kind)
            if spec != job.spec:
                note = {
                    "at": time.time(),
                    "kind": "settings",
                    "message": f"Retried with {spec.source_label()}, as Settings now say "
                    f"(it failed with {job.spec.source_label()}).",
                }
                self.backend.amend_job(job_id, spec=spec, history=[*job.history, note])
        return self._enqueue_new(self.store.requeue(job_id))

    def retry_edited(
        self,
        job_id: str,
        *,
        priority: int | str = 0,
        run_at: float | None = None,
        **changes: Any,
    ) -> JobRecord:
        """A new job from an ended one's spec with `changes` (as `SpecBuilder.rebuild` takes
        them), linked to it by `retry_of`."""
        job = self.store.get(job_id)
        if not job.finished:
            raise InvalidInput(
                "This job is still in the queue; wait for it to end, or cancel it, "
                "before retrying it with changes."
            )
        if not job.spec.generates:
            raise InvalidInput(
                "An imported image can't be retried with changes; import it again instead."
            )
        spec = self.specs().rebuild(job.spec, **changes)
        return self.submit(spec, priority=priority, run_at=run_at, retry_of=job.id)

    def rerender(
        self,
        job_id: str,
        *,
        focus: tuple[float, float] | None = None,
        platform_ids: Sequence[str] | None = None,
        crop: Sequence[str] = (),
        uncrop: Sequence[str] = (),
        platform_focus: Mapping[str, tuple[float, float] | None] | None = None,
        redo_expansions: Sequence[str] = (),
    ) -> JobRecord:
        """Render a finished job again from its stored source and expansions (new focal
        point or platforms; platforms switched back to crop, or to the job's fit again
        (`uncrop`); a platform's own focal point, None to drop it) — never an API call,
        but for each expansion named in `redo_expansions` (a shape group: "tall"),
        painted again once."""
        job = self.store.get(job_id)
        if not job.finished:
            raise InvalidInput("This job is still in the queue; wait for it to finish.")
        if not self.library.source_images(job_id):
            raise InvalidInput("This job has no stored source image to re-render from.")
        spec = job.spec
        if focus is not None:
            spec = spec.with_focus(focus)
        if platform_ids:
            spec = replace(
                spec, platforms=tuple(p.id for p in self.backend.platforms().resolve(platform_ids))
            )
        own_focus = dict(platform_focus or {})
        for platform_id in {*crop, *uncrop, *own_focus}:
            if platform_id not in spec.platforms:
                raise InvalidInput(
                    f"This job has no “{platform_id}” version; its platforms are "
                    f"{', '.join(spec.platforms)}."
                )
            current = spec.render.override(platform_id) or PlatformOverride(platform_id)
            spec = spec.with_override(
                replace(
                    current,
                    crop=platform_id in crop or (current.crop and platform_id not in uncrop),
                    focus=own_focus.get(platform_id, current.focus),
                )
            )
        self._forget_expansions(job_id, redo_expansions)
        self.backend.amend_job(job_id, spec=spec, priority=PRIORITIES["high"])
        return self._enqueue_new(
            self.store.requeue(job_id, from_statuses=("completed", "failed", "canceled"))
        )

    def _forget_expansions(self, job_id: str, keys: Sequence[str]) -> None:
        """Remove the stored expansions named (every variant's), so the job paints them
        again; a name the job has none of is refused first."""
        if not keys:
            return
        stored = [
            a
            for a in self.library.assets_for_job(job_id, include_source=True)
            if a.expansion_key is not None
        ]
        known = sorted({a.expansion_key for a in stored if a.expansion_key})
        for key in keys:
            if key not in known:
                listed = ", ".join(known) if known else "none"
                raise InvalidInput(
                    f"This job has no expansion for “{key}”; its expansions: {listed}."
                )
        self.library.delete_assets([a.id for a in stored if a.expansion_key in keys])

    def redraw_layers(
        self,
        job_id: str,
        layers: TextLayers,
        *,
        platform_ids: Sequence[str] | None = None,
    ) -> Redrawn:
        """Draw a finished job's text layers again with new texts, kit or positions, here
        and now from each asset's clean picture — never the queue, never an API call —
        and keep them as the job's layers. `platform_ids`: only these platforms' assets
        (one whose layer was moved); the job's layers change for every platform."""
        job = self.store.get(job_id)
        if job.status != "completed":
            raise InvalidInput(
                "The layers can be changed once the job has finished."
                if not job.finished
                else "This job has no pictures to draw layers on; retry it first."
            )
        layers = self.specs().checked_layers(layers, job.platforms)
        pictured = self.library.get_job(job_id)  # the source's size, as the library took it
        redrawn = redraw_job_layers(
            self.library, self.backend.platforms(), pictured, layers, platform_ids
        )
        self.backend.amend_job(job_id, spec=job.spec.with_layers(layers))
        return redrawn

    def preview_layers(
        self, job_id: str, layers: TextLayers, platform_id: str
    ) -> LayeredImage | None:
        """One platform of a job with `layers` drawn, nothing saved (None: no layers) —
        what an editor shows at once while `redraw_layers` draws and saves every one."""
        layers = self.specs().checked_layers(layers, [platform_id])
        return preview_platform_layers(
            self.library,
            self.backend.platforms(),
            self.library.get_job(job_id),
            layers,
            platform_id,
        )

    def set_priority(self, job_ids: Sequence[str], priority: int | str) -> list[JobRecord]:
        changed = self.store.set_priority(job_ids, parse_priority(priority))
        for job in changed:
            # Huey's queue order is fixed at enqueue: send a task with the new priority;
            # the old one becomes a no-op (only one claim wins).
            self.backend.enqueue(job)
        return changed

    def pause(self) -> None:
        self.store.set_paused(True)
        self.backend.emitter.emit(None, "paused")

    def resume(self) -> int:
        self.backend.budget.lift_for_this_month()  # resuming over the cap is a decision to go on
        self.store.set_paused(False)
        self.backend.emitter.emit(None, "resumed")
        waiting = self.store.due_without_task(time.time(), limit=100_000)
        return self.backend.enqueue_many([(job.id, job.priority) for job in waiting])

    def is_paused(self) -> bool:
        return self.store.is_paused()

    def get(self, job_id: str) -> JobRecord:
        return self.store.get(job_id)

    def alt_text(self, job_id: str) -> AltText | None:
        """The job's alt text: suggested, the designer's, or (text None) why there is none."""
        return self.library.alt_text(job_id)

    def set_alt_text(self, job_id: str, text: str) -> AltText:
        """The designer's alt text for the job; exports from now on carry it."""
        return self.library.set_alt_text(job_id, text)

    def list(
        self,
        status: str | Sequence[str] | None = None,
        limit: int = 100,
        *,
        before: tuple[float, str] | None = None,
    ) -> list[JobRecord]:
        """Newest first; `before` = (created_at, id) of the previous page's last job."""
        return self.library.list_jobs(status, limit=limit, before=before)

    def wait(
        self,
        job_id: str,
        on_event: Callable[[Event], None] | None = None,
        *,
        after: int = 0,
        timeout: float | None = None,
        check: Callable[[JobRecord], None] | None = None,
    ) -> JobRecord:
        """Follow a job's events (from cursor `after`) until it ends; the library has its
        final state and images when this returns.

        `check(job)` runs about once a second while the job is unfinished and may raise to
        end the wait (e.g. nothing can run the job). A queue that is away is ridden out
        for `outage_patience()` seconds, then its error is raised: the wait always ends."""
        cursor = after
        deadline = time.monotonic() + timeout if timeout else None
        next_check = 0.0
        away_since: float | None = None
        job: JobRecord | None = None
        while True:
            try:
                job = self.store.get(job_id)
                events = self.backend.event_log.read(cursor, limit=1000)
                for event in events:
                    cursor = event.seq
                    if event.job_id == job_id and on_event:
                        on_event(event)
                if job.finished and not events:
                    self.backend.settle(job_id)
                    return job
                if check is None:
                    away_since = None
                elif time.monotonic() >= next_check:
                    next_check = time.monotonic() + CHECK_EVERY
                    check(job)
                    away_since = None
            except StorageError as exc:
                now = time.monotonic()
                if away_since is None:
                    away_since = now
                    log.warning("waiting for the queue to come back", extra={"job_id": job_id})
                if not exc.transient or now - away_since > self.outage_patience():
                    raise
                events = []
            if deadline and time.monotonic() > deadline and job is not None:
                return job
            if not events:
                time.sleep(WAIT_POLL)

    def outage_patience(self) -> float:
        """How long a wait rides out a queue that is away: long enough for a restarted
        Redis or a busy library to come back and a lost lease to be swept."""
        settings = self.backend.settings.current
        return 3 * settings.sweep_interval + settings.lease_seconds
