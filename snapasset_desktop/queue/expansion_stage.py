"""The expand stage: each platform's canvas and crop, the source expanded where the plan says.

After decode the job plans its composition (`imaging.composition`) from the spec's fit
policy, threshold and per-platform overrides, with the subject a square around the focal
point. Each planned expansion is a step of its own ("Expanding for tall formats 1/2"):

- stored first: an expansion already in the job's artifacts (`expanded_<group>`, a PNG
  that says where the original sits in it) is used as it is, so a retry or a re-render
  never pays twice — the crops are placed again on the canvas it has;
- otherwise painted once by the job's expander (the provider's edit endpoint, metered
  like a generation), the original pasted back, and stored at once;
- refused by OpenAI's safety system, its platforms crop instead and their assets say so.

A platform's own focal point (the focal editor's per-platform drag) moves its crop on
whichever canvas it has; a platform switched back to crop never expands.

The plan is arithmetic, so a finished job's is made again from its spec and the
expansions it stored (`composition_used`): where each platform's crop fell, the subject
its text layers keep off when they are drawn again, and the warnings its assets carry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol

from PIL import Image

from snapasset_desktop.errors import ProviderError
from snapasset_desktop.imaging.composition import (
    CompositionPlan,
    Expansion,
    PlatformFit,
    crop_expansion,
    crop_source,
    plan_composition,
)
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.expansion import encode_expanded, expanded_box
from snapasset_desktop.imaging.placement import Box, Size
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.platforms import Platform
from snapasset_desktop.providers.base import CancelCheck, ImageProvider
from snapasset_desktop.providers.composition import expand_source, refused_note
from snapasset_desktop.safe_zones import Rect
from snapasset_desktop.spec import JobSpec

SUBJECT_SHARE = 0.1  # the subject: a square of this share of the short side, at the focus

Report = Callable[..., None]  # (stage, fraction, message, **extra), as JobRunner reports


@dataclass(frozen=True)
class Fitted:
    """How one source's platforms get their pictures: the plan as placed, and notes."""

    plan: CompositionPlan
    notes: dict[str, str]  # platform id → why it crops though it was to expand

    def fit(self, platform_id: str) -> PlatformFit:
        return self.plan.platform(platform_id)

    def warning(self, platform_id: str) -> str | None:
        """What the platform's asset says: its subject under a zone, a refused expansion."""
        parts = [self.fit(platform_id).warning, self.notes.get(platform_id)]
        return " ".join(part for part in parts if part) or None


@dataclass(frozen=True)
class Composed(Fitted):
    """One source's composition, ready to render: with its expanded pictures."""

    canvases: dict[str, Image.Image]  # expansion key → the expanded picture


def subject_around(focus: tuple[float, float], size: Size) -> Rect:
    """The subject the crops keep clear: a square around the focal point, inside the picture."""
    half_w = SUBJECT_SHARE * min(size) / size[0] / 2
    half_h = SUBJECT_SHARE * min(size) / size[1] / 2
    x = min(max(focus[0], half_w), 1 - half_w)
    y = min(max(focus[1], half_h), 1 - half_h)
    return x - half_w, y - half_h, x + half_w, y + half_h


def plan_for(
    spec: JobSpec,
    size: Size,
    platforms: Sequence[Platform],
    focus: tuple[float, float],
    *,
    cropped: Sequence[str] = (),
) -> CompositionPlan:
    """The spec's composition for a source of `size`; `cropped`: platforms that crop
    whatever the policy says (besides those the designer switched back to crop). Each
    platform's own focal point is not applied yet (`placed` does)."""
    render = spec.render
    crop = {o.platform_id for o in render.overrides if o.crop} | set(cropped)
    model = {"model": spec.model} if spec.model else {}
    return plan_composition(
        size,
        platforms,
        fit=render.fit,
        focus=focus,
        subject=subject_around(focus, size),
        threshold=render.threshold,
        cover_only=crop,
        **model,
    )


class ExpansionStore(Protocol):
    """Where a job's expansions are kept: the library, or the hand-back through Redis."""

    def expanded_image(self, job_id: str, key: str, variant: int = 0) -> bytes | None: ...

    def store_expansion(
        self, job_id: str, key: str, data: bytes, *, width: int, height: int, variant: int = 0
    ) -> object: ...


class ExpansionStage:
    """Composes each of a job's sources, expanding it where the plan says (see above)."""

    def __init__(self, artifacts: ExpansionStore, provider: Callable[[], ImageProvider]) -> None:
        self.artifacts = artifacts
        self.provider = provider  # the job's expander, made only when a call is needed

    def compose(
        self,
        job: JobRecord,
        variant: int,
        source: Image.Image,
        platforms: Sequence[Platform],
        focus: tuple[float, float],
        report: Report,
        should_cancel: CancelCheck | None,
    ) -> Composed:
        done: dict[str, tuple[Expansion, Image.Image]] = {}
        notes: dict[str, str] = {}
        plan = plan_for(job.spec, source.size, platforms, focus)
        count, step = len(plan.expansions), 0
        while pending := [e for e in plan.expansions if e.key not in done]:
            for expansion in pending:
                step += 1
                count = max(count, step)  # a refusal may regroup what is left
                message = f"Expanding for {expansion.label} {step}/{count}"
                at = (step - 1) / count
                report("expand", at, message)
                # Its previews and waits are reported where it began: progress never goes back.
                say = partial(report, "expand", at)
                got = self._expansion(job, variant, source, expansion, say, should_cancel)
                if got is None:
                    note = refused_note(expansion)
                    notes.update(dict.fromkeys(expansion.platform_ids, note))
                else:
                    done[expansion.key] = got
            plan = plan_for(job.spec, source.size, platforms, focus, cropped=list(notes))
        report("expand", 1, "Composing each platform")
        kept = {key: done[key] for key in (e.key for e in plan.expansions)}
        own = own_points(job.spec)
        fitted = placed(plan, platforms, focus, own, {k: e for k, (e, _) in kept.items()})
        canvases = {key: image for key, (_, image) in kept.items()}
        return Composed(plan=fitted, notes=notes, canvases=canvases)

    def _expansion(
        self,
        job: JobRecord,
        variant: int,
        source: Image.Image,
        expansion: Expansion,
        say: Callable[..., None],
        should_cancel: CancelCheck | None,
    ) -> tuple[Expansion, Image.Image] | None:
        """The expansion as stored, else painted and stored; None when OpenAI refused it.
        `say(message, **extra)` reports the painting at the step's place in the band."""
        stored = self.artifacts.expanded_image(job.id, expansion.key, variant)
        box = expanded_box(stored) if stored else None
        if stored and box and (box[2] - box[0], box[3] - box[1]) == source.size:
            canvas = load_image(stored, what="the stored expansion")
            return replace(expansion, canvas=canvas.size, source_box=box), canvas
        spec = job.spec

        def on_partial(index: int, data: bytes) -> None:
            say(f"Expanding for {expansion.label}", preview=data)

        def on_wait(seconds: float) -> None:
            if seconds >= 1:
                say(f"Waiting {seconds:.0f} s: OpenAI's rate limit", notice=True)

        try:
            canvas = expand_source(
                self.provider(),
                source,
                expansion,
                prompt=spec.image_prompt if spec.generates else None,
                model=spec.model,  # "" for the placeholder, which paints without one
                quality=spec.quality,
                partial_images=spec.partial_images,
                on_partial=on_partial,
                should_cancel=should_cancel,
                on_wait=on_wait,
            )
        except ProviderError as exc:
            if exc.kind == "refused":
                return None
            raise
        # Kept before anything else touches it: a retry from here never pays for it again.
        self.artifacts.store_expansion(
            job.id,
            expansion.key,
            encode_expanded(canvas, expansion),
            width=canvas.width,
            height=canvas.height,
            variant=variant,
        )
        return expansion, canvas


def composition_used(
    spec: JobSpec,
    size: Size,
    platforms: Sequence[Platform],
    focus: tuple[float, float],
    stored: Mapping[str, tuple[Size, Box]],
) -> Fitted:
    """The composition a finished job's source (of `size`) was cut by, made again: planned
    as the job planned it, on the expansions it `stored` (key → canvas size and where the
    source sits on it). A planned expansion it doesn't have was refused, so its platforms
    cropped instead, as they did."""
    notes: dict[str, str] = {}
    plan = plan_for(spec, size, platforms, focus)
    while missing := [e for e in plan.expansions if e.key not in stored]:
        for expansion in missing:
            notes.update(dict.fromkeys(expansion.platform_ids, refused_note(expansion)))
        plan = plan_for(spec, size, platforms, focus, cropped=list(notes))
    kept = {
        e.key: replace(e, canvas=stored[e.key][0], source_box=stored[e.key][1])
        for e in plan.expansions
    }
    return Fitted(placed(plan, platforms, focus, own_points(spec), kept), notes)


def own_points(spec: JobSpec) -> dict[str, tuple[float, float]]:
    """The focal points platforms have of their own (the focal editor's per-platform drag)."""
    return {o.platform_id: o.focus for o in spec.render.overrides if o.focus is not None}


def placed(
    plan: CompositionPlan,
    platforms: Sequence[Platform],
    focus: tuple[float, float],
    own: Mapping[str, tuple[float, float]],
    expansions: Mapping[str, Expansion] | None = None,
) -> CompositionPlan:
    """The plan with each crop placed again where it must be: around a platform's `own`
    focal point, or on a canvas (`expansions`, by key) shaped otherwise than planned."""
    size = plan.source
    canvases = dict(expansions) if expansions is not None else {e.key: e for e in plan.expansions}
    fits = []
    for platform, fit in zip(platforms, plan.platforms, strict=True):
        point = own.get(platform.id)
        if fit.expansion is not None:
            expansion = canvases[fit.expansion]
            if point or expansion != plan.expansion(fit.expansion):
                point = point or focus
                fit = crop_expansion(expansion, size, platform, point, subject_around(point, size))
        elif fit.fit == "cover" and point:
            fit = crop_source(size, platform, point, subject_around(point, size))
        fits.append(fit)
    return replace(plan, platforms=tuple(fits), expansions=tuple(canvases.values()))
