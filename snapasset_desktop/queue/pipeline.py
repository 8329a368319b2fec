"""One job's work, stage by stage: generate, decode, expand, render every platform, save.

The stages and their progress bands are the job lifecycle's (docs/ARCHITECTURE.md):
validate 0–10 · generate 10–40 (partial previews) · decode 40–45 ·
expand 45–50 (one step per expansion, `queue.expansion_stage`) ·
resize 50–90 (each platform cropped from its canvas) · upload 90–95 (cloud sync only) ·
save 95–100.

Steps are idempotent so a retry is cheap and safe: the generated source is
stored before anything else happens to it, and a job that already has its
source never calls (or pays for) the API again; its alt text is suggested once
the source is stored (at the start of the decode band) and kept, so a retry
never asks twice, and a suggestion that fails leaves a note, never fails the
job; each expansion of the source is stored the moment it is painted, so it is
never paid for twice either; assets are keyed by (job, platform, variant) and
written atomically, so a re-run replaces them.
The runner does the work only; marking the job active, completed or failed,
under a lease, is the queue's (`queue.execution`).

With cloud sync on, the assets are saved locally first (so they are never
lost to a failed upload), then uploaded in the upload band (90–95), and the
job ends at save 100. A transient upload failure retries the job (the source
is stored and uploaded files are remembered, so a retry costs little); a
permanent one, or a transient one on the last attempt, is recorded with the
job's upload error and the job completes locally ("Sync now" sends it later).

A job with text layers has them drawn on each platform's picture after its crop and
before its encoding (`imaging.overlay`), in the resize band, clear of the subject the
crop was placed around; each asset keeps its clean picture (the crop before its layers)
too and the notes its layers left. The kit is the job's artifacts' to find —
the library's own, or the one the app shipped through Redis — before anything is
generated, so a kit that can't be had never costs an image.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PIL import Image

from snapasset_desktop.brand.kit import DEFAULT_KIT, BrandKit
from snapasset_desktop.errors import Canceled, ImageError, SnapAssetError
from snapasset_desktop.imaging.composition import CompositionPlan
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.encode import AssetMetadata
from snapasset_desktop.imaging.focal import estimate_focal_point
from snapasset_desktop.imaging.overlay import layers_overlay
from snapasset_desktop.imaging.render import RenderedAsset, render_platforms
from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.platforms import Platform, PlatformRegistry
from snapasset_desktop.providers.alt_text import AltTextWriter
from snapasset_desktop.providers.base import ImageProvider, ImageRequest
from snapasset_desktop.queue.expansion_stage import Composed, ExpansionStage, ExpansionStore

log = logging.getLogger(__name__)

STAGES: dict[str, tuple[float, float]] = {
    "validate": (0, 10),
    "generate": (10, 40),
    "decode": (40, 45),
    "expand": (45, 50),
    "resize": (50, 90),
    "upload": (90, 95),
    "save": (95, 100),
}


@dataclass(frozen=True)
class Progress:
    job_id: str
    stage: str
    percent: float
    message: str = ""
    preview: bytes | None = None
    platform: str | None = None
    notice: bool = False  # news in its own right (a wait begins or ends): never throttled


ProgressCallback = Callable[[Progress], None]


def stage_percent(stage: str, fraction: float) -> float:
    start, end = STAGES[stage]
    return round(start + (end - start) * min(max(fraction, 0.0), 1.0), 1)


class Artifacts(ExpansionStore, Protocol):
    """Where a job's images live: the local library, or (for a remote worker) the hand-back."""

    def source_images(self, job_id: str) -> list[bytes]: ...

    def store_source(self, job_id: str, data: bytes, *, variant: int, fmt: str) -> object: ...

    def save_asset(
        self,
        job_id: str,
        platform: str,
        data: bytes,
        *,
        fmt: str,
        width: int,
        height: int,
        variant: int,
        warning: str | None,
        clean: bytes | None = None,
        layers: dict[str, Any] | None = None,
    ) -> AssetRecord: ...

    def brand_kit(self, job: JobRecord) -> tuple[BrandKit, str | None]:
        """The kit the job's layers are drawn in, and a note when it isn't the one named."""
        ...

    def suggested_alt_text(self, job_id: str) -> str | None: ...

    def store_alt_text(
        self, job_id: str, text: str | None, *, origin: str, note: str | None = None
    ) -> None: ...


class Uploader(Protocol):
    """Cloud sync: sends a finished job's saved assets (`cloud.sync.CloudSync`)."""

    def upload_job(
        self,
        job: JobRecord,
        *,
        on_progress: Callable[[float], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> int: ...

    def record_failure(self, job_id: str, error: SnapAssetError) -> None: ...


@dataclass(frozen=True)
class AltTextOutcome:
    text: str | None
    origin: str
    note: str | None = None  # why there is no text

    def event(self) -> dict[str, str | None]:
        """What the `completed` event carries, for views that show the job as it ends."""
        return {"text": self.text, "origin": self.origin, "note": self.note}


@dataclass(frozen=True)
class JobOutput:
    assets: list[AssetRecord]
    focus: tuple[float, float]
    alt_text: AltTextOutcome | None = None  # None: alt text is off
    composition: tuple[CompositionPlan, ...] = ()  # how each source became its assets


class JobRunner:
    """Runs a job to its assets; safe to run again after any failure.

    It reads the job and writes images only: the job's status, progress and
    focal point are the caller's to record (the queue keeps them under a lease).
    """

    def __init__(
        self,
        artifacts: Artifacts,
        registry: PlatformRegistry,
        provider_for: Callable[[str], ImageProvider],
        uploader: Uploader | None = None,
        alt_text: AltTextWriter | None = None,
    ) -> None:
        self.artifacts = artifacts
        self.registry = registry
        self.provider_for = provider_for
        self.uploader = uploader  # None: cloud sync off (or the job's files live elsewhere)
        self.alt_text = alt_text  # None: alt text is off

    def run(
        self,
        job: JobRecord,
        *,
        on_progress: ProgressCallback | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> JobOutput:
        def report(stage: str, fraction: float, message: str = "", **extra: object) -> None:
            if on_progress:
                percent = stage_percent(stage, fraction)
                on_progress(Progress(job.id, stage, percent, message, **extra))  # type: ignore[arg-type]

        def check_cancel() -> None:
            if should_cancel and should_cancel():
                raise Canceled()

        report("validate", 0, "Checking the request")
        platforms = self.registry.resolve(job.platforms)
        layers = job.spec.layers
        kit, kit_note = (DEFAULT_KIT, None) if layers.is_empty else self.artifacts.brand_kit(job)
        check_cancel()
        report("validate", 1)

        sources = self._sources(job, report, should_cancel)
        check_cancel()
        alt_text = self._alt_text(job, sources[0], report)
        check_cancel()

        report("decode", 0, "Reading the image")
        images = [load_image(data, what=_source_name(job)) for data in sources]
        focus = _focus(job, images[0])
        report("decode", 1)

        expander = ExpansionStage(self.artifacts, lambda: self.provider_for(job.spec.expander))
        composed = [
            expander.compose(job, variant, image, platforms, focus, report, should_cancel)
            for variant, image in enumerate(images)
        ]
        check_cancel()

        options = replace(job.spec.render, focus=focus)
        rendered: list[tuple[int, RenderedAsset]] = []
        metadata = AssetMetadata(
            prompt=job.prompt,
            model=job.spec.model,
            job_id=job.id,
            alt_text=(alt_text.text if alt_text else None) or "",
        )
        total, finished = len(images) * len(platforms), 0
        for variant, image in enumerate(images):
            subjects = composed[variant].plan.subjects()
            overlay = layers_overlay(layers, kit, subjects=subjects, kit_note=kit_note)
            for canvas, members, boxes in _cuts(composed[variant], image, platforms):

                def on_render(done: int, _total: int, offset: int = finished) -> None:
                    report("resize", (offset + done) / total, "Rendering platform sizes")

                for asset in render_platforms(
                    canvas,
                    members,
                    options,
                    metadata=metadata,
                    on_progress=on_render,
                    should_cancel=should_cancel,
                    boxes=boxes,
                    overlay=overlay,
                ):
                    warning = _joined(composed[variant].warning(asset.platform_id), asset.warning)
                    rendered.append((variant, replace(asset, warning=warning)))
                finished += len(members)
        check_cancel()

        if self.uploader is None:
            report("save", 0, "Saving to your library")
        saved = [
            self.artifacts.save_asset(
                job.id,
                asset.platform_id,
                asset.data,
                fmt=asset.format,
                width=asset.width,
                height=asset.height,
                variant=variant,
                warning=asset.warning,
                clean=asset.clean,
                layers=asset.layers,
            )
            for variant, asset in rendered
        ]
        if self.uploader is not None:
            self._upload(job, report, should_cancel)
        report("save", 1, "Done")
        return JobOutput(saved, focus, alt_text, tuple(c.plan for c in composed))

    def _alt_text(
        self, job: JobRecord, source: bytes, report: Callable[..., None]
    ) -> AltTextOutcome | None:
        """The job's alt text: the stored one (a retry, or the designer's), else suggested
        now. A failed suggestion is a note, never the job's failure."""
        if self.alt_text is None:
            return None
        origin = self.alt_text.origin
        stored = self.artifacts.suggested_alt_text(job.id)
        if stored is not None:
            return AltTextOutcome(stored, origin)
        report("decode", 0, "Writing alt text")
        try:
            text = self.alt_text.describe(
                source, prompt=job.prompt, file_name=job.spec.file_name
            ).text
        except Canceled:
            raise
        except Exception as exc:
            error = describe_failure(exc)
            log.warning(
                "no alt text suggested",
                extra={"job_id": job.id, "kind": error.kind, "detail": error.detail},
            )
            reason = _ALT_TEXT_FAILURES.get(error.kind, "the request for it failed")
            note = f"No alt text yet — {reason}. Write it in the job's details."
            self.artifacts.store_alt_text(job.id, None, origin=origin, note=note)
            return AltTextOutcome(None, origin, note)
        self.artifacts.store_alt_text(job.id, text, origin=origin)
        return AltTextOutcome(text, origin)

    def _upload(
        self, job: JobRecord, report: Callable[..., None], should_cancel: Callable[[], bool] | None
    ) -> None:
        assert self.uploader is not None
        report("upload", 0, "Uploading to the cloud")
        try:
            self.uploader.upload_job(
                job,
                on_progress=lambda f: report("upload", f, "Uploading to the cloud"),
                should_cancel=should_cancel,
            )
        except Canceled:
            raise
        except SnapAssetError as exc:
            if exc.transient and job.attempts < job.max_attempts:
                raise  # the job's retry policy runs it again
            self.uploader.record_failure(job.id, exc)  # the local assets stay; the job completes

    def _sources(
        self, job: JobRecord, report: Callable[..., None], should_cancel: Callable[[], bool] | None
    ) -> list[bytes]:
        """The job's source images: stored ones if any (no second API call), else generated."""
        stored = self.artifacts.source_images(job.id)
        if stored:
            report("generate", 1, "Using the stored source image")
            return stored
        spec = job.spec
        if not spec.generates:
            raise ImageError("The imported image is missing from the library; import it again.")
        provider = self.provider_for(spec.provider)
        request = ImageRequest(
            prompt=spec.image_prompt,
            model=spec.model,
            size=spec.size_param,
            quality=spec.quality,
            background=spec.background,
            output_format="png",
            n=spec.variations,
            partial_images=spec.partial_images,
        )
        report("generate", 0, "Generating the image")

        def on_partial(index: int, data: bytes) -> None:
            fraction = (index + 1) / (request.partial_images + 1)
            report("generate", fraction, "Generating the image", preview=data)

        def on_wait(seconds: float) -> None:
            # Said when a designer would wonder why nothing moves, and taken back after.
            if seconds >= 1:
                message = f"Waiting {seconds:.0f} s: OpenAI's rate limit"
                report("generate", 0, message, notice=True)
            elif seconds == 0:
                report("generate", 0, "Generating the image", notice=True)

        images = provider.generate(
            request, on_partial=on_partial, should_cancel=should_cancel, on_wait=on_wait
        )
        if not images:
            raise SnapAssetError(
                "The image service answered without an image; retrying.",
                kind="bad_response",
                transient=True,
            )
        # Stored before anything else touches them: a retry from here costs nothing.
        for variant, image in enumerate(images):
            self.artifacts.store_source(
                job.id, image.data, variant=variant, fmt=image.output_format
            )
        report("generate", 1, "Image generated")
        return [image.data for image in images]


# Why a suggestion failed, in words that don't promise a retry (the job goes on without it).
_ALT_TEXT_FAILURES = {
    "rate_limit": "OpenAI was busy (its rate limit)",
    "timeout": "OpenAI took too long to answer",
    "server": "OpenAI had a problem on its side",
    "network": "OpenAI couldn't be reached",
    "auth": "OpenAI refused the key",
    "permission": "this OpenAI key may not use the description model",
    "unknown_model": "this OpenAI key may not use the description model",
    "quota": "the OpenAI account is out of credit",
    "refused": "OpenAI's safety system declined to describe the picture",
}


def _cuts(
    composed: Composed, source: Image.Image, platforms: list[Platform]
) -> list[tuple[Image.Image, list[Platform], dict[str, tuple[int, int, int, int]] | None]]:
    """Each canvas — the source, then each expansion — with its platforms and their crops
    (none for contain: the renderer pads the whole source)."""
    groups: dict[str | None, list[Platform]] = {}
    for platform in platforms:
        groups.setdefault(composed.fit(platform.id).expansion, []).append(platform)
    cuts = []
    for key, members in groups.items():
        canvas = source if key is None else composed.canvases[key]
        boxes = {p.id: box for p in members if (box := composed.fit(p.id).box) is not None}
        cuts.append((canvas, members, boxes or None))
    return cuts


def _joined(*sentences: str | None) -> str | None:
    return " ".join(s for s in sentences if s) or None


def _focus(job: JobRecord, image: Image.Image) -> tuple[float, float]:
    """The designer's focal point; else the one found on an earlier run (the same source
    gives the same point), else found now."""
    if job.spec.render.focus is not None:
        return job.spec.render.focus
    if job.focus_x is not None and job.focus_y is not None:
        return (job.focus_x, job.focus_y)
    return estimate_focal_point(image)


def _source_name(job: JobRecord) -> str:
    if not job.spec.generates:
        return job.spec.file_name or "the imported image"
    return "the generated image"


def describe_failure(exc: BaseException) -> SnapAssetError:
    """Any exception as a SnapAssetError, so a job always fails with a readable reason."""
    if isinstance(exc, SnapAssetError):
        return exc
    if isinstance(exc, MemoryError):
        return ImageError("The image is too large to process with the memory available.")
    log.exception("unexpected error in a job", exc_info=exc)
    return SnapAssetError(
        "Something went wrong inside SnapAsset; the details are in the log.",
        detail=f"{type(exc).__name__}: {exc}",
        kind="internal",
    )
